// Small progressive enhancement: the print button exists only where
// scripts run (it is `hidden` in the HTML), and prints the checklist.
(function () {
  "use strict";
  function ready() {
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
