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

// The helper's app registers its service worker (served from the site's root: scope "/").
if ("serviceWorker" in navigator && document.body && document.body.dataset.serviceWorker) {
  navigator.serviceWorker.register(document.body.dataset.serviceWorker, { scope: "/" }).catch(() => {});
}
