(function () {
  "use strict";
  // Firm ids come from the data, and "__proto__" or "constructor" is a firm id like any other: they
  // index Maps only, and vis-network (which keeps nodes in plain objects) sees ids of our own, "n0", "n1" ...
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var timing = {parse: performance.now() - t0};
  var T = data.text;
  var FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif";
  var info = new Map(), extra = new Map(), fold = new Map(Object.entries(data.fold || {}));
  var visOf = new Map(), idOf = new Map(), edgeExtra = new Map();
  var HEAVY = ["info", "members", "links", "key", "full", "segs", "lab", "conf", "status", "chain", "seg",
               "count", "tip", "px", "prio"];
  function tip(lines) {
    // Tooltips are DOM elements filled with textContent: vis-network would render a string as HTML.
    var div = document.createElement("div");
    div.className = "cg-tip";
    lines.forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : "div");
      el.textContent = line;
      div.appendChild(el);
    });
    return div;
  }
  function vid(id) {
    if (!visOf.has(id)) { var v = "n" + visOf.size; visOf.set(id, v); idOf.set(v, id); }
    return visOf.get(id);
  }
  function slim(n) {
    var keep = {};
    HEAVY.forEach(function (k) { if (n[k] !== undefined) { keep[k] = n[k]; } });
    if (keep.lab === undefined && n.label) { keep.lab = n.label; }
    if (keep.prio === undefined) { keep.prio = 9; }
    extra.set(n.id, keep);
    if (n.info) { info.set(n.id, n.info); }
    var v = {};
    Object.keys(n).forEach(function (k) { if (HEAVY.indexOf(k) < 0) { v[k] = n[k]; } });
    v.id = vid(n.id);
    v.label = "";
    if (n.tip) { v.title = tip(n.tip); }
    return v;
  }
  function slimEdge(e, i) {
    var id = "e" + edgeExtra.size;
    edgeExtra.set(id, {conf: e.conf, role: e.role});
    var v = {};
    Object.keys(e).forEach(function (k) { if (k !== "tip" && k !== "conf") { v[k] = e[k]; } });
    v.id = id; v.from = vid(e.from); v.to = vid(e.to);
    if (e.tip) { v.title = tip(e.tip); }
    return v;
  }
  var nodes = new vis.DataSet(data.nodes.map(slim));
  var edges = new vis.DataSet(data.edges.map(slimEdge));
  var container = document.getElementById("cg-graph");
  var started = performance.now();
  timing.datasets = performance.now() - t0;
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  timing.network = performance.now() - t0;
  var state = {timing: timing, network: network, nodes: nodes, edges: edges, ready: false, started: started,
               nodeCount: data.nodes.length, edgeCount: data.edges.length, firmCount: data.firmCount,
               extra: extra, info: info, visId: function (id) { return visOf.get(id); },
               realId: function (v) { return idOf.get(v); }};
  window.chaingraph = state;
  var physics = !!(data.options.physics && data.options.physics.enabled);
  function node(id) { return visOf.has(id) ? nodes.get(visOf.get(id)) : null; }

  // --- the map keeps marks the same size on screen; every page keeps labels 12 px and apart ------------
  function mapSizes() {
    if (data.kind !== "map") { return; }
    var scale = network.getScale(), upd = [];
    nodes.forEach(function (n) {
      var px = extra.get(idOf.get(n.id)).px || 7;
      upd.push({id: n.id, size: px / scale});  // vis already keeps border widths constant on screen
    });
    nodes.update(upd);
    var eu = [];
    edges.forEach(function (e) { eu.push({id: e.id, width: 1.5 / scale}); });
    edges.update(eu);
  }
  var measure = document.createElement("canvas").getContext("2d"), widths = new Map();
  function textWidth(s, px, bold) {
    var k = (bold ? "b" : "") + px + "|" + s;
    if (!widths.has(k)) { measure.font = (bold ? "bold " : "") + px + "px " + FONT; widths.set(k, measure.measureText(s).width); }
    return widths.get(k);
  }
  // Labels are drawn by the page, not by vis-network: 12 px on screen at any zoom, each placed below, right,
  // left or above its mark where it covers no other label and no other mark, most important first
  // (``prio``); a label with no free place waits for zoom or hover.
  var placed = new Map();
  function declutter() {
    var scale = network.getScale(), cell = 80, grid = new Map(), boxes = [], cand = [];
    var pos = network.getPositions();  // keyed by our own ids "n0", "n1" ..., never by a firm id
    nodes.forEach(function (n) { if (!n.hidden && extra.get(idOf.get(n.id)).lab) { cand.push(n); } });
    cand.sort(function (a, b) { return extra.get(idOf.get(a.id)).prio - extra.get(idOf.get(b.id)).prio; });
    function keys(b) {
      var out = [];
      for (var i = Math.floor(b[0] / cell); i <= Math.floor(b[2] / cell); i++) {
        for (var j = Math.floor(b[1] / cell); j <= Math.floor(b[3] / cell); j++) { out.push(i + ":" + j); }
      }
      return out;
    }
    var W = container.clientWidth, H = container.clientHeight;
    function free(b, self) {
      // Inside the view: a label cut by the edge would read as another name.
      if (b[0] < 0 || b[1] < 0 || b[2] > W || b[3] > H) { return false; }
      return keys(b).every(function (k) {
        return !(grid.get(k) || []).some(function (o) {
          return o[4] !== self && b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3];
        });
      });
    }
    function put(b) { keys(b).forEach(function (k) { if (!grid.has(k)) { grid.set(k, []); } grid.get(k).push(b); }); }
    // Marks are obstacles too: a name never covers another firm's mark.
    nodes.forEach(function (n) {
      if (n.hidden || n.role === "segment-label" || !pos[n.id]) { return; }
      var p = network.canvasToDOM(pos[n.id]), r = (n.size || 10) * scale;
      put([p.x - r, p.y - r, p.x + r, p.y + r, n.id]);
    });
    placed = new Map();
    cand.forEach(function (n) {
      var x = extra.get(idOf.get(n.id)), header = n.role === "segment-label";
      var px = header ? 13 : n.role === "anchor" ? 14 : 12, p = network.canvasToDOM(pos[n.id] || {x: n.x, y: n.y});
      var w = textWidth(x.lab, px, header) + 4, h = px * 1.3, r = header ? 0 : (n.size || 10) * scale + 2;
      var tries = header ? [[-w / 2, -h / 2]] : [[-w / 2, r], [r + 1, -h / 2], [-r - 1 - w, -h / 2], [-w / 2, -r - h]];
      for (var i = 0; i < tries.length; i++) {
        var b = [p.x + tries[i][0], p.y + tries[i][1], p.x + tries[i][0] + w, p.y + tries[i][1] + h];
        if (free(b, n.id)) {
          put(b);
          boxes.push(b);
          placed.set(n.id, {dx: tries[i][0] + 2, dy: tries[i][1] + h / 2, px: px, text: x.lab, header: header});
          break;
        }
      }
    });
    state.labelBoxes = boxes;
    state.labelled = Array.from(placed.keys()).map(function (v) { return idOf.get(v); });
    state.labelPx = Array.from(placed.values()).map(function (l) { return l.px; });
    network.redraw();
  }
  network.on("afterDrawing", function (ctx) {
    var scale = network.getScale(), view = network.getViewPosition(), c = container.getBoundingClientRect();
    var ratio = network.canvas.pixelRatio || 1;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    placed.forEach(function (l, v) {
      var b = network.body.nodes[v];  // our own id: vis keeps nodes in a plain object
      if (!b || b.options.hidden) { return; }
      var sx = (b.x - view.x) * scale + c.width / 2 + l.dx, sy = (b.y - view.y) * scale + c.height / 2 + l.dy;
      ctx.font = (l.header ? "bold " : "") + l.px + "px " + FONT;
      ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.lineWidth = 3;
      ctx.strokeText(l.text, sx, sy);
      ctx.fillStyle = l.header ? "#37474f" : "#212121";
      ctx.fillText(l.text, sx, sy);
    });
    ctx.restore();
  });
  function relayout() { mapSizes(); declutter(); }
  function fitAll() {
    network.fit({animation: false});  // without a stabilization run, vis would start at scale 1
    if (data.kind === "map") { mapSizes(); network.fit({animation: false}); }
    relayout();
  }
  if (!physics) { network.fit({animation: false}); }  // labels come after the first drawing
  timing.fitted = performance.now() - t0;
  network.once("afterDrawing", function () {
    timing.firstDraw = performance.now() - t0;
    // Fit again once the canvas has its real size: a fit before the first drawing may use another size.
    if (!physics) { fitAll(); }
    state.ready = true;
    timing.ready = performance.now() - t0;
    state.drawnMs = performance.now() - started;
    state.readyAt = performance.now();
  });
  if (physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      state.stabilizedMs = performance.now() - started;
      relayout();
    });
  }
  if (data.basemap) { drawBasemap(network, data.basemap); }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(relayout, 120); }
  network.on("zoom", later);
  network.on("dragEnd", later);
  window.addEventListener("resize", later);

  // --- details panel ------------------------------------------------------------------------------
  var panel = document.getElementById("cg-panel");
  function add(tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined) { el.textContent = text; }
    if (cls) { el.className = cls; }
    return el;
  }
  function show(id) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    var it = id === null || id === undefined ? undefined : info.get(id);
    if (!it) { panel.appendChild(add("p", T.click, "muted")); return; }
    panel.appendChild(add("h2", it.title));
    it.sections.forEach(function (s) {
      panel.appendChild(add("h3", s[0]));
      var ul = add("ul");
      if (!s[1].length) { ul.appendChild(add("li", T.none, "muted")); }
      s[1].forEach(function (line) { ul.appendChild(add("li", line)); });
      panel.appendChild(ul);
    });
  }

  // --- aggregates expand on click -------------------------------------------------------------------
  var memberOf = new Map();
  extra.forEach(function (x, id) { (x.members || []).forEach(function (m) { memberOf.set(m[0], id); }); });
  function expand(aggId) {
    var x = extra.get(aggId), n = node(aggId);
    if (!x || !x.members || !n) { return []; }
    var cols = Math.ceil(Math.sqrt(x.members.length)), step = 70, added = [];
    x.members.forEach(function (m, i) {
      var r = Math.floor(i / cols), c = i % cols;
      added.push(slim({id: m[0], x: n.x + (c - (cols - 1) / 2) * step, y: n.y + 40 + r * step,
                       shape: m[4] === "local" ? "dot" : "square", size: 10, physics: false, fixed: true,
                       color: n.color, role: m[4], lab: m[1], full: m[2], key: m[3], chain: x.chain, prio: 8,
                       seg: x.seg, segs: x.segs, status: x.status, tip: [m[2]],
                       info: {title: m[2], sections: [[T.details, [m[2], "id: " + m[0]]]]}}));
      memberOf.delete(m[0]);
    });
    edges.remove(network.getConnectedEdges(n.id));
    nodes.remove(n.id);
    nodes.add(added);
    var links = [];
    (x.links || []).forEach(function (l) {
      if (node(l[0]) && node(l[1])) {
        var id = "e" + edgeExtra.size;
        edgeExtra.set(id, {conf: l[2], role: "supplies"});
        links.push({id: id, from: visOf.get(l[0]), to: visOf.get(l[1]), width: 1, color: {color: "#8a9ba8", opacity: 0.5}});
      }
    });
    edges.add(links);
    delete x.members;
    apply();
    relayout();
    return added.map(function (a) { return idOf.get(a.id); });
  }
  network.on("click", function (params) {
    var id = params.nodes.length ? idOf.get(params.nodes[0]) : null;
    if (id !== null && extra.get(id) && extra.get(id).members) { expand(id); }
    show(id);
  });

  // --- search: folded keys (NFKC, lower case, traditional -> simplified through the page's map) -------
  function foldQuery(q) {
    var s = q.normalize("NFKC").toLowerCase(), out = "";
    for (var ch of s) { out += fold.has(ch) ? fold.get(ch) : ch; }
    return out.replace(/[\s\p{P}\p{S}_]+/gu, "");
  }
  function rank(key, f) {
    var keys = (key || "").split("|");
    return keys[0] === f ? 0 : keys.indexOf(f) >= 0 ? 1 : keys.some(function (k) { return k.indexOf(f) === 0; }) ? 2 :
      keys.some(function (k) { return k && k.indexOf(f) >= 0; }) ? 3 : -1;
  }
  function search(q) {
    var f = foldQuery(q), hits = [];
    if (!f) { return hits; }
    extra.forEach(function (x, id) {
      var r = rank(x.key, f);
      if (r >= 0) { hits.push([r, x.full || id, id]); }
      (x.members || []).forEach(function (m) { var mr = rank(m[3], f); if (mr >= 0) { hits.push([mr, m[2], m[0]]); } });
    });
    hits.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return hits.slice(0, 30).map(function (h) { return h[2]; });
  }
  function focus(id) {
    if (!node(id) && memberOf.has(id)) { expand(memberOf.get(id)); }
    if (!node(id)) { return false; }
    if (node(id).hidden) { resetFilters(); }
    network.selectNodes([visOf.get(id)]);
    network.focus(visOf.get(id), {scale: Math.max(network.getScale(), 1.2), animation: false});
    relayout();
    show(id);
    return true;
  }
  var box = document.getElementById("cg-search"), results = document.getElementById("cg-results");
  function nameOf(id) {
    var x = extra.get(id);
    if (x && x.full) { return x.full; }
    var agg = extra.get(memberOf.get(id));
    var m = agg && agg.members ? agg.members.find(function (mm) { return mm[0] === id; }) : null;
    return m ? m[2] : id;
  }
  function listResults() {
    while (results.firstChild) { results.removeChild(results.firstChild); }
    var q = box.value, hits = search(q);
    if (q && !hits.length) { results.appendChild(add("li", T.no_match, "muted")); }
    hits.forEach(function (id) {
      var li = add("li", nameOf(id));
      li.tabIndex = 0;
      li.addEventListener("click", function () { focus(id); });
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { focus(id); } });
      results.appendChild(li);
    });
    return hits;
  }
  box.addEventListener("input", listResults);
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var hits = listResults(); if (hits.length) { focus(hits[0]); } }
  });
  document.getElementById("cg-fit").addEventListener("click", fitAll);

  // --- filters and legend groups ----------------------------------------------------------------------
  var hiddenGroups = new Set(), filter = new Map(), minConf = 0;
  var selects = document.querySelectorAll("select[data-filter]");
  selects.forEach(function (sel) {
    var key = sel.getAttribute("data-filter"), opts = (data.filters || {})[key] || [];
    sel.appendChild(new Option(T.all, ""));
    opts.forEach(function (o) { sel.appendChild(new Option(o[1], o[0])); });
    if (!opts.length) { sel.parentNode.style.display = "none"; }
    sel.addEventListener("change", function () { filter.set(key, sel.value); apply(); });
  });
  var conf = document.getElementById("cg-conf"), confOut = document.getElementById("cg-conf-value");
  conf.addEventListener("input", function () { minConf = Number(conf.value); confOut.textContent = conf.value; apply(); });
  function resetFilters() {
    filter.clear(); hiddenGroups.clear(); minConf = 0;
    selects.forEach(function (s) { s.value = ""; });
    conf.value = "0"; confOut.textContent = "0";
    document.querySelectorAll("#cg-legend li.off").forEach(function (li) { li.classList.remove("off"); });
    apply();
  }
  function known(c) { return c !== null && c !== undefined; }
  function nodeHidden(n, x) {
    if (n.role === "segment-label") { return false; }
    if (hiddenGroups.has("role:" + n.role) || hiddenGroups.has("chain:" + (x.chain || ""))) { return true; }
    var c = filter.get("chain"), s = filter.get("segment"), st = filter.get("status"), r = filter.get("role");
    if ((c && x.chain !== c) || (s && (x.segs || []).indexOf(s) < 0) || (st && x.status !== st) || (r && n.role !== r)) {
      return true;
    }
    // The evidence filter hides firms none of whose drawn links is that sure (anchors, targets, gaps stay).
    return minConf > 0 && (n.role === "local" || n.role === "external") && !(known(x.conf) && x.conf >= minConf);
  }
  function apply() {
    var upd = [], visibleSegs = new Set();
    nodes.forEach(function (n) {
      var x = extra.get(idOf.get(n.id)), h = nodeHidden(n, x);
      if (!h && n.role !== "segment-label") { visibleSegs.add(x.seg); }
      if (!!n.hidden !== h && n.role !== "segment-label") { upd.push({id: n.id, hidden: h}); }
    });
    nodes.forEach(function (n) {  // a segment's header stays while one of its firms is visible
      if (n.role !== "segment-label") { return; }
      var h = !visibleSegs.has(extra.get(idOf.get(n.id)).seg);
      if (!!n.hidden !== h) { upd.push({id: n.id, hidden: h}); }
    });
    nodes.update(upd);
    var eupd = [];
    edges.forEach(function (e) {
      var ex = edgeExtra.get(e.id) || {}, h = hiddenGroups.has("edge:" + ex.role) ||
        (minConf > 0 && ex.role === "supplies" && !(known(ex.conf) && ex.conf >= minConf));
      if (!!e.hidden !== h) { eupd.push({id: e.id, hidden: h}); }
    });
    edges.update(eupd);
    declutter();
  }
  document.querySelectorAll("#cg-legend li[data-group]").forEach(function (li) {
    function toggle() {
      var g = li.getAttribute("data-group");
      if (!g) { return; }
      if (hiddenGroups.has(g)) { hiddenGroups.delete(g); li.classList.remove("off"); }
      else { hiddenGroups.add(g); li.classList.add("off"); }
      apply();
    }
    li.addEventListener("click", toggle);
    li.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { toggle(); } });
  });

  // --- the firm map's basemap: outlines and circles under the nodes, in canvas units ------------------------
  function drawBasemap(net, base) {
    net.on("beforeDrawing", function (ctx) {
      var scale = net.getScale();
      ctx.save();
      (base.layers || []).forEach(function (layer) {
        ctx.strokeStyle = layer.stroke; ctx.lineWidth = layer.width / scale;
        ctx.fillStyle = layer.fill || "rgba(0,0,0,0)";
        layer.lines.forEach(function (pts) {
          ctx.beginPath();
          for (var i = 0; i < pts.length; i += 2) { if (i) { ctx.lineTo(pts[i], pts[i + 1]); } else { ctx.moveTo(pts[i], pts[i + 1]); } }
          ctx.closePath();
          if (layer.fill) { ctx.fill(); }
          ctx.stroke();
        });
      });
      (base.circles || []).forEach(function (c) {
        ctx.beginPath(); ctx.arc(c[0], c[1], c[2], 0, 2 * Math.PI);
        ctx.fillStyle = c[3]; ctx.fill();
        ctx.strokeStyle = c[4]; ctx.lineWidth = 1.5 / scale; ctx.stroke();
      });
      ctx.restore();
    });
  }

  state.show = show;
  state.search = search;
  state.focus = focus;
  state.expand = expand;
  state.apply = apply;
  state.resetFilters = resetFilters;
  state.fold = foldQuery;
  state.declutter = declutter;
  state.fit = fitAll;
  state.relayout = relayout;
})();
