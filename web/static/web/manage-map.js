// The console's map: helpers and recent requests by locality, from the page's GeoJSON
// endpoints, over the configured tile server. The tables on the page hold the same figures;
// without JavaScript (or without Leaflet) the map stays hidden and the tables are the page.
(() => {
  const box = document.getElementById("map");
  if (!box || typeof window.L === "undefined") return;
  const L = window.L;
  const text = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", box.dataset.labelMap);
  const map = L.map(box).setView([46.8, 8.23], 8);
  L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: text(box.dataset.attribution) }).addTo(map);
  const icon = L.icon({
    iconUrl: box.dataset.markerIcon,
    iconRetinaUrl: box.dataset.markerIcon2x,
    shadowUrl: box.dataset.markerShadow,
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    popupAnchor: [1, -34],
    shadowSize: [41, 41],
  });
  const where = (properties) => `${properties.postal_code} ${properties.locality}`;
  const bounds = [];
  const load = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then((response) => (response.ok ? response.json() : { features: [] }));
  Promise.all([load(box.dataset.helpers), load(box.dataset.requests)]).then(([helpers, requests]) => {
    L.geoJSON(helpers, {
      pointToLayer: (feature, latlng) => {
        const label = `${where(feature.properties)}: ${feature.properties.helpers} ${box.dataset.labelHelpers}`;
        bounds.push(latlng);
        return L.marker(latlng, { icon, title: label, alt: label }).bindPopup(text(label));
      },
    }).addTo(map);
    L.geoJSON(requests, {
      pointToLayer: (feature, latlng) => {
        const { matched, unmatched } = feature.properties;
        const label = `${where(feature.properties)}: ${matched} ${box.dataset.labelMatched}, ${unmatched} ${box.dataset.labelUnmatched}`;
        bounds.push(latlng);
        const colour = unmatched > 0 ? "#b3261e" : "#2e7d32";
        return L.circleMarker(latlng, {
          radius: 6 + Math.min(14, 2 * Math.sqrt(matched + unmatched)),
          color: colour,
          fillColor: colour,
          fillOpacity: 0.45,
          className: unmatched > 0 ? "request-unmatched" : "request-matched",
        }).bindPopup(text(label));
      },
    }).addTo(map);
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds), { maxZoom: 12, padding: [24, 24] });
  });
})();
