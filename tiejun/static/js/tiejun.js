// Small behaviours without inline script (the Content-Security-Policy allows none).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-tj-toggle]");
    if (toggle) {
      var target = document.getElementById(toggle.getAttribute("data-tj-toggle"));
      if (target) { target.classList.toggle("tj-open"); }
    }
    var treeLink = event.target.closest(".tj-tree-link");
    if (treeLink) {
      var links = document.querySelectorAll(".tj-tree-link.active");
      for (var i = 0; i < links.length; i++) { links[i].classList.remove("active"); }
      treeLink.classList.add("active");
    }
    var confirmer = event.target.closest("[data-tj-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-tj-confirm"))) {
      event.preventDefault();
    }
  });
  // A tree node's toggle loads its children once; clicked again it folds them away.
  document.addEventListener("htmx:confirm", function (event) {
    var toggle = event.target.closest ? event.target.closest(".tj-tree-toggle") : null;
    if (!toggle) { return; }
    var sub = toggle.parentNode.parentNode.querySelector(".tj-tree-sub");
    if (toggle.getAttribute("aria-expanded") === "true") {
      event.preventDefault();
      if (sub) { sub.innerHTML = ""; }
      toggle.setAttribute("aria-expanded", "false");
      toggle.textContent = "▸";
    } else {
      toggle.setAttribute("aria-expanded", "true");
      toggle.textContent = "▾";
    }
  });
  document.addEventListener("change", function (event) {
    var auto = event.target.closest("[data-tj-autosubmit]");
    if (auto && auto.form) { auto.form.requestSubmit ? auto.form.requestSubmit() : auto.form.submit(); }
  });
})();
