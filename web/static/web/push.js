// The helper's offers page offers notifications: the card (#push-ask) explains what they are
// for and asks the browser for permission only when the helper presses its button; then the
// browser's push subscription is registered with the server (POST /api/v1/push-subscriptions,
// the session's CSRF token). The card stays hidden where push cannot work, once permission
// was given (the subscription is renewed quietly) and once it was refused.
(function () {
  "use strict";

  function keyBytes(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    const raw = window.atob(padded);
    return Uint8Array.from(raw, (character) => character.charCodeAt(0));
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function subscribe(card) {
    return navigator.serviceWorker.ready
      .then((registration) => registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(card.dataset.vapidKey),
      }))
      .then((subscription) => fetch(card.dataset.subscribeUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(subscription.toJSON()),
      }))
      .then((response) => {
        if (!response.ok) {
          throw new Error("push subscription refused: " + response.status);
        }
      });
  }

  function start() {
    const card = document.getElementById("push-ask");
    if (!card || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      return;
    }
    if (Notification.permission === "granted") {
      subscribe(card).catch(() => {});
      return;
    }
    if (Notification.permission === "denied") {
      return;
    }
    card.hidden = false;
    const result = document.getElementById("push-result");
    const button = document.getElementById("push-turn-on");
    button.addEventListener("click", () => {
      button.disabled = true;
      Notification.requestPermission().then((answer) => {
        if (answer !== "granted") {
          result.textContent = card.dataset.blocked;
          return null;
        }
        return subscribe(card).then(() => {
          result.textContent = card.dataset.on;
          button.hidden = true;
        });
      }).catch(() => {
        result.textContent = card.dataset.failed;
        button.disabled = false;
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
