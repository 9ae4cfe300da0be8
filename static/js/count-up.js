// Counts a freshly credited balance up from its previous value, so the new points are seen.
(function () {
  "use strict";
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("[data-count-up-from]").forEach(function (element) {
    var target = parseInt(element.textContent, 10);
    var start = parseInt(element.getAttribute("data-count-up-from"), 10);
    if (reduceMotion || isNaN(target) || isNaN(start) || start >= target) {
      return;
    }
    var duration = 900;
    var began = null;
    function step(now) {
      if (began === null) {
        began = now;
      }
      var progress = Math.min((now - began) / duration, 1);
      element.textContent = String(Math.round(start + (target - start) * progress));
      if (progress < 1) {
        window.requestAnimationFrame(step);
      }
    }
    element.textContent = String(start);
    window.requestAnimationFrame(step);
  });
})();
