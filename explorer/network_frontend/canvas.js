// Pattern Atlas canvas: the Streamlit component protocol, the vis-network drawing and what the user
// does in it. Python sends {graph: {version, nodes, edges, options, config}, height}; the canvas sends
// back {action, node, seq} ("select", "expand", "centre", "card", "compare", "path").
(function () {
  "use strict";
  var A = window.Atlas;
  var root = document.getElementById("atlas-root");
  var container = document.getElementById("atlas-network");
  var status = document.getElementById("atlas-status");
  var search = document.getElementById("atlas-search");
  var found = document.getElementById("atlas-found");
  var network = null, nodeSet = null, edgeSet = null, version = null, seq = 0, shown = null, selectTimer = null;
  var base = new Map(), hiddenKinds = new Set(), exportNodes = [], exportEdges = [];
  var view = { nodeMeta: new Map(), edgeMeta: new Map(), outgoing: new Map(), incoming: new Map(),
               nodeStyle: new Map(), config: {} };
  A.view = view;
  // When the last press on the drawing began (the benchmark times a click to the next settled drawing).
  container.addEventListener("pointerdown", function () { window.atlasPointerAt = performance.now(); }, true);

  // ---- Streamlit's component messages --------------------------------------------------------------
  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data || {}), "*");
  }
  view.emit = function (action, node) {
    if (action !== "select") clearTimeout(selectTimer);  // an action outranks a pending selection
    seq += 1;
    window.atlasEmittedAt = performance.now();
    send("streamlit:setComponentValue", { value: { action: action, node: node, seq: Date.now() * 1000 + (seq % 1000) },
                                          dataType: "json" });
    document.body.setAttribute("data-atlas-last-action", action + ":" + node);
  };
  window.addEventListener("message", function (ev) {
    var data = ev.data;
    if (!data || data.type !== "streamlit:render" || !data.args) return;
    window.atlasRenderAt = performance.now();
    var height = Number(data.args.height) || 620;
    root.style.height = height + "px";
    send("streamlit:setFrameHeight", { height: height });
    if (data.args.graph && data.args.graph.version !== version) draw(data.args.graph);
  });

  // ---- data --------------------------------------------------------------------------------------
  function prepare(graph) {
    view.nodeMeta = new Map(); view.edgeMeta = new Map(); view.outgoing = new Map(); view.incoming = new Map();
    view.nodeStyle = new Map(); view.config = graph.config || {};
    base = new Map(); exportNodes = []; exportEdges = [];
    var nodes = graph.nodes.map(function (raw) {
      var n = Object.assign({}, raw), meta = n.meta || {};
      delete n.meta;
      meta.provenance = meta.provenance || [];
      view.nodeMeta.set(n.id, meta);
      var colour = (n.color && n.color.background) || "#8C8C8C";
      view.nodeStyle.set(n.id, { shape: n.shape, color: colour });
      view.outgoing.set(n.id, []); view.incoming.set(n.id, []);
      n.title = A.tooltip(A.nodeTip(meta));
      n.hidden = hiddenKinds.has(meta.kind);
      base.set(n.id, { font: n.font, borderWidth: n.borderWidth || 1.5 });
      exportNodes.push({ id: n.id, label: n.label, shape: n.shape, color: colour, size: n.size });
      return n;
    });
    var edges = graph.edges.map(function (raw) {
      var e = Object.assign({}, raw), meta = e.meta || {};
      delete e.meta;
      meta.provenance = meta.provenance || [];
      meta.from = e.from; meta.to = e.to; meta.id = e.id;
      view.edgeMeta.set(e.id, meta);
      if (view.outgoing.has(e.from)) view.outgoing.get(e.from).push(meta);
      if (view.incoming.has(e.to)) view.incoming.get(e.to).push(meta);
      e.title = A.tooltip(A.edgeTip(meta));
      exportEdges.push({ from: e.from, to: e.to, color: e.color.color, dashes: e.dashes, width: e.width, label: e.label });
      return e;
    });
    return { nodes: nodes, edges: edges };
  }

  // ---- drawing -----------------------------------------------------------------------------------
  function settled(ver) {
    network.once("afterDrawing", function () {
      status.textContent = "";
      document.body.setAttribute("data-atlas-version", ver);
      document.body.setAttribute("data-atlas-ready", "true");
      window.atlasDrawnAt = performance.now();
    });
    network.redraw();
  }
  function draw(graph) {
    var data = prepare(graph), kept = 0;
    window.atlasPreparedAt = performance.now();
    document.getElementById("atlas-title").textContent = view.config.title || "Pattern graph";
    document.getElementById("atlas-counts").textContent = A.plural(view.config.nodeCount || 0, "node", "nodes") +
      " \u00B7 " + A.plural(view.config.edgeCount || 0, "edge", "edges");
    if (network) data.nodes.forEach(function (n) { if (nodeSet.get(n.id)) kept += 1; });
    if (network && kept * 2 >= data.nodes.length) {  // an expansion: update in place, the rest stays
      var gone = nodeSet.getIds().filter(function (id) { return !view.nodeMeta.has(id); });
      nodeSet.remove(gone);
      nodeSet.update(data.nodes);
      edgeSet.clear();
      edgeSet.add(data.edges);
    } else if (network) {  // a new view: new data sets in one go
      nodeSet = new vis.DataSet(data.nodes);
      edgeSet = new vis.DataSet(data.edges);
      network.setData({ nodes: nodeSet, edges: edgeSet });
    } else {
      nodeSet = new vis.DataSet(data.nodes);
      edgeSet = new vis.DataSet(data.edges);
      network = new vis.Network(container, { nodes: nodeSet, edges: edgeSet }, graph.options);
      window.atlasNetwork = network;
      listen();
    }
    // An expansion keeps the camera (most nodes stay); a new view is fitted.
    if (kept * 2 < data.nodes.length) network.fit({ animation: false });
    version = graph.version;
    legend();
    applySearch();
    // Keep showing the node the panel showed (an expansion redraws), else the one Python selects.
    var selected = view.nodeMeta.has(shown) ? shown : view.config.selected;
    if (selected && view.nodeMeta.has(selected)) view.select(selected, false); else A.showEmpty();
    settled(graph.version);
  }
  view.select = function (id, focus) {
    if (!network || !view.nodeMeta.has(id)) return;
    shown = id;
    network.selectNodes([id]);
    A.showNode(id);
    if (focus) network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 350 } });
  };

  function listen() {
    network.on("click", function (params) {
      A.hideMenu();
      if (params.nodes.length) {
        shown = params.nodes[0];
        A.showNode(params.nodes[0]);
        // Tell Python a moment later, unless this click was the first half of a double-click: a rerun
        // for the selection would hold up the expansion.
        clearTimeout(selectTimer);
        selectTimer = setTimeout(function () { view.emit("select", shown); }, 320);
      } else if (params.edges.length) {
        A.showEdge(params.edges[0]);
      } else {
        shown = null;
        A.showEmpty();
      }
    });
    network.on("doubleClick", function (params) {
      clearTimeout(selectTimer);
      if (params.nodes.length) view.emit("expand", params.nodes[0]);
    });
    network.on("oncontext", function (params) {
      params.event.preventDefault();
      var id = network.getNodeAt(params.pointer.DOM);
      if (id === undefined) { A.hideMenu(); return; }
      network.selectNodes([id]);
      A.showNode(id);
      A.showMenu(id, params.pointer.DOM.x, params.pointer.DOM.y);
    });
    network.on("dragStart", A.hideMenu);
  }

  // ---- search: matches keep their colour, the rest fade ---------------------------------------------
  var dimmed = false;
  function applySearch() {
    if (!nodeSet) return;
    var q = search.value.trim().toLowerCase(), hits = [];
    if (!q && !dimmed) { found.textContent = ""; return hits; }  // nothing dimmed, nothing to undo
    dimmed = !!q;
    var updates = nodeSet.getIds().map(function (id) {
      var b = base.get(id), hit = q && view.nodeMeta.get(id).name.toLowerCase().indexOf(q) !== -1;
      if (hit) hits.push(id);
      var dim = q && !hit;
      return { id: id, opacity: dim ? 0.15 : 1, borderWidth: hit ? 4 : b.borderWidth,
               font: dim ? Object.assign({}, b.font || {}, { color: "#C9CFD6" }) : (b.font || { color: "#1F2933" }) };
    });
    nodeSet.update(updates);
    edgeSet.update(edgeSet.getIds().map(function (id) {
      var e = edgeSet.get(id), lit = !q || hits.indexOf(e.from) !== -1 || hits.indexOf(e.to) !== -1;
      return { id: id, color: Object.assign({}, e.color, { opacity: lit ? 0.85 : 0.08 }) };
    }));
    found.textContent = q ? A.plural(hits.length, "match", "matches") : "";
    document.body.setAttribute("data-atlas-matches", String(hits.length));
    return hits;
  }
  search.addEventListener("input", applySearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    var hits = applySearch();
    if (hits && hits.length) view.select(hits[0], true);
  });

  // ---- legends: click a kind to hide or show it ---------------------------------------------------
  function legend() {
    var kinds = document.getElementById("atlas-legend");
    A.clear(kinds);
    (view.config.legend || []).forEach(function (item) {
      var b = A.el("button", "atlas-legend-item");
      b.type = "button";
      b.setAttribute("aria-pressed", hiddenKinds.has(item.kind) ? "false" : "true");
      b.setAttribute("data-kind", item.kind);
      b.title = "Hide or show " + item.kind + " nodes";
      b.appendChild(A.shapeIcon(item.shape, item.color, 12));
      b.appendChild(A.el("span", null, item.kind));
      b.addEventListener("click", function () { toggleKind(item.kind, b); });
      kinds.appendChild(b);
    });
  }
  function toggleKind(kind, button) {
    var hide = !hiddenKinds.has(kind);
    if (hide) hiddenKinds.add(kind); else hiddenKinds.delete(kind);
    button.setAttribute("aria-pressed", hide ? "false" : "true");
    var ids = [];
    view.nodeMeta.forEach(function (m, id) { if (m.kind === kind) ids.push(id); });
    nodeSet.update(ids.map(function (id) { return { id: id, hidden: hide }; }));
    document.body.setAttribute("data-atlas-hidden", Array.from(hiddenKinds).join(","));
  }

  // ---- toolbar: fit, fullscreen with large labels, PNG and SVG ---------------------------------------
  document.getElementById("atlas-fit").addEventListener("click", function () {
    if (network) network.fit({ animation: { duration: 350 } });
  });
  var fullButton = document.getElementById("atlas-fullscreen");
  function presenting(on) {
    root.classList.toggle("atlas-presenting", on);
    fullButton.setAttribute("aria-pressed", on ? "true" : "false");
    if (!network) return;
    // Large node labels; edge labels stay small and show only when zoomed in (or selected), so the room
    // sees the patterns, not a thicket of sentences.
    network.setOptions({ nodes: { font: { size: on ? 28 : 16 } },
                         edges: { font: { size: on ? 13 : 10 }, scaling: { label: { drawThreshold: on ? 22 : 8 } } } });
    setTimeout(function () { network.fit({ animation: false }); }, 60);
  }
  fullButton.addEventListener("click", function () {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (root.requestFullscreen) {
      root.requestFullscreen().catch(function () { presenting(!root.classList.contains("atlas-presenting")); });
    } else {
      presenting(!root.classList.contains("atlas-presenting"));
    }
  });
  document.addEventListener("fullscreenchange", function () { presenting(!!document.fullscreenElement); });
  function fileName() {
    return ("pattern-atlas-" + (view.config.title || "network")).toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 80);
  }
  document.getElementById("atlas-png").addEventListener("click", function () {
    if (network) A.exportPng(container, fileName());
  });
  document.getElementById("atlas-svg").addEventListener("click", function () {
    if (!network) return;
    var visible = exportNodes.filter(function (n) { return !nodeSet.get(n.id).hidden; });
    A.exportSvg(visible, exportEdges, network.getPositions(), view.config.title, fileName());
  });
  document.addEventListener("click", function (ev) {
    if (!document.getElementById("atlas-menu").contains(ev.target)) A.hideMenu();
  });

  A.showEmpty();
  send("streamlit:componentReady", { apiVersion: 1 });
})();
