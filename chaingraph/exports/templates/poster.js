(function () {
  "use strict";
  // Segment ids come from the data: they index Maps only, never plain objects.
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var T = data.text;
  var started = performance.now();
  var segs = new Map(), panels = new Map(data.panel), boxes = new Map();
  data.segments.forEach(function (s) { segs.set(s.id, s); });
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  var root = document.getElementById("cg-blocks");
  data.chains.forEach(function (c) {
    var block = el("section", "chain");
    block.style.setProperty("--c", c.colour);
    var h = el("h2", null, c.name);
    h.appendChild(el("small", null, "● " + c.counts.covered + "  ◐ " + c.counts.weak + "  ✕ " + c.counts.missing));
    block.appendChild(h);
    var bands = el("div", "bands");
    bands.style.gridTemplateColumns = data.stages.map(function (st) {
      return "minmax(172px," + Math.max(1, c.bands[st[0]].length) + "fr)";
    }).join(" ");
    data.stages.forEach(function (st) {
      var band = el("div", "band band-" + st[0]);
      var head = el("h3");
      head.appendChild(el("span", null, st[1]));
      band.appendChild(head);
      var grid = el("div", "boxes");
      c.bands[st[0]].forEach(function (id) { grid.appendChild(box(segs.get(id))); });
      band.appendChild(grid);
      bands.appendChild(band);
    });
    block.appendChild(bands);
    root.appendChild(block);
  });
  function box(s) {
    var b = el("div", "seg st-" + s.status);
    b.tabIndex = 0;
    b.title = s.full;
    b.appendChild(el("div", "nm", s.name));
    b.appendChild(el("div", "ct", s.count));
    s.firms.forEach(function (f) {
      var line = el("div", "fm");
      if (f[1]) { line.appendChild(el("b", null, T.chain_anchor)); }
      line.appendChild(document.createTextNode(f[0]));
      b.appendChild(line);
    });
    if (s.more) { b.appendChild(el("div", "fm muted", T.more.replace("{n}", s.more))); }
    b.addEventListener("click", function () { select(s.id); });
    b.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(s.id); } });
    b.addEventListener("mouseenter", function () { hover = s.id; drawFeeds(); });
    b.addEventListener("mouseleave", function () { hover = null; drawFeeds(); });
    boxes.set(s.id, b);
    return b;
  }

  // --- FEEDS: light inside a chain; across chains only for the hovered or selected segment ---------------
  var svg = document.getElementById("cg-feeds"), poster = document.getElementById("cg-poster");
  var hover = null, selected = null, NS = "http://www.w3.org/2000/svg";
  function centre(id) {
    var b = boxes.get(id);
    if (!b) { return null; }
    var r = b.getBoundingClientRect(), p = root.getBoundingClientRect();
    return {l: r.left - p.left, r: r.right - p.left, y: r.top - p.top + r.height / 2, t: r.top - p.top};
  }
  function feeds() {
    var out = [];
    data.edges.forEach(function (e) {
      var on = e.from === hover || e.to === hover || e.from === selected || e.to === selected;
      if (e.cross && !on) { return; }
      var a = centre(e.from), b = centre(e.to);
      if (!a || !b) { return; }
      out.push({a: a, b: b, on: on, cross: e.cross});
    });
    return out;
  }
  function drawFeeds() {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var p = root.getBoundingClientRect(), q = poster.getBoundingClientRect();
    svg.style.left = (p.left - q.left + poster.scrollLeft) + "px";
    svg.style.top = (p.top - q.top + poster.scrollTop) + "px";
    svg.setAttribute("width", root.scrollWidth);
    svg.setAttribute("height", root.scrollHeight);
    boxes.forEach(function (b) { b.classList.remove("hl"); });
    feeds().forEach(function (f) {
      var x1 = f.a.r, x2 = f.b.l, y1 = f.a.y, y2 = f.b.y;
      if (x2 < x1) { x1 = f.a.l + (f.a.r - f.a.l) / 2; x2 = f.b.l + (f.b.r - f.b.l) / 2; }
      var path = document.createElementNS(NS, "path"), mx = (x1 + x2) / 2;
      path.setAttribute("d", "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2);
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", f.cross ? "#c0392b" : f.on ? "#1f3a5f" : "#90a4ae");
      path.setAttribute("stroke-opacity", f.on ? "0.95" : "0.45");
      path.setAttribute("stroke-width", f.on ? "2.5" : "1.4");
      if (f.cross) { path.setAttribute("stroke-dasharray", "6 4"); }
      svg.appendChild(path);
    });
    [hover, selected].forEach(function (id) {
      data.edges.forEach(function (e) {
        if (id !== null && (e.from === id || e.to === id)) {
          [e.from, e.to].forEach(function (o) { if (boxes.get(o)) { boxes.get(o).classList.add("hl"); } });
        }
      });
    });
  }
  window.addEventListener("resize", drawFeeds);

  // --- details panel ----------------------------------------------------------------------------------
  var panel = document.getElementById("cg-panel");
  function show(id) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    var it = id === null ? undefined : panels.get(id);
    if (!it) { panel.appendChild(el("p", "muted", T.click)); return; }
    panel.appendChild(el("h2", null, it.title));
    panel.appendChild(el("div", "muted", it.sub));
    it.sections.forEach(function (s) {
      panel.appendChild(el("h3", null, s[0]));
      var ul = el("ul");
      if (!s[1].length) { ul.appendChild(el("li", "muted", T.none)); }
      s[1].forEach(function (line) { ul.appendChild(el("li", null, line)); });
      panel.appendChild(ul);
    });
  }
  function select(id) {
    boxes.forEach(function (b) { b.classList.remove("sel"); });
    selected = id;
    if (boxes.get(id)) { boxes.get(id).classList.add("sel"); }
    show(id);
    drawFeeds();
  }

  // --- save as PNG: the poster drawn again on a canvas from the boxes' places (no network) ------------------
  function toCanvas(scale) {
    var p = root.getBoundingClientRect(), W = root.scrollWidth, H = root.scrollHeight;
    var cv = document.createElement("canvas");
    cv.width = Math.ceil(W * scale); cv.height = Math.ceil(H * scale);
    var ctx = cv.getContext("2d");
    ctx.scale(scale, scale);
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, W, H);
    function rect(e) { var r = e.getBoundingClientRect(); return {x: r.left - p.left, y: r.top - p.top, w: r.width, h: r.height}; }
    function text(e, colour) {
      var cs = getComputedStyle(e), r = rect(e);
      ctx.save();
      ctx.beginPath(); ctx.rect(r.x, r.y, r.w, r.h); ctx.clip();
      ctx.font = cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily;
      ctx.fillStyle = colour || cs.color; ctx.textBaseline = "middle";
      ctx.textAlign = cs.textAlign === "center" ? "center" : "left";
      ctx.fillText(e.textContent, cs.textAlign === "center" ? r.x + r.w / 2 : r.x, r.y + r.h / 2);
      ctx.restore();
    }
    root.querySelectorAll(".chain").forEach(function (c) {
      var r = rect(c), col = getComputedStyle(c).borderTopColor;
      ctx.strokeStyle = col; ctx.lineWidth = 2; ctx.strokeRect(r.x, r.y, r.w, r.h);
      var h = rect(c.querySelector("h2"));
      ctx.fillStyle = col; ctx.fillRect(h.x, h.y, h.w, h.h);
      text(c.querySelector("h2"), "#ffffff");
      c.querySelectorAll(".band>h3 span").forEach(function (s) { text(s); });
    });
    feeds().forEach(function (f) {
      ctx.strokeStyle = f.cross ? "#c0392b" : "#90a4ae"; ctx.lineWidth = 1.4;
      ctx.beginPath(); ctx.moveTo(f.a.r, f.a.y); ctx.lineTo(f.b.l, f.b.y); ctx.stroke();
    });
    boxes.forEach(function (b) {
      var r = rect(b), cs = getComputedStyle(b);
      ctx.fillStyle = cs.backgroundColor === "rgba(0, 0, 0, 0)" ? "#fdeee6" : cs.backgroundColor;
      ctx.fillRect(r.x, r.y, r.w, r.h);
      ctx.setLineDash(cs.borderTopStyle === "dashed" ? [6, 4] : []);
      ctx.strokeStyle = cs.borderTopColor; ctx.lineWidth = 2; ctx.strokeRect(r.x, r.y, r.w, r.h);
      ctx.setLineDash([]);
      b.querySelectorAll(".nm,.ct,.fm").forEach(function (line) { text(line); });
    });
    return cv;
  }
  function savePNG() {
    var url = toCanvas(2).toDataURL("image/png"), a = document.createElement("a");
    a.href = url; a.download = (document.title || "chain-map") + ".png";
    document.body.appendChild(a); a.click(); document.body.removeChild(a);
    return url;
  }
  document.getElementById("cg-png").addEventListener("click", savePNG);
  document.getElementById("cg-print").addEventListener("click", function () { window.print(); });

  drawFeeds();
  var state = {ready: false, started: started, segments: segs, boxes: boxes, show: show, select: select,
               toPNG: function (scale) { return toCanvas(scale || 1).toDataURL("image/png"); }, savePNG: savePNG,
               drawFeeds: drawFeeds, feedCount: function () { return svg.childNodes.length; }};
  window.chaingraph = state;
  requestAnimationFrame(function () {
    drawFeeds();
    state.ready = true;
    state.readyAt = performance.now();
    state.drawnMs = state.readyAt - started;
  });
})();
