// Small client-side state for the web app's forms (Alpine's CSP build: no inline script, no eval).
document.addEventListener("alpine:init", () => {
  // "I am booking for someone else": show the name and phone fields only when ticked.
  window.Alpine.data("someoneElse", () => ({
    open: true,
    init() {
      const box = this.$el.querySelector("input[type=checkbox]");
      this.open = box.checked;
      box.addEventListener("change", () => { this.open = box.checked; });
    },
  }));
  // "Where?": the other address's fields only when "another address" is chosen.
  window.Alpine.data("placeChoice", () => ({
    isOther: true,
    init() {
      const radios = this.$el.querySelectorAll("input[name=place]");
      const update = () => {
        const chosen = this.$el.querySelector("input[name=place]:checked");
        this.isOther = radios.length === 0 || (chosen !== null && chosen.value === "other")
          || this.$el.querySelector("input[type=hidden][name=place][value=other]") !== null;
      };
      radios.forEach((radio) => radio.addEventListener("change", update));
      update();
    },
  }));
});

// The site's menu: on a phone it folds behind its button (app.css); the button opens and closes
// it, Escape closes it and gives the button the focus back. The current page's link is marked.
(() => {
  document.querySelectorAll(".nav a[href]").forEach((link) => {
    if (link.pathname === window.location.pathname) link.setAttribute("aria-current", "page");
  });
  const button = document.querySelector(".menu-button");
  if (button === null) return;
  const isOpen = () => button.getAttribute("aria-expanded") === "true";
  button.addEventListener("click", () => button.setAttribute("aria-expanded", String(!isOpen())));
  button.closest("header").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen() && button.offsetParent !== null) {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
})();

// The helper's "More" on a wider screen: its button opens and closes the rest of the links;
// Escape, a click elsewhere or the focus moving on closes it. It shows when the current page
// is among them.
(() => {
  const more = document.querySelector(".more-button");
  if (more === null) return;
  const item = more.parentElement;
  const isOpen = () => more.getAttribute("aria-expanded") === "true";
  const close = () => more.setAttribute("aria-expanded", "false");
  if (item.querySelector("a[aria-current=page]") !== null) more.classList.add("current");
  more.addEventListener("click", () => more.setAttribute("aria-expanded", String(!isOpen())));
  document.addEventListener("click", (event) => {
    if (isOpen() && !item.contains(event.target)) close();
  });
  item.addEventListener("focusout", (event) => {
    if (isOpen() && event.relatedTarget !== null && !item.contains(event.relatedTarget)) close();
  });
  item.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen() && more.offsetParent !== null) {
      event.stopPropagation();
      close();
      more.focus();
    }
  });
})();

// A list's states scroll sideways on a phone: the current one is brought into view.
(() => {
  const current = document.querySelector(".states [aria-current=page]");
  if (current !== null) current.scrollIntoView({ block: "nearest", inline: "center" });
})();

// A form sent back with problems: the list of them above it takes the focus, so the page opens
// on it (and a screen reader reads it) rather than at its top with the problems further down.
(() => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary !== null) summary.focus();
})();

// The helper's app registers its service worker (served from the site's root: scope "/").
if ("serviceWorker" in navigator && document.body && document.body.dataset.serviceWorker) {
  navigator.serviceWorker.register(document.body.dataset.serviceWorker, { scope: "/" }).catch(() => {});
}
