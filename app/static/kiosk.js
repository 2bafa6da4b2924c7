// The kiosk: end an employee's session after the idle time, with a countdown in the last 10 seconds,
// and keep the scan field focused so the card scanner always types into it.
(function () {
  "use strict";
  const body = document.body;
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
  const scan = document.querySelector("input[name=code][inputmode=none]");
  if (scan) {
    scan.focus();
    document.addEventListener("click", (event) => {
      if (!event.target.closest("details, a, button, input")) scan.focus();
    });
  }
})();
