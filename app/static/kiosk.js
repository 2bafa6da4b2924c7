// The kiosk: end an employee's session after the idle time, with a countdown in the last 10 seconds,
// and keep the scan field focused so the card scanner always types into it.
(function () {
  "use strict";
  const body = document.body;
  // A scan or a confirmation answers with the next screen at once; the address bar then names that screen,
  // so a reload shows it again instead of repeating the request.
  if (body.dataset.pageUrl && window.location.pathname !== body.dataset.pageUrl) {
    window.history.replaceState(null, "", body.dataset.pageUrl);
  }
  const idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (idle > 0) {
    const box = document.getElementById("countdown");
    let last = Date.now();
    const reset = () => { last = Date.now(); if (box) box.hidden = true; };
    ["pointerdown", "keydown", "htmx:afterRequest"].forEach((name) => document.addEventListener(name, reset));
    setInterval(() => {
      const left = idle - Math.floor((Date.now() - last) / 1000);
      if (left <= 0) {
        window.location.href = body.dataset.idleUrl;
      } else if (left <= 10 && box) {
        box.hidden = false;
        box.querySelector("span").textContent = String(left);
      }
    }, 250);
  }
  // On an employee's screen the scanner types into no field: keys arriving fast (a scanner, not a finger)
  // and ending with Enter are a card, and start that card's session.
  const rescan = document.getElementById("rescan");
  if (rescan) {
    let typed = "";
    let lastKey = 0;
    document.addEventListener("keydown", (event) => {
      if (event.target.closest("input, textarea, select")) return;
      const now = Date.now();
      if (now - lastKey > 100) typed = "";
      lastKey = now;
      if (event.key === "Enter" && typed.length >= 6) {
        rescan.elements.code.value = typed;
        typed = "";
        rescan.submit();
      } else if (event.key.length === 1) {
        typed += event.key;
      }
    });
  }
  const scan = document.querySelector("input[inputmode=none]");
  if (scan) {
    scan.focus();
    document.addEventListener("click", (event) => {
      if (!event.target.closest("details, a, button, input")) scan.focus();
    });
  }
})();
