// The search box in every page's header (issue 21): matches as you type —
// orders, customers, products, shipments and other documents the user may
// see — ↑↓ to choose, Enter to open (or, with none chosen, the full results
// page), Escape to close; "/" anywhere else puts the cursor in the box.
(function () {
  "use strict";
  var input = document.getElementById("global-search");
  var list = document.getElementById("global-suggest");
  if (!input || !list) { return; }
  var kinds = {};
  try { kinds = JSON.parse(input.getAttribute("data-kinds") || "{}"); } catch (e) { kinds = {}; }
  var hits = [], sel = -1, timer = null, seq = 0;

  function hide() {
    list.hidden = true; list.innerHTML = ""; hits = []; sel = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function highlight() {
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.classList.toggle("selected", i === sel);
      li.setAttribute("aria-selected", i === sel ? "true" : "false");
    });
    if (sel >= 0) { input.setAttribute("aria-activedescendant", "global-hit-" + sel); }
  }
  function render() {
    list.innerHTML = "";
    hits.forEach(function (h, i) {
      var li = document.createElement("li");
      li.id = "global-hit-" + i;
      li.setAttribute("role", "option");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kinds[h.kind] || h.kind;
      var key = document.createElement("b");
      key.textContent = " " + h.key;
      var detail = document.createElement("span");
      detail.textContent = h.detail ? " " + h.detail : "";
      li.appendChild(kind); li.appendChild(key); li.appendChild(detail);
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); window.location.href = h.href; });
      list.appendChild(li);
    });
    if (!hits.length) { hide(); return; }
    var r = input.getBoundingClientRect();
    var width = Math.max(r.width, 320);
    list.style.minWidth = width + "px";
    list.style.top = (r.bottom + window.scrollY) + "px";
    list.style.left = Math.max(8, Math.min(r.left, window.innerWidth - width - 16) + window.scrollX) + "px";
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight();
  }
  function search() {
    var q = input.value.trim();
    if (!q) { hide(); return; }
    var mine = ++seq;
    fetch("/api/v1/search?limit=5&q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) {
        if (mine !== seq || document.activeElement !== input) { return; }
        hits = found; sel = -1; render();
      })
      .catch(hide);
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  input.addEventListener("blur", function () { setTimeout(hide, 0); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" && hits.length) { ev.preventDefault(); sel = (sel + 1) % hits.length; highlight(); }
    else if (ev.key === "ArrowUp" && hits.length) { ev.preventDefault(); sel = (sel + hits.length - 1) % hits.length; highlight(); }
    else if (ev.key === "Escape") { hide(); }
    else if (ev.key === "Enter" && sel >= 0 && hits[sel]) { ev.preventDefault(); window.location.href = hits[sel].href; }
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
