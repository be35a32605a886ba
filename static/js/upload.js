// Resumable, chunked upload of interview recordings (see interviews/recordings/uploads.py).
// Each file is sent in chunks with its byte offset; a dropped connection asks the server
// how much arrived and continues from there, also after a reload (the upload id is kept in
// localStorage under the file's name, size and date). Files up to 256 MB are hashed here
// too and compared with the server's sha256; larger ones show the server's checksum.
"use strict";

(function () {
  const HASH_LIMIT = 256 * 1024 * 1024;
  const RETRIES = 8;

  function headers(extra) {
    return Object.assign({ "X-CSRFToken": window.fieldwork.csrfToken() }, extra || {});
  }

  function storageKey(form, file) {
    return `fieldwork-upload:${form.dataset.interview}:${file.name}:${file.size}:${file.lastModified}`;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function json(response) {
    try {
      return await response.json();
    } catch (error) {
      return { error: `The server answered ${response.status}.` };
    }
  }

  async function resumeOrStart(form, file) {
    const saved = localStorage.getItem(storageKey(form, file));
    if (saved) {
      const response = await fetch(saved, { headers: headers() });
      if (response.ok) {
        return json(response);
      }
    }
    const response = await fetch(form.dataset.startUrl, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ filename: file.name, size: file.size, type: file.type }),
    });
    const state = await json(response);
    if (!response.ok) {
      throw new Error(state.error || "The upload could not start.");
    }
    localStorage.setItem(storageKey(form, file), state.url);
    return state;
  }

  async function sendChunks(file, state, show) {
    let offset = state.offset;
    let failures = 0;
    while (offset < file.size) {
      const chunk = file.slice(offset, offset + state.chunk_size);
      try {
        const response = await fetch(`${state.url}?offset=${offset}`, {
          method: "POST",
          headers: headers({ "Content-Type": "application/octet-stream" }),
          body: chunk,
        });
        const answer = await json(response);
        if (response.ok || response.status === 409) {
          offset = answer.offset;
          failures = 0;
        } else {
          throw new Error(answer.error || `The server answered ${response.status}.`);
        }
      } catch (error) {
        failures += 1;
        if (failures > RETRIES) {
          throw new Error(`${error.message} Choose the file again later to continue.`);
        }
        show(`Connection lost; trying again (${failures}/${RETRIES})…`, offset);
        await sleep(Math.min(30000, 1000 * 2 ** failures));
        const status = await fetch(state.url, { headers: headers() }).catch(() => null);
        if (status && status.ok) {
          offset = (await json(status)).offset;
        }
        continue;
      }
      show(`${Math.floor((offset / file.size) * 100)} %`, offset);
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
        row.show(`resuming at ${Math.floor((state.offset / file.size) * 100)} %`, state.offset);
      }
      await sendChunks(file, state, row.show);
      row.show("checking the file…", file.size);
      const response = await fetch(state.finish_url, { method: "POST", headers: headers() });
      const answer = await json(response);
      localStorage.removeItem(storageKey(form, file));
      if (!response.ok) {
        row.done(answer.error || "The file was not kept.", false);
        return;
      }
      const mine = await localDigest(file);
      let check = `sha256 ${answer.sha256}`;
      if (mine !== null) {
        check = mine === answer.sha256 ? "checksum verified" : "CHECKSUMS DIFFER: upload the file again";
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
