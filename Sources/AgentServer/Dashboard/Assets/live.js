// Live updates for a run's page. While the run is in progress the server announces each event it
// records (`GET /runs/{id}/live`, Server-Sent Events); the page is then fetched again and its main
// content replaced, keeping open details open. When the run stops being live the stream ends and
// the page is fetched once more. Without scripts, the page refreshes itself instead (<noscript>).
"use strict";
(function () {
  const main = document.querySelector("main[data-live]");
  if (!main) return;
  let fetching = false;
  let again = false;

  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("main");
      if (!next) return;
      const open = Array.from(main.querySelectorAll("details"), (details) => details.open);
      main.innerHTML = next.innerHTML;
      main.querySelectorAll("details").forEach((details, index) => { if (open[index]) details.open = true; });
      if (next.dataset.live) { main.dataset.live = next.dataset.live; } else { delete main.dataset.live; }
    } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }

  function listen() {
    const source = new EventSource(main.dataset.live);
    source.onmessage = refresh;
    // The server ends the stream when the run stops being live (EventSource would reconnect: close it).
    source.onerror = async () => {
      source.close();
      await refresh();
      if (main.dataset.live) setTimeout(listen, 1000);
    };
  }
  listen();
})();
