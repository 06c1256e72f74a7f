(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var T = data.text;
  var info = {};
  // Tooltips are DOM elements filled with textContent: vis-network would render a string as HTML.
  function tip(lines) {
    var div = document.createElement("div");
    div.className = "cg-tip";
    lines.forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : "div");
      el.textContent = line;
      div.appendChild(el);
    });
    return div;
  }
  data.nodes.forEach(function (n) {
    if (n.tip) { info[n.id] = n.tip; n.title = tip(n.tip); delete n.tip; }
  });
  data.edges.forEach(function (e) {
    if (e.tip) { e.title = tip(e.tip); delete e.tip; }
  });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("cg-graph");
  var started = performance.now();
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var state = {network: network, nodes: nodes, edges: edges, ready: false, started: started,
               nodeCount: data.nodes.length, edgeCount: data.edges.length, firmCount: data.firmCount};
  window.chaingraph = state;
  if (!(data.options.physics && data.options.physics.enabled)) {
    network.fit({animation: false});  // without a stabilization run, vis would start at scale 1
  }
  network.once("afterDrawing", function () {
    state.ready = true;
    state.drawnMs = performance.now() - started;
    state.readyAt = performance.now();
  });
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      state.stabilizedMs = performance.now() - started;
    });
  }
  var panel = document.getElementById("cg-panel");
  function clear() { while (panel.firstChild) { panel.removeChild(panel.firstChild); } }
  function add(tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined) { el.textContent = text; }
    if (cls) { el.className = cls; }
    return el;
  }
  function list(title, rows, more) {
    panel.appendChild(add("h2", title));
    var ul = add("ul");
    if (!rows.length) { ul.appendChild(add("li", T.none, "muted")); }
    rows.forEach(function (r) { ul.appendChild(add("li", r)); });
    if (more) { ul.appendChild(add("li", T.more.replace("{n}", more), "muted")); }
    panel.appendChild(ul);
  }
  function show(id) {
    clear();
    var seg = data.panel[id];
    if (seg) {
      panel.appendChild(add("h2", seg.name));
      panel.appendChild(add("div", seg.chain + " · " + T.status + ": " + seg.status, "muted"));
      list(T.local_firms + " (" + (seg.firms.length + seg.moreFirms) + ")", seg.firms.map(function (f) {
        return (f[2] ? "★ " : "") + f[0] + " — " + f[1];
      }), seg.moreFirms);
      list(T.targets, seg.targets.map(function (t) {
        return t[0] + " (" + t[1] + ")" + (t[2] ? " · " + T.score + " " + t[2] : "") + (t[3] ? " · " + t[3] : "");
      }), 0);
      return;
    }
    if (info[id]) {
      var lines = info[id];
      panel.appendChild(add("h2", lines[0]));
      var ul = add("ul");
      lines.slice(1).forEach(function (l) { ul.appendChild(add("li", l)); });
      panel.appendChild(ul);
      return;
    }
    panel.appendChild(add("p", T.click, "muted"));
  }
  network.on("click", function (params) { show(params.nodes.length ? params.nodes[0] : null); });
  state.show = show;
})();
