// The demo shop's log: every event the embedded campaigns fire on this page, newest first.
(function () {
  "use strict";
  var TYPES = ["ready", "height", "started", "question", "completed", "consent"];
  document.addEventListener("DOMContentLoaded", function () {
    var log = document.querySelector("[data-shop-log]");
    var empty = document.createElement("li");
    empty.textContent = log.getAttribute("data-empty");
    log.appendChild(empty);
    TYPES.forEach(function (type) {
      document.addEventListener("resonanz:" + type, function (event) {
        var detail = Object.assign({}, event.detail);
        delete detail.resonanz;
        delete detail.type;
        var entry = document.createElement("li");
        var name = document.createElement("code");
        name.textContent = "resonanz:" + type;
        var time = new Date().toLocaleTimeString(document.documentElement.lang);
        entry.append(time, " ", name, " ", JSON.stringify(detail));
        empty.remove();
        log.prepend(entry);
        while (log.children.length > 30) log.lastElementChild.remove();
      });
    });
  });
})();
