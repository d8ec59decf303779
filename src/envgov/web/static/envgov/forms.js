// Behaviour that was written inline in the templates (onsubmit, onchange) lives here, so the
// Content-Security-Policy can forbid inline script: `data-confirm` asks before a form is sent,
// `data-autosubmit` sends a select's form when it changes (the language switch).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); event.stopImmediatePropagation(); }
}, true);
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
});
// One submission per click: after a POST form is sent, its buttons are disabled until the next page
// (imports and recomputations take seconds; a second click would only queue the same work again).
function envgovBusy(buttons, busy) {
  buttons.forEach(function (b) {
    b.disabled = busy;
    if (busy) b.setAttribute("aria-busy", "true"); else b.removeAttribute("aria-busy");
  });
}
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form || (form.method || "").toLowerCase() !== "post" || event.defaultPrevented) return;
  var buttons = form.querySelectorAll("button, input[type=submit]");
  // Disabled a tick later, so the clicked button's own name/value still travels with the form.
  setTimeout(function () { envgovBusy(buttons, true); }, 0);
  // A response that does not leave the page (a file download) must not leave the form dead.
  setTimeout(function () { envgovBusy(buttons, false); }, 15000);
});
// Back button: a page restored from the browser's cache gets its buttons back.
window.addEventListener("pageshow", function (event) {
  if (event.persisted) envgovBusy(document.querySelectorAll("button[aria-busy], input[aria-busy]"), false);
});
// "Select all" boxes of list forms (批量采纳): a checkbox with id check-all toggles its form's boxes.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box || box.id !== "check-all" || !box.form) return;
  box.form.querySelectorAll("input[type=checkbox][name]").forEach(function (b) { b.checked = box.checked; });
});

// the header's grouped menus: one open at a time, closed by a click elsewhere or Escape
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.navgroup[open]").forEach(function (d) {
    if (!d.contains(event.target)) d.removeAttribute("open");
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.navgroup[open]").forEach(function (d) { d.removeAttribute("open"); });
});
