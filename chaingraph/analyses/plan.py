"""Recruitment plans: a portfolio of targets under a budget and per-chain quotas.

Plan
----
:func:`plan_targets` picks ``budget`` targets greedily. Each gap ``g`` (an
anchor and a segment) has weight ``w_g = base * segment weight`` (the FEEDS
weight used for completeness). The k-th pick (k = 1, 2, ...) that makes
``g``'s segment adds ``w_g * 0.5 ** (k - 1)``: the objective is a weighted
sum of concave functions of coverage counts, hence submodular, and greedy
picking is within ``1 - 1/e`` of the best portfolio. Ties go to the higher
score, then the smaller id. Per-chain quotas are minimums: once the slots
left equal the picks still owed, only firms in chains that are owed picks are
eligible.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from chaingraph.analyses.gaps import FirmRef, GapSummary, _gaps_indexed, _Index
from chaingraph.analyses.targets import (
    DIMINISHING,
    GAP_BASE,
    Target,
    _Lazy,
    _rank,
    _Ranking,
)
from chaingraph.errors import ChainGraphError
from chaingraph.model import CONFIRMED, CandidateSource, Lang

__all__ = ["PlanPick", "Plan", "plan_targets"]


@dataclass(frozen=True)
class PlanPick:
    """One pick of a plan: the target and the gap weight it adds (``gain``)."""

    order: int
    target: Target
    gain: float
    chains: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"order": self.order, "gain": round(self.gain, 4), "chains": list(self.chains),
                **self.target.to_dict()}


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
        msg = f"budget is {budget}; give a number of targets >= 0"
        raise ChainGraphError(msg, key="error.budget", budget=budget)
    checked = {c: int(k) for c, k in (quotas or {}).items()}
    if sum(checked.values()) > budget:
        msg = (f"the quotas add up to {sum(checked.values())}, more than the budget of {budget}; "
               "raise --budget or lower a --quota")
        raise ChainGraphError(msg, key="error.quotas_over_budget", total=sum(checked.values()), budget=budget)
    return checked


def _greedy(ranking: _Ranking, gap_w: Mapping[str, float], quotas: Mapping[str, int],
            budget: int) -> tuple[list[tuple[_Lazy, float]], float, dict[str, int]]:
    """The greedy picks with their gains, the objective and the quotas left unmet (module docstring)."""
    # Candidates making the same gap segments gain alike, so only the best left
    # of each such group (by score, then id) can be the next pick.
    groups: dict[tuple[str, ...], list[_Lazy]] = {}
    for t in reversed(ranking.ranked(None)):
        groups.setdefault(t.segments, []).append(t)  # best last, so picking pops
    count: dict[str, int] = {}
    owed = {c: k for c, k in quotas.items() if k > 0}
    unmet: dict[str, int] = {}
    chosen: list[tuple[_Lazy, float]] = []
    objective = 0.0
    while len(chosen) < budget and groups:
        restrict = bool(owed) and sum(owed.values()) >= budget - len(chosen)
        best: tuple[float, float, str] | None = None
        best_group: tuple[str, ...] = ()
        for segs, members in groups.items():
            t = members[-1]
            if restrict and owed.keys().isdisjoint(t.chains):
                continue
            gain = sum(gap_w[s] * DIMINISHING ** count.get(s, 0) for s in segs)
            key = (-gain, -t.score, t.id)
            if best is None or key < best:
                best, best_group = key, segs
        if best is None:
            # no candidate left in the chains still owed: those quotas cannot be met,
            # so the remaining slots go to the best of the rest
            unmet.update(owed)
            owed = {}
            continue
        t = groups[best_group].pop()
        if not groups[best_group]:
            del groups[best_group]
        for s in t.segments:
            count[s] = count.get(s, 0) + 1
        for c in t.chains:
            if c in owed:
                owed[c] -= 1
                if owed[c] <= 0:
                    del owed[c]
        objective += -best[0]
        chosen.append((t, -best[0]))
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
    >>> [(pk.target.firm.id, pk.gain) for pk in p.picks]  # sep and ely share cell's inputs: 0.5 each
    [('X', 0.5), ('Z', 0.5)]
    >>> (p.before["A"].missing, p.before["A"].weak), (p.after["A"].missing, p.after["A"].weak)
    ((2, 0), (0, 2))
    """
    quotas = _checked_quotas(budget, quotas)
    base_idx = _Index(G, region, min_confidence=min_confidence, confirmed=confirmed)
    anchors = list(dict.fromkeys(anchors))
    before = {a: _gaps_indexed(base_idx, a, depth=depth, threshold=threshold, what_if=()).summary
              for a in anchors}
    idx = base_idx.with_local(what_if) if what_if else base_idx
    ranking, gaps = _rank(idx, anchors, depth=depth, weights=weights, chain=None, min_output=None, lang=lang,
                          threshold=threshold, exclude=[*what_if, *exclude], source=source,
                          tie_firms=base_idx.local_firms)
    gap_w = {s: sum(GAP_BASE[(st, dr)] * sw for st, dr, sw in sharing.values())
             for s, sharing in gaps.by_segment.items()}
    chosen, objective, unmet = _greedy(ranking, gap_w, quotas, budget)
    built = ranking.build([t for t, _ in chosen], into=G)
    picks = [PlanPick(order, target, gain, t.chains)
             for order, ((t, gain), target) in enumerate(zip(chosen, built), 1)]
    local_after = list(what_if) + [p.target.firm.id for p in picks]
    after_idx = base_idx.with_local(local_after)
    after = {a: _gaps_indexed(after_idx, a, depth=depth, threshold=threshold, what_if=()).summary
             for a in anchors}
    return Plan(
        region=base_idx.region_ref(), budget=budget, quotas=quotas, picks=tuple(picks), objective=objective,
        gap_weight=sum(gap_w.values()), before=before, after=after,
        what_if=tuple(base_idx.ref(f) for f in dict.fromkeys(what_if)), unmet_quotas=unmet,
        anchors=tuple(base_idx.ref(a) for a in anchors),
    )
