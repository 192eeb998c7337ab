// Quartier's additions to the Django admin's pages, loaded at the foot of every page.
"use strict";

// The two-box selector of many-to-many fields (filter_horizontal) draws a search icon, a
// plain <span>, named with an aria-label, which no role of a span allows
// (aria-prohibited-attr): the icon is an image with that name. The selector draws it on
// "load"; this listener, added after the selector's, runs after it.
window.addEventListener("load", () => {
    for (const icon of document.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
        icon.setAttribute("role", "img");
    }
});
