// Small behaviours without inline script (the Content-Security-Policy allows none).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-tj-toggle]");
    if (toggle) {
      var target = document.getElementById(toggle.getAttribute("data-tj-toggle"));
      if (target) { target.classList.toggle("tj-open"); }
    }
    var confirmer = event.target.closest("[data-tj-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-tj-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var auto = event.target.closest("[data-tj-autosubmit]");
    if (auto && auto.form) { auto.form.requestSubmit ? auto.form.requestSubmit() : auto.form.submit(); }
  });
})();
