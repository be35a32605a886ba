// The coding page's JSON requests and its status line, shared by its scripts (coding.js,
// suggestions.js): a refusal comes back as an Error with the server's words.
"use strict";

window.fieldworkRequests = {
  say(status, message, isError) {
    status.textContent = message;
    status.title = message;
    status.classList.toggle("error", Boolean(isError));
  },

  async send(url, payload, csrf) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(payload || {}),
    });
    const data = await window.fieldworkRequests.answer(response);
    if (!response.ok) throw new Error(data.error || "The server refused the change (" + response.status + "). Reload the page.");
    return data;
  },

  async getJson(url) {
    const response = await fetch(url, {credentials: "same-origin"});
    const data = await window.fieldworkRequests.answer(response);
    if (!response.ok) throw new Error(data.error || "This could not be loaded (" + response.status + "). Reload the page.");
    return data;
  },

  async answer(response) {
    try { return await response.json(); } catch (e) { return {}; }
  },
};
