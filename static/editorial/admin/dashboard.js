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

/* Publishing an edition: the progress bar follows the batch's jobs until every one is done or failed. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const panel = document.getElementById("publish-progress");
    if (!panel) return;
    const bar = document.getElementById("publish-bar");
    const counts = document.getElementById("publish-counts");
    const failures = document.getElementById("publish-failures");
    const retry = document.getElementById("retry-form");
    let watched = false;  // the batch was still running when this page opened: reload once it is over
    const poll = () => {
      fetch(panel.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => response.json())
        .then((progress) => {
          const finished = progress.done + progress.failed;
          bar.max = Math.max(progress.total, 1);
          bar.value = finished;
          bar.textContent = `${finished} of ${progress.total}`;
          counts.textContent = `${progress.done} published, ${progress.running} rendering, ` +
            `${progress.queued} waiting, ${progress.failed} failed (of ${progress.total}).`;
          failures.replaceChildren(...progress.failed_items.map((item) => {
            const li = document.createElement("li");
            li.textContent = `${item.country}: ${item.error}`;
            return li;
          }));
          retry.hidden = !(progress.finished && progress.failed);
          if (!progress.finished) {
            watched = true;
            window.setTimeout(poll, 1500);
          } else if (watched) {
            window.location.reload();  // the table's states and live versions are now out of date
          }
        })
        .catch(() => window.setTimeout(poll, 5000));
    };
    poll();
  });
})();
