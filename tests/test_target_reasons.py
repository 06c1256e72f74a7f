"""The targets' reasons read from the store's arrays equal those read from a networkx graph (issue 17).

The reference is the analysis' own definition: :func:`chaingraph.analyses.targets._raw_from_graph` with
:func:`~chaingraph.analyses.targets._weighted_links` reading each target's links from a graph (the whole
graph, or the neighbourhood the store builds of the targets). The memory store reads the same links from
its CSR arrays (:meth:`~chaingraph.stores.memory.MemoryStore.candidate_links`) and only the firms the
reasons name become networkx nodes. Whole reports (every score, component, reason, evidence and
confidence) must be equal, for targets and plans, on tiny, jiashan and a generated 10k dataset.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from chaingraph import jobs
from chaingraph.analyses.gaps import _Index
from chaingraph.analyses.plan import plan_targets
from chaingraph.analyses.targets import _collect_gaps, _weighted_links, rank_with_group
from chaingraph.model import CandidateLinkSource, CandidateSource
from chaingraph.stores.memory import MemoryStore

ROOT = Path(__file__).resolve().parent.parent


class NoLinks:
    """A memory store without :meth:`candidate_links`: the analyses build the neighbourhood (the reference)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def __getattr__(self, name: str):
        if name == "candidate_links":
            raise AttributeError(name)
        return getattr(self._store, name)


class NoColumns:
    """A memory store without :class:`~chaingraph.stores.FirmColumns`: jobs read firms' attributes one
    neighbourhood at a time (the reference for the projects' firms)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def __getattr__(self, name: str):
        if name in ("firm_columns", "firms_making"):
            raise AttributeError(name)
        return getattr(self._store, name)


def with_and_without_tables(job, store: MemoryStore, **kw):
    """``job(store, **kw)`` on the store's gap tables, then on the gap context (``tables_gaps`` off)."""
    fast = job(store, **kw)
    store.tables_gaps = False
    try:
        return fast, job(store, **kw)
    finally:
        del store.tables_gaps  # back to the class's True


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    from chaingraph.generate import generate_dataset

    folder = tmp_path_factory.mktemp("gen") / "gen10k"
    generate_dataset(folder, firms=10_000, seed=3)
    paths = {"tiny": ROOT / "tests" / "data" / "tiny", "jiashan": ROOT / "datasets" / "jiashan", "gen10k": folder}
    return {k: MemoryStore.from_dataset(p) for k, p in paths.items()}


def test_only_the_memory_store_reads_links():
    store = MemoryStore.from_dataset(ROOT / "tests" / "data" / "tiny")
    assert isinstance(store, CandidateLinkSource)
    assert isinstance(NoLinks(store), CandidateSource) and not isinstance(NoLinks(store), CandidateLinkSource)


def test_candidate_links_by_hand():
    """tiny: the anchor lanjun (Jiashan) buys separator from shsep (Shanghai, confidence 0.5) and sells
    cells to shev (Shanghai). shsep supplies the anchor with one link and has no other; shev's only link
    comes from the anchor, which is neither a peer nor a local tie. Under ``min_confidence`` 0.6 the
    separator link counts 0 and is left out."""
    store = MemoryStore.from_dataset(ROOT / "tests" / "data" / "tiny")
    gaps = {"separator": ["lanjun"], "ev": ["lanjun"], "pack": ["lanjun"]}
    links = store.candidate_links(["shsep", "shev"], anchors=["lanjun"], gaps=gaps, region="js")
    assert links == {"shsep": ({"lanjun": [("separator", 0.5, "illustrative")]}, {}, {}), "shev": ({}, {}, {})}
    sure = store.candidate_links(["shsep"], anchors=["lanjun"], gaps=gaps, region="js", min_confidence=0.6)
    assert sure == {"shsep": ({}, {}, {})}


@pytest.mark.parametrize("graph", ["tiny", "jiashan", "gen10k"])
@pytest.mark.parametrize("min_confidence", [0.0, 0.6])
def test_candidate_links_equal_the_graph(graph, min_confidence, stores):
    """Every candidate's anchors supplied (each link's segment, confidence and evidence, surest first),
    peers and local ties, with the largest confidence per firm: as :func:`_weighted_links` reads them from
    the whole graph."""
    store = stores[graph]
    R = store.metadata()["home_region"]
    anchors = store.anchors()
    G = store.whole_graph()
    idx = _Index(G, R, min_confidence=min_confidence)
    gaps = _collect_gaps(idx, anchors, depth=2, threshold=0.5, chain=None)
    gap_map = {s: sorted(a) for s, a in gaps.by_segment.items()}
    table = store.candidates(anchors=anchors, gaps=gap_map, region=R, min_confidence=min_confidence)
    assert len(table) >= {"tiny": 2, "jiashan": 100, "gen10k": 500}[graph]
    got = store.candidate_links(table.ids, anchors=anchors, gaps=gap_map, region=R, min_confidence=min_confidence)
    assert list(got) == table.ids
    own = {a: set(G.nodes[a]["segments"]) for a in anchors}
    counted = {"supplied": 0, "peers": 0, "ties": 0}
    for f in table.ids:
        mine = {a for s in G.nodes[f]["segments"] if s in gap_map for a in gap_map[s]}
        expected = _weighted_links(idx, f, set(anchors), set().union(*(own[a] for a in mine)), idx.local_firms)
        assert got[f] == expected, f
        for k, part in zip(counted, expected):
            counted[k] += bool(part)
    if graph == "gen10k":  # the comparison is not one of empty dicts (jiashan has no local ties)
        assert min(counted.values()) > 0, counted


def _targets(store, **kw):
    report = jobs.target_report(store, top=None, **kw)
    return report.targets, report.to_dict()


@pytest.mark.parametrize("graph", ["tiny", "jiashan", "gen10k"])
@pytest.mark.parametrize("kw", [{"lang": "en"}, {"lang": "zh", "min_confidence": 0.6, "depth": 1}],
                         ids=["en", "zh-sure-depth1"])
def test_target_reports_equal(graph, kw, stores):
    """Every target of the whole report (top 0: all), as dataclasses (unrounded components) and as JSON:
    reasons from the arrays, from the neighbourhood graph, and from the whole graph (no store counting)."""
    store = stores[graph]
    fast, fast_json = _targets(store, **kw)
    near, near_json = _targets(NoLinks(store), **kw)
    assert fast and fast == near and fast_json == near_json
    R = store.metadata()["home_region"]
    live = jobs._live_firms(store)[0]  # firms with a live project are never ranked
    whole, _ = rank_with_group(store.whole_graph(), store.anchors(), region=R, top=None, exclude=live,
                               **{"depth": 2, "min_confidence": 0.0, **kw})
    assert list(fast) == whole
    if kw["lang"] == "en":  # the reasons are not all of one kind
        assert any(t.evidence for t in fast) and any(len(t.reasons) > 2 for t in fast)


@pytest.mark.parametrize("graph", ["tiny", "jiashan", "gen10k"])
def test_target_reports_from_gap_tables_equal_the_context(graph, stores):
    """``targets`` on a store that gathers gap tables reads the anchors' gaps from the table and ranks on
    a graph of the template and the anchors' groups only: the whole report (targets, gap tables, group
    members, projects in the pipeline) is the one computed on the gap context of every local firm."""
    store = stores[graph]
    kw = {"top": None, "lang": "en", "min_confidence": 0.6, "threshold": 0.7}
    fast, reference = with_and_without_tables(jobs.target_report, store, **kw)
    assert fast.targets and fast.gaps
    assert fast == reference and fast.to_dict() == reference.to_dict()


def test_projects_in_the_pipeline_from_the_segment_index(stores):
    """The projects noted beside the targets (firms making a gap segment outside the home region) are the
    same whether the store tells which firms make the segments from its segment index or the job reads
    each firm's region and segments (gen10k: jiashan's projects note no firm a target could be)."""
    from chaingraph.stores import FirmColumns

    store = stores["gen10k"]
    assert isinstance(store, FirmColumns) and not isinstance(NoColumns(store), FirmColumns)
    last = sorted(c.id for c in store.dataset.chains)[-1]
    noted = {}
    for chain in (None, last):
        noted[chain] = jobs.target_report(store, top=5, chain=chain).in_pipeline
        assert noted[chain] == jobs.target_report(NoColumns(store), top=5, chain=chain).in_pipeline
    assert len({n.firm for n in noted[None]}) >= 20 and len(noted[None]) > len(noted[last]) > 0


@pytest.mark.parametrize("graph", ["tiny", "jiashan", "gen10k"])
@pytest.mark.parametrize("what_if", [False, True])
def test_plans_from_gap_tables_equal_the_context(graph, what_if, stores):
    """``plan`` on a store that gathers gap tables reads the gaps before, with the what-if firms and after
    the picks from its tables, on a graph of the anchors and their suppliers only: the whole plan (picks,
    gains, fits, reasons, summaries before and after, projects in the pipeline) is the one computed on
    the gap context of every local firm."""
    store = stores[graph]
    wi = [jobs.target_report(store, top=3).targets[-1].firm.id] if what_if else []
    kw = {"budget": 12, "what_if": wi, "lang": "en", "min_confidence": 0.6, "threshold": 0.7}
    fast, reference = with_and_without_tables(jobs.plan_report, store, **kw)
    assert fast.picks and fast.after
    assert fast == reference and fast.to_dict() == reference.to_dict()


@pytest.mark.parametrize("graph", ["tiny", "jiashan", "gen10k"])
@pytest.mark.parametrize("what_if", [False, True])
def test_plans_equal(graph, what_if, stores):
    """Whole plans (picks, gains, fits, reasons, summaries after) through jobs with and without the
    links from arrays, and from the whole graph."""
    store = stores[graph]
    wi = [jobs.target_report(store, top=3).targets[-1].firm.id] if what_if else []
    kw = {"budget": 12, "what_if": wi, "lang": "en"}
    fast = jobs.plan_report(store, **kw)
    near = jobs.plan_report(NoLinks(store), **kw)
    assert fast.picks and fast == near and fast.to_dict() == near.to_dict()
    R = store.metadata()["home_region"]
    live = jobs._live_firms(store)[0]
    whole = plan_targets(store.whole_graph(), store.anchors(), region=R, budget=12, what_if=wi, lang="en",
                         exclude=sorted(live - set(wi)))
    assert fast.picks == whole.picks and fast.after == whole.after


def test_round6_equals_python_round():
    """The scores' vectorised rounding gives round(v, 6) to the last bit: on random scores, on values a
    hair either side of a half in the 7th decimal, on exact binary halves (0.0078125 * k), on weighted
    means of small fractions like the scores', and on NaN."""
    import numpy as np

    from chaingraph.analyses.targets import _round6

    rng = np.random.default_rng(7)
    halves = (np.arange(200_000) + 0.5) / 1e6
    values = np.concatenate([
        rng.random(300_000), halves, np.nextafter(halves, 0), np.nextafter(halves, 1),
        0.0078125 * np.arange(129), (3 * rng.random(50_000) + 2 * rng.integers(0, 40, 50_000) / 39) / 9,
        [0.0, 1.0, 0.5, 1e-7, 5e-7, float("nan")]])
    got = _round6(values).tolist()
    expected = [round(v, 6) for v in values.tolist()]
    assert got[:-1] == expected[:-1]
    assert got[-1] != got[-1]  # NaN stays NaN
