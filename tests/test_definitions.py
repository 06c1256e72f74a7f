"""Definitions made honest (issue 12, item 4): FEEDS weights, own segments, anchors without segments,
one local-firm rule.

FEEDS repro, worked by hand. Segments x, y, z, q (chain c); FEEDS x→y 0.7, y→z (no weight), z→x 0.2,
q→y 0.4; the anchor A makes x; depth 3. Upstream of x: z at 1 (z→x), y at 2, q at 3 (q→y→z→x);
downstream: y at 1 (x→y). y keeps the shorter, downstream 1. q's next step towards x is y, whose merged
label is downstream: q must still weigh 0.4 (its edge q→y), not fall back to 1. z weighs 0.2 (z→x), y 0.7
(x→y; y's inputs are x 0.7 and q 0.4). With two local firms making z (covered) and none elsewhere:
completeness = 0.2 / (0.2 + 0.7 + 0.4) = 0.2 / 1.3; x, the own segment, is listed but not counted.
"""
from __future__ import annotations

import pytest

from chaingraph import jobs
from chaingraph.analyses.gaps import feeds_weights, find_gaps, find_region_gaps
from chaingraph.model import new_graph
from chaingraph.stores.memory import MemoryStore


def _repro():
    G = new_graph()
    G.add_node("R", kind="region", name="R")
    G.add_node("c", kind="chain", name="c")
    for s in "xyzq":
        G.add_node(s, kind="segment", name=s, chain="c", stage="midstream")
        G.add_edge(s, "c", key="PART_OF", rel="PART_OF")
    for u, v, w in [("x", "y", 0.7), ("y", "z", None), ("z", "x", 0.2), ("q", "y", 0.4)]:
        G.add_edge(u, v, key="FEEDS", rel="FEEDS", weight=w)
    G.add_node("A", kind="firm", name="A", region="R", segments=("x",))
    for f in ("Z1", "Z2"):
        G.add_node(f, kind="firm", name=f, region="R", segments=("z",))
    return G


def test_weight_survives_a_change_of_direction():
    r = find_gaps(_repro(), "A", region="R", depth=3)
    got = {s.id: (s.direction, s.distance, s.weight) for s in r.segments}
    assert got == {"x": ("own", 0, 1.0), "z": ("upstream", 1, 0.2), "y": ("downstream", 1, 0.7),
                   "q": ("upstream", 3, 0.4)}
    assert (r.summary.segments, r.summary.covered) == (3, 1)
    assert r.summary.completeness == pytest.approx(0.2 / 1.3)


def test_unweighted_inputs_share_what_is_left():
    """y→z is z's only input and has no weight: it gets 1 - 0 = 1. Two unweighted inputs beside 0.6 get 0.2
    each; beside given weights summing above 1 they get 0, never below."""
    w = feeds_weights(_repro())
    assert w[("y", "z")] == 1.0
    G = new_graph()
    G.add_edge("a", "t", rel="FEEDS", weight=0.6)
    G.add_edge("b", "t", rel="FEEDS", weight=None)
    G.add_edge("c", "t", rel="FEEDS", weight=None)
    G.add_edge("d", "u", rel="FEEDS", weight=0.8)
    G.add_edge("e", "u", rel="FEEDS", weight=0.7)
    G.add_edge("f", "u", rel="FEEDS", weight=None)
    w = feeds_weights(G)
    assert (w[("b", "t")], w[("c", "t")], w[("f", "u")]) == (pytest.approx(0.2), pytest.approx(0.2), 0.0)


def test_anchor_without_segments_has_no_completeness(make_dataset):
    """An anchor with an empty segments cell: completeness and local supply ratio are null, with a warning
    that says how to fix it (exit 0)."""
    firms = ("id,name,region,segments,anchor\n"
             "lanjun,兰钧新能源,js,cell,true\nold,东方明珠旧,js,,true\n")
    store = MemoryStore.from_dataset(make_dataset(firms_csv=firms, links_csv=None))
    rep = jobs.gap_report(store, anchor="old")
    assert rep["summary"]["completeness"] is None and rep["summary"]["local_supply_ratio"] is None
    assert rep["warnings"] == ["anchor_without_segments"]
    from chaingraph.exports.text import render_gaps

    assert "fill in its segment ids in the segments column" in render_gaps(rep, lang="en")


def test_chain_map_counts_local_firms_as_the_gap_table_does():
    """The anchors are not local firms of their own segments on the chain map either."""
    G = _repro()
    G.nodes["A"]["anchor"] = True
    r = find_region_gaps(G, ["A"], region="R", depth=3)
    counts = {s.id: s.local_firms for c in r.chains for s in c.segments}
    assert counts == {"x": 0, "y": 0, "z": 2, "q": 0}
