// Small progressive enhancements: each piece exists only where scripts run
// (it is `hidden` in the HTML) and the page works without it.
(function () {
  "use strict";
  // Material wraps wide tables in a scrollable box; keyboard users must be
  // able to focus it to scroll it (WCAG 2.1.1).
  function focusableScrollers() {
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (box) {
      box.tabIndex = 0;
    });
  }
  // "Your case only": the chooser exists only where scripts run; without them
  // every case shows. The choice lives in the URL (?truong-hop=N), so a link
  // or a reload keeps it, and hidden cases do not print.
  function caseChooser() {
    var chooser = document.querySelector("[data-dm-cases]");
    if (!chooser) { return; }
    var blocks = document.querySelectorAll("[data-dm-case]");
    function show(value) {
      blocks.forEach(function (block) {
        var own = block.getAttribute("data-dm-case");
        block.hidden = Boolean(value) && Boolean(own) && own !== value;
      });
      chooser.querySelectorAll("input[name=truong-hop]").forEach(function (input) {
        input.checked = input.value === value;
      });
    }
    var params = new URLSearchParams(window.location.search);
    var initial = params.get("truong-hop") || "";
    if (!chooser.querySelector("input[value='" + CSS.escape(initial) + "']")) { initial = ""; }
    chooser.hidden = false;
    show(initial);
    chooser.addEventListener("change", function (event) {
      var value = event.target.value;
      var url = new URL(window.location.href);
      if (value) { url.searchParams.set("truong-hop", value); } else { url.searchParams.delete("truong-hop"); }
      window.history.replaceState(null, "", url);
      show(value);
    });
  }
  // The filter box of a long browse list: it matches the whole list (danh-sach.json beside
  // the list's first page, fetched on first use), folded as the finder folds (fold.js: case,
  // diacritics, đ, i/y), each word typed the start of a word of the name or the code. The
  // query lives in the URL (?loc=, the form's own GET), so a link or a reload keeps it.
  function listFilter() {
    var form = document.querySelector("[data-dm-filter]");
    if (!form || !window.viFold) { return; }
    var input = form.querySelector("input[name=loc]");
    var status = form.querySelector("[role=status]");
    var results = document.querySelector("[data-dm-filter-results]");
    var paged = document.querySelector("[data-dm-paged]");
    var base = form.getAttribute("data-dm-base");
    var limit = Number(form.getAttribute("data-dm-limit")) || 50;
    var rows = null;
    function load() {
      rows = rows || fetch(form.getAttribute("data-dm-filter")).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (list) {
        list.forEach(function (row) { row.terms = window.viFold.fold(row.name + " " + row.code); });
        return list;
      });
      return rows;
    }
    function matches(row, words) {
      return words.every(function (word) {
        return row.terms.some(function (term) { return term.indexOf(word) === 0; });
      });
    }
    function element(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }  // text from data is never markup
      return node;
    }
    function item(row) {
      var li = element("li");
      var link = element("a", "", row.name);
      link.href = base + row.url;
      var meta = element("span", "dm-list__meta");
      meta.append(element("span", "dm-code", row.code), " ",
                  element("span", "dm-level dm-level--" + row.level, "Mức độ " + row.level));
      li.append(link, meta);
      return li;
    }
    function show(query) {
      var words = window.viFold.fold(query);
      if (!words.length) {
        results.hidden = true;
        paged.hidden = false;
        status.textContent = "";
        return;
      }
      load().then(function (list) {
        if (input.value !== query) { return; }  // a newer query is on its way
        var found = list.filter(function (row) { return matches(row, words); });
        results.replaceChildren.apply(results, found.slice(0, limit).map(item));
        status.textContent = !found.length ? "Không có thủ tục nào khớp «" + query.trim() + "»."
          : found.length > limit ? "Hiện " + limit + " trong " + found.length + " thủ tục khớp; gõ thêm để thu hẹp."
          : found.length + " thủ tục khớp «" + query.trim() + "».";
        results.hidden = false;
        paged.hidden = true;
      }, function () {
        status.textContent = "Không tải được danh sách để lọc; xem theo từng trang bên dưới.";
      });
    }
    function remember(query) {
      var url = new URL(window.location.href);
      if (query.trim()) { url.searchParams.set("loc", query); } else { url.searchParams.delete("loc"); }
      window.history.replaceState(null, "", url);
    }
    form.hidden = false;
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    input.addEventListener("input", function () {
      remember(input.value);
      show(input.value);
    });
    input.value = new URLSearchParams(window.location.search).get("loc") || "";
    if (input.value) { show(input.value); }
  }
  function printAddress() {
    document.querySelectorAll("[data-dm-address]").forEach(function (span) {
      span.textContent = window.location.href;
    });
  }
  function ready() {
    focusableScrollers();
    caseChooser();
    listFilter();
    printAddress();
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(focusableScrollers);  // after Material's own wrapping
    }
    document.querySelectorAll("[data-dm-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
