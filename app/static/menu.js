// The menu button of narrow screens: shows and hides the site menu. Without scripts the menu
// simply stays open, so every link is always reachable.
(function () {
  "use strict";
  function start() {
    var button = document.querySelector(".menu-button");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) { return; }
    document.documentElement.classList.add("has-menu-button");
    button.hidden = false;
    button.addEventListener("click", function () {
      var isOpen = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", isOpen ? "false" : "true");
      menu.classList.toggle("is-open", !isOpen);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("is-open")) {
        button.setAttribute("aria-expanded", "false");
        menu.classList.remove("is-open");
        button.focus();
      }
    });
    // A dropdown (details) closes when focus or a click goes elsewhere.
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.dropdown[open], details.switcher[open]").forEach(function (open) {
        if (!open.contains(event.target)) { open.removeAttribute("open"); }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
