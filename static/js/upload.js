// Resumable, chunked upload of interview recordings (see interviews/recordings/uploads.py).
// Each file is sent in chunks with its byte offset; a dropped connection asks the server
// how much arrived and continues from there, also after a reload (the upload id is kept in
// localStorage under the file's name, size and date). Files up to 256 MB are hashed here
// too and compared with the server's sha256; larger ones show the server's checksum.
"use strict";

(function () {
  const HASH_LIMIT = 256 * 1024 * 1024;
  const RETRIES = 8;
  const CONNECTION_LOST = "The connection to the server was lost.";
  const LOGGED_OUT = "You are no longer logged in. Log in again, then choose the same file: "
    + "the upload continues where it stopped.";

  function headers(extra) {
    return Object.assign({ "X-CSRFToken": window.fieldwork.csrfToken() }, extra || {});
  }

  function storageKey(form, file) {
    return `fieldwork-upload:${form.dataset.interview}:${file.name}:${file.size}:${file.lastModified}`;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // fetch, with a lost connection said in words rather than as the browser's "Failed to fetch".
  async function send(url, options) {
    try {
      return await fetch(url, Object.assign({ headers: headers() }, options));
    } catch (error) {
      throw new Error(CONNECTION_LOST);
    }
  }

  // The server's JSON answer. Instead of JSON, a login page means the session ended, and an
  // error page (e.g. an expired page, or a request too large for the server) says what went
  // wrong in its last paragraph.
  async function json(response) {
    if (response.redirected && new URL(response.url).pathname === "/login") {
      return { error: LOGGED_OUT, final: true };
    }
    let text = "";
    try {
      text = await response.text();
    } catch (error) {
      return { error: CONNECTION_LOST };
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      const page = new DOMParser().parseFromString(text, "text/html");
      const said = page.querySelector(".error-page > p:last-of-type");
      return { error: said ? said.textContent.trim() : `The server answered with error ${response.status}.` };
    }
  }

  // Answers that another try would not change: stop and say why.
  function refused(response, answer) {
    const status = response.status;
    return answer.final || (status >= 400 && status < 500 && ![408, 409, 429].includes(status));
  }

  async function resumeOrStart(form, file) {
    const saved = localStorage.getItem(storageKey(form, file));
    if (saved) {
      const response = await send(saved);
      const state = await json(response);
      if (response.ok && !state.error) {
        return state;
      }
    }
    const response = await send(form.dataset.startUrl, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ filename: file.name, size: file.size }),
    });
    const state = await json(response);
    if (!response.ok || state.error) {
      throw new Error(state.error || "The upload could not start.");
    }
    localStorage.setItem(storageKey(form, file), state.url);
    return state;
  }

  function percent(offset, size) {
    return Math.floor((offset / size) * 100);
  }

  // Where the server stands: the bytes it has of this upload (the given offset if it cannot say).
  async function serverOffset(state, offset) {
    const response = await send(state.url).catch(() => null);
    if (!response || !response.ok) {
      return offset;
    }
    const answer = await json(response);
    return Number.isInteger(answer.offset) ? answer.offset : offset;
  }

  async function sendChunks(file, state, show) {
    let offset = state.offset;
    let failures = 0;
    while (offset < file.size) {
      const chunk = file.slice(offset, offset + state.chunk_size);
      const response = await send(`${state.url}?offset=${offset}`, {
        method: "POST",
        headers: headers({ "Content-Type": "application/octet-stream" }),
        body: chunk,
      }).catch(() => null);
      const answer = response ? await json(response) : { error: CONNECTION_LOST };
      if (response && (response.ok || response.status === 409) && Number.isInteger(answer.offset)) {
        offset = answer.offset;
        failures = 0;
        show(`${percent(offset, file.size)} %`, offset);
        continue;
      }
      if (response && refused(response, answer)) {
        throw new Error(answer.error || `The server answered with error ${response.status}.`);
      }
      failures += 1;
      if (failures > RETRIES) {
        throw new Error(`${answer.error || CONNECTION_LOST} Choose the same file again later: `
          + "the upload continues where it stopped.");
      }
      show(`connection lost; trying again (${failures}/${RETRIES})…`, offset);
      await sleep(Math.min(30000, 1000 * 2 ** (failures - 1)));
      offset = await serverOffset(state, offset);
    }
  }

  async function localDigest(file) {
    if (file.size > HASH_LIMIT || !window.crypto || !window.crypto.subtle) {
      return null;
    }
    const digest = await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function progressItem(list, file) {
    const item = document.createElement("li");
    const label = document.createElement("span");
    const bar = document.createElement("progress");
    bar.max = file.size;
    bar.value = 0;
    label.textContent = `${file.name}: starting…`;
    item.append(label, document.createElement("br"), bar);
    list.append(item);
    return {
      show(text, offset) {
        label.textContent = `${file.name}: ${text}`;
        bar.value = offset;
      },
      done(text, ok) {
        label.textContent = `${file.name}: ${text}`;
        item.classList.add(ok ? "upload-ok" : "upload-failed");
        if (ok) {
          bar.value = file.size;
        }
      },
    };
  }

  async function uploadFile(form, file, list) {
    const row = progressItem(list, file);
    try {
      const state = await resumeOrStart(form, file);
      if (state.offset > 0) {
        row.show(`resuming at ${percent(state.offset, file.size)} %`, state.offset);
      }
      await sendChunks(file, state, row.show);
      row.show("checking the file…", file.size);
      const response = await send(state.finish_url, { method: "POST" });
      const answer = await json(response);
      if (!answer.final) {
        localStorage.removeItem(storageKey(form, file));
      }
      if (!response.ok || answer.error) {
        row.done(answer.error || "The file was not kept.", false);
        return;
      }
      const mine = await localDigest(file);
      let check = `sha256 ${answer.sha256}`;
      if (mine !== null) {
        check = mine === answer.sha256 ? "checksum verified"
          : "the checksums differ: the file was damaged on the way, upload it again";
      }
      row.done(`${answer.message} (${check})`, mine === null || mine === answer.sha256);
      document.body.dispatchEvent(new CustomEvent("fw-uploaded"));
    } catch (error) {
      row.done(error.message, false);
    }
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.upload-form");
    if (!form) {
      return;
    }
    event.preventDefault();
    const input = form.querySelector('input[type="file"]');
    const list = form.querySelector(".upload-progress");
    const button = form.querySelector('button[type="submit"]');
    if (!input.files.length) {
      return;
    }
    button.disabled = true;
    for (const file of Array.from(input.files)) {
      await uploadFile(form, file, list);
    }
    button.disabled = false;
    input.value = "";
  });
})();
