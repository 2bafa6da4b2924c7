// Charts of the back office (Chart.js, vendored): each <canvas data-chart="..."> carries its configuration as
// JSON, written by the server; nothing else on the page runs script.
"use strict";
function drawCharts(root) {
  root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    const config = JSON.parse(canvas.dataset.chart);
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
    new Chart(canvas, config);
  });
}
document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:load", (event) => drawCharts(event.detail.elt));
