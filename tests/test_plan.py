"""The greedy portfolio on a hand-built graph.

Anchor A makes cell in R. Gaps: sep (chain li, FEEDS weight 1.0) and chip (chain dg, FEEDS weight 0.2), both missing
upstream (base 1.0). Candidates elsewhere: S1, S2 (sep) and C1 (chip), all alike, so ties go to the smaller id.
Gap weights: sep 1.0, chip 0.2. None of the candidates serves A or a peer, so each fits its segment by the
floor, 0.25: the k-th pick in a segment adds 0.25 times its weight times 0.5 ** (k - 1)
(S1 0.25, S2 0.125, C1 0.05).
"""
from __future__ import annotations

import pytest
from conftest import add_firm

from chaingraph.errors import ChainGraphError
from chaingraph.model import new_graph
from chaingraph.analyses.plan import plan_targets


@pytest.fixture
def G():
    G = new_graph()
    G.add_node("R", kind="region", name="R")
    G.add_node("F", kind="region", name="F")
    for c in ("li", "dg"):
        G.add_node(c, kind="chain", name=c)
    for s, c in [("sep", "li"), ("chip", "dg"), ("cell", "li")]:
        G.add_node(s, kind="segment", name=s, chain=c, stage="midstream")
    G.add_edge("sep", "cell", rel="FEEDS", weight=1.0)
    G.add_edge("chip", "cell", rel="FEEDS", weight=0.2)
    add_firm(G, "A", "R", ["cell"])
    for f, s in [("S1", "sep"), ("S2", "sep"), ("C1", "chip")]:
        add_firm(G, f, "F", [s])
    return G


def picks(plan):
    return [(p.target.firm.id, round(p.gain, 6)) for p in plan.picks]


def test_diminishing_returns(G):
    p = plan_targets(G, ["A"], region="R", budget=2)
    # S1 0.25 (ties S2, smaller id); then S2 only adds 0.125, C1 0.05
    assert picks(p) == [("S1", 0.25), ("S2", 0.125)]
    assert p.objective == pytest.approx(0.375)
    assert p.gap_weight == pytest.approx(1.2)
    p = plan_targets(G, ["A"], region="R", budget=3)
    assert picks(p) == [("S1", 0.25), ("S2", 0.125), ("C1", 0.05)]


def test_quota_forces_a_chain(G):
    p = plan_targets(G, ["A"], region="R", budget=2, quotas={"dg": 1})
    # one slot left and one dg pick owed: only dg firms are eligible for it
    assert picks(p) == [("S1", 0.25), ("C1", 0.05)]
    assert p.unmet_quotas == {}
    assert [pk.chains for pk in p.picks] == [("li",), ("dg",)]


def test_unmet_quota_is_reported_and_slot_reused(G):
    p = plan_targets(G, ["A"], region="R", budget=3, quotas={"dg": 2})
    assert picks(p) == [("S1", 0.25), ("C1", 0.05), ("S2", 0.125)]
    assert p.unmet_quotas == {"dg": 1}


def test_quotas_over_budget(G):
    with pytest.raises(ChainGraphError, match="more than the budget of 1"):
        plan_targets(G, ["A"], region="R", budget=1, quotas={"dg": 1, "li": 1})


def test_before_after_and_what_if(G):
    p = plan_targets(G, ["A"], region="R", budget=1, what_if=["S1"])
    # S1 already local: sep is weak (one local firm, base 0.5 -> weight 0.5) and S1 is not a candidate;
    # S2 adds 0.25 * 0.5 = 0.125, C1 0.05
    assert picks(p) == [("S2", 0.125)]
    before, after = p.before["A"], p.after["A"]
    assert (before.covered, before.weak, before.missing) == (0, 0, 2)  # the own segment is not counted
    # after: S1 and S2 local -> sep covered (two local firms); chip still missing
    assert (after.covered, after.weak, after.missing) == (1, 0, 1)
    # weights sep 1.0, chip 0.2 (the own cell is not counted)
    assert before.completeness == pytest.approx(0 / 1.2)
    assert after.completeness == pytest.approx(1 / 1.2)
    d = p.to_dict()
    assert [f["id"] for f in d["what_if"]] == ["S1"]
    assert d["anchors"][0]["id"] == "A" and d["anchors"][0]["after"]["covered"] == 1


def test_budget_zero_and_more_than_candidates(G):
    assert plan_targets(G, ["A"], region="R", budget=0).picks == ()
    assert len(plan_targets(G, ["A"], region="R", budget=10).picks) == 3


def test_fit_beats_listing_many_segments(G):
    """The Samsung case in small (docs/analysis.md): W lists sep and chip and serves nobody; S3 makes sep
    and supplies A sep at confidence 0.9. Without fit W would gain 1.0 + 0.2 = 1.2 against S3's 1.0.
    With fit, W gains 0.25 * (1.0 + 0.2) = 0.3 and S3 0.9 * 1.0 = 0.9: S3 first. Then S1 (sep, second
    pick there) adds 0.25 * 0.5 * 1.0 = 0.125 and W 0.5 * 0.25 * 1.0 + 0.25 * 0.2 = 0.175: W second."""
    add_firm(G, "W", "F", ["sep", "chip"])
    add_firm(G, "S3", "F", ["sep"])
    G.add_edge("S3", "A", key="sep", rel="SUPPLIES", segment="sep", confidence=0.9, evidence="reported")
    p = plan_targets(G, ["A"], region="R", budget=2)
    assert picks(p) == [("S3", 0.9), ("W", 0.175)]
    assert [pk.fit for pk in p.picks] == [{"sep": 0.9}, {"chip": 0.25, "sep": 0.25}]
