/* Code suggestions on the coding page: ask for them (a background task), see them as dashed
   highlights with their code, accept or reject each with a key or a button; and find the
   passages of the project like the selection or a coding, and code them from the list.
   Talks to static/js/coding.js only through events on #coding. Offsets count code points. */
(function () {
  "use strict";
  const panel = document.getElementById("suggestions");
  const root = document.getElementById("coding");
  if (!panel || !root) return;
  const cfg = panel.dataset;
  const textEl = document.getElementById("source-text");
  const list = document.getElementById("suggestion-list");
  const askButton = document.getElementById("suggest-codes");
  const scope = document.getElementById("suggest-scope");
  const modelNote = document.getElementById("suggest-model");
  const hint = document.getElementById("suggest-hint");
  const likeButton = document.getElementById("like-selection");
  const likeList = document.getElementById("like-list");
  const status = document.getElementById("coding-status");
  const POLL_MS = 500;
  const layer = document.createElement("div");
  layer.className = "suggestion-layer";
  layer.setAttribute("aria-hidden", "true");
  textEl.appendChild(layer);

  let suggestions = [];
  let codes = [];
  let selection = null;

  const requests = window.fieldworkRequests;
  function say(message, isError) { requests.say(status, message, isError); }
  function send(url, payload) { return requests.send(url, payload, root.dataset.csrf); }
  const getJson = requests.getJson;

  function withId(url, id) { return url.replace(/\/0\//, "/" + id + "/"); }

  /* ---------- asking and listing ---------- */

  function show(data) {
    suggestions = data.suggestions;
    codes = data.codes;
    if (modelNote) modelNote.textContent = "Model: " + data.model + ". Licence: " + data.licence + ". Runs on this server; no text is sent anywhere.";
    renderList();
    drawMarks();
  }

  async function refresh() {
    if (!list) return;
    try { show(await getJson(cfg.listUrl)); } catch (error) { say(error.message, true); }
  }

  async function ask() {
    askButton.disabled = true;
    say("Looking for passages to suggest…");
    try {
      const started = await send(cfg.askUrl, {scope: scope.value});
      let data = await getJson(started.url);
      while (data.state === "queued" || data.state === "running") {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        data = await getJson(started.url);
      }
      if (data.state !== "done") throw new Error("The suggestions could not be made: " + (data.error || data.state) + ".");
      show(data);
      say(suggestions.length ? suggestions.length + " suggestions: accept or reject each in the list." : "Nothing to suggest here: code a few passages first, or fill in the codes' definitions.");
      const first = list.querySelector("li");
      if (first) first.focus();
    } catch (error) { say(error.message, true); }
    askButton.disabled = false;
  }

  function renderList() {
    list.replaceChildren();
    hint.hidden = !suggestions.length;
    suggestions.forEach((s) => {
      const item = document.createElement("li");
      item.tabIndex = 0;
      item.dataset.suggestion = s.id;
      item.setAttribute("aria-label", "Suggested: " + s.codeName + " for “" + s.quote + "”. " + s.reason);
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = s.colour;
      const name = document.createElement("strong");
      name.textContent = s.codeName;
      const quote = document.createElement("q");
      quote.textContent = s.quote;
      const reason = document.createElement("span");
      reason.className = "muted small reason";
      reason.textContent = s.reason;
      const accept = smallButton("Accept", () => decide(s.id, true));
      const reject = smallButton("Reject", () => decide(s.id, false));
      reject.classList.add("danger");
      item.append(swatch, name, quote, reason, accept, reject);
      item.addEventListener("focus", () => focusMark(s.id));
      list.appendChild(item);
    });
  }

  function smallButton(text, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary small";
    b.textContent = text;
    b.tabIndex = -1;
    b.addEventListener("click", (event) => { event.stopPropagation(); onClick(); });
    return b;
  }

  async function decide(id, accepting) {
    const s = suggestions.find((x) => x.id === id);
    if (!s) return;
    const items = Array.from(list.querySelectorAll("li"));
    const at = items.findIndex((li) => Number(li.dataset.suggestion) === id);
    try {
      const answer = await send(withId(accepting ? cfg.acceptUrl : cfg.rejectUrl, id));
      suggestions = suggestions.filter((x) => x.id !== id);
      renderList();
      drawMarks();
      say(!accepting ? "Suggestion rejected: it will not be offered again."
        : answer.byHand ? "You had already coded these words with “" + s.codeName + "” by hand: your coding is left as it was."
          : "Coded with “" + s.codeName + "”, from a suggestion.");
      if (accepting) root.dispatchEvent(new CustomEvent("coding:reload"));
      const next = list.querySelectorAll("li")[Math.min(at, suggestions.length - 1)];
      if (next) next.focus();
    } catch (error) { say(error.message, true); }
  }

  /* ---------- dashed highlights ---------- */

  function domPoint(p, offset) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let left = offset - Number(p.dataset.start);
    let node = walker.nextNode(), last = null;
    while (node) {
      const points = Array.from(node.nodeValue);
      if (left <= points.length) return [node, points.slice(0, left).join("").length];
      left -= points.length;
      last = node;
      node = walker.nextNode();
    }
    return last ? [last, last.nodeValue.length] : [p, 0];
  }

  function rangeOf(start, end) {
    const paras = Array.from(textEl.querySelectorAll(".para-text"));
    const first = paras.find((p) => start >= Number(p.dataset.start) && start < Number(p.dataset.end));
    const last = paras.find((p) => end > Number(p.dataset.start) && end <= Number(p.dataset.end));
    if (!first || !last) return null;
    const range = document.createRange();
    range.setStart(...domPoint(first, start));
    range.setEnd(...domPoint(last, end));
    return range;
  }

  function drawMarks() {
    layer.replaceChildren();
    const box = textEl.getBoundingClientRect();
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#suggestion-list li");
    suggestions.forEach((s) => {
      const range = rangeOf(s.start, s.end);
      if (!range) return;
      Array.from(range.getClientRects()).filter((rect) => rect.width).forEach((rect, i) => {
        const mark = document.createElement("div");
        mark.className = "suggestion-mark";
        mark.dataset.suggestion = s.id;
        mark.style.borderColor = s.colour;
        mark.style.left = (rect.left - box.left + textEl.scrollLeft) + "px";
        mark.style.top = (rect.top - box.top + textEl.scrollTop) + "px";
        mark.style.width = rect.width + "px";
        mark.style.height = rect.height + "px";
        if (i === 0) {
          const tag = document.createElement("span");
          tag.className = "suggestion-tag";
          tag.textContent = s.codeName + "?";
          tag.style.backgroundColor = s.colour;
          mark.appendChild(tag);
        }
        layer.appendChild(mark);
      });
    });
    if (focused) focusMark(Number(focused.dataset.suggestion));
  }

  function focusMark(id) {
    layer.querySelectorAll(".suggestion-mark").forEach((m) => m.classList.toggle("focused", Number(m.dataset.suggestion) === id));
    const mark = layer.querySelector('.suggestion-mark[data-suggestion="' + id + '"]');
    if (mark) mark.scrollIntoView({block: "center"});
  }

  /* ---------- passages like this ---------- */

  async function findLike(query) {
    try {
      const data = await getJson(cfg.likeUrl + "?" + new URLSearchParams(query).toString());
      renderLike(data.passages);
      say(data.passages.length + " passages like this, most alike first.");
    } catch (error) { say(error.message, true); }
  }

  function renderLike(passages) {
    likeList.replaceChildren();
    likeList.hidden = false;
    passages.forEach((p) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.title;
      const share = document.createElement("span");
      share.className = "muted small";
      share.textContent = " " + Math.round(p.similarity * 100) + " % alike" + (p.codes.length ? ", already coded" : "");
      const quote = document.createElement("q");
      quote.textContent = p.text;
      item.append(link, share, quote);
      if (list && codes.length) item.appendChild(codeForm(p));
      likeList.appendChild(item);
    });
  }

  function codeForm(p) {
    const form = document.createElement("div");
    form.className = "like-code";
    const choose = document.createElement("select");
    choose.setAttribute("aria-label", "Code to apply");
    codes.forEach((c) => choose.add(new Option(c.name, String(c.id))));
    const apply = smallButton("Code it", async () => {
      try {
        await send(p.applyUrl, {codes: [Number(choose.value)], start: p.start, end: p.end, textVersion: p.textVersion});
        apply.disabled = true;
        apply.textContent = "Coded";
        if (p.source === Number(cfg.source)) root.dispatchEvent(new CustomEvent("coding:reload"));
        say("Coded with “" + choose.selectedOptions[0].text + "” in “" + p.title + "”.");
      } catch (error) { say(error.message, true); }
    });
    apply.tabIndex = 0;
    form.append(choose, apply);
    return form;
  }

  /* ---------- events ---------- */

  if (askButton) askButton.addEventListener("click", ask);
  if (list) list.addEventListener("keydown", (event) => {
    const item = event.target.closest("li[data-suggestion]");
    if (!item) return;
    const id = Number(item.dataset.suggestion);
    const key = event.key.toLowerCase();
    let handled = true;
    if (key === "a" || key === "enter") decide(id, true);
    else if (key === "r" || key === "delete" || key === "backspace") decide(id, false);
    else if (key === "arrowdown" && item.nextElementSibling) item.nextElementSibling.focus();
    else if (key === "arrowup" && item.previousElementSibling) item.previousElementSibling.focus();
    else handled = false;
    if (handled) { event.preventDefault(); event.stopPropagation(); }
  });
  root.addEventListener("coding:selected", (event) => { selection = event.detail; });
  root.addEventListener("coding:like", (event) => findLike({coding: event.detail}));
  root.addEventListener("coding:rendered", drawMarks);
  likeButton.addEventListener("click", () => {
    if (!selection) { say("Select some words in the text first.", true); return; }
    findLike({source: cfg.source, start: selection.start, end: selection.end});
  });
  window.addEventListener("resize", drawMarks);
  refresh();
})();
