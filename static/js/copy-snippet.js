// Copies a snippet to the clipboard with one button; without the clipboard (or JavaScript)
// the text stays selectable in its box.
(function () {
  "use strict";
  function setUp(box) {
    var source = box.querySelector("[data-copy-source]");
    var button = box.querySelector("[data-copy]");
    var status = box.querySelector("[data-copy-status]");
    if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(
        function () {
          status.textContent = status.getAttribute("data-copied");
        },
        function () {
          source.select();
          status.textContent = status.getAttribute("data-failed");
        }
      );
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy-box]").forEach(setUp);
  });
})();
