// Moves focus to the error summary when a form comes back with problems (as govuk-frontend does),
// so keyboard and screen-reader users hear what to fix first. A form with data-busy says so in
// its live region while it is sent (an upload can take a while), and cannot be sent twice.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var status = form.querySelector("[data-busy-status]");
      if (status) { status.textContent = form.getAttribute("data-busy"); }
      form.setAttribute("aria-busy", "true");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
});
