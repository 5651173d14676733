/**
 * The browser script of the charts page, served at /static/charts.js: it draws each <canvas data-table="..."> with
 * Chart.js from the table it names (the dates of its header are the labels, each body row a series), so the figures
 * live in the page once, in the accessible table, and the chart only shows them. Plain ES5 for any browser; kept as
 * text here because the repository's TypeScript has no DOM types to check it with.
 */
export const chartScript = `// Draws each <canvas data-table="..."> with Chart.js from the table it names: the dates of its header are the
// labels, each body row a series. The figures live in the page once, in the table; the chart only shows them.
"use strict";
(function () {
  var colours = {
    permit: "#1e6b35", consent_required: "#b26b00", forbidden: "#a4161a", unauthenticated: "#6a4c93",
    bad_request: "#4a5360", unavailable: "#0f2a44", granted: "#1e6b35", denied: "#a4161a", revoked: "#b26b00", expired: "#7b8794",
  };
  var palette = ["#0b5cad", "#1e6b35", "#b26b00", "#6a4c93", "#a4161a", "#0f7c8c", "#7b8794", "#c2185b"];
  function draw(canvas) {
    var table = document.getElementById(canvas.getAttribute("data-table"));
    if (table === null || typeof window.Chart !== "function") return;
    var labels = Array.prototype.slice.call(table.querySelectorAll("thead th"), 1).map(function (th) { return th.textContent; });
    var datasets = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr, i) {
      var key = tr.getAttribute("data-series") || "";
      var colour = colours[key] || palette[i % palette.length];
      return {
        label: tr.querySelector("th").textContent,
        data: Array.prototype.map.call(tr.querySelectorAll("td"), function (td) { return Number(td.textContent); }),
        backgroundColor: colour,
        borderColor: colour,
      };
    });
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
    canvas.setAttribute("data-drawn", "true");
  }
  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-table]"), draw);
})();
`;
