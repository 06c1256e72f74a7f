"""Recruitment plans: a portfolio of targets under a budget and per-chain quotas.

Plan
----
:func:`plan_targets` picks ``budget`` targets greedily. Each gap ``g`` (an
anchor and a segment) has weight ``w_g = base * segment weight`` (the FEEDS
weight used for completeness).

fit
    How well a firm serves a segment ``s``, in [:data:`FIT_FLOOR`, 1]: the largest of
    the confidence of its surest SUPPLIES link to an anchor with a gap in ``s``
    (the link's segment is ``s``, or it has none), its ``supplies_peers``
    component (serving the anchors' peers), and :data:`FIT_FLOOR` for merely
    listing ``s``.

The picks making ``g``'s segment, sorted by their fit for it, best first,
are worth ``w_g * (fit_1 + 0.5 * fit_2 + 0.25 * fit_3 + ...)``
(:func:`segment_value`): with fits of 1 a first pick adds ``w_g``, a second
``w_g / 2``; a firm that merely lists the segment adds a quarter of that. A
pick's gain is what it adds to the sum over gaps. Each term is the value of
the best assignment of picks to the places 1, 0.5, 0.25, ..., a submodular
function of the set of picks, so the objective is submodular and greedy
picking is within ``1 - 1/e`` of the best portfolio. Ties go to the higher
score, then the smaller id. Per-chain quotas are minimums: once the slots
left equal the picks still owed, only firms in chains that are owed picks are
eligible.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from chaingraph.analyses.gaps import FirmRef, GapReport, GapSummary, _gaps_indexed, _Index
from chaingraph.analyses.targets import (
    DIMINISHING,
    GAP_BASE,
    Target,
    _Gaps,
    _Lazy,
    _rank,
    _Ranking,
    _supplied_anchors,
)
from chaingraph.errors import ChainGraphError
from chaingraph.model import CONFIRMED, CandidateSource, Lang

__all__ = ["PlanPick", "Plan", "plan_targets", "FIT_FLOOR", "segment_value"]

#: The fit of a firm that lists a segment without evidence of serving its anchors or their peers.
FIT_FLOOR = 0.25


@dataclass(frozen=True)
class PlanPick:
    """One pick of a plan: the target and the gap weight it adds (``gain``)."""

    order: int
    target: Target
    gain: float
    chains: tuple[str, ...]
    #: its fit for each of its gap segments (module docstring)
    fit: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"order": self.order, "gain": round(self.gain, 4), "chains": list(self.chains),
                "fit": {k: round(v, 4) for k, v in self.fit.items()}, **self.target.to_dict()}


@dataclass(frozen=True)
class Plan:
    """A portfolio of targets and what it does to each anchor's summary.

    ``before`` is each anchor's summary as things are; ``after`` as if the
    what-if firms and every pick were local. ``unmet_quotas`` maps a chain to
    the number of picks its quota is short (too few candidates).
    """

    region: dict[str, str]
    budget: int
    quotas: dict[str, int]
    picks: tuple[PlanPick, ...]
    objective: float
    gap_weight: float
    before: dict[str, GapSummary]
    after: dict[str, GapSummary]
    what_if: tuple[FirmRef, ...] = ()
    unmet_quotas: dict[str, int] = field(default_factory=dict)
    anchors: tuple[FirmRef, ...] = ()
    #: names of the chains the picks and quotas refer to (id to ``{"name", "name_en"}``), for people to read
    chain_refs: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": dict(self.region),
            "budget": self.budget,
            "quotas": dict(self.quotas),
            "objective": round(self.objective, 4),
            "gap_weight": round(self.gap_weight, 4),
            "picks": [p.to_dict() for p in self.picks],
            "what_if": [f.to_dict() for f in self.what_if],
            "anchors": [
                {**a.to_dict(), "before": self.before[a.id].to_dict(), "after": self.after[a.id].to_dict()}
                for a in self.anchors
            ],
            "unmet_quotas": dict(self.unmet_quotas),
        }


def _checked_quotas(budget: int, quotas: Mapping[str, int] | None) -> dict[str, int]:
    if budget < 0:
        raise ChainGraphError(key="error.budget", budget=budget)
    checked = {c: int(k) for c, k in (quotas or {}).items()}
    if sum(checked.values()) > budget:
        raise ChainGraphError(key="error.quotas_over_budget", total=sum(checked.values()), budget=budget)
    return checked


def segment_value(fits: Sequence[float]) -> float:
    """What picks of these fits for one segment are worth, per unit of gap weight: best first, each
    worth :data:`~chaingraph.analyses.targets.DIMINISHING` times less than the one before.

    Examples
    --------
    >>> segment_value([1.0]), segment_value([1.0, 1.0]), segment_value([0.25, 0.9])
    (1.0, 1.5, 1.025)
    """
    return sum(f * DIMINISHING ** k for k, f in enumerate(sorted(fits, reverse=True)))


_Fit = dict[str, float]


class _Group:
    """The candidates of one group (see :func:`_fits`), in the order they can be picked: only the
    first left is ever looked at, so its :class:`_Lazy` and fit are made when it comes up."""

    __slots__ = ("members", "pos", "make", "_head")

    def __init__(self, members: Sequence[int], make: Callable[[int], tuple[_Lazy, _Fit]]) -> None:
        self.members, self.pos, self.make = members, 0, make
        self._head: tuple[_Lazy, _Fit] | None = None

    def __len__(self) -> int:
        return len(self.members) - self.pos

    def head(self) -> tuple[_Lazy, _Fit]:
        """The member that can be picked next, with its fit."""
        if self._head is None:
            self._head = self.make(self.members[self.pos])
        return self._head

    def pop(self) -> tuple[_Lazy, _Fit]:
        """Take the head out of the group."""
        out = self.head()
        self.pos, self._head = self.pos + 1, None
        return out


def _fits(ranking: _Ranking, gaps: _Gaps, idx: _Index,
          anchors: Collection[str]) -> tuple[dict[tuple[Any, ...], _Group], int]:
    """The candidates in groups of which only the best left can be picked next, and the number of
    those that supply an anchor.

    A candidate that supplies no anchor fits all its segments alike (its peers' evidence or the
    floor, module docstring), so among those making the same segments the larger fit, then score,
    then smaller id wins: numpy orders each group once, over the whole table. The few that supply an
    anchor have fits of their own, read from their links to the anchors in ``idx.G``, and a group
    each.
    """
    table, columns = ranking.table, ranking.arrays
    n = len(table)
    rank = np.empty(n, dtype=np.int64)
    rank[ranking.order(None)] = np.arange(1, n + 1)
    uniform = np.maximum(columns["supplies_peers"], FIT_FLOOR).tolist()
    supplies = columns["supplies_anchor"] > 0

    def make(i: int) -> tuple[_Lazy, _Fit]:
        t = _Lazy(ranking, i, int(rank[i]))
        fit = {s: uniform[i] for s in t.segments}
        if supplies[i]:
            for a, links in _supplied_anchors(idx, t.id, anchors).items():
                for s in t.segments:
                    if a in gaps.by_segment[s]:
                        fit[s] = max([fit[s], *(c for sg, c, _ in links if sg in (s, ""))])
        return t, fit

    groups: dict[tuple[Any, ...], _Group] = {}
    suppliers = np.flatnonzero(supplies)
    for i in suppliers.tolist():
        groups[(table.segments[i], table.ids[i])] = _Group([i], make)
    signature: dict[tuple[str, ...], int] = {}
    sig = np.array([signature.setdefault(segs, len(signature)) for segs in table.segments], dtype=np.int64)
    others = np.flatnonzero(~supplies)
    if len(others):
        id_rank = np.empty(n, dtype=np.int64)
        id_rank[np.argsort(np.array(table.ids), kind="stable")] = np.arange(n)
        scores = ranking._scores
        u = np.asarray(uniform, dtype=np.float64)
        # by group, then larger fit, larger score, smaller id: the order the group is picked in
        ordered = others[np.lexsort((id_rank[others], -scores[others], -u[others], sig[others]))]
        cuts = np.flatnonzero(np.diff(sig[ordered])) + 1
        for members in np.split(ordered, cuts):
            first = int(members[0])
            groups[table.segments[first]] = _Group(members.tolist(), make)
    return groups, len(suppliers)


def _greedy(ranking: _Ranking, gaps: _Gaps, gap_w: Mapping[str, float], quotas: Mapping[str, int],
            budget: int, idx: _Index,
            anchors: Collection[str]) -> tuple[list[tuple[_Lazy, float, _Fit]], float, dict[str, int]]:
    """The greedy picks with their gains and fits, the objective and the quotas left unmet (module
    docstring)."""
    groups = _fits(ranking, gaps, idx, anchors)[0]
    picked: dict[str, list[float]] = {}
    owed = {c: k for c, k in quotas.items() if k > 0}
    unmet: dict[str, int] = {}
    chosen: list[tuple[_Lazy, float, _Fit]] = []
    objective = 0.0
    while len(chosen) < budget and groups:
        restrict = bool(owed) and sum(owed.values()) >= budget - len(chosen)
        best: tuple[float, float, str] | None = None
        best_group: tuple[Any, ...] = ()
        for g, members in groups.items():
            t, fit = members.head()
            if restrict and owed.keys().isdisjoint(t.chains):
                continue
            gain = sum(gap_w[s] * (segment_value([*picked.get(s, ()), f]) - segment_value(picked.get(s, ())))
                       for s, f in fit.items())
            key = (-gain, -t.score, t.id)
            if best is None or key < best:
                best, best_group = key, g
        if best is None:
            # no candidate left in the chains still owed: those quotas cannot be met,
            # so the remaining slots go to the best of the rest
            unmet.update(owed)
            owed = {}
            continue
        t, fit = groups[best_group].pop()
        if not groups[best_group]:
            del groups[best_group]
        for s, f in fit.items():
            picked.setdefault(s, []).append(f)
        for c in t.chains:
            if c in owed:
                owed[c] -= 1
                if owed[c] <= 0:
                    del owed[c]
        objective += -best[0]
        chosen.append((t, -best[0], fit))
    unmet.update(owed)
    return chosen, objective, unmet


def plan_targets(
    G: nx.MultiDiGraph,
    anchors: Sequence[str],
    *,
    region: str,
    budget: int,
    quotas: Mapping[str, int] | None = None,
    depth: int = 2,
    threshold: float = 0.5,
    weights: Mapping[str, float] | None = None,
    what_if: Sequence[str] = (),
    lang: Lang = "zh",
    source: CandidateSource | None = None,
    exclude: Collection[str] = (),
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
    gap_reports: Mapping[str, GapReport] | None = None,
    gaps_with: Callable[[Sequence[str]], Mapping[str, GapReport]] | None = None,
) -> Plan:
    """A portfolio of ``budget`` targets that closes the most gap weight.

    Parameters
    ----------
    G
        As for :func:`rank_targets`.
    anchors
        Ids of the anchor firms.
    region
        Id of the home region.
    budget
        Number of targets to pick.
    quotas
        Chain id to the least number of picks in that chain (a pick counts for
        every chain of its gap segments).
    depth, threshold, weights, lang
        As for :func:`rank_targets`.
    what_if
        Firms taken as already local: their gaps are closed before planning
        and they are never picked. They must be nodes of ``G``.
    source
        As for :func:`rank_targets`; the picks' nodes are then added to ``G``
        where missing, for the summaries after.
    exclude
        Firms never picked (e.g. those with a live project in the pipeline).
    min_confidence, confirmed
        As for :func:`rank_targets`.
    gap_reports
        The anchors' gap reports on ``G`` with the same options (anchor id -> report, as
        :func:`~chaingraph.analyses.gaps.find_region_gaps` gives them), when the caller has them:
        they are not computed again.
    gaps_with
        The anchors' gap reports with some firms counted as local (the what-if firms, then those
        and the picks), as a store's gap tables give them
        (:func:`~chaingraph.analyses.gaps.local_gaps_from_table`). With it, ``G`` needs to hold
        only the template, the anchors with their groups and their suppliers' links to them, not
        every local firm; without it, the reports are computed on ``G``.

    Returns
    -------
    plan
        The picks in order with their gains, the objective (gap weight closed,
        see the module docstring) and each anchor's summary before and after.

    Raises
    ------
    ChainGraphError
        If the quotas add up to more than the budget, or the budget is negative.

    Examples
    --------
    Two separator makers and one electrolyte maker elsewhere; with a budget of
    2 the plan takes one of each rather than both separator makers. Each
    segment then has one local maker: no longer missing, but still weak.

    >>> from chaingraph.model import new_graph
    >>> G = new_graph()
    >>> G.add_node("cty", kind="region", name="County")
    >>> G.add_node("far", kind="region", name="Elsewhere")
    >>> for s in ("sep", "ely", "cell"):
    ...     G.add_node(s, kind="segment", name=s, chain="li")
    >>> _ = G.add_edge("sep", "cell", rel="FEEDS")
    >>> _ = G.add_edge("ely", "cell", rel="FEEDS")
    >>> G.add_node("A", kind="firm", name="A", region="cty", segments=("cell",))
    >>> G.add_node("X", kind="firm", name="X", region="far", segments=("sep",), output_value=9e9)
    >>> G.add_node("Y", kind="firm", name="Y", region="far", segments=("sep",), output_value=8e9)
    >>> G.add_node("Z", kind="firm", name="Z", region="far", segments=("ely",), output_value=1e8)
    >>> p = plan_targets(G, ["A"], region="cty", budget=2)
    >>> # sep and ely share cell's inputs: 0.5 each; none of them serves A or its peers: fit 0.25
    >>> [(pk.target.firm.id, pk.gain, pk.fit) for pk in p.picks]
    [('X', 0.125, {'sep': 0.25}), ('Z', 0.125, {'ely': 0.25})]
    >>> (p.before["A"].missing, p.before["A"].weak), (p.after["A"].missing, p.after["A"].weak)
    ((2, 0), (0, 2))
    """
    quotas = _checked_quotas(budget, quotas)
    base_idx = _Index(G, region, min_confidence=min_confidence, confirmed=confirmed)
    anchors = list(dict.fromkeys(anchors))

    def local_gaps(local: Sequence[str]) -> Mapping[str, GapReport]:
        """The anchors' reports with the firms ``local`` counted as local."""
        if gaps_with is not None:
            return gaps_with(local)
        counted = base_idx.with_local(local) if local else base_idx
        return {a: _gaps_indexed(counted, a, depth=depth, threshold=threshold, what_if=()) for a in anchors}

    if gap_reports is None or any(a not in gap_reports or gap_reports[a].depth != depth for a in anchors):
        gap_reports = local_gaps(())
    before = {a: gap_reports[a].summary for a in anchors}
    idx = base_idx.with_local(what_if) if what_if else base_idx
    # without what-if firms the ranking's gaps are those before
    ranking, gaps = _rank(idx, anchors, depth=depth, weights=weights, chain=None, min_output=None, lang=lang,
                          threshold=threshold, exclude=[*what_if, *exclude], source=source,
                          tie_firms=base_idx.local_firms, reports=local_gaps(what_if) if what_if else gap_reports)
    gap_w = {s: sum(GAP_BASE[(st, dr)] * sw for st, dr, sw in sharing.values())
             for s, sharing in gaps.by_segment.items()}
    chosen, objective, unmet = _greedy(ranking, gaps, gap_w, quotas, budget, idx, set(anchors))
    built = ranking.build([t for t, _, _ in chosen], into=G)
    picks = [PlanPick(order, target, gain, t.chains, fit)
             for order, ((t, gain, fit), target) in enumerate(zip(chosen, built), 1)]
    after_reports = local_gaps(list(what_if) + [p.target.firm.id for p in picks])
    after = {a: after_reports[a].summary for a in anchors}
    return Plan(
        region=base_idx.region_ref(), budget=budget, quotas=quotas, picks=tuple(picks), objective=objective,
        gap_weight=sum(gap_w.values()), before=before, after=after,
        what_if=tuple(base_idx.ref(f) for f in dict.fromkeys(what_if)), unmet_quotas=unmet,
        anchors=tuple(base_idx.ref(a) for a in anchors),
    )
