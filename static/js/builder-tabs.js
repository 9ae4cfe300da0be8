/* Language tabs for questions, answers and outcomes added on the campaign builder.
 *
 * modeltranslation gives every translated text language tabs when the page loads, and its
 * own "add another" handler does the same for new rows of one level. In nested rows (answers
 * inside a question) that handler tabs the row before the new one and leaves the new one with
 * a lifeless copy of the template's tabs. So this script takes over for added rows: it drops
 * any copied tabs and builds the row's own, in the same markup (jQuery UI tabs). */
(function ($) {
  "use strict";
  var FIELD = /\bmt-field-(\S+)-([a-z]{2}(?:_[a-z]+)?)\b/;

  function untab($form) {
    $form.find(".ui-tabs").each(function () {
      var $tabs = $(this);
      $tabs.children(".ui-tabs-panel").children().insertBefore($tabs);
      $tabs.remove();
    });
  }

  function tab($form) {
    var groups = {};
    var order = [];
    $form.find(".mt").filter("input, textarea, select").each(function () {
      // Only this row's own texts: nested rows and templates get theirs when added.
      if ($(this).closest(".djn-inline-form")[0] !== $form[0]) return;
      var match = FIELD.exec(this.className);
      if (!match) return;
      if (!groups[match[1]]) {
        groups[match[1]] = [];
        order.push(match[1]);
      }
      groups[match[1]].push({ lang: match[2], input: this, row: $(this).closest(".form-row") });
    });
    $.each(order, function (_i, name) {
      var items = groups[name];
      var $tabs = $('<div class="builder-tabs"><ul></ul></div>').insertBefore(items[0].row);
      $.each(items, function (_j, item) {
        var panel = "tab_" + item.input.id;
        $("<li>").append($("<a>").attr("href", "#" + panel).text(item.lang)).appendTo($tabs.children("ul"));
        $("<div>").attr("id", panel).append(item.row).appendTo($tabs);
      });
      $tabs.tabs();
    });
  }

  function dropTabbingOnAdd() {
    // modeltranslation binds plain "click" handlers to the add links; nested-admin's own are
    // named "click.djnesting" and stay.
    $(".djn-group .djn-add-handler").each(function () {
      var link = this;
      var events = $._data(link, "events");
      var plain = ((events && events.click) || []).filter(function (handler) {
        return !handler.namespace;
      });
      $.each(plain, function (_i, handler) {
        $(link).off("click", handler.handler);
      });
    });
  }

  // After every ready handler, modeltranslation's included.
  $(window).on("load", dropTabbingOnAdd);
  $(document).on("djnesting:added", function (_event, _inline, $form) {
    untab($form);
    tab($form);
  });
})(django.jQuery);
