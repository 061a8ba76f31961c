/* Edition dashboard: a "select every factsheet shown" box for bulk assignment (without JavaScript, tick rows). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const all = document.getElementById("select-all");
    if (!all) return;
    const rows = Array.from(document.querySelectorAll("input.select-row"));
    all.hidden = false;
    all.addEventListener("change", () => rows.forEach((box) => { box.checked = all.checked; }));
    rows.forEach((box) => box.addEventListener("change", () => {
      all.checked = rows.every((r) => r.checked);
      all.indeterminate = !all.checked && rows.some((r) => r.checked);
    }));
  });
})();
