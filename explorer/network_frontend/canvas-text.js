// Pattern Atlas canvas: text helpers. Every piece of document text goes into the DOM through
// textContent (el) or SVG text nodes, never as HTML.
(function () {
  "use strict";
  var A = (window.Atlas = window.Atlas || {});

  A.el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  A.clear = function (node) { while (node.firstChild) node.removeChild(node.firstChild); };
  A.clip = function (text, max) {
    text = String(text);
    return text.length > max ? text.slice(0, max - 1).replace(/\s+$/, "") + "\u2026" : text;
  };
  A.place = function (p) {
    var s = p.file || "(unknown file)";
    if (p.start_line !== null && p.start_line !== undefined) {
      s += ":" + p.start_line;
      if (p.end_line !== null && p.end_line !== undefined && p.end_line !== p.start_line) s += "-" + p.end_line;
    }
    return s;
  };
  A.quoted = function (text) { return "\u201C" + text + "\u201D"; };
  A.plural = function (n, one, many) { return n.toLocaleString("en") + " " + (n === 1 ? one : many); };

  // The SVG namespace, taken from an inline <svg> the HTML parser created (no literal URI needed).
  A.SVG_NS = document.getElementById("atlas-svg-ns").namespaceURI;
  A.svg = function (tag, attrs) {
    var node = document.createElementNS(A.SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  };

  // A kind's shape as polygon points on a 12 x 12 box (null: a circle or an ellipse).
  A.shapePoints = function (shape) {
    switch (shape) {
      case "diamond": return [[6, 0.6], [11.4, 6], [6, 11.4], [0.6, 6]];
      case "square": return [[1.3, 1.3], [10.7, 1.3], [10.7, 10.7], [1.3, 10.7]];
      case "triangle": return [[6, 0.8], [11.4, 10.8], [0.6, 10.8]];
      case "triangleDown": return [[0.6, 1.2], [11.4, 1.2], [6, 11.2]];
      case "star": return [[6, 0.5], [7.5, 4.2], [11.5, 4.5], [8.4, 7.1], [9.4, 11.1], [6, 8.9], [2.6, 11.1],
                           [3.6, 7.1], [0.5, 4.5], [4.5, 4.2]];
      case "hexagon": return [[3, 0.9], [9, 0.9], [11.6, 6], [9, 11.1], [3, 11.1], [0.4, 6]];
      case "box": return [[0.6, 3], [11.4, 3], [11.4, 9], [0.6, 9]];
      default: return null;
    }
  };
  // One shape for the legend (12 x 12 scaled to `size`) or the SVG export (centred at cx, cy, radius r).
  A.shapeNode = function (shape, color, cx, cy, r) {
    var pts = A.shapePoints(shape), item;
    if (pts) {
      item = A.svg("polygon", { points: pts.map(function (p) {
        return (cx + (p[0] - 6) * r / 6).toFixed(1) + "," + (cy + (p[1] - 6) * r / 6).toFixed(1);
      }).join(" ") });
    } else if (shape === "ellipse") {
      item = A.svg("ellipse", { cx: cx, cy: cy, rx: r * 0.93, ry: r * 0.63 });
    } else {
      item = A.svg("circle", { cx: cx, cy: cy, r: r * 0.85 });
    }
    item.setAttribute("fill", color);
    item.setAttribute("stroke", "rgba(0,0,0,0.45)");
    item.setAttribute("stroke-width", String(Math.max(0.8, r / 8)));
    return item;
  };
  A.shapeIcon = function (shape, color, size) {
    var svg = A.svg("svg", { width: size, height: size, viewBox: "0 0 12 12", "aria-hidden": "true" });
    svg.appendChild(A.shapeNode(shape, color, 6, 6, 5.6));
    return svg;
  };
  A.lineIcon = function (color, dashes) {
    var svg = A.svg("svg", { width: 22, height: 8, viewBox: "0 0 22 8", "aria-hidden": "true" });
    var line = A.svg("line", { x1: 1, y1: 4, x2: 21, y2: 4, stroke: color, "stroke-width": 2 });
    if (dashes && dashes.length) line.setAttribute("stroke-dasharray", dashes.map(function (d) { return d / 2; }).join(" "));
    svg.appendChild(line);
    return svg;
  };

  // Tooltips: a DOM element holding plain text (vis-network would read a string as HTML).
  A.tooltip = function (text) { return A.el("div", "atlas-tip", text); };
  A.sourceLines = function (prov, total, max, quoteMax) {
    var lines = [];
    if (!prov.length) return lines;
    lines.push("", "Sources:");
    prov.slice(0, max).forEach(function (p) {
      lines.push("\u2022 " + A.place(p));
      if (p.text) lines.push("  " + A.quoted(A.clip(p.text, quoteMax)));
    });
    if (total > max) lines.push("\u2026 and " + (total - max) + " more (click for the list)");
    return lines;
  };
  A.nodeTip = function (m) {
    var lines = [m.kind + " \u00B7 " + m.name];
    if (m.description) lines.push(A.clip(m.description, 360));
    return lines.concat(A.sourceLines(m.provenance, m.provenance_total || m.provenance.length, 3, 220)).join("\n");
  };
  A.edgeTip = function (e) {
    var lines = [A.clip(e.sentence || e.type, 400)];
    return lines.concat(A.sourceLines(e.provenance, e.provenance_total || e.provenance.length, 3, 220)).join("\n");
  };
})();
