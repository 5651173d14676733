/**
 * The browser script of the charts page, served at /static/charts.js: it draws each <canvas data-table="..."> with
 * Chart.js from the table it names (the dates of its header are the labels, each body row a series), so the figures
 * live in the page once, in the accessible table, and the chart only shows them. Series differ by pattern as well as
 * colour (each bar is hatched its own way, and the legend shows it), and the chart does not animate when the person
 * asks for reduced motion (`prefers-reduced-motion`). Plain ES5 for any browser; kept as
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
  // Not by colour alone: each series' bars are hatched differently (white marks on its colour).
  var marks = [
    function (c) { c.moveTo(0, 12); c.lineTo(12, 0); },
    function (c) { c.moveTo(0, 0); c.lineTo(12, 12); },
    function (c) { c.moveTo(0, 6); c.lineTo(12, 6); },
    function (c) { c.moveTo(6, 0); c.lineTo(6, 12); },
    function (c) { c.moveTo(0, 6); c.lineTo(12, 6); c.moveTo(6, 0); c.lineTo(6, 12); },
    function (c) { c.moveTo(0, 12); c.lineTo(12, 0); c.moveTo(0, 0); c.lineTo(12, 12); },
    function (c) { c.moveTo(3, 3); c.arc(3, 3, 1.5, 0, 2 * Math.PI); c.moveTo(9, 9); c.arc(9, 9, 1.5, 0, 2 * Math.PI); },
    function (c) { c.moveTo(0, 3); c.lineTo(12, 3); c.moveTo(0, 9); c.lineTo(12, 9); },
  ];
  function pattern(colour, i) {
    var tile = document.createElement("canvas");
    tile.width = 12;
    tile.height = 12;
    var c = tile.getContext("2d");
    if (c === null) return colour;
    c.fillStyle = colour;
    c.fillRect(0, 0, 12, 12);
    c.strokeStyle = "rgba(255, 255, 255, 0.85)";
    c.fillStyle = "rgba(255, 255, 255, 0.85)";
    c.lineWidth = 2;
    c.beginPath();
    marks[i % marks.length](c);
    c.stroke();
    if (i % marks.length === 6) c.fill();
    return c.createPattern(tile, "repeat") || colour;
  }
  var reducedMotion = typeof window.matchMedia === "function" && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
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
        backgroundColor: pattern(colour, i),
        borderColor: colour,
        borderWidth: 1,
      };
    });
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: reducedMotion ? false : { duration: 400 },
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
