// The interactive graph of papers and relations, drawn by the vendored cytoscape.js.
// Data comes from the JSON block #sokkit-graph-data, with positions, degrees and PageRank
// computed at build time; labels are drawn on a canvas and the side panel, the search
// suggestions and the status line are filled with textContent only, so catalog text
// never becomes HTML.
(function () {
  "use strict";

  var COLOURS = { removal: "#1e88e5", suppression: "#e53935", none: "#757575", benchmark: "#2e7d32" };

  function size(n) { return 10 + Math.min(40, 5 * Math.sqrt(n.data("degree") || 0)); }

  function init() {
    var holder = document.getElementById("sokkit-graph");
    var source = document.getElementById("sokkit-graph-data");
    if (!holder || !source || typeof cytoscape !== "function") return;
    var data = JSON.parse(source.textContent);
    var elements = [];
    data.nodes.forEach(function (n) {
      elements.push({ group: "nodes", data: n, position: { x: n.x, y: n.y }, classes: n.top ? "top" : "" });
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
          "label": "data(label)", "font-size": 10, "min-zoomed-font-size": 10,
          "text-valign": "bottom", "text-margin-y": 2, "color": "#212121",
          "text-outline-color": "#fff", "text-outline-width": 2,
          "width": size, "height": size } },
        // the highest-ranked nodes keep their label at any zoom; the others appear as you zoom in
        { selector: "node.top", style: { "font-size": 14, "min-zoomed-font-size": 0, "font-weight": "bold", "z-index": 5 } },
        { selector: "node[kind = 'benchmark']", style: { "shape": "diamond" } },
        { selector: "edge", style: { "width": 1, "line-color": "#bbb", "curve-style": "haystack", "opacity": 0.6 } },
        { selector: "edge[type = 'attacks']", style: { "line-color": "#e53935", "width": 2 } },
        { selector: "edge[type = 'builds_on']", style: { "line-color": "#1e88e5" } },
        { selector: ".faded, .dimmed", style: { "opacity": 0.08, "min-zoomed-font-size": 100 } },
        { selector: "node.sokkit-near", style: { "min-zoomed-font-size": 0, "font-size": 12, "border-width": 2, "border-color": "#212121", "z-index": 9 } },
        { selector: "node.sokkit-focus", style: { "min-zoomed-font-size": 0, "font-size": 16, "border-width": 4, "border-color": "#000", "z-index": 10 } },
        { selector: "edge.sokkit-near", style: { "opacity": 1, "width": 2.5, "z-index": 9 } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } }
      ]
    });
    window.sokkitGraph = cy;

    var panel = document.getElementById("sokkit-graph-info");
    var status = document.getElementById("sokkit-graph-status");
    function text(tag, value) {
      var el = document.createElement(tag);
      el.textContent = value;
      return el;
    }
    function link(n, label) {
      var a = text("a", label);
      if (n.url) a.href = n.url;
      return a;
    }
    function describe(node, neighbours) {
      if (!panel) return;
      var n = node.data();
      panel.textContent = "";
      panel.appendChild(text("strong", n.title));
      panel.appendChild(text("div", [n.year, n.intention, n.family].filter(Boolean).join(" · ")));
      if (n.url) panel.appendChild(link(n, "Open page"));
      if (neighbours && neighbours.length) {
        var list = document.createElement("ul");
        neighbours.forEach(function (m) {
          var item = document.createElement("li");
          item.appendChild(link(m.data(), m.data("title")));
          list.appendChild(item);
        });
        panel.appendChild(text("div", neighbours.length + " neighbours:"));
        panel.appendChild(list);
      }
    }

    // Focus: the paper, its neighbours over the edges shown now, and those edges; the rest fades.
    function focus(id) {
      var start = performance.now();
      var node = cy.getElementById(id);
      if (!node.length) return false;
      var edges = node.connectedEdges().filter(function (e) { return e.style("display") !== "none"; });
      var near = edges.connectedNodes().difference(node);
      cy.batch(function () {
        cy.elements().removeClass("sokkit-near sokkit-focus").addClass("dimmed");
        node.removeClass("dimmed").addClass("sokkit-focus");
        near.removeClass("dimmed").addClass("sokkit-near");
        edges.removeClass("dimmed").addClass("sokkit-near");
      });
      cy.fit(node.union(near), 60);
      describe(node, near.toArray());
      if (status) status.textContent = near.length + " neighbours of " + node.data("title");
      cy.one("render", function () {
        holder.dataset.focusMs = String(Math.round(performance.now() - start));
        holder.dataset.focused = id;
      });
      cy.forceRender();
      return true;
    }
    function clearFocus() {
      cy.batch(function () { cy.elements().removeClass("dimmed sokkit-near sokkit-focus"); });
      delete holder.dataset.focused;
      if (status) status.textContent = "";
      cy.fit(undefined, 20);
    }
    window.sokkitGraphFocus = focus;

    cy.on("tap", "node", function (evt) { focus(evt.target.id()); });
    cy.on("tap", function (evt) { if (evt.target === cy) clearFocus(); });
    cy.on("dbltap", "node", function (evt) {
      if (evt.target.data("url")) window.location.href = evt.target.data("url");
    });

    // The search box: suggestions from the titles (option values, set as properties), then the
    // first node whose id or title matches what was typed.
    var search = document.getElementById("sokkit-graph-search");
    var titles = document.getElementById("sokkit-graph-titles");
    if (titles) {
      data.nodes.forEach(function (n) {
        var option = document.createElement("option");
        option.value = n.title;
        titles.appendChild(option);
      });
    }
    function find(query) {
      var q = query.trim().toLowerCase();
      if (!q) return null;
      var exact = null, partial = null;
      data.nodes.forEach(function (n) {
        var title = String(n.title).toLowerCase(), id = String(n.id).toLowerCase();
        if (!exact && (title === q || id === q)) exact = n.id;
        if (!partial && (title.indexOf(q) !== -1 || id.indexOf(q) !== -1)) partial = n.id;
      });
      return exact || partial;
    }
    if (search) {
      function go() {
        var id = find(search.value);
        if (id) focus(id);
        else if (status) status.textContent = search.value.trim() ? "No paper matches" : "";
      }
      search.addEventListener("change", go);
      search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); go(); } });
    }
    var clear = document.getElementById("sokkit-graph-clear");
    if (clear) clear.addEventListener("click", function () { if (search) search.value = ""; clearFocus(); });

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
      if (holder.dataset.focused) focus(holder.dataset.focused);
    }
    document.querySelectorAll("input[data-relation], #sokkit-graph-family").forEach(function (el) {
      el.addEventListener("change", apply);
    });
    // The labels that matter stay readable at any zoom: their font grows as the view zooms out.
    var labelled = cy.nodes(".top");
    function scaleLabels() {
      var size = Math.max(12, Math.min(60, 13 / cy.zoom()));
      cy.batch(function () { labelled.style("font-size", size); });
    }
    cy.on("zoom", scaleLabels);
    // time to first draw: from navigation start until cytoscape has painted the first frame
    cy.one("render", function () {
      holder.dataset.readyMs = String(Math.round(performance.now()));
      holder.dataset.ready = "true";
    });
    cy.fit(undefined, 20);
    scaleLabels();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
