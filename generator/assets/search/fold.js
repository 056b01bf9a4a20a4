/* Vietnamese folding for search: the twin of generator/search_index.py fold().
 *
 * lowercase → NFD → drop nonspacing marks → đ→d → terms (runs of a-z0-9, or
 * dotted digit groups such as "1.001193") → the i/y variant: a term of two or
 * more letters ending in "y" right after a consonant ends in "i" ("ky"→"ki"),
 * and "qui" is "quy"; "y" after a vowel ("quy", "thuy", "ngay") is kept.
 * The index's terms were folded by the Python twin at build time; the finder
 * folds the query with this one. Any change here must be made in Python too:
 * one shared table of cases (tests/fixtures/search_cases.json) checks both.
 */
(function (root) {
  "use strict";
  var NAME = "vi-fold";
  var TERM = /[0-9]+(?:\.[0-9]+)+|[a-z0-9]+/g;
  var CONSONANT_Y = /([bcdfghjklmnpqrstvwxz])y$/;
  var MARKS = /\p{Mn}/gu;

  function foldText(text) {
    return String(text).toLowerCase().normalize("NFD").replace(MARKS, "").replace(/đ/g, "d");
  }

  function foldTerm(term) {
    if (term === "qui") return "quy";
    return term.length >= 2 ? term.replace(CONSONANT_Y, "$1i") : term;
  }

  function fold(text) {
    return (foldText(text).match(TERM) || []).map(foldTerm);
  }

  var api = { NAME: NAME, fold: fold, foldText: foldText, foldTerm: foldTerm };
  root.viFold = api;
  if (typeof module === "object" && module.exports) module.exports = api;
})(typeof self !== "undefined" ? self : this);
