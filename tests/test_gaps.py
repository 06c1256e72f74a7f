"""Gap analysis on small graphs built by hand; every expectation is worked out in the comments."""
from __future__ import annotations

import math

import pytest

from chaingraph.errors import ChainGraphError, UnknownFirmError, UnknownRegionError
from chaingraph.analyses.gaps import find_gaps, find_region_gaps, local_share
from conftest import add_firm, build, supply  # noqa: F401

from chaingraph.model import new_graph, validate_graph

@pytest.fixture
def G():
    return build()


def rows(report):
    return {s.id: s for s in report.segments}


def test_fixture_is_a_valid_model_graph(G):
    validate_graph(G)


def test_every_status_and_action(G):
    r = find_gaps(G, "A", region="js")
    got = {s.id: (s.direction, s.distance, s.status, s.action) for s in r.segments}
    assert got == {
        "cell": ("own", 0, "covered", None),
        "cathode": ("upstream", 1, "covered", None),       # 2 local firms, local share 2/3
        "anode": ("upstream", 1, "weak", "strengthen"),    # one local firm (L3)
        "separator": ("upstream", 1, "missing", "fill"),
        "ore": ("upstream", 2, "missing", "fill"),
        "pack": ("downstream", 1, "covered", None),        # L4
        "ev": ("downstream", 2, "missing", "extend"),
    }
    # own first, then upstream and downstream by distance, then id
    assert [s.id for s in r.segments] == ["cell", "anode", "cathode", "separator", "ore", "pack", "ev"]
    assert r.missing == ("separator", "ore", "ev")


def test_weak_by_local_share_below_threshold(G):
    # cathode: links L1 (30), L2 (no value), E1 (50) -> by count 2/3 = 0.667
    r = rows(find_gaps(G, "A", region="js", threshold=0.7))
    assert r["cathode"].local_share == pytest.approx(2 / 3)
    assert (r["cathode"].status, r["cathode"].action) == ("weak", "strengthen")
    # by value once every link has one: 30 + 20 local of 100
    G.edges["L2", "A", "cathode"]["value"] = 20.0
    r = rows(find_gaps(G, "A", region="js"))
    assert r["cathode"].local_share == pytest.approx(0.5)
    assert r["cathode"].status == "covered"               # 0.5 is not below 0.5
    G.edges["L2", "A", "cathode"]["value"] = 10.0
    assert rows(find_gaps(G, "A", region="js"))["cathode"].status == "weak"   # 40/90 < 0.5


def test_suppliers_local_firms_and_single_source(G):
    r = rows(find_gaps(G, "A", region="js"))
    cat = r["cathode"]
    assert [f.id for f in cat.local_firms] == ["L1", "L2"]
    assert [f.id for f in cat.suppliers_local] == ["L1", "L2"]
    assert [f.id for f in cat.suppliers_external] == ["E1"]
    assert cat.single_source is False
    # E2 is in two segments and its link has no segment: it is the sole supplier of both
    for s in ("anode", "separator"):
        assert [f.id for f in r[s].suppliers_external] == ["E2"]
        assert r[s].local_share == 0.0
        assert r[s].single_source is True
    assert r["ore"].local_share is None and r["ore"].single_source is False
    # the anchor is not a local firm of its own segment
    assert r["cell"].local_firms == ()


def test_keyed_link_counts_only_for_its_segment(G):
    G.remove_edge("E2", "A", "")
    supply(G, "E2", "A", "separator", 10.0)
    r = rows(find_gaps(G, "A", region="js"))
    assert [f.id for f in r["separator"].suppliers_external] == ["E2"]
    assert r["anode"].suppliers_external == () and r["anode"].local_share is None


def test_summary_completeness_weighted_by_feeds(G):
    s = find_gaps(G, "A", region="js").summary
    assert (s.segments, s.covered, s.weak, s.missing) == (6, 2, 1, 3)  # cell, the own segment, not counted
    # weights: cathode 0.4, anode 0.3, separator 1 - 0.4 - 0.3 = 0.3 (cell's unweighted input shares what the
    # given weights leave), ore 0.5, pack 0.6, ev 1 (pack is its only input) = 3.1
    # covered: cathode + pack = 1.0 of 3.1
    assert s.completeness == pytest.approx(1.0 / 3.1)
    # links into A: L1 30, L2 none, E1 50, E2 10 -> a value is missing, so by count: 2 local of 4
    assert s.local_supply_ratio == pytest.approx(0.5)


def test_local_supply_ratio_by_value(G):
    G.edges["L2", "A", "cathode"]["value"] = 10.0
    # (30 + 10) local of 30 + 10 + 50 + 10
    assert find_gaps(G, "A", region="js").summary.local_supply_ratio == pytest.approx(0.4)


def test_depth(G):
    assert [s.id for s in find_gaps(G, "A", region="js", depth=1).segments] == [
        "cell", "anode", "cathode", "separator", "pack"]
    assert [s.id for s in find_gaps(G, "A", region="js", depth=0).segments] == ["cell"]


def test_regions_nested_two_levels(G):
    # L1 sits in park py, inside town dy, inside county js: local to js and to dy, not to py's sibling
    r = rows(find_gaps(G, "A", region="js"))
    assert "L1" in [f.id for f in r["cathode"].local_firms]
    r = rows(find_gaps(G, "A", region="dy"))
    assert [f.id for f in r["cathode"].local_firms] == ["L1", "L2"]
    assert r["anode"].status == "missing"                 # L3 is in js, outside dy
    r = rows(find_gaps(G, "A", region="py"))
    assert [f.id for f in r["cathode"].local_firms] == ["L1"]
    assert r["cathode"].status == "weak"


def test_anchor_with_no_links(G):
    add_firm(G, "B", "js", ["pack"], anchor=True)
    r = find_gaps(G, "B", region="js", depth=1)
    got = {s.id: (s.direction, s.status) for s in r.segments}
    # upstream cell has one local firm (anchor A) -> weak; ev has none -> missing
    assert got == {"pack": ("own", "covered"), "cell": ("upstream", "weak"), "ev": ("downstream", "missing")}
    assert all(s.local_share is None and not s.single_source for s in r.segments)
    assert r.summary.local_supply_ratio is None
    assert [f.id for f in rows(r)["pack"].local_firms] == ["L4"]


def test_feeds_cycle_terminates():
    G = new_graph()
    G.add_node("R", kind="region", name="R")
    for s in "xyz":
        G.add_node(s, kind="segment", name=s, chain="c", stage="midstream")
    for u, v in [("x", "y"), ("y", "z"), ("z", "x")]:
        G.add_edge(u, v, rel="FEEDS")
    add_firm(G, "A", "R", ["y"])
    r = find_gaps(G, "A", region="R", depth=5)
    # x: upstream 1 (x->y) beats downstream 2; z: downstream 1 (y->z) beats upstream 2
    assert {s.id: (s.direction, s.distance, s.status, s.action) for s in r.segments} == {
        "y": ("own", 0, "covered", None), "x": ("upstream", 1, "missing", "fill"),
        "z": ("downstream", 1, "missing", "extend")}


def test_what_if_arithmetic(G):
    r = find_gaps(G, "A", region="js", what_if=["E2"])
    assert r.summary == r.what_if.before
    after = r.what_if.after
    # E2 local: anode has L3 + E2 and a local sole supplier -> covered; separator has E2 alone -> weak
    assert {s.id: s.status for s in r.what_if.segments_after}["anode"] == "covered"
    assert {s.id: s.status for s in r.what_if.segments_after}["separator"] == "weak"
    assert (after.covered, after.weak, after.missing) == (3, 1, 2)
    assert after.completeness == pytest.approx((0.4 + 0.3 + 0.6) / 3.1)
    assert after.local_supply_ratio == pytest.approx(3 / 4)
    d = r.to_dict()["what_if"]
    assert [f["id"] for f in d["firms"]] == ["E2"]
    assert d["before"]["completeness"] == round(1 / 3.1, 4) and d["after"]["local_supply_ratio"] == 0.75


def test_json_shape(G):
    d = find_gaps(G, "A", region="js").to_dict()
    assert list(d) == ["anchor", "region", "depth", "segments", "summary"]
    assert d["anchor"] == {"id": "A", "name": "兰钧", "name_en": "Lanjun", "region": "js", "segments": ["cell"]}
    assert d["region"]["id"] == "js" and d["region"]["name"] == "JS"
    assert set(d["segments"][0]) == {"id", "name", "name_en", "chain", "direction", "distance", "status", "action",
                                     "local_firms", "anchor_suppliers", "local_share", "single_source"}
    assert set(d["segments"][0]["anchor_suppliers"]) == {"local", "external", "unconfirmed", "group"}
    assert list(d["summary"]) == ["segments", "covered", "weak", "missing", "completeness", "local_supply_ratio"]


def test_region_gaps_and_chain_map(G):
    add_firm(G, "B", "js", ["pack"], anchor=True)
    r = find_region_gaps(G, ["A", "B"], region="js", depth=1)
    assert [a.anchor.id for a in r.anchors] == ["A", "B"]
    d = r.to_dict()
    assert set(d) == {"region", "depth", "anchors", "chains"}
    chains = {c.id: c for c in r.chains}
    assert sorted(chains) == ["auto", "li"]
    li = {s.id: (s.status, s.anchors) for s in chains["li"].segments}
    # cell is own for A (covered) but weak for B: the worst wins. ore is beyond depth 1: no local firm -> missing
    assert li["cell"] == ("weak", ("A", "B"))
    assert li["ore"] == ("missing", ())
    assert li["cathode"] == ("covered", ("A",))
    assert li["pack"] == ("covered", ("A", "B"))
    assert {s.id: s.status for s in chains["auto"].segments} == {"ev": "missing"}
    # upstream segments first
    assert [s.stage for s in chains["li"].segments][-1] == "downstream"


def test_unknown_anchor_and_region(G):
    """Our own errors (the CLI turns them into one line), still KeyErrors for library callers."""
    with pytest.raises(UnknownFirmError, match="nobody") as info:
        find_gaps(G, "nobody", region="js")
    assert isinstance(info.value, ChainGraphError) and isinstance(info.value, KeyError)
    with pytest.raises(UnknownFirmError, match="ghost"):
        find_gaps(G, "A", region="js", what_if=["ghost"])
    with pytest.raises(UnknownRegionError, match="mars") as info:
        find_gaps(G, "A", region="mars")
    assert isinstance(info.value, ChainGraphError)


@pytest.mark.parametrize("links, expected", [
    ([], None),
    ([(True, 1.0), (False, 3.0)], 0.25),
    ([(True, None), (False, 3.0)], 0.5),
    ([(True, 0.0), (False, 0.0)], 0.5),        # values add up to 0: by count
])
def test_local_share(links, expected):
    got = local_share(links)
    assert got == expected if expected is None else math.isclose(got, expected)
