// Inside a brand's frame: tells the framing page our height and what happens in the player
// (postMessage protocol, version 1). Messages go only to the origin the server checked and
// wrote into <body data-embed-host>; nothing is sent without it, or outside a frame. The
// events themselves are markers the server wrote ([data-resonanz-event]), each posted once.
(function () {
  "use strict";
  var body = document.body;
  var hostOrigin = body && body.getAttribute("data-embed-host");
  if (window.parent === window || !hostOrigin) {
    return;
  }
  var campaign = body.getAttribute("data-embed-campaign") || null;
  var SENT = "data-resonanz-sent";

  function post(type, fields) {
    var message = { resonanz: 1, type: type, campaign: campaign };
    Object.keys(fields || {}).forEach(function (key) {
      if (key !== "resonanz" && key !== "type" && key !== "campaign") {
        message[key] = fields[key];
      }
    });
    window.parent.postMessage(message, hostOrigin);
  }

  // The body's own height (framed, it has no minimum): the document's scroll height is never
  // less than the frame, so a frame sized by it could grow but never shrink.
  function contentHeight() {
    var style = window.getComputedStyle(body);
    var margins = parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    return Math.ceil(body.getBoundingClientRect().height + margins);
  }

  var lastHeight = -1;
  function sendHeight(always) {
    var height = contentHeight();
    if (always || height !== lastHeight) {
      lastHeight = height;
      post("height", { height: height });
    }
  }

  // At most one height per animation frame, however many resizes happen in it.
  var frameAsked = false;
  function heightSoon() {
    if (frameAsked) {
      return;
    }
    frameAsked = true;
    window.requestAnimationFrame(function () {
      frameAsked = false;
      sendHeight(false);
    });
  }

  function sendMarkers() {
    var markers = document.querySelectorAll("[data-resonanz-event]:not([" + SENT + "])");
    Array.prototype.forEach.call(markers, function (marker) {
      marker.setAttribute(SENT, "");
      var event;
      try {
        event = JSON.parse(marker.getAttribute("data-resonanz-event"));
      } catch (error) {
        return;
      }
      if (event && typeof event.type === "string") {
        post(event.type, event);
      }
    });
  }

  post("ready");
  sendHeight(true);
  sendMarkers();

  if (typeof ResizeObserver === "function") {
    new ResizeObserver(heightSoon).observe(body);
  } else {
    window.addEventListener("resize", heightSoon);
  }
  // Markers arrive with htmx swaps too (the next question, a consent row).
  new MutationObserver(function () {
    sendMarkers();
    heightSoon();
  }).observe(body, { childList: true, subtree: true });

  window.addEventListener("message", function (event) {
    if (event.origin !== hostOrigin || event.source !== window.parent) {
      return;
    }
    var data = event.data;
    if (data && data.resonanz === 1 && data.type === "hello") {
      post("ready");
      sendHeight(true);
    }
  });
})();
