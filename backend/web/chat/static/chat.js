// Optional help for the forms (the page works without it): a second tap on the same page is
// ignored, and a photo over the limit is refused before it is sent.
(function () {
  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (event) {
      var form = event.currentTarget;
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      var max = form.getAttribute("data-max");
      var file = form.querySelector("input[type=file]");
      if (max && file && file.files && file.files[0] && file.files[0].size > max * 1048576) {
        event.preventDefault();
        alert(file.getAttribute("data-too-big") || "");
        return;
      }
      form.setAttribute("data-sent", "1");
    });
  }
})();
