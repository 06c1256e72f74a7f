"""Recruitment targets: which firms elsewhere could fill the gaps around the anchors.

Terms
-----
gap
    A missing or weak upstream segment, or a missing downstream segment, of an
    anchor (see :mod:`chaingraph.analyses.gaps`).
candidate
    A firm that is *not* local (outside the home region ``R``) and makes a
    segment that is a gap of at least one of the anchors. Local firms and firms
    outside every gap are never candidates.
target
    A ranked candidate, with the score components that explain its rank and
    one sentence of reason per component that mattered.

Score components (each in [0, 1])
---------------------------------
``supplies_anchor``
    1 if the candidate already has a SUPPLIES link to one of the anchors
    (follow the customer: invite it to build next to the anchor), else 0.
``supplies_peers``
    The number of *peers* the candidate supplies, divided by the largest such
    number among all candidates (0 when that is 0). A peer is a firm, other
    than an anchor, that makes one of the own segments of an anchor whose gap
    the candidate fills.
``local_ties``
    The number of firms of the home region other than anchors the candidate
    has a SUPPLIES link with (either way), divided by the largest such number
    among candidates. What-if firms (plan) do not count.
``gap_severity``
    The largest, over the gap segments the candidate makes, of
    ``base * (1 + n) / (1 + N)``: ``base`` is 1.0 for a missing upstream
    segment, 0.8 for a missing downstream one and 0.5 for a weak one (the
    largest over anchors), ``n`` the number of anchors with that gap and ``N``
    the number of anchors analysed. A gap all anchors share counts fully.
``scale``
    Output value on a log scale: with ``D`` the span in decades between the
    smallest and largest known positive output value among candidates,
    ``(log10(v) - log10(v_min) + 1) / (D + 1)``; the largest scores 1, the
    smallest ``1 / (D + 1)``, an unknown or zero value 0.
``proximity``
    ``1 / (1 + d / 100)`` with ``d`` the great-circle distance in km to the
    nearest of the candidate's anchors, from the firms' coordinates or, when a
    firm has none, its region's; 0 when either end has no coordinates. A firm
    located only at province or country precision (no coordinates of its own,
    a province or country as region, or ``precision`` saying so) scores a
    neutral 0.5 and its reason states no distance; anchors so located are
    left out of the nearest.

The score is the weighted mean ``sum(w_c * x_c) / sum(w_c)`` with the weights
in :data:`DEFAULT_WEIGHTS` unless overridden, rounded to 6 decimals. Targets
are ranked by score, ties broken by firm id.

The counts come either from a graph (:func:`_raw_from_graph`, networkx) or,
with ``source``, from a store that counts them column by column
(:class:`~chaingraph.stores.CandidateSource`); one scoring stage
(:class:`_Ranking`) turns them into scores, and names and reasons are worded
only for the targets returned or picked.

The portfolio plan built on these scores is in :mod:`chaingraph.analyses.plan`.
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np

from chaingraph.analyses.gaps import (
    FirmRef,
    GapReport,
    _gaps_indexed,
    _Index,
)
from chaingraph.errors import ChainGraphError, Message
from chaingraph.i18n import format_money, join, text
from chaingraph.model import (
    COARSE_DISTANCE,
    COARSE_PRECISIONS,
    CONFIRMED,
    CandidateLinks,
    CandidateLinkSource,
    CandidateSource,
    CandidateTable,
    Lang,
    display_name,
    firm_location,
    firm_precision,
    group_of,
    haversine_km,
    weighted_count,
)

__all__ = [
    "TargetReport",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "GAP_BASE",
    "PROXIMITY_KM",
    "NEUTRAL_PROXIMITY",
    "DIMINISHING",
    "TargetFirm",
    "GroupMember",
    "rank_with_group",
    "TargetSegment",
    "Target",
    "rank_targets",
    "parse_weights",
    "weights_from_toml",
    "haversine_km",
    "weighted_count",
]

#: Score components, in the order they are shown.
COMPONENTS = ("supplies_anchor", "supplies_peers", "local_ties", "gap_severity", "scale", "proximity")

#: Default weights of the score components: the one place they are set.
#: Following the customer is the strongest lead, then proven fit with peers and
#: how badly the gap hurts; ties to local firms, size and distance refine.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "supplies_anchor": 3.0,
    "supplies_peers": 2.0,
    "local_ties": 1.0,
    "gap_severity": 2.0,
    "scale": 1.0,
    "proximity": 1.0,
}

#: Base severity of a gap by (status, direction).
GAP_BASE: Mapping[tuple[str, str], float] = {
    ("missing", "upstream"): 1.0,
    ("missing", "downstream"): 0.8,
    ("weak", "upstream"): 0.5,
}

#: Distance in km at which proximity is 0.5.
PROXIMITY_KM = 100.0

#: Proximity of a firm located only at province or country precision: neither near nor far.
NEUTRAL_PROXIMITY = 0.5

#: Each further pick in an already closed gap counts this much less (plan).
DIMINISHING = 0.5

#: Output value of a "百亿産值項目" (10 billion CNY).
BIG_PROJECT = 1e10


@dataclass(frozen=True)
class TargetFirm:
    """The firm of a target; ``to_dict()`` has the documented five keys."""

    id: str
    name: str
    name_en: str
    region: str | None
    output_value: float | None
    credit_code: str | None = None
    source: str | None = None
    region_name: str = ""
    region_name_en: str = ""
    #: the dataset's extra firm columns (联系人, 电话, ...) as ``(column, value)`` pairs, for the recruiter lists
    extra: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "region": self.region,
                "output_value": self.output_value}


@dataclass(frozen=True)
class TargetSegment:
    """A gap segment the target makes, as stated: the direction whose gap is most severe (see
    :func:`_stated`), its worst status there and the anchors with a gap in that direction
    (``anchors``); ``per_anchor`` lists every anchor's own direction and status."""

    id: str
    name: str
    name_en: str
    chain: str | None
    status: str
    direction: str
    anchors: tuple[str, ...]
    #: every anchor with this segment as a gap: ``(anchor, direction, status)``, by anchor id
    per_anchor: tuple[tuple[str, str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "chain": self.chain,
                "status": self.status, "direction": self.direction, "anchors": list(self.anchors)}


@dataclass(frozen=True)
class Target:
    """A ranked recruitment target.

    ``segments`` are the gap segments it makes, ``anchors`` the anchors whose
    gaps those are, ``components`` every score component (keys
    :data:`COMPONENTS`) and ``reasons`` one sentence per component that
    mattered (value > 0 and weight > 0), in :data:`COMPONENTS` order.
    """

    rank: int
    firm: TargetFirm
    segments: tuple[TargetSegment, ...]
    anchors: tuple[FirmRef, ...]
    score: float
    components: dict[str, float]
    reasons: tuple[str, ...]
    #: What the link-based reasons rest on: ``{"component", "anchor", "segments", "evidence",
    #: "confidence", "confirmed"}`` per anchor supplied.
    evidence: tuple[dict[str, Any], ...] = ()

    @property
    def chains(self) -> tuple[str, ...]:
        """Chains of its gap segments, sorted."""
        return tuple(sorted({s.chain for s in self.segments if s.chain}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "firm": self.firm.to_dict(),
            "segments": [s.to_dict() for s in self.segments],
            "anchors": [{"id": a.id, "name": a.name, "name_en": a.name_en} for a in self.anchors],
            "score": self.score,
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "reasons": list(self.reasons),
            "evidence": [dict(e) for e in self.evidence],
            "gaps": [{"anchor": a, "segment": s.id, "direction": dr, "status": st}
                     for s in self.segments for a, dr, st in s.per_anchor],
        }


@dataclass(frozen=True)
class GroupMember:
    """A firm elsewhere in an anchor's corporate group that makes one of its gap segments:
    not a recruitment target but a case for expansion within the group (集团内扩产)."""

    firm: TargetFirm
    group: FirmRef
    anchors: tuple[FirmRef, ...]
    segments: tuple[TargetSegment, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"relation": "group", "firm": self.firm.to_dict(),
                "group": {"id": self.group.id, "name": self.group.name, "name_en": self.group.name_en},
                "anchors": [{"id": a.id, "name": a.name, "name_en": a.name_en} for a in self.anchors],
                "segments": [s.to_dict() for s in self.segments], "reasons": list(self.reasons)}


@dataclass(frozen=True)
class TargetReport:
    """Ranked targets with the gap reports they came from (for the second sheet of a table), and the
    anchors' group members that make a gap segment (``group``, never ranked)."""

    region: dict[str, str]
    targets: tuple[Target, ...]
    gaps: tuple[dict[str, Any], ...]
    group: tuple[GroupMember, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"region": dict(self.region), "targets": [t.to_dict() for t in self.targets],
                "group": [g.to_dict() for g in self.group]}


# -- weights -------------------------------------------------------------------------------------

def _checked(weights: Mapping[str, Any], where: str | Message,
             base: Mapping[str, float] | None = None) -> dict[str, float]:
    out = dict(DEFAULT_WEIGHTS if base is None else base)
    for k, v in weights.items():
        if k not in DEFAULT_WEIGHTS:
            raise ChainGraphError(key="weights.unknown", component=k, where=where, components=list(COMPONENTS))
        try:
            w = float(v)
        except (TypeError, ValueError):
            raise ChainGraphError(key="weights.not_number", component=k, where=where, value=repr(v)) from None
        if not math.isfinite(w) or w < 0:
            raise ChainGraphError(key="weights.negative", component=k, where=where, value=repr(v))
        out[k] = w
    if sum(out.values()) <= 0:
        raise ChainGraphError(key="weights.all_zero", where=where)
    return out


def parse_weights(spec: str, *, base: Mapping[str, float] | None = None) -> dict[str, float]:
    """Weights from ``"component=weight,..."``, the others taken from ``base``.

    ``base`` defaults to :data:`DEFAULT_WEIGHTS` (pass a profile's weights to
    override some of them on the command line).

    Raises
    ------
    ChainGraphError
        For an unknown component, a value that is not a number >= 0, or all 0.

    Examples
    --------
    >>> w = parse_weights("supplies_anchor=5, scale=0")
    >>> w["supplies_anchor"], w["scale"], w["proximity"]
    (5.0, 0.0, 1.0)
    """
    pairs: dict[str, str] = {}
    for part in spec.replace("，", ",").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ChainGraphError(key="weights.no_equals", part=part.strip())
        pairs[key.strip()] = value.strip()
    return _checked(pairs, "--weights", base)


def weights_from_toml(text_: str, *, name: str = "") -> dict[str, float]:
    """Weights from a TOML profile: top-level ``component = weight`` keys or a ``[weights]`` table.

    Examples
    --------
    >>> weights_from_toml("[weights]\\nproximity = 4\\n")["proximity"]
    4.0
    """
    where: str | Message = name or Message("weights.profile")
    try:
        data = tomllib.loads(text_)
        table = data.get("weights", data)
        if not isinstance(table, dict):
            raise ChainGraphError(key="weights.table", where=where)
        return _checked(table, where)
    except tomllib.TOMLDecodeError as exc:
        raise ChainGraphError(key="weights.toml", where=where, reason=str(exc)) from None
    except RecursionError:  # tomllib (and repr of a bad value) recurse once per level of nesting
        raise ChainGraphError(key="weights.deep", where=where) from None


# -- geometry ------------------------------------------------------------------------------------

# -- ranking -------------------------------------------------------------------------------------

@dataclass
class _Gaps:
    """Gap segments of the anchors: segment -> anchor -> (status, direction, segment weight)."""

    reports: dict[str, GapReport]
    by_segment: dict[str, dict[str, tuple[str, str, float]]]
    n_anchors: int = 1

    def segment(self, s: str, node: Mapping[str, Any]) -> TargetSegment:
        """Segment ``s`` as a target makes it (``node``: its attributes, may be empty)."""
        sharing = self.by_segment[s]
        st, dr, _, who = _stated(sharing, self.n_anchors)
        return TargetSegment(s, str(node.get("name") or ""), str(node.get("name_en") or ""), node.get("chain"),
                             st, dr, who, tuple((a, sharing[a][1], sharing[a][0]) for a in sorted(sharing)))


def _stated(sharing: Mapping[str, tuple[str, str, float]], n_anchors: int) -> tuple[str, str, float, tuple[str, ...]]:
    """How a gap segment shared by anchors is stated: ``(status, direction, severity, anchors)``.

    Per direction, ``severity = base * (1 + n) / (1 + N)`` with ``n`` the anchors for which the
    segment is a gap *in that direction* and ``base`` that of the worst status among them
    (:data:`GAP_BASE`); the direction of the larger severity is stated, upstream on a tie. An
    anchor for which the segment lies the other way never counts.

    Examples
    --------
    Upstream missing for one anchor, downstream missing for three, of four:

    >>> sharing = {"a": ("missing", "upstream", 1.0), "b": ("missing", "downstream", 1.0),
    ...            "c": ("missing", "downstream", 1.0), "d": ("missing", "downstream", 1.0)}
    >>> _stated(sharing, 4)  # upstream 1.0 * 2/5 = 0.4; downstream 0.8 * 4/5 = 0.64
    ('missing', 'downstream', 0.64, ('b', 'c', 'd'))
    """
    best: tuple[str, str, float, tuple[str, ...]] | None = None
    for dr in ("upstream", "downstream"):
        who = tuple(sorted(a for a, (_, d, _) in sharing.items() if d == dr))
        if not who:
            continue
        st = max((sharing[a][0] for a in who), key=lambda x: GAP_BASE[(x, dr)])
        sev = GAP_BASE[(st, dr)] * (1 + len(who)) / (1 + n_anchors)
        if best is None or sev > best[2]:
            best = (st, dr, sev, who)
    assert best is not None, "a gap segment has at least one anchor"
    return best


def _collect_gaps(idx: _Index, anchors: Sequence[str], *, depth: int, threshold: float,
                  chain: str | None, reports: Mapping[str, GapReport] | None = None) -> _Gaps:
    """The anchors' gap segments; ``reports``: their gap reports on ``idx`` when the caller has them."""
    if reports is None or any(a not in reports or reports[a].depth != depth for a in anchors):
        reports = {a: _gaps_indexed(idx, a, depth=depth, threshold=threshold, what_if=()) for a in anchors}
    else:
        reports = {a: reports[a] for a in anchors}
    by_segment: dict[str, dict[str, tuple[str, str, float]]] = {}
    for a, r in reports.items():
        for s in r.segments:
            if (s.status, s.direction) in GAP_BASE and (chain is None or s.chain == chain):
                by_segment.setdefault(s.id, {})[a] = (s.status, s.direction, s.weight)
    return _Gaps(reports, by_segment, len(anchors))


def _raw_from_graph(
    idx: _Index, gaps: _Gaps, anchors: Sequence[str], *, exclude: Collection[str] = (),
    min_output: float | None = None, only: Sequence[str] | None = None, tie_firms: Collection[str] | None = None,
    links: Mapping[str, CandidateLinks] | None = None,
) -> list[dict[str, Any]]:
    """What each candidate's score and reasons are made of, read from a graph.

    ``only`` limits the pass to these firms (the top few, on their
    neighbourhood graph); ``tie_firms`` are the firms a local tie may be with
    (the home region's, default ``idx.local_firms``). ``links`` gives each firm's
    links as :func:`_weighted_links` reads them from the graph, counted by a store
    (:class:`~chaingraph.model.CandidateLinkSource`): the graph then needs to hold
    only the firms, their anchors and the firms their reasons name.
    """
    G = idx.G
    anchor_set = set(anchors)
    own = {a: set(G.nodes[a].get("segments") or ()) for a in anchors}
    # a coarsely located anchor has no distance worth stating
    anchor_xy = {a: None if firm_precision(G, a) in COARSE_PRECISIONS else firm_location(G, a) for a in anchors}
    excluded = set(exclude)
    n_anchors = len(anchors)
    # networkx's plain dicts, for speed
    node_attrs: dict[str, dict[str, Any]] = G._node
    local_firms = idx.local_firms
    ties_with = local_firms if tie_firms is None else tie_firms
    firms = node_attrs.items() if only is None else ((f, node_attrs[f]) for f in only)

    severities: dict[tuple[str, ...], tuple[float, str]] = {}
    raw: list[dict[str, Any]] = []
    for f, d in firms:
        if d.get("kind") != "firm" or f in anchor_set or f in excluded or f in local_firms:
            continue
        segs = sorted(s for s in (d.get("segments") or ()) if s in gaps.by_segment)
        if not segs:
            continue
        ov = d.get("output_value")
        if min_output is not None and (ov is None or ov < min_output):
            continue
        my_anchors = sorted({a for s in segs for a in gaps.by_segment[s]})
        my_own = set().union(*(own[a] for a in my_anchors))
        supplied, peers, ties = (links[f] if links is not None
                                 else _weighted_links(idx, f, anchor_set, my_own, ties_with))
        key = tuple(segs)
        if key not in severities:
            severities[key] = _severity(gaps, key, n_anchors)
        sev, sev_segment = severities[key]
        dist: float | None = None
        xy = firm_location(G, f)
        near = ""
        if firm_precision(G, f) in COARSE_PRECISIONS:
            dist = COARSE_DISTANCE
        elif xy is not None:
            for a in my_anchors:
                axy = anchor_xy[a]
                if axy is not None:
                    km = haversine_km(xy[0], xy[1], axy[0], axy[1])
                    if dist is None or km < dist:
                        dist, near = km, a
        raw.append({"id": f, "group": group_of(G, f), "segs": segs, "anchors": my_anchors, "supplied": supplied,
                    "peers": peers,
                    "ties": ties, "severity": sev, "sev_segment": sev_segment, "dist": dist, "near": near,
                    "output": float(ov) if ov is not None and ov > 0 else None})
    return raw


def _weighted_links(idx: _Index, f: str, anchors: Collection[str], own: Collection[str],
                    ties_with: Collection[str]) -> tuple[dict[str, list[tuple[str, float, str]]],
                                                          dict[str, float], dict[str, float]]:
    """The links of candidate ``f`` its score counts, each weighed by its confidence.

    ``supplied``: anchor -> ``(segment, confidence, evidence)`` of its links to that anchor, surest
    first; ``peers``: peer -> the largest confidence of its links to that peer; ``ties``: local firm
    -> the largest confidence of the links with it, either way. Links under the index's
    ``min_confidence`` count 0 and are left out.
    """
    nodes: dict[str, dict[str, Any]] = idx.G._node
    succ: dict[str, dict[str, dict[Any, dict[str, Any]]]] = idx.G._succ
    pred: dict[str, dict[str, dict[Any, dict[str, Any]]]] = idx.G._pred
    supplied: dict[str, list[tuple[str, float, str]]] = {}
    peers: dict[str, float] = {}
    ties: dict[str, float] = {}
    for v, keyed in succ[f].items():
        links = _counted_links(idx, keyed)
        if not links:
            continue
        w = max(c for _, c, _ in links)
        if v in anchors:
            supplied[v] = sorted(links, key=lambda x: (-x[1], x[0]))
            continue
        if not set(own).isdisjoint(nodes[v].get("segments") or ()):
            peers[v] = w
        if v in ties_with:
            ties[v] = w
    for u, keyed in pred[f].items():
        if u in anchors or u not in ties_with:
            continue
        w = max((idx.weight(e) for e in keyed.values() if e.get("rel") == "SUPPLIES"), default=0.0)
        if w > 0:
            ties[u] = max(ties.get(u, 0.0), w)
    return supplied, peers, ties


def _counted_links(idx: _Index, keyed: Mapping[Any, dict[str, Any]]) -> list[tuple[str, float, str]]:
    """``(segment, confidence, evidence)`` of the SUPPLIES edges ``keyed`` (one pair's edges, by key)
    that count (confidence above 0 after ``min_confidence``)."""
    links = [(str(e.get("segment") or k), idx.weight(e), str(e.get("evidence") or "unknown"))
             for k, e in keyed.items() if e.get("rel") == "SUPPLIES"]
    return [x for x in links if x[1] > 0]


def _supplied_anchors(idx: _Index, f: str, anchors: Collection[str]) -> dict[str, list[tuple[str, float, str]]]:
    """The ``supplied`` part of :func:`_weighted_links` alone: anchor -> ``(segment, confidence,
    evidence)`` of ``f``'s links to it, surest first. ``idx.G`` must hold ``f``'s links to the
    anchors (a gap context does: it holds every anchor's suppliers and their links to it)."""
    succ: dict[str, dict[str, dict[Any, dict[str, Any]]]] = idx.G._succ
    out: dict[str, list[tuple[str, float, str]]] = {}
    for v, keyed in succ[f].items():
        if v in anchors and (links := _counted_links(idx, keyed)):
            out[v] = sorted(links, key=lambda x: (-x[1], x[0]))
    return out


def _severity(gaps: _Gaps, segs: tuple[str, ...], n_anchors: int) -> tuple[float, str]:
    """The worst gap a firm making ``segs`` can fill: its severity and segment (the first on a tie)."""
    best = (-1.0, "")
    for s in segs:
        sev = _stated(gaps.by_segment[s], n_anchors)[2]
        if sev > best[0]:
            best = (sev, s)
    return best


def _table(raw: Sequence[Mapping[str, Any]]) -> CandidateTable:
    return CandidateTable(
        ids=[r["id"] for r in raw], segments=[tuple(r["segs"]) for r in raw],
        supplies_anchor=[max((c for links in r["supplied"].values() for _, c, _ in links), default=0.0)
                         for r in raw],
        peers=[weighted_count(r["peers"].values()) for r in raw],
        ties=[weighted_count(r["ties"].values()) for r in raw],
        output=[r["output"] for r in raw], distance=[r["dist"] for r in raw], groups=[r["group"] for r in raw])


#: Given the ids of some candidates: an index over a graph holding their links,
#: and what :func:`_raw_from_graph` reads for each of them.
_Explain = Callable[[Sequence[str]], tuple[_Index, dict[str, dict[str, Any]]]]


class _Ranking:
    """Every candidate's score components, as columns; the score is the weighted mean of them."""

    def __init__(self, table: CandidateTable, gaps: _Gaps, n_anchors: int, w: Mapping[str, float],
                 lang: Lang, explain: _Explain, template: nx.MultiDiGraph, group: Sequence[str] = (),
                 reasons: _Explain | None = None) -> None:
        self.table, self.gaps, self.w, self.lang, self.explain = table, gaps, w, lang, explain
        #: :attr:`explain` for the targets built, faster where a store reads their links (same rows)
        self.reasons = reasons or explain
        #: Candidates in an anchor's corporate group, not ranked (ids, sorted).
        self.group = list(group)
        self.template = template
        cols = _component_columns(table, gaps, n_anchors)
        wa, wp, wt, wg, ws, wx = (w[k] for k in COMPONENTS)
        total = sum(w.values())
        # numpy evaluates the weighted sum term by term in the order Python does, so the doubles are
        # the same; round() stays Python's (correctly rounded, where np.round may differ in the 6th place)
        raw = (wa * cols["supplies_anchor"] + wp * cols["supplies_peers"] + wt * cols["local_ties"]
               + wg * cols["gap_severity"] + ws * cols["scale"] + wx * cols["proximity"]) / total
        self._scores = _round6(raw)
        self.scores: list[float] = self._scores.tolist()
        #: every component as a numpy column (see :attr:`columns` for lists)
        self.arrays = cols
        self._chains: dict[tuple[str, ...], tuple[str, ...]] = {}

    @cached_property
    def columns(self) -> dict[str, list[float]]:
        """Every component as a list of floats, by component."""
        return {k: self.arrays[k].tolist() for k in COMPONENTS}

    def components(self, i: int) -> dict[str, float]:
        """The score components of candidate ``i``."""
        return {k: float(self.arrays[k][i]) for k in COMPONENTS}

    def chains(self, segs: tuple[str, ...]) -> tuple[str, ...]:
        hit = self._chains.get(segs)
        if hit is None:
            nodes = self.template._node
            hit = tuple(sorted({str(nodes[s]["chain"]) for s in segs if s in nodes and nodes[s].get("chain")}))
            self._chains[segs] = hit
        return hit

    def order(self, top: int | None) -> list[int]:
        """Indices of the candidates by score, ties by firm id; the first ``top`` (all when ``None``)."""
        return _order(self._scores, self.table.ids, top)

    def ranked(self, top: int | None) -> list[_Lazy]:
        """Candidates by score, ties by firm id; the first ``top`` (all when ``None``)."""
        return [_Lazy(self, i, rank) for rank, i in enumerate(self.order(top), 1)]

    def build(self, lazies: Sequence[_Lazy], into: nx.MultiDiGraph | None = None) -> list[Target]:
        """The targets of ``lazies``, with names and reasons, from one look at their neighbourhoods.

        Their firm nodes are copied into ``into`` where it lacks them.
        """
        if not lazies:
            return []
        idx, raw = self.reasons([t.id for t in lazies])
        if into is not None:
            for t in lazies:
                if t.id not in into:
                    into.add_node(t.id, **idx.G.nodes[t.id])
        return [_target(idx, self.gaps, t.rank, t.score, raw[t.id], self.components(t.i), self.w, self.lang)
                for t in lazies]


def _round6(x: np.ndarray) -> np.ndarray:
    """``round(v, 6)`` of every value, the same doubles as Python's correctly rounded ``round``.

    ``rint(v * 1e6) / 1e6`` is the double nearest ``k / 10**6`` (one correctly rounded division),
    which is what ``round`` returns once it has picked the same ``k``; only where ``v * 1e6`` lies
    within its rounding error of a half may the two pick different ``k``, and those few go through
    ``round`` itself. A Python call per candidate took a fifth of the scoring at a million firms.

    Examples
    --------
    >>> _round6(np.array([0.1234565, 0.0078125, 1 / 3, 0.0])).tolist()
    [0.123456, 0.007812, 0.333333, 0.0]
    """
    scaled = x * 1e6
    k = np.rint(scaled)
    out: np.ndarray = k / 1e6
    doubtful = ~(np.abs(np.abs(scaled - k) - 0.5) > 1e-6)  # NaN and infinities included
    for i in np.flatnonzero(doubtful).tolist():
        out[i] = round(float(x[i]), 6)
    return out


def _component_columns(table: CandidateTable, gaps: _Gaps, n_anchors: int) -> dict[str, np.ndarray]:
    """Every candidate's score components (module docstring), a numpy column each.

    The same expressions, in the same order, as on one candidate, so that both paths give the same
    doubles: ``math.log10`` (not ``np.log10``, which may differ in the last bit) for the scale.
    """
    severity = {segs: _severity(gaps, segs, n_anchors)[0] for segs in set(table.segments)}
    peers = np.asarray(table.peers, dtype=np.float64)
    ties = np.asarray(table.ties, dtype=np.float64)
    max_peers = float(peers.max()) if len(peers) else 0.0
    max_ties = float(ties.max()) if len(ties) else 0.0
    output = np.array(table.output, dtype=np.float64)  # None (unknown) becomes NaN
    known = ~np.isnan(output)
    logs = np.fromiter(map(math.log10, output[known].tolist()), dtype=np.float64, count=int(known.sum()))
    lo, hi = (float(logs.min()), float(logs.max())) if len(logs) else (0.0, 0.0)
    scale = np.zeros(len(table))
    scale[known] = (logs - lo + 1) / (hi - lo + 1)
    # 1 / (1 + d / 100); 0 without a distance, neutral for a firm located only at province or
    # country precision (COARSE_DISTANCE)
    dist = np.array(table.distance, dtype=np.float64)  # None (no distance) becomes NaN
    proximity = 1 / (1 + dist / PROXIMITY_KM)
    proximity[dist == COARSE_DISTANCE] = NEUTRAL_PROXIMITY
    proximity[np.isnan(dist)] = 0.0
    return {
        "supplies_anchor": np.asarray(table.supplies_anchor, dtype=np.float64),
        "supplies_peers": peers / max_peers if max_peers else np.zeros(len(table)),
        "local_ties": ties / max_ties if max_ties else np.zeros(len(table)),
        "gap_severity": np.array([severity[s] for s in table.segments], dtype=np.float64),
        "scale": scale,
        "proximity": proximity,
    }


def _order(scores: np.ndarray, ids: Sequence[str], top: int | None) -> list[int]:
    """Indices by score, highest first, ties by id; the first ``top`` (all when ``None``).

    With ``top``, only the candidates scoring at least the ``top``-th best score are sorted in
    Python (a partition finds that score); without, numpy sorts the ids and then (score, id rank).
    """
    n = len(ids)
    if top is not None and top < n:
        if top <= 0:
            return []
        kth = np.partition(-scores, top - 1)[top - 1]
        near = np.flatnonzero(-scores <= kth).tolist()
        return sorted(near, key=lambda i: (-scores[i], ids[i]))[:top]
    if not n:
        return []
    names = np.array(ids)
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[np.argsort(names, kind="stable")] = np.arange(n)
    order: list[int] = np.lexsort((id_rank, -scores)).tolist()
    return order


class _Lazy:
    """A scored candidate whose :class:`Target` (names, reasons) is built only when asked for."""

    __slots__ = ("ranking", "i", "rank", "score", "id", "segments", "chains")

    def __init__(self, ranking: _Ranking, i: int, rank: int) -> None:
        self.ranking, self.i, self.rank = ranking, i, rank
        self.score, self.id = ranking.scores[i], ranking.table.ids[i]
        self.segments: tuple[str, ...] = ranking.table.segments[i]
        self.chains = ranking.chains(self.segments)


def _rank(
    idx: _Index, anchors: Sequence[str], *, depth: int, weights: Mapping[str, float] | None,
    chain: str | None, min_output: float | None, lang: Lang, threshold: float, exclude: Collection[str] = (),
    source: CandidateSource | None = None, tie_firms: Collection[str] | None = None,
    reports: Mapping[str, GapReport] | None = None,
) -> tuple[_Ranking, _Gaps]:
    """Score every candidate: counted by ``source`` when given, else read from ``idx.G``.

    Candidates in an anchor's corporate group are not scored: they are the ranking's ``group``
    (see :class:`GroupMember`).
    """
    w = _checked(weights or {}, "weights")
    anchors = list(dict.fromkeys(anchors))
    gaps = _collect_gaps(idx, anchors, depth=depth, threshold=threshold, chain=chain, reports=reports)
    if tie_firms is None:
        tie_firms = idx.local_firms
    # every home anchor's group, not only the analysed anchors': a firm of the Tsingshan group is
    # never a recruitment target of Jiashan, whichever anchor is asked about
    home_anchors = sorted(f for f in idx.local_firms if idx.G.nodes[f].get("anchor"))
    groups = {a: group_of(idx.G, a) for a in [*anchors, *home_anchors]}
    if source is None:
        raw = _raw_from_graph(idx, gaps, anchors, exclude=exclude, min_output=min_output, tie_firms=tie_firms)
        by_id = {r["id"]: r for r in raw}
        table, members = _split_groups(_table(raw), groups)
        return _Ranking(table, gaps, len(anchors), w, lang, lambda ids: (idx, by_id), idx.G, members), gaps

    extra = sorted(idx.local_extra)
    gap_map = {s: sorted(a) for s, a in gaps.by_segment.items()}
    counted = source.candidates(anchors=anchors, gaps=gap_map,
                                region=idx.region, exclude=set(exclude) | set(extra), min_output=min_output,
                                min_confidence=idx.min_confidence)
    table, members = _split_groups(counted, groups)
    src = source
    also = anchors + extra + sorted(set(groups.values()) - set(anchors))

    def explain(ids: Sequence[str]) -> tuple[_Index, dict[str, dict[str, Any]]]:
        # the reference: a networkx neighbourhood of the firms, every link of theirs and every firm it touches
        H = src.neighbourhood(ids, also=also)
        home = _Index(H, idx.region, min_confidence=idx.min_confidence, confirmed=idx.confirmed)
        near = home.with_local(extra) if extra else home
        raw = _raw_from_graph(near, gaps, anchors, exclude=exclude, min_output=min_output, only=ids,
                              tie_firms=home.local_firms)
        return near, {r["id"]: r for r in raw}

    reasons: _Explain = explain
    if isinstance(src, CandidateLinkSource):
        reasons = _explain_from_links(src, idx, gaps, gap_map, anchors, also, exclude=exclude, min_output=min_output)
    return _Ranking(table, gaps, len(anchors), w, lang, explain, idx.G, members, reasons=reasons), gaps


def _explain_from_links(src: CandidateLinkSource, idx: _Index, gaps: _Gaps, gap_map: Mapping[str, Collection[str]],
                        anchors: Sequence[str], also: Sequence[str], *, exclude: Collection[str],
                        min_output: float | None) -> _Explain:
    """The explain of :func:`_rank` with the links counted by the store: the same raw rows as from the
    neighbourhood graph (the reference), on a graph of the firms, their anchors and the few firms their
    reasons name. The top 50 of a million firms touch 27,800 firms, of which their reasons name about
    a hundred (issue 17)."""
    extra = sorted(idx.local_extra)

    def explain(ids: Sequence[str]) -> tuple[_Index, dict[str, dict[str, Any]]]:
        links = src.candidate_links(ids, anchors=anchors, gaps=gap_map, region=idx.region,
                                    min_confidence=idx.min_confidence)
        # the first peer and tie by id are the examples a reason names
        named = {min(d) for lk in links.values() for d in lk[1:] if d}
        H = src.neighbourhood((), also=[*ids, *sorted(named), *also])
        home = _Index(H, idx.region, min_confidence=idx.min_confidence, confirmed=idx.confirmed)
        near = home.with_local(extra) if extra else home
        raw = _raw_from_graph(near, gaps, anchors, exclude=exclude, min_output=min_output, only=ids,
                              tie_firms=home.local_firms, links=links)
        return near, {r["id"]: r for r in raw}

    return explain


def _split_groups(table: CandidateTable, groups: Mapping[str, str]) -> tuple[CandidateTable, list[str]]:
    """The candidates outside every anchor's group, and the ids of those inside one."""
    inside = set(groups.values())
    # one pass for the few inside (usually none, found by a set intersection at C speed); a set test
    # per candidate made this quadratic once
    found = [i for i, g in enumerate(table.groups) if g in inside] if inside.intersection(table.groups) else []
    if not found:
        return table, []
    members = sorted(table.ids[i] for i in found)
    out = set(found)
    keep = [i for i in range(len(table)) if i not in out]
    cols = ("ids", "segments", "supplies_anchor", "peers", "ties", "output", "distance", "groups")
    return CandidateTable(*([getattr(table, c)[i] for i in keep] for c in cols)), members


def _target(idx: _Index, gaps: _Gaps, rank: int, score: float, r: dict[str, Any], comp: dict[str, float],
            w: Mapping[str, float], lang: Lang) -> Target:
    G = idx.G
    nodes = G.nodes
    f = r["id"]
    d = nodes[f]

    def name(n: str) -> str:
        return display_name(nodes[n], lang) if n in G else n

    evidence: list[dict[str, Any]] = []
    segments = []
    for s in r["segs"]:
        segments.append(gaps.segment(s, nodes[s] if s in G else {}))
    reasons = []
    for k in COMPONENTS:
        if comp[k] <= 0 or w[k] <= 0:
            continue
        if k == "supplies_anchor":
            parts, evidence = _supply_reasons(idx, r, name, lang)
            reasons.append("; ".join(parts) if lang == "en" else "；".join(parts))
        elif k == "supplies_peers":
            peer = min(r["peers"])  # a dict: peer -> confidence
            own = [s for s in nodes[peer].get("segments") or ()
                   if any(s in (nodes[a].get("segments") or ()) for a in r["anchors"])]
            reasons.append(text("reason.supplies_peers", lang, n=len(r["peers"]),
                                segment=name(own[0]) if own else "", example=name(peer)))
        elif k == "local_ties":
            reasons.append(text("reason.local_ties", lang, n=len(r["ties"]), example=name(min(r["ties"]))))
        elif k == "gap_severity":
            reasons.append(_gap_reason(gaps, r["sev_segment"], name, lang))
        elif k == "scale":
            key = "reason.scale.big" if r["output"] >= BIG_PROJECT else "reason.scale"
            currency = str(G.graph.get("currency") or "CNY")
            reasons.append(text(key, lang, value=format_money(r["output"], lang, currency)))
        elif k == "proximity" and r["dist"] == COARSE_DISTANCE:
            reasons.append(text("reason.proximity.coarse", lang,
                                precision=text(f"precision.{firm_precision(G, f)}", lang)))
        elif k == "proximity":
            reasons.append(text("reason.proximity", lang, anchor=name(r["near"]), km=round(r["dist"])))
    rd = nodes[d["region"]] if d.get("region") in G else {}
    ov = d.get("output_value")
    firm = TargetFirm(f, str(d.get("name") or ""), str(d.get("name_en") or ""), d.get("region"),
                      None if ov is None else float(ov), d.get("credit_code"), d.get("source"),
                      str(rd.get("name") or ""), str(rd.get("name_en") or ""),
                      tuple(extra.items()) if isinstance(extra := d.get("extra"), dict) else ())
    return Target(rank, firm, tuple(segments), tuple(idx.ref(a) for a in r["anchors"]), score,
                  comp, tuple(reasons), tuple(evidence))


def _gap_reason(gaps: _Gaps, s: str, name: Callable[[str], str], lang: Lang) -> str:
    """The gap-severity reason: in the stated direction, each anchor named with its own status
    ("fills the missing upstream X link of A; strengthens the weak upstream X link of B")."""
    sharing = gaps.by_segment[s]
    _, dr, _, who = _stated(sharing, gaps.n_anchors)
    parts = []
    for st in ("missing", "weak"):
        mine = [a for a in who if sharing[a][0] == st]
        if mine:
            parts.append(text(f"reason.gap.{st}.{dr}", lang, anchor=join([name(a) for a in mine], lang),
                              segment=name(s)))
    return ("; " if lang == "en" else "；").join(parts)


def _supply_reasons(idx: _Index, r: dict[str, Any], name: Callable[[str], str],
                    lang: Lang) -> tuple[list[str], list[dict[str, Any]]]:
    """One sentence per anchor the candidate supplies, saying how sure the surest link is
    ("已向兰钧供应正极材料（公告，可信度0.9）" / "可能向…（按产业关系推断，可信度0.05）"), and the
    evidence behind each for JSON."""
    parts: list[str] = []
    evidence: list[dict[str, Any]] = []
    for a in sorted(r["supplied"]):
        links = r["supplied"][a]
        segs = sorted({sg for sg, _, _ in links} - {""}) or r["segs"]  # unkeyed: the gap segments it makes
        _, conf, kind = links[0]
        key = "reason.supplies_anchor.sure" if conf >= idx.confirmed else "reason.supplies_anchor.maybe"
        parts.append(text(key, lang, anchor=name(a), segment=join([name(s) for s in segs], lang),
                          evidence=text(f"evidence.{kind}", lang), confidence=_conf(conf)))
        evidence.append({"component": "supplies_anchor", "anchor": a, "segments": list(segs),
                         "evidence": kind, "confidence": conf, "confirmed": conf >= idx.confirmed})
    return parts, evidence


def _conf(c: float) -> str:
    """A confidence as people write it: 0.9, 0.05, 1."""
    return f"{c:.2f}".rstrip("0").rstrip(".") if c else "0"


def rank_targets(
    G: nx.MultiDiGraph,
    anchors: Sequence[str],
    *,
    region: str,
    depth: int = 2,
    top: int | None = 20,
    weights: Mapping[str, float] | None = None,
    chain: str | None = None,
    min_output: float | None = None,
    lang: Lang = "zh",
    threshold: float = 0.5,
    source: CandidateSource | None = None,
    exclude: Collection[str] = (),
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> list[Target]:
    """Firms elsewhere that make a gap segment of an anchor, best first.

    Parameters
    ----------
    G
        A model graph holding the anchors, their suppliers, the local firms and
        every firm in the segments within ``depth`` of the anchors, e.g.
        ``store.context(anchors=..., segments=..., region=..., external=True)``.
        With ``source``, the local context (``external=False``) is enough.
    anchors
        Ids of the anchor firms.
    region
        Id of the home region.
    depth
        Largest FEEDS distance from an anchor's segments.
    top
        Number of targets returned; ``None`` for all.
    weights
        Weights of some score components; the others keep
        :data:`DEFAULT_WEIGHTS`.
    chain
        Only gaps in segments of this chain.
    min_output
        Only firms with a known output value of at least this much
        (``1e10`` for 百亿 projects).
    lang
        Language of the reasons.
    threshold
        Local-share threshold under which an upstream segment is weak.
    source
        A store that counts the candidates itself
        (:class:`~chaingraph.stores.CandidateSource`); only the neighbourhoods
        of the ``top`` targets are then turned into networkx, for their
        reasons. The targets are the same as from the external context.
    exclude
        Firms never ranked (e.g. those with a live project in the pipeline).
    min_confidence
        Links less sure than this are left out (``--min-confidence``).
    confirmed
        Anchor suppliers at least this sure are *confirmed*: the local share,
        single source and local supply ratio count only them.

    Returns
    -------
    targets
        Ranked by score, ties by firm id; see the module docstring for the
        score components.

    Raises
    ------
    UnknownFirmError, UnknownRegionError
        If an anchor or ``region`` is not in ``G``.
    ChainGraphError
        For bad weights.

    Examples
    --------
    An anchor cell maker in the county; two separator makers elsewhere, one of
    which already supplies it. No local firm makes separator.

    >>> from chaingraph.model import new_graph
    >>> G = new_graph()
    >>> G.add_node("cty", kind="region", name="County")
    >>> G.add_node("far", kind="region", name="Elsewhere")
    >>> G.add_node("sep", kind="segment", name="隔膜", name_en="separator", chain="li")
    >>> G.add_node("cell", kind="segment", name="电芯", name_en="cell", chain="li")
    >>> _ = G.add_edge("sep", "cell", rel="FEEDS")
    >>> G.add_node("A", kind="firm", name="兰钧", name_en="Lanjun", region="cty", segments=("cell",))
    >>> G.add_node("X", kind="firm", name="恩捷", name_en="SEMCORP", region="far", segments=("sep",))
    >>> G.add_node("Y", kind="firm", name="星源", name_en="Senior", region="far", segments=("sep",))
    >>> _ = G.add_edge("X", "A", key="sep", rel="SUPPLIES")
    >>> ts = rank_targets(G, ["A"], region="cty", lang="en")
    >>> [(t.rank, t.firm.id, t.score) for t in ts]
    [(1, 'X', 0.5), (2, 'Y', 0.2)]
    >>> ts[0].reasons
    ('already supplies separator to Lanjun (unsourced, confidence 1)', 'fills the missing upstream separator link of Lanjun')
    """
    return rank_with_group(G, anchors, region=region, depth=depth, top=top, weights=weights, chain=chain,
                           min_output=min_output, lang=lang, threshold=threshold, source=source,
                           exclude=exclude, min_confidence=min_confidence, confirmed=confirmed)[0]


def rank_with_group(
    G: nx.MultiDiGraph, anchors: Sequence[str], *, region: str, depth: int = 2, top: int | None = 20,
    weights: Mapping[str, float] | None = None, chain: str | None = None, min_output: float | None = None,
    lang: Lang = "zh", threshold: float = 0.5, source: CandidateSource | None = None,
    exclude: Collection[str] = (), min_confidence: float = 0.0, confirmed: float = CONFIRMED,
    gap_reports: Mapping[str, GapReport] | None = None,
) -> tuple[list[Target], list[GroupMember]]:
    """:func:`rank_targets`, and the anchors' group members that make a gap segment.

    A firm whose parent chain ends where an anchor's does (the same ``parent`` group, e.g. REPT
    and Lanjun in the Tsingshan group) is never a target: it is listed apart, with the reason
    "与链主同属青山集团". ``G`` must hold the anchors' parent firms for the group's name.
    ``gap_reports`` (anchor id -> :class:`GapReport`) are the anchors' gap reports on ``G`` with
    the same options, when the caller has them (:func:`~chaingraph.analyses.gaps.find_region_gaps`):
    they are not computed again.
    """
    idx = _Index(G, region, min_confidence=min_confidence, confirmed=confirmed)
    ranking = _rank(idx, anchors, depth=depth, weights=weights, chain=chain, min_output=min_output, lang=lang,
                    threshold=threshold, source=source, exclude=exclude, reports=gap_reports)[0]
    home = sorted(f for f in idx.local_firms if idx.G.nodes[f].get("anchor"))
    return ranking.build(ranking.ranked(top)), _group_members(ranking, list(dict.fromkeys([*anchors, *home])), lang)


def _group_members(ranking: _Ranking, anchors: Sequence[str], lang: Lang) -> list[GroupMember]:
    if not ranking.group:
        return []
    idx, raw = ranking.explain(ranking.group)
    G = idx.G
    out = []
    for f in ranking.group:
        r = raw[f]
        mine = [a for a in anchors if group_of(ranking.template, a) == r["group"]
                or group_of(G, a) == r["group"]]
        d = G.nodes[f]
        root = idx.ref(r["group"]) if r["group"] in G else FirmRef(r["group"], r["group"], "", None)
        group_name = display_name(G.nodes[r["group"]], lang) if r["group"] in G else r["group"]
        segs = [ranking.gaps.segment(s, G.nodes[s] if s in G else {}) for s in r["segs"]]
        reason = text("reason.group", lang, group=group_name,
                      segment=join([display_name(G.nodes[s], lang) for s in r["segs"] if s in G], lang))
        ov = d.get("output_value")
        firm = TargetFirm(f, str(d.get("name") or ""), str(d.get("name_en") or ""), d.get("region"),
                          None if ov is None else float(ov), d.get("credit_code"), d.get("source"))
        out.append(GroupMember(firm, root, tuple(idx.ref(a) for a in mine if a in G), tuple(segs), (reason,)))
    return out
