/* The procedure finder (/tra-cuu/): a prebuilt, folded index in pieces, filters,
 * and the state in the URL so a search can be shared.
 *
 * Loads search/meta.json first (tables, row count, which pieces exist), then
 * for each search only the pieces it needs (generator/search_index.py):
 * the names-and-keywords postings of the query's words (p/), the rows of
 * the filters chosen (f/), the codes typed (c/), the summary rows of the
 * results drawn (r/); once those are drawn, the description-and-steps
 * postings of the same words (d/), whose weights are added and the results
 * drawn again. Every piece is fetched once. The query is folded with viFold.
 *
 * For tests and bench/search_bench.py: #dm-finder counts drawn searches in
 * data-searches and gets data-detail-ready once the words' detail postings
 * answer too (removed while a new search by words waits for them);
 * performance marks "finder-ready" and "finder-first-result" time the load.
 */
(function () {
  "use strict";
  var root = document.getElementById("dm-finder");
  if (!root || !window.viFold) return;

  var PAGE = 50;          // results drawn at a time
  var SCREEN = 8;         // drawn first, alone: a phone's first screenful, so the first result waits for less
  var DEBOUNCE = 150;     // ms after the last keystroke
  var MIN_CHARS = 2;      // folded characters before a query runs
  var PREFIX_WEIGHT = 0.3; // a term the last word only starts weighs less than the word itself
  var KEY_CHARS = 2;      // a term's piece: its first characters (generator/search_index.py KEY_CHARS)
  var MAX_CODE_PIECES = 4; // a code prefix shorter than a piece's digits is looked up in at most this many
  var CODE = /^\d\.\d{6}$/;
  var PARAMS = { q: "q", agency: "co-quan", field: "linh-vuc", level: "muc-do", channel: "cach-nop", subject: "doi-tuong", free: "mien-phi", retired: "da-bai-bo" };
  var RETIRED = 10;       // a summary row's 11th cell is 1 for a retired (bãi bỏ, thay thế) procedure
  var FILTERS = ["agency", "field", "level", "channel", "subject", "free"];

  // The form and the list are read once the page is parsed (main); this script runs from the top of
  // the finder, so that what the first search needs is asked for while the page still loads.
  var form, input, status, list, more, filters, active;
  var base = root.getAttribute("data-base") || "";
  var dir = root.getAttribute("data-search");
  var meta = null, exists = null, common = null;
  var fetched = Object.create(null), decoded = Object.create(null);
  var current = [], shown = 0, timer = 0, searches = 0, asked = 0, firstDrawn = false, redirected = false;

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content != null) node.textContent = content;
    return node;
  }

  // ------------------------------------------------------------- state

  function readForm() {
    var f = form.elements;
    return {
      q: input.value.trim(),
      agency: f[PARAMS.agency].value, field: f[PARAMS.field].value, level: f[PARAMS.level].value,
      channel: f[PARAMS.channel].value, subject: f[PARAMS.subject].value, free: f[PARAMS.free].checked,
      retired: !!(f[PARAMS.retired] && f[PARAMS.retired].checked)  // the box is there only when some are
    };
  }

  function writeForm(params) {
    var f = form.elements;
    input.value = params.get(PARAMS.q) || "";
    ["agency", "field", "level", "channel", "subject"].forEach(function (key) {
      var select = f[PARAMS[key]], value = params.get(PARAMS[key]) || "";
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
      select.value = known ? value : "";
    });
    f[PARAMS.free].checked = params.get(PARAMS.free) === "1";
    if (f[PARAMS.retired]) f[PARAMS.retired].checked = params.get(PARAMS.retired) === "1";
  }

  function saveUrl(state) {
    var params = new URLSearchParams();
    if (state.q) params.set(PARAMS.q, state.q);
    ["agency", "field", "level", "channel", "subject"].forEach(function (key) {
      if (state[key]) params.set(PARAMS[key], state[key]);
    });
    if (state.free) params.set(PARAMS.free, "1");
    if (state.retired) params.set(PARAMS.retired, "1");
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  function filterCount(state) {
    return ["agency", "field", "level", "channel", "subject", "free", "retired"].filter(function (key) { return state[key]; }).length;
  }

  function hasFilter(state) { return filterCount(state) > 0; }

  /* The filters fold away on narrow screens, and on any screen when the page opens with a query, so
     the first results show without scrolling; a filter in use keeps them open. The summary says how many are. */
  function showFilters(state, opening) {
    var n = filterCount(state);
    active.textContent = n ? "(" + n + " đang chọn)" : "";
    if (opening) filters.open = n > 0 || (!state.q && window.matchMedia("(min-width: 45em)").matches);
  }

  // ------------------------------------------------------------- pieces

  function fetchJson(path) {
    return fetch(path).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.json();
    });
  }

  /* One piece of search/, fetched once; null when the index has no such piece. */
  function piece(folder, name) {
    var path = folder + "/" + name;
    // p, d and c are listed in meta; rows always exist, filters are checked before. Before meta is in, the
    // pieces of a query in the address are asked for anyway (a missing one fails, and is not asked for again).
    var known = exists && exists[folder];
    if (known && !known[name]) return Promise.resolve(null);
    if (!fetched[path]) fetched[path] = fetchJson(dir + path + ".json");
    return fetched[path];
  }

  function termKey(term) { return term.slice(0, KEY_CHARS).replace(/\./g, "_"); }

  /* Sorted rows written as gaps → the rows. */
  function ungap(gaps) {
    var rows = new Array(gaps.length), row = 0;
    for (var i = 0; i < gaps.length; i++) { row += gaps[i]; rows[i] = row; }
    return rows;
  }

  /* A term's posting in one index: rows and their weights, decoded once. Written (search_index.encoded)
   * as ["gap, place, gap, place, … in base-32 digits", weight, weight, …]: a place names a weight after
   * the string; a digit before a number's last is a character from CONTINUED, the last from LAST. */
  var CONTINUED = 35, LAST = 93, BASE = 32;
  function posting(folder, json, term) {
    var key = folder + ":" + term;
    if (!decoded[key]) {
      // A row takes two characters or more: half the string's length is room enough.
      var value = json[term], text = value[0], room = text.length >> 1;
      var rows = new Int32Array(room), weights = new Float64Array(room);
      var n = 0, row = 0, k = 0, gap = true;
      for (var i = 0; i < text.length; i++) {
        var c = text.charCodeAt(i);
        if (c < LAST) { n = n * BASE + c - CONTINUED; continue; }
        n = n * BASE + c - LAST;
        if (gap) { row += n; rows[k] = row; } else weights[k++] = value[1 + n];
        gap = !gap;
        n = 0;
      }
      decoded[key] = { rows: rows.subarray(0, k), weights: weights.subarray(0, k) };
    }
    return decoded[key];
  }

  /* The pieces of one index holding the words, by key. */
  function termPieces(folder, terms) {
    var keys = terms.map(termKey).filter(function (k, i, all) { return all.indexOf(k) === i; });
    return Promise.all(keys.map(function (k) { return piece(folder, k); })).then(function (found) {
      var byKey = Object.create(null);
      keys.forEach(function (k, i) { byKey[k] = found[i]; });
      return byKey;
    });
  }

  // ------------------------------------------------------------- search

  function queryTerms(q) {
    var terms = viFold.fold(q);
    // A one-letter word still being typed at the end would match nothing exactly: wait for it.
    if (terms.length > 1 && terms[terms.length - 1].length < MIN_CHARS) terms.pop();
    return terms;
  }

  /* For each word: the postings it stands for in each index given (itself; for the last word, in the
   * names-and-keywords index, every term it starts, the others weighing PREFIX_WEIGHT). */
  function lookUp(terms, indexes) {
    var last = terms.length - 1;
    return terms.map(function (term, i) {
      var parts = indexes.map(function (index) {
        var json = index.pieces[termKey(term)], expanded = [];
        if (json) {
          expanded = i === last && index.folder === "p"
            ? Object.keys(json).filter(function (t) { return t.lastIndexOf(term, 0) === 0; })
            : (Object.prototype.hasOwnProperty.call(json, term) ? [term] : []);
        }
        return expanded.map(function (t) {
          return { factor: t === term ? 1 : PREFIX_WEIGHT, posting: posting(index.folder, json, t) };
        });
      });
      return { term: term, common: !!(indexes.length > 1 && common[term]), parts: parts };
    });
  }

  /* Rows holding every word, best first; a word of meta.common (found in most procedures' steps) counts
   * as held once the detail postings are in. Ties keep row order, the order of folded names. */
  function rankRows(terms, indexes) {
    var n = meta.count, looked = lookUp(terms, indexes);
    var narrowing = looked.filter(function (l) { return !l.common; });
    // held[r]: how many narrowing words row r holds; seen[r]: the last word counted there (a word's
    // terms may share rows).
    var held = new Uint8Array(n), seen = new Uint8Array(n), want = narrowing.length;
    narrowing.forEach(function (l, j) {
      var stamp = j + 1;
      l.parts.forEach(function (postings) {
        postings.forEach(function (p) {
          var rs = p.posting.rows;
          for (var k = 0; k < rs.length; k++) { var r = rs[k]; if (seen[r] !== stamp) { seen[r] = stamp; held[r]++; } }
        });
      });
    });
    var rows = [];
    for (var r = 0; r < n; r++) if (held[r] === want) rows.push(r);
    var scores = new Float64Array(n);
    looked.forEach(function (l) {
      l.parts.forEach(function (postings) {
        postings.forEach(function (p) {
          var rs = p.posting.rows, ws = p.posting.weights, factor = p.factor;
          for (var k = 0; k < rs.length; k++) if (held[rs[k]] === want) scores[rs[k]] += factor * ws[k];
        });
      });
    });
    return rows.sort(function (a, b) { return scores[b] - scores[a] || a - b; });
  }

  /* Rows whose code is, or starts with, what was typed; dots optional ("1001193", "1.0011"). */
  function codeRows(q) {
    var typed = q.replace(/\s+/g, "");
    if (!/^\d[\d.]*$/.test(typed)) return Promise.resolve([]);
    var digits = typed.replace(/\./g, ""), width = meta.code_digits;
    var keys = digits.length >= width ? [digits.slice(0, width)]
      : meta.pieces.c.filter(function (k) { return k.lastIndexOf(digits, 0) === 0; });
    if (keys.length > MAX_CODE_PIECES) return Promise.resolve([]);
    return Promise.all(keys.map(function (k) { return piece("c", k); })).then(function (found) {
      var rows = [];
      found.forEach(function (codes) {
        if (!codes) return;
        if (codes[typed] != null) { rows.unshift(codes[typed]); return; }
        Object.keys(codes).sort().forEach(function (code) {
          if (code.replace(".", "").lastIndexOf(digits, 0) === 0) rows.push(codes[code]);
        });
      });
      return rows;
    });
  }

  /* A mark per row kept by every filter chosen (null: every row). Retired (bãi bỏ, thay thế) rows are
   * left out unless asked for: their piece is fetched only when the catalogue has some. */
  function filterMark(state) {
    var chosen = FILTERS.filter(function (key) { return state[key]; }).map(function (key) {
      var param = PARAMS[key], value = key === "free" ? "1" : state[key];
      return exists.f[param][value] ? piece("f/" + param, encodeURIComponent(value)) : Promise.resolve([]);
    });
    var leaveOut = !state.retired && exists.f[PARAMS.retired]["1"] ? piece("f/" + PARAMS.retired, "1") : null;
    if (!chosen.length && !leaveOut) return Promise.resolve(null);
    return Promise.all([leaveOut].concat(chosen)).then(function (found) {
      var count = new Uint8Array(meta.count), mark = new Uint8Array(meta.count), wanted = found.length - 1;
      found.slice(1).forEach(function (gaps) { ungap(gaps || []).forEach(function (r) { count[r]++; }); });
      for (var r = 0; r < meta.count; r++) mark[r] = count[r] === wanted ? 1 : 0;
      if (found[0]) ungap(found[0]).forEach(function (r) { mark[r] = 0; });
      return mark;
    });
  }

  function search() {
    var state = readForm(), id = ++asked;
    saveUrl(state);
    showFilters(state, false);
    if (!meta) return;
    var terms = queryTerms(state.q), folded = terms.join(" ");
    var words = folded.length >= MIN_CHARS;
    if (!words && !CODE.test(state.q)) {
      if (!hasFilter(state)) return show([], state, "hint");
      filterMark(state).then(function (mark) {
        if (id !== asked) return;
        var rows = [];
        for (var r = 0; r < meta.count; r++) if (!mark || mark[r]) rows.push(r);
        show(rows, state, "filter");
      });
      return;
    }
    root.removeAttribute("data-detail-ready");
    var primary = termPieces("p", terms);
    Promise.all([codeRows(state.q), primary, filterMark(state)]).then(function (got) {
      var answer = function (indexes) {
        var pinned = Object.create(null), rows = got[0].slice(), mark = got[2];
        rows.forEach(function (r) { pinned[r] = true; });
        rankRows(terms, indexes).forEach(function (r) { if (!pinned[r]) rows.push(r); });
        return show(mark ? rows.filter(function (r) { return mark[r]; }) : rows, state, "query");
      };
      if (id !== asked) return;
      var primaryIndex = { folder: "p", pieces: got[1] };
      // Descriptions and steps are fetched only once the first results are drawn.
      answer([primaryIndex]).then(function () {
        return termPieces("d", terms);
      }).then(function (detail) {
        if (id !== asked) return;
        return answer([primaryIndex, { folder: "d", pieces: detail }]);
      }).catch(function () { /* names and keywords still answer */ }).then(function () {
        if (id === asked) root.setAttribute("data-detail-ready", "");
      });
    });
  }

  // ------------------------------------------------------------- drawing

  /* The summary rows of some rows, fetched by piece: row → [code, name, agency, field, level, …, time, fee]. */
  function docsOf(rows) {
    var size = meta.rows_per_piece, needed = [];
    rows.forEach(function (r) { var n = Math.floor(r / size); if (needed.indexOf(n) < 0) needed.push(n); });
    return Promise.all(needed.map(function (n) { return piece("r", String(n)); })).then(function (found) {
      var docs = Object.create(null);
      needed.forEach(function (n, i) { found[i].forEach(function (doc, k) { docs[n * size + k] = doc; }); });
      return docs;
    });
  }

  function url(code) { return base + meta.url.replace("{code}", code); }

  function fact(dl, term, value) {
    dl.appendChild(el("dt", null, term));
    dl.appendChild(el("dd", null, value));
  }

  function item(doc) {
    var li = el("li", "dm-result");
    var link = el("a", "dm-result__name", doc[1]);
    link.href = url(doc[0]);
    li.appendChild(link);
    var meta_ = el("p", "dm-result__meta");
    meta_.appendChild(el("span", "dm-code", doc[0]));
    meta_.appendChild(document.createTextNode(" "));
    var badge = el("span", "dm-level dm-level--" + doc[4], "Mức độ " + doc[4]);
    badge.title = meta.levels[String(doc[4])];
    meta_.appendChild(badge);
    meta_.appendChild(document.createTextNode(" " + (doc[2] == null ? meta.no_agency : meta.agencies[doc[2]][1])));
    if (doc[RETIRED] === 1) {
      meta_.appendChild(document.createTextNode(" "));
      meta_.appendChild(el("strong", "dm-result__retired", "Đã bãi bỏ, thay thế"));
    }
    li.appendChild(meta_);
    var dl = el("dl", "dm-result__facts");
    fact(dl, "Thời hạn giải quyết", doc[8] || "Chưa có thông tin");
    fact(dl, "Phí, lệ phí", doc[9] || "Chưa có thông tin");
    li.appendChild(dl);
    return li;
  }

  /* Draw results start … end-1 of `rows` once their summary rows are in; false when a newer search replaced the list. */
  function drawRange(rows, start, end) {
    return docsOf(rows.slice(start, end)).then(function (docs) {
      if (rows !== current) return false;  // a newer search replaced the list meanwhile
      var frag = document.createDocumentFragment();
      for (var k = start; k < end; k++) frag.appendChild(item(docs[rows[k]]));
      list.appendChild(frag);
      shown = end;
      return true;
    });
  }

  /* Draw the next PAGE results; `rows` is the list they come from. */
  function drawMore(rows, focus) {
    var start = shown;
    return drawRange(rows, start, Math.min(rows.length, shown + PAGE)).then(function (drawn) {
      if (!drawn) return false;
      more.hidden = shown >= rows.length;
      if (focus && list.children[start]) list.children[start].querySelector("a").focus();
      return true;
    });
  }

  function say(message) { status.textContent = message; }

  /* A new list of results in place of the old. Into an empty list, the first screenful is drawn alone
   * (only its rows fetched first, then painted) and the rest of the first PAGE after; over results
   * already shown, the whole PAGE at once, so the page does not shrink under a reader who scrolled. */
  function show(rows, state, mode) {
    current = rows;
    shown = 0;
    var old = list.children.length;
    return drawRange(rows, 0, Math.min(rows.length, old ? PAGE : SCREEN)).then(function (drawn) {
      if (!drawn) return false;
      while (old-- > 0) list.removeChild(list.firstChild);  // the new ones came in after them
      if (rows.length && !firstDrawn) {
        firstDrawn = true;
        if (window.performance && performance.mark) performance.mark("finder-first-result");
      }
      return new Promise(function (resolve) { setTimeout(resolve, 0); });  // let the first screenful paint
    }).then(function (drawn) {
      if (drawn === false || rows !== current) return;
      return drawRange(rows, shown, Math.min(rows.length, PAGE)).then(function (all) {
        if (!all) return;
        more.hidden = shown >= rows.length;
        describe(rows, state, mode);
      });
    });
  }

  function describe(rows, state, mode) {
    var quoted = "“" + state.q + "”";
    if (mode === "hint") say("Nhập từ khóa (ít nhất " + MIN_CHARS + " ký tự) hoặc mã thủ tục, hoặc chọn một bộ lọc.");
    else if (!rows.length && mode === "filter") say("Không có thủ tục nào khớp với bộ lọc đã chọn. Hãy bỏ bớt bộ lọc.");
    else if (!rows.length) say("Không tìm thấy thủ tục nào cho " + quoted + (hasFilter(state) ? " với bộ lọc đã chọn" : "") +
      ". Hãy thử từ khóa khác, bớt từ, kiểm tra mã thủ tục" + (hasFilter(state) ? " hoặc bỏ bớt bộ lọc" : "") + ".");
    else say("Tìm thấy " + rows.length.toLocaleString("vi-VN") + " thủ tục" + (mode === "query" ? " cho " + quoted : "") +
      (hasFilter(state) ? " (đã lọc)" : "") + (rows.length > shown ? "; đang hiện " + shown + " đầu tiên" : "") + ".");
    root.setAttribute("data-searched", state.q);
    root.setAttribute("data-searches", String(++searches));
  }

  // ------------------------------------------------------------- loading

  /* The code's page when it is a code of the catalogue, else null. */
  function codePage(q) {
    if (!CODE.test(q)) return Promise.resolve(null);
    return piece("c", q.replace(".", "").slice(0, meta.code_digits)).then(function (codes) {
      return codes && codes[q] != null ? url(q) : null;
    });
  }

  /* meta.json read: which pieces exist, the common words. Done as soon as it arrives, before the page is parsed. */
  function know(json) {
    if (window.performance && performance.mark) performance.mark("finder-parsed");
    meta = json;
    exists = { p: Object.create(null), d: Object.create(null), c: Object.create(null), f: Object.create(null) };
    ["p", "d", "c"].forEach(function (folder) { meta.pieces[folder].forEach(function (k) { exists[folder][k] = true; }); });
    Object.keys(meta.filters).forEach(function (param) {
      exists.f[param] = Object.create(null);
      meta.filters[param].forEach(function (v) { exists.f[param][v] = true; });
    });
    common = Object.create(null);
    meta.common.forEach(function (term) { common[term] = true; });
  }

  function start() {
    if (window.performance && performance.mark) performance.mark("finder-ready");
    var state = readForm();
    // Arriving with an exact code (from the header or the home page) goes straight to it.
    (hasFilter(state) ? Promise.resolve(null) : codePage(state.q)).then(function (page) {
      if (page) {
        redirected = true;
        location.replace(page);
        return;
      }
      search();
    });
  }

  function main() {
    form = root.querySelector("form");
    input = form.elements[PARAMS.q];
    status = root.querySelector("[data-finder-status]");
    list = root.querySelector("[data-finder-results]");
    more = root.querySelector("[data-finder-more]");
    filters = root.querySelector("[data-finder-filters]");
    active = root.querySelector("[data-finder-active]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      if (!meta) return search();
      codePage(readForm().q).then(function (page) {
        if (page) location.assign(page);
        else search();
      });
    });
    form.addEventListener("reset", function () { setTimeout(search, 0); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE);
    });
    form.addEventListener("change", function (event) {
      if (event.target !== input) search();
    });
    more.addEventListener("click", function () { drawMore(current, true); });

    writeForm(new URLSearchParams(location.search));
    showFilters(readForm(), true);
    form.hidden = false;
    say("Đang tải dữ liệu tra cứu…");
    // Opened from a file share (file://) or offline, the index cannot be fetched: say so and offer the browse pages.
    metaLoad.then(start).catch(function () {
      if (redirected) return;
      form.hidden = true;
      root.querySelector("[data-finder-fallback]").hidden = false;
      say("Không tải được dữ liệu tra cứu. Hãy tải lại trang, hoặc xem thủ tục theo danh sách dưới đây.");
    });
  }

  // Asked for at once: meta.json and the pieces of the words of a query in the address (one round trip
  // less than asking after meta), while the rest of the page is parsed.
  var metaLoad = fetchJson(root.getAttribute("data-meta")).then(know);
  metaLoad.catch(function () { /* answered in main */ });
  var opened = new URLSearchParams(location.search).get(PARAMS.q) || "", openedTerms = queryTerms(opened);
  if (openedTerms.join(" ").length >= MIN_CHARS && !CODE.test(opened)) {
    termPieces("p", openedTerms).catch(function () { return null; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
