"""The memory store counts candidates column by column; the targets must equal those read from the graph.

``rank_targets(G)`` on the whole graph reads every candidate from networkx (the path the database store
takes); ``rank_targets(local, source=store)`` has the store count them with numpy and builds networkx only
for the top few. Both must give the same targets, scores, components and reasons, and the same plans.

Below that, ``test_push_downs_count_as_the_reference`` holds every push-down of candidate counting (the
memory store's numpy count; the database store's ``candidate_counts`` query, under the db marker) to the
analysis' own networkx definition, row for row, on tiny, jiashan and a generated 10k-firm graph.
"""
from __future__ import annotations

import math
import random
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from candidate_parity import cases, rows
from chaingraph.model import COARSE_DISTANCE, segment_distances
from chaingraph.stores import CandidateSource
from chaingraph.stores.memory import MemoryStore, _haversine_km
from chaingraph.analyses.plan import plan_targets
from chaingraph.analyses.targets import haversine_km, rank_targets

ROOT = Path(__file__).resolve().parent.parent
JIASHAN = "datasets/jiashan"
#: Every push-down of candidate counting; the database ones need a server (the db marker; Neo4j is the
#: session's, tests/conftest.py neo4j_db).
PUSH_DOWNS = ["memory", pytest.param("falkordb", marks=pytest.mark.db), pytest.param("neo4j", marks=pytest.mark.db)]


@pytest.fixture(scope="module")
def jiashan():
    return MemoryStore.from_dataset(JIASHAN)


@pytest.fixture(scope="module")
def gen10k_folder(tmp_path_factory):
    from chaingraph.generate import generate_dataset

    folder = tmp_path_factory.mktemp("gen") / "gen10k"
    generate_dataset(folder, firms=10_000, seed=3)
    return folder


@pytest.fixture(scope="module")
def gen10k(gen10k_folder):
    return MemoryStore.from_dataset(gen10k_folder)


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


@pytest.fixture(scope="module")
def graphs(gen10k_folder):
    """The folders of the graphs every push-down is checked on."""
    return {"tiny": ROOT / "tests" / "data" / "tiny", "jiashan": ROOT / JIASHAN, "gen10k": gen10k_folder}


@pytest.fixture(scope="module")
def falkordb_server(tmp_path_factory):
    from falkordb_server import FalkorDBServer

    with FalkorDBServer(tmp_path_factory.mktemp("falkordb"), persistence=None) as server:
        yield server


@contextmanager
def push_down(name, folder, memory, request):
    """The store ``name`` holding the dataset in ``folder`` (loaded into the database ones first)."""
    if name == "memory":
        yield memory
        return
    from chaingraph.stores.graphdb import CypherStore, load_dataset

    if name == "neo4j":
        db = request.getfixturevalue("neo4j_db")
        uri, creds = db.holding(folder), {"user": db.user, "password": db.password}
    else:
        uri, creds = request.getfixturevalue("falkordb_server").uri, {}
        load_dataset(memory.dataset, uri, batch_size=5000, replace=True)
    with CypherStore.connect(uri, **creds) as store:
        assert store.counts_candidates
        yield store


@pytest.fixture(scope="module")
def graph_cases(graphs):
    """``graph_cases(name)``: the memory store of a graph and its cases with the reference's answers,
    computed once per module (each reference pass reads the whole graph)."""
    done = {}

    def get(graph):
        if graph not in done:
            memory = MemoryStore.from_dataset(graphs[graph])
            R = memory.metadata()["home_region"]
            # single anchors on the small graphs only: on 10k each costs a whole-graph reference pass
            done[graph] = memory, cases(memory.whole_graph(), memory.anchors(), R,
                                        singles=0 if graph == "gen10k" else None)
        return done[graph]

    return get


#: Fewest candidates each graph must give for all its anchors, so the comparison is of something.
LEAST = {"tiny": 2, "jiashan": 100, "gen10k": 500}


@pytest.mark.parametrize("graph", ["tiny", "jiashan", "gen10k"])
@pytest.mark.parametrize("source", PUSH_DOWNS)
def test_push_downs_count_as_the_reference(source, graph, graphs, graph_cases, request):
    """Every push-down gives the reference's candidate table, row for row (tests/candidate_parity.py).

    On tiny, by hand: lanjun (the anchor, in js) lacks cathode, separator, ore, pack and ev locally.
    jscathode is in dy, inside js, so it is local and no candidate. shsep makes separator and supplies
    lanjun: supplies_anchor, no peers, no ties, output 2e9, 67.47 km from lanjun (31.2, 121.5 to
    30.84, 120.93). shev makes ev and pack, has no links and no coordinates of its own: its region sh
    is of level province, so shev is located only at province precision and its distance is
    COARSE_DISTANCE (-1: proximity neutral, issue 12; 67.29 km from sh's centre is not stated), output 9e10. Excluding shev leaves shsep; a floor of 9e10 leaves shev.
    Links count by their confidence (issue 12): shsep's link to lanjun has confidence 0.5, so
    supplies_anchor is 0.5, and shev's is 0.
    """
    memory, questions = graph_cases(graph)
    expected = {case.name: case.expected for case in questions}
    assert len(expected["all"]) >= LEAST[graph]
    if graph == "tiny":
        assert expected["all"] == {"shsep": (("separator",), 0.5, 0, 0, 2e9, 67.473825),
                                   "shev": (("ev", "pack"), 0, 0, 0, 9e10, COARSE_DISTANCE)}
        assert list(expected["all-exclude"]) == ["shsep"] and list(expected["all-min-output"]) == ["shev"]
    else:
        # the columns vary, so equal tables are not an accident of all-zero counts
        table = list(expected["all"].values())
        assert any(r[1] for r in table) and max(r[2] for r in table) > 0 and max(r[3] for r in table) > 0
    with push_down(source, graphs[graph], memory, request) as store:
        for case in questions:
            table = store.candidates(anchors=case.anchors, gaps=case.gaps, region=case.region, **case.options)
            assert rows(table) == case.expected, case.name


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


def _python_scores(table, gaps, n_anchors, w):
    """The score of every candidate as the scoring stage computed it one candidate at a time, before it
    moved to numpy: the reference the numpy columns must equal to the last bit."""
    from chaingraph.analyses.targets import COMPONENTS, NEUTRAL_PROXIMITY, PROXIMITY_KM, _severity

    max_peers, max_ties = max(table.peers, default=0), max(table.ties, default=0)
    logs = [math.log10(o) for o in table.output if o is not None]
    lo, hi = (min(logs), max(logs)) if logs else (0.0, 0.0)

    def proximity(d):
        return 0.0 if d is None else NEUTRAL_PROXIMITY if d == COARSE_DISTANCE else 1 / (1 + d / PROXIMITY_KM)

    columns = {
        "supplies_anchor": [float(x) for x in table.supplies_anchor],
        "supplies_peers": [p / max_peers if max_peers else 0.0 for p in table.peers],
        "local_ties": [t / max_ties if max_ties else 0.0 for t in table.ties],
        "gap_severity": [_severity(gaps, s, n_anchors)[0] for s in table.segments],
        "scale": [(math.log10(o) - lo + 1) / (hi - lo + 1) if o is not None else 0.0 for o in table.output],
        "proximity": [proximity(d) for d in table.distance],
    }
    wa, wp, wt, wg, ws, wx = (w[k] for k in COMPONENTS)
    total = sum(w.values())
    scores = [round((wa * a + wp * p + wt * t + wg * g + ws * s + wx * x) / total, 6)
              for a, p, t, g, s, x in zip(*(columns[k] for k in COMPONENTS))]
    return columns, scores


@pytest.mark.parametrize("graph", ["tiny", "jiashan", "gen10k"])
@pytest.mark.parametrize("weights", [None, {"supplies_anchor": 0.7, "proximity": 3.3, "scale": 1.9}])
def test_numpy_scoring_equals_the_python_expression(graph, weights, graphs):
    """The scoring stage computes the six components and the score with numpy over the whole candidate
    table (issue 17); every component and every rounded score equals, bit for bit, the per-candidate Python
    expression it replaced, and the order is by score, then id."""
    from chaingraph.analyses.gaps import _Index
    from chaingraph.analyses.targets import COMPONENTS, _checked, _collect_gaps, _Ranking

    store = MemoryStore.from_dataset(graphs[graph])
    R = store.metadata()["home_region"]
    anchors = store.anchors()
    G = local_context(store, anchors)
    idx = _Index(G, R)
    gaps = _collect_gaps(idx, anchors, depth=2, threshold=0.5, chain=None)
    table = store.candidates(anchors=anchors, gaps={s: sorted(a) for s, a in gaps.by_segment.items()}, region=R)
    assert len(table) >= LEAST[graph]
    w = _checked(weights or {}, "weights")
    ranking = _Ranking(table, gaps, len(anchors), w, "en", lambda ids: (idx, {}), G)
    columns, scores = _python_scores(table, gaps, len(anchors), w)
    assert ranking.scores == scores
    assert all(type(x) is float for x in ranking.scores)
    for k in COMPONENTS:
        assert ranking.columns[k] == columns[k], k
    by_hand = sorted(range(len(scores)), key=lambda i: (-scores[i], table.ids[i]))
    assert [t.i for t in ranking.ranked(None)] == by_hand
    for top in (1, 7, len(scores) + 3):
        assert [t.i for t in ranking.ranked(top)] == by_hand[:top]
    assert ranking.ranked(0) == []


class _ListGroup:
    """A group as the plan kept it before issue 17: a list sorted worst first, popped from the end."""

    def __init__(self, members):
        self.members = members

    def __len__(self):
        return len(self.members)

    def head(self):
        return self.members[-1]

    def pop(self):
        return self.members.pop()


def _reference_fits(ranking, gaps, idx, anchors):
    """The plan's groups as it built them before issue 17: every candidate ranked as a _Lazy, the suppliers'
    fits read from their neighbourhood (ranking.explain), each group sorted in Python."""
    from chaingraph.analyses.plan import FIT_FLOOR

    ranked = ranking.ranked(None)
    peers = ranking.columns["supplies_peers"]
    suppliers = [t for t in ranked if ranking.columns["supplies_anchor"][t.i] > 0]
    raw = ranking.explain([t.id for t in suppliers])[1] if suppliers else {}
    groups = {}
    for t in ranked:
        uniform = max(peers[t.i], FIT_FLOOR)
        fit = {s: uniform for s in t.segments}
        if t.id in raw:
            for a, links in raw[t.id]["supplied"].items():
                for s in t.segments:
                    if a in gaps.by_segment[s]:
                        fit[s] = max([fit[s], *(c for sg, c, _ in links if sg in (s, ""))])
            groups[(t.segments, t.id)] = [(t, fit)]
        else:
            groups.setdefault(t.segments, []).append((t, fit))
    for members in groups.values():
        members.sort(key=lambda m: (-next(iter(m[1].values()), 0.0), -m[0].score, m[0].id), reverse=True)
    return {g: _ListGroup(m) for g, m in groups.items()}, len(suppliers)


@pytest.mark.parametrize("graph", ["jiashan", "gen10k"])
@pytest.mark.parametrize("options", [{"budget": 25}, {"budget": 12, "quotas": "first-chain"},
                                     {"budget": 9, "min_confidence": 0.2}])
def test_plan_groups_equal_the_python_reference(graph, options, graphs, monkeypatch):
    """The plan orders each group of candidates with numpy and reads the suppliers' fits from their links
    to the anchors in the gap context (issue 17); the plan, picks, gains and fits included, equals the one
    the Python groups built from the suppliers' neighbourhoods gave."""
    import chaingraph.analyses.plan as plan_module

    store = MemoryStore.from_dataset(graphs[graph])
    R = store.metadata()["home_region"]
    anchors = store.anchors()
    options = dict(options)
    if options.get("quotas") == "first-chain":
        chain = sorted(n for n, d in store.template().nodes(data=True) if d.get("kind") == "chain")[0]
        options["quotas"] = {chain: 5}
    G = local_context(store, anchors)
    suppliers = []
    real = plan_module._fits

    def counted(*args):
        groups, n = real(*args)
        suppliers.append(n)
        return groups, n

    with monkeypatch.context() as m:
        m.setattr(plan_module, "_fits", counted)
        fast = plan_targets(G.copy(), anchors, region=R, source=store, lang="en", **options).to_dict()
        m.setattr(plan_module, "_fits", _reference_fits)
        slow = plan_targets(G.copy(), anchors, region=R, source=store, lang="en", **options).to_dict()
    assert len(fast["picks"]) == options["budget"]
    assert suppliers[0] > 0, "some candidates supply an anchor, so their own fits are compared too"
    assert fast == slow


def test_counts_are_floats_without_any_pair():
    """An anchor making no segment has no peers to count: the weighted counts are still floats (numpy's
    bincount of nothing is an integer array), as :class:`~chaingraph.model.CandidateTable` says."""
    from chaingraph.stores.memory import MemoryStore

    store = MemoryStore.from_dataset(Path(__file__).resolve().parent.parent / "datasets" / "jiashan")
    assert not store.firm("tangren").get("segments")
    table = store.candidates(anchors=["tangren"], gaps={"li-cathode": ["tangren"]}, region="cn-zj-jx-jiashan")
    assert len(table) > 0 and not any(table.peers)
    assert all(type(x) is float for x in [*table.peers, *table.ties, *table.supplies_anchor])
