// The compare page's side-by-side view: papers named in ?ids=a,b,c, read from the site's
// own JSON (downloads/catalog.json and compare/fields.json, both relative to this page).
// Every value is inserted as text (textContent); links are built from catalog ids only.
(function () {
  "use strict";

  var MAX = 12;
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function list(items) {
    if (!items.length) return el("span", "—");
    var ul = el("ul");
    items.forEach(function (item) {
      var li = el("li");
      (Array.isArray(item) ? item : [item]).forEach(function (part) {
        li.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
      });
      ul.appendChild(li);
    });
    return ul;
  }

  function init() {
    var holder = document.getElementById("sokkit-compare");
    if (!holder) return;
    var status = document.getElementById("sokkit-compare-status");
    var raw = new URLSearchParams(window.location.search).get("ids");
    if (!raw) { holder.dataset.ready = "empty"; return; }
    var ids = [];
    raw.split(",").forEach(function (id) {
      id = id.trim();
      if (id && ids.indexOf(id) === -1) ids.push(id);
    });
    var dropped = ids.length > MAX ? ids.splice(MAX) : [];
    Promise.all([fetch(holder.dataset.catalog).then(function (r) { return r.json(); }),
                 fetch(holder.dataset.fields).then(function (r) { return r.json(); })])
      .then(function (got) { render(holder, status, ids, dropped, got[0], got[1]); })
      .catch(function (err) {
        status.textContent = "Could not read the catalog's JSON: " + err;
        holder.dataset.ready = "error";
      });
  }

  function render(holder, status, ids, dropped, records, fields) {
    var byId = {};
    records.forEach(function (r) { byId[r.id] = r; });
    var labels = fields.labels || {};
    function label(axis, v) { return v === null || v === undefined ? "—" : ((labels[axis] || {})[v] || String(v)); }
    function labelList(axis, vs) { return (vs || []).map(function (v) { return label(axis, v); }).join(", ") || "—"; }
    function paperLink(id) {
      if (!byId[id]) return el("span", id);
      var a = el("a", byId[id].title);
      a.href = "../papers/" + encodeURIComponent(id) + "/";
      return a;
    }
    var found = ids.filter(function (id) { return byId.hasOwnProperty(id); });
    var unknown = ids.filter(function (id) { return !byId.hasOwnProperty(id); });
    var notes = [];
    if (unknown.length) notes.push("Not in the catalog: " + unknown.join(", "));
    if (dropped.length) notes.push("At most " + MAX + " papers side by side; left out: " + dropped.join(", "));
    status.textContent = notes.join(". ");
    holder.dataset.unknown = unknown.join(",");
    if (!found.length) { holder.dataset.ready = "true"; return; }
    var rows = [
      ["Paper", function (r) { return paperLink(r.id); }],
      ["Authors, year, venue", function (r) {
        var a = r.authors || [];
        var names = a.length > 6 ? a.slice(0, 6).join(", ") + " et al. (" + a.length + " authors)" : a.join(", ");
        return el("span", names + " · " + r.year + " · " + (r.venue || "preprint"));
      }],
      ["Roles", function (r) { return el("span", labelList("role", r.roles)); }],
      ["Intention", function (r) { return el("span", label("intention", r.intention)); }],
      ["Observed behaviour", function (r) { return el("span", label("observed", r.observed)); }],
      ["Evidence", function (r) {
        return list((r.evidence || []).map(function (e) {
          var source = e.paper ? paperLink(e.paper) : el("span", "audit of " + e.audit);
          var rest = " — " + label("observed", e.indicates) + (e.attack ? " (" + e.attack + ")" : "") + (e.note ? ": " + e.note : "");
          return [source, rest];
        }));
      }],
      ["Methods", function (r) {
        return list((r.methods || []).map(function (m) {
          return m.name + " — " + label("technique", m.family) + ", " + label("intention", m.intention) + ", " + label("level", m.level);
        }));
      }],
      ["Technique", function (r) { return el("span", labelList("technique", r.technique)); }],
      ["Targets", function (r) { return el("span", labelList("target", r.targets)); }],
      ["Benchmarks", function (r) {
        return el("span", (r.benchmarks || []).map(function (b) { return (fields.benchmarks || {})[b] || b; }).join(", ") || "—");
      }],
      ["Claims", function (r) {
        var statuses = (fields.claims || {})[r.id] || {};
        return list((r.claims || []).map(function (c) {
          var audit = statuses[c.id] ? " [toy-world audit: " + statuses[c.id] + "]" : " [not checkable on the toy world]";
          return label("claim_kind", c.kind) + ": " + c.statement + audit;
        }));
      }],
      ["Relations", function (r) {
        return list((r.relations || []).map(function (rel) { return [label("relation", rel.type) + " ", paperLink(rel.target)]; }));
      }]
    ];
    var wrap = el("div", null, "sokkit-table-wrap");
    var table = el("table", null, "sokkit-table sokkit-compare-table");
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", row[0]));
      found.forEach(function (id) {
        var td = el("td");
        td.dataset.id = id;
        td.appendChild(row[1](byId[id]));
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    var empty = holder.querySelector(".sokkit-compare-empty");
    if (empty) empty.hidden = true;
    holder.appendChild(wrap);
    holder.dataset.ready = "true";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
