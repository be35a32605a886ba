// Interview form: default the time zone from the place, and show the start in the reader's zone.
"use strict";

(function () {
  const form = document.getElementById("interview-form");
  if (!form) return;
  const zones = JSON.parse(form.dataset.placeZones || "{}");
  const viewerZone = form.dataset.viewerZone;
  const place = form.querySelector("#place_id");
  const zone = form.querySelector("#timezone");
  const day = form.querySelector("#local_date");
  const time = form.querySelector("#local_time");
  const out = document.getElementById("viewer-time");

  function offsetMinutes(timeZone, instant) {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit",
    }).formatToParts(instant);
    const get = (type) => Number(parts.find((p) => p.type === type).value);
    const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
    return (asUtc - Math.floor(instant.getTime() / 60000) * 60000) / 60000;
  }

  function wallClockToInstant(dateText, timeText, timeZone) {
    const [y, m, d] = dateText.split("-").map(Number);
    const [hh, mm] = timeText.split(":").map(Number);
    const guess = Date.UTC(y, m - 1, d, hh, mm);
    let instant = new Date(guess - offsetMinutes(timeZone, new Date(guess)) * 60000);
    instant = new Date(guess - offsetMinutes(timeZone, instant) * 60000);
    return instant;
  }

  function currentZone() {
    return zone.value || zones[place.value] || "";
  }

  function update() {
    const tz = currentZone();
    if (!out) return;
    if (!tz || !day.value || !time.value || !viewerZone) { out.textContent = ""; return; }
    try {
      const instant = wallClockToInstant(day.value, time.value, tz);
      const shown = new Intl.DateTimeFormat("en-GB", {
        timeZone: viewerZone, weekday: "short", day: "2-digit", month: "short",
        hour: "2-digit", minute: "2-digit",
      }).format(instant);
      out.textContent = tz === viewerZone
        ? `Local time in ${tz}, which is also your zone.`
        : `That is ${shown} in your zone (${viewerZone}); local zone ${tz}.`;
    } catch (error) {
      out.textContent = "";
    }
  }

  [place, zone, day, time].forEach((el) => el && el.addEventListener("change", update));
  [day, time].forEach((el) => el && el.addEventListener("input", update));
  update();
})();
