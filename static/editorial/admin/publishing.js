/* The factsheet page while it is being published: reload once the publish job is done (or failed). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const line = document.getElementById("publishing-status");
    if (!line || !line.dataset.url) return;
    const poll = () => {
      fetch(line.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => response.json())
        .then((status) => {
          if (status.active) {
            window.setTimeout(poll, 1500);
          } else {
            window.location.reload();
          }
        })
        .catch(() => window.setTimeout(poll, 5000));
    };
    window.setTimeout(poll, 1500);
  });
})();
