// Questions with one answer to choose move on by themselves: a short pause after the choice
// lets the player see it taken (and change their mind) before the form is sent as if "Next"
// had been pressed. Without JavaScript the player presses "Next" as always. Only a tap or a
// click moves on: arrow keys walk through the answers and must not send the first one passed.
(function () {
  "use strict";
  var PAUSE_MS = 600;
  var pending = null;
  var byKeyboard = false;

  document.addEventListener("keydown", function () {
    byKeyboard = true;
  }, true);
  document.addEventListener("pointerdown", function () {
    byKeyboard = false;
  }, true);

  function cancel() {
    if (pending !== null) {
      window.clearTimeout(pending);
      pending = null;
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "radio" || !input.checked) {
      return;
    }
    var form = input.closest("form[data-auto-advance]");
    if (form === null || byKeyboard) {
      return;
    }
    cancel();
    pending = window.setTimeout(function () {
      pending = null;
      // The card may have been replaced meanwhile (Next pressed, Back followed).
      if (document.body.contains(form) && !form.hasAttribute("data-sent")) {
        form.requestSubmit();
      }
    }, PAUSE_MS);
  });

  // A submit by hand within the pause sends the form once, not twice.
  document.addEventListener("submit", function (event) {
    if (event.target instanceof HTMLFormElement && event.target.hasAttribute("data-auto-advance")) {
      cancel();
      event.target.setAttribute("data-sent", "");
    }
  }, true);
})();
