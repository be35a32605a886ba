/* The coding page, live: receives the others' changes to this source's codings, memos and
   text as they are committed, and who else has the source open. A server-sent event stream
   (it ends every 20 s or so and the browser reconnects with the last event's id, so nothing
   is missed); when the server has no stream to spare, it polls instead. Changes are handed
   to coding.js as "fieldwork:live" events on the page; a "reload" asks it to load them all. */
(function () {
  "use strict";
  const root = document.getElementById("coding");
  if (!root || !root.dataset.liveUrl || !window.EventSource) return;
  const cfg = root.dataset;
  const me = Number(cfg.me);
  const tab = Math.random().toString(36).slice(2, 12);
  const presenceEl = document.getElementById("live-presence");
  const DEFAULT_POLL_MS = 2000;
  let stream = null;
  let pollTimer = null;
  let cursor = "";

  function deliver(change) {
    root.dispatchEvent(new CustomEvent("fieldwork:live", {detail: change}));
  }

  function names(list) {
    return list.length < 2 ? list.join("") : list.slice(0, -1).join(", ") + " and " + list[list.length - 1];
  }

  /* "Ewa is coding this transcript", "Ewa and Jan are coding …", "Olga is reading …". */
  function showPresence(present) {
    const others = new Map();
    Object.values(present).forEach((p) => { if (p.user !== me) others.set(p.user, p); });
    const coding = [], reading = [];
    others.forEach((p) => (p.codes ? coding : reading).push(p.name));
    const what = "this " + cfg.sourceKind;
    const parts = [];
    if (coding.length) parts.push(names(coding) + (coding.length > 1 ? " are" : " is") + " coding " + what);
    if (reading.length) parts.push(names(reading) + (reading.length > 1 ? " are" : " is") + " reading " + what);
    presenceEl.textContent = parts.join("; ");
    presenceEl.hidden = !parts.length;
  }

  function url(base) {
    return base + "?" + new URLSearchParams({tab, after: cursor}).toString();
  }

  function openStream() {
    stopPolling();
    stream = new EventSource(url(cfg.liveUrl));
    stream.onmessage = (event) => { cursor = event.lastEventId || cursor; deliver(JSON.parse(event.data)); };
    stream.addEventListener("resync", (event) => { cursor = event.lastEventId; deliver({kind: "reload"}); });
    stream.addEventListener("presence", (event) => {
      cursor = event.lastEventId || cursor;
      showPresence(JSON.parse(event.data));
    });
    stream.addEventListener("poll", (event) => { closeStream(); startPolling(JSON.parse(event.data).every); });
    stream.onerror = () => {
      if (stream && stream.readyState === EventSource.CLOSED) { closeStream(); startPolling(DEFAULT_POLL_MS); }
    };
  }

  function closeStream() {
    if (stream) stream.close();
    stream = null;
  }

  async function pollOnce() {
    let data;
    try {
      const response = await fetch(url(cfg.livePollUrl), {credentials: "same-origin"});
      if (!response.ok) return;
      data = await response.json();
    } catch (error) { return; }
    if (data.resync) deliver({kind: "reload"});
    data.events.forEach((event) => deliver(event.data));
    cursor = data.cursor;
    showPresence(data.present);
    if (data.stream && pollTimer) openStream();
  }

  function startPolling(every) {
    stopPolling();
    pollTimer = setInterval(pollOnce, every || DEFAULT_POLL_MS);
    pollOnce();
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function leave() {
    closeStream();
    stopPolling();
    const form = new FormData();
    form.append("csrf_token", cfg.csrf);
    form.append("tab", tab);
    navigator.sendBeacon(cfg.liveLeaveUrl, form);
  }

  /* A tab in the background lets its stream go (the server keeps only a few) and catches up,
     from the last event it got, when it is looked at again. */
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leave();
    else if (!stream && !pollTimer) openStream();
  });
  window.addEventListener("pagehide", leave);
  openStream();
})();
