/* The coding page: select words, apply codes (type-ahead, keys, in vivo), see codings as
   coloured highlights and margin bars, open a coding to change its code, memo or remove it,
   undo, filter by code and coder, compare two coders, play the audio of a passage.
   Offsets are counted in Unicode code points, as the server counts them. */
(function () {
  "use strict";
  const root = document.getElementById("coding");
  if (!root) return;
  const cfg = root.dataset;
  const canCode = cfg.canCode === "1";
  /* A new code from the selection (in vivo) changes the codebook: only who may edit it. */
  const canAddCodes = cfg.canAddCodes === "1";
  const textEl = document.getElementById("source-text");
  const paras = Array.from(textEl.querySelectorAll(".para-text"));
  const status = document.getElementById("coding-status");
  const codeList = document.getElementById("code-list");
  const search = document.getElementById("code-search");
  const inVivo = document.getElementById("in-vivo");
  const undoButton = document.getElementById("undo");
  const details = document.getElementById("details");
  const detailsBody = document.getElementById("details-body");
  const audio = document.getElementById("source-audio");
  const modeSelect = document.getElementById("mode");
  const coderA = document.getElementById("coder-a");
  const coderB = document.getElementById("coder-b");
  const codeFilter = document.getElementById("code-filter");
  const playSelection = document.getElementById("play-selection");

  const state = {codes: new Map(), coders: new Map(), codings: [], disagreements: [],
                 textVersion: 0, me: 0, isLead: false, selection: null, active: null,
                 highlighted: 0, undo: [], busy: false};

  paras.forEach((p) => {
    p.fwText = p.textContent;
    p.fwPoints = Array.from(p.fwText);
    p.fwStart = Number(p.dataset.start);
    p.fwEnd = Number(p.dataset.end);
  });

  const PREVIEW_LENGTH = 60;

  function pointCount(text) { let n = 0; for (const _ of text) n++; return n; }

  const requests = window.fieldworkRequests;
  function say(message, isError) { requests.say(status, message, isError); }
  /* Counts this page's changes as they start and end, and the others' changes as they
     arrive: codings loaded while one was under way may lack it, and would wipe it from the
     page (see load). */
  let changesMade = 0;
  async function send(url, payload) {
    changesMade += 1;
    try { return await requests.send(url, payload, cfg.csrf); } finally { changesMade += 1; }
  }

  function codingUrl(id, action) {
    return cfg.codingUrl.replace(/\/0$/, "/" + id) + (action ? "/" + action : "");
  }

  /* ---------- loading ---------- */

  function dataQuery() {
    const params = new URLSearchParams({mode: modeSelect.value});
    if (modeSelect.value === "compare") { params.set("a", coderA.value); params.set("b", coderB.value); }
    if (codeFilter.value) params.set("code", codeFilter.value);
    return cfg.dataUrl + "?" + params.toString();
  }

  async function load() {
    const asked = changesMade;
    const response = await fetch(dataQuery(), {credentials: "same-origin"});
    if (!response.ok) { say("The codings could not be loaded; reload the page.", true); return; }
    const data = await response.json();
    if (asked !== changesMade) { await load(); return; }
    state.codes = new Map(data.codes.map((c) => [c.id, c]));
    state.coders = new Map(data.coders.map((c) => [c.id, c]));
    state.codings = data.codings;
    state.disagreements = data.disagreements;
    noteTextVersion(data.textVersion);
    state.me = data.me;
    state.isLead = data.isLead;
    if (data.mode !== modeSelect.value) modeSelect.value = data.mode;
    fillCodeFilter();
    renderCodeList();
    // Asked for (a view chosen, suggestions accepted): drawn now, unless the mouse is down.
    drawWhenFree(redrawKeepingSelection, () => pointerHeld);
    root.dataset.ready = "1";
  }

  function fillCodeFilter() {
    const chosen = codeFilter.value;
    codeFilter.replaceChildren(new Option("All codes", ""));
    state.codes.forEach((code) => {
      codeFilter.add(new Option("\u2003".repeat(code.depth) + code.name, String(code.id)));
    });
    codeFilter.value = chosen;
  }

  /* ---------- drawing ---------- */

  function codingsIn(start, end) {
    return state.codings.filter((c) => c.start < end && c.end > start ||
                                 (c.start === c.end && c.start >= start && c.start <= end));
  }

  function render() {
    paras.forEach(renderParagraph);
    if (state.active) showDetails(state.active);
    root.dispatchEvent(new CustomEvent("coding:rendered"));
  }

  /* A reload's redraw makes the text's pieces anew, which would drop the words selected
     meanwhile: they are selected again (a drag still under way is waited for). A redraw
     after coding leaves the coded words unselected, as before. */
  function redrawKeepingSelection() {
    const kept = readSelection();
    render();
    if (kept) placeSelection(kept.start, kept.end);
  }

  function renderParagraph(p) {
    const start = p.fwStart, end = p.fwEnd;
    const here = codingsIn(start, end).filter((c) => c.end > c.start);
    const marks = state.disagreements.filter((d) => d.start < end && d.end > start);
    const cuts = new Set([start, end]);
    here.forEach((c) => { cuts.add(Math.max(c.start, start)); cuts.add(Math.min(c.end, end)); });
    marks.forEach((d) => { cuts.add(Math.max(d.start, start)); cuts.add(Math.min(d.end, end)); });
    const points = Array.from(cuts).sort((a, b) => a - b);
    const fragment = document.createDocumentFragment();
    for (let i = 0; i < points.length - 1; i++) {
      const a = points[i], b = points[i + 1];
      const span = document.createElement("span");
      span.className = "piece";
      span.dataset.a = a;
      span.textContent = p.fwPoints.slice(a - start, b - start).join("");
      const covering = here.filter((c) => c.start <= a && c.end >= b);
      if (covering.length) {
        const innermost = covering.reduce((x, y) => (y.end - y.start < x.end - x.start ? y : x));
        const code = state.codes.get(innermost.code);
        span.classList.add("coded");
        span.style.backgroundColor = code ? code.colour : "#ddd";
        span.dataset.codings = covering.map((c) => c.id).join(" ");
        if (covering.length > 1) span.classList.add("multi");
        if (covering.some((c) => c.review)) span.classList.add("review");
        if (state.active && covering.some((c) => c.id === state.active)) span.classList.add("active");
        span.title = covering.map(label).join("\n");
      }
      if (marks.some((d) => d.start <= a && d.end >= b)) span.classList.add("disagree");
      fragment.appendChild(span);
    }
    p.replaceChildren(fragment);
    drawBars(p, here);
  }

  function label(coding) {
    const code = state.codes.get(coding.code);
    const coder = state.coders.get(coding.coder);
    return (code ? code.path : "?") + " — " + (coder ? coder.name : "another coder") +
      (coding.memo ? " (memo)" : "") + (coding.review ? " — check: its words were edited" : "");
  }

  function drawBars(p, here) {
    const margin = p.parentElement.querySelector(".margin");
    margin.replaceChildren();
    if (!here.length) return;
    const base = p.getBoundingClientRect().top;
    const pieces = Array.from(p.children);
    const lanes = [];
    here.slice().sort((x, y) => x.start - y.start || y.end - x.end).forEach((c) => {
      const inside = pieces.filter((s) => {
        const a = Number(s.dataset.a);
        return a >= Math.max(c.start, p.fwStart) && a < Math.min(c.end, p.fwEnd);
      });
      if (!inside.length) return;
      const top = inside[0].getBoundingClientRect().top - base;
      const bottom = inside[inside.length - 1].getBoundingClientRect().bottom - base;
      let lane = lanes.findIndex((until) => until <= top);
      if (lane < 0) { lane = lanes.length; lanes.push(0); }
      lanes[lane] = bottom + 2;
      const bar = document.createElement("div");
      bar.className = "bar" + (state.active === c.id ? " active" : "");
      bar.style.top = top + "px";
      bar.style.height = Math.max(bottom - top, 6) + "px";
      bar.style.left = (lane * 8) + "px";
      const code = state.codes.get(c.code);
      bar.style.backgroundColor = code ? code.colour : "#999";
      bar.title = label(c);
      bar.dataset.coding = c.id;
      margin.appendChild(bar);
    });
  }

  /* ---------- the code list (type-ahead) ---------- */

  function matchingCodes() {
    const typed = search ? search.value.trim().toLowerCase() : "";
    return Array.from(state.codes.values()).filter((code) =>
      !typed || code.path.toLowerCase().includes(typed));
  }

  function renderCodeList() {
    const codes = matchingCodes();
    codeList.replaceChildren();
    const usable = codes.filter((c) => !c.archived);
    if (!usable.some((c) => c.id === state.highlighted)) state.highlighted = usable.length ? usable[0].id : 0;
    codes.forEach((code) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.code = code.id;
      item.style.paddingLeft = (0.3 + code.depth * 1.1) + "rem";
      item.setAttribute("aria-selected", String(code.id === state.highlighted && !code.archived));
      if (code.archived) { item.classList.add("archived"); item.title = "Archived: no longer used for coding"; }
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = code.colour;
      item.append(swatch, document.createTextNode(code.name));
      if (code.shortcut) {
        const key = document.createElement("kbd");
        key.textContent = code.shortcut;
        item.appendChild(key);
      }
      codeList.appendChild(item);
    });
  }

  function moveHighlight(step) {
    const usable = matchingCodes().filter((c) => !c.archived);
    if (!usable.length) return;
    const index = usable.findIndex((c) => c.id === state.highlighted);
    state.highlighted = usable[(index + step + usable.length) % usable.length].id;
    renderCodeList();
    const item = codeList.querySelector('[aria-selected="true"]');
    if (item) item.scrollIntoView({block: "nearest"});
  }

  /* ---------- selection -> offsets ---------- */

  function boundaryOffset(node, offset) {
    let low = 0, high = paras.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const p = paras[middle];
      const range = document.createRange();
      range.selectNodeContents(p);
      const where = range.comparePoint(node, offset);
      if (where === 0) {
        range.setEnd(node, offset);
        return p.fwStart + pointCount(range.toString());
      }
      if (where < 0) high = middle - 1; else low = middle + 1;
    }
    if (low >= paras.length) return paras.length ? paras[paras.length - 1].fwEnd : 0;
    return paras[low].fwStart;
  }

  function readSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    if (!textEl.contains(range.commonAncestorContainer)) return null;
    const start = boundaryOffset(range.startContainer, range.startOffset);
    const end = boundaryOffset(range.endContainer, range.endOffset);
    return end > start ? {start, end} : null;
  }

  function noteSelection() {
    const chosen = readSelection();
    if (chosen) {
      state.selection = chosen;
      root.dispatchEvent(new CustomEvent("coding:selected", {detail: chosen}));
      if (inVivo) inVivo.disabled = !canAddCodes;
      if (playSelection) playSelection.disabled = false;
      say((chosen.end - chosen.start) + " characters selected" + (canCode ? ": choose a code." : ".")
          + " “" + preview(window.getSelection().toString()) + "”");
    }
  }

  /* The selected words as the status shows them (and a screen reader reads them): the start
     of a long selection. */
  function preview(text) {
    const points = Array.from(text.replace(/\s+/g, " ").trim());
    return points.length > PREVIEW_LENGTH ? points.slice(0, PREVIEW_LENGTH).join("") + "…" : points.join("");
  }

  /* The selection on screen wins over the one last noted: a key can arrive before the
     browser reports that the mouse was released. */
  function currentSelection() {
    const live = readSelection();
    if (live) state.selection = live;
    return state.selection;
  }

  function clearSelection() {
    state.selection = null;
    if (inVivo) inVivo.disabled = true;
    if (playSelection) playSelection.disabled = true;
    const selection = window.getSelection();
    if (selection) selection.removeAllRanges();
    say("");
  }

  /* ---------- selection from the keyboard ---------- */

  /* The DOM position of a character offset inside paragraph p (pieces hold code points). */
  function domPoint(p, offset) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let left = offset - p.fwStart;
    let last = null;
    while (walker.nextNode()) {
      const points = Array.from(walker.currentNode.data);
      if (left <= points.length) return [walker.currentNode, points.slice(0, left).join("").length];
      left -= points.length;
      last = walker.currentNode;
    }
    return last ? [last, last.data.length] : [p, 0];
  }

  /* Offsets between paragraphs (their blank lines) move to the nearest paragraph inside. */
  function selectOffsets(start, end) {
    const last = placeSelection(start, end);
    if (!last) return;
    noteSelection();
    last.scrollIntoView({block: "nearest"});
  }

  /* The words from start to end selected on screen; the last paragraph they are in. */
  function placeSelection(start, end) {
    const first = paras.find((p) => p.fwEnd > start);
    const last = paras.filter((p) => p.fwStart < end).pop();
    if (!first || !last) return null;
    start = Math.max(start, first.fwStart);
    end = Math.min(end, last.fwEnd);
    if (end <= start) return null;
    const range = document.createRange();
    range.setStart(...domPoint(first, start));
    range.setEnd(...domPoint(last, end));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return last;
  }

  function selectParagraph(step) {
    const chosen = currentSelection();
    let index;
    if (!chosen) index = step > 0 ? 0 : paras.length - 1;
    else if (step > 0) index = paras.findIndex((p) => p.fwStart >= chosen.end);
    else index = paras.map((p) => p.fwEnd <= chosen.start).lastIndexOf(true);
    if (index < 0) return;
    selectOffsets(paras[index].fwStart, paras[index].fwEnd);
  }

  const WORD = /[\p{L}\p{N}\p{M}'’-]/u;
  const HAN = /\p{Script=Han}/u;

  /* The character at offset: blank lines between paragraphs read as a space; none outside. */
  function pointAt(offset) {
    if (!paras.length || offset < paras[0].fwStart || offset >= paras[paras.length - 1].fwEnd) {
      return undefined;
    }
    const p = paras.find((q) => offset >= q.fwStart && offset < q.fwEnd);
    return p ? p.fwPoints[offset - p.fwStart] : " ";
  }

  /* The offset past the next word from `offset` in direction step (Han characters, written
     without spaces, count one by one). */
  function wordStep(offset, step) {
    const next = (at) => pointAt(step > 0 ? at : at - 1);
    let at = offset;
    while (next(at) !== undefined && !WORD.test(next(at))) at += step;
    if (next(at) !== undefined && HAN.test(next(at))) return at + step;
    while (next(at) !== undefined && WORD.test(next(at)) && !HAN.test(next(at))) at += step;
    return at;
  }

  function moveSelectionEdge(edge, step) {
    const chosen = currentSelection();
    if (!chosen) return;
    let {start, end} = chosen;
    if (edge === "end") end = wordStep(end, step); else start = wordStep(start, step);
    if (end > start) selectOffsets(start, end);
  }

  /* Up and down select paragraphs when the text was reached with Tab; after a click in it
     they scroll, as a reader expects. */
  let arrowsSelect = false;
  textEl.addEventListener("focus", () => { arrowsSelect = textEl.matches(":focus-visible"); });
  textEl.addEventListener("mousedown", () => { arrowsSelect = false; pointerHeld = true; });
  document.addEventListener("mouseup", () => { pointerHeld = false; drawWaiting(); });

  function selectWithKeys(event) {
    if (document.activeElement !== textEl) return false;
    const arrow = {ArrowDown: 1, ArrowUp: -1, ArrowRight: 1, ArrowLeft: -1}[event.key];
    if (!arrow || event.altKey || event.metaKey) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (event.shiftKey || event.ctrlKey || !arrowsSelect) return false;
      selectParagraph(arrow);
    } else if (event.shiftKey) {
      moveSelectionEdge(event.ctrlKey ? "start" : "end", arrow);
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  /* ---------- changes ---------- */

  function pushUndo(entry) {
    state.undo.push(entry);
    if (undoButton) undoButton.disabled = false;
  }

  async function applyCode(codeId, selection, memo) {
    const chosen = selection || currentSelection();
    if (!canCode) return;
    if (!chosen) { say("Select some words in the text first.", true); return; }
    const code = state.codes.get(codeId);
    if (!code || code.archived) return;
    try {
      const data = await send(cfg.applyUrl, {codes: [codeId], start: chosen.start, end: chosen.end,
                                             textVersion: state.textVersion, memo: memo || ""});
      const ids = data.codings.map((c) => c.id);
      data.codings.forEach(addCoding);
      if (!selection) pushUndo({kind: "apply", ids});
      render();
      say("Coded with “" + code.name + "”.");
    } catch (error) { say(error.message, true); }
  }

  function addCoding(payload) {
    if (state.codings.some((c) => c.id === payload.id)) return;
    if (modeSelect.value === "compare" || (codeFilter.value && Number(codeFilter.value) !== payload.code)) return;
    state.codings.push({id: payload.id, code: payload.code, coder: payload.coder, start: payload.start,
                        end: payload.end, review: payload.review, memo: payload.memo});
    state.codings.sort((x, y) => x.start - y.start || x.end - y.end || x.id - y.id);
  }

  async function codeInVivo() {
    if (!canAddCodes) {
      say("Only the lead adds codes to the codebook: choose an existing code, or write a memo to suggest one.", true);
      return;
    }
    if (!canCode || !state.selection) { say("Select the words that name the new code.", true); return; }
    try {
      const data = await send(cfg.inVivoUrl, {start: state.selection.start, end: state.selection.end,
                                              textVersion: state.textVersion});
      if (!state.codes.has(data.code.id)) state.codes.set(data.code.id, data.code);
      addCoding(data.coding);
      pushUndo({kind: "apply", ids: [data.coding.id]});
      renderCodeList();
      fillCodeFilter();
      render();
      say("New code “" + data.code.name + "” applied.");
    } catch (error) { say(error.message, true); }
  }

  async function removeCoding(id, remember) {
    try {
      const data = await send(codingUrl(id, "remove"));
      state.codings = state.codings.filter((c) => c.id !== id);
      if (state.active === id) { state.active = null; details.hidden = true; }
      if (remember) pushUndo({kind: "remove", data: data.undo});
      render();
      say("Coding removed.");
    } catch (error) { say(error.message, true); }
  }

  async function changeCode(id, codeId, remember) {
    try {
      const data = await send(codingUrl(id, "code"), {code: codeId});
      const coding = state.codings.find((c) => c.id === id);
      if (coding) coding.code = data.coding.code;
      if (remember) pushUndo({kind: "change", id, before: data.before});
      render();
      say("Code changed.");
    } catch (error) { say(error.message, true); }
  }

  async function undo() {
    const entry = state.undo.pop();
    if (undoButton) undoButton.disabled = !state.undo.length;
    if (!entry) return;
    if (entry.kind === "apply") {
      for (const id of entry.ids) await removeCoding(id, false);
    } else if (entry.kind === "remove") {
      await applyCode(entry.data.code, {start: entry.data.start, end: entry.data.end}, entry.data.memo);
    } else if (entry.kind === "change") {
      await changeCode(entry.id, entry.before, false);
    }
    say("Undone.");
  }

  /* ---------- details of codings ---------- */

  /* The page redraws the cards of the codings shown whenever it redraws (a colleague's
     coding, the refresh every 30 s). Cards of codings that did not change are left as they
     are, with whatever is being typed or clicked in them; a changed coding's card is made
     anew, a memo being written carried over to it, and a memo whose card is gone is shown
     in the status line, never dropped unsaid. Only the latest of overlapping calls puts its
     cards in. */
  let detailsShown = 0;
  let cardsShown = "";
  async function showDetails(ids) {
    const list = Array.isArray(ids) ? ids : [ids];
    const run = ++detailsShown;
    details.hidden = false;
    const codings = [];
    for (const id of list) {
      const response = await fetch(codingUrl(id), {credentials: "same-origin"});
      const coding = response.ok ? await response.json() : null;
      if (run !== detailsShown) return;
      if (coding) codings.push(coding);
    }
    if (JSON.stringify(codings) === cardsShown && detailsBody.childElementCount) return;
    putCards(codings);
  }

  function putCards(codings) {
    const typed = memosBeingWritten();
    detailsBody.replaceChildren(...codings.map(codingCard));
    cardsShown = JSON.stringify(codings);
    carryOver(typed);
  }

  function memosBeingWritten() {
    return Array.from(detailsBody.querySelectorAll(".coding-card textarea"))
      .filter((memo) => memo.value !== memo.dataset.saved)
      .map((memo) => ({coding: memo.closest(".coding-card").dataset.coding, value: memo.value,
                       focused: document.activeElement === memo,
                       from: memo.selectionStart, to: memo.selectionEnd}));
  }

  function carryOver(typed) {
    typed.forEach((was) => {
      const memo = detailsBody.querySelector(`.coding-card[data-coding="${was.coding}"] textarea`);
      if (!memo || memo.readOnly) {
        say(`The memo you were writing was not saved, as its coding is no longer shown: “${was.value}”`, true);
        return;
      }
      memo.value = was.value;
      if (was.focused) { memo.focus(); memo.setSelectionRange(was.from, was.to); }
    });
  }

  function codingCard(coding) {
    const card = document.createElement("div");
    card.className = "coding-card";
    card.dataset.coding = coding.id;
    const code = state.codes.get(coding.code);
    const head = document.createElement("div");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = code ? code.colour : "#999";
    const name = document.createElement("strong");
    name.textContent = " " + (code ? code.path : "?");
    head.append(swatch, name);
    const who = document.createElement("div");
    who.className = "muted small";
    who.textContent = "by " + coding.coderName + ", " + new Date(coding.created).toLocaleString() +
      (coding.fromSuggestion ? ", from a suggestion" : "");
    card.append(head, who,
                button("Passages like this", () => root.dispatchEvent(new CustomEvent("coding:like", {detail: coding.id}))));
    if (coding.review) {
      const warn = document.createElement("p");
      warn.className = "flash flash-warning small";
      warn.textContent = "The text was edited and most of these words were deleted: check this coding.";
      card.appendChild(warn);
    }
    const mine = coding.coder === state.me || state.isLead;
    const memo = document.createElement("textarea");
    memo.value = coding.memoText;
    memo.dataset.saved = memo.value;
    memo.placeholder = mine && canCode ? "Memo on this coding" : "No memo";
    memo.setAttribute("aria-label", "Memo on this coding");
    memo.readOnly = !(mine && canCode);
    card.appendChild(memo);
    if (mine && canCode) {
      const save = button("Save memo", async () => {
        try {
          const data = await send(codingUrl(coding.id, "memo"), {memo: memo.value});
          const local = state.codings.find((c) => c.id === coding.id);
          if (local) local.memo = data.coding.memo;
          render();
          say("Memo saved.");
        } catch (error) { say(error.message, true); }
      });
      const change = document.createElement("select");
      change.setAttribute("aria-label", "Change the code");
      state.codes.forEach((c) => {
        if (!c.archived || c.id === coding.code) change.add(new Option("\u2003".repeat(c.depth) + c.name, String(c.id), false, c.id === coding.code));
      });
      change.addEventListener("change", () => changeCode(coding.id, Number(change.value), true));
      const remove = button("Remove", () => removeCoding(coding.id, true));
      remove.classList.add("danger");
      card.append(save, change, remove);
      if (coding.review) {
        card.appendChild(button("It is right", async () => {
          try {
            await send(codingUrl(coding.id, "reviewed"));
            const local = state.codings.find((c) => c.id === coding.id);
            if (local) local.review = false;
            render();
          } catch (error) { say(error.message, true); }
        }));
      }
    }
    if (audio) {
      card.appendChild(button("Play from here", () => playFrom(coding.start)));
    }
    return card;
  }

  function button(text, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary small";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  /* ---------- audio ---------- */

  function playFrom(offset) {
    const p = paras.find((q) => offset >= q.fwStart && offset <= q.fwEnd);
    if (!audio || !p || p.dataset.t0 === undefined) return;
    const t0 = Number(p.dataset.t0), t1 = Number(p.dataset.t1);
    const share = (offset - p.fwStart) / Math.max(p.fwEnd - p.fwStart, 1);
    audio.currentTime = Math.max(0, t0 + (t1 - t0) * share);
    audio.play().catch(() => say("Press play on the player to hear the passage.", true));
  }

  /* ---------- events ---------- */

  textEl.addEventListener("mouseup", () => setTimeout(noteSelection, 0));
  textEl.addEventListener("keyup", noteSelection);
  document.addEventListener("selectionchange", () => {
    const chosen = readSelection();
    if (chosen) state.selection = chosen;
  });

  textEl.addEventListener("click", (event) => {
    const time = event.target.closest(".time");
    if (time && audio) { audio.currentTime = Number(time.dataset.t); audio.play().catch(() => {}); return; }
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    const bar = event.target.closest(".bar");
    const piece = event.target.closest(".piece.coded");
    if (bar) { state.active = Number(bar.dataset.coding); render(); }
    else if (piece) {
      const ids = piece.dataset.codings.split(" ").map(Number);
      state.active = ids[0];
      paras.forEach(renderParagraph);
      showDetails(ids);
    }
  });

  codeList.addEventListener("click", (event) => {
    const item = event.target.closest("li[data-code]");
    if (!item || item.classList.contains("archived")) return;
    state.highlighted = Number(item.dataset.code);
    renderCodeList();
    if (state.selection) applyCode(state.highlighted);
    else say("Select some words in the text first.", true);
  });

  if (search) {
    search.addEventListener("input", () => { state.highlighted = 0; renderCodeList(); });
    search.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { event.preventDefault(); moveHighlight(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); moveHighlight(-1); }
      else if (event.key === "Enter") {
        event.preventDefault();
        if (!state.highlighted) return;
        applyCode(state.highlighted);
        search.value = "";
        search.blur();
        renderCodeList();
      }
      else if (event.key === "Escape") { search.value = ""; renderCodeList(); textEl.focus(); }
    });
  }
  if (inVivo) inVivo.addEventListener("click", codeInVivo);
  if (playSelection) playSelection.addEventListener("click", () => {
    if (state.selection) playFrom(state.selection.start);
  });
  if (undoButton) undoButton.addEventListener("click", undo);

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !typing && canCode) {
      event.preventDefault(); undo(); return;
    }
    if (typing) return;
    if (selectWithKeys(event)) return;
    currentSelection();
    if (event.altKey && event.key.toLowerCase() === "v") { event.preventDefault(); codeInVivo(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") { clearSelection(); return; }
    if (event.key === "/" && search) { event.preventDefault(); search.focus(); return; }
    if (!canCode || !state.selection) return;
    const key = event.key.toLowerCase();
    const code = Array.from(state.codes.values()).find((c) => c.shortcut === key && !c.archived);
    if (code) { event.preventDefault(); applyCode(code.id); }
  });

  /* ---------- live: the others' changes, received by static/js/live.js ---------- */

  /* Offsets count in the text drawn on this page: a coding of a newer text would land on
     other words, so the page keeps its own text's version and says when there is a newer. */
  const pageTextVersion = Number(cfg.textVersion);
  let pointerHeld = false;
  let waitingDraw = null;
  let liveLoadTimer = null;

  function noteTextVersion(version) {
    state.textVersion = pageTextVersion;
    if (version !== pageTextVersion) textChanged();
  }

  function textChanged() {
    const notice = document.getElementById("text-changed");
    if (notice) notice.hidden = false;
  }

  function loadSoon() {
    clearTimeout(liveLoadTimer);
    liveLoadTimer = setTimeout(() => (selecting() ? loadSoon() : load()), 200);
  }

  /* Redrawing the text would drop the words someone is selecting, or is about to select
     with the mouse button still down: the drawing waits until they are done. A whole
     redraw (redrawKeepingSelection) covers a waiting redraw of the paragraphs. */
  function selecting() {
    return pointerHeld || Boolean(readSelection());
  }

  function drawWhenFree(draw, busy = selecting) {
    if (busy()) { waitingDraw = waitingDraw === redrawKeepingSelection ? waitingDraw : draw; return; }
    waitingDraw = null;
    draw();
  }

  function drawWaiting() {
    if (waitingDraw) drawWhenFree(waitingDraw);
  }

  function drawParagraphs() {
    paras.forEach(renderParagraph);
  }

  function receiveLive(change) {
    if (change.kind === "text") { textChanged(); return; }
    // a load under way may have read the codings before this change: it asks again
    changesMade += 1;
    if (change.kind === "reload" || modeSelect.value === "compare") { loadSoon(); return; }
    const payload = change.coding;
    if (!payload) return;
    const local = state.codings.find((c) => c.id === payload.id);
    if (change.op === "remove") {
      state.codings = state.codings.filter((c) => c.id !== payload.id);
      if (state.active === payload.id) {
        state.active = null;
        details.hidden = true;
        putCards([]);
      }
    } else if (local) {
      Object.assign(local, payload);
      if (codeFilter.value && Number(codeFilter.value) !== local.code) {
        state.codings = state.codings.filter((c) => c !== local);
      }
    } else if (change.kind === "coding" && (modeSelect.value !== "mine" || change.coder === state.me)) {
      addCoding(Object.assign({memo: false}, payload));
    }
    drawWhenFree(drawParagraphs);
  }

  root.addEventListener("fieldwork:live", (event) => receiveLive(event.detail));
  document.addEventListener("selectionchange", drawWaiting);

  function showCompare() {
    root.querySelectorAll(".compare-only").forEach((el) => { el.hidden = modeSelect.value !== "compare"; });
  }
  [modeSelect, coderA, coderB, codeFilter].forEach((el) => el.addEventListener("change", () => {
    showCompare(); state.active = null; details.hidden = true; load();
  }));
  window.addEventListener("resize", () => paras.forEach((p) => drawBars(p, codingsIn(p.fwStart, p.fwEnd).filter((c) => c.end > c.start))));
  setInterval(() => { if (document.visibilityState === "visible" && !state.selection) load(); }, 30000);

  function showRequestedPlace() {
    // Only when the address asks for a place (?at=N, e.g. from an excerpt): Number(null) is 0.
    const asked = new URLSearchParams(window.location.search).get("at");
    const at = asked === null || asked === "" ? NaN : Number(asked);
    if (!Number.isFinite(at)) return;
    const p = paras.find((q) => at >= q.fwStart && at <= q.fwEnd);
    if (!p) return;
    const piece = Array.from(p.children).filter((s) => Number(s.dataset.a) <= at).pop() || p;
    piece.classList.add("requested");
    piece.scrollIntoView({block: "center"});
  }

  /* Another script (suggestions.js) asks for this after it made codings. */
  root.addEventListener("coding:reload", load);

  showCompare();
  load().then(showRequestedPlace);
})();
