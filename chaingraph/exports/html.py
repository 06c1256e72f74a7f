"""The firm graph: an anchor's neighbourhood as an interactive page that works offline.

The page (:func:`write_html`) draws the *neighbourhood* of one anchor (鏈主,
the firm a region grows its industry around): the firms in the segments
within ``depth`` FEEDS steps of the anchor's segments, its direct suppliers
and customers (*partners*), the recruitment *targets* (firms outside the
region worth bringing in) and one placeholder node per *gap* (a segment next
to the anchor with no local firm), so that a gap shows as a hole. Columns run
upstream (left) to downstream (right) by FEEDS distance from the anchor's
segments.

Drawing rules
-------------
colour
    By chain: one hue per chain, a shade per segment
    (:func:`chaingraph.exports._page.chain_palette`).
shape
    By role: anchor ◆, local firm ●, external firm ■ (dashed border),
    target ★, gap placeholder (dashed box), aggregate ⬢.
labels
    Cut to a display length. At the fitted zoom only the anchor, the
    targets, the aggregates and the largest firms (by output, else by number
    of links) carry a label, chosen greedily so that no two labels overlap;
    the rest show on hover, and all show once zoomed in far enough.
aggregation
    Above ``max_nodes`` firms, the firms after the cap (external firms
    first, then local ones) are drawn as one *aggregate* node per segment
    and side (local / external) with their count; a click expands it.

The page is our own template (``templates/page.html``, ``page.css`` and
``page.js``, package data) with vis-network's JavaScript and CSS inlined from
the pyvis package, because pyvis's own template links bootstrap from a CDN.
Tooltips are DOM elements filled with ``textContent``, never HTML strings.
"""
from __future__ import annotations

import html
import logging
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis

from chaingraph.errors import UnknownFirmError
from chaingraph.exports import _page as P
from chaingraph.exports._page import Page
from chaingraph.exports._search import fold_map, search_key
from chaingraph.i18n import TEXT, status_label, text
from chaingraph.model import Lang, firms, regions_within, segment_distances

__all__ = ["Page", "write_html", "page_data", "render_page"]

logger = logging.getLogger(__name__)

_VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"

#: Role of a firm on the page, by its category in the ranking.
_ROLE = {"anchor": "anchor", "target": "target"}
_SHAPES = {"anchor": "diamond", "local": "dot", "external": "square", "target": "star", "gap": "triangleDown",
           "aggregate": "hexagon"}
_SUPPLY_GREY = "#8a9ba8"
_SERVES_RED = "#c62828"
_FONT = 14.0  # label font size on the canvas


def _vis_options(n_nodes: int, *, physics: bool, n_edges: int) -> dict[str, Any]:
    big = n_nodes > 1000 or n_edges > 3000
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 1},
        # Physics only nudges overlapping nodes apart: no springs and no gravity, so the
        # precomputed chain layout stays.
        "physics": {
            "enabled": physics, "solver": "repulsion",
            "repulsion": {"nodeDistance": 40, "centralGravity": 0.0, "springLength": 100,
                          "springConstant": 0.0, "damping": 0.5},
            "stabilization": {"enabled": physics, "iterations": 100, "fit": True}, "maxVelocity": 20,
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "multiselect": False, "navigationButtons": False},
        "nodes": {"font": {"size": _FONT, "face": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
                  "borderWidth": 1.5, "borderWidthSelected": 3},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "color": {"inherit": False}, "selectionWidth": 2},
    }


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

    ``targets`` maps a target firm to its fields; ``partner_value`` and
    ``partner_role`` give the anchor's direct suppliers and customers the
    value they trade with it and their side. ``shown`` maps each firm drawn
    one by one to its category (``anchor``, ``target``, ``partner``,
    ``local``, ``external``), ``agg`` each aggregate node to its firms and
    ``node_of`` every firm of the page to the node that draws it. ``size``
    is what "largest" means: output value, else number of SUPPLIES links
    (``size_rule`` says which).
    """

    G: nx.MultiDiGraph
    anchor: str
    lang: Lang
    currency: str
    local_regions: set[str]
    dist: dict[str, tuple[str, int]]
    chain_colours: dict[str, str]
    colours: dict[str, str]
    targets: dict[str, dict[str, Any]]
    partner_value: dict[str, float]
    partner_role: dict[str, str]
    size: dict[str, float] = field(default_factory=dict)
    size_rule: str = "output"
    shown: dict[str, str] = field(default_factory=dict)
    firm_seg: dict[str, str] = field(default_factory=dict)
    agg: dict[str, list[str]] = field(default_factory=dict)
    node_of: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)

    def is_local(self, firm: str) -> bool:
        return self.G.nodes[firm].get("region") in self.local_regions

    def role(self, firm: str) -> str:
        cat = self.shown.get(firm, "")
        return _ROLE.get(cat) or ("local" if self.is_local(firm) else "external")


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
    left_out = _aggregate(sc, ranked, max_nodes)
    gap_segs = [s for s in P.gap_segments(gaps) if s in G]
    sc.status = _segment_status(sc, gaps, gap_segs)
    groups = _firm_groups(sc, gap_segs)
    n_nodes = len(sc.shown) + len(sc.agg) + len(gap_segs)
    if physics is None:
        # The layout is computed; physics would move nodes and labels into each other.
        physics = False
    pos = _column_positions(G, groups, sc.shown, anchor)
    nodes = _header_nodes(sc, groups, pos) + _firm_nodes(sc, groups, pos, physics=physics)
    _plan_labels(sc, nodes)
    edges = _supply_edges(sc) + _serves_edges(sc)
    _attach_links(sc, nodes, edges)

    region_name, subtitle = P.header(G, region, lang, date)
    notices = _firm_notices(sc, shown=len(sc.shown), total=len(ranked), cap=max_nodes, left_out=left_out)
    anchor_name = P.name(G, anchor, lang)
    panel = {n["id"]: n["info"] for n in nodes if "info" in n}
    return Page(
        kind="firm", lang=lang,
        title=title or f"{anchor_name} · {P.t(lang, 'firm_graph')} · {region_name}",
        subtitle=" · ".join([subtitle[0], f"{P.t(lang, 'anchor')}: {anchor_name}", *subtitle[1:]]),
        nodes=nodes, edges=edges, options=_vis_options(n_nodes, physics=physics, n_edges=len(edges)),
        legend=_firm_legend(sc, nodes, edges), notices=notices, panel=panel, firm_count=len(sc.shown),
        total_firms=len(ranked), left_out=left_out,
        extra={"filters": _filters(sc, nodes), "fold": fold_map(n.get("key", "") for n in nodes)},
    )


def _firm_scene(
    G: nx.MultiDiGraph, *, targets: Sequence[Any], anchor: str, region: str, lang: Lang, depth: int
) -> _Scene:
    """Step 1 of :func:`page_data`: the neighbourhood's segments, the targets and the anchor's partners."""
    tinfo: dict[str, dict[str, Any]] = {}
    for tg in targets:
        fields = P.target_fields(tg)
        if fields["firm"] in G:
            tinfo[fields["firm"]] = fields
    partner_value: dict[str, float] = defaultdict(float)
    partner_role: dict[str, str] = {}
    for u, _v, d in G.in_edges(anchor, data=True):
        if d.get("rel") == "SUPPLIES" and u != anchor:
            partner_value[u] += float(d.get("value") or 0.0)
            partner_role[u] = "supplier"
    for _u, v, d in G.out_edges(anchor, data=True):
        if d.get("rel") == "SUPPLIES" and v != anchor:
            partner_value[v] += float(d.get("value") or 0.0)
            partner_role.setdefault(v, "customer")
    chain_colours, colours = P.chain_palette(G)
    return _Scene(
        G=G, anchor=anchor, lang=lang, currency=str(G.graph.get("currency") or "CNY"),
        local_regions=regions_within(G, region),
        dist=segment_distances(G, tuple(G.nodes[anchor].get("segments") or ()), depth=depth),
        chain_colours=chain_colours, colours=colours, targets=tinfo, partner_value=dict(partner_value),
        partner_role=partner_role,
    )


def _rank_firms(sc: _Scene) -> list[tuple[tuple[int, float, str], str, str]]:
    """Step 2: the firms of the neighbourhood, most important first, with their category.

    The order: the anchor, targets by score, the anchor's partners by value
    traded, then local and external firms by size (output value when any
    firm of the neighbourhood has one, else number of SUPPLIES links; the
    rule is kept in ``sc.size_rule`` so the page can say it).
    """
    G = sc.G
    near = [(f, d) for f, d in firms(G)
            if f == sc.anchor or f in sc.targets or f in sc.partner_value
            or any(s in sc.dist for s in d.get("segments") or ())]
    if any(d.get("output_value") for _, d in near):
        sc.size = {f: float(d.get("output_value") or 0.0) for f, d in near}
    else:
        sc.size_rule = "links"
        sc.size = {f: float(sum(1 for *_, e in G.in_edges(f, data=True) if e.get("rel") == "SUPPLIES")
                            + sum(1 for *_, e in G.out_edges(f, data=True) if e.get("rel") == "SUPPLIES"))
                   for f, _ in near}
    ranked: list[tuple[tuple[int, float, str], str, str]] = []
    for f, d in near:
        if f == sc.anchor:
            cat, rank, weight = "anchor", 0, 0.0
        elif f in sc.targets:
            cat, rank, weight = "target", 1, -(sc.targets[f]["score"] or 0.0)
        elif f in sc.partner_value:
            cat, rank, weight = "partner", 2, -sc.partner_value[f]
        else:
            cat, rank = ("local", 3) if d.get("region") in sc.local_regions else ("external", 4)
            weight = -sc.size[f]
        ranked.append(((rank, weight, str(f)), str(f), cat))
    ranked.sort()
    return ranked


def _aggregate(sc: _Scene, ranked: Sequence[tuple[Any, str, str]], max_nodes: int) -> dict[str, int]:
    """Step 3: keep the first ``max_nodes`` firms one by one; put the rest in aggregates.

    An aggregate holds the firms after the cap of one segment and one side
    (``agg:local:SEG`` or ``agg:external:SEG``). Returns how many firms went
    into aggregates, by category.
    """
    kept = ranked[:max(1, max_nodes)]
    sc.shown = {f: cat for _, f, cat in kept}
    sc.node_of = {f: f for f in sc.shown}
    left_out: dict[str, int] = defaultdict(int)
    for _, f, cat in ranked[len(kept):]:
        side = "local" if sc.is_local(f) else "external"
        left_out[cat if cat in ("partner", "target") else side] += 1
        segs = tuple(sc.G.nodes[f].get("segments") or ())
        col = _firm_column(sc.G, segs, sc.dist)
        seg = col[0] if col else (segs[0] if segs else "")
        agg_id = f"agg:{side}:{seg}"
        sc.agg.setdefault(agg_id, []).append(f)
        sc.node_of[f] = agg_id
    return dict(left_out)


def _segment_status(sc: _Scene, gaps: Any, gap_segs: Sequence[str]) -> dict[str, str]:
    """Status of each segment drawn: the gap report's, else missing for a gap, else by local firms."""
    rated = P.status_map(gaps)
    local_segs = {s for f, d in firms(sc.G) if d.get("region") in sc.local_regions
                  for s in d.get("segments") or ()}
    out = {s: rated.get(s) or ("covered" if s in local_segs else "missing") for s in sc.dist}
    out.update({s: "missing" for s in gap_segs})
    return out


def _firm_groups(sc: _Scene, gap_segs: Sequence[str]) -> dict[tuple[int, str], list[str]]:
    """Step 4: the (column, segment) group of each drawn firm, aggregate and gap placeholder.

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
    for agg_id in sc.agg:
        seg = agg_id.split(":", 2)[2]
        direction, d = sc.dist.get(seg, ("own", 0))
        sc.firm_seg[agg_id] = seg
        groups[(-d if direction == "upstream" else d, seg)].append(agg_id)
    for s in gap_segs:
        direction, d = sc.dist.get(s, ("own", 0))
        groups[(-d if direction == "upstream" else d, s)].append(f"gap:{s}")
    return groups


def _header_nodes(
    sc: _Scene, groups: Mapping[tuple[int, str], list[str]], pos: Mapping[Any, tuple[float, float]]
) -> list[dict[str, Any]]:
    """A text node naming the segment above each group (cut to the display length)."""
    out = []
    for column, seg in groups:
        x, y = pos[("label", column, seg)]
        full = P.name(sc.G, seg, sc.lang) if seg else "—"
        out.append({"id": f"seg:{column}:{seg}", "label": P.short(full, 18), "shape": "text", "x": x, "y": y,
                    "physics": False, "fixed": True, "chosen": False, "role": "segment-label",
                    "font": {"size": 16, "color": "#37474f", "bold": True},
                    "chain": P.segment_chain(sc.G, seg), "seg": seg, "tip": [full]})
    return out


def _firm_nodes(
    sc: _Scene, groups: Mapping[tuple[int, str], list[str]], pos: Mapping[Any, tuple[float, float]], *,
    physics: bool,
) -> list[dict[str, Any]]:
    """Step 5: the firms, aggregates and gap placeholders at their computed positions."""
    G = sc.G
    vmax = max((sc.size.get(f, 0.0) for f in sc.shown), default=0.0) or 1.0
    out = []
    for members in groups.values():
        for m in members:
            x, y = pos[m]
            if m.startswith("gap:"):
                node = _gap_node(sc, m[4:])
            elif m.startswith("agg:"):
                node = _aggregate_node(sc, m)
            else:
                node = _firm_node(sc, m, vmax, physics=physics)
            seg = m[4:] if m.startswith("gap:") else sc.firm_seg.get(m, "")
            node.update(id=m, x=x, y=y, seg=seg, chain=P.segment_chain(G, seg), status=sc.status.get(seg, ""))
            node.setdefault("label", P.short(node["full"]))
            out.append(node)
    return out


def _firm_node(sc: _Scene, f: str, vmax: float, *, physics: bool) -> dict[str, Any]:
    """A firm: shape by role, fill by its segment's shade, size by output (or links)."""
    G, role = sc.G, sc.role(f)
    fill = sc.colours.get(sc.firm_seg.get(f, ""), "#b0bec5")
    size = 10.0 + 16.0 * math.sqrt(sc.size.get(f, 0.0) / vmax)
    border = {"anchor": "#000000", "target": _SERVES_RED, "local": "#1b2631", "external": "#616161"}[role]
    node: dict[str, Any] = {
        "shape": _SHAPES[role], "size": round(size, 1), "borderWidth": 2, "role": role,
        "color": {"background": fill, "border": border, "highlight": {"background": fill, "border": "#000000"},
                  "hover": {"background": fill, "border": "#000000"}},
        "full": P.name(G, f, sc.lang), "key": search_key(f, G.nodes[f]),
        "segs": [str(s) for s in G.nodes[f].get("segments") or ()],
        "tip": _firm_tip(sc, f, role), "info": _firm_info(sc, f, role),
    }
    if role == "anchor":
        node.update(size=34, borderWidth=4, font={"size": 18, "bold": True}, physics=False, fixed=True)
    elif role == "target":
        node.update(size=max(size, 18.0), borderWidth=3)
    elif role == "external":
        node["shapeProperties"] = {"borderDashes": [4, 3]}
    if role != "anchor":
        # Physics may spread a column vertically but keeps the chain order left to right.
        node.update({"fixed": {"x": True, "y": False}} if physics else {"physics": False})
    return node


def _gap_node(sc: _Scene, s: str) -> dict[str, Any]:
    full = f"{P.t(sc.lang, 'gap')}: {P.name(sc.G, s, sc.lang)}"
    red = P.STATUS_COLOURS["missing"]
    return {"label": P.short(full, 20), "full": full, "shape": "triangleDown", "size": 14, "physics": False,
            "fixed": True, "color": {"background": "#ffffff", "border": red}, "borderWidth": 2.5, "role": "gap",
            "shapeProperties": {"borderDashes": [4, 3]},
            "key": search_key(s, sc.G.nodes[s]), "segs": [s],
            "tip": [full, P.both_names(sc.G.nodes[s]), P.t(sc.lang, "gap_node")],
            "info": {"title": full, "sections": [[P.t(sc.lang, "gap_node"), [P.both_names(sc.G.nodes[s])]]]}}


def _aggregate_node(sc: _Scene, agg_id: str) -> dict[str, Any]:
    """One node for the firms of a segment and side after the cap; its members ride along for expanding."""
    G, lang = sc.G, sc.lang
    side, seg = agg_id.split(":", 2)[1:]
    members = sc.agg[agg_id]
    full = P.t(lang, f"agg_{side}", n=len(members), segment=P.name(G, seg, lang) if seg else "—")
    fill = sc.colours.get(seg, "#b0bec5")
    names = [P.name(G, f, lang) for f in members]
    return {
        "label": P.short(full, 22), "full": full, "shape": "hexagon", "size": 22, "borderWidth": 2,
        "physics": False, "fixed": True, "role": "aggregate", "count": len(members),
        "color": {"background": fill, "border": "#263238"},
        "segs": [seg], "key": "",
        "members": [[f, P.short(n), n, search_key(f, G.nodes[f]), sc.role(f)] for f, n in zip(members, names)],
        "tip": [full, P.t(lang, "agg_click")],
        "info": {"title": full, "sections": [[P.t(lang, "agg_click"), [P.short(n, 40) for n in names[:50]]
                                              + ([P.t(lang, "more", n=len(names) - 50)] if len(names) > 50
                                                 else [])]]},
    }


def _firm_tip(sc: _Scene, f: str, role: str) -> list[str]:
    G, lang = sc.G, sc.lang
    d = G.nodes[f]
    segs = ", ".join(P.name(G, s, lang) for s in d.get("segments") or ())
    return [P.short(P.both_names(d) or str(f), 80), f"{P.t(lang, 'role')}: {P.t(lang, role)}",
            f"{P.t(lang, 'region')}: {P.name(G, str(d.get('region')), lang)}",
            f"{P.t(lang, 'segments')}: {segs or '—'}",
            f"{P.t(lang, 'output')}: {P.fmt_money(d.get('output_value'), lang, sc.currency)}"]


def _firm_info(sc: _Scene, f: str, role: str) -> dict[str, Any]:
    """The details panel of firm ``f``: segments, region, each link with its evidence, and a target's score."""
    G, lang = sc.G, sc.lang
    d = G.nodes[f]
    segs = [f"{P.name(G, s, lang)} · {P.name(G, P.segment_chain(G, s), lang)}" for s in d.get("segments") or ()]
    rows = [f"{P.t(lang, 'role')}: {P.t(lang, role)}", f"{P.t(lang, 'region')}: "
            f"{P.name(G, str(d.get('region')), lang)}",
            f"{P.t(lang, 'output')}: {P.fmt_money(d.get('output_value'), lang, sc.currency)}", f"id: {f}"]
    sections: list[list[Any]] = [[P.t(lang, "details"), rows], [P.t(lang, "segments"), segs or ["—"]]]
    links = []
    for u, v, k, e in list(G.in_edges(f, keys=True, data=True)) + list(G.out_edges(f, keys=True, data=True)):
        if e.get("rel") != "SUPPLIES":
            continue
        other, arrow = (u, "←") if v == f else (v, "→")
        parts = [f"{arrow} {P.short(P.name(G, other, lang), 30)}", P.name(G, str(k or e.get("segment") or ""), lang)]
        if e.get("value") is not None:
            parts.append(P.fmt_money(e.get("value"), lang, sc.currency))
        if e.get("confidence") is not None:
            parts.append(f"{P.t(lang, 'confidence')} {float(e['confidence']):.2g}")
        parts.append(f"{P.t(lang, 'evidence')}: {e.get('source') or '—'}")
        links.append(" · ".join(parts))
    sections.append([P.t(lang, "links"), links[:30] + ([P.t(lang, "more", n=len(links) - 30)]
                                                       if len(links) > 30 else [])])
    tg = sc.targets.get(f)
    if tg:
        comps = [f"{_component_label(k, lang)}: {v:.3g}" for k, v in tg["components"].items()]
        score = f"{P.t(lang, 'score')}: {tg['score']:.3g}" if tg["score"] is not None else ""
        sections.append([P.t(lang, "score"), [x for x in [score, *comps] if x]])
        sections.append([P.t(lang, "reasons"), tg["reasons"] or ["—"]])
    return {"title": P.both_names(d) or f, "sections": sections}


def _component_label(key: str, lang: Lang) -> str:
    return text(f"component.{key}", lang) if f"component.{key}" in TEXT[lang] else key


def _plan_labels(sc: _Scene, nodes: list[dict[str, Any]]) -> None:
    """Give every node its label priority ``prio`` (lower first) for the page's decluttering.

    Segment headers first, then the anchor, the targets, the aggregates, the
    gap placeholders, and the other firms from the largest down. The page
    writes labels 12 px high on screen in that order and skips each one that
    would overlap one already written, at the fitted zoom and at every zoom
    after (page.js, ``declutter``).
    """
    order = {"segment-label": 0, "anchor": 1, "target": 2, "aggregate": 3, "gap": 4}
    firms_by_size = sorted((n for n in nodes if n["role"] not in order),
                           key=lambda n: (-sc.size.get(n["id"], 0.0), n["id"]))
    for n in nodes:
        n["prio"] = order.get(n["role"], 5)
    for i, n in enumerate(firms_by_size):
        n["prio"] = 5 + i


def _supply_edges(sc: _Scene) -> list[dict[str, Any]]:
    """Step 6: SUPPLIES between drawn nodes, one edge per pair of nodes, grey, width by value.

    An edge into an aggregate stands for all its members' links; each
    aggregate keeps its members' own links (``sc.agg_links``) for expanding.
    """
    G, lang, node_of = sc.G, sc.lang, sc.node_of
    pairs: dict[tuple[str, str], list[tuple[str, str, str, dict[str, Any]]]] = defaultdict(list)
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("rel") == "SUPPLIES" and u in node_of and v in node_of and u != v:
            nu, nv = node_of[u], node_of[v]
            if nu != nv:
                pairs[(nu, nv)].append((u, v, str(k or d.get("segment") or ""), d))
    emax = max((sum(float(x[3].get("value") or 0.0) for x in items) for items in pairs.values()), default=0.0)
    opacity = 0.7 if len(pairs) < 500 else 0.4 if len(pairs) < 3000 else 0.25
    edges = []
    for i, ((nu, nv), items) in enumerate(pairs.items()):
        total = sum(float(x[3].get("value") or 0.0) for x in items)
        known = any(x[3].get("value") is not None for x in items)
        confs = [float(x[3]["confidence"]) for x in items if x[3].get("confidence") is not None]
        tip = [f"{P.short(_node_name(sc, nu), 40)} → {P.short(_node_name(sc, nv), 40)}"]
        segs = ", ".join(dict.fromkeys(P.name(G, x[2], lang) for x in items if x[2]))
        tip += [f"{P.t(lang, 'segments')}: {segs}"] if segs else []
        tip += [f"{P.t(lang, 'value')}: {P.fmt_money(total, lang, sc.currency)}"] if known else []
        tip += [f"{P.t(lang, 'links')}: {len(items)}"] if len(items) > 1 else []
        tip += [f"{P.t(lang, 'evidence')}: {items[0][3].get('source')}"] if len(items) == 1 and \
            items[0][3].get("source") else []
        edges.append({"id": f"e{i}", "from": nu, "to": nv, "role": "supplies",
                      "width": round(1.0 + 6.0 * math.sqrt(total / emax), 2) if known and emax else 1.0,
                      "color": {"color": _SUPPLY_GREY, "opacity": opacity},
                      "conf": max(confs) if confs else None, "tip": tip})
    return edges


def _node_name(sc: _Scene, node: str) -> str:
    if node.startswith("agg:"):
        side, seg = node.split(":", 2)[1:]
        return P.t(sc.lang, f"agg_{side}", n=len(sc.agg[node]), segment=P.name(sc.G, seg, sc.lang))
    return P.name(sc.G, node, sc.lang)


def _serves_edges(sc: _Scene) -> list[dict[str, Any]]:
    """Step 7: a dashed red edge from each drawn target to the drawn anchors it would serve."""
    G, lang = sc.G, sc.lang
    out: list[dict[str, Any]] = []
    for f, info in sc.targets.items():
        if f not in sc.shown:
            continue
        for a in [a for a in info["anchors"] if a in sc.shown] or [sc.anchor]:
            out.append({"id": f"s{len(out)}", "from": f, "to": a, "dashes": [8, 6], "width": 2, "role": "serves",
                        "color": {"color": _SERVES_RED, "opacity": 0.85}, "physics": False,
                        "tip": [f"{P.short(P.name(G, f, lang), 40)} ⇢ {P.short(P.name(G, a, lang), 40)}",
                                P.t(lang, "serves")]})
    return out


def _attach_links(sc: _Scene, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    """Give each node the best confidence of its drawn links, and each aggregate its members' links."""
    best: dict[str, float] = {}
    for e in edges:
        if e["role"] == "supplies" and e.get("conf") is not None:
            for end in (e["from"], e["to"]):
                best[end] = max(best.get(end, 0.0), e["conf"])
    member_links: dict[str, list[list[Any]]] = defaultdict(list)
    for u, v, d in sc.G.edges(data=True):
        if d.get("rel") != "SUPPLIES" or u not in sc.node_of or v not in sc.node_of:
            continue
        nu, nv = sc.node_of[u], sc.node_of[v]
        conf = d.get("confidence")
        if nu.startswith("agg:") and nu != nv:
            member_links[nu].append([u, nv, conf])
        if nv.startswith("agg:") and nu != nv:
            member_links[nv].append([nu, v, conf])
    for n in nodes:
        n["conf"] = best.get(n["id"])
        if n["role"] == "aggregate":
            n["links"] = member_links.get(n["id"], [])


def _firm_notices(sc: _Scene, *, shown: int, total: int, cap: int, left_out: Mapping[str, int]) -> list[str]:
    """What was aggregated and by which rule, and which labels are drawn; nothing when all fit."""
    lang = sc.lang
    size_rule = P.t(lang, f"by_{sc.size_rule}")
    out = [P.t(lang, "labels_rule", rule=size_rule)]
    if left_out:
        parts = P.t(lang, "list_sep").join(P.t(lang, f"left_{k}", n=n) for k, n in sorted(left_out.items()))
        out.insert(0, P.t(lang, "aggregated", shown=shown, total=total, cap=cap, parts=parts,
                          nodes=len(sc.agg), rule=size_rule))
    return out


def _firm_legend(sc: _Scene, nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]
                 ) -> list[dict[str, Any]]:
    """One key per role, chain and edge kind that is drawn, with its count; a click hides its group."""
    lang, G = sc.lang, sc.G
    roles: dict[str, int] = defaultdict(int)
    chains: dict[str, int] = defaultdict(int)
    for n in nodes:
        if n["role"] != "segment-label":
            roles[n["role"]] += int(n.get("count", 1))
            if n["role"] not in ("gap",):
                chains[n.get("chain", "")] += int(n.get("count", 1))
    border = {"anchor": "#000000", "target": _SERVES_RED, "local": "#1b2631", "external": "#616161",
              "gap": P.STATUS_COLOURS["missing"], "aggregate": "#263238"}
    legend: list[dict[str, Any]] = [
        {"shape": _SHAPES[r], "colour": "#ffffff", "border": border[r], "dashed": r in ("external", "gap"),
         "label": f"{P.t(lang, 'gap_node' if r == 'gap' else r)} ({roles[r]})", "group": f"role:{r}"}
        for r in ("anchor", "target", "local", "external", "aggregate", "gap") if roles.get(r)]
    legend += [{"shape": "swatch", "colour": sc.chain_colours.get(c, "#b0bec5"),
                "label": f"{P.short(P.name(G, c, lang) if c else '—', 30)} ({k})", "group": f"chain:{c}"}
               for c, k in sorted(chains.items())]
    kinds = {e["role"] for e in edges}
    legend += [{"shape": "line", "colour": _SUPPLY_GREY, "label": P.t(lang, "supplies"), "group": "edge:supplies"}
               ] if "supplies" in kinds else []
    legend += [{"shape": "dashline", "colour": _SERVES_RED, "label": P.t(lang, "serves"), "group": "edge:serves"}
               ] if "serves" in kinds else []
    return legend


def _filters(sc: _Scene, nodes: Sequence[Mapping[str, Any]]) -> dict[str, list[list[str]]]:
    """The choices of the page's filters: the chains, segments, statuses and roles drawn."""
    G, lang = sc.G, sc.lang
    firms_ = [n for n in nodes if n["role"] != "segment-label"]
    chains = sorted({n["chain"] for n in firms_ if n.get("chain")})
    segs = sorted({s for n in firms_ for s in n.get("segs", ()) if s in G},
                  key=lambda s: (P.segment_chain(G, s), P.stage_index(G, s), s))
    return {
        "chain": [[c, P.short(P.name(G, c, lang), 30)] for c in chains],
        "segment": [[s, P.short(P.name(G, s, lang), 30)] for s in segs],
        "status": [[s, status_label(s, lang)] for s in ("covered", "weak", "missing")
                   if any(n.get("status") == s for n in firms_)],
        "role": [[r, P.t(lang, "gap_node" if r == "gap" else r)]
                 for r in ("anchor", "target", "local", "external", "aggregate", "gap")
                 if any(n["role"] == r for n in firms_)],
    }


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
        cat = shown.get(f) or ("aggregate" if f.startswith("agg:") else "gap")
        rank = {"anchor": 0, "gap": 1, "target": 2, "partner": 3, "local": 4, "external": 5, "aggregate": 6}[cat]
        return rank, -float(G.nodes[f].get("output_value") or 0.0) if f in G else 0.0, f

    by_col: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    for (col, seg), members in groups.items():
        by_col[col].append((seg, sorted(members, key=order)))
    # Each column: a list of stacks; each stack a list of (segment, members) drawn top to bottom.
    layout: dict[int, list[list[tuple[str, list[str]]]]] = {}
    for col, items in by_col.items():
        items.sort(key=lambda it: (0 if anchor in it[1] else 1, P.stage_index(G, it[0]), it[0]))
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
        ``score``, ``reasons``, ``components`` and ``anchors``), best first.
    region
        The home region; defaults to ``G.graph["home_region"]``, else the
        anchor's region.
    lang
        Language of labels and names.
    depth
        FEEDS steps from the anchor's segments whose firms are drawn.
    max_nodes
        Most firms drawn one by one; the rest go into one aggregate node per
        segment and side, and the page says so.
    title
        Page title; defaults to the dataset and anchor.
    date
        Date shown in the header (ISO); defaults to today.
    physics
        Turn the physics simulation on (it nudges overlapping nodes apart,
        then stops); off by default, as the layout is computed.

    Returns
    -------
    page
        What was drawn: nodes, edges, counts and what went into aggregates.

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
    page.path = P.write_text(path, render_page(page))
    logger.info("wrote %s: %d nodes, %d edges", page.path, len(page.nodes), len(page.edges))
    return page


def legend_html(items: Sequence[Mapping[str, Any]]) -> str:
    """The legend as list items; each names its group (``data-group``) so a click can hide it."""
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
        group = html.escape(str(it.get("group", "")), quote=True)
        out.append(f'<li data-group="{group}" tabindex="0" role="button">'
                   f'<span class="sw sw-{html.escape(shape, quote=True)}" style="{style}"></span>'
                   f"{html.escape(str(it['label']))}</li>")
    return "\n".join(out)


#: Keys of the labels the page's script shows (as ``data.text``), by the name the script uses.
_SCRIPT_TEXT = {k: f"page.{k}" for k in (
    "details", "click", "local_firms", "targets", "status", "more", "anchor", "region", "score", "reasons",
    "no_match", "all", "expand", "gap_by_anchor", "evidence")} | {"none": "none"}


def render_page(page: Page) -> str:
    """The HTML text of a firm graph or firm map: vis-network and every style inlined, names as JSON data."""
    vis_js = P.strip_urls((_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"))
    vis_css = P.strip_urls((_VIS_DIR / "vis-network.css").read_text(encoding="utf-8"))
    lang = page.lang
    data = {"kind": page.kind, "lang": lang, "nodes": page.nodes, "edges": page.edges,
            "options": page.options, "firmCount": page.firm_count, "totalFirms": page.total_firms,
            "leftOut": page.left_out, "text": {k: text(key, lang) for k, key in _SCRIPT_TEXT.items()},
            **page.extra}
    esc = html.escape
    notices = "".join(f'<p class="notice">{esc(n)}</p>' for n in page.notices)
    filters = "".join(
        f'<label>{esc(P.t(lang, "filter_" + k))} <select data-filter="{k}"></select></label>'
        for k in ("chain", "segment", "status", "role"))
    # Every value is escaped text, escaped JSON or our own files, so the skeleton's braces are
    # its placeholders only; the CSS and JS go in as values because their braces are their own.
    return P.template("page.html").format(
        lang="zh-CN" if lang == "zh" else "en", title=esc(page.title), subtitle=esc(page.subtitle),
        notices=notices, legend_title=esc(P.t(lang, "legend")), legend=legend_html(page.legend),
        details=esc(P.t(lang, "details")), click=esc(P.t(lang, "click")),
        search=esc(P.t(lang, "search"), quote=True), filters_title=esc(P.t(lang, "filters")),
        filters=filters, min_conf=esc(P.t(lang, "min_confidence")), fit=esc(P.t(lang, "fit")),
        vis_css=vis_css.replace("</", "<\\/"), css=P.template("page.css"),
        vis_js=vis_js.replace("</script", "<\\/script"), data=P.script_json(data), js=P.template("page.js"),
    )
