// Pattern Atlas canvas: the details panel beside the drawing (a node's or an edge's description,
// sources, connections and actions) and the node menu. Text only, through Atlas.el.
(function () {
  "use strict";
  var A = (window.Atlas = window.Atlas || {});
  var details = document.getElementById("atlas-details");
  var menu = document.getElementById("atlas-menu");

  // `view` is set by canvas.js: {nodeMeta, edgeMeta, outgoing, incoming, nodeStyle, config, emit, select}.
  A.view = null;

  function nameOf(id) { var m = A.view.nodeMeta.get(id); return m ? m.name : String(id); }
  function nodeButton(id) {
    var b = A.el("button", "atlas-link", nameOf(id));
    b.type = "button";
    b.addEventListener("click", function () { A.view.select(id, true); });
    return b;
  }
  // The actions a node offers: cards, comparisons and paths are about patterns.
  A.actionsFor = function (id) {
    var m = A.view.nodeMeta.get(id) || {};
    var allowed = A.view.config.actions || [];
    return allowed.filter(function (a) {
      if ((a === "card" || a === "compare") && m.kind !== "Pattern") return false;
      return !(a === "centre" && A.view.config.centre === id);
    });
  };
  function actionButtons(id) {
    var row = A.el("div", "atlas-actions");
    var labels = A.view.config.actionLabels || {};
    A.actionsFor(id).forEach(function (a) {
      var b = A.el("button", "atlas-button", labels[a] || a);
      b.type = "button";
      b.setAttribute("data-action", a);
      b.addEventListener("click", function () { A.view.emit(a, id); });
      row.appendChild(b);
    });
    return row;
  }

  A.showEmpty = function () {
    A.clear(details);
    details.appendChild(A.el("h2", null, "Details"));
    details.appendChild(A.el("p", "atlas-hint", "Click a node or an edge for its description and the places in the sources that state it."));
    details.appendChild(A.el("p", "atlas-hint", "Double-click a node to add its neighbours \u00B7 right-click for more \u00B7 type above to find a node."));
    var skipped = A.view && A.view.config.skippedEdges;
    if (skipped) details.appendChild(A.el("p", "atlas-hint", A.plural(skipped, "edge leads", "edges lead") + " to nodes not drawn here."));
    var items = (A.view && A.view.config.edgeLegend) || [];
    if (!items.length) return;
    details.appendChild(A.el("h3", null, "Edges"));
    var list = A.el("div", "atlas-legend atlas-edge-legend");
    list.id = "atlas-edge-legend";
    items.forEach(function (item) {
      var s = A.el("span", "atlas-legend-item atlas-edge-item");
      s.appendChild(A.lineIcon(item.color, item.dashes));
      s.appendChild(A.el("span", null, item.label));
      list.appendChild(s);
    });
    details.appendChild(list);
  };
  function sourcesSection(prov, total) {
    if (!prov.length) { details.appendChild(A.el("p", "atlas-hint", "No source recorded.")); return; }
    total = total || prov.length;
    details.appendChild(A.el("h3", null, "Sources (" + (total > prov.length ?
      "the first " + prov.length + " of " + total.toLocaleString("en") : prov.length) + ")"));
    var list = A.el("ul");
    list.className = "atlas-sources";
    prov.forEach(function (p) {
      var li = A.el("li");
      li.appendChild(A.el("div", "atlas-place", A.place(p)));
      if (p.text) li.appendChild(A.el("blockquote", "atlas-quote", p.text));
      list.appendChild(li);
    });
    details.appendChild(list);
  }
  function connectionsSection(id) {
    var outs = A.view.outgoing.get(id) || [], ins = A.view.incoming.get(id) || [];
    var total = outs.length + ins.length, limit = 150;
    if (!total) return;
    details.appendChild(A.el("h3", null, "Connections drawn (" + total + ")"));
    var list = A.el("ul");
    outs.map(function (e) { return [e, true]; }).concat(ins.map(function (e) { return [e, false]; }))
      .slice(0, limit).forEach(function (pair) {
        var e = pair[0], out = pair[1], li = A.el("li");
        li.appendChild(A.el("span", "atlas-hint", out ? e.verb + " \u2192 " : "\u2190 " + e.verb + " "));
        li.appendChild(nodeButton(out ? e.to : e.from));
        if (e.description) li.appendChild(A.el("span", "atlas-edge-desc", e.description));
        list.appendChild(li);
      });
    if (total > limit) list.appendChild(A.el("li", "atlas-hint", "\u2026 and " + (total - limit) + " more"));
    details.appendChild(list);
  }
  A.showNode = function (id) {
    var m = A.view.nodeMeta.get(id);
    if (!m) { A.showEmpty(); return; }
    A.clear(details);
    var style = A.view.nodeStyle.get(id), kind = A.el("div", "atlas-kind");
    kind.appendChild(A.shapeIcon(style.shape, style.color, 13));
    kind.appendChild(A.el("span", null, m.kind));
    details.appendChild(kind);
    details.appendChild(A.el("h2", null, m.name));
    if (m.highlighted) details.appendChild(A.el("span", "atlas-flag", "On the highlighted path"));
    details.appendChild(actionButtons(id));
    if (m.description) details.appendChild(A.el("p", "atlas-description", m.description));
    sourcesSection(m.provenance, m.provenance_total);
    connectionsSection(id);
  };
  A.showEdge = function (id) {
    var e = A.view.edgeMeta.get(id);
    if (!e) { A.showEmpty(); return; }
    A.clear(details);
    details.appendChild(A.el("div", "atlas-kind", "Statement"));
    details.appendChild(A.el("h2", null, e.sentence || e.type));
    if (e.highlighted) details.appendChild(A.el("span", "atlas-flag", "On the highlighted path"));
    var ends = A.el("p");
    ends.appendChild(nodeButton(e.from));
    ends.appendChild(A.el("span", "atlas-hint", " " + e.verb + " "));
    ends.appendChild(nodeButton(e.to));
    details.appendChild(ends);
    sourcesSection(e.provenance, e.provenance_total);
  };

  // The node menu (right-click): the same actions as the panel's buttons.
  A.hideMenu = function () { menu.hidden = true; A.clear(menu); };
  A.showMenu = function (id, x, y) {
    A.clear(menu);
    var labels = A.view.config.actionLabels || {};
    menu.appendChild(A.el("div", "atlas-menu-title", nameOf(id)));
    A.actionsFor(id).forEach(function (a) {
      var b = A.el("button", null, labels[a] || a);
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.setAttribute("data-action", a);
      b.addEventListener("click", function () { A.hideMenu(); A.view.emit(a, id); });
      menu.appendChild(b);
    });
    var stage = menu.parentNode.getBoundingClientRect();
    menu.style.left = Math.max(4, Math.min(x, stage.width - 190)) + "px";
    menu.style.top = Math.max(4, Math.min(y, stage.height - 40 - 32 * A.actionsFor(id).length)) + "px";
    menu.hidden = false;
    var first = menu.querySelector("button");
    if (first) first.focus();
  };
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") A.hideMenu(); });
})();
