// Every page with htmx: a new request clears the last message (not the fragments that load themselves).
"use strict";
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.elt.getAttribute("hx-trigger") !== "load") {
    const messages = document.getElementById("messages");
    if (messages) messages.replaceChildren();
  }
});
// A button marked data-print prints the page (the printable notice sheet).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
