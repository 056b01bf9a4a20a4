// Small progressive enhancement: the print button exists only where
// scripts run (it is `hidden` in the HTML), and prints the checklist.
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
  function printAddress() {
    document.querySelectorAll("[data-dm-address]").forEach(function (span) {
      span.textContent = window.location.href;
    });
  }
  function ready() {
    focusableScrollers();
    caseChooser();
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
