// Order entry (ORD-2): add and remove line rows, and preview line amounts
// and the order total from the list prices on the product options.
// Display only: the server prices the order.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) { return; }
  var body = form.querySelector("#order-lines tbody");
  var totalCell = document.getElementById("order-total");

  // Decimal text to fen (integer), or null.
  function fen(text) {
    var t = String(text || "").replace(/[¥,\s]/g, "");
    if (!/^\d+(\.\d{0,4})?$/.test(t)) { return null; }
    var parts = t.split(".");
    var frac = (parts[1] || "").padEnd(4, "0");
    // 1/10000 yuan, rounded half away from zero to fen.
    var units = parseInt(parts[0], 10) * 10000 + parseInt(frac, 10);
    return Math.round(units / 100);
  }
  function show(f) {
    var neg = f < 0; f = Math.abs(f);
    var s = Math.floor(f / 100) + "." + String(f % 100).padStart(2, "0");
    return neg ? "-" + s : s;
  }
  function recompute() {
    var total = 0;
    body.querySelectorAll("tr.line").forEach(function (row) {
      var sel = row.querySelector("select.product");
      var qtyText = row.querySelector("input.qty").value.trim();
      var priceText = row.querySelector("input.price").value.trim();
      var cell = row.querySelector(".amount");
      var opt = sel && sel.selectedOptions[0];
      var price = priceText !== "" ? fen(priceText) : (opt && opt.value ? fen(opt.getAttribute("data-price")) : null);
      var qty = /^\d+$/.test(qtyText) ? parseInt(qtyText, 10) : null;
      if (price === null || qty === null) { cell.textContent = ""; return; }
      var amount = price * qty;
      total += amount;
      cell.textContent = show(amount);
    });
    totalCell.textContent = show(total);
  }
  function nextIndex() {
    var max = -1;
    body.querySelectorAll("tr.line").forEach(function (row) {
      max = Math.max(max, parseInt(row.getAttribute("data-idx"), 10));
    });
    return max + 1;
  }
  function addRow() {
    var rows = body.querySelectorAll("tr.line");
    var template = rows[rows.length - 1];
    var idx = nextIndex();
    var row = template.cloneNode(true);
    row.setAttribute("data-idx", String(idx));
    row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    row.querySelectorAll(".bad").forEach(function (e) { e.classList.remove("bad"); });
    row.querySelectorAll("input, select").forEach(function (el) {
      el.name = el.name.replace(/^lines\[\d+\]/, "lines[" + idx + "]");
      if (el.id) { el.id = el.id.replace(/^f-lines-\d+-/, "f-lines-" + idx + "-"); }
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
    });
    row.querySelector(".amount").textContent = "";
    body.appendChild(row);
    row.querySelector("select.product").focus();
  }
  document.getElementById("add-line").addEventListener("click", addRow);
  body.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".remove-line");
    if (!btn) { return; }
    var row = btn.closest("tr.line");
    if (body.querySelectorAll("tr.line").length > 1) {
      row.remove();
    } else {
      row.querySelectorAll("input, select").forEach(function (el) {
        if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
      });
    }
    recompute();
  });
  body.addEventListener("input", recompute);
  body.addEventListener("change", recompute);

  // Payment method and terms left empty take the customer's defaults on
  // the server.
  recompute();
})();
