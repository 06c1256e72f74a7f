"""Chain gaps around anchor firms.

Terms
-----
home region
    The region ``R`` an analysis is for. A firm is *local* if its region is
    ``R`` or a region inside ``R`` (:func:`chaingraph.model.regions_within`).
anchor
    A firm the region grows its chains around (鏈主). Its segments are ``S(A)``.
upstream / downstream segment
    A segment with a FEEDS path of length ``d`` into (upstream) or out of
    (downstream) some segment of ``S(A)``, ``d`` the shortest such length and
    at most ``depth``. The anchor's own segments have direction ``"own"`` and
    distance 0.
local firms of a segment
    Local firms making that segment, the anchor excluded.
anchor suppliers of a segment
    Firms with a SUPPLIES link to the anchor for that segment: the link is
    keyed by the segment, or is keyed ``""`` (unknown) and the supplier makes
    the segment. Split into local and external.
local share
    The local part of the value of those links; counted by links instead when
    any of them has no value (or all values are 0); ``None`` without links.
gap
    A segment whose status is not ``covered``:

    ============ ===================================================== ========= ============
    direction    condition                                             status    action
    ============ ===================================================== ========= ============
    upstream     no local firm                                         missing   fill 補鏈
    upstream     exactly one local firm, or local share < threshold    weak      strengthen 強鏈
    downstream   no local firm                                         missing   extend 延鏈
    any          otherwise (own segments always)                       covered   ``None``
    ============ ===================================================== ========= ============

completeness
    The covered share of the listed segments, each weighted by its segment
    weight: the largest FEEDS ``weight`` on an edge that realises its shortest
    distance (1 when no such edge has a weight; 1 for own segments).
local supply ratio
    The local share (same value/count rule) of every SUPPLIES link into the
    anchor; ``None`` when the anchor has no suppliers.
single source
    A segment in which the anchor has exactly one supplier.
what-if
    The same report recomputed as if some firms were local.

The region summary (:func:`find_region_gaps`) puts every segment of every
chain an anchor reaches on one map: a segment takes the worst status any
anchor gives it (missing, then weak, then covered); a segment no anchor
reaches within ``depth`` is ``missing`` without local firms and ``covered``
with them.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from chaingraph.errors import UnknownFirmError, UnknownRegionError
from chaingraph.model import (
    CONFIRMED,
    STAGE_ORDER,
    GapTable,
    feeds_distances,
    group_of,
    link_confidence,
    regions_within,
)

if TYPE_CHECKING:  # the gap tables of a GapSource are computed without networkx (and without importing it)
    import networkx as nx

__all__ = [
    "Status",
    "Action",
    "STATUSES",
    "ACTIONS",
    "FirmRef",
    "SegmentGap",
    "GapSummary",
    "WhatIf",
    "GapReport",
    "ChainSegment",
    "ChainSummary",
    "RegionGapReport",
    "what_if_summaries",
    "find_gaps",
    "find_region_gaps",
    "local_gaps_from_table",
    "gaps_from_table",
    "region_gaps_from_table",
    "local_share",
]

Status = Literal["covered", "weak", "missing"]
Action = Literal["fill", "strengthen", "extend"]
STATUSES: tuple[Status, ...] = ("covered", "weak", "missing")
ACTIONS: tuple[Action, ...] = ("fill", "strengthen", "extend")
_WORST = {"covered": 0, "weak": 1, "missing": 2}


@dataclass(frozen=True)
class FirmRef:
    """A firm as reports name it."""

    id: str
    name: str
    name_en: str
    region: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "region": self.region}


@dataclass(frozen=True)
class SegmentGap:
    """One segment within ``depth`` of an anchor, with its status.

    ``local_firms``, ``suppliers_local`` and ``suppliers_external`` are sorted
    by id. ``weight`` is the segment weight used for completeness.
    """

    id: str
    name: str
    name_en: str
    chain: str | None
    direction: Literal["own", "upstream", "downstream"]
    distance: int
    status: Status
    action: Action | None
    local_firms: tuple[FirmRef, ...]
    suppliers_local: tuple[FirmRef, ...]
    suppliers_external: tuple[FirmRef, ...]
    local_share: float | None
    single_source: bool
    weight: float = 1.0
    #: Suppliers whose links into the anchor for this segment are all below the confirmed
    #: confidence: listed, but left out of the local share and the single-source test.
    suppliers_unconfirmed: tuple[FirmRef, ...] = ()
    #: Suppliers in the anchor's own corporate group (in-group supply): listed apart, and left out of
    #: the local share and the single-source test, since they are neither local nor outside sourcing.
    suppliers_group: tuple[FirmRef, ...] = ()

    @property
    def is_gap(self) -> bool:
        """Whether the segment is missing or weak."""
        return self.status != "covered"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "chain": self.chain,
            "direction": self.direction,
            "distance": self.distance,
            "status": self.status,
            "action": self.action,
            "local_firms": [f.to_dict() for f in self.local_firms],
            "anchor_suppliers": {
                "local": [f.to_dict() for f in self.suppliers_local],
                "external": [f.to_dict() for f in self.suppliers_external],
                "unconfirmed": [f.to_dict() for f in self.suppliers_unconfirmed],
                "group": [f.to_dict() for f in self.suppliers_group],
            },
            "local_share": _round(self.local_share),
            "single_source": self.single_source,
        }


@dataclass(frozen=True)
class GapSummary:
    """Counts per status, weighted completeness and the local supply ratio."""

    segments: int
    covered: int
    weak: int
    missing: int
    completeness: float | None
    local_supply_ratio: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "covered": self.covered,
            "weak": self.weak,
            "missing": self.missing,
            "completeness": _round(self.completeness),
            "local_supply_ratio": _round(self.local_supply_ratio),
        }


@dataclass(frozen=True)
class WhatIf:
    """The summary before and after treating ``firms`` as local."""

    firms: tuple[FirmRef, ...]
    before: GapSummary
    after: GapSummary
    segments_after: tuple[SegmentGap, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "firms": [f.to_dict() for f in self.firms],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


@dataclass(frozen=True)
class GapReport:
    """The gaps around one anchor; ``to_dict()`` gives the documented JSON shape.

    ``what_if`` is ``None`` unless what-if firms were given; ``segments`` and
    ``summary`` always describe the graph as it is.
    """

    anchor: FirmRef
    anchor_segments: tuple[str, ...]
    region: dict[str, str]
    depth: int
    segments: tuple[SegmentGap, ...]
    summary: GapSummary
    what_if: WhatIf | None = None
    #: Codes of what makes the summary unreliable: ``anchor_without_segments`` (the firm lists no
    #: segment) or ``no_segments_within_depth`` (none of its segments has a FEEDS link in the template).
    warnings: tuple[str, ...] = ()

    @property
    def gaps(self) -> tuple[SegmentGap, ...]:
        """The missing and weak segments."""
        return tuple(s for s in self.segments if s.is_gap)

    @property
    def missing(self) -> tuple[str, ...]:
        """Ids of the missing segments."""
        return tuple(s.id for s in self.segments if s.status == "missing")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "anchor": {**self.anchor.to_dict(), "segments": list(self.anchor_segments)},
            "region": dict(self.region),
            "depth": self.depth,
            "segments": [s.to_dict() for s in self.segments],
            "summary": self.summary.to_dict(),
        }
        if self.what_if is not None:
            out["what_if"] = self.what_if.to_dict()
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class ChainSegment:
    """One segment on the region's chain map."""

    id: str
    name: str
    name_en: str
    stage: str
    status: Status
    local_firms: int
    anchors: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "name_en": self.name_en, "stage": self.stage,
            "status": self.status, "local_firms": self.local_firms, "anchors": list(self.anchors),
        }


@dataclass(frozen=True)
class ChainSummary:
    """The 産業鏈 map of one chain in the region: every segment with its status."""

    id: str
    name: str
    name_en: str
    segments: tuple[ChainSegment, ...]
    covered: int
    weak: int
    missing: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "name_en": self.name_en,
            "segments": [s.to_dict() for s in self.segments],
            "covered": self.covered, "weak": self.weak, "missing": self.missing,
        }


@dataclass(frozen=True)
class RegionGapReport:
    """Gaps of every anchor of a region, and the region's chain map."""

    region: dict[str, str]
    depth: int
    anchors: tuple[GapReport, ...]
    chains: tuple[ChainSummary, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": dict(self.region),
            "depth": self.depth,
            "anchors": [a.to_dict() for a in self.anchors],
            "chains": [c.to_dict() for c in self.chains],
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def local_share(links: Iterable[tuple[bool, float | None]]) -> float | None:
    """Local share of some links given as ``(is_local, value)`` pairs.

    By value when every link has one and they add up to more than 0, else by
    count; ``None`` without links.

    Examples
    --------
    >>> local_share([(True, 30.0), (False, 10.0)])
    0.75
    >>> local_share([(True, 30.0), (False, None), (False, 5.0)])  # one value missing: by count
    0.3333333333333333
    >>> local_share([]) is None
    True
    """
    pairs = list(links)
    if not pairs:
        return None
    values = [v for _, v in pairs]
    if all(v is not None for v in values):
        total = sum(v for v in values if v is not None)
        if total > 0:
            return sum(v for loc, v in pairs if loc and v is not None) / total
    return sum(1 for loc, _ in pairs if loc) / len(pairs)


class _Index:
    """What gap analyses read from ``G``, gathered in one pass over its nodes."""

    def __init__(self, G: nx.MultiDiGraph, region: str, local_extra: Collection[str] = (), *,
                 min_confidence: float = 0.0, confirmed: float = CONFIRMED) -> None:
        if region not in G or G.nodes[region].get("kind") != "region":
            raise UnknownRegionError(region)
        self.G = G
        self.min_confidence, self.confirmed = min_confidence, confirmed
        self.region = region
        self.local_regions = regions_within(G, region)
        self.local_extra = frozenset(local_extra)
        self.local_by_segment: dict[str, list[str]] = {}
        self.local_firms: set[str] = set(self.local_extra)
        # FEEDS edges only, so that segment distances never scan the (many) SUPPLIES edges
        given: list[tuple[str, str, Any]] = []
        nodes = G.nodes
        for n, d in G.nodes(data=True):
            kind = d.get("kind")
            if kind == "segment":
                for _, v, e in G.out_edges(n, data=True):
                    if e.get("rel") == "FEEDS":
                        given.append((n, v, e.get("weight")))
            if kind != "firm":
                continue
            if d.get("region") in self.local_regions or n in self.local_extra:
                self.local_firms.add(n)
                for s in d.get("segments") or ():
                    self.local_by_segment.setdefault(s, []).append(n)
        for lst in self.local_by_segment.values():
            lst.sort()
        self._nodes = nodes
        self.feeds = _Feeds([(u, v) for u, v, _ in given])
        # once per index, not once per anchor: feeds_weights(G) walks every edge of G, SUPPLIES included
        self.feeds_w = _effective_weights(given)
        self._refs: dict[str, FirmRef] = {}
        #: each segment's local firms as refs (:func:`_local_refs`)
        self.segment_refs: dict[str, tuple[FirmRef, ...]] = {}

    def is_local(self, firm: str) -> bool:
        return firm in self.local_firms

    def weight(self, link: dict[str, Any]) -> float:
        """How much a SUPPLIES edge counts: its confidence, 0 under ``min_confidence``."""
        return link_confidence(link, self.min_confidence)

    def with_local(self, extra: Collection[str]) -> _Index:
        """The same index with ``extra`` firms counted as local (cheap: only they are added)."""
        new = object.__new__(_Index)
        new.G, new.region, new.local_regions, new.feeds = self.G, self.region, self.local_regions, self.feeds
        new.feeds_w, new._refs, new.segment_refs = self.feeds_w, self._refs, {}
        new.min_confidence, new.confirmed = self.min_confidence, self.confirmed
        new.local_extra = self.local_extra | frozenset(extra)
        new.local_firms = self.local_firms | set(extra)
        added: dict[str, set[str]] = {}
        for f in extra:
            d = self.G.nodes[f]
            if d.get("region") in self.local_regions or f in self.local_extra:
                continue
            for s in d.get("segments") or ():
                added.setdefault(s, set()).add(f)
        # one sort per segment: a pipeline's what-if adds thousands of firms
        new.local_by_segment = {s: list(v) for s, v in self.local_by_segment.items()}
        for s, fs in added.items():
            new.local_by_segment[s] = sorted(fs.union(new.local_by_segment.get(s, ())))
        new._nodes = self._nodes
        return new

    def ref(self, firm: str) -> FirmRef:
        # cached: the local firms of a segment are listed again in every anchor's gap table
        hit = self._refs.get(firm)
        if hit is None:
            d = self._nodes[firm]
            hit = FirmRef(firm, str(d.get("name") or ""), str(d.get("name_en") or ""), d.get("region"))
            self._refs[firm] = hit
        return hit

    def region_ref(self) -> dict[str, str]:
        d = self.G.nodes[self.region]
        return {"id": self.region, "name": str(d.get("name") or ""), "name_en": str(d.get("name_en") or "")}

    # -- what _analyse, _gaps_indexed and _chain_map read (also answered by _TableIndex) --
    def check_firm(self, firm: str) -> None:
        _check_firm(self.G, firm)

    def chain(self, c: str) -> Mapping[str, Any]:
        return self._nodes[c] if c in self.G else {}

    def firm_segments(self, firm: str) -> tuple[str, ...]:
        return tuple(self._nodes[firm].get("segments") or ())

    def segment(self, s: str) -> Mapping[str, Any]:
        """The attributes of the node ``s`` (``{}`` when ``G`` has none)."""
        return self._nodes[s] if s in self.G else {}

    def anchor_links(self, anchor: str) -> list[tuple[str, str, float | None, float]]:
        return _anchor_suppliers(self, anchor)

    def in_group(self, anchor: str, links: Sequence[tuple[str, str, float | None, float]]) -> set[str]:
        """The suppliers of ``links`` in the anchor's corporate group."""
        group = group_of(self.G, anchor)
        return {f for f, _, _, _ in links if group_of(self.G, f) == group}

    def chain_segments(self, chains: Collection[str]) -> dict[str, list[str]]:
        """The segment nodes of each chain of ``chains``, in node order."""
        out: dict[str, list[str]] = {c: [] for c in chains}
        for n, d in self.G.nodes(data=True):
            if d.get("kind") == "segment" and d.get("chain") in out:
                out[d["chain"]].append(n)
        return out


class _Feeds:
    """The FEEDS edges of a template, as ``(source, target)`` pairs in graph order, with the neighbours
    of each segment: what segment distances and weights read."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        self._succ: dict[str, list[str]] = {}
        self._pred: dict[str, list[str]] = {}
        for u, v in self.pairs:
            self._succ.setdefault(u, []).append(v)
            self._pred.setdefault(v, []).append(u)

    def __contains__(self, s: object) -> bool:
        return s in self._succ or s in self._pred

    def successors(self, s: str) -> list[str]:
        return self._succ.get(s, [])

    def predecessors(self, s: str) -> list[str]:
        return self._pred.get(s, [])


def _feeds_given(table: GapTable) -> list[tuple[str, str, float | None]]:
    """The FEEDS edges ``(source, target, weight)`` in the order ``_Index`` finds them on the template
    graph: segments in node order, each one's targets in the order of their first link; a repeated
    link keeps its place and takes the last weight (one edge key per pair)."""
    succ: dict[str, dict[str, float | None]] = {}
    for link in table.segment_links:
        succ.setdefault(link.source, {})[link.target] = link.weight
    return [(s.id, t, w) for s in table.segments for t, w in succ.get(s.id, {}).items()]


class _TableIndex:
    """What gap analyses read, answered from a :class:`~chaingraph.model.GapTable` (a store's columns)
    instead of a context graph: the same facts, so :func:`_analyse` gives the same report."""

    def __init__(self, table: GapTable, *, min_confidence: float = 0.0, confirmed: float = CONFIRMED) -> None:
        self.regions = {r.id: r for r in table.regions}
        if table.region not in self.regions:
            raise UnknownRegionError(table.region)
        self.table, self.region = table, table.region
        self.min_confidence, self.confirmed = min_confidence, confirmed
        self.local_by_segment: dict[str, list[str]] = dict(table.local_by_segment)
        self.local_firms: set[str] = set(table.local)
        self._segments = {s.id: {"kind": "segment", "name": s.name, "name_en": s.name_en, "chain": s.chain,
                                 "stage": s.stage} for s in table.segments}
        given = _feeds_given(table)
        self.feeds = _Feeds([(u, v) for u, v, _ in given])
        self.feeds_w = _effective_weights(given)
        self._refs: dict[str, FirmRef] = {}
        #: each segment's local firms as refs (:func:`_local_refs`)
        self.segment_refs: dict[str, tuple[FirmRef, ...]] = {}

    def is_local(self, firm: str) -> bool:
        return firm in self.local_firms

    def with_local(self, extra: Collection[str]) -> _TableIndex:
        """The same index with ``extra`` firms counted as local (see :meth:`_Index.with_local`)."""
        new = object.__new__(_TableIndex)
        new.__dict__.update(self.__dict__)
        added: dict[str, set[str]] = {}
        for f in extra:
            if f in self.local_firms:
                continue
            for s in self.firm_segments(f):
                added.setdefault(s, set()).add(f)
        new.local_firms = self.local_firms | set(extra)
        new.local_by_segment = dict(self.local_by_segment)
        for s, fs in added.items():
            new.local_by_segment[s] = sorted(fs.union(new.local_by_segment.get(s, ())))
        new.segment_refs = {}
        return new

    def ref(self, firm: str) -> FirmRef:
        hit = self._refs.get(firm)
        if hit is None:
            d = self.table.firms[firm]
            hit = FirmRef(firm, str(d.get("name") or ""), str(d.get("name_en") or ""), d.get("region"))
            self._refs[firm] = hit
        return hit

    def region_ref(self) -> dict[str, str]:
        r = self.regions[self.region]
        return {"id": self.region, "name": str(r.name or ""), "name_en": str(r.name_en or "")}

    def check_firm(self, firm: str) -> None:
        if firm not in self.table.firms:
            raise UnknownFirmError(firm)

    def firm_segments(self, firm: str) -> tuple[str, ...]:
        return tuple(self.table.firms[firm].get("segments") or ())

    def segment(self, s: str) -> Mapping[str, Any]:
        return self._segments.get(s, {})

    def anchor_links(self, anchor: str) -> list[tuple[str, str, float | None, float]]:
        out = []
        for supplier, key, value, confidence in self.table.links.get(anchor, ()):
            if (conf := link_confidence({"confidence": confidence}, self.min_confidence)) > 0:
                out.append((supplier, key, None if value is None else float(value), conf))
        return out

    def in_group(self, anchor: str, links: Sequence[tuple[str, str, float | None, float]]) -> set[str]:
        members = self.table.in_group.get(anchor, frozenset())
        return {f for f, _, _, _ in links if f in members}

    def chain_segments(self, chains: Collection[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {c: [] for c in chains}
        for s in self.table.segments:
            if s.chain in out:
                out[s.chain].append(s.id)
        return out

    def chain(self, c: str) -> Mapping[str, Any]:
        for ch in self.table.chains:
            if ch.id == c:
                return {"name": ch.name, "name_en": ch.name_en}
        return {}


def feeds_weights(G: nx.MultiDiGraph) -> dict[tuple[str, str], float]:
    """The weight of every FEEDS edge: as given, else an equal share of what the given weights into
    the same segment leave (``1 - sum``, never below 0).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("cathode", "cell", rel="FEEDS", weight=0.4)
    >>> for s in ("separator", "electrolyte"):
    ...     _ = G.add_edge(s, "cell", rel="FEEDS", weight=None)
    >>> sorted(feeds_weights(G).items())
    [(('cathode', 'cell'), 0.4), (('electrolyte', 'cell'), 0.3), (('separator', 'cell'), 0.3)]
    """
    return _effective_weights((u, v, d.get("weight")) for u, v, d in G.edges(data=True) if d.get("rel") == "FEEDS")


def _effective_weights(edges: Iterable[tuple[str, str, Any]]) -> dict[tuple[str, str], float]:
    """:func:`feeds_weights` of the FEEDS edges ``(source, target, weight or None)``, in edge order."""
    given: dict[tuple[str, str], float | None] = {}
    for u, v, w in edges:
        given[(u, v)] = None if w is None else float(w)
    left: dict[str, float] = {}
    unweighted: dict[str, int] = {}
    for (u, v), w in given.items():
        left[v] = left.get(v, 1.0) - (w or 0.0)
        unweighted[v] = unweighted.get(v, 0) + (w is None)
    return {(u, v): w if w is not None else max(0.0, left[v]) / unweighted[v] for (u, v), w in given.items()}


def _segment_weights(eff: Mapping[tuple[str, str], float], feeds: _Feeds, own: Sequence[str],
                     depth: int, distances: dict[str, tuple[str, int]]) -> dict[str, float]:
    """Weight of each segment: the largest FEEDS weight (:func:`feeds_weights`) on an edge that realises
    its distance in its direction; 1 for own segments.

    The distances of each direction are taken before the two are merged, so a segment whose next step
    towards the anchor is labelled the other way (q -> y with y nearer downstream) keeps its edge's weight.
    """
    by_direction = {"upstream": _bfs(feeds, own, depth, reverse=True), "downstream": _bfs(feeds, own, depth,
                                                                                         reverse=False)}
    out: dict[str, float] = {}
    for s, (direction, dist) in distances.items():
        if direction == "own":
            out[s] = 1.0
            continue
        level = by_direction[direction]
        if direction == "upstream":
            ws = [eff.get((s, t), 0.0) for t in feeds.successors(s) if level.get(t) == dist - 1]
        else:
            ws = [eff.get((t, s), 0.0) for t in feeds.predecessors(s) if level.get(t) == dist - 1]
        out[s] = max(ws, default=1.0)
    return out


def _bfs(feeds: _Feeds, own: Sequence[str], depth: int, *, reverse: bool) -> dict[str, int]:
    dist = {s: 0 for s in own}
    frontier = list(dist)
    while frontier:
        nxt = []
        for s in frontier:
            if dist[s] >= depth or s not in feeds:
                continue
            for t in (feeds.predecessors(s) if reverse else feeds.successors(s)):
                if t not in dist:
                    dist[t] = dist[s] + 1
                    nxt.append(t)
        frontier = nxt
    return dist


def _status(direction: str, n_local: int, share: float | None, threshold: float) -> tuple[Status, Action | None]:
    if direction == "upstream":
        if n_local == 0:
            return "missing", "fill"
        if n_local == 1 or (share is not None and share < threshold):
            return "weak", "strengthen"
    elif direction == "downstream" and n_local == 0:
        return "missing", "extend"
    return "covered", None


def _anchor_suppliers(idx: _Index, anchor: str) -> list[tuple[str, str, float | None, float]]:
    """``(supplier, segment key, value, confidence)`` of every SUPPLIES link into ``anchor`` that
    counts (confidence at least the index's ``min_confidence``)."""
    out: list[tuple[str, str, float | None, float]] = []
    for u, nbrs in idx.G.pred[anchor].items():
        for key, d in nbrs.items():
            if d.get("rel") == "SUPPLIES" and (conf := idx.weight(d)) > 0:
                v = d.get("value")
                out.append((u, str(key) if d.get("segment") is None else str(d.get("segment")),
                            None if v is None else float(v), conf))
    return out


def _local_refs(idx: _Index | _TableIndex, s: str, anchor: str) -> tuple[FirmRef, ...]:
    """The local firms of segment ``s`` but ``anchor``, as refs in id order: one tuple per segment and
    index, shared by every anchor's table that lists the segment (at ten million firms, 50 anchors'
    tables named three million local firms one call each)."""
    refs = idx.segment_refs.get(s)
    if refs is None:
        refs = idx.segment_refs[s] = tuple(idx.ref(f) for f in idx.local_by_segment.get(s, ()))
    # only a firm making s is among its local firms
    return tuple(r for r in refs if r.id != anchor) if s in idx.firm_segments(anchor) else refs


def _analyse(
    idx: _Index | _TableIndex, anchor: str, distances: dict[str, tuple[str, int]], weights: dict[str, float],
    threshold: float, depth: int, *, brief: bool = False,
) -> GapReport:
    """The gap report of one anchor; ``brief`` leaves the firm lists of its rows empty (for summaries)."""
    every_link = idx.anchor_links(anchor)
    in_group = idx.in_group(anchor, every_link)
    links = [x for x in every_link if x[0] not in in_group]
    by_group: dict[str, set[str]] = {}
    for f, key, _, _ in every_link:
        if f in in_group:
            for s in ([key] if key else idx.firm_segments(f)):
                by_group.setdefault(s, set()).add(f)
    by_segment: dict[str, list[tuple[str, float | None, float]]] = {}
    for supplier, key, value, conf in links:
        if key:
            if key in distances:
                by_segment.setdefault(key, []).append((supplier, value, conf))
        else:
            for s in idx.firm_segments(supplier):
                if s in distances:
                    by_segment.setdefault(s, []).append((supplier, value, conf))
    order = {"own": 0, "upstream": 1, "downstream": 2}
    rows = []
    for s in sorted(distances, key=lambda s: (order[distances[s][0]], distances[s][1], s)):
        direction, dist = distances[s]
        sd = idx.segment(s)
        # a brief report counts the local firms and names none
        local = () if brief else _local_refs(idx, s, anchor)
        n_local = sum(f != anchor for f in idx.local_by_segment.get(s, ())) if brief else len(local)
        seg_links = [(f, v) for f, v, c in by_segment.get(s, []) if c >= idx.confirmed]
        share = local_share((idx.is_local(f), v) for f, v in seg_links)
        suppliers = sorted({f for f, _ in seg_links})
        unconfirmed = sorted({f for f, _, _ in by_segment.get(s, [])} - set(suppliers))
        status, action = _status(direction, n_local, share, threshold)
        rows.append(SegmentGap(
            id=s, name=str(sd.get("name") or ""), name_en=str(sd.get("name_en") or ""),
            chain=sd.get("chain"), direction=direction,  # type: ignore[arg-type]
            distance=dist, status=status, action=action,
            local_firms=local,
            suppliers_local=() if brief else tuple(idx.ref(f) for f in suppliers if idx.is_local(f)),
            suppliers_external=() if brief else tuple(idx.ref(f) for f in suppliers if not idx.is_local(f)),
            local_share=share, single_source=len(suppliers) == 1, weight=weights.get(s, 1.0),
            suppliers_unconfirmed=tuple(idx.ref(f) for f in unconfirmed),
            suppliers_group=tuple(idx.ref(f) for f in sorted(by_group.get(s, ()))),
        ))
    # own segments are what the anchor makes, not what the region supplies it: they are listed but
    # left out of the counts and of completeness
    counted = [r for r in rows if r.direction != "own"]
    total_w = sum(r.weight for r in counted)
    covered_w = sum(r.weight for r in counted if r.status == "covered")
    no_segments = not any(r.direction == "own" for r in rows)
    summary = GapSummary(
        segments=len(counted),
        covered=sum(r.status == "covered" for r in counted),
        weak=sum(r.status == "weak" for r in counted),
        missing=sum(r.status == "missing" for r in counted),
        completeness=None if no_segments or not counted else (covered_w / total_w if total_w > 0 else 0.0),
        local_supply_ratio=None if no_segments else
        local_share((idx.is_local(f), v) for f, _, v, c in links if c >= idx.confirmed),
    )
    warnings = ("anchor_without_segments",) if no_segments else ("no_segments_within_depth",) if not counted else ()
    return GapReport(
        anchor=idx.ref(anchor), anchor_segments=idx.firm_segments(anchor),
        region=idx.region_ref(), depth=depth, segments=tuple(rows), summary=summary, warnings=warnings,
    )


def _check_firm(G: nx.MultiDiGraph, firm: str) -> None:
    if firm not in G or G.nodes[firm].get("kind") != "firm":
        raise UnknownFirmError(firm)


def _gaps_indexed(
    idx: _Index | _TableIndex, anchor: str, *, depth: int, threshold: float, what_if: Sequence[str],
    after: _Index | _TableIndex | None = None,
) -> GapReport:
    """:func:`find_gaps` on an index; ``after`` is ``idx.with_local(what_if)`` when the caller has it."""
    idx.check_firm(anchor)
    segs = idx.firm_segments(anchor)
    distances = feeds_distances(idx.feeds.pairs, segs, depth=depth)
    weights = _segment_weights(idx.feeds_w, idx.feeds, segs, depth, distances)
    report = _analyse(idx, anchor, distances, weights, threshold, depth)
    if not what_if:
        return report
    for f in what_if:
        idx.check_firm(f)
    later = _analyse(after or idx.with_local(what_if), anchor, distances, weights, threshold, depth)
    wi = WhatIf(tuple(idx.ref(f) for f in dict.fromkeys(what_if)), report.summary, later.summary, later.segments)
    return replace(report, what_if=wi)


def find_gaps(
    G: nx.MultiDiGraph,
    anchor: str,
    *,
    region: str,
    depth: int = 2,
    threshold: float = 0.5,
    what_if: Sequence[str] = (),
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> GapReport:
    """The segments within ``depth`` of ``anchor`` and which of them are gaps.

    Parameters
    ----------
    G
        A model graph (see :mod:`chaingraph.model`) holding the chain
        templates, the region tree, the anchor, its suppliers and the local
        firms, e.g. ``store.context(anchors=[anchor], ..., external=False)``.
    anchor
        Id of the anchor firm.
    region
        Id of the home region; firms in it or inside it are local.
    depth
        Largest FEEDS distance from the anchor's segments.
    threshold
        An upstream segment whose local share of anchor supply is below this
        is weak.
    what_if
        Firm ids to treat as local in a second pass; the result's ``what_if``
        holds the summary before and after.
    min_confidence
        Links less sure than this are left out (``--min-confidence``).
    confirmed
        Anchor suppliers at least this sure are *confirmed*: the local share,
        single source and local supply ratio count only them.

    Returns
    -------
    report
        One :class:`SegmentGap` per segment (own segments first, then
        upstream and downstream by distance and id) and a summary.

    Raises
    ------
    UnknownFirmError
        If ``anchor`` or a what-if firm is not a firm of ``G``.
    UnknownRegionError
        If ``region`` is not a region of ``G``.

    Examples
    --------
    A cell maker in the county buys cathode from a local firm and separator
    from a firm elsewhere; no local firm makes separator or packs.

    >>> from chaingraph.model import new_graph
    >>> G = new_graph()
    >>> G.add_node("cty", kind="region", name="County")
    >>> G.add_node("far", kind="region", name="Elsewhere")
    >>> for s in ("cathode", "separator", "cell", "pack"):
    ...     G.add_node(s, kind="segment", name=s, chain="li")
    >>> for s in ("cathode", "separator"):
    ...     _ = G.add_edge(s, "cell", rel="FEEDS")
    >>> _ = G.add_edge("cell", "pack", rel="FEEDS")
    >>> G.add_node("A", kind="firm", name="Anchor", region="cty", segments=("cell",))
    >>> G.add_node("C", kind="firm", name="Cathode Co", region="cty", segments=("cathode",))
    >>> G.add_node("X", kind="firm", name="Sep Co", region="far", segments=("separator",))
    >>> _ = G.add_edge("C", "A", key="cathode", rel="SUPPLIES", value=60.0)
    >>> _ = G.add_edge("X", "A", key="separator", rel="SUPPLIES", value=40.0)
    >>> r = find_gaps(G, "A", region="cty", depth=1)
    >>> [(s.id, s.status, s.action) for s in r.segments]
    [('cell', 'covered', None), ('cathode', 'weak', 'strengthen'), ('separator', 'missing', 'fill'), ('pack', 'missing', 'extend')]
    >>> r.summary.completeness, r.summary.local_supply_ratio  # cell, the own segment, is not counted
    (0.0, 0.6)
    """
    idx = _Index(G, region, min_confidence=min_confidence, confirmed=confirmed)
    return _gaps_indexed(idx, anchor, depth=depth, threshold=threshold, what_if=what_if)


def find_region_gaps(
    G: nx.MultiDiGraph,
    anchors: Sequence[str],
    *,
    region: str,
    depth: int = 2,
    threshold: float = 0.5,
    what_if: Sequence[str] = (),
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> RegionGapReport:
    """:func:`find_gaps` for several anchors, plus the region's chain map.

    Returns
    -------
    report
        One :class:`GapReport` per anchor (in the given order) and one
        :class:`ChainSummary` per chain that holds a segment within ``depth``
        of an anchor, listing all of that chain's segments (see the module
        docstring for their status).

    Examples
    --------
    >>> from chaingraph.model import new_graph
    >>> G = new_graph()
    >>> G.add_node("cty", kind="region", name="County")
    >>> G.add_node("li", kind="chain", name="Li")
    >>> for s in ("cathode", "cell", "recycling"):
    ...     G.add_node(s, kind="segment", name=s, chain="li")
    ...     _ = G.add_edge(s, "li", rel="PART_OF")
    >>> _ = G.add_edge("cathode", "cell", rel="FEEDS")
    >>> G.add_node("A", kind="firm", name="A", region="cty", segments=("cell",))
    >>> G.add_node("B", kind="firm", name="B", region="cty", segments=("cell",))
    >>> G.add_node("C", kind="firm", name="C", region="cty", segments=("recycling",))
    >>> r = find_region_gaps(G, ["A", "B"], region="cty", depth=1)
    >>> [(s.id, s.status, s.anchors) for s in r.chains[0].segments]
    [('cathode', 'missing', ('A', 'B')), ('cell', 'covered', ('A', 'B')), ('recycling', 'covered', ())]
    """
    idx = _Index(G, region, min_confidence=min_confidence, confirmed=confirmed)
    # the what-if index is the same for every anchor (unknown firms are reported by _gaps_indexed)
    known = all(f in G and G.nodes[f].get("kind") == "firm" for f in what_if)
    after = idx.with_local(what_if) if what_if and known else None
    reports = tuple(
        _gaps_indexed(idx, a, depth=depth, threshold=threshold, what_if=what_if, after=after) for a in anchors
    )
    return RegionGapReport(idx.region_ref(), depth, reports, _chain_map(idx, reports))


def gaps_from_table(
    table: GapTable,
    anchor: str,
    *,
    depth: int = 2,
    threshold: float = 0.5,
    what_if: Sequence[str] = (),
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> GapReport:
    """:func:`find_gaps` on a store's :class:`~chaingraph.model.GapTable` instead of a context graph.

    The same report, field for field (``tests/test_gaps_table.py`` holds the two to each other): the
    rules are those of :func:`find_gaps`, only the facts come from the store's columns, so no networkx
    node is built for the local firms. The table must hold ``anchor`` and the ``what_if`` firms.

    Examples
    --------
    >>> from chaingraph.model import GapTable, Region, Segment, SegmentLink
    >>> table = GapTable(
    ...     regions=[Region("cty", "County")], chains=[], segment_links=[SegmentLink("cathode", "cell")],
    ...     segments=[Segment("cathode", "li", "cathode"), Segment("cell", "li", "cell")], region="cty",
    ...     local_by_segment={"cell": ["A"]}, local=frozenset({"A"}),
    ...     firms={"A": {"name": "Anchor", "name_en": "", "region": "cty", "segments": ("cell",)},
    ...            "X": {"name": "Far", "name_en": "", "region": "far", "segments": ("cathode",)}},
    ...     links={"A": [("X", "cathode", 10.0, 0.9)]}, in_group={})
    >>> r = gaps_from_table(table, "A", depth=1)
    >>> [(s.id, s.status, [f.id for f in s.suppliers_external]) for s in r.segments]
    [('cell', 'covered', []), ('cathode', 'missing', ['X'])]
    """
    idx = _TableIndex(table, min_confidence=min_confidence, confirmed=confirmed)
    return _gaps_indexed(idx, anchor, depth=depth, threshold=threshold, what_if=what_if)


def region_gaps_from_table(
    table: GapTable,
    anchors: Sequence[str],
    *,
    depth: int = 2,
    threshold: float = 0.5,
    what_if: Sequence[str] = (),
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> RegionGapReport:
    """:func:`find_region_gaps` on a store's :class:`~chaingraph.model.GapTable` (gathered for every
    segment, for the chain map); the same report, see :func:`gaps_from_table`."""
    idx = _TableIndex(table, min_confidence=min_confidence, confirmed=confirmed)
    known = all(f in table.firms for f in what_if)
    after = idx.with_local(what_if) if what_if and known else None
    reports = tuple(
        _gaps_indexed(idx, a, depth=depth, threshold=threshold, what_if=what_if, after=after) for a in anchors
    )
    return RegionGapReport(idx.region_ref(), depth, reports, _chain_map(idx, reports))


def local_gaps_from_table(
    table: GapTable,
    anchors: Sequence[str],
    *,
    local: Sequence[str] = (),
    depth: int = 2,
    threshold: float = 0.5,
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> dict[str, GapReport]:
    """Each anchor's gap report with the firms ``local`` counted as local (a plan's picks built, a
    what-if's firms arrived), from a store's table holding them (``gap_table(extra=local)``).

    The reports :func:`find_gaps` gives on a context where those firms are local, with no what-if
    section of their own: what a plan compares before and after its picks.
    """
    idx = _TableIndex(table, min_confidence=min_confidence, confirmed=confirmed)
    counted = idx.with_local(local) if local else idx
    return {a: _gaps_indexed(counted, a, depth=depth, threshold=threshold, what_if=()) for a in anchors}


def what_if_summaries(
    G: nx.MultiDiGraph,
    anchors: Sequence[str],
    *,
    region: str,
    scenarios: Mapping[str, Collection[str]],
    depth: int = 2,
    threshold: float = 0.5,
) -> list[tuple[FirmRef, GapSummary, dict[str, GapSummary]]]:
    """Each anchor's gap summary, before and with each scenario's firms counted as local.

    The summaries of :func:`find_region_gaps` with ``what_if``, for several what-ifs at once and
    without the firm lists: a pipeline's what-if ("all signed projects built") holds thousands of
    firms, and only the summaries are reported.

    Returns
    -------
    summaries
        Per anchor (in the given order): its reference, its summary, and its summary per scenario.

    Examples
    --------
    A cell maker lacks a local cathode maker; a signed project brings one.

    >>> from chaingraph.model import new_graph
    >>> G = new_graph()
    >>> G.add_node("cty", kind="region", name="County")
    >>> G.add_node("far", kind="region", name="Elsewhere")
    >>> for s in ("cathode", "cell"):
    ...     G.add_node(s, kind="segment", name=s, chain="li")
    >>> _ = G.add_edge("cathode", "cell", rel="FEEDS")
    >>> G.add_node("A", kind="firm", name="Anchor", region="cty", segments=("cell",))
    >>> G.add_node("C", kind="firm", name="Cathode Co", region="far", segments=("cathode",))
    >>> [(a.id, before.missing, after["signed"].missing)
    ...  for a, before, after in what_if_summaries(G, ["A"], region="cty", scenarios={"signed": ["C"]}, depth=1)]
    [('A', 1, 0)]
    """
    idx = _Index(G, region)
    for firms in scenarios.values():
        for f in firms:
            _check_firm(G, f)
    after = {name: idx.with_local(firms) for name, firms in scenarios.items()}
    out = []
    for anchor in anchors:
        _check_firm(G, anchor)
        segs = idx.firm_segments(anchor)
        distances = feeds_distances(idx.feeds.pairs, segs, depth=depth)
        weights = _segment_weights(idx.feeds_w, idx.feeds, segs, depth, distances)
        before = _analyse(idx, anchor, distances, weights, threshold, depth, brief=True)
        out.append((before.anchor, before.summary, {
            name: _analyse(ix, anchor, distances, weights, threshold, depth, brief=True).summary
            for name, ix in after.items()}))
    return out


def _chain_map(idx: _Index | _TableIndex, reports: Sequence[GapReport]) -> tuple[ChainSummary, ...]:
    anchors = {r.anchor.id for r in reports}
    status: dict[str, Status] = {}
    reached: dict[str, list[str]] = {}
    for r in reports:
        for row in r.segments:
            reached.setdefault(row.id, []).append(r.anchor.id)
            if row.id not in status or _WORST[row.status] > _WORST[status[row.id]]:
                status[row.id] = row.status
    chains = sorted({str(idx.segment(s)["chain"]) for s in reached if idx.segment(s).get("chain")})
    by_chain = idx.chain_segments(chains)
    out = []
    for c in chains:
        rows = []
        for s in sorted(by_chain[c], key=lambda s: (STAGE_ORDER.get(str(idx.segment(s).get("stage")), 1), s)):
            d = idx.segment(s)
            # the gap table's rule: local firms of a segment, the anchors excluded
            n_local = sum(1 for f in idx.local_by_segment.get(s, ()) if f not in anchors)
            st: Status = status.get(s) or ("covered" if n_local else "missing")
            rows.append(ChainSegment(
                s, str(d.get("name") or ""), str(d.get("name_en") or ""), str(d.get("stage") or "midstream"),
                st, n_local, tuple(sorted(set(reached.get(s, ())))),
            ))
        cd = idx.chain(c)
        out.append(ChainSummary(
            c, str(cd.get("name") or c), str(cd.get("name_en") or ""), tuple(rows),
            sum(r.status == "covered" for r in rows), sum(r.status == "weak" for r in rows),
            sum(r.status == "missing" for r in rows),
        ))
    return tuple(out)
