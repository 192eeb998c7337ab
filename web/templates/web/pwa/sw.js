// Quartier's service worker: keeps the app's own files for quick starts, and shows the offline
// page when a page cannot be reached. Pages themselves are never cached (they are personal).
const CACHE = "quartier-{{ version }}";
const OFFLINE = "{% url 'web:offline' %}";
const FILES = [OFFLINE{% for file in files %}, "{{ file }}"{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (FILES.includes(new URL(request.url).pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

// --- Notifications (Web Push) -------------------------------------------------------------------
// The server's payload (realtime.push.push_payload): {id, seq, type, data, title, tag, actions}.
// An offer comes with the actions "accept" and "show". "accept" takes the job over the API, the
// way the page's button does, with the session and an Idempotency-Key of the notification's
// own (a second tap, or a retry, does the work once), and opens the result: the visit, or the
// offers page saying kindly that another helper was faster. "show" opens the offer.
const PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
const HOME = "{% url 'web:helper-home' %}";
const ACCEPT = "{% url 'offer-accept' '00000000-0000-0000-0000-000000000000' %}";
const VISIT = "{% url 'web:helper-visit' '00000000-0000-0000-0000-000000000000' %}";
const ICON = "{{ icon }}";

self.notificationOf = (message) => [
  message.title || "Quartier",
  {
    tag: message.tag,
    icon: ICON,
    badge: ICON,
    actions: Array.isArray(message.actions) ? message.actions : [],
    data: { id: message.id, type: message.type, data: message.data || {} },
  },
];

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  const [title, options] = self.notificationOf(message);
  event.waitUntil(self.registration.showNotification(title, options));
});

function csrfToken() {
  // The helper's pages carry the session's CSRF token; the API asks a session for it.
  return fetch(HOME, { credentials: "same-origin" })
    .then((response) => response.text())
    .then((html) => {
      const found = html.match(/<meta name="csrf-token" content="([^"]+)">/);
      return found ? found[1] : "";
    });
}

function accept(offer, eventId) {
  return csrfToken()
    .then((token) => fetch(ACCEPT.replace(PLACEHOLDER, offer), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "X-CSRFToken": token,
        "Idempotency-Key": "notification-" + eventId,
      },
    }))
    .then((response) => {
      if (response.ok) {
        return response.json().then((booking) => VISIT.replace(PLACEHOLDER, booking.id));
      }
      return HOME + "?gone=" + encodeURIComponent(offer);
    })
    .catch(() => HOME);
}

// Where a tap on a notification (or on one of its actions) leads.
self.notificationTarget = (data, action) => {
  const offer = data && data.type === "offer.made" && data.data ? data.data.offer : null;
  if (offer && action === "accept") {
    return accept(offer, data.id);
  }
  if (offer) {
    return Promise.resolve(HOME + "#offer-" + offer);
  }
  return Promise.resolve(HOME);
};

function openPage(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((client) => "navigate" in client);
    if (open) {
      return open.navigate(url).then((client) => (client || open).focus());
    }
    return self.clients.openWindow(url);
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.notificationTarget(event.notification.data, event.action).then(openPage));
});
