// The public site: a gathering's start in the visitor's own time zone too (the page gives it in
// the gathering's), when the two differ, on the same 24-hour clock as the page. Without scripts the
// gathering's time is still there.
document.addEventListener("DOMContentLoaded", function () {
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("[data-local-time]").forEach(function (el) {
    if (!mine || el.getAttribute("data-zone") === mine) { return; }
    var when = new Date(el.getAttribute("data-local-time"));
    var shown = new Intl.DateTimeFormat(el.getAttribute("data-lang"), {
      weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      timeZoneName: "short"
    }).format(when);
    el.textContent = el.getAttribute("data-label") + " " + shown;
  });
});
