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
  function ready() {
    focusableScrollers();
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
