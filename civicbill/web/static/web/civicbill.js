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
// No inline scripts (the Content-Security-Policy forbids them): pages mark elements with data-*.
// data-autosubmit: a select that submits its form when changed (the language switch).
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-print-frame], [data-focus], [data-fill]") : null;
  if (!el) { return; }
  if (el.dataset.printFrame) {  // print the receipt shown in that frame
    var frame = document.getElementById(el.dataset.printFrame);
    if (frame) { event.preventDefault(); frame.contentWindow.print(); }
  } else if (el.dataset.fill) {  // put a value in a field (suspense: "use this account")
    var box = document.getElementById(el.dataset.fill);
    if (box) { event.preventDefault(); box.value = el.dataset.value; box.focus(); }
  } else if (el.dataset.focus) {  // jump to a form's first field
    var field = document.getElementById(el.dataset.focus);
    if (field) { event.preventDefault(); field.focus(); }
  }
});
// Closing a drawer: the cash counted so far, from the number of each note and coin.
(function () {
  var out = document.getElementById("cash-counted");
  if (!out) { return; }
  function update() {
    var total = 0;
    document.querySelectorAll("input[data-denomination]").forEach(function (el) {
      var n = parseInt(el.value || "0", 10); if (n > 0) { total += n * parseInt(el.dataset.denomination, 10); }
    });
    out.textContent = "$" + String(Math.floor(total / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + String(total % 100).padStart(2, "0");
  }
  document.addEventListener("input", update); update();
})();
