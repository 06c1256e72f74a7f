"""Target ranking on the hand-built graph of test_gaps; the expected components are worked out below.

Gaps of anchor A (depth 2): anode weak, separator, ore missing upstream, ev missing downstream.
Candidates (non-local firms in a gap): E2 (separator + anode), E3 (ev), E4 (ore). E1 makes cathode (covered), P1/P2
make cell (own): not candidates. Local firms are never candidates.

============== ===== ===== ===== =====
component       E2    E3    E4   note
============== ===== ===== ===== =====
supplies_anchor  1     0     0   E2 -> A
supplies_peers  1/2    0     1   E2 -> P1; E4 -> P1, P2 (max 2)
local_ties       1    1/2    0   E2 -> L4, L3 -> E2; L4 -> E3 (max 2)
gap_severity     1    0.8    1   missing upstream 1.0, missing downstream 0.8; one anchor of one
scale           1/3    0     1   log10 1e9 = 9, 1e11 = 11: D = 2, (9 - 9 + 1) / 3; E3 has no output
proximity        p     p     0   p = 1 / (1 + d / 100), d = A to Shanghai; E4's region has no coordinates
============== ===== ===== ===== =====
"""
from __future__ import annotations

import math

import pytest
from conftest import add_firm, build, supply

from chaingraph.errors import ChainGraphError
from chaingraph.model import new_graph
from chaingraph.analyses.targets import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    haversine_km,
    parse_weights,
    rank_targets,
    weights_from_toml,
)

D = haversine_km(30.83, 120.92, 31.23, 121.47)
P = 1 / (1 + D / 100)


@pytest.fixture
def G():
    return build()


def by_id(targets):
    return {t.firm.id: t for t in targets}


def test_candidates_are_non_local_firms_in_gaps(G):
    ts = rank_targets(G, ["A"], region="js", top=None)
    assert sorted(t.firm.id for t in ts) == ["E2", "E3", "E4"]


def test_every_component(G):
    ts = by_id(rank_targets(G, ["A"], region="js", top=None))
    expected = {
        "E2": dict(supplies_anchor=1, supplies_peers=0.5, local_ties=1, gap_severity=1, scale=1 / 3, proximity=P),
        "E3": dict(supplies_anchor=0, supplies_peers=0, local_ties=0.5, gap_severity=0.8, scale=0, proximity=P),
        "E4": dict(supplies_anchor=0, supplies_peers=1, local_ties=0, gap_severity=1, scale=1, proximity=0),
    }
    for fid, comp in expected.items():
        assert list(ts[fid].components) == list(COMPONENTS)
        for k, v in comp.items():
            assert ts[fid].components[k] == pytest.approx(v), (fid, k)


def test_score_is_weighted_mean_and_ranking(G):
    ts = rank_targets(G, ["A"], region="js", top=None)
    # default weights 3, 2, 1, 2, 1, 1 (sum 10)
    e2 = (3 * 1 + 2 * 0.5 + 1 * 1 + 2 * 1 + 1 / 3 + P) / 10
    e3 = (1 * 0.5 + 2 * 0.8 + P) / 10
    e4 = (2 * 1 + 2 * 1 + 1) / 10
    assert [(t.rank, t.firm.id) for t in ts] == [(1, "E2"), (2, "E4"), (3, "E3")]
    assert [t.score for t in ts] == [round(e2, 6), round(e4, 6), round(e3, 6)]
    assert D == pytest.approx(68.0, abs=1.0)


def test_top(G):
    assert [t.firm.id for t in rank_targets(G, ["A"], region="js", top=2)] == ["E2", "E4"]


def test_weights_override(G):
    # only scale counts: E4 (1) > E2 (1/3) > E3 (0)
    w = {k: 0.0 for k in COMPONENTS} | {"scale": 1.0}
    ts = rank_targets(G, ["A"], region="js", top=None, weights=w, lang="en")
    assert [(t.firm.id, t.score) for t in ts] == [("E4", 1.0), ("E2", round(1 / 3, 6)), ("E3", 0.0)]
    # reasons only for components with weight > 0 and value > 0
    assert ts[0].reasons == ("annual output about CNY 100,000,000,000, a 10-billion-scale project",)
    assert ts[2].reasons == ()


def test_reasons_zh_and_en(G):
    zh = by_id(rank_targets(G, ["A"], region="js", top=None, lang="zh"))["E2"].reasons
    assert zh == (
        "已向兰钧供应负极、隔膜（来源不明，可信度1）",  # a hand-built link: no evidence, counts fully
        "已向1家同类电芯企业供货，如P1",
        "已与2家本地企业有供货往来，如L3",
        "可补上兰钧上游缺失的隔膜环节（补链）",
        "年产值约10亿元",
        f"距兰钧约{round(D)}公里",
    )
    en = by_id(rank_targets(G, ["A"], region="js", top=None, lang="en"))
    assert en["E2"].reasons[0] == "already supplies Anode, Separator to Lanjun (unsourced, confidence 1)"
    assert en["E3"].reasons == ("already trades with 1 local firms, e.g. L4",
                                "extends Lanjun downstream into Ev", f"about {round(D)} km from Lanjun")


def test_keyed_supply_reason_names_the_segment(G):
    G.remove_edge("E2", "A", "")
    supply(G, "E2", "A", "separator", 10.0)
    t = by_id(rank_targets(G, ["A"], region="js", top=None, lang="en"))["E2"]
    assert t.reasons[0] == "already supplies Separator to Lanjun (unsourced, confidence 1)"


def test_firm_in_several_segments(G):
    t = by_id(rank_targets(G, ["A"], region="js", top=None))["E2"]
    assert [(s.id, s.status, s.direction) for s in t.segments] == [
        ("anode", "weak", "upstream"), ("separator", "missing", "upstream")]
    # severity is the worst gap it fills (separator), not the sum
    assert t.components["gap_severity"] == 1.0


def test_chain_filter_and_min_output(G):
    assert [t.firm.id for t in rank_targets(G, ["A"], region="js", chain="auto")] == ["E3"]
    assert sorted(t.firm.id for t in rank_targets(G, ["A"], region="js", chain="li")) == ["E2", "E4"]
    ts = rank_targets(G, ["A"], region="js", min_output=1e10)
    assert [t.firm.id for t in ts] == ["E4"]
    assert ts[0].components["scale"] == 1.0   # normalised over the remaining candidates


def test_local_firm_never_a_candidate(G):
    # L3 makes anode (a weak gap) but is local; with region sh, A's suppliers in sh are local instead
    assert "L3" not in by_id(rank_targets(G, ["A"], region="js", top=None))
    ts = by_id(rank_targets(G, ["A"], region="sh", top=None))
    assert not {"E2", "E3", "P1"} & set(ts)


def tie_graph():
    G = new_graph()
    G.add_node("R", kind="region", name="R")
    G.add_node("F", kind="region", name="F")
    for s in ("sep", "cell"):
        G.add_node(s, kind="segment", name=s, chain="li", stage="midstream")
    G.add_edge("sep", "cell", rel="FEEDS")
    add_firm(G, "A", "R", ["cell"])
    for f in ("T2", "T1", "T3"):
        add_firm(G, f, "F", ["sep"])
    return G


def test_ties_broken_by_id():
    ts = rank_targets(tie_graph(), ["A"], region="R")
    assert [(t.rank, t.firm.id, t.score) for t in ts] == [(1, "T1", 0.2), (2, "T2", 0.2), (3, "T3", 0.2)]


def test_gap_severity_grows_with_anchors_sharing_the_gap():
    G = new_graph()
    G.add_node("R", kind="region", name="R")
    G.add_node("F", kind="region", name="F")
    for s in ("s1", "s2", "c1", "c2"):
        G.add_node(s, kind="segment", name=s, chain="li", stage="midstream")
    for u, v in [("s1", "c1"), ("s1", "c2"), ("s2", "c2")]:
        G.add_edge(u, v, rel="FEEDS")
    add_firm(G, "A", "R", ["c1"])
    add_firm(G, "B", "R", ["c2"])
    add_firm(G, "X", "F", ["s1"])
    add_firm(G, "Y", "F", ["s2"])
    ts = by_id(rank_targets(G, ["A", "B"], region="R", depth=1))
    # N = 2: s1 shared by both -> 1.0 * 3 / 3; s2 only B's -> 1.0 * 2 / 3
    assert ts["X"].components["gap_severity"] == 1.0
    assert ts["Y"].components["gap_severity"] == pytest.approx(2 / 3)
    assert [a.id for a in ts["X"].anchors] == ["A", "B"] and [a.id for a in ts["Y"].anchors] == ["B"]
    assert ts["X"].reasons[0] == "可补上A、B上游缺失的s1环节（补链）"
    # a weak gap (one local firm) scores 0.5 before sharing
    add_firm(G, "L", "R", ["s2"])
    assert by_id(rank_targets(G, ["A", "B"], region="R", depth=1))["Y"].components["gap_severity"] == \
        pytest.approx(0.5 * 2 / 3)


def test_to_dict_shape(G):
    d = rank_targets(G, ["A"], region="js")[0].to_dict()
    assert list(d) == ["rank", "firm", "segments", "anchors", "score", "components", "reasons", "evidence",
                     "gaps"]
    assert d["firm"] == {"id": "E2", "name": "E2", "name_en": "Sep and Anode Co", "region": "sh",
                         "output_value": 1e9}
    assert d["anchors"] == [{"id": "A", "name": "兰钧", "name_en": "Lanjun"}]
    assert set(d["components"]) == set(COMPONENTS)


def test_parse_weights():
    w = parse_weights("supplies_anchor=5,scale=0")
    assert w == {**DEFAULT_WEIGHTS, "supplies_anchor": 5.0, "scale": 0.0}
    assert parse_weights("proximity=2", base={**DEFAULT_WEIGHTS, "scale": 9.0})["scale"] == 9.0
    for bad, needle in [("speed=1", "unknown score component 'speed'"), ("scale", "no '='"),
                        ("scale=x", "not a number"), ("scale=-1", ">= 0")]:
        with pytest.raises(ChainGraphError, match=needle):
            parse_weights(bad)
    with pytest.raises(ChainGraphError, match="all weights are 0"):
        parse_weights(",".join(f"{k}=0" for k in COMPONENTS))


def test_weights_from_toml():
    assert weights_from_toml("scale = 3\n")["scale"] == 3.0
    assert weights_from_toml("[weights]\nproximity = 0.5\n")["proximity"] == 0.5
    with pytest.raises(ChainGraphError, match="not valid TOML"):
        weights_from_toml("scale = = 3")


def test_haversine():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
    assert math.isclose(haversine_km(30, 120, 30, 120), 0.0)
