// Client-side filter and sort for tables marked data-sokkit-table.
// Cells carry their filter values in data-values ("a|b" for several) and their sort
// key in data-sort; nothing from the page is ever inserted as HTML.
(function () {
  "use strict";

  // Pick-and-compare: tables with data-compare get a checkbox per row (rows carry their
  // paper id in data-id); the picks live in localStorage, so they survive moving between
  // pages, and a bar at the bottom opens the compare page with ?ids=a,b,c.
  var KEY = "sokkit-picked";
  function picked() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]").filter(function (x) { return typeof x === "string"; }); }
    catch (e) { return []; }
  }
  function store(ids) {
    try { window.localStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* private mode: picks last one page */ }
    memory = ids;
    updateBar();
  }
  var memory = null, bar = null, compareUrl = null;
  function current() { return memory || (memory = picked()); }
  function updateBar() {
    if (!bar) return;
    var ids = current();
    bar.hidden = ids.length === 0;
    bar.querySelector(".sokkit-pick-count").textContent = ids.length + (ids.length === 1 ? " paper" : " papers") + " picked";
    bar.querySelector("a").href = compareUrl + "?ids=" + ids.map(encodeURIComponent).join(",");
    document.querySelectorAll("input[data-pick]").forEach(function (box) { box.checked = ids.indexOf(box.dataset.pick) !== -1; });
  }
  function makeBar(url) {
    if (bar) return;
    compareUrl = url;
    bar = document.createElement("div");
    bar.className = "sokkit-pickbar";
    bar.setAttribute("role", "region");
    bar.setAttribute("aria-label", "Picked papers");
    var count = document.createElement("span");
    count.className = "sokkit-pick-count";
    var open = document.createElement("a");
    open.textContent = "Compare picked";
    open.className = "md-button md-button--primary";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "md-button";
    clear.textContent = "Clear";
    clear.addEventListener("click", function () { store([]); });
    bar.appendChild(count);
    bar.appendChild(open);
    bar.appendChild(clear);
    document.body.appendChild(bar);
  }
  function addPicker(table, rows) {
    var th = document.createElement("th");
    th.textContent = "Pick";
    th.className = "sokkit-pick";
    table.tHead.rows[0].insertBefore(th, table.tHead.rows[0].firstChild);
    rows.forEach(function (row) {
      var cell = document.createElement("td");
      cell.className = "sokkit-pick";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.dataset.pick = row.dataset.id || "";
      var title = row.cells[0] ? row.cells[0].textContent.trim() : box.dataset.pick;
      box.setAttribute("aria-label", "Pick for comparison: " + title);
      box.addEventListener("change", function () {
        var ids = current().filter(function (x) { return x !== box.dataset.pick; });
        if (box.checked) ids.push(box.dataset.pick);
        store(ids);
      });
      cell.appendChild(box);
      row.insertBefore(cell, row.firstChild);
    });
    makeBar(table.dataset.compare);
  }

  function setUp(table) {
    var head = table.tHead.rows[0];
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    if (table.dataset.compare) addPicker(table, rows);
    var controls = document.createElement("div");
    controls.className = "sokkit-filters";
    var text = document.createElement("input");
    text.type = "search";
    text.placeholder = "Filter rows…";
    text.setAttribute("aria-label", "Filter rows");
    text.className = "sokkit-filter-text";
    controls.appendChild(text);
    var selects = [];
    Array.prototype.forEach.call(head.cells, function (th, col) {
      if (th.dataset.filter !== "select") return;
      var values = {};
      rows.forEach(function (row) {
        (row.cells[col].dataset.values || "").split("|").forEach(function (v) {
          if (v) values[v] = true;
        });
      });
      var select = document.createElement("select");
      select.setAttribute("aria-label", "Filter by " + th.textContent);
      select.dataset.column = String(col);
      var all = document.createElement("option");
      all.value = "";
      all.textContent = th.textContent + ": all";
      select.appendChild(all);
      Object.keys(values).sort().forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        option.textContent = v;
        select.appendChild(option);
      });
      controls.appendChild(select);
      selects.push(select);
    });
    var count = document.createElement("span");
    count.className = "sokkit-filter-count";
    controls.appendChild(count);
    // above the table's scroll box, so the filters stay in view when the table scrolls
    var box = table.parentNode.classList.contains("sokkit-table-wrap") ? table.parentNode : table;
    box.parentNode.insertBefore(controls, box);

    function apply() {
      var needle = text.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var ok = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
        selects.forEach(function (select) {
          if (!ok || !select.value) return;
          var cell = row.cells[Number(select.dataset.column)];
          ok = (cell.dataset.values || "").split("|").indexOf(select.value) !== -1;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " shown";
    }
    text.addEventListener("input", apply);
    selects.forEach(function (select) { select.addEventListener("change", apply); });

    Array.prototype.forEach.call(head.cells, function (th, col) {
      if (!th.dataset.sort) return;
      th.tabIndex = 0;
      th.classList.add("sokkit-sortable");
      var ascending = true;
      function sort() {
        var numeric = th.dataset.sort === "number";
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.sort || a.cells[col].textContent;
          var y = b.cells[col].dataset.sort || b.cells[col].textContent;
          var d = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return ascending ? d : -d;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        Array.prototype.forEach.call(head.cells, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        ascending = !ascending;
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
    apply();
  }

  // Accessibility fixes to the theme's markup: a name for the search dialog, and code blocks
  // (which scroll sideways) reachable from the keyboard.
  function accessible() {
    document.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach(function (el) {
      el.setAttribute("aria-label", "Search");
    });
    document.querySelectorAll(".md-typeset pre > code:not([tabindex])").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
  }

  function init() {
    accessible();
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sokkit-table]"), setUp);
    updateBar();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
