// The interactive graph of papers and relations, drawn by the vendored cytoscape.js.
// Data comes from the JSON block #sokkit-graph-data; labels are drawn on a canvas and
// the side panel is filled with textContent only, so catalog text never becomes HTML.
(function () {
  "use strict";

  var COLOURS = { removal: "#1e88e5", suppression: "#e53935", none: "#9e9e9e", benchmark: "#43a047" };

  function init() {
    var holder = document.getElementById("sokkit-graph");
    var source = document.getElementById("sokkit-graph-data");
    if (!holder || !source || typeof cytoscape !== "function") return;
    var data = JSON.parse(source.textContent);
    var elements = [];
    data.nodes.forEach(function (n) {
      elements.push({ group: "nodes", data: n, position: { x: n.x, y: n.y } });
    });
    data.edges.forEach(function (e, i) {
      elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, type: e.type } });
    });
    var cy = cytoscape({
      container: holder,
      elements: elements,
      layout: { name: "preset" },
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      pixelRatio: 1,
      minZoom: 0.05,
      maxZoom: 4,
      style: [
        { selector: "node", style: {
          "background-color": function (n) { return COLOURS[n.data("colour")] || COLOURS.none; },
          "label": "data(label)", "font-size": 9, "min-zoomed-font-size": 7,
          "width": function (n) { return 8 + Math.min(24, 2 * n.data("degree")); },
          "height": function (n) { return 8 + Math.min(24, 2 * n.data("degree")); } } },
        { selector: "node[kind = 'benchmark']", style: { "shape": "diamond" } },
        { selector: "edge", style: { "width": 1, "line-color": "#bbb", "curve-style": "haystack", "opacity": 0.6 } },
        { selector: "edge[type = 'attacks']", style: { "line-color": "#e53935", "width": 2 } },
        { selector: "edge[type = 'builds_on']", style: { "line-color": "#1e88e5" } },
        { selector: ".faded", style: { "opacity": 0.08 } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } }
      ]
    });
    window.sokkitGraph = cy;

    var panel = document.getElementById("sokkit-graph-info");
    cy.on("tap", "node", function (evt) {
      var n = evt.target.data();
      if (!panel) return;
      panel.textContent = "";
      var title = document.createElement("strong");
      title.textContent = n.title;
      panel.appendChild(title);
      var facts = document.createElement("div");
      facts.textContent = [n.year, n.intention, n.family].filter(Boolean).join(" · ");
      panel.appendChild(facts);
      if (n.url) {
        var link = document.createElement("a");
        link.href = n.url;
        link.textContent = "Open page";
        panel.appendChild(link);
      }
    });
    cy.on("dbltap", "node", function (evt) {
      if (evt.target.data("url")) window.location.href = evt.target.data("url");
    });

    function apply() {
      var types = {};
      document.querySelectorAll("input[data-relation]").forEach(function (box) {
        types[box.dataset.relation] = box.checked;
      });
      var family = (document.getElementById("sokkit-graph-family") || {}).value || "";
      cy.batch(function () {
        cy.edges().forEach(function (e) { e.style("display", types[e.data("type")] === false ? "none" : "element"); });
        cy.nodes().forEach(function (n) {
          var keep = !family || (n.data("families") || []).indexOf(family) !== -1;
          n.toggleClass("faded", !keep);
        });
      });
    }
    document.querySelectorAll("input[data-relation], #sokkit-graph-family").forEach(function (el) {
      el.addEventListener("change", apply);
    });
    cy.fit(undefined, 20);
    holder.dataset.readyMs = String(Math.round(performance.now()));
    holder.dataset.ready = "true";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
