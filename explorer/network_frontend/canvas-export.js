// Pattern Atlas canvas: the drawing as a PNG (from vis-network's canvas, on white) or an SVG (written
// from the node positions: shapes, straight edges with arrowheads and dashes, labels as SVG text).
(function () {
  "use strict";
  var A = (window.Atlas = window.Atlas || {});

  function download(url, name) {
    var a = A.el("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }

  // The PNG: what the canvas shows, on a white background (vis-network's canvas is transparent).
  A.pngDataUrl = function (container) {
    var canvas = container.querySelector("canvas");
    var out = document.createElement("canvas");
    out.width = canvas.width; out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#FFFFFF";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    return out.toDataURL("image/png");
  };
  A.exportPng = function (container, name) { download(A.pngDataUrl(container), name + ".png"); };

  function bounds(pos, ids) {
    var b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    ids.forEach(function (id) {
      var p = pos[id];
      b.x0 = Math.min(b.x0, p.x); b.y0 = Math.min(b.y0, p.y); b.x1 = Math.max(b.x1, p.x); b.y1 = Math.max(b.y1, p.y);
    });
    return b;
  }
  function edgeElements(root, edges, pos, radius) {
    edges.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b || e.from === e.to) return;
      var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var ux = dx / len, uy = dy / len, r = radius(e.to) + 2;
      var ex = b.x - ux * r, ey = b.y - uy * r;
      var line = A.svg("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: ex.toFixed(1), y2: ey.toFixed(1),
                                 stroke: e.color, "stroke-width": e.width, "stroke-opacity": 0.85 });
      if (e.dashes && e.dashes.length) line.setAttribute("stroke-dasharray", e.dashes.join(" "));
      root.appendChild(line);
      var s = 7, px = -uy * s * 0.55, py = ux * s * 0.55;
      root.appendChild(A.svg("polygon", { fill: e.color, points: [ex, ey, ex - ux * s + px, ey - uy * s + py,
        ex - ux * s - px, ey - uy * s - py].map(function (v) { return v.toFixed(1); }).join(" ") }));
      if (e.label) {
        var t = A.svg("text", { x: ((a.x + ex) / 2).toFixed(1), y: ((a.y + ey) / 2 - 3).toFixed(1), "font-size": 9,
                                fill: "#6B7785", "text-anchor": "middle" });
        t.textContent = e.label;
        root.appendChild(t);
      }
    });
  }
  function nodeElements(root, nodes, pos, radius) {
    nodes.forEach(function (n) {
      var p = pos[n.id];
      if (!p) return;
      var group = A.svg("g", { "data-id": n.id });
      group.appendChild(A.shapeNode(n.shape, n.color, p.x, p.y, radius(n.id)));
      var t = A.svg("text", { x: p.x.toFixed(1), y: (p.y + radius(n.id) + 14).toFixed(1), "font-size": 14,
                              fill: "#1F2933", "text-anchor": "middle", stroke: "#FFFFFF", "stroke-width": 3,
                              "paint-order": "stroke" });
      t.textContent = n.label;
      group.appendChild(t);
      root.appendChild(group);
    });
  }
  // nodes: [{id, label, shape, color, size}], edges: [{from, to, color, dashes, width, label}], pos: {id: {x, y}}.
  A.svgText = function (nodes, edges, pos, title) {
    var ids = nodes.map(function (n) { return n.id; }).filter(function (id) { return pos[id]; });
    var size = new Map(nodes.map(function (n) { return [n.id, n.size || 14]; }));
    var radius = function (id) { return size.get(id) || 14; };
    var b = ids.length ? bounds(pos, ids) : { x0: 0, y0: 0, x1: 0, y1: 0 }, pad = 80;
    var w = b.x1 - b.x0 + 2 * pad, h = b.y1 - b.y0 + 2 * pad;
    var root = A.svg("svg", { width: Math.round(w), height: Math.round(h),
                              viewBox: [b.x0 - pad, b.y0 - pad, w, h].map(function (v) { return v.toFixed(1); }).join(" "),
                              "font-family": "system-ui, Arial, sans-serif" });
    var titleNode = A.svg("title");
    titleNode.textContent = title || "Pattern Atlas network";
    root.appendChild(titleNode);
    root.appendChild(A.svg("rect", { x: b.x0 - pad, y: b.y0 - pad, width: w, height: h, fill: "#FFFFFF" }));
    edgeElements(root, edges, pos, radius);
    nodeElements(root, nodes, pos, radius);
    return new XMLSerializer().serializeToString(root);
  };
  A.exportSvg = function (nodes, edges, pos, title, name) {
    var blob = new Blob([A.svgText(nodes, edges, pos, title)], { type: "image/svg+xml" });
    var url = URL.createObjectURL(blob);
    download(url, name + ".svg");
    setTimeout(function () { URL.revokeObjectURL(url); }, 5000);
  };
})();
