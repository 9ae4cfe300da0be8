// Shares a result through the phone's share sheet where there is one; elsewhere copies the
// link. Without JavaScript the plain link and the picture's download link stay.
(function () {
  "use strict";
  function setUp(box) {
    var url = box.getAttribute("data-share-url");
    var title = box.getAttribute("data-share-title");
    var link = box.querySelector("[data-share-link]");
    var status = box.querySelector("[data-share-status]");
    var native = box.querySelector("[data-share-native]");
    var copy = box.querySelector("[data-share-copy]");
    if (typeof navigator.share === "function") {
      native.hidden = false;
      link.hidden = true;
      native.addEventListener("click", function () {
        // Closing the share sheet rejects the promise: nothing to tell then.
        navigator.share({ url: url, title: title }).catch(function () {});
      });
      return;
    }
    if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") {
      return;
    }
    copy.hidden = false;
    link.hidden = true;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(url).then(
        function () {
          status.textContent = box.getAttribute("data-share-copied");
        },
        function () {
          link.hidden = false;
          status.textContent = box.getAttribute("data-share-failed");
        }
      );
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-share-url]").forEach(setUp);
  });
})();
