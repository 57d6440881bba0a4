// Small helpers for the console; the pages work without them.
(function () {
  "use strict";
  // A move that needs a reason: make the note field required before the form is sent.
  var select = document.getElementById("move-to");
  if (select) {
    var note = select.form.querySelector("textarea[name=note]");
    var sync = function () {
      var option = select.options[select.selectedIndex];
      note.required = option && option.getAttribute("data-note") === "1";
    };
    select.addEventListener("change", sync);
    sync();
  }
  // Stop a double click from sending a form twice.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
})();
