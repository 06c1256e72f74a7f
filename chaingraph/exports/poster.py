"""The chain map as a poster (产业链图谱): one block per chain, bands 上游 / 中游 / 下游.

Published chain maps show each chain as a block with three bands by stage
(upstream, midstream, downstream, from each segment's ``stage``) and a box
per segment. So does this page (:func:`write_chain_map`), drawn with HTML and
CSS (a grid of boxes, so boxes never overlap and text keeps its size):

segment box
    Coloured by its *status* in the home region (``covered``, ``weak``,
    ``missing`` as :func:`chaingraph.analyses.gaps.find_region_gaps` rates
    it; :data:`chaingraph.exports._page.STATUS_COLOURS`, safe for the common
    colour-blindnesses), a missing one also hatched and marked ✕. It holds
    the segment's name, its number of local firms counted as the gap table
    counts them (the anchors analysed excluded, their number shown apart:
    "本地 0 家 · 链主 1 家") and up to three firms, anchors first and marked 链主. Inside a band, segments follow feed order
    (the longest FEEDS path into them).
FEEDS
    Lines between boxes of one chain, drawn light; a feed between two chains
    shows only while one of its ends is hovered or selected.
panel
    Clicking a box lists its local firms, its gap for each anchor that
    reaches it, and the suggested targets with their reasons and evidence
    (the sources of the target's supply links).

The page has a "save as PNG" button (drawn on a canvas by the page itself, no
network) and a print style for A3 landscape. ``chains`` limits it to some
chains, so a template with hundreds of segments gives one readable page per
chain.
"""
from __future__ import annotations

import html
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from chaingraph.exports import _page as P
from chaingraph.exports._page import Page
from chaingraph.exports._search import fold
from chaingraph.i18n import status_label, text
from chaingraph.model import STAGES, Lang, firms, regions_within

__all__ = ["chain_map_data", "write_chain_map", "render_poster"]

logger = logging.getLogger(__name__)

#: Local firms written inside a box.
BOX_FIRMS = 3


@dataclass
class _MapCell:
    """What one segment's box and panel need besides the segment.

    ``local_by_seg`` lists each segment's local firms, anchors first, then by
    output (largest first); ``targets_by_seg`` its targets by score (best
    first), of which the panel shows ``top``; ``gaps_by_seg`` its status for
    each anchor whose gap report covers it; ``anchors`` the anchors analysed,
    which are not counted among a segment's local firms (they are shown apart).
    """

    G: nx.MultiDiGraph
    lang: Lang
    currency: str
    local_by_seg: Mapping[str, list[str]]
    targets_by_seg: Mapping[str, list[dict[str, Any]]]
    gaps_by_seg: Mapping[str, list[list[str]]]
    top: int
    anchors: frozenset[str]


def _chain_layers(G: nx.MultiDiGraph, segs: Sequence[str]) -> dict[str, int]:
    """Column of each segment of one chain: longest FEEDS path into it (cycles condensed)."""
    D = nx.DiGraph()
    D.add_nodes_from(segs)
    inside = set(segs)
    for u, v, d in G.edges(data=True):
        if d.get("rel") == "FEEDS" and u in inside and v in inside and u != v:
            D.add_edge(u, v)
    if D.number_of_edges() == 0:
        return {s: P.stage_index(G, s) for s in segs}
    C = nx.condensation(D)
    layer: dict[int, int] = {}
    for c in nx.topological_sort(C):
        preds = [layer[p] + 1 for p in C.predecessors(c)]
        members = C.nodes[c]["members"]
        if preds:
            layer[c] = max(preds)
        else:
            # Sources start at their stage, so an isolated downstream segment is not drawn upstream.
            layer[c] = min(P.stage_index(G, s) for s in members) if not any(D.degree(s) for s in members) \
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
    status: Any = None,
    chains: Sequence[str] | None = None,
    lang: Lang = "zh",
    top: int = 10,
    title: str | None = None,
    date: str | None = None,
) -> Page:
    """The chain-map poster as data, without writing it (see :func:`write_chain_map`)."""
    region = str(region or G.graph.get("home_region") or "")
    local_by_seg = _local_firms_by_segment(G, regions_within(G, region))
    anchors = _anchors(G, status)
    rated = P.status_map(status)
    segs_all = [s for s, d in G.nodes(data=True) if d.get("kind") == "segment"]
    # Segments the report does not rate (no anchor reaches them) follow the rule of
    # chaingraph.analyses.gaps: missing without local firms, else covered (an anchor's own segment is
    # covered: the gap report rates it so).
    status_of = {s: rated.get(s) or ("covered" if local_by_seg.get(s) else "missing") for s in segs_all}
    by_chain: dict[str, list[str]] = defaultdict(list)
    for s in segs_all:
        by_chain[P.segment_chain(G, s)].append(s)
    wanted = [c for c in by_chain if chains is None or c in set(chains)]
    cell = _MapCell(G, lang, str(G.graph.get("currency") or "CNY"), local_by_seg, _targets_by_segment(G, targets),
                    _gaps_by_segment(G, status, lang), top, anchors)
    chain_colours, _ = P.chain_palette(G)
    blocks, nodes, panel = [], [], {}
    for chain in sorted(wanted, key=lambda c: P.name(G, c, lang) if c else "~"):
        block, boxes = _chain_block(cell, chain, by_chain[chain], status_of, chain_colours.get(chain, "#455a64"))
        blocks.append(block)
        nodes += boxes
        panel.update({b["id"]: _segment_panel(cell, b["id"], status_of[b["id"]], block["name"]) for b in boxes})
    shown = {n["id"] for n in nodes}
    edges = [{"from": u, "to": v, "cross": P.segment_chain(G, u) != P.segment_chain(G, v)}
             for u, v, d in G.edges(data=True)
             if d.get("rel") == "FEEDS" and u != v and (u in shown or v in shown) and u in G and v in G
             and G.nodes[u].get("kind") == G.nodes[v].get("kind") == "segment"]
    region_name, subtitle = P.header(G, region, lang, date)
    local_count = len({f for s in segs_all for f in local_by_seg.get(s, [])})
    notices = [P.t(lang, "chains_shown", n=len(blocks))] if chains is not None else []
    return Page(
        kind="chain", lang=lang, title=title or f"{region_name} · {P.t(lang, 'chain_map')}",
        subtitle=" · ".join([subtitle[0], P.t(lang, "chain_map"), *subtitle[1:]]),
        nodes=nodes, edges=edges, options={}, legend=_legend(status_of[n["id"]] for n in nodes),
        notices=notices, panel=panel, firm_count=local_count, total_firms=local_count,
        extra={"chains": blocks, "stages": [[s, P.t(lang, f"band_{s}")] for s in STAGES]},
    )


def _chain_block(cell: _MapCell, chain: str, segs: Sequence[str], status_of: Mapping[str, str], colour: str
                 ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One chain: its name and colour, and its segments by band (stage), each band in feed order."""
    G, lang = cell.G, cell.lang
    layers = _chain_layers(G, segs)
    bands: dict[str, list[str]] = {s: [] for s in STAGES}
    for s in sorted(segs, key=lambda s: (layers[s], P.name(G, s, lang), s)):
        bands[STAGES[P.stage_index(G, s)]].append(s)
    boxes = []
    for stage, members in bands.items():
        for s in members:
            local = cell.local_by_seg.get(s, [])
            boxes.append({"id": s, "chain": chain, "stage": stage, "status": status_of[s],
                          "name": P.short(P.name(G, s, lang), 26), "full": P.name(G, s, lang),
                          "count": _count_text(cell, local),
                          "firms": [[P.short(P.name(G, f, lang), 22), f in cell.anchors]
                                    for f in local[:BOX_FIRMS]],
                          "more": max(0, len(local) - BOX_FIRMS), "key": fold(P.name(G, s, lang))})
    full = P.name(G, chain, lang) if chain else "—"
    block = {"id": chain, "name": full, "colour": colour,
             "bands": {stage: members for stage, members in bands.items()},
             "counts": {k: sum(1 for s in segs if status_of[s] == k) for k in ("covered", "weak", "missing")}}
    return block, boxes


def _anchors(G: nx.MultiDiGraph, status: Any) -> frozenset[str]:
    """The anchors analysed: those of the gap report, else every firm marked ``anchor``."""
    reports = getattr(status, "anchors", None)
    if reports:
        return frozenset(r.anchor.id for r in reports)
    anchor = getattr(status, "anchor", None)
    if anchor is not None:
        return frozenset([anchor.id])
    return frozenset(f for f, d in firms(G) if d.get("anchor"))


def _count_text(cell: _MapCell, local: Sequence[str]) -> str:
    """A segment's local firms counted as the gap table counts them, the anchors analysed excluded
    (docs/analysis.md), with those anchors named apart: 本地 2 家, or 本地 0 家 · 链主 1 家."""
    others = sum(1 for f in local if f not in cell.anchors)
    text_ = P.t(cell.lang, "local_count", n=others)
    if len(local) > others:
        text_ += " · " + P.t(cell.lang, "anchor_count", n=len(local) - others)
    return text_


def _local_firms_by_segment(G: nx.MultiDiGraph, local_regions: set[str]) -> dict[str, list[str]]:
    """The local firms of each segment: anchors first, then largest output (ties by id)."""
    local_by_seg: dict[str, list[str]] = defaultdict(list)
    for f, d in firms(G):
        if d.get("region") in local_regions:
            for s in d.get("segments") or ():
                local_by_seg[s].append(f)
    for members in local_by_seg.values():
        members.sort(key=lambda f: (not G.nodes[f].get("anchor"), -float(G.nodes[f].get("output_value") or 0.0),
                                    f))
    return local_by_seg


def _targets_by_segment(G: nx.MultiDiGraph, targets: Sequence[Any]) -> dict[str, list[dict[str, Any]]]:
    """The targets of each segment (the ones it names, else the firm's own), best score first."""
    tby_seg: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tg in targets:
        info = P.target_fields(tg)
        if info["firm"] not in G:
            continue
        for s in info["segments"] or list(G.nodes[info["firm"]].get("segments") or ()):
            tby_seg[s].append(info)
    for items in tby_seg.values():
        items.sort(key=lambda i: (-(i["score"] or 0.0), i["firm"]))
    return tby_seg


def _gaps_by_segment(G: nx.MultiDiGraph, status: Any, lang: Lang) -> dict[str, list[list[str]]]:
    """For each segment, one line per anchor whose gap report covers it: the anchor and the status there."""
    out: dict[str, list[list[str]]] = defaultdict(list)
    for rep in getattr(status, "anchors", ()) or ():
        anchor = P.name(G, rep.anchor.id, lang)
        for seg in rep.segments:
            where = text(f"direction.{seg.direction}", lang)
            out[seg.id].append([anchor, f"{status_label(seg.status, lang)} · {where} {seg.distance}"])
    return out


def _segment_panel(cell: _MapCell, s: str, st: str, chain_name: str) -> dict[str, Any]:
    """The details panel of segment ``s``: local firms, the gap per anchor, the targets with reasons and evidence."""
    G, lang = cell.G, cell.lang
    local = cell.local_by_seg.get(s, [])
    firm_lines = [("★ " + P.t(lang, "chain_anchor") + " · " if f in cell.anchors else "")
                  + f"{P.name(G, f, lang)} — {P.fmt_money(G.nodes[f].get('output_value'), lang, cell.currency)}"
                  for f in local[:50]]
    if len(local) > 50:
        firm_lines.append(P.t(lang, "more", n=len(local) - 50))
    gap_lines = [f"{a}: {line}" for a, line in cell.gaps_by_seg.get(s, [])]
    target_lines = []
    for i in cell.targets_by_seg.get(s, [])[:cell.top]:
        f = i["firm"]
        head = f"{P.name(G, f, lang)} ({P.name(G, str(G.nodes[f].get('region')), lang)})"
        head += f" · {P.t(lang, 'score')} {i['score']:.3g}" if i["score"] is not None else ""
        target_lines.append(head)
        target_lines += [f"  · {r}" for r in i["reasons"][:3]]
        target_lines += [f"  · {P.t(lang, 'evidence')}: {e}" for e in _evidence(G, f, lang)[:2]]
    stage = G.nodes[s].get("stage")
    return {"title": P.both_names(G.nodes[s]) or s,
            "sub": f"{chain_name} · {P.t(lang, 'band_' + stage) if stage in STAGES else '—'} · "
                   f"{P.t(lang, 'status')}: {status_label(st, lang)}", "statusKey": st,
            "sections": [[f"{P.t(lang, 'local_firms')} · {_count_text(cell, local)}", firm_lines],
                         [P.t(lang, "gap_by_anchor"), gap_lines], [P.t(lang, "targets"), target_lines]]}


def _evidence(G: nx.MultiDiGraph, firm: str, lang: Lang) -> list[str]:
    """Sources of ``firm``'s supply links, best confidence first."""
    found = []
    for u, v, d in list(G.out_edges(firm, data=True)) + list(G.in_edges(firm, data=True)):
        if d.get("rel") == "SUPPLIES" and d.get("source"):
            other = v if u == firm else u
            found.append((-(float(d.get("confidence") or 0.0)), f"{P.name(G, other, lang)}: {d['source']}"))
    return [s for _, s in sorted(found)]


def _legend(statuses: Any) -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for st in statuses:
        counts[st] += 1
    return [{"status": k, "count": counts.get(k, 0)} for k in ("covered", "weak", "missing")]


def write_chain_map(
    G: nx.MultiDiGraph,
    path: str | Path,
    *,
    region: str | None = None,
    targets: Sequence[Any] = (),
    status: Any = None,
    chains: Sequence[str] | None = None,
    lang: Lang = "zh",
    top: int = 10,
    title: str | None = None,
    date: str | None = None,
) -> Page:
    """Write the chain-map poster (产业链图谱) of the home region as one offline HTML file.

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
    chains
        Ids of the chains to draw; default all.
    lang
        Language of labels and names.
    top
        Targets listed per segment.
    title, date
        Page title and header date (ISO; default today).

    Returns
    -------
    page
        What was drawn: ``nodes`` holds one box per segment.

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
    page = chain_map_data(G, region=region, targets=targets, status=status, chains=chains, lang=lang, top=top,
                          title=title, date=date)
    page.path = P.write_text(path, render_poster(page))
    logger.info("wrote %s: %d segments", page.path, len(page.nodes))
    return page


#: Keys of the labels the poster's script shows (as ``data.text``).
_SCRIPT_TEXT = ("click", "none", "local_count", "chain_anchor", "more", "save_png", "status")


def render_poster(page: Page) -> str:
    """The HTML text of the poster: its CSS and script inlined, names as escaped JSON data."""
    lang, esc = page.lang, html.escape
    data = {"kind": page.kind, "lang": lang, "segments": page.nodes, "edges": page.edges,
            "panel": [[k, v] for k, v in page.panel.items()], **page.extra,
            "text": {k: text("none" if k == "none" else f"page.{k}", lang) for k in _SCRIPT_TEXT}}
    legend = "".join(
        f'<li><span class="box-sw st-{k["status"]}"></span>{esc(status_label(k["status"], lang))} ({k["count"]})</li>'
        for k in page.legend)
    legend += (f'<li><span class="line-sw"></span>{esc(P.t(lang, "feeds"))}</li>'
               f'<li><span class="line-sw cross"></span>{esc(P.t(lang, "cross_chain"))}</li>')
    notices = "".join(f'<p class="notice">{esc(n)}</p>' for n in page.notices)
    return P.template("poster.html").format(
        lang="zh-CN" if lang == "zh" else "en", title=esc(page.title), subtitle=esc(page.subtitle),
        notices=notices, legend=legend, details=esc(P.t(lang, "details")), click=esc(P.t(lang, "click")),
        save_png=esc(P.t(lang, "save_png")), print=esc(P.t(lang, "print")),
        css=P.template("poster.css"), data=P.script_json(data), js=P.template("poster.js"))
