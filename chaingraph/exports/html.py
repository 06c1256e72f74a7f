"""Interactive HTML pages of a chain graph that work offline.

Two pages, both single self-contained files that load no http(s) URL, so
they open on an office PC without internet and can be sent by e-mail:

firm graph (:func:`write_html`)
    The *neighbourhood* of one anchor: the anchor (鏈主, the firm a region
    grows its industry around), the firms in the segments within ``depth``
    FEEDS steps of the anchor's segments, its direct suppliers and customers,
    the recruitment *targets* (firms outside the region worth bringing in) and
    one placeholder node per *gap* (a segment next to the anchor with no local
    firm), so that a gap shows as a hole. Columns run upstream (left) to
    downstream (right) by FEEDS distance from the anchor's segments.
chain map (:func:`write_chain_map`)
    One node per segment of every chain, upstream to downstream, coloured by
    its *status* in the home region: ``covered`` (enough local firms),
    ``weak`` or ``missing``, as :func:`chaingraph.analyses.gaps.find_region_gaps`
    rates it. Clicking a segment lists its local firms and its top targets.

The graphs are built with pyvis; the page itself is our own small template
(``templates/page.html``, ``page.css`` and ``page.js``, package data) that
inlines vis-network's JavaScript and CSS from the pyvis package, because
pyvis's template links bootstrap from a CDN even with
``cdn_resources='in_line'``. Every label comes from
:data:`chaingraph.i18n.TEXT` (keys ``page.*``). Positions are computed here (a layout by chain
position is faster and easier to read than a force layout), and physics is
off above :data:`PHYSICS_MAX_NODES` nodes.

Every name reaches the page as data inside a JSON ``<script>`` block with
``<``, ``>`` and ``&`` escaped, and the page's script shows it with
``textContent`` (tooltips are DOM elements, never HTML strings, because
vis-network renders a string ``title`` as HTML). Text written into the HTML
itself goes through :func:`html.escape`.
"""
from __future__ import annotations

import colorsys
import datetime as _dt
import functools
import html
import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network

from chaingraph.errors import UnknownFirmError
from chaingraph.i18n import format_money, status_label, text
from chaingraph.model import (
    STAGES,
    Lang,
    display_name,
    firms,
    regions_within,
    segment_distances,
)

__all__ = [
    "PHYSICS_MAX_NODES",
    "STATUS_COLOURS",
    "Page",
    "write_html",
    "write_chain_map",
    "page_data",
    "chain_map_data",
    "render_page",
    "segment_colours",
]

logger = logging.getLogger(__name__)

#: Above this many nodes a page starts with physics off (positions stay as computed).
PHYSICS_MAX_NODES = 300

#: Fill colours of segment statuses on the chain map.
STATUS_COLOURS = {"covered": "#43a047", "weak": "#fbc02d", "missing": "#e53935"}

_STATUS_FILLS = {"covered": "#43a047", "weak": "#fdd835", "missing": "#ffebee"}
_STATUS_TEXT = {"covered": "#ffffff", "weak": "#212121", "missing": "#b71c1c"}

# Hues of the chain palettes; a chain keeps its hue as long as the set of chain ids is the same.
_CHAIN_HUES = (210, 28, 135, 350, 275, 50, 185, 320, 95, 240, 10, 160)

_VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"

@dataclass
class Page:
    """What a page shows: its vis-network nodes, edges and options, and its header text.

    ``nodes`` and ``edges`` are the dicts handed to vis-network (built with
    pyvis); ``tip`` lists the tooltip lines of a node or edge. ``left_out``
    counts the firms the node cap left out, by kind (``local``, ``external``,
    ``partner``, ``target``).
    """

    kind: str
    title: str
    subtitle: str
    lang: Lang
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    legend: list[dict[str, Any]]
    notices: list[str] = field(default_factory=list)
    panel: dict[str, Any] = field(default_factory=dict)
    firm_count: int = 0
    total_firms: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    path: Path | None = None

    @property
    def physics(self) -> bool:
        return bool(self.options.get("physics", {}).get("enabled"))


# --- small helpers -------------------------------------------------------------------------------


def _t(lang: Lang, key: str, **kw: Any) -> str:
    """The page label ``key`` (``page.<key>`` in :data:`chaingraph.i18n.TEXT`)."""
    return text(f"page.{key}", lang, **kw)


def _hex(h: float, s: float, v: float) -> str:
    r, g, b = colorsys.hls_to_rgb(h / 360 % 1.0, v, s)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _segment_chain(G: nx.MultiDiGraph, seg: str) -> str:
    chain = G.nodes[seg].get("chain")
    if chain:
        return str(chain)
    for _, c, d in G.out_edges(seg, data=True):
        if d.get("rel") == "PART_OF" and G.nodes[c].get("kind") == "chain":
            return str(c)
    return ""


def _stage_index(G: nx.MultiDiGraph, seg: str) -> int:
    stage = G.nodes[seg].get("stage") if seg in G else None
    return STAGES.index(stage) if stage in STAGES else 1


def segment_colours(G: nx.MultiDiGraph) -> dict[str, str]:
    """A fill colour per segment: one hue per chain, shades by stage and position in the chain."""
    chains = sorted({n for n, d in G.nodes(data=True) if d.get("kind") == "chain"}
                    | {_segment_chain(G, s) for s, d in G.nodes(data=True) if d.get("kind") == "segment"})
    hue = {c: _CHAIN_HUES[i % len(_CHAIN_HUES)] + 7 * (i // len(_CHAIN_HUES)) for i, c in enumerate(chains)}
    by_chain: dict[str, list[str]] = defaultdict(list)
    for s, d in G.nodes(data=True):
        if d.get("kind") == "segment":
            by_chain[_segment_chain(G, s)].append(s)
    colours: dict[str, str] = {}
    for c, segs in by_chain.items():
        segs.sort(key=lambda s: (_stage_index(G, s), s))
        n = len(segs)
        for i, s in enumerate(segs):
            frac = i / (n - 1) if n > 1 else 0.5
            colours[s] = _hex(hue[c] + 24 * (frac - 0.5), 0.62, 0.40 + 0.30 * frac)
    return colours


def _fmt_money(value: Any, lang: Lang, currency: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format_money(float(value), lang, currency)


def _attrs(G: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """The attributes of ``node`` with its ``id`` (graph attributes do not hold it), for
    :func:`chaingraph.model.display_name`, whose last fallback is the id; just the id if ``node``
    is not in ``G``."""
    return {"id": node, **(G.nodes[node] if node in G else {})}


def _both_names(d: Mapping[str, Any]) -> str:
    zh, en = str(d.get("name") or ""), str(d.get("name_en") or "")
    return f"{zh} / {en}" if zh and en and zh != en else (zh or en)


def _script_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, no ``<!--``, no line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _ids(items: Any) -> list[str]:
    """Ids of ``items``: strings, or objects or mappings with an ``id``."""
    if items is None:
        return []
    if isinstance(items, (str, Mapping)) or hasattr(items, "id"):
        items = [items]
    out = []
    for it in items:
        i = it.get("id") if isinstance(it, Mapping) else getattr(it, "id", it)
        if i is not None:
            out.append(str(i))
    return out


def _target_fields(t: Any) -> dict[str, Any]:
    """The fields of a target we show, from a :class:`chaingraph.analyses.targets.Target` or a mapping."""
    def get(k: str) -> Any:
        return t.get(k) if isinstance(t, Mapping) else getattr(t, k, None)

    firm = _ids(get("firm") or get("firm_id") or get("id"))
    reasons = get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    score = get("score")
    return {"firm": firm[0] if firm else "", "score": float(score) if score is not None else None,
            "reasons": [str(r) for r in reasons], "anchors": _ids(get("anchors") or get("anchor")),
            "segments": _ids(get("segments") or get("segment"))}


def _gap_segments(gaps: Any) -> list[str]:
    """Ids of the missing segments in a gap report (``None`` or a list of ids also work)."""
    if gaps is None:
        return []
    if isinstance(gaps, Iterable) and not isinstance(gaps, (str, Mapping)):
        items: Iterable[Any] = gaps
    else:
        items = getattr(gaps, "missing", None) or (gaps.get("missing", []) if isinstance(gaps, Mapping) else [])
    out = []
    for g in items:
        seg = g if isinstance(g, str) else getattr(g, "segment", None) or (
            g.get("segment") if isinstance(g, Mapping) else None)
        if seg:
            out.append(str(seg))
    return list(dict.fromkeys(out))


def _status_map(status: Any) -> dict[str, str]:
    """Segment id to status, from a region gap report, a gap report or a mapping."""
    if status is None:
        return {}
    if isinstance(status, Mapping):
        return {str(k): str(v) for k, v in status.items()}
    out: dict[str, str] = {}
    for chain in getattr(status, "chains", ()) or ():
        for seg in chain.segments:
            out[seg.id] = seg.status
    for seg in getattr(status, "segments", ()) or ():
        out.setdefault(seg.id, seg.status)
    return out


def _vis_options(n_nodes: int, *, physics: bool, n_edges: int) -> dict[str, Any]:
    big = n_nodes > 1000 or n_edges > 3000
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 1},
        # Physics only nudges overlapping nodes apart: no springs and no gravity, so the
        # precomputed chain layout stays, and dragging a node into others pushes them aside.
        "physics": {
            "enabled": physics,
            "solver": "repulsion",
            "repulsion": {"nodeDistance": 40, "centralGravity": 0.0, "springLength": 100,
                          "springConstant": 0.0, "damping": 0.5},
            "stabilization": {"enabled": physics, "iterations": 100, "fit": True},
            "maxVelocity": 20,
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "multiselect": False, "navigationButtons": False},
        "nodes": {"font": {"size": 14, "face": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
                  "borderWidth": 1.5, "borderWidthSelected": 3},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "color": {"inherit": False}, "selectionWidth": 2},
    }


def _new_network() -> Network:
    # pyvis only builds the node and edge dicts; the page is our own template (see the module docstring).
    return Network(directed=True, cdn_resources="in_line")


def _add_edge(net: Network, source: str, target: str, **options: Any) -> None:
    # pyvis's add_edge scans the node list per edge (quadratic); the caller has checked both ends.
    net.edges.append(Edge(source, target, directed=True, **options).options)


# --- firm graph ----------------------------------------------------------------------------------


def _firm_column(
    G: nx.MultiDiGraph, segs: Sequence[str], dist: Mapping[str, tuple[str, int]]
) -> tuple[str, int] | None:
    best: tuple[str, int] | None = None
    for s in segs:
        if s in dist:
            direction, d = dist[s]
            col = -d if direction == "upstream" else d
            if best is None or (abs(col), col) < (abs(best[1]), best[1]):
                best = (s, col)
    return best


@dataclass
class _Scene:
    """What the steps of :func:`page_data` share.

    ``targets`` maps a target firm to its fields (see :func:`_target_fields`);
    ``partner_value`` and ``partner_role`` give the anchor's direct suppliers
    and customers the SUPPLIES value they trade with it and which side they are
    on. ``shown`` maps each drawn firm to its category (``anchor``, ``target``,
    ``partner``, ``local``, ``external``) and ``firm_seg`` to the segment it is
    drawn in; both are filled by the later steps.
    """

    G: nx.MultiDiGraph
    anchor: str
    lang: Lang
    currency: str
    local_regions: set[str]
    dist: dict[str, tuple[str, int]]
    colours: dict[str, str]
    targets: dict[str, dict[str, Any]]
    partner_value: dict[str, float]
    partner_role: dict[str, str]
    shown: dict[str, str] = field(default_factory=dict)
    firm_seg: dict[str, str] = field(default_factory=dict)

    def is_local(self, firm: str) -> bool:
        return self.G.nodes[firm].get("region") in self.local_regions


def page_data(
    G: nx.MultiDiGraph,
    *,
    anchor: str,
    gaps: Any = None,
    targets: Sequence[Any] = (),
    region: str | None = None,
    lang: Lang = "zh",
    depth: int = 2,
    max_nodes: int = 2000,
    title: str | None = None,
    date: str | None = None,
    physics: bool | None = None,
) -> Page:
    """The firm-graph page of ``anchor`` as data, without writing it (see :func:`write_html`)."""
    if anchor not in G or G.nodes[anchor].get("kind") != "firm":
        raise UnknownFirmError(anchor)
    region = str(region or G.graph.get("home_region") or G.nodes[anchor].get("region"))
    sc = _firm_scene(G, anchor=anchor, targets=targets, region=region, lang=lang, depth=depth)
    ranked = _rank_firms(sc)
    left_out = _cap(sc, ranked, max_nodes)
    gap_segs = [s for s in _gap_segments(gaps) if s in G]
    groups = _firm_groups(sc, gap_segs)
    n_nodes = len(sc.shown) + len(gap_segs)
    if physics is None:
        physics = n_nodes <= PHYSICS_MAX_NODES

    net = _new_network()
    _add_firm_nodes(net, sc, groups, physics=physics)
    _add_supply_edges(net, sc)
    _add_serves_edges(net, sc)

    region_name, subtitle = _header(G, region, lang, date)
    notices = _firm_notices(lang, shown=len(sc.shown), total=len(ranked), cap=max_nodes, left_out=left_out)
    if not physics:
        notices.append(_t(lang, "physics_off"))
    anchor_name = display_name(_attrs(G, anchor), lang)
    return Page(
        kind="firm", lang=lang,
        title=title or f"{anchor_name} · {_t(lang, 'firm_graph')} · {region_name}",
        subtitle=" · ".join([subtitle[0], f"{_t(lang, 'anchor')}: {anchor_name}", *subtitle[1:]]),
        nodes=net.nodes, edges=net.edges,
        options=_vis_options(n_nodes, physics=physics, n_edges=len(net.edges)),
        legend=_firm_legend(sc), notices=notices, firm_count=len(sc.shown), total_firms=len(ranked),
        left_out=left_out,
    )


def _firm_scene(
    G: nx.MultiDiGraph, *, anchor: str, targets: Sequence[Any], region: str, lang: Lang, depth: int
) -> _Scene:
    """Step 1 of :func:`page_data`: the neighbourhood's segments, the targets and the anchor's partners."""
    tinfo: dict[str, dict[str, Any]] = {}
    for t in targets:
        fields = _target_fields(t)
        if fields["firm"] in G:
            tinfo[fields["firm"]] = fields
    partner_value: dict[str, float] = defaultdict(float)
    partner_role: dict[str, str] = {}
    for u, v, d in G.in_edges(anchor, data=True):
        if d.get("rel") == "SUPPLIES" and u != anchor:
            partner_value[u] += float(d.get("value") or 0.0)
            partner_role[u] = "supplier"
    for u, v, d in G.out_edges(anchor, data=True):
        if d.get("rel") == "SUPPLIES" and v != anchor:
            partner_value[v] += float(d.get("value") or 0.0)
            partner_role.setdefault(v, "customer")
    return _Scene(
        G=G, anchor=anchor, lang=lang, currency=str(G.graph.get("currency") or "CNY"),
        local_regions=regions_within(G, region),
        dist=segment_distances(G, tuple(G.nodes[anchor].get("segments") or ()), depth=depth),
        colours=segment_colours(G), targets=tinfo, partner_value=dict(partner_value),
        partner_role=partner_role,
    )


def _rank_firms(sc: _Scene) -> list[tuple[tuple[int, float, str], str, str]]:
    """Step 2: the firms of the neighbourhood, most important first, with their category.

    The order is the node cap's: the anchor, targets by score, the anchor's
    partners by value traded, then local and external firms by output.
    """
    ranked: list[tuple[tuple[int, float, str], str, str]] = []
    for f, d in firms(sc.G):
        if f == sc.anchor:
            cat, rank, weight = "anchor", 0, 0.0
        elif f in sc.targets:
            cat, rank, weight = "target", 1, -(sc.targets[f]["score"] or 0.0)
        elif f in sc.partner_value:
            cat, rank, weight = "partner", 2, -sc.partner_value[f]
        elif any(s in sc.dist for s in d.get("segments") or ()):
            cat, rank = ("local", 3) if d.get("region") in sc.local_regions else ("external", 4)
            weight = -float(d.get("output_value") or 0.0)
        else:
            continue
        ranked.append(((rank, weight, str(f)), str(f), cat))
    ranked.sort()
    return ranked


def _cap(sc: _Scene, ranked: Sequence[tuple[Any, str, str]], max_nodes: int) -> dict[str, int]:
    """Step 3: keep the first ``max_nodes`` firms in ``sc.shown``; count the rest by kind."""
    kept = ranked[:max(1, max_nodes)]
    left_out: dict[str, int] = defaultdict(int)
    for _, f, cat in ranked[len(kept):]:
        if cat in ("partner", "target"):
            left_out[cat] += 1
        else:
            left_out["local" if sc.is_local(f) else "external"] += 1
    sc.shown = {f: cat for _, f, cat in kept}
    return dict(left_out)


def _firm_groups(sc: _Scene, gap_segs: Sequence[str]) -> dict[tuple[int, str], list[str]]:
    """Step 4: the (column, segment) group of each drawn firm and gap placeholder.

    A column is the FEEDS distance from the anchor's segments (negative
    upstream); a firm outside every near segment (a partner) goes just up- or
    downstream of the anchor. Fills ``sc.firm_seg``.
    """
    groups: dict[tuple[int, str], list[str]] = defaultdict(list)
    for f in sc.shown:
        segs = tuple(sc.G.nodes[f].get("segments") or ())
        col = _firm_column(sc.G, segs, sc.dist)
        if col is None:
            role = sc.partner_role.get(f)
            col = (segs[0] if segs else "", -1 if role == "supplier" else 1 if role == "customer" else 0)
        sc.firm_seg[f] = col[0]
        groups[(col[1], col[0])].append(f)
    for s in gap_segs:
        direction, d = sc.dist.get(s, ("own", 0))
        groups[(-d if direction == "upstream" else d, s)].append(f"gap:{s}")
    return groups


def _add_firm_nodes(
    net: Network, sc: _Scene, groups: Mapping[tuple[int, str], list[str]], *, physics: bool
) -> None:
    """Step 5: a header per segment group, then its firms and gap placeholders, at computed positions."""
    G, lang = sc.G, sc.lang
    vmax = max((float(G.nodes[f].get("output_value") or 0.0) for f in sc.shown), default=0.0) or 1.0
    pos = _column_positions(G, groups, sc.shown, sc.anchor)
    for (column, seg), members in sorted(groups.items(), key=lambda kv: (kv[0][0], _stage_index(G, kv[0][1]),
                                                                          kv[0][1])):
        x0, y0 = pos[("label", column, seg)]
        seg_label = display_name(_attrs(G, seg), lang) if seg else "—"
        net.add_node(f"seg:{column}:{seg}", label=seg_label, shape="text", x=x0, y=y0, physics=False,
                     font={"size": 18, "color": "#37474f", "bold": True}, role="segment-label",
                     fixed=True, chosen=False)
        for m in members:
            x, y = pos[m]
            if m.startswith("gap:"):
                s = m[4:]
                lab = f"{_t(lang, 'gap')}: {display_name(_attrs(G, s), lang)}"
                net.add_node(m, label=lab, shape="box", x=x, y=y, physics=False, fixed=True,
                             color={"background": "#ffffff", "border": STATUS_COLOURS["missing"]},
                             borderWidth=2, shapeProperties={"borderDashes": [6, 4]},
                             font={"color": STATUS_COLOURS["missing"], "size": 16},
                             tip=[lab, _both_names(G.nodes[s]), _t(lang, "gap_node")], role="gap")
                continue
            net.add_node(m, label=display_name(_attrs(G, m), lang), x=x, y=y,
                         **_firm_style(G, m, sc.shown[m], sc.firm_seg[m], sc.colours, vmax, physics,
                                       local=sc.is_local(m)),
                         tip=_firm_tip(G, m, sc.shown[m], sc.targets.get(m), lang, sc.currency,
                                       local=sc.is_local(m)),
                         role=sc.shown[m])


def _add_supply_edges(net: Network, sc: _Scene) -> None:
    """Step 6: SUPPLIES among the drawn firms, one edge per supplier-customer pair, width by value."""
    G, lang, shown = sc.G, sc.lang, sc.shown
    pairs: dict[tuple[str, str], list[tuple[str, float | None]]] = defaultdict(list)
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("rel") == "SUPPLIES" and u in shown and v in shown and u != v:
            pairs[(u, v)].append((str(k or d.get("segment") or ""), d.get("value")))
    values = [sum(float(x or 0.0) for _, x in items) for items in pairs.values()]
    # Thousands of edges drown the nodes: fade them as their number grows.
    opacity = 0.75 if len(pairs) < 500 else 0.4 if len(pairs) < 3000 else 0.2
    emax = max(values, default=0.0) or 1.0
    for (u, v), items in pairs.items():
        total_v = sum(float(x or 0.0) for _, x in items)
        known = any(x is not None for _, x in items)
        seg_names = ", ".join(dict.fromkeys(display_name(_attrs(G, s), lang) for s, _ in items if s))
        tip = [f"{display_name(_attrs(G, u), lang)} → {display_name(_attrs(G, v), lang)}"]
        if seg_names:
            tip.append(f"{_t(lang, 'segments')}: {seg_names}")
        if known:
            tip.append(f"{_t(lang, 'value')}: {_fmt_money(total_v, lang, sc.currency)}")
        width = 1.0 + 7.0 * math.sqrt(total_v / emax) if known else 1.0
        colour = sc.colours.get(items[0][0], "#90a4ae") if items[0][0] else "#90a4ae"
        _add_edge(net, u, v, width=round(width, 2), color={"color": colour, "opacity": opacity},
                  tip=tip, role="supplies")


def _add_serves_edges(net: Network, sc: _Scene) -> None:
    """Step 7: a dashed edge from each drawn target to the drawn anchors it would serve."""
    G, lang = sc.G, sc.lang
    for f, info in sc.targets.items():
        if f not in sc.shown:
            continue
        served = [a for a in info["anchors"] if a in sc.shown] or [sc.anchor]
        for a in served:
            _add_edge(net, f, a, dashes=[8, 6], width=2, color={"color": "#d32f2f", "opacity": 0.8},
                      tip=[f"{display_name(_attrs(G, f), lang)} ⇢ {display_name(_attrs(G, a), lang)}",
                           _t(lang, "serves")],
                      role="serves", physics=False)


def _firm_notices(lang: Lang, *, shown: int, total: int, cap: int, left_out: Mapping[str, int]) -> list[str]:
    """What the node cap left out, as one sentence; no sentence when nothing was."""
    if not left_out:
        return []
    parts = _t(lang, "list_sep").join(_t(lang, f"left_{k}", n=n) for k, n in sorted(left_out.items()))
    return [_t(lang, "shown", shown=shown, total=total, cap=cap, parts=parts) + " " + _t(lang, "kept")]


def _firm_legend(sc: _Scene) -> list[dict[str, Any]]:
    """The node and edge keys of the firm graph, then a swatch per segment drawn."""
    G, lang = sc.G, sc.lang
    legend: list[dict[str, Any]] = [
        {"shape": "diamond", "colour": "#ffffff", "border": "#000000", "label": _t(lang, "anchor")},
        {"shape": "dot", "colour": "#ffffff", "border": "#1b5e20", "label": _t(lang, "local")},
        {"shape": "square", "colour": "#ffffff", "border": "#757575", "dashed": True,
         "label": _t(lang, "external")},
        {"shape": "star", "colour": "#ffffff", "border": "#d32f2f", "label": _t(lang, "target")},
        {"shape": "box", "colour": "#ffffff", "border": STATUS_COLOURS["missing"], "dashed": True,
         "label": _t(lang, "gap_node")},
        {"shape": "line", "colour": "#90a4ae", "label": _t(lang, "supplies")},
        {"shape": "dashline", "colour": "#d32f2f", "label": _t(lang, "serves")},
    ]
    seen_segs = sorted({s for s in sc.firm_seg.values() if s in sc.colours},
                       key=lambda s: (_segment_chain(G, s), _stage_index(G, s), s))
    legend += [{"shape": "swatch", "colour": sc.colours[s], "label": display_name(_attrs(G, s), lang)}
               for s in seen_segs]
    return legend


def _header(G: nx.MultiDiGraph, region: str, lang: Lang, date: str | None) -> tuple[str, list[str]]:
    """The home region's name and the header parts both pages share: dataset, region, date."""
    region_name = display_name(_attrs(G, region), lang)
    dataset = str(G.graph.get("title") or G.graph.get("name") or G.graph.get("dataset") or "chaingraph")
    date = date or _dt.date.today().isoformat()
    return region_name, [dataset, f"{_t(lang, 'region')}: {region_name}", f"{_t(lang, 'generated')} {date}"]


def _column_positions(
    G: nx.MultiDiGraph,
    groups: Mapping[tuple[int, str], list[str]],
    shown: Mapping[str, str],
    anchor: str,
) -> dict[Any, tuple[float, float]]:
    """x by column (chain position), y stacked by segment group.

    A column taller than ``rows`` wraps its segment groups into stacks side by
    side, and a group longer than ``rows`` into sub-columns, with ``rows``
    chosen so the whole drawing is about 3:2 like a screen.
    """
    n = sum(len(m) for m in groups.values())
    best: tuple[float, dict[Any, tuple[float, float]]] | None = None
    # Try a few heights and keep the layout closest to 3:2 (cheap: linear in the nodes per try).
    for rows in sorted({max(6, round(r)) for r in (math.sqrt(n) * f for f in (0.5, 0.7, 1, 1.4, 2, 2.8, 4))}):
        pos = _stacked_positions(G, groups, shown, anchor, rows)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        w, h = max(xs) - min(xs) + 200.0, max(ys) - min(ys) + 120.0
        score = abs(math.log(w / h / 1.5))
        if best is None or score < best[0]:
            best = (score, pos)
    assert best is not None
    return best[1]


def _stacked_positions(
    G: nx.MultiDiGraph,
    groups: Mapping[tuple[int, str], list[str]],
    shown: Mapping[str, str],
    anchor: str,
    rows: int,
) -> dict[Any, tuple[float, float]]:
    row_h, sub_w, header_h, stack_gap, col_gap = 46.0, 120.0, 64.0, 60.0, 240.0

    def order(f: str) -> tuple[int, float, str]:
        cat = shown.get(f, "gap")
        rank = {"anchor": 0, "gap": 1, "target": 2, "partner": 3, "local": 4, "external": 5}[cat]
        return rank, -float(G.nodes[f].get("output_value") or 0.0) if f in G else 0.0, f

    by_col: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    for (col, seg), members in groups.items():
        by_col[col].append((seg, sorted(members, key=order)))
    # Each column: a list of stacks; each stack a list of (segment, members) drawn top to bottom.
    layout: dict[int, list[list[tuple[str, list[str]]]]] = {}
    for col, items in by_col.items():
        items.sort(key=lambda it: (0 if anchor in it[1] else 1, _stage_index(G, it[0]), it[0]))
        stacks: list[list[tuple[str, list[str]]]] = [[]]
        used = 0.0
        for seg, members in items:
            h = min(len(members), rows) * row_h + header_h
            if stacks[-1] and used + h > rows * row_h + header_h:
                stacks.append([])
                used = 0.0
            stacks[-1].append((seg, members))
            used += h
        layout[col] = stacks

    def stack_width(stack: list[tuple[str, list[str]]]) -> float:
        return max(math.ceil(len(m) / rows) for _, m in stack) * sub_w

    x_left: dict[int, float] = {}
    x = 0.0
    for col in sorted(layout):
        x_left[col] = x
        x += sum(stack_width(st) for st in layout[col]) + stack_gap * (len(layout[col]) - 1) + col_gap
    # The anchor's column (0) is centred on x = 0.
    zero = x_left.get(0, 0.0) + (sum(stack_width(st) for st in layout.get(0, [])) - sub_w) / 2
    pos: dict[Any, tuple[float, float]] = {}
    for col in sorted(layout):
        xs = x_left[col] - zero
        for stack in layout[col]:
            w = stack_width(stack)
            heights = [min(len(m), rows) * row_h + header_h for _, m in stack]
            y = -sum(heights) / 2
            for (seg, members), h in zip(stack, heights):
                n_sub = math.ceil(len(members) / rows)
                centre = xs + (w - sub_w) / 2
                pos[("label", col, seg)] = (round(centre, 1), round(y, 1))
                # The anchor is drawn big: give it room below its segment's header.
                top = 40.0 + (36.0 if members and members[0] == anchor else 0.0)
                for i, m in enumerate(members):
                    sub, row = divmod(i, rows)
                    xx = centre + (sub - (n_sub - 1) / 2) * sub_w
                    pos[m] = (round(xx, 1), round(y + top + (row * row_h if i else 0.0)
                                                  + (36.0 if i and top > 40.0 else 0.0), 1))
                y += h + top - 40.0 + (36.0 if top > 40.0 else 0.0)
            xs += w + stack_gap
    return pos


def _firm_style(
    G: nx.MultiDiGraph, f: str, cat: str, seg: str, colours: Mapping[str, str], vmax: float, physics: bool,
    *, local: bool,
) -> dict[str, Any]:
    d = G.nodes[f]
    fill = colours.get(seg, "#b0bec5")
    size = 10.0 + 18.0 * math.sqrt(float(d.get("output_value") or 0.0) / vmax)
    style: dict[str, Any] = {"size": round(size, 1), "borderWidth": 2,
                             "color": {"background": fill, "border": "#1b5e20",
                                       "highlight": {"background": fill, "border": "#000000"},
                                       "hover": {"background": fill, "border": "#000000"}}}
    if cat == "anchor":
        style.update(shape="diamond", size=40, borderWidth=4, font={"size": 20, "bold": True}, physics=False,
                     fixed=True)
        style["color"]["border"] = "#000000"
        return style
    if physics:
        # Physics may spread a column vertically but keeps the chain order left to right.
        style["fixed"] = {"x": True, "y": False}
    else:
        style["physics"] = False
    if cat == "target":
        style.update(shape="star", borderWidth=4, size=max(size, 18.0))
        style["color"]["border"] = "#d32f2f"
        return style
    if local:
        style["shape"] = "dot"
    else:
        style.update(shape="square", shapeProperties={"borderDashes": [4, 3]})
        style["color"]["border"] = "#757575"
    return style


def _firm_tip(
    G: nx.MultiDiGraph, f: str, cat: str, target: Mapping[str, Any] | None, lang: Lang, currency: str,
    *, local: bool,
) -> list[str]:
    d = G.nodes[f]
    role = cat if cat in ("anchor", "target") else "local" if local else "external"
    lines = [_both_names(d) or str(f), f"{_t(lang, 'role')}: {_t(lang, role)}",
             f"{_t(lang, 'region')}: {display_name(_attrs(G, str(d.get('region'))), lang)}"]
    segs = ", ".join(display_name(_attrs(G, s), lang) for s in d.get("segments") or ())
    lines.append(f"{_t(lang, 'segments')}: {segs or '—'}")
    lines.append(f"{_t(lang, 'output')}: {_fmt_money(d.get('output_value'), lang, currency)}")
    if target:
        if target.get("score") is not None:
            lines.append(f"{_t(lang, 'score')}: {target['score']:.3g}")
        if target.get("reasons"):
            lines.append(f"{_t(lang, 'reasons')}:")
            lines += [f"• {r}" for r in target["reasons"]]
    return lines


# --- chain map -----------------------------------------------------------------------------------


def _chain_layers(G: nx.MultiDiGraph, segs: Sequence[str]) -> dict[str, int]:
    """Column of each segment of one chain: longest FEEDS path into it (cycles condensed)."""
    D = nx.DiGraph()
    D.add_nodes_from(segs)
    inside = set(segs)
    for u, v, d in G.edges(data=True):
        if d.get("rel") == "FEEDS" and u in inside and v in inside and u != v:
            D.add_edge(u, v)
    if D.number_of_edges() == 0:
        return {s: _stage_index(G, s) for s in segs}
    C = nx.condensation(D)
    layer: dict[int, int] = {}
    for c in nx.topological_sort(C):
        preds = [layer[p] + 1 for p in C.predecessors(c)]
        members = C.nodes[c]["members"]
        if preds:
            layer[c] = max(preds)
        else:
            # Sources start at their stage, so an isolated downstream segment is not drawn upstream.
            layer[c] = min(_stage_index(G, s) for s in members) if not any(D.degree(s) for s in members) \
                else 0
    # Pull each segment right, next to its nearest customer: a short side input (separator -> cell)
    # sits beside the main line (cathode), not at the far left with the raw materials.
    for c in reversed(list(nx.topological_sort(C))):
        succ = [layer[x] for x in C.successors(c)]
        if succ:
            layer[c] = max(layer[c], min(succ) - 1)
    return {s: layer[C.graph["mapping"][s]] for s in segs}


def chain_map_data(
    G: nx.MultiDiGraph,
    *,
    region: str | None = None,
    targets: Sequence[Any] = (),
    status: Mapping[str, str] | None = None,
    lang: Lang = "zh",
    top: int = 10,
    title: str | None = None,
    date: str | None = None,
) -> Page:
    """The chain-map page as data, without writing it (see :func:`write_chain_map`)."""
    region = str(region or G.graph.get("home_region") or "")
    local_by_seg = _local_firms_by_segment(G, regions_within(G, region))
    rated = _status_map(status)
    # Segments the report does not rate (no anchor reaches them) follow the rule of
    # chaingraph.analyses.gaps: missing without local firms, else covered.
    segs_all = [s for s, d in G.nodes(data=True) if d.get("kind") == "segment"]
    status_of = {s: rated.get(s) or ("covered" if local_by_seg.get(s) else "missing") for s in segs_all}
    by_chain: dict[str, list[str]] = defaultdict(list)
    for s in segs_all:
        by_chain[_segment_chain(G, s)].append(s)

    net = _new_network()
    panel: dict[str, Any] = {}
    cell = _MapCell(G, lang, str(G.graph.get("currency") or "CNY"), local_by_seg,
                    _targets_by_segment(G, targets), top)
    y_band = 0.0
    for chain in sorted(by_chain, key=lambda c: display_name(_attrs(G, c), lang)):
        y_band = _add_chain_band(net, panel, cell, chain, by_chain[chain], status_of, y_band)
    _add_feeds_edges(net, G, set(segs_all), lang)

    region_name, subtitle = _header(G, region, lang, date)
    local_count = sum(len(v) for v in local_by_seg.values())
    return Page(
        kind="chain", lang=lang,
        title=title or f"{region_name} · {_t(lang, 'chain_map')}",
        subtitle=" · ".join([subtitle[0], _t(lang, "chain_map"), *subtitle[1:]]),
        nodes=net.nodes, edges=net.edges,
        options=_vis_options(len(net.nodes), physics=False, n_edges=len(net.edges)),
        legend=_chain_legend(status_of.values(), lang), panel=panel, firm_count=local_count,
        total_firms=local_count,
    )


@dataclass
class _MapCell:
    """What drawing one segment of the chain map needs besides the segment.

    ``local_by_seg`` lists each segment's local firms by output (largest
    first), ``targets_by_seg`` its targets by score (best first), of which
    the panel shows ``top``.
    """

    G: nx.MultiDiGraph
    lang: Lang
    currency: str
    local_by_seg: Mapping[str, list[str]]
    targets_by_seg: Mapping[str, list[dict[str, Any]]]
    top: int


def _local_firms_by_segment(G: nx.MultiDiGraph, local_regions: set[str]) -> dict[str, list[str]]:
    """The local firms of each segment, largest output first (ties by id)."""
    local_by_seg: dict[str, list[str]] = defaultdict(list)
    for f, d in firms(G):
        if d.get("region") in local_regions:
            for s in d.get("segments") or ():
                local_by_seg[s].append(f)
    for members in local_by_seg.values():
        members.sort(key=lambda f: (-float(G.nodes[f].get("output_value") or 0.0), f))
    return local_by_seg


def _targets_by_segment(G: nx.MultiDiGraph, targets: Sequence[Any]) -> dict[str, list[dict[str, Any]]]:
    """The targets of each segment (the ones it names, else the firm's own), best score first."""
    tby_seg: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t in targets:
        info = _target_fields(t)
        if info["firm"] not in G:
            continue
        segs = info["segments"] or list(G.nodes[info["firm"]].get("segments") or ())
        for s in segs:
            tby_seg[s].append(info)
    for items in tby_seg.values():
        items.sort(key=lambda i: (-(i["score"] or 0.0), i["firm"]))
    return tby_seg


def _chain_columns(G: nx.MultiDiGraph, segs: Sequence[str], wrap: int) -> dict[int, list[str]]:
    """The columns of one chain's band: its layers, each wrapped into sub-columns of ``wrap`` segments.

    Wrapping keeps a chain whose many inputs all feed one segment from being
    drawn as one tall column.
    """
    layers = _chain_layers(G, segs)
    by_layer: dict[int, list[str]] = defaultdict(list)
    for s in sorted(segs, key=lambda s: (_stage_index(G, s), s)):
        by_layer[layers[s]].append(s)
    cols: dict[int, list[str]] = {}
    c_next = 0
    for layer in sorted(by_layer):
        members = by_layer[layer]
        for k in range(0, len(members), wrap):
            cols[c_next] = members[k:k + wrap]
            c_next += 1
    return cols


def _add_chain_band(
    net: Network, panel: dict[str, Any], cell: _MapCell, chain: str, segs: Sequence[str],
    status_of: Mapping[str, str], y_band: float,
) -> float:
    """Draw one chain as a band starting at ``y_band``: its title, then its segments by column.

    Returns the ``y`` where the next band starts.
    """
    col_w, row_h, band_gap, wrap = 215.0, 74.0, 100.0, 5
    cols = _chain_columns(cell.G, segs, wrap)
    band_h = max(len(v) for v in cols.values()) * row_h
    cname = display_name(_attrs(cell.G, chain), cell.lang) if chain else "—"
    net.add_node(f"chain:{chain}", label=cname, shape="text", x=max(cols) * col_w / 2,
                 y=y_band - row_h * 0.9,
                 physics=False, fixed=True, chosen=False, role="chain-label",
                 font={"size": 24, "bold": True, "color": "#263238", "align": "left"})
    for c, members in cols.items():
        y0 = y_band + (band_h - len(members) * row_h) / 2
        for i, s in enumerate(members):
            net.add_node(s, **_segment_node(cell, s, status_of[s], x=c * col_w, y=y0 + i * row_h))
            panel[s] = _segment_panel(cell, s, status_of[s], cname)
    return y_band + band_h + band_gap


def _segment_node(cell: _MapCell, s: str, st: str, *, x: float, y: float) -> dict[str, Any]:
    """The vis-network options of segment ``s`` with status ``st``: a box coloured by status."""
    G, lang = cell.G, cell.lang
    local = cell.local_by_seg.get(s, [])
    anchors = [f for f in local if G.nodes[f].get("anchor")]
    label = f"{display_name(_attrs(G, s), lang)}\n{_t(lang, 'local_count', n=len(local))}"
    if anchors:
        names = ", ".join(display_name(_attrs(G, a), lang) for a in anchors[:2])
        label += f"\n{_t(lang, 'anchors')}: {names}" + (" …" if len(anchors) > 2 else "")
    stage = G.nodes[s].get("stage")
    tip = [_both_names(G.nodes[s]), f"{_t(lang, 'status')}: {status_label(st, lang)}",
           f"{_t(lang, 'stage')}: {text(f'stage.{stage}', lang) if stage in STAGES else '—'}",
           f"{_t(lang, 'local_firms')}: {len(local)}"]
    border = {"covered": "#1b5e20", "weak": "#f57f17", "missing": "#c62828"}.get(st, "#455a64")
    # A missing segment is drawn as a hole: pale fill, dashed red border, red text.
    fill = _STATUS_FILLS.get(st, "#b0bec5")
    node: dict[str, Any] = dict(
        label=label, shape="box", x=x, y=y, physics=False, fixed=True,
        color={"background": fill, "border": border,
               "highlight": {"background": fill, "border": "#000000"},
               "hover": {"background": fill, "border": "#000000"}},
        borderWidth=3.5 if anchors else 2, margin=8,
        widthConstraint={"minimum": 150, "maximum": 170},
        font={"color": _STATUS_TEXT.get(st, "#212121"), "size": 14},
        tip=tip, role=st)
    if st == "missing":
        node["shapeProperties"] = {"borderDashes": [6, 4]}
    return node


def _segment_panel(cell: _MapCell, s: str, st: str, chain_name: str) -> dict[str, Any]:
    """What the side panel lists for segment ``s``: its first 50 local firms and its top targets."""
    G, lang = cell.G, cell.lang
    local = cell.local_by_seg.get(s, [])
    firm_rows = [[display_name(_attrs(G, f), lang),
                  _fmt_money(G.nodes[f].get("output_value"), lang, cell.currency),
                  bool(G.nodes[f].get("anchor"))] for f in local[:50]]
    target_rows = [[display_name(_attrs(G, i["firm"]), lang),
                    display_name(_attrs(G, str(G.nodes[i["firm"]].get("region"))), lang),
                    f"{i['score']:.3g}" if i["score"] is not None else "", "; ".join(i["reasons"][:3])]
                   for i in cell.targets_by_seg.get(s, [])[:cell.top]]
    return {"name": _both_names(G.nodes[s]), "chain": chain_name, "status": status_label(st, lang),
            "statusKey": st, "firms": firm_rows, "moreFirms": max(0, len(local) - 50), "targets": target_rows}


def _add_feeds_edges(net: Network, G: nx.MultiDiGraph, shown: set[str], lang: Lang) -> None:
    """FEEDS between the drawn segments, wider for a larger weight."""
    for u, v, d in G.edges(data=True):
        if d.get("rel") == "FEEDS" and u in shown and v in shown and u != v:
            w = d.get("weight")
            _add_edge(net, u, v, width=1.5 + (4.0 * float(w) if w is not None else 0.0),
                      color={"color": "#78909c", "opacity": 0.8},
                      smooth={"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal",
                              "roundness": 0.4},
                      tip=[f"{display_name(_attrs(G, u), lang)} → {display_name(_attrs(G, v), lang)}",
                           _t(lang, "feeds")])


def _chain_legend(statuses: Iterable[str], lang: Lang) -> list[dict[str, Any]]:
    """A key per status with its number of segments, then the FEEDS line."""
    counts: dict[str, int] = defaultdict(int)
    for st in statuses:
        counts[st] += 1
    legend = [{"shape": "box", "colour": _STATUS_FILLS[k], "border": STATUS_COLOURS[k],
               "dashed": k == "missing", "label": f"{status_label(k, lang)} ({counts.get(k, 0)})"}
              for k in ("covered", "weak", "missing")]
    legend.append({"shape": "line", "colour": "#78909c", "label": _t(lang, "feeds")})
    return legend


# --- writing -------------------------------------------------------------------------------------


def write_html(
    G: nx.MultiDiGraph,
    path: str | Path,
    *,
    anchor: str,
    gaps: Any = None,
    targets: Sequence[Any] = (),
    region: str | None = None,
    lang: Lang = "zh",
    depth: int = 2,
    max_nodes: int = 2000,
    title: str | None = None,
    date: str | None = None,
    physics: bool | None = None,
) -> Page:
    """Write the interactive firm graph around ``anchor`` as one offline HTML file.

    Parameters
    ----------
    G
        A context graph (see :mod:`chaingraph.stores`) holding the anchor, its
        segments' neighbourhood and the targets.
    path
        Where to write the page.
    anchor
        Id of the anchor firm.
    gaps
        The gap report of ``anchor`` (its ``missing`` segments get a
        placeholder node), or a list of missing segment ids, or ``None``.
    targets
        Ranked targets (``Target`` objects or mappings with ``firm``,
        ``score``, ``reasons`` and ``anchor``/``anchors``), best first.
    region
        The home region; defaults to ``G.graph["home_region"]``, else the
        anchor's region.
    lang
        Language of labels and names.
    depth
        FEEDS steps from the anchor's segments whose firms are drawn.
    max_nodes
        Most firm nodes to draw; the page says what was left out. Segment
        headers and gap placeholders come on top.
    title
        Page title; defaults to the dataset and anchor.
    date
        Date shown in the header (ISO); defaults to today.
    physics
        Force the physics simulation on or off; by default it is on up to
        :data:`PHYSICS_MAX_NODES` nodes.

    Returns
    -------
    page
        What was drawn: nodes, edges, counts and what the cap left out.

    Raises
    ------
    UnknownFirmError
        If ``anchor`` is not a firm of ``G``.

    Examples
    --------
    >>> import tempfile, os
    >>> from chaingraph.model import new_graph
    >>> G = new_graph(name="tiny", home_region="js")
    >>> G.add_node("js", kind="region", name="嘉善")
    >>> G.add_node("cell", kind="segment", name="电芯", stage="midstream", chain="li")
    >>> for f, r in [("a", "js"), ("b", "js"), ("c", "sh")]:
    ...     G.add_node(f, kind="firm", name=f.upper(), region=r, segments=("cell",), anchor=f == "a")
    >>> _ = G.add_edge("b", "a", key="cell", rel="SUPPLIES", value=5.0)
    >>> page = write_html(G, os.path.join(tempfile.mkdtemp(), "a.html"), anchor="a", date="2024-01-01")
    >>> page.firm_count, len(page.edges), page.left_out
    (3, 1, {})
    """
    page = page_data(G, anchor=anchor, gaps=gaps, targets=targets, region=region, lang=lang, depth=depth,
                     max_nodes=max_nodes, title=title, date=date, physics=physics)
    page.path = _write_page(page, path)
    return page


def write_chain_map(
    G: nx.MultiDiGraph,
    path: str | Path,
    *,
    region: str | None = None,
    targets: Sequence[Any] = (),
    status: Any = None,
    lang: Lang = "zh",
    top: int = 10,
    title: str | None = None,
    date: str | None = None,
) -> Page:
    """Write the chain map (產業鏈圖譜) of the home region as one offline HTML file.

    Parameters
    ----------
    G
        A graph with every chain, segment and FEEDS edge, the region tree and
        at least the local firms.
    path
        Where to write the page.
    region
        The home region; defaults to ``G.graph["home_region"]``.
    targets
        Ranked targets, best first; each segment lists its ``top`` ones.
    status
        The region's gap report (:func:`chaingraph.analyses.gaps.find_region_gaps`)
        or a mapping of segment id to ``covered``, ``weak`` or ``missing``.
        Segments it does not rate are missing without local firms, else
        covered.
    lang
        Language of labels and names.
    top
        Targets listed per segment.
    title, date
        Page title and header date (ISO; default today).

    Returns
    -------
    page
        What was drawn.

    Examples
    --------
    >>> import tempfile, os
    >>> from chaingraph.model import new_graph
    >>> G = new_graph(name="tiny", home_region="js")
    >>> G.add_node("js", kind="region", name="嘉善")
    >>> G.add_node("li", kind="chain", name="锂电")
    >>> for s in ("cathode", "cell"):
    ...     G.add_node(s, kind="segment", name=s, stage="midstream", chain="li")
    >>> _ = G.add_edge("cathode", "cell", rel="FEEDS")
    >>> G.add_node("a", kind="firm", name="A", region="js", segments=("cell",), anchor=True)
    >>> page = write_chain_map(G, os.path.join(tempfile.mkdtemp(), "m.html"))
    >>> sorted((k, v["statusKey"]) for k, v in page.panel.items())
    [('cathode', 'missing'), ('cell', 'covered')]
    """
    page = chain_map_data(G, region=region, targets=targets, status=status, lang=lang, top=top, title=title,
                          date=date)
    page.path = _write_page(page, path)
    return page


def _legend_html(items: Sequence[Mapping[str, Any]]) -> str:
    keys = _legend_items([it for it in items if it.get("shape") != "swatch"])
    swatches = _legend_items([it for it in items if it.get("shape") == "swatch"])
    return keys + (f'</ul><ul id="cg-swatches">{swatches}' if swatches else "")


def _legend_items(items: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for it in items:
        colour = html.escape(str(it.get("colour", "#ffffff")), quote=True)
        border = html.escape(str(it.get("border", colour)), quote=True)
        style = f"background:{colour};border:2px {'dashed' if it.get('dashed') else 'solid'} {border}"
        shape = str(it.get("shape"))
        if shape == "line":
            style = f"border-top:4px solid {colour}"
        elif shape == "dashline":
            style = f"border-top:3px dashed {colour}"
        out.append(f'<li><span class="sw sw-{html.escape(shape, quote=True)}" style="{style}"></span>'
                   f"{html.escape(str(it['label']))}</li>")
    return "\n".join(out)


#: Keys of the labels the page's script shows (as ``data.text``), by the name the script uses.
_SCRIPT_TEXT = {"details": "page.details", "click": "page.click", "local_firms": "page.local_firms",
                "targets": "page.targets", "status": "page.status", "none": "none", "more": "page.more",
                "anchor": "page.anchor", "region": "page.region", "score": "page.score",
                "reasons": "page.reasons"}


@functools.cache
def _template(name: str) -> str:
    """The text of ``templates/NAME`` (package data, see :mod:`chaingraph.exports.templates`)."""
    return resources.files("chaingraph.exports.templates").joinpath(name).read_text(encoding="utf-8")


def render_page(page: Page) -> str:
    """The HTML text of ``page``: vis-network and every style inlined, names as escaped JSON data."""
    vis_js = (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    vis_css = (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    # The library's own comments name its home pages; nothing loads them, but a page with no
    # http(s) text at all is easier to check and to trust.
    vis_js = _strip_urls(vis_js)
    vis_css = _strip_urls(vis_css)
    data = {"kind": page.kind, "lang": page.lang, "nodes": page.nodes, "edges": page.edges,
            "options": page.options, "panel": page.panel, "firmCount": page.firm_count,
            "totalFirms": page.total_firms, "leftOut": page.left_out,
            "text": {k: text(key, page.lang) for k, key in _SCRIPT_TEXT.items()}}
    esc = html.escape
    notices = "".join(f'<p class="notice">{esc(n)}</p>' for n in page.notices)
    # Every value is escaped text, escaped JSON or our own files, so the skeleton's braces are
    # its placeholders only; the CSS and JS go in as values because their braces are their own.
    return _template("page.html").format(
        lang="zh-CN" if page.lang == "zh" else "en",
        title=esc(page.title), subtitle=esc(page.subtitle), notices=notices,
        legend_title=esc(_t(page.lang, "legend")), legend=_legend_html(page.legend),
        details=esc(_t(page.lang, "details")), click=esc(_t(page.lang, "click")),
        vis_css=vis_css.replace("</", "<\\/"), css=_template("page.css"),
        vis_js=vis_js.replace("</script", "<\\/script"), data=_script_json(data), js=_template("page.js"),
    )


def _strip_urls(text: str) -> str:
    import re

    # The SVG namespace is an identifier, not a download; keep it so vis can still create SVG.
    return re.sub(r"https?://(?!www\.w3\.org/2000/svg)[^\s\"'()<>]*", "", text)


def _write_page(page: Page, path: str | Path) -> Path:
    out = Path(path)
    text = render_page(page)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Write to a sibling temp file and rename, so a failed write never leaves half a page.
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    logger.info("wrote %s: %d nodes, %d edges", out, len(page.nodes), len(page.edges))
    return out
