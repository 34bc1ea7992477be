// Order entry at a clerk's speed (ORD-1..3, issue 21): the product field
// finds products on the server as she types (SKU, name, bar code, spec),
// ↑↓ choose, Enter or Tab take; Enter in quantity, price or note starts the
// next line; Ctrl+Delete removes a line; Ctrl+Enter submits. Rows pasted
// from a spreadsheet become lines, every bad row named. Once a customer is
// chosen, its terms, what it may still spend and its open orders show
// beside the form. Amounts are a preview: the server prices the order.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) { return; }
  var body = form.querySelector("#order-lines tbody");
  var totalCell = document.getElementById("order-total");
  var quantityCell = document.getElementById("order-quantity");
  var list = document.getElementById("product-suggest");
  var panel = document.getElementById("customer-panel");
  var csrf = form.getAttribute("data-csrf") || "";
  var labels = {};
  try { labels = JSON.parse(form.getAttribute("data-labels") || "{}"); } catch (e) { labels = {}; }
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  function t(z, e) { return zh ? z : e; }

  // Decimal text to fen (integer), or null.
  function fen(text) {
    var s = String(text || "").replace(/[¥,\s]/g, "");
    if (!/^\d+(\.\d{0,4})?$/.test(s)) { return null; }
    var parts = s.split(".");
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
  function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr.line")); }
  function field(row, cls) { return row.querySelector("." + cls); }
  function customerId() {
    var el = form.elements.customer_id;
    return el && el.value ? el.value : "";
  }

  function recompute() {
    var total = 0, pieces = 0;
    rows().forEach(function (row, i) {
      row.querySelector("td.no").textContent = String(i + 1);
      var qtyText = field(row, "qty").value.trim();
      var priceText = field(row, "price").value.trim();
      var cell = row.querySelector(".amount");
      var price = priceText !== "" ? fen(priceText) : fen(row.getAttribute("data-price"));
      var qty = /^\d+$/.test(qtyText) ? parseInt(qtyText, 10) : null;
      if (qty !== null) { pieces += qty; }
      if (price === null || qty === null) { cell.textContent = ""; return; }
      var amount = price * qty;
      total += amount;
      cell.textContent = show(amount);
    });
    totalCell.textContent = show(total);
    quantityCell.textContent = pieces ? String(pieces) : "";
  }

  function blank(row) {
    row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    row.querySelectorAll(".bad").forEach(function (e) { e.classList.remove("bad"); });
    row.querySelectorAll("input").forEach(function (el) { el.value = ""; });
    row.removeAttribute("data-price");
    row.removeAttribute("data-chosen");
    row.querySelector(".amount").textContent = "";
  }
  function isBlank(row) {
    return ["product", "product-id", "qty", "price", "note"].every(function (c) {
      return field(row, c).value.trim() === "";
    });
  }
  function addRow() {
    var all = rows();
    var idx = 1 + Math.max.apply(null, all.map(function (r) { return parseInt(r.getAttribute("data-idx"), 10); }));
    var row = all[all.length - 1].cloneNode(true);
    row.setAttribute("data-idx", String(idx));
    row.querySelectorAll("input").forEach(function (el) {
      el.name = el.name.replace(/^lines\[\d+\]/, "lines[" + idx + "]");
      if (el.id) { el.id = el.id.replace(/^f-lines-\d+-/, "f-lines-" + idx + "-"); }
    });
    blank(row);
    body.appendChild(row);
    recompute();
    return row;
  }
  function removeRow(row) {
    var all = rows();
    var at = all.indexOf(row);
    if (all.length > 1) { row.remove(); } else { blank(row); }
    recompute();
    var left = rows();
    field(left[Math.min(at, left.length - 1)], "product").focus();
  }
  function nextLine(row) {
    var next = row.nextElementSibling || addRow();
    field(next, "product").focus();
  }

  // The list of matches under the product field being typed in.
  var active = null, items = [], sel = -1, timer = null, seq = 0;
  function hide() {
    list.hidden = true;
    list.innerHTML = "";
    items = []; sel = -1;
    if (active) {
      active.setAttribute("aria-expanded", "false");
      active.removeAttribute("aria-activedescendant");
    }
  }
  function label(p) { return p.sku + " " + p.name + (p.spec ? " (" + p.spec + ")" : ""); }
  function highlight() {
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.classList.toggle("selected", i === sel);
      li.setAttribute("aria-selected", i === sel ? "true" : "false");
    });
    if (active && sel >= 0) { active.setAttribute("aria-activedescendant", "suggest-" + sel); }
  }
  function render() {
    list.innerHTML = "";
    items.forEach(function (p, i) {
      var li = document.createElement("li");
      li.id = "suggest-" + i;
      li.setAttribute("role", "option");
      var code = document.createElement("b");
      code.textContent = p.sku;
      var name = document.createElement("span");
      name.textContent = " " + p.name + (p.spec ? " · " + p.spec : "") + (p.barcode ? " · " + p.barcode : "");
      var price = document.createElement("span");
      price.className = "price";
      price.textContent = (p.price ? money(p.price) : "") + " / " + p.unit;
      li.appendChild(code); li.appendChild(name); li.appendChild(price);
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    if (!items.length || !active) { hide(); return; }
    var r = active.getBoundingClientRect();
    list.style.left = (r.left + window.scrollX) + "px";
    list.style.top = (r.bottom + window.scrollY) + "px";
    list.style.minWidth = r.width + "px";
    list.hidden = false;
    active.setAttribute("aria-expanded", "true");
    highlight();
  }
  function search(input) {
    var q = input.value.trim();
    if (!q) { hide(); return; }
    var mine = ++seq;
    var url = "/api/v1/products/search?limit=10&q=" + encodeURIComponent(q);
    if (customerId()) { url += "&customer_id=" + encodeURIComponent(customerId()); }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) {
        if (mine !== seq || active !== input || document.activeElement !== input) { return; }
        items = found; sel = found.length ? 0 : -1;
        render();
      })
      .catch(hide);
  }
  function take(row, p) {
    var input = field(row, "product");
    input.value = label(p);
    field(row, "product-id").value = String(p.product_id);
    row.setAttribute("data-price", p.price || "");
    row.setAttribute("data-chosen", input.value);
    var cell = input.closest("td");
    cell.classList.remove("bad");
    cell.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
  }
  function choose(i) {
    if (!active || !items[i]) { return; }
    take(active.closest("tr.line"), items[i]);
    hide();
    recompute();
  }

  body.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el.classList.contains("product")) {
      var row = el.closest("tr.line");
      if (el.value !== row.getAttribute("data-chosen")) {
        // Typed over a chosen product: it is no longer chosen.
        field(row, "product-id").value = "";
        row.removeAttribute("data-price");
      }
      active = el;
      clearTimeout(timer);
      timer = setTimeout(function () { search(el); }, 120);
    }
    recompute();
  });
  body.addEventListener("focusout", function (ev) {
    if (ev.target === active) { setTimeout(function () { if (document.activeElement !== active) { hide(); } }, 0); }
  });
  body.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".remove-line");
    if (btn) { removeRow(btn.closest("tr.line")); }
  });
  form.querySelector("#add-line").addEventListener("click", function () { field(addRow(), "product").focus(); });

  form.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    var row = el.closest ? el.closest("tr.line") : null;
    if (!row) {
      // Enter in a header field goes to the next field, never submits.
      if (ev.key === "Enter" && el.tagName === "INPUT") {
        ev.preventDefault();
        var f = Array.prototype.filter.call(form.elements, function (x) {
          return x.type !== "hidden" && !x.disabled && x.offsetParent !== null;
        });
        var n = f[f.indexOf(el) + 1];
        if (n) { n.focus(); }
      }
      return;
    }
    if (ev.key === "Delete" && ev.ctrlKey) { ev.preventDefault(); removeRow(row); return; }
    if (el.classList.contains("product")) {
      if (!list.hidden && items.length) {
        if (ev.key === "ArrowDown") { ev.preventDefault(); sel = (sel + 1) % items.length; highlight(); return; }
        if (ev.key === "ArrowUp") { ev.preventDefault(); sel = (sel + items.length - 1) % items.length; highlight(); return; }
        if (ev.key === "Escape") { ev.preventDefault(); hide(); return; }
        if (ev.key === "Enter" || (ev.key === "Tab" && !ev.shiftKey)) {
          choose(sel < 0 ? 0 : sel);
          if (ev.key === "Enter") { ev.preventDefault(); field(row, "qty").focus(); }
          return;
        }
      }
      if (ev.key === "Enter") { ev.preventDefault(); field(row, "qty").focus(); }
      return;
    }
    if (ev.key === "Enter" && (el.classList.contains("qty") || el.classList.contains("price") || el.classList.contains("note"))) {
      ev.preventDefault();
      nextLine(row);
    }
  });

  // Pasted rows: straight into a product field, or through the paste box.
  var problemsList = document.getElementById("paste-problems");
  var pasteText = document.getElementById("paste-text");
  var codeWords = labels.codes || {};
  function say(problems) {
    problemsList.innerHTML = "";
    // The rows that did not become lines show where the clerk looks.
    if (problems.length) { document.getElementById("paste-box").open = true; }
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var where = p.row ? t("第 " + p.row + " 行", "Row " + p.row) : t("粘贴内容", "The paste");
      var what = codeWords[p.code] || p.code;
      var cell = (labels.fields || {})[p.field] || p.field;
      li.textContent = where + " · " + cell + ":" + what + "(" + p.message + ")";
      problemsList.appendChild(li);
    });
  }
  // The API takes at most 10,000 characters a call: a longer paste goes in
  // parts, each saying which row it starts at.
  function parts(text) {
    var out = [], cur = [], len = 0, start = 1;
    text.split(/\r?\n/).forEach(function (line, i) {
      if (cur.length && len + line.length + 1 > 9000) {
        out.push({ text: cur.join("\n"), first_row: start });
        cur = []; len = 0; start = i + 1;
      }
      cur.push(line); len += line.length + 1;
    });
    if (cur.length) { out.push({ text: cur.join("\n"), first_row: start }); }
    return out;
  }
  function send(part) {
    var payload = { text: part.text, first_row: part.first_row };
    if (customerId()) { payload.customer_id = parseInt(customerId(), 10); }
    return fetch("/api/v1/orders/paste-lines", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (b) {
        if (r.ok) { return b; }
        var e = (b.errors && b.errors[0]) || {};
        return { lines: [], problems: [{ row: 0, field: e.field || "text", code: e.code || b.code || "invalid", message: e.message || b.detail || b.title || "" }] };
      });
    });
  }
  function paste(text, from) {
    var lines = [], problems = [];
    var chain = Promise.resolve();
    parts(text).forEach(function (part) {
      chain = chain.then(function () { return send(part); }).then(function (b) {
        lines = lines.concat(b.lines); problems = problems.concat(b.problems);
      });
    });
    return chain.then(function () {
      var at = from ? rows().indexOf(from) : 0;
      var last = null;
      lines.forEach(function (l) {
        var all = rows();
        var row = null;
        for (var i = Math.max(at, 0); i < all.length; i++) { if (isBlank(all[i])) { row = all[i]; break; } }
        if (!row) { row = addRow(); }
        take(row, l.product);
        field(row, "qty").value = String(l.quantity);
        field(row, "price").value = l.unit_price || "";
        last = row;
      });
      say(problems);
      if (!problems.length) { pasteText.value = ""; }
      recompute();
      if (last) { nextLine(last); }
    }).catch(function (e) { say([{ row: 0, field: "text", code: "invalid", message: String(e) }]); });
  }
  document.getElementById("paste-add").addEventListener("click", function () {
    if (pasteText.value.trim()) { paste(pasteText.value, null); }
  });
  body.addEventListener("paste", function (ev) {
    var el = ev.target;
    if (!el.classList || !el.classList.contains("product")) { return; }
    var text = (ev.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.trim())) { return; }
    ev.preventDefault();
    paste(text, el.closest("tr.line"));
  });

  // The customer beside the form.
  var panelBody = document.getElementById("customer-panel-body");
  var panelEmpty = document.getElementById("customer-panel-empty");
  function money(v) { var f = fen(v); return "¥" + (f === null ? v : show(f)); }
  function dd(dl, term, value, id) {
    var dt = document.createElement("dt"); dt.textContent = term;
    var d = document.createElement("dd"); d.textContent = value;
    if (id) { d.id = id; }
    dl.appendChild(dt); dl.appendChild(d);
    return d;
  }
  function overview() {
    var id = customerId();
    panelBody.innerHTML = "";
    panelEmpty.hidden = !!id;
    if (!id) { return; }
    fetch("/api/v1/customers/" + encodeURIComponent(id) + "/overview", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) {
        if (!c || customerId() !== String(c.customer_id)) { return; }
        panelBody.innerHTML = "";
        var dl = document.createElement("dl");
        dl.className = "fields compact";
        dd(dl, t("客户", "Customer"), c.code + " " + c.name);
        var terms = (labels.terms || {})[c.payment_terms] || c.payment_terms;
        if (c.net_days) { terms += " " + c.net_days + t(" 天", " days"); }
        dd(dl, t("付款", "Payment"), ((labels.methods || {})[c.payment_method] || c.payment_method) + " · " + terms, "customer-terms");
        if (c.credit_limit !== null && c.credit_limit !== undefined) { dd(dl, t("信用额度", "Credit limit"), money(c.credit_limit)); }
        if (c.available !== null && c.available !== undefined) {
          var a = dd(dl, t("可用额度", "Available"), money(c.available), "customer-available");
          if (fen(c.available) === null || fen(c.available) <= 0) { a.className = "short"; }
        }
        dd(dl, t("未完成订单", "Open orders"), c.open_orders + t(" 单 · ", " · ") + money(c.open_amount), "customer-open");
        panelBody.appendChild(dl);
        if (c.newest_open.length) {
          var ul = document.createElement("ul");
          ul.className = "open-orders";
          c.newest_open.forEach(function (o) {
            var li = document.createElement("li");
            var link = document.createElement("a");
            link.href = "/orders/" + o.id;
            link.textContent = o.number || ("#" + o.id);
            li.appendChild(link);
            li.appendChild(document.createTextNode(" " + ((labels.statuses || {})[o.status] || o.status) + " " + money(o.amount)));
            ul.appendChild(li);
          });
          panelBody.appendChild(ul);
        }
      })
      .catch(function () {});
  }
  if (panel) {
    var select = document.getElementById("f-customer_id");
    if (select) { select.addEventListener("change", overview); }
    overview();
  }

  recompute();
})();
