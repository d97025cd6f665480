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
