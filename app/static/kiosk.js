// The kiosk: put the next screen in place after a scan; end a session after the idle time, with a countdown in
// the last 10 seconds; take every card the scanner reads, whatever has focus; and give every field a kiosk user
// fills an on-screen keypad (the counter has no keyboard).
(function () {
  "use strict";
  // The idle timer: the screen in view says how long it waits (data-idle-seconds on its body) and where it goes
  // then; any touch or key starts the wait again. One timer for the kiosk's whole life, whatever screen is in.
  let last = Date.now();
  const countdown = () => document.getElementById("countdown");
  const stay = () => { last = Date.now(); const box = countdown(); if (box) box.hidden = true; };
  ["pointerdown", "keydown", "htmx:afterRequest"].forEach((name) => document.addEventListener(name, stay));
  setInterval(() => {
    const idle = parseInt(document.body.dataset.idleSeconds || "0", 10);
    if (idle <= 0) return;
    const left = idle - Math.floor((Date.now() - last) / 1000);
    const box = countdown();
    if (left <= 0) {
      window.location.href = document.body.dataset.idleUrl;
    } else if (left <= 10 && box) {
      box.hidden = false;
      box.querySelector("span").textContent = String(left);
    }
  }, 250);

  // A scan (or number + PIN, or a confirmation) answers with the next screen, put in place of this one without
  // loading a new page: the employee's points show as soon as the server has answered. A refusal is a screen like any other
  // (the kiosk's own, with the scan field). Anything else (a redirect, a lost connection) loads as a page.
  async function inPlace(form) {
    if (form.dataset.sending) return; // a second tap while the first is on its way
    form.dataset.sending = "";
    let response;
    try {
      response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    } catch (lost) {
      form.submit();
      return;
    }
    if (response.redirected) {
      window.location.href = response.url;
      return;
    }
    if (!(response.headers.get("Content-Type") || "").startsWith("text/html")) {
      form.submit();
      return;
    }
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    document.title = next.title;
    document.documentElement.lang = next.documentElement.lang;
    document.body.replaceWith(next.body);
    stay();
    screen();
    // The fragments that load themselves (the shelf, the notice list) are asked for once the screen is painted.
    if (window.htmx) requestAnimationFrame(() => setTimeout(() => window.htmx.process(document.body), 0));
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("form[data-in-place]") || !window.fetch) return;
    event.preventDefault();
    inPlace(form);
  });

  // The scanner types a card's code fast and ends with Enter. Keys arriving that fast are a card wherever they
  // land: outside a field meant for the scanner (data-scan) they are taken out of the field they fell into and
  // start that card's session, so a card scanned while a form is open is never lost. A finger on the keypad
  // sends no keys at all.
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
    const rescan = document.getElementById("rescan");
    if (code.length >= 6 && event.target.matches && event.target.matches("[data-scan]")) {
      // A scan replaces what a finger had tapped into the scanner's field before it: what came after the last tap.
      const tapped = parseInt(event.target.dataset.tapped || "0", 10);
      if (tapped > 0) event.target.value = event.target.value.slice(tapped);
      delete event.target.dataset.tapped;
      return;
    }
    if (code.length < 6 || !rescan) return;
    event.preventDefault();
    const field = event.target.closest ? event.target.closest("input, textarea") : null;
    if (field && field.value.endsWith(code)) field.value = field.value.slice(0, -code.length);
    rescan.elements.code.value = code;
    rescan.requestSubmit();
  }, true);
  document.addEventListener("click", (event) => {
    const scan = document.querySelector("input[data-scan]");
    if (scan && !event.target.closest("details, a, button, input, select, textarea, label, .keypad")) scan.focus();
  });

  // What each screen sets up when it comes in: its address, the scan field's focus, keypads and phrase chips.
  function screen() {
    const body = document.body;
    // A scan or a confirmation answers with the next screen at once; the address bar then names that screen,
    // so a reload shows it again instead of repeating the request.
    if (body.dataset.pageUrl && window.location.pathname !== body.dataset.pageUrl) {
      window.history.replaceState(null, "", body.dataset.pageUrl);
    }
    const scan = document.querySelector("input[data-scan]");
    if (scan) scan.focus();
    keypads();
    chips();
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
  function keypads() {
    document.querySelectorAll("form:not([data-keypads])").forEach((form) => {
      const fields = Array.from(form.querySelectorAll("input[data-keypad]"));
      if (!fields.length) return;
      form.dataset.keypads = "";
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
      pad.addEventListener("pointerdown", (event) => event.preventDefault()); // a tap between keys keeps the focus
      // Where the finger's typing ends, so that a scan into the same field can take its place (see keydown).
      const tapped = () => { target.dataset.tapped = String(target.value.length); };
      const type = (text) => {
        const max = target.maxLength > 0 ? target.maxLength : 64;
        if (target.value.length < max) target.value += text;
        tapped();
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
        tapped();
        target.dispatchEvent(new Event("input", { bubbles: true }));
      }, true));
      if (!letters) last.appendChild(key("0", () => type("0")));
      last.appendChild(key("✕", () => { target.value = ""; tapped(); target.dispatchEvent(new Event("input", { bubbles: true })); }));
      pad.appendChild(last);
      const place = form.querySelector("[data-keypad-here]");
      if (place) place.appendChild(pad); else form.appendChild(pad);
    });
  }

  function chips() {
    // A phrase chip adds its words to the text a kiosk user would otherwise have to type.
    document.querySelectorAll("[data-phrase]:not([data-ready])").forEach((chip) => {
      chip.dataset.ready = "";
      chip.addEventListener("click", () => {
        const box = document.getElementById(chip.dataset.for);
        if (!box) return;
        box.value = box.value ? box.value + "；" + chip.dataset.phrase : chip.dataset.phrase;
      });
    });
  }

  screen();
})();
