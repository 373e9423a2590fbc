// Draws the dashboard's charts (Chart.js, shipped in static/vendor) from the page's JSON data.
"use strict";
(function () {
  function draw() {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var css = getComputedStyle(document.documentElement);
    var text = css.getPropertyValue("--body-fg").trim() || "#333";
    var grid = css.getPropertyValue("--hairline-color").trim() || "#e8e8e8";
    Chart.defaults.color = text;
    Chart.defaults.borderColor = grid;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    var palette = ["#417690", "#79aec8", "#e0a84f", "#c4574a", "#6b8e4e", "#8a6fb0", "#4fa3a5", "#b07d62", "#9aa5ad", "#d48fb0", "#5c6f7b"];

    new Chart(document.getElementById("chart-per-hour"), {
      type: "bar",
      data: {
        labels: data.per_hour.labels,
        datasets: [
          { label: data.texts.answered, data: data.per_hour.answered, backgroundColor: "#417690", stack: "calls" },
          { label: data.texts.not_answered, data: data.per_hour.other, backgroundColor: "#e0a84f", stack: "calls" }
        ]
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
    new Chart(document.getElementById("chart-direction"), {
      type: "doughnut",
      data: {
        labels: data.by_direction.labels,
        datasets: [{ data: data.by_direction.counts, backgroundColor: palette }]
      },
      options: { plugins: { legend: { position: "right" } } }
    });
    new Chart(document.getElementById("chart-number"), {
      type: "bar",
      data: {
        labels: data.by_number.labels,
        datasets: [{ label: data.texts.calls, data: data.by_number.counts, backgroundColor: "#79aec8" }]
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
