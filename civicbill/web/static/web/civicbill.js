// Keyboard shortcuts: "/" focuses the global search box; Esc closes an open in-place form.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
  if (event.key === "/" && !typing) {
    var box = document.getElementById("global-search");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  }
  if (event.key === "Escape") {
    var open = document.querySelector("[data-closable]:not([hidden])");
    if (open) { open.innerHTML = ""; }
  }
});
// Route entry: after a read is checked, move to the next meter's box.
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("route-read")) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-route-read]"));
  var index = boxes.indexOf(form.querySelector("input[data-route-read]"));
  if (index >= 0 && index + 1 < boxes.length) { boxes[index + 1].focus(); }
});
