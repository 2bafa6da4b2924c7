// The kiosk: end a session after the idle time, with a countdown in the last 10 seconds; take every card the
// scanner reads, whatever has focus; and give every field a kiosk user fills an on-screen keypad (the counter
// has no keyboard).
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

  // The scanner types a card's code fast and ends with Enter. Keys arriving that fast are a card wherever they
  // land: outside a field meant for the scanner (data-scan) they are taken out of the field they fell into and start that card's session,
  // so a card scanned while a form is open is never lost. A finger on the keypad sends no keys at all.
  const scan = document.querySelector("input[data-scan]");
  const rescan = document.getElementById("rescan");
  let typed = "";
  let lastKey = 0;
  document.addEventListener("keydown", (event) => {
    const now = Date.now();
    if (now - lastKey > 60) typed = "";
    lastKey = now;
    if (event.key !== "Enter") {
      if (event.key.length === 1) typed += event.key;
      return;
    }
    const code = typed;
    typed = "";
    if (code.length < 6 || !rescan || (event.target.matches && event.target.matches("[data-scan]"))) return;
    event.preventDefault();
    const field = event.target.closest ? event.target.closest("input, textarea") : null;
    if (field && field.value.endsWith(code)) field.value = field.value.slice(0, -code.length);
    rescan.elements.code.value = code;
    rescan.submit();
  }, true);
  if (scan) {
    scan.focus();
    document.addEventListener("click", (event) => {
      if (!event.target.closest("details, a, button, input, select, textarea, label, .keypad")) scan.focus();
    });
  }

  // On-screen keypads: an input with data-keypad="digits" or "letters" (letters, digits and a dash) gets keys
  // under its form, large enough for a gloved finger. The keys type into the form's field last tapped (the
  // first one to begin with) and never take the focus from it, so no system keyboard opens.
  const LETTERS = ["1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM"];
  const DIGITS = ["123", "456", "789"];
  function key(label, action, wide) {
    const button = document.createElement("button");
    button.type = "button";
    button.tabIndex = -1;
    button.className = "key" + (wide ? " wide" : "");
    button.textContent = label;
    button.addEventListener("pointerdown", (event) => event.preventDefault());
    button.addEventListener("click", action);
    return button;
  }
  document.querySelectorAll("form").forEach((form) => {
    const fields = Array.from(form.querySelectorAll("input[data-keypad]"));
    if (!fields.length) return;
    // The keys go to the field last tapped, marked so that the eye sees where; first the one marked to begin.
    let target = fields.find((field) => field.hasAttribute("data-keypad-first")) || fields[0];
    const aim = (field) => {
      fields.forEach((other) => other.classList.toggle("keypad-target", other === field));
      target = field;
    };
    aim(target);
    fields.forEach((field) => {
      field.setAttribute("inputmode", "none");
      field.addEventListener("focus", () => aim(field));
    });
    const letters = fields.some((field) => field.dataset.keypad === "letters");
    const pad = document.createElement("div");
    pad.className = "keypad" + (letters ? " letters" : "");
    const type = (text) => {
      const max = target.maxLength > 0 ? target.maxLength : 64;
      if (target.value.length < max) target.value += text;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    };
    let lower = false;
    const cased = (ch) => (lower ? ch.toLowerCase() : ch);
    (letters ? LETTERS : DIGITS).forEach((row) => {
      const line = document.createElement("div");
      line.className = "keys";
      Array.from(row).forEach((ch) => line.appendChild(key(ch, (event) => type(cased(event.currentTarget.textContent)))));
      pad.appendChild(line);
    });
    const last = document.createElement("div");
    last.className = "keys";
    if (letters) {
      last.appendChild(key("abc", (event) => {
        lower = !lower;
        event.currentTarget.textContent = lower ? "ABC" : "abc";
        pad.querySelectorAll(".key").forEach((k) => {
          if (k.textContent.length === 1 && /[A-Za-z]/.test(k.textContent)) k.textContent = cased(k.textContent.toUpperCase());
        });
      }, true));
    }
    last.appendChild(key("⌫", () => {
      target.value = target.value.slice(0, -1);
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }, true));
    if (!letters) last.appendChild(key("0", () => type("0")));
    last.appendChild(key("✕", () => { target.value = ""; target.dispatchEvent(new Event("input", { bubbles: true })); }));
    pad.appendChild(last);
    const place = form.querySelector("[data-keypad-here]");
    if (place) place.appendChild(pad); else form.appendChild(pad);
  });

  // A phrase chip adds its words to the text a kiosk user would otherwise have to type.
  document.querySelectorAll("[data-phrase]").forEach((chip) => {
    chip.addEventListener("click", () => {
      const box = document.getElementById(chip.dataset.for);
      if (!box) return;
      box.value = box.value ? box.value + "；" + chip.dataset.phrase : chip.dataset.phrase;
    });
  });
})();
