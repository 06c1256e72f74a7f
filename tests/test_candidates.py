"""The memory store counts candidates column by column; the targets must equal those read from the graph.

``rank_targets(G)`` on the whole graph reads every candidate from networkx (the path the database store
takes); ``rank_targets(local, source=store)`` has the store count them with numpy and builds networkx only
for the top few. Both must give the same targets, scores, components and reasons, and the same plans.
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

from chaingraph.analyses.gaps import _Index
from chaingraph.model import segment_distances
from chaingraph.stores import CandidateSource, CandidateTable
from chaingraph.stores.memory import MemoryStore, _haversine_km
from chaingraph.analyses.plan import plan_targets
from chaingraph.analyses.targets import _collect_gaps, _raw_from_graph, _table, haversine_km, rank_targets

JIASHAN = "datasets/jiashan"


@pytest.fixture(scope="module")
def jiashan():
    return MemoryStore.from_dataset(JIASHAN)


@pytest.fixture(scope="module")
def gen10k(tmp_path_factory):
    from chaingraph.generate import generate_dataset

    folder = tmp_path_factory.mktemp("gen") / "gen10k"
    generate_dataset(folder, firms=10_000, seed=3)
    return MemoryStore.from_dataset(folder)


def local_context(store, anchors, depth=2):
    template = store.template()
    segments = set()
    for a in anchors:
        segments |= set(segment_distances(template, store.firm(a)["segments"], depth=depth))
    return store.context(anchors=anchors, segments=segments, region=store.metadata()["home_region"],
                         external=False)


def both(store, anchors, **kw):
    """Targets as dicts from the whole graph and from the store's candidate table."""
    R = store.metadata()["home_region"]
    whole = rank_targets(store.whole_graph(), anchors, region=R, **kw)
    fast = rank_targets(local_context(store, anchors), anchors, region=R, source=store, **kw)
    return [t.to_dict() for t in whole], [t.to_dict() for t in fast]


def test_memory_store_is_a_candidate_source(jiashan):
    assert isinstance(jiashan, CandidateSource)


@pytest.mark.parametrize("kw", [
    {"top": None, "lang": "en"},
    {"top": 15, "lang": "zh"},
    {"top": None, "chain": "chain-li", "lang": "en"},
    {"top": None, "min_output": 1e9},
    {"top": 10, "weights": {"supplies_anchor": 0, "proximity": 5}, "lang": "en", "depth": 1},
], ids=["all-en", "top15-zh", "chain", "min-output", "weights-depth1"])
def test_jiashan_targets_equal(jiashan, kw):
    whole, fast = both(jiashan, jiashan.anchors(), **kw)
    assert whole, "the comparison needs some targets"
    assert fast == whole


def test_jiashan_one_anchor_equal(jiashan):
    for a in jiashan.anchors():
        whole, fast = both(jiashan, [a], top=None, lang="en")
        assert fast == whole, a


def test_generated_targets_equal(gen10k):
    whole, fast = both(gen10k, gen10k.anchors(), top=None, lang="en")
    assert len(whole) > 500
    assert fast == whole
    # the components vary, so equal lists are not an accident of all-zero columns
    for k in ("supplies_anchor", "supplies_peers", "local_ties", "scale", "proximity"):
        assert len({t["components"][k] for t in whole}) > 1, k


def test_table_equals_the_graph_count(gen10k):
    """Column by column, the store's table is what the graph pass counts, candidate for candidate."""
    store = gen10k
    anchors = store.anchors()
    R = store.metadata()["home_region"]
    G = store.whole_graph()
    idx = _Index(G, R)
    gaps = _collect_gaps(idx, anchors, depth=2, threshold=0.5, chain=None)
    graph = _table(_raw_from_graph(idx, gaps, anchors))
    table = store.candidates(anchors=anchors, gaps={s: list(a) for s, a in gaps.by_segment.items()}, region=R)
    assert isinstance(table, CandidateTable) and len(table) == len(graph) > 500

    def rows(t):
        return {t.ids[i]: (t.segments[i], t.supplies_anchor[i], t.peers[i], t.ties[i], t.output[i],
                           None if t.distance[i] is None else round(t.distance[i], 6)) for i in range(len(t))}

    assert rows(table) == rows(graph)
    assert sum(table.supplies_anchor) > 0 and max(table.peers) > 0 and max(table.ties) > 0


def test_more_than_64_anchors(gen10k):
    """Anchor sets wider than one uint64 word of the bit masks."""
    store = gen10k
    R = store.metadata()["home_region"]
    # any 70 more firms of the anchors' context serve as anchors: what matters is the width of the masks
    others = [n for n, d in local_context(store, store.anchors()).nodes(data=True)
              if d.get("kind") == "firm" and n not in store.anchors()]
    anchors = store.anchors() + sorted(others)[:70]
    assert len(anchors) > 64
    whole = [t.to_dict() for t in rank_targets(store.whole_graph(), anchors, region=R, top=40)]
    fast = [t.to_dict() for t in rank_targets(local_context(store, anchors), anchors, region=R, top=40,
                                              source=store)]
    assert whole and fast == whole


@pytest.mark.parametrize("what_if", [False, True])
def test_plans_equal(jiashan, what_if):
    anchors = jiashan.anchors()
    R = jiashan.metadata()["home_region"]
    whole_graph = jiashan.whole_graph()
    wi = []
    if what_if:
        wi = [rank_targets(whole_graph, anchors, region=R, top=3)[2].firm.id]
    local = local_context(jiashan, anchors)
    for f in wi:
        local.add_node(f, **whole_graph.nodes[f])
    kw = dict(region=R, budget=8, quotas={"chain-ic": 3}, what_if=wi, lang="en")
    whole = plan_targets(whole_graph, anchors, **kw).to_dict()
    fast = plan_targets(local, anchors, source=jiashan, **kw).to_dict()
    assert whole["picks"] and fast == whole


def test_empty_gaps_give_an_empty_table(jiashan):
    R = jiashan.metadata()["home_region"]
    assert len(jiashan.candidates(anchors=jiashan.anchors(), gaps={}, region=R)) == 0
    assert len(jiashan.candidates(anchors=[], gaps={}, region=R)) == 0
    assert rank_targets(local_context(jiashan, []), [], region=R, source=jiashan) == []


def test_unknown_anchor(jiashan):
    from chaingraph.errors import UnknownFirmError

    with pytest.raises(UnknownFirmError, match="no-such-firm"):
        jiashan.candidates(anchors=["no-such-firm"], gaps={}, region=jiashan.metadata()["home_region"])


def test_neighbourhood_has_every_link_of_the_firms(jiashan):
    G = jiashan.whole_graph()
    firm = max((n for n, d in G.nodes(data=True) if d.get("kind") == "firm"), key=G.degree)
    H = jiashan.neighbourhood([firm], also=jiashan.anchors())
    assert sorted(H.in_edges(firm, keys=True)) == sorted(G.in_edges(firm, keys=True))
    assert sorted(H.out_edges(firm, keys=True)) == sorted(G.out_edges(firm, keys=True))
    firms = {n for n, d in H.nodes(data=True) if d.get("kind") == "firm"}
    assert firms == {firm} | set(G.predecessors(firm)) | set(G.successors(firm)) | set(jiashan.anchors())


def test_vectorised_haversine_matches():
    rng = random.Random(7)
    pts = [(rng.uniform(-89, 89), rng.uniform(-179, 179)) for _ in range(500)]
    lat = np.array([p[0] for p in pts])
    lon = np.array([p[1] for p in pts])
    got = _haversine_km(lat, lon, 30.84, 120.92)
    for (la, lo), d in zip(pts, got.tolist()):
        assert math.isclose(d, haversine_km(la, lo, 30.84, 120.92), rel_tol=1e-12, abs_tol=1e-9)
