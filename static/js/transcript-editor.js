// The transcript editor: waveform (wavesurfer.js, drawn from peaks the server computed),
// play from a segment, highlight the segment being played, keyboard shortcuts, speed,
// the cursor position for "Split at cursor", and a warning before leaving unsaved text.
"use strict";

// Each segment's box is as tall as its words, so that no text is hidden on a phone: the
// heights are read in one pass and written in another (one layout for a long transcript).
(function () {
  const boxes = Array.from(document.querySelectorAll(".segment textarea"));
  const fit = (areas) => {
    areas.forEach((area) => { area.style.height = "auto"; });
    const heights = areas.map((area) => area.scrollHeight + area.offsetHeight - area.clientHeight);
    areas.forEach((area, i) => { area.style.height = `${heights[i]}px`; });
  };
  fit(boxes);
  document.addEventListener("input", (event) => {
    if (event.target.matches(".segment textarea")) fit([event.target]);
  });
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => fit(boxes), 150);
  });
})();

(function () {
  const audio = document.getElementById("player");
  const form = document.getElementById("transcript-form");
  if (!audio) {
    return;
  }
  const segments = Array.from(document.querySelectorAll(".segment"));
  const playButton = document.getElementById("play-toggle");
  const clock = document.getElementById("clock");
  let surfer = null;

  const waveform = document.getElementById("waveform");
  if (audio.dataset.peaks && window.WaveSurfer) {
    surfer = window.WaveSurfer.create({
      container: waveform,
      cspNonce: waveform.dataset.cspNonce,
      media: audio,
      peaks: [JSON.parse(audio.dataset.peaks)],
      duration: parseFloat(audio.dataset.duration),
      height: 96,
      waveColor: "#9bb1c8",
      progressColor: "#1c3550",
      cursorColor: "#b3261e",
      normalize: true,
    });
  } else {
    audio.controls = true;
  }

  function toggle() {
    if (audio.paused) {
      audio.play();
    } else {
      audio.pause();
    }
  }

  function seek(seconds, play) {
    audio.currentTime = Math.max(0, Math.min(seconds, audio.duration || seconds));
    if (play) {
      audio.play();
    }
  }

  function stamp(seconds) {
    const whole = Math.floor(seconds);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`;
  }

  let playing = null;
  function highlight() {
    const now = audio.currentTime;
    clock.textContent = stamp(now);
    const current = segments.find(
      (s) => now >= parseFloat(s.dataset.start) && now < parseFloat(s.dataset.end)
    );
    if (current === playing) {
      return;
    }
    if (playing) {
      playing.classList.remove("playing");
    }
    playing = current || null;
    if (playing) {
      playing.classList.add("playing");
      const typing = document.activeElement && document.activeElement.closest(".segment");
      if (!typing && !audio.paused) {
        playing.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    }
  }

  audio.addEventListener("timeupdate", highlight);
  audio.addEventListener("play", () => { playButton.textContent = "Pause"; });
  audio.addEventListener("pause", () => { playButton.textContent = "Play"; });
  playButton.addEventListener("click", toggle);
  document.querySelectorAll("[data-skip]").forEach((button) => {
    button.addEventListener("click", () => seek(audio.currentTime + parseFloat(button.dataset.skip), false));
  });
  document.getElementById("speed").addEventListener("change", (event) => {
    audio.playbackRate = parseFloat(event.target.value);
    audio.preservesPitch = true;
  });
  document.addEventListener("click", (event) => {
    const time = event.target.closest("[data-seek]");
    if (time) {
      seek(parseFloat(time.dataset.seek), true);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (!event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    if (event.code === "Space") {
      event.preventDefault();
      toggle();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      seek(audio.currentTime + (event.key === "ArrowLeft" ? -5 : 5), false);
    } else if (event.key.toLowerCase() === "s" && form && document.getElementById("save-button")) {
      event.preventDefault();
      form.requestSubmit(document.getElementById("save-button"));
    }
  });

  if (!form) {
    return;
  }
  let dirty = false;
  let editing = null;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("focusin", (event) => {
    editing = event.target.closest(".segment") || editing;
  });
  // After the save the page comes back at the segment of the button pressed or, for Save
  // (e.g. Ctrl+S while typing), at the segment being corrected.
  form.addEventListener("submit", (event) => {
    dirty = false;
    const button = event.submitter;
    const article = button && (button.closest(".segment") || (button.value === "save" ? editing : null));
    form.elements.anchor.value = article ? article.id : "";
    if (button && button.dataset.split) {
      const text = form.elements[`text-${button.dataset.split}`];
      form.elements.split_at.value = text.selectionStart > 0 ? text.selectionStart : "";
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
    }
  });
  if (surfer) {
    surfer.on("interaction", highlight);
  }
})();

// How far the transcript can be trusted: Ctrl+Enter (or a segment's button) marks the segment
// being read checked without leaving the page; Ctrl+↓ goes to the next uncertain segment.
(function () {
  const panel = document.getElementById("reliability");
  if (!panel) {
    return;
  }
  const audio = document.getElementById("player");
  const summary = document.getElementById("reliability-summary");
  let current = null;

  document.addEventListener("focusin", (event) => {
    current = event.target.closest(".segment") || current;
  });

  function uncertain() {
    return Array.from(document.querySelectorAll(".segment[data-uncertain]"));
  }

  function goTo(article) {
    current = article;
    article.scrollIntoView({ block: "center" });
    const field = article.querySelector("textarea") || article.querySelector(".seg-time");
    if (field) {
      field.focus({ preventScroll: true });
    }
    if (audio) {
      audio.currentTime = parseFloat(article.dataset.start);
    }
  }

  function next() {
    const all = uncertain();
    if (!all.length) {
      summary.textContent = "No uncertain segment is left unchecked";
      return;
    }
    const after = current ? all.find((a) => a.compareDocumentPosition(current) & Node.DOCUMENT_POSITION_PRECEDING) : null;
    goTo(after || all[0]);
  }

  async function check(article) {
    const body = new FormData();
    body.append("csrf_token", panel.dataset.csrf);
    body.append("segment", article.dataset.id);
    const answer = await fetch(panel.dataset.checkUrl, {
      method: "POST", body, headers: { Accept: "application/json" },
    });
    const data = await answer.json().catch(() => ({ error: "The server did not answer; try again." }));
    if (!answer.ok) {
      summary.textContent = data.error;
      return;
    }
    article.removeAttribute("data-uncertain");
    article.classList.remove("segment-uncertain");
    article.querySelector(".check-state").innerHTML = '<span class="badge badge-ok">checked</span>';
    const button = article.querySelector(".check-button");
    if (button) {
      button.remove();
    }
    const listed = panel.querySelector(`[data-segment="${article.dataset.id}"]`);
    if (listed) {
      listed.remove();
    }
    summary.textContent = data.summary.charAt(0).toUpperCase() + data.summary.slice(1);
    panel.classList.toggle("flash-warning", data.needs_review);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".check-button");
    if (button) {
      event.preventDefault();
      check(button.closest(".segment"));
    }
  });
  document.addEventListener("keydown", (event) => {
    if (!event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    if (event.key === "Enter" && current && current.querySelector(".check-button")) {
      event.preventDefault();
      check(current);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      next();
    }
  });
})();
