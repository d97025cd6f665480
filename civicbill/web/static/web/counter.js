// Counter: live total and change while the cashier types (the service confirms them when posting),
// and a second click on the post button does nothing (the idempotency key guards the server too).
(function () {
  function cents(text) {
    var cleaned = String(text || "").replace(/[$,\s]/g, "");
    if (!/^\d*(\.\d{0,2})?$/.test(cleaned) || cleaned === "" || cleaned === ".") { return 0; }
    var parts = cleaned.split(".");
    return parseInt(parts[0] || "0", 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function dollars(value) {
    var sign = value < 0 ? "-" : "";
    value = Math.abs(value);
    var whole = String(Math.floor(value / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + "$" + whole + "." + String(value % 100).padStart(2, "0");
  }
  function field(form, name) { var el = form.querySelector("[name='" + name + "']"); return el ? cents(el.value) : 0; }
  function update(form) {
    var total = 0;
    form.querySelectorAll(".pay-amount").forEach(function (el) { total += cents(el.value); });
    var nonCash = field(form, "check_amount") + field(form, "money_order") + field(form, "card_amount");
    var cash = field(form, "cash");
    var rest = total - nonCash;
    var label = document.getElementById("change-label");
    var out = document.getElementById("change-due");
    document.getElementById("pay-total").textContent = dollars(total);
    if (cash + nonCash >= total) {
      label.textContent = label.dataset.change;
      out.textContent = dollars(cash > 0 ? cash - Math.max(rest, 0) : 0);
    } else {
      label.textContent = label.dataset.short;
      out.textContent = dollars(total - cash - nonCash);
    }
  }
  document.querySelectorAll("form[data-counter-form]").forEach(function (form) {
    form.addEventListener("input", function () { update(form); });
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
    update(form);
  });
})();
