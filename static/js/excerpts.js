// Excerpts in retrieval and the quote bank: each plays its own stretch of its recording (a
// second before its first word to a second after its last) in the page's one player, and
// "Mark checked by ear" marks its segments checked without leaving the page.
"use strict";

(function () {
  const audio = document.getElementById("excerpt-audio");
  const player = document.getElementById("excerpt-player");
  const status = document.getElementById("excerpt-status");
  if (!audio) {
    return;
  }
  let stopAt = null;

  function clock(seconds) {
    const whole = Math.floor(seconds);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  }

  function play(button) {
    const from = parseFloat(button.dataset.from);
    stopAt = parseFloat(button.dataset.to);
    player.hidden = false;
    const start = () => {
      audio.currentTime = from;
      audio.play().catch(() => { status.textContent = "Press play on the player to hear the excerpt."; });
      status.textContent = `Playing ${clock(from)}–${clock(stopAt)}`;
    };
    const source = new URL(button.dataset.audio, window.location.href).href;
    if (audio.src !== source) {
      audio.src = source;
      audio.addEventListener("loadedmetadata", start, { once: true });
      audio.load();
    } else {
      start();
    }
  }

  audio.addEventListener("timeupdate", () => {
    if (stopAt !== null && audio.currentTime >= stopAt) {
      audio.pause();
      stopAt = null;
      status.textContent = "";
    }
  });
  audio.addEventListener("error", () => {
    status.textContent = "The recording could not be played: its file may have been deleted.";
  });

  async function check(form) {
    const answer = await fetch(form.action, {
      method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
    });
    const box = form.closest(".excerpt-listen");
    if (!answer.ok) {
      box.querySelector(".check-state").textContent = "Not marked: reload the page and try again.";
      return;
    }
    box.querySelector(".check-state").innerHTML = '<span class="badge badge-ok">Checked by ear</span>';
    form.remove();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".play-excerpt");
    if (button) {
      play(button);
    }
  });
  document.addEventListener("submit", (event) => {
    const form = event.target.closest(".excerpt-check");
    if (form) {
      event.preventDefault();
      check(form);
    }
  });
})();
