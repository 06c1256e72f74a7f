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
    firm has none, its region's; 0 when either end has no coordinates.

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

import heapq
import math
import tomllib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from chaingraph.analyses.gaps import (
    FirmRef,
    GapReport,
    _gaps_indexed,
    _Index,
)
from chaingraph.errors import ChainGraphError
from chaingraph.i18n import format_money, join, text
from chaingraph.model import (
    CandidateSource,
    CandidateTable,
    Lang,
    display_name,
    firm_location,
    haversine_km,
)

__all__ = [
    "TargetReport",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "GAP_BASE",
    "PROXIMITY_KM",
    "DIMINISHING",
    "TargetFirm",
    "TargetSegment",
    "Target",
    "rank_targets",
    "parse_weights",
    "weights_from_toml",
    "haversine_km",
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
    """A gap segment the target makes, with its worst status over the anchors."""

    id: str
    name: str
    name_en: str
    chain: str | None
    status: str
    direction: str
    anchors: tuple[str, ...]

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
        }


@dataclass(frozen=True)
class TargetReport:
    """Ranked targets with the gap reports they came from (for the second sheet of a table)."""

    region: dict[str, str]
    targets: tuple[Target, ...]
    gaps: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"region": dict(self.region), "targets": [t.to_dict() for t in self.targets]}


# -- weights -------------------------------------------------------------------------------------

def _checked(weights: Mapping[str, Any], where: str, base: Mapping[str, float] | None = None) -> dict[str, float]:
    out = dict(DEFAULT_WEIGHTS if base is None else base)
    for k, v in weights.items():
        if k not in DEFAULT_WEIGHTS:
            msg = f"unknown score component {k!r} in {where}; use one of: {', '.join(COMPONENTS)}"
            raise ChainGraphError(msg)
        try:
            w = float(v)
        except (TypeError, ValueError):
            msg = f"weight of {k} in {where} is {v!r}, not a number; write e.g. {k}=2"
            raise ChainGraphError(msg) from None
        if not math.isfinite(w) or w < 0:
            msg = f"weight of {k} in {where} is {v!r}; weights must be numbers >= 0"
            raise ChainGraphError(msg)
        out[k] = w
    if sum(out.values()) <= 0:
        msg = f"all weights are 0 in {where}; give at least one component a positive weight"
        raise ChainGraphError(msg)
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
            msg = f"weight {part.strip()!r} has no '='; write component=weight, e.g. supplies_anchor=3"
            raise ChainGraphError(msg)
        pairs[key.strip()] = value.strip()
    return _checked(pairs, "--weights", base)


def weights_from_toml(text_: str, *, name: str = "the weights profile") -> dict[str, float]:
    """Weights from a TOML profile: top-level ``component = weight`` keys or a ``[weights]`` table.

    Examples
    --------
    >>> weights_from_toml("[weights]\\nproximity = 4\\n")["proximity"]
    4.0
    """
    try:
        data = tomllib.loads(text_)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{name} is not valid TOML: {exc}"
        raise ChainGraphError(msg) from None
    table = data.get("weights", data)
    if not isinstance(table, dict):
        msg = f"{name}: [weights] must be a table of component = weight"
        raise ChainGraphError(msg)
    return _checked(table, name)


# -- geometry ------------------------------------------------------------------------------------

# -- ranking -------------------------------------------------------------------------------------

@dataclass
class _Gaps:
    """Gap segments of the anchors: segment -> anchor -> (status, direction, segment weight)."""

    reports: dict[str, GapReport]
    by_segment: dict[str, dict[str, tuple[str, str, float]]]


def _collect_gaps(idx: _Index, anchors: Sequence[str], *, depth: int, threshold: float,
                  chain: str | None) -> _Gaps:
    reports = {a: _gaps_indexed(idx, a, depth=depth, threshold=threshold, what_if=()) for a in anchors}
    by_segment: dict[str, dict[str, tuple[str, str, float]]] = {}
    for a, r in reports.items():
        for s in r.segments:
            if (s.status, s.direction) in GAP_BASE and (chain is None or s.chain == chain):
                by_segment.setdefault(s.id, {})[a] = (s.status, s.direction, s.weight)
    return _Gaps(reports, by_segment)


def _raw_from_graph(
    idx: _Index, gaps: _Gaps, anchors: Sequence[str], *, exclude: Collection[str] = (),
    min_output: float | None = None, only: Sequence[str] | None = None, tie_firms: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """What each candidate's score and reasons are made of, read from a graph.

    ``only`` limits the pass to these firms (the top few, on their
    neighbourhood graph); ``tie_firms`` are the firms a local tie may be with
    (the home region's, default ``idx.local_firms``).
    """
    G = idx.G
    anchor_set = set(anchors)
    own = {a: set(G.nodes[a].get("segments") or ()) for a in anchors}
    anchor_xy = {a: firm_location(G, a) for a in anchors}
    excluded = set(exclude)
    n_anchors = len(anchors)
    # networkx's plain dicts, for speed
    node_attrs: dict[str, dict[str, Any]] = G._node
    succ: dict[str, dict[str, dict[Any, dict[str, Any]]]] = G._succ
    pred: dict[str, dict[str, dict[Any, dict[str, Any]]]] = G._pred
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
        supplied: dict[str, list[str]] = {}
        peers: set[str] = set()
        ties: set[str] = set()
        for v, keyed in succ[f].items():
            if not any(e.get("rel") == "SUPPLIES" for e in keyed.values()):
                continue
            if v in anchor_set:
                supplied[v] = sorted({str(e.get("segment") or k) for k, e in keyed.items()
                                      if e.get("rel") == "SUPPLIES"} - {""})
                continue
            if not my_own.isdisjoint(node_attrs[v].get("segments") or ()):
                peers.add(v)
            if v in ties_with:
                ties.add(v)
        for u, keyed in pred[f].items():
            if u not in anchor_set and u not in ties and u in ties_with \
                    and any(e.get("rel") == "SUPPLIES" for e in keyed.values()):
                ties.add(u)
        key = tuple(segs)
        if key not in severities:
            severities[key] = _severity(gaps, key, n_anchors)
        sev, sev_segment = severities[key]
        dist = None
        xy = firm_location(G, f)
        near = ""
        if xy is not None:
            for a in my_anchors:
                axy = anchor_xy[a]
                if axy is not None:
                    km = haversine_km(xy[0], xy[1], axy[0], axy[1])
                    if dist is None or km < dist:
                        dist, near = km, a
        raw.append({"id": f, "segs": segs, "anchors": my_anchors, "supplied": supplied, "peers": peers,
                    "ties": ties, "severity": sev, "sev_segment": sev_segment, "dist": dist, "near": near,
                    "output": float(ov) if ov is not None and ov > 0 else None})
    return raw


def _severity(gaps: _Gaps, segs: tuple[str, ...], n_anchors: int) -> tuple[float, str]:
    """The worst gap a firm making ``segs`` can fill: its severity and segment (the first on a tie)."""
    best = (-1.0, "")
    for s in segs:
        sharing = gaps.by_segment[s]
        base = max(GAP_BASE[(st, dr)] for st, dr, _ in sharing.values())
        sev = base * (1 + len(sharing)) / (1 + n_anchors)
        if sev > best[0]:
            best = (sev, s)
    return best


def _table(raw: Sequence[Mapping[str, Any]]) -> CandidateTable:
    return CandidateTable(
        ids=[r["id"] for r in raw], segments=[tuple(r["segs"]) for r in raw],
        supplies_anchor=[bool(r["supplied"]) for r in raw], peers=[len(r["peers"]) for r in raw],
        ties=[len(r["ties"]) for r in raw], output=[r["output"] for r in raw], distance=[r["dist"] for r in raw])


#: Given the ids of some candidates: an index over a graph holding their links,
#: and what :func:`_raw_from_graph` reads for each of them.
_Explain = Callable[[Sequence[str]], tuple[_Index, dict[str, dict[str, Any]]]]


class _Ranking:
    """Every candidate's score components, as columns; the score is the weighted mean of them."""

    def __init__(self, table: CandidateTable, gaps: _Gaps, n_anchors: int, w: Mapping[str, float],
                 lang: Lang, explain: _Explain, template: nx.MultiDiGraph) -> None:
        self.table, self.gaps, self.w, self.lang, self.explain = table, gaps, w, lang, explain
        self.template = template
        cache: dict[tuple[str, ...], float] = {}
        for segs in set(table.segments):
            cache[segs] = _severity(gaps, segs, n_anchors)[0]
        max_peers = max(table.peers, default=0)
        max_ties = max(table.ties, default=0)
        logs = [math.log10(o) for o in table.output if o is not None]
        lo, hi = (min(logs), max(logs)) if logs else (0.0, 0.0)
        # the same expressions as on one candidate, so both paths round alike
        self.columns = {
            "supplies_anchor": [1.0 if x else 0.0 for x in table.supplies_anchor],
            "supplies_peers": [p / max_peers if max_peers else 0.0 for p in table.peers],
            "local_ties": [t / max_ties if max_ties else 0.0 for t in table.ties],
            "gap_severity": [cache[s] for s in table.segments],
            "scale": [(math.log10(o) - lo + 1) / (hi - lo + 1) if o is not None else 0.0 for o in table.output],
            "proximity": [1 / (1 + d / PROXIMITY_KM) if d is not None else 0.0 for d in table.distance],
        }
        wa, wp, wt, wg, ws, wx = (w[k] for k in COMPONENTS)
        total = sum(w.values())
        self.scores = [round((wa * a + wp * p + wt * t + wg * g + ws * s + wx * x) / total, 6)
                       for a, p, t, g, s, x in zip(*(self.columns[k] for k in COMPONENTS))]
        self._chains: dict[tuple[str, ...], tuple[str, ...]] = {}

    def components(self, i: int) -> dict[str, float]:
        return {k: self.columns[k][i] for k in COMPONENTS}

    def chains(self, segs: tuple[str, ...]) -> tuple[str, ...]:
        hit = self._chains.get(segs)
        if hit is None:
            nodes = self.template._node
            hit = tuple(sorted({str(nodes[s]["chain"]) for s in segs if s in nodes and nodes[s].get("chain")}))
            self._chains[segs] = hit
        return hit

    def ranked(self, top: int | None) -> list[_Lazy]:
        """Candidates by score, ties by firm id; the first ``top`` (all when ``None``)."""
        scores, ids = self.scores, self.table.ids

        def key(i: int) -> tuple[float, str]:
            return -scores[i], ids[i]

        order = sorted(range(len(ids)), key=key) if top is None else heapq.nsmallest(top, range(len(ids)), key=key)
        return [_Lazy(self, i, rank) for rank, i in enumerate(order, 1)]

    def build(self, lazies: Sequence[_Lazy], into: nx.MultiDiGraph | None = None) -> list[Target]:
        """The targets of ``lazies``, with names and reasons, from one look at their neighbourhoods.

        Their firm nodes are copied into ``into`` where it lacks them.
        """
        if not lazies:
            return []
        idx, raw = self.explain([t.id for t in lazies])
        if into is not None:
            for t in lazies:
                if t.id not in into:
                    into.add_node(t.id, **idx.G.nodes[t.id])
        return [_target(idx, self.gaps, t.rank, t.score, raw[t.id], self.components(t.i), self.w, self.lang)
                for t in lazies]


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
) -> tuple[_Ranking, _Gaps]:
    """Score every candidate: counted by ``source`` when given, else read from ``idx.G``."""
    w = _checked(weights or {}, "weights")
    anchors = list(dict.fromkeys(anchors))
    gaps = _collect_gaps(idx, anchors, depth=depth, threshold=threshold, chain=chain)
    if tie_firms is None:
        tie_firms = idx.local_firms
    if source is None:
        raw = _raw_from_graph(idx, gaps, anchors, exclude=exclude, min_output=min_output, tie_firms=tie_firms)
        by_id = {r["id"]: r for r in raw}
        return _Ranking(_table(raw), gaps, len(anchors), w, lang, lambda ids: (idx, by_id), idx.G), gaps

    extra = sorted(idx.local_extra)
    table = source.candidates(anchors=anchors, gaps={s: sorted(a) for s, a in gaps.by_segment.items()},
                              region=idx.region, exclude=set(exclude) | set(extra), min_output=min_output)
    src = source

    def explain(ids: Sequence[str]) -> tuple[_Index, dict[str, dict[str, Any]]]:
        H = src.neighbourhood(ids, also=anchors + extra)
        home = _Index(H, idx.region)
        near = home.with_local(extra) if extra else home
        raw = _raw_from_graph(near, gaps, anchors, exclude=exclude, min_output=min_output, only=ids,
                              tie_firms=home.local_firms)
        return near, {r["id"]: r for r in raw}

    return _Ranking(table, gaps, len(anchors), w, lang, explain, idx.G), gaps


def _target(idx: _Index, gaps: _Gaps, rank: int, score: float, r: dict[str, Any], comp: dict[str, float],
            w: Mapping[str, float], lang: Lang) -> Target:
    G = idx.G
    nodes = G.nodes
    f = r["id"]
    d = nodes[f]

    def name(n: str) -> str:
        return display_name(nodes[n], lang) if n in G else n

    segments = []
    for s in r["segs"]:
        sharing = gaps.by_segment[s]
        st, dr = max(((st, dr) for st, dr, _ in sharing.values()), key=lambda p: GAP_BASE[p])
        sd = nodes[s] if s in G else {}
        segments.append(TargetSegment(s, str(sd.get("name") or ""), str(sd.get("name_en") or ""),
                                      sd.get("chain"), st, dr, tuple(sorted(sharing))))
    reasons = []
    for k in COMPONENTS:
        if comp[k] <= 0 or w[k] <= 0:
            continue
        if k == "supplies_anchor":
            parts = []
            for a in sorted(r["supplied"]):
                segs = r["supplied"][a] or r["segs"]  # an unkeyed link: name the gap segments it makes
                parts.append(text("reason.supplies_anchor", lang, anchor=name(a),
                                  segment=join([name(s) for s in segs], lang)))
            reasons.append("; ".join(parts) if lang == "en" else "；".join(parts))
        elif k == "supplies_peers":
            peer = min(r["peers"])
            own = [s for s in nodes[peer].get("segments") or ()
                   if any(s in (nodes[a].get("segments") or ()) for a in r["anchors"])]
            reasons.append(text("reason.supplies_peers", lang, n=len(r["peers"]),
                                segment=name(own[0]) if own else "", example=name(peer)))
        elif k == "local_ties":
            reasons.append(text("reason.local_ties", lang, n=len(r["ties"]), example=name(min(r["ties"]))))
        elif k == "gap_severity":
            s = r["sev_segment"]
            sharing = gaps.by_segment[s]
            st, dr = max(((st, dr) for st, dr, _ in sharing.values()), key=lambda p: GAP_BASE[p])
            who = [a for a in sorted(sharing) if sharing[a][:2] == (st, dr)]
            reasons.append(text(f"reason.gap.{st}.{dr}", lang, anchor=join([name(a) for a in who], lang),
                                segment=name(s)))
        elif k == "scale":
            key = "reason.scale.big" if r["output"] >= BIG_PROJECT else "reason.scale"
            currency = str(G.graph.get("currency") or "CNY")
            reasons.append(text(key, lang, value=format_money(r["output"], lang, currency)))
        elif k == "proximity":
            reasons.append(text("reason.proximity", lang, anchor=name(r["near"]), km=round(r["dist"])))
    rd = nodes[d["region"]] if d.get("region") in G else {}
    ov = d.get("output_value")
    firm = TargetFirm(f, str(d.get("name") or ""), str(d.get("name_en") or ""), d.get("region"),
                      None if ov is None else float(ov), d.get("credit_code"), d.get("source"),
                      str(rd.get("name") or ""), str(rd.get("name_en") or ""),
                      tuple(extra.items()) if isinstance(extra := d.get("extra"), dict) else ())
    return Target(rank, firm, tuple(segments), tuple(idx.ref(a) for a in r["anchors"]), score,
                  comp, tuple(reasons))


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
    ('already supplies separator to Lanjun', 'fills the missing upstream separator link of Lanjun')
    """
    idx = _Index(G, region)
    ranking = _rank(idx, anchors, depth=depth, weights=weights, chain=chain, min_output=min_output, lang=lang,
                    threshold=threshold, source=source, exclude=exclude)[0]
    return ranking.build(ranking.ranked(top))
