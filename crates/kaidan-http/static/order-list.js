// A list's check boxes (issue 21: the order and shipment lists): "select all", the count of the
// chosen rows, and no bulk action without a choice. The list and its
// actions work without this script; it only saves clicks.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var all = document.getElementById("select-all");
  var count = document.getElementById("selected-count");
  var picks = function () { return Array.prototype.slice.call(form.querySelectorAll("input.pick")); };
  var show = function () {
    var n = picks().filter(function (p) { return p.checked; }).length;
    if (count) count.textContent = n ? (count.dataset.label + " " + n) : "";
    form.querySelectorAll(".bulk button").forEach(function (b) { b.disabled = n === 0; });
    if (all) {
      var total = picks().length;
      all.checked = n > 0 && n === total;
      all.indeterminate = n > 0 && n < total;
    }
  };
  if (all) {
    all.addEventListener("change", function () {
      picks().forEach(function (p) { p.checked = all.checked; });
      show();
    });
  }
  form.addEventListener("change", function (e) {
    if (e.target.classList && e.target.classList.contains("pick")) show();
  });
  var cancel = document.getElementById("bulk-cancel");
  var reason = document.getElementById("bulk-reason");
  if (cancel && reason) {
    cancel.addEventListener("click", function (e) {
      if (!reason.value.trim()) {
        e.preventDefault();
        reason.focus();
        reason.setCustomValidity(reason.placeholder);
        reason.reportValidity();
      }
    });
    reason.addEventListener("input", function () { reason.setCustomValidity(""); });
  }
  show();
})();
