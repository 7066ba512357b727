// Moves focus to the error summary when a form comes back with problems (as govuk-frontend does),
// so keyboard and screen-reader users hear what to fix first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});
