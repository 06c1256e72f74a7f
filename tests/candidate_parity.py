"""The reference count of candidates and the cases every push-down must match (tests/test_candidates.py).

The reference is the analysis' own definition: :func:`chaingraph.analyses.targets._raw_from_graph` on the
whole graph, turned into a :class:`~chaingraph.model.CandidateTable` by ``_table``. A push-down is a
store's ``candidates(...)`` (:class:`~chaingraph.model.CandidateSource`): the memory store's numpy count,
the database store's ``candidate_counts`` query. :func:`cases` lists the questions asked of each graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from chaingraph.analyses.gaps import _Index
from chaingraph.analyses.targets import _collect_gaps, _raw_from_graph, _table
from chaingraph.model import CandidateTable

__all__ = ["Case", "cases", "reference", "rows"]


@dataclass
class Case:
    """One question put to the reference and to every push-down."""

    name: str
    anchors: list[str]
    gaps: dict[str, list[str]]
    region: str
    options: dict[str, Any] = field(default_factory=dict)
    #: The reference's answer, as :func:`rows`.
    expected: dict[str, tuple[Any, ...]] = field(default_factory=dict)


def rows(table: CandidateTable) -> dict[str, tuple[Any, ...]]:
    """Each candidate's row, by id; distances rounded to a micrometre (numpy and math may differ in the
    last bit)."""
    return {table.ids[i]: (tuple(table.segments[i]), table.supplies_anchor[i], table.peers[i], table.ties[i],
                           table.output[i], None if table.distance[i] is None else round(table.distance[i], 6))
            for i in range(len(table))}


def _gaps(G: nx.MultiDiGraph, anchors: list[str], region: str) -> dict[str, list[str]]:
    """The gap segments of ``anchors`` as rank_targets finds them (depth 2, threshold 0.5, every chain)."""
    found = _collect_gaps(_Index(G, region), anchors, depth=2, threshold=0.5, chain=None)
    return {s: sorted(a) for s, a in found.by_segment.items()}


def reference(G: nx.MultiDiGraph, case: Case) -> CandidateTable:
    """The candidates of ``case`` counted by the analysis' own networkx pass over the whole graph ``G``."""
    gaps = _collect_gaps(_Index(G, case.region), case.anchors, depth=2, threshold=0.5, chain=None)
    assert {s: sorted(a) for s, a in gaps.by_segment.items()} == case.gaps
    return _table(_raw_from_graph(_Index(G, case.region), gaps, case.anchors, **case.options))


def cases(G: nx.MultiDiGraph, anchors: list[str], region: str, *, singles: int | None = None) -> list[Case]:
    """The cases for the graph ``G`` with anchors ``anchors``.

    Every anchor together and each alone (only the first ``singles`` when given; none when there is one
    anchor), then for each: the first reference candidate excluded, and a floor on output value at the
    median of the candidates' outputs, so that some candidates fall below it and some stay.
    """
    everyone = sorted(anchors)
    groups = [("all", everyone)] + ([(a, [a]) for a in everyone[:singles]] if len(everyone) > 1 else [])
    out = []
    for name, group in groups:
        gaps = _gaps(G, group, region)
        base = Case(name, group, gaps, region)
        base.expected = rows(reference(G, base))
        outputs = sorted(r[4] for r in base.expected.values() if r[4] is not None)
        out.append(base)
        out.append(Case(f"{name}-exclude", group, gaps, region, {"exclude": sorted(base.expected)[:1]}))
        if outputs:
            out.append(Case(f"{name}-min-output", group, gaps, region, {"min_output": outputs[len(outputs) // 2]}))
    for case in out:
        if not case.expected:
            case.expected = rows(reference(G, case))
    return out
