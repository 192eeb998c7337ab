// Live parts of a page (the helper's offers and visits, the customer's request): each element
// with data-live-url is fetched again from the server when an event about it arrives over the
// socket; the server renders, this script only signals. Without a socket the part's own polling
// (hx-trigger) goes on as before.
//
//   data-live-url      the URL that renders the part again (htmx request, outerHTML swap)
//   data-live-events   the event names (prefixes) that concern it, e.g. "offer. booking."
//   data-live-booking  only the events whose data names this booking...
//   data-live-request  ...or this help request (with both: either one)
//   data-live-append   the id of a log in the part (a visit's chat, role="log") that stays:
//                      only the entries after its last one (data-message) are fetched
//                      (?after=<id>) and added at its end, so that each is announced once
//   data-live-reread   the event names after which the log's entries are read again and
//                      their words changed in place (contacts shown or masked as the visit
//                      now stands), without announcing them again
//
// When an offer shown on the page is withdrawn, the part is asked again with ?gone=<offer>,
// and the server says kindly whether another helper was faster. Offers count down by the
// second (data-expires-at).
//
// A part's news is said by a live region outside it (data-live-status names the request's or
// the visit's status box; the helper's offers have one of their own): the region stays in the
// page and only its words change, brought by the part's response (hx-swap-oob), and only when
// they say something else, since screen readers announce a region's change but not a region
// that comes anew, and would read the same words again at every poll. The helper's page says
// which offers it shows (?shown=<offer>), so that its answer can say how many are new.
//
// A part (live or polling) is never replaced while the person is filling in one of its forms
// (a reason, a report, a note: a field to type in or choose from has the focus, or a field
// differs from what the page gave):
// only its status words are brought up to date, and the whole part once the form
// is sent, or left as it was.
//
// A form the page gave back refused (its problems listed with it, data-error-summary: a
// decline without a reason, a visit's step) stays as it is when its part is redrawn, with its
// problems and what was typed, until it is sent again: the redrawn part takes it in place of
// its own form to the same address (opened, if it stands in a <details>). The page shows a
// refused form once (post/redirect/get); a redraw is not a new showing. A part that no longer
// has that form (the offer gone, the step past) redraws without it.
(function () {
  "use strict";

  function liveParts() {
    return Array.from(document.querySelectorAll("[data-live-url]"));
  }

  function concerns(part, frame, events) {
    const prefixes = (events || "").split(" ").filter(Boolean);
    if (!prefixes.some((prefix) => frame.event.startsWith(prefix))) {
      return false;
    }
    const named = [
      ["booking", part.dataset.liveBooking],
      ["help_request", part.dataset.liveRequest],
    ].filter(([, id]) => id);
    return named.length === 0 || named.some(([key, id]) => frame.data && frame.data[key] === id);
  }

  function refresh(part, frame) {
    const log = part.dataset.liveAppend ? document.getElementById(part.dataset.liveAppend) : null;
    if (log) {
      // Only what came after the last entry shown (?after=, added when the request goes, so
      // that one queued behind another asks after what that one added), at the log's end.
      window.htmx.ajax("GET", part.dataset.liveUrl, { source: log, target: log, swap: "beforeend" });
      return;
    }
    const queue = queues.get(part.id) || { busy: false, waiting: null };
    queues.set(part.id, queue);
    queue.waiting = queue.waiting || { gone: [] };
    if (frame.event === "offer.withdrawn" && frame.data && frame.data.offer) {
      queue.waiting.gone.push(frame.data.offer);
    }
    if (!queue.busy) {
      sendWaiting(part.id);
    }
  }

  // Each part has a queue of its own, kept by its id (each refresh replaces the element): one
  // request at a time, and the news that comes meanwhile waits in one more, which asks for all
  // of it (every offer gone). The parts used to share htmx's queue on <body>, which keeps only
  // the latest waiting request: a refresh asked between two others was dropped, and with it the
  // words saying that an offer went to another helper.
  const queues = new Map();
  // The parts whose own request (a poll) is under way. (Not htmx's class on the part: a part
  // just redrawn wears its predecessor's classes until it settles.)
  const asking = new WeakSet();

  function sendWaiting(id) {
    const queue = queues.get(id);
    const part = document.getElementById(id);
    if (queue.waiting === null || part === null) {
      queue.busy = false;
      return;
    }
    queue.busy = true;
    if (asking.has(part)) {
      // The part's own poll is under way: the news is asked once it has been answered.
      part.addEventListener("htmx:afterRequest", () => sendWaiting(id), { once: true });
      return;
    }
    const waiting = queue.waiting;
    queue.waiting = null;
    let url = part.dataset.liveUrl;
    waiting.gone.forEach((offer) => {
      url += (url.includes("?") ? "&" : "?") + "gone=" + encodeURIComponent(offer);
    });
    window.htmx.ajax("GET", url, { source: part, target: part, swap: "outerHTML" })
      .finally(() => sendWaiting(id));
  }

  // A log's messages are read for their reader: phone numbers and e-mail addresses shown or
  // masked as the visit stands. When its state changes (data-live-reread), the log is read
  // again and each message's words that differ are changed in place, text for text; the log
  // announces additions only (aria-relevant), so that its messages are not read out again.
  function reread(log) {
    window.fetch(log.dataset.liveUrl, { headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        fresh.querySelectorAll("[data-message]").forEach((message) => {
          const entry = log.querySelector(`[data-message="${CSS.escape(message.dataset.message)}"]`);
          const shown = entry && entry.querySelector(".chat-text");
          const now = message.querySelector(".chat-text");
          if (shown && now && shown.innerHTML !== now.innerHTML) {
            sameWords(shown, now);
          }
        });
      })
      .catch(() => {}); // the words stay as they were until the page is opened again
  }

  function sameWords(shown, now) {
    const before = Array.from(shown.childNodes);
    const after = Array.from(now.childNodes);
    const alike = before.length === after.length
      && before.every((node, index) => node.nodeName === after[index].nodeName);
    if (!alike) {
      shown.replaceChildren(...after.map((node) => document.importNode(node, true)));
      return;
    }
    before.forEach((node, index) => {
      if (node.nodeType === Node.TEXT_NODE && node.nodeValue !== after[index].nodeValue) {
        node.nodeValue = after[index].nodeValue;
      }
    });
  }

  function isPart(element) {
    return element instanceof Element && element.matches("[data-live-url], [hx-get][hx-trigger]");
  }

  function changed(field) {
    if (["hidden", "submit", "button", "reset", "image"].includes(field.type)) {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.from(field.options).some((option) => option.selected !== option.defaultSelected);
    }
    return field.value !== field.defaultValue;
  }

  // Where typing or choosing goes on (a focused button or box holds nothing yet).
  const ENTRY = "textarea, select, input:not([type=hidden], [type=submit], [type=button], "
    + "[type=checkbox], [type=radio], [type=reset], [type=image])";

  function beingFilled(part) {
    const active = document.activeElement;
    if (active && part.contains(active) && active.matches(ENTRY)) {
      return true;
    }
    return Array.from(part.querySelectorAll("input, textarea, select")).some(changed);
  }

  function holdWhileFilled(event) {
    const part = event.detail.elt;
    if (!isPart(part) || !beingFilled(part)) {
      return;
    }
    event.preventDefault();
    const url = event.detail.requestConfig.path;
    part.dataset.heldUrl = url;
    // The status words alone change (out of band), in the box that stays.
    const status = statusOf(part);
    if (status) {
      window.htmx.ajax("GET", url, { source: status, target: status, swap: "none" });
    }
  }

  function statusOf(part) {
    return part.dataset.liveStatus ? document.getElementById(part.dataset.liveStatus) : null;
  }

  // Words of a live region that say the same again are left as they are: not announced twice.
  function onlyNewWords(event) {
    const target = event.detail.target;
    const now = (target.textContent || "").trim();
    if (target.closest("[aria-live]") && now === (event.detail.fragment.textContent || "").trim()) {
      event.detail.shouldSwap = false;
    }
  }

  function sayWhatIsShown(event) {
    const part = event.detail.target;
    const owner = part.closest("[data-live-append]");
    if (owner && owner.dataset.liveAppend === part.id) {
      const entries = part.querySelectorAll("[data-message]");
      const last = entries.length ? entries[entries.length - 1].dataset.message : "0";
      event.detail.parameters.append("after", last);
    }
    if (isPart(part)) {
      part.querySelectorAll("[data-offer]").forEach((offer) => {
        event.detail.parameters.append("shown", offer.dataset.offer);
      });
    }
  }

  function releaseHeld() {
    document.querySelectorAll("[data-held-url]").forEach((part) => {
      if (!beingFilled(part)) {
        const url = part.dataset.heldUrl;
        delete part.dataset.heldUrl;
        window.htmx.ajax("GET", url, { source: part, target: part, swap: "outerHTML" });
      }
    });
  }

  // A part redrawn around the keyboard's focus (its news, or its polling, which redraws it
  // every time) would drop the focus to the page's start: the next Tab would begin at the top
  // again. The focus goes back to the same control in the redrawn part (htmx itself only does
  // so for an element with an id), or, when the news took it away, to the part's status box
  // (just before it), whose words are read out and from where Tab goes on.
  let focusBefore = null;

  function sameControl(element) {
    const form = element.closest("form");
    return [
      element.tagName,
      element.getAttribute("name") || "",
      element.getAttribute("value") || "",
      element.getAttribute("href") || "",
      form ? form.getAttribute("action") || "" : "",
      (element.textContent || "").trim(),
    ].join("\u0000");
  }

  function rememberFocus(event) {
    const part = event.detail.target;
    const active = document.activeElement;
    focusBefore = null;
    if (isPart(part) && part.id && active && active !== part && part.contains(active)) {
      focusBefore = { part: part.id, id: active.id, key: sameControl(active) };
    }
  }

  function giveFocusBack() {
    const before = focusBefore;
    focusBefore = null;
    const active = document.activeElement;
    if (before === null || (active && active !== document.body && active.isConnected)) {
      return; // the focus stayed (or htmx put it back by its id)
    }
    const part = document.getElementById(before.part);
    if (part === null) {
      return;
    }
    const same = Array.from(part.querySelectorAll(before.id ? "#" + CSS.escape(before.id) : "*"))
      .find((element) => sameControl(element) === before.key);
    const target = same || statusOf(part) || part.querySelector("[role=status]") || part;
    if (!same && !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  let refusedBefore = null;

  // The refused forms of the part about to be redrawn, each with its problems when they stand
  // just outside it (a step that is only a button).
  function rememberRefused(event) {
    const part = event.detail.target;
    refusedBefore = null;
    if (!isPart(part) || !part.id) {
      return;
    }
    const kept = [];
    part.querySelectorAll("[data-error-summary]").forEach((summary) => {
      const inside = summary.closest("form");
      const form = inside || (summary.parentElement && summary.parentElement.querySelector("form"));
      if (form && part.contains(form)) {
        kept.push({ form: form, summary: inside ? null : summary });
      }
    });
    refusedBefore = kept.length ? { part: part.id, kept: kept } : null;
  }

  function keepRefused() {
    const before = refusedBefore;
    refusedBefore = null;
    const part = before && document.getElementById(before.part);
    if (!part) {
      return;
    }
    before.kept.forEach(({ form, summary }) => {
      const action = form.getAttribute("action");
      const fresh = Array.from(part.querySelectorAll("form"))
        .find((other) => other.getAttribute("action") === action);
      if (!fresh || fresh === form) {
        return;
      }
      fresh.replaceWith(form);
      if (summary) {
        form.before(summary);
      }
      const details = form.closest("details");
      if (details) {
        details.open = true;
      }
    });
  }

  // The time left, in the page's words ("18 min 40 s left.", "Noch 18 min 40 s."): the
  // template puts them in data-words with {minutes} and {seconds} to fill. The element is
  // aria-hidden: the sentence before it says the same once, instead of every second.
  function tick() {
    const now = Date.now();
    document.querySelectorAll(".countdown[data-expires-at]").forEach((element) => {
      const left = Math.max(0, Math.floor((Date.parse(element.dataset.expiresAt) - now) / 1000));
      element.textContent = (element.dataset.words || "")
        .replace("{minutes}", String(Math.floor(left / 60)))
        .replace("{seconds}", String(left % 60));
    });
  }

  function start() {
    tick();
    window.setInterval(tick, 1000);
    document.body.addEventListener("htmx:afterSwap", tick);
    document.body.addEventListener("htmx:beforeRequest", holdWhileFilled);
    document.body.addEventListener("htmx:configRequest", sayWhatIsShown);
    document.body.addEventListener("htmx:oobBeforeSwap", onlyNewWords);
    document.body.addEventListener("htmx:beforeSwap", rememberFocus);
    document.body.addEventListener("htmx:beforeSwap", rememberRefused);
    document.body.addEventListener("htmx:afterSwap", keepRefused);
    document.body.addEventListener("htmx:afterSettle", giveFocusBack);
    document.body.addEventListener("htmx:beforeSend", (event) => asking.add(event.detail.elt));
    document.body.addEventListener("htmx:afterRequest", (event) => asking.delete(event.detail.elt));
    window.setInterval(releaseHeld, 2000);
    const first = document.querySelector("[data-live-after]");
    if (!first || !window.QuartierLive || !("WebSocket" in window)) {
      return; // the page's polling stays the way it learns of changes
    }
    window.QuartierLive.connect({
      after: Number(first.dataset.liveAfter),
      banner: document.getElementById("live-banner"),
      onEvent: function (frame) {
        liveParts().forEach((part) => {
          if (concerns(part, frame, part.dataset.liveEvents)) {
            refresh(part, frame);
          } else if (concerns(part, frame, part.dataset.liveReread)) {
            reread(part);
          }
        });
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
