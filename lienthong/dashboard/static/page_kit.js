// Formatting, DOM and chart helpers of the operators' dashboard, shared as `window.pageKit`.
// Plain DOM and SVG, no libraries: everything the page needs is served by the dashboard.
"use strict";

window.pageKit = (() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const integers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  // ---- formatting ---------------------------------------------------------------------

  function count(n) {
    return n === null || n === undefined ? "–" : integers.format(n);
  }

  function perSecond(rate) {
    if (rate === null || rate === undefined) return "–";
    return (rate < 10 ? oneDecimal.format(rate) : integers.format(rate)) + "/s";
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds < 60) return `${Math.round(seconds)} s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
    return `${integers.format(Math.floor(seconds / 86400))} d`;
  }

  // ISO 8601 with microseconds, as the server writes it; milliseconds are all Date needs.
  function parseTime(iso) {
    if (!iso) return null;
    return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
  }

  function ago(iso, nowMs) {
    const at = parseTime(iso);
    if (at === null) return "–";
    return `${duration(Math.max(0, (nowMs - at) / 1000))} ago`;
  }

  // ---- DOM helpers --------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function badge(kind, words, testid) {
    return el("span", { class: `badge ${kind}`.trim(), "data-testid": testid }, words);
  }

  function fill(tbodyId, rows, columns, emptyText) {
    const body = document.getElementById(tbodyId);
    if (rows.length === 0) {
      body.replaceChildren(el("tr", {}, el("td", { class: "empty", colspan: columns }, emptyText)));
    } else {
      body.replaceChildren(...rows);
    }
  }

  function sparkline(points, label) {
    const width = 120;
    const height = 28;
    const pad = 2;
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    const title = document.createElementNS(SVG_NS, "title");
    title.textContent = label;
    const base = document.createElementNS(SVG_NS, "line");
    for (const [name, value] of [["x1", 0], ["y1", height - pad], ["x2", width], ["y2", height - pad]]) {
      base.setAttribute(name, value);
    }
    svg.append(title, base);
    if (points.length >= 2) {
      const first = points[0][0];
      const span = points[points.length - 1][0] - first || 1;
      const top = Math.max(0, ...points.map((p) => p[1]));
      const scale = top > 0 ? (height - 2 * pad) / top : 0;
      const line = document.createElementNS(SVG_NS, "polyline");
      line.setAttribute(
        "points",
        points
          .map(([t, v]) => {
            const x = pad + ((t - first) / span) * (width - 2 * pad);
            const y = height - pad - v * scale;
            return `${x.toFixed(1)},${y.toFixed(1)}`;
          })
          .join(" "),
      );
      svg.append(line);
    }
    return svg;
  }


  return { ago, badge, count, duration, el, fill, parseTime, perSecond, sparkline };
})();
