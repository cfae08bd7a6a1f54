// Moves focus to a form's error summary so screen-reader and keyboard users hear it first.
// The page works without this script.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});
