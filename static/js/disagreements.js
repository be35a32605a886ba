// The disagreements page: settle the current disagreement with a key (A, B, K, M, D, U),
// move with N / P or the arrow keys. A decision is sent as the form would send it; the
// page that comes back replaces this one's content, and the next disagreement to settle
// takes the focus. Without this script the forms work as they are.
"use strict";

(() => {
  const segments = () => [...document.querySelectorAll(".segment[data-segment]")];
  const unsettled = (segment) => !segment.classList.contains("settled");

  function focusSegment(segment) {
    if (!segment) return;
    segment.focus({ preventScroll: true });
    segment.scrollIntoView({ block: "nearest" });
  }

  function current() {
    const focused = document.activeElement && document.activeElement.closest(".segment[data-segment]");
    return focused || segments().find(unsettled) || segments()[0];
  }

  function move(step) {
    const all = segments();
    const at = all.indexOf(current());
    focusSegment(all[Math.min(all.length - 1, Math.max(0, at + step))]);
  }

  // After a decision: the next disagreement still to settle (or the same one after an undo).
  function focusAfter(key, undone) {
    const all = segments();
    const at = all.findIndex((segment) => segment.dataset.segment === key);
    const next = undone ? all[at]
      : all.slice(at + 1).find(unsettled) || all.find(unsettled) || all[at];
    focusSegment(next);
  }

  async function settle(form, button) {
    const key = form.closest(".segment").dataset.segment;
    const data = new FormData(form);
    data.set("action", button.value);
    form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    // form.action would be the buttons named "action": the attribute is the address
    const response = await fetch(form.getAttribute("action"), { method: "POST", body: data });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const main = page.getElementById("main");
    if (!response.ok || !main) {
      window.location.reload();
      return;
    }
    document.getElementById("main").replaceChildren(...main.childNodes);
    focusAfter(key, button.value === "undo");
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.settle");
    if (!form || !event.submitter) return;
    event.preventDefault();
    settle(form, event.submitter);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea")) return;
    const key = event.key.toLowerCase();
    if (key === "n" || key === "arrowdown") {
      event.preventDefault();
      move(1);
      return;
    }
    if (key === "p" || key === "arrowup") {
      event.preventDefault();
      move(-1);
      return;
    }
    const segment = current();
    const button = segment && segment.querySelector(`form.settle button[data-key="${key}"]`);
    if (button && !button.disabled) {
      event.preventDefault();
      button.form.requestSubmit(button);
    }
  });

  // Opened at a disagreement (the page a decision sent back without this script): the next
  // one to settle from there has the focus.
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (target && target.matches(".segment[data-segment]")) {
    focusSegment(segments().slice(segments().indexOf(target)).find(unsettled) || target);
  }
})();
