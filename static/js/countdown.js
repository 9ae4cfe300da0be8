// Counts down the seconds left for a question; when time is up, the form is sent as it is, and
// the server, which keeps its own clock, decides what the answer still counts for.
(function () {
  "use strict";
  function start(timer) {
    if (timer.hasAttribute("data-running")) {
      return;
    }
    timer.setAttribute("data-running", "");
    var left = parseInt(timer.getAttribute("data-countdown"), 10);
    var shown = timer.querySelector(".countdown__seconds");
    var form = timer.closest("form");
    var tick = window.setInterval(function () {
      if (!document.body.contains(timer)) {
        window.clearInterval(tick);
        return;
      }
      left = Math.max(0, left - 1);
      shown.textContent = String(left);
      if (left === 0) {
        window.clearInterval(tick);
        form.querySelector("input[name=timed_out]").value = "1";
        form.requestSubmit();
      }
    }, 1000);
  }
  function scan(root) {
    root.querySelectorAll("[data-countdown]").forEach(start);
  }
  document.addEventListener("DOMContentLoaded", function () {
    scan(document);
  });
  document.addEventListener("htmx:load", function (event) {
    scan(event.target);
  });
})();
