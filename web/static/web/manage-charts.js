// The console's charts: requests per day and the match rate, drawn by the vendored Chart.js
// from the figures the page carries (json_script). The table under them has the same numbers.
(() => {
  const source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const ink = getComputedStyle(document.body).color;
  const draw = (canvas, config) => new window.Chart(canvas, config);
  const common = {
    responsive: true,
    maintainAspectRatio: true,
    aspectRatio: 2,
    animation: false,
    plugins: { legend: { labels: { color: ink } } },
  };
  const requests = document.querySelector("canvas[data-chart=requests]");
  if (requests) {
    draw(requests, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.requests_label, data: data.requests, backgroundColor: "#1f5fa8" },
          { label: data.matched_label, data: data.matched, backgroundColor: "#2e7d32" },
        ],
      },
      options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  const rate = document.querySelector("canvas[data-chart=match-rate]");
  if (rate) {
    draw(rate, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.match_rate_label,
            data: data.match_percent,
            borderColor: "#2e7d32",
            backgroundColor: "#2e7d32",
            spanGaps: true,
          },
        ],
      },
      options: { ...common, scales: { y: { beginAtZero: true, max: 100 } } },
    });
  }
})();
