/* Edition dashboard: the release's countdown (from the server's clock, whatever the browser's says) and its
   readiness, kept up to date; the page reloads once the release is made. */
(function () {
  "use strict";

  function spell(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const days = Math.floor(total / 86400);
    const hours = Math.floor((total % 86400) / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    const parts = [];
    if (days) parts.push(`${days} d`);
    if (days || hours) parts.push(`${hours} h`);
    if (days || hours || minutes) parts.push(`${minutes} min`);
    parts.push(`${seconds} s`);
    return parts.join(" ");
  }

  document.addEventListener("DOMContentLoaded", () => {
    const panel = document.getElementById("release");
    if (!panel || !panel.dataset.at) return;
    const countdown = document.getElementById("release-countdown");
    const ready = document.getElementById("release-ready");
    const failures = document.getElementById("release-failures");
    const at = Date.parse(panel.dataset.at);
    let offset = Date.parse(panel.dataset.now) - Date.now(); // server time = browser time + offset
    let polling = null;

    const tick = () => {
      const left = at - (Date.now() + offset);
      countdown.textContent = left > 0 ? `in ${spell(left)}` : "— releasing…";
      countdown.dataset.left = String(Math.max(0, Math.ceil(left / 1000)));
    };

    const poll = () => {
      fetch(panel.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => response.json())
        .then((state) => {
          offset = Date.parse(state.now) - Date.now();
          if (state.status !== "scheduled") {
            window.location.reload();
            return;
          }
          const parts = [`Ready for release: ${state.ready} of ${state.total}`];
          if (state.not_approved) parts.push(`${state.not_approved} not approved`);
          if (state.preparing) parts.push(`${state.preparing} being prepared`);
          if (state.unprepared) parts.push(`${state.unprepared} not prepared yet`);
          ready.textContent = parts.join(", ") + ".";
          failures.replaceChildren(...state.failed.map((item) => {
            const li = document.createElement("li");
            li.textContent = `${item.country}: preparing failed: ${item.error}`;
            return li;
          }));
          failures.hidden = state.failed.length === 0;
        })
        .catch(() => {})
        .finally(() => {
          const left = at - (Date.now() + offset);
          polling = window.setTimeout(poll, left > 15000 ? 5000 : 1000);
        });
    };

    tick();
    window.setInterval(tick, 1000);
    polling = window.setTimeout(poll, 1000);
  });
})();
