// Quartier live: one WebSocket to /ws/v1/ that resumes where it left off.
//
// Usage (from a page's own script file, never inline):
//   const live = QuartierLive.connect({
//     banner: document.getElementById("live-banner"),   // shown while the connection is lost
//     onEvent: (frame) => { ... frame.event, frame.data ... },
//     onFrame: (frame) => { ... typing, chat.sent, error ... },   // optional
//     after: 12,   // optional: the last number the page already shows (else the one kept)
//   });
//   live.send({type: "chat.send", booking: "<uuid>", text: "On my way", ref: "m1"});
//
// The web app is authenticated by its session cookie (same origin). Each event is handed to
// onEvent once: the last sequence number is kept in sessionStorage, sent on reconnect
// (?after=N), and an event id already seen is dropped. After a drop the client tries again
// after 0.5, 1, 2, 4... up to 15 seconds, and acknowledges what it has handled.
//
// There is one socket at a time, and one attempt waiting at most: the phone coming back online
// (a helper setting off moves from the home's Wi-Fi to the mobile network) tries at once
// instead of the waiting attempt, never beside it. Two sockets would each show the banner
// when they drop and hide it when they connect, so it came and went, and was read out, twice.
(function () {
  "use strict";

  const STORE_KEY = "quartier.live.last_seq";
  const MAX_SEEN = 500;

  function connect(options) {
    const banner = options.banner || null;
    const seen = new Set();
    let socket = null;
    let waiting = null; // the timer of the next attempt, while one is waiting
    let retry = 500;
    let closedOnPurpose = false;
    const kept = sessionStorage.getItem(STORE_KEY);
    // Whether lastSeq is a number the client knows (given by the page, or kept): then even 0
    // is sent, so that an event made before the socket opened is not skipped.
    let known = Number.isInteger(options.after) || kept !== null;
    let lastSeq = Number.isInteger(options.after) ? options.after : Number(kept || "0");

    function setBanner(lost) {
      if (banner) {
        banner.hidden = !lost;
      }
    }

    function url() {
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      const after = known ? "?after=" + lastSeq : "";
      return scheme + "//" + window.location.host + "/ws/v1/" + after;
    }

    function remember(frame) {
      seen.add(frame.id);
      if (seen.size > MAX_SEEN) {
        seen.delete(seen.values().next().value);
      }
      if (frame.seq > lastSeq) {
        lastSeq = frame.seq;
        sessionStorage.setItem(STORE_KEY, String(lastSeq));
      }
    }

    function open() {
      if (waiting !== null) {
        window.clearTimeout(waiting);
        waiting = null;
      }
      const current = new WebSocket(url(), ["quartier.v1"]);
      socket = current;
      current.addEventListener("message", function (message) {
        let frame;
        try {
          frame = JSON.parse(message.data);
        } catch (error) {
          return;
        }
        if (frame.type === "hello") {
          // Connected once the server greets (an open socket alone may still be refused).
          retry = 500;
          setBanner(false);
          if (!known) {
            lastSeq = frame.last_seq;
            known = true;
          }
        }
        if (frame.type === "event") {
          if (seen.has(frame.id) || frame.seq <= lastSeq) {
            return;
          }
          remember(frame);
          options.onEvent(frame);
          current.send(JSON.stringify({ type: "ack", seq: frame.seq }));
        } else if (options.onFrame) {
          options.onFrame(frame);
        }
      });
      current.addEventListener("close", function (event) {
        if (current !== socket) {
          return; // one replaced already: the current socket speaks for the connection
        }
        if (closedOnPurpose || event.code === 4401) {
          setBanner(event.code === 4401);
          return;
        }
        setBanner(true);
        waiting = window.setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
      });
    }

    window.addEventListener("online", function () {
      // Only while no socket is open or opening: then the waiting attempt is made now.
      if (socket && socket.readyState === WebSocket.CLOSED && !closedOnPurpose) {
        open();
      }
    });
    open();
    return {
      send: function (frame) {
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify(frame));
          return true;
        }
        return false;
      },
      close: function () {
        closedOnPurpose = true;
        if (waiting !== null) {
          window.clearTimeout(waiting);
          waiting = null;
        }
        if (socket) {
          socket.close(1000);
        }
      },
      lastSeq: function () {
        return lastSeq;
      },
    };
  }

  window.QuartierLive = { connect: connect };
})();
