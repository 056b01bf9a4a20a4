/* The procedure finder (/tra-cuu/): a prebuilt, folded lunr index, filters,
 * and the state in the URL so a search can be shared.
 *
 * Loads search/index.json first (names + keywords index and one summary row
 * per procedure), answers from it, then, once someone searches by words,
 * loads search/detail.json (description, results, steps) in the background
 * and adds its weights. The query is folded here with viFold, the function
 * the index's "vi-fold" pipeline names (lunr.js would skip the pipeline for
 * the wildcard of a word still being typed), and evaluated by searchRows().
 *
 * For tests and bench/search_bench.py: #dm-finder counts drawn searches in
 * data-searches and gets data-detail-ready once the lazy index answers too;
 * performance marks "finder-ready" and "finder-first-result" time the load.
 */
(function () {
  "use strict";
  var root = document.getElementById("dm-finder");
  if (!root || !window.lunr || !window.viFold) return;

  var PAGE = 50;          // results drawn at a time
  var DEBOUNCE = 150;     // ms after the last keystroke
  var MIN_CHARS = 2;      // folded characters before a query runs
  var PREFIX_WEIGHT = 0.3; // a term the last word only starts weighs less than the word itself
  var CODE = /^\d\.\d{6}$/;
  var PARAMS = { q: "q", agency: "co-quan", field: "linh-vuc", level: "muc-do", channel: "cach-nop", subject: "doi-tuong", free: "mien-phi", retired: "da-bai-bo" };
  var RETIRED = 10;       // a summary row's 11th cell is 1 for a retired (bãi bỏ, thay thế) procedure

  var form = root.querySelector("form");
  var input = form.elements[PARAMS.q];
  var status = root.querySelector("[data-finder-status]");
  var list = root.querySelector("[data-finder-results]");
  var more = root.querySelector("[data-finder-more]");
  var filters = root.querySelector("[data-finder-filters]");
  var active = root.querySelector("[data-finder-active]");
  var base = root.getAttribute("data-base") || "";
  var data = null, primary = null, detail = null, byCode = null, byName = null;
  var current = [], shown = 0, timer = 0, searches = 0, firstDrawn = false, redirected = false, detailAsked = false;

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

  // ------------------------------------------------------------- search

  /* Index terms a query term stands for: itself, and for the last (still being typed) word, every term it starts. */
  function expand(index, term, prefix) {
    if (!prefix) return index.invertedIndex[term] ? [term] : [];
    return index.tokenSet.intersect(lunr.TokenSet.fromString(term + "*")).toArray();
  }

  /* The BM25 weight lunr stored for an index term in one field of one procedure (boost included). */
  function weight(index, field, ref, termIndex) {
    var vector = index.fieldVectors[field + "/" + ref];
    if (!vector) return 0;
    var pos = vector.positionForIndex(termIndex);
    return vector.elements[pos] === termIndex ? vector.elements[pos + 1] : 0;
  }

  function indexes() { return detail ? [primary, detail.index] : [primary]; }

  /* For each query word: the index terms it stands for in each loaded index, and a mark per row holding
   * any of them. Only the names-and-keywords index expands the last word as a prefix: expanding a
   * two-letter start over every step of every procedure costs more than it finds. */
  function lookUp(terms) {
    var n = data.docs.length, last = terms.length - 1;
    return terms.map(function (term, i) {
      var mark = new Uint8Array(n), count = 0;
      var parts = indexes().map(function (index) {
        var expanded = expand(index, term, i === last && index === primary);
        expanded.forEach(function (t) {
          var posting = index.invertedIndex[t];
          index.fields.forEach(function (f) {
            var refs = posting[f];
            for (var k = 0; k < refs.length; k++) if (!mark[refs[k]]) { mark[refs[k]] = 1; count++; }
          });
        });
        return { index: index, terms: expanded };
      });
      return { term: term, mark: mark, count: count, common: !!(detail && detail.common[term]), parts: parts };
    });
  }

  /* Rows holding every word; a word in detail.common (found in most procedures' steps) counts as held. */
  function matchingRows(looked) {
    var narrowing = looked.filter(function (l) { return !l.common; })
      .sort(function (a, b) { return a.count - b.count; });
    var rows = [];
    for (var r = 0; r < data.docs.length; r++) {
      if (narrowing.every(function (l) { return l.mark[r]; })) rows.push(r);
    }
    return rows;
  }

  /* Rows matching every word, best first. lunr.js's own query() allocates per posting and scores every
   * procedure matching any word (100–300 ms for "đăng ký" at 10,000); here the AND is taken first on the
   * same index and only the survivors are scored, with the BM25 weights lunr stored (field boosts in). */
  function searchRows(q) {
    var terms = viFold.fold(q);
    // A one-letter word still being typed at the end would match nothing exactly: wait for it.
    if (terms.length > 1 && terms[terms.length - 1].length < MIN_CHARS) terms.pop();
    var looked = lookUp(terms);
    var rows = matchingRows(looked);
    var keep = new Uint8Array(data.docs.length), scores = new Float64Array(data.docs.length);
    rows.forEach(function (r) { keep[r] = 1; });
    looked.forEach(function (l) {
      l.parts.forEach(function (part) {
        var index = part.index;
        part.terms.forEach(function (t) {
          var posting = index.invertedIndex[t], factor = t === l.term ? 1 : PREFIX_WEIGHT;
          index.fields.forEach(function (f) {
            var refs = posting[f];
            for (var k = 0; k < refs.length; k++) {
              if (keep[refs[k]]) scores[refs[k]] += factor * weight(index, f, refs[k], posting._index);
            }
          });
        });
      });
    });
    var docs = data.docs;
    return rows.sort(function (a, b) {
      return scores[b] - scores[a] || docs[a][1].length - docs[b][1].length || a - b;
    });
  }

  /* Procedures whose code is, or starts with, what was typed; dots optional ("1001193", "1.0011"). */
  function codeRows(q) {
    var typed = q.replace(/\s+/g, "");
    if (!/^\d[\d.]*$/.test(typed)) return [];
    if (byCode[typed] != null) return [byCode[typed]];
    var digits = typed.replace(/\./g, ""), rows = [];
    data.docs.forEach(function (doc, i) { if (doc[0].replace(".", "").lastIndexOf(digits, 0) === 0) rows.push(i); });
    return rows;
  }

  function passes(doc, state) {
    if (state.agency && (doc[2] == null || data.agencies[doc[2]][0] !== state.agency)) return false;
    if (state.field && data.fields[doc[3]][0] !== state.field) return false;
    if (state.level && String(doc[4]) !== state.level) return false;
    if (state.channel && !(doc[5] & channelBit(state.channel))) return false;
    if (state.subject && !(doc[6] & subjectBit(state.subject))) return false;
    if (state.free && doc[7] !== 1) return false;
    if (doc[RETIRED] === 1 && !state.retired) return false;  // left out unless asked for
    return true;
  }

  function channelBit(id) {
    var found = data.channels.filter(function (c) { return c[0] === id; })[0];
    return found ? found[2] : 0;
  }

  function subjectBit(id) {
    for (var i = 0; i < data.subjects.length; i++) if (data.subjects[i][0] === id) return 1 << i;
    return 0;
  }

  function nameOrder() {
    if (!byName) {
      var keys = data.docs.map(function (doc) { return viFold.foldText(doc[1]); });
      byName = data.docs.map(function (_, i) { return i; })
        .sort(function (a, b) { return keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b; });
    }
    return byName;
  }

  function search() {
    var state = readForm();
    saveUrl(state);
    showFilters(state, false);
    if (!data) return;
    var folded = viFold.fold(state.q).join(" ");
    // Descriptions and steps are only fetched for someone who searches by words.
    if (folded.length >= MIN_CHARS && !detailAsked) {
      detailAsked = true;
      setTimeout(loadDetail, 0);
    }
    if (folded.length < MIN_CHARS && !CODE.test(state.q)) {
      if (!hasFilter(state)) return show([], state, "hint");
      return show(nameOrder().filter(function (i) { return passes(data.docs[i], state); }), state, "filter");
    }
    var rows = codeRows(state.q);
    var pinned = Object.create(null);
    rows.forEach(function (i) { pinned[i] = true; });
    searchRows(state.q).forEach(function (i) { if (!pinned[i]) rows.push(i); });
    show(rows.filter(function (i) { return passes(data.docs[i], state); }), state, "query");
  }

  // ------------------------------------------------------------- drawing

  function url(doc) { return base + data.url.replace("{code}", doc[0]); }

  function fact(dl, term, value) {
    dl.appendChild(el("dt", null, term));
    dl.appendChild(el("dd", null, value));
  }

  function item(i) {
    var doc = data.docs[i];
    var li = el("li", "dm-result");
    var link = el("a", "dm-result__name", doc[1]);
    link.href = url(doc);
    li.appendChild(link);
    var meta = el("p", "dm-result__meta");
    meta.appendChild(el("span", "dm-code", doc[0]));
    meta.appendChild(document.createTextNode(" "));
    var badge = el("span", "dm-level dm-level--" + doc[4], "Mức độ " + doc[4]);
    badge.title = data.levels[String(doc[4])];
    meta.appendChild(badge);
    meta.appendChild(document.createTextNode(" " + (doc[2] == null ? data.no_agency : data.agencies[doc[2]][1])));
    if (doc[RETIRED] === 1) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("strong", "dm-result__retired", "Đã bãi bỏ, thay thế"));
    }
    li.appendChild(meta);
    var dl = el("dl", "dm-result__facts");
    fact(dl, "Thời hạn giải quyết", doc[8] || "Chưa có thông tin");
    fact(dl, "Phí, lệ phí", doc[9] || "Chưa có thông tin");
    li.appendChild(dl);
    return li;
  }

  function drawMore(focus) {
    var start = shown, end = Math.min(current.length, shown + PAGE);
    var frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) frag.appendChild(item(current[k]));
    list.appendChild(frag);
    shown = end;
    more.hidden = shown >= current.length;
    if (focus && list.children[start]) list.children[start].querySelector("a").focus();
  }

  function say(message) { status.textContent = message; }

  function show(rows, state, mode) {
    current = rows;
    shown = 0;
    list.textContent = "";
    drawMore(false);
    var quoted = "“" + state.q + "”";
    if (mode === "hint") say("Nhập từ khóa (ít nhất " + MIN_CHARS + " ký tự) hoặc mã thủ tục, hoặc chọn một bộ lọc.");
    else if (!rows.length && mode === "filter") say("Không có thủ tục nào khớp với bộ lọc đã chọn. Hãy bỏ bớt bộ lọc.");
    else if (!rows.length) say("Không tìm thấy thủ tục nào cho " + quoted + (hasFilter(state) ? " với bộ lọc đã chọn" : "") +
      ". Hãy thử từ khóa khác, bớt từ, kiểm tra mã thủ tục" + (hasFilter(state) ? " hoặc bỏ bớt bộ lọc" : "") + ".");
    else say("Tìm thấy " + rows.length.toLocaleString("vi-VN") + " thủ tục" + (mode === "query" ? " cho " + quoted : "") +
      (hasFilter(state) ? " (đã lọc)" : "") + (rows.length > shown ? "; đang hiện " + shown + " đầu tiên" : "") + ".");
    root.setAttribute("data-searched", state.q);
    root.setAttribute("data-searches", String(++searches));
    if (rows.length && !firstDrawn) {
      firstDrawn = true;
      if (window.performance && performance.mark) performance.mark("finder-first-result");
    }
  }

  // ------------------------------------------------------------- loading

  function fetchJson(path) {
    return fetch(path).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.json();
    });
  }

  function loadDetail() {
    fetchJson(root.getAttribute("data-detail")).then(function (json) {
      var common = Object.create(null);
      json.common.forEach(function (term) { common[term] = true; });
      detail = { index: lunr.Index.load(json.index), common: common };
      if (readForm().q) search();
      root.setAttribute("data-detail-ready", "");
    }).catch(function () { /* names and keywords still answer */ });
  }

  function start(json) {
    if (window.performance && performance.mark) performance.mark("finder-parsed");
    data = json.store;
    primary = lunr.Index.load(json.index);
    byCode = Object.create(null);
    data.docs.forEach(function (doc, i) { byCode[doc[0]] = i; });
    if (window.performance && performance.mark) performance.mark("finder-ready");
    var q = readForm().q;
    // Arriving with an exact code (from the header or the home page) goes straight to it.
    if (CODE.test(q) && byCode[q] != null && !hasFilter(readForm())) {
      redirected = true;
      location.replace(url(data.docs[byCode[q]]));
      return;
    }
    search();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var q = readForm().q;
    if (data && CODE.test(q) && byCode[q] != null) {
      location.assign(url(data.docs[byCode[q]]));
      return;
    }
    search();
  });
  form.addEventListener("reset", function () { setTimeout(search, 0); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE);
  });
  form.addEventListener("change", function (event) {
    if (event.target !== input) search();
  });
  more.addEventListener("click", function () { drawMore(true); });

  writeForm(new URLSearchParams(location.search));
  showFilters(readForm(), true);
  form.hidden = false;
  say("Đang tải dữ liệu tra cứu…");
  // Opened from a file share (file://) or offline, the index cannot be fetched: say so and offer the browse pages.
  fetchJson(root.getAttribute("data-index")).then(start).catch(function () {
    if (redirected) return;
    form.hidden = true;
    root.querySelector("[data-finder-fallback]").hidden = false;
    say("Không tải được dữ liệu tra cứu. Hãy tải lại trang, hoặc xem thủ tục theo danh sách dưới đây.");
  });
})();
