"""Glue for the HTML pages: store in, page out (to be merged into :mod:`chaingraph.reports`).

:func:`html_report` asks a store for the context an anchor's page needs,
runs the gap and target analyses on it and writes the page with
:mod:`chaingraph.export_html`.
"""
from __future__ import annotations

from pathlib import Path

from chaingraph.errors import ChainGraphError
from chaingraph.export_html import Page, write_chain_map, write_html
from chaingraph.gaps import find_gaps, find_region_gaps
from chaingraph.model import Lang, segment_distances
from chaingraph.store import GraphStore
from chaingraph.targets import rank_targets

__all__ = ["html_report"]


def html_report(
    store: GraphStore,
    *,
    anchor: str | None = None,
    out: str | Path,
    depth: int = 2,
    targets: int = 10,
    lang: Lang = "zh",
    max_nodes: int = 2000,
    chain_map: bool = False,
    date: str | None = None,
) -> Page:
    """Write the firm graph of ``anchor``, or the region's chain map, to ``out``.

    Parameters
    ----------
    store
        Any :class:`~chaingraph.store.GraphStore`; the home region is the
        dataset's ``home_region``.
    anchor
        Id, name or English name of the anchor (not needed for the chain map).
    out
        Path of the HTML file.
    depth
        FEEDS steps from the anchors' segments that the analyses look at.
    targets
        Targets drawn on the firm graph, or listed per segment on the chain map.
    lang
        Language of the page.
    max_nodes
        Most firm nodes on the firm graph.
    chain_map
        Write the chain map of every anchor of the home region instead.
    date
        Date shown in the page header (ISO); default today.

    Returns
    -------
    page
        What was drawn (see :class:`chaingraph.export_html.Page`).

    Raises
    ------
    UnknownFirmError
        If ``anchor`` names no firm.
    ChainGraphError
        If neither ``anchor`` nor ``chain_map`` is given, or the home region
        has no anchors for the chain map.
    """
    region = str(store.metadata()["home_region"])
    template = store.template()
    if chain_map:
        anchors = store.anchors(region)
        if not anchors:
            msg = f"region {region!r} has no anchor firms; mark some with anchor=true in firms.csv"
            raise ChainGraphError(msg)
        segments: set[str] = set()
        for a in anchors:
            segments |= set(segment_distances(template, store.firm(a).get("segments") or (), depth=depth))
        G = store.context(anchors=anchors, segments=sorted(segments), region=region, external=True)
        report = find_region_gaps(G, anchors, region=region, depth=depth)
        ranked = rank_targets(G, anchors, region=region, depth=depth, top=None, lang=lang)
        return write_chain_map(G, out, region=region, targets=ranked, status=report, lang=lang, top=targets,
                               date=date)
    if not anchor:
        msg = "no anchor given; pass --anchor ID (see 'chaingraph info SOURCE') or --chain-map"
        raise ChainGraphError(msg)
    a = store.resolve_firm(anchor)
    segs = segment_distances(template, store.firm(a).get("segments") or (), depth=depth)
    G = store.context(anchors=[a], segments=sorted(segs), region=region, external=True)
    gaps = find_gaps(G, a, region=region, depth=depth)
    ranked = rank_targets(G, [a], region=region, depth=depth, top=targets, lang=lang)
    return write_html(G, out, anchor=a, gaps=gaps, targets=ranked, region=region, lang=lang, depth=depth,
                      max_nodes=max_nodes, date=date)
