// Draws the "where calls go" flowcharts (Mermaid, shipped in static/vendor) on project and number pages.
"use strict";
(function () {
  function draw() {
    if (typeof mermaid === "undefined" || !document.querySelector("pre.mermaid")) { return; }
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "antiscript",  // keeps the nodes' links to admin pages; labels are escaped server-side
      theme: "default",  // drawn on a light panel in both admin themes, with our own node colours
      flowchart: { htmlLabels: true, useMaxWidth: false, wrappingWidth: 280, nodeSpacing: 25, rankSpacing: 35 },
      maxTextSize: 200000,
      maxEdges: 2000
    });
    mermaid.run({ querySelector: "pre.mermaid" }).then(function () {
      document.querySelectorAll("pre.mermaid").forEach(function (pre) {
        var svg = pre.querySelector("svg");
        var box = pre.closest(".flow-picture") || pre;
        if (svg) {
          var natural = svg.viewBox && svg.viewBox.baseVal ? svg.viewBox.baseVal.width : svg.getBoundingClientRect().width;
          // A little too wide: shrink to fit. Much too wide: keep the text readable and scroll inside the box.
          if (natural > box.clientWidth && natural <= box.clientWidth * 1.5) {
            svg.style.maxWidth = "100%";
            svg.style.height = "auto";
          }
        }
        pre.dataset.drawn = "true";
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
