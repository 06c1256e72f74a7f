"""The memory store on the tiny dataset: counts, anchors, firm lookup and context graphs worked out by
hand."""
from __future__ import annotations

import pytest

from chaingraph.stores import graph_from_dataset
from chaingraph.errors import AmbiguousNameError, DatasetErrors, UnknownFirmError
from chaingraph.model import validate_graph
from chaingraph.stores import GraphStore, describe, is_database_uri, open_store
from chaingraph.stores.memory import MemoryStore

TEMPLATE_NODES = {"cn", "zj", "jx", "js", "dy", "sh",
                  "li", "ore", "cathode", "separator", "cell", "pack", "ev"}


def test_is_a_graph_store(tiny_store):
    assert isinstance(tiny_store, GraphStore)


def test_open_store_folder(tiny_path):
    store = open_store(str(tiny_path))
    assert isinstance(store, MemoryStore)
    assert store.metadata()["source"] == str(tiny_path)
    assert not is_database_uri(str(tiny_path))


def test_broken_dataset_is_not_loaded(make_dataset):
    with pytest.raises(DatasetErrors):
        MemoryStore.from_dataset(make_dataset(links_csv="supplier,customer\nlanjun,nobody\n"))


def test_counts(tiny_store):
    assert tiny_store.counts() == {"firms": 4, "links": 3, "segments": 6, "segment_links": 5, "chains": 1,
                                   "regions": 6, "anchors": 1}


def test_metadata(tiny_store, tiny_path):
    meta = tiny_store.metadata()
    assert meta["name"] == "tiny" and meta["home_region"] == "js" and meta["currency"] == "CNY"
    assert meta["source"] == str(tiny_path)


def test_template_has_no_firms(tiny_store):
    T = tiny_store.template()
    assert set(T) == TEMPLATE_NODES
    T.remove_node("cell")  # a copy: the store keeps its own
    assert "cell" in tiny_store.template()


@pytest.mark.parametrize("region, expected", [
    (None, ["lanjun"]), ("js", ["lanjun"]), ("zj", ["lanjun"]), ("cn", ["lanjun"]),
    ("dy", []), ("sh", []), ("nowhere", []),
])
def test_anchors_by_region(tiny_store, region, expected):
    assert tiny_store.anchors(region) == expected


@pytest.mark.parametrize("text", ["lanjun", "兰钧新能源", "Lanjun New Energy", "  lanjun "])
def test_resolve_firm(tiny_store, text):
    assert tiny_store.resolve_firm(text) == "lanjun"


def test_resolve_firm_unknown_lists_close_matches(tiny_store):
    """"Shanghai" and "上海" begin two firms' names: never the first silently, both listed (issue 12);
    "lanjum" matches nothing and rapidfuzz offers lanjun."""
    for query in ("Shanghai", "上海"):
        with pytest.raises(AmbiguousNameError) as amb:
            tiny_store.resolve_firm(query)
        assert [c[0] for c in amb.value.candidates] == ["shev", "shsep"]
    assert str(amb.value) == ("'上海' matches 2 firms: shev (上海汽车, 上海市); shsep (上海隔膜, 上海市); "
                              "pass the id of the one you mean")
    with pytest.raises(UnknownFirmError) as info:
        tiny_store.resolve_firm("lanjum")
    assert info.value.matches == ["兰钧新能源 (lanjun)"]


def test_resolve_firm_unknown_without_matches(tiny_store):
    with pytest.raises(UnknownFirmError) as info:
        tiny_store.resolve_firm("zzzzzz")
    assert info.value.matches == []
    assert "run 'chaingraph info SOURCE'" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_firm(tiny_store):
    assert tiny_store.firm("shev") == {
        "kind": "firm", "name": "上海汽车", "name_en": "Shanghai EV", "region": "sh", "segments": ("ev", "pack"),
        "anchor": False, "output_value": 9e10, "employees": 50000, "listed": True, "credit_code": None,
        "lat": None, "lon": None, "source": "invented", "extra": {}, "aliases": (), "parent": None}
    with pytest.raises(UnknownFirmError):
        tiny_store.firm("nobody")


# context (see chaingraph.stores): X = anchors | suppliers of anchors | local firms in segments (external
# false), or anchors | suppliers of anchors | firms in segments | local firms (external true); SUPPLIES edges
# inside X into an anchor or a peer of one, or with a local end
CONTEXTS = [
    # anchors, segments, region, external, firms, SUPPLIES edges
    (["lanjun"], ["separator"], "js", True, {"lanjun", "jscathode", "shsep"},
     {("jscathode", "lanjun", "cathode"), ("shsep", "lanjun", "separator")}),
    (["lanjun"], ["ev"], "js", False, {"lanjun", "jscathode", "shsep"},
     {("jscathode", "lanjun", "cathode"), ("shsep", "lanjun", "separator")}),
    (["lanjun"], ["ev"], "js", True, {"lanjun", "jscathode", "shsep", "shev"},
     {("jscathode", "lanjun", "cathode"), ("shsep", "lanjun", "separator"), ("lanjun", "shev", "cell")}),
    ([], [], "dy", True, {"jscathode"}, set()),
    ([], ["pack", "ore"], "dy", True, {"jscathode", "shev"}, set()),
    (["shev"], [], "dy", False, {"shev", "lanjun"}, {("lanjun", "shev", "cell")}),
    (["shev"], [], "dy", True, {"shev", "lanjun", "jscathode"},
     {("lanjun", "shev", "cell"), ("jscathode", "lanjun", "cathode")}),
    ([], [], "cn", False, set(), set()),
    ([], ["cathode", "ev"], "js", False, {"jscathode"}, set()),
    ([], [], "cn", True, {"lanjun", "jscathode", "shsep", "shev"},
     {("jscathode", "lanjun", "cathode"), ("shsep", "lanjun", "separator"), ("lanjun", "shev", "cell")}),
    (["nobody"], ["nothing"], "nowhere", True, set(), set()),
]


@pytest.mark.parametrize("anchors, segments, region, external, firms, edges", CONTEXTS)
def test_context_by_hand(tiny_store, tiny_path, anchors, segments, region, external, firms, edges):
    C = tiny_store.context(anchors=anchors, segments=segments, region=region, external=external)
    validate_graph(C)
    assert {n for n, d in C.nodes(data=True) if d["kind"] == "firm"} == firms
    assert set(C) == TEMPLATE_NODES | firms
    assert {e for e in C.edges(keys=True) if C.edges[e]["rel"] == "SUPPLIES"} == edges
    assert C.graph["context"] == {"anchors": anchors, "segments": sorted(segments), "region": region,
                                  "external": external}
    # equal to the matching subgraph of the whole graph
    G = graph_from_dataset(tiny_path)
    H = G.subgraph(TEMPLATE_NODES | firms)
    assert dict(C.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(C.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))


def test_context_leaves_out_links_between_external_firms_of_other_segments(make_dataset):
    folder = make_dataset(links_csv="supplier,customer,segment\njscathode,lanjun,cathode\n"
                                    "shsep,lanjun,separator\nlanjun,shev,cell\nshsep,shev,\n")
    store = MemoryStore.from_dataset(folder)
    C = store.context(anchors=["lanjun"], segments=["ev", "separator"], region="js", external=True)
    firms = {n for n, d in C.nodes(data=True) if d["kind"] == "firm"}
    assert firms == {"lanjun", "jscathode", "shsep", "shev"}
    # shsep -> shev: neither end is local, shev is no anchor and shares no segment with one
    assert set(C.edges(keys=True)) - set(store.template().edges(keys=True)) == {
        ("jscathode", "lanjun", "cathode"), ("shsep", "lanjun", "separator"), ("lanjun", "shev", "cell")}
    assert ("shsep", "shev", "") in store.whole_graph().edges(keys=True)


def test_whole_graph_equals_graph_from_dataset(tiny_store, tiny_path):
    W, G = tiny_store.whole_graph(), graph_from_dataset(tiny_path)
    assert dict(W.nodes(data=True)) == dict(G.nodes(data=True))
    assert sorted(W.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))


def test_describe(tiny_store):
    info = describe(tiny_store)
    assert info["home_region"] == {"id": "js", "name": "嘉善县", "name_en": "Jiashan"}
    assert [s["id"] for s in info["chains"][0]["segments"]] == [
        "ore", "cathode", "separator", "cell", "pack", "ev"]
    assert info["anchors"] == [{"id": "lanjun", "name": "兰钧新能源", "name_en": "Lanjun New Energy",
                                "region": "js", "region_name": "嘉善县", "region_name_en": "Jiashan",
                                "segments": ["cell"]}]
    assert len(info["regions"]) == 6


def test_empty_store(make_dataset):
    store = MemoryStore.from_dataset(make_dataset(firms_csv="id,name,region,segments\n", links_csv=None))
    assert store.counts()["firms"] == 0 and store.anchors() == []
    C = store.context(anchors=[], segments=["cell"], region="js")
    assert set(C) == TEMPLATE_NODES


def test_context_without_a_networkx_cache(tiny_store, monkeypatch):
    """networkx before 3.3 has no ``__networkx_cache__``; a context must still build.

    ``add_firms_and_links`` once called ``G.__networkx_cache__.clear()``, an AttributeError on 3.2.
    Here the template graph loses the attribute, as on 3.2, and the context of lanjun still holds its
    supplier link shsep -> lanjun (tests/data/tiny/links.csv).
    """
    import networkx as nx

    real_copy = nx.MultiDiGraph.copy

    def copy_without_cache(G, as_view=False):
        H = real_copy(G, as_view)
        H.__dict__.pop("__networkx_cache__", None)
        assert not hasattr(H, "__networkx_cache__")
        return H

    monkeypatch.setattr(nx.MultiDiGraph, "copy", copy_without_cache)
    G = tiny_store.context(anchors=["lanjun"], segments=["separator"], region="js")
    assert ("shsep", "lanjun") in G.edges()


def test_adding_firms_clears_the_networkx_cache():
    """Writing the adjacency dicts directly must drop what networkx cached of the graph before."""
    import networkx as nx

    from chaingraph.stores._graph import add_firms_and_links

    G = nx.MultiDiGraph()
    cache = getattr(G, "__networkx_cache__", None)
    if cache is None:
        pytest.skip(f"networkx {nx.__version__} keeps no cache on graphs (it came in 3.3)")
    cache["backends"] = {"stale": "converted graph"}
    add_firms_and_links(G, [("a", {"kind": "firm"})], [])
    assert G.__networkx_cache__ == {}


def test_firm_columns_are_the_context_attributes():
    """firm_columns looks many firms up at once (the targets' pipeline notes ask for 47,000 at a million
    firms, issue 17): every firm of jiashan gets the region, segments (a tuple) and parent its node in the
    whole graph has; an unknown id is left out."""
    from chaingraph.stores import FirmColumns

    store = MemoryStore.from_dataset("datasets/jiashan")
    assert isinstance(store, FirmColumns)
    G = store.whole_graph()
    ids = [n for n, d in G.nodes(data=True) if d.get("kind") == "firm"]
    got = store.firm_columns([*ids, "no-such-firm"], ("region", "segments", "parent"))
    assert sorted(got) == sorted(ids) and len(ids) == 206
    assert got["lanjun"] == {"region": "cn-zj-jx-jiashan-etdz", "segments": ("li-cell", "li-pack"),
                             "parent": "tsingshan"}
    assert all(got[f][c] == G.nodes[f].get(c) for f in ids for c in ("region", "segments", "parent"))


def test_index_reuses_the_link_rows_found_while_checking(tmp_path):
    """The rows of each link's ends, found while links.csv is checked, give the same index as looking the
    ends up among the firm ids again (on Jiashan and on a generated dataset whose links are shuffled by
    customer, so the customer CSR needs a real sort: keys above 65,535 take a second radix digit)."""
    import dataclasses
    from pathlib import Path

    import numpy as np

    from chaingraph.datasets import read_dataset
    from chaingraph.generate import generate_dataset
    from chaingraph.stores.memory import build_index

    generated = tmp_path / "gen"
    generate_dataset(generated, firms=70_000, seed=3)
    for folder in (Path(__file__).resolve().parent.parent / "datasets" / "jiashan", generated):
        ds = read_dataset(folder)
        assert len(ds.link_rows["supplier"]) == len(ds.links) > 0
        fast, plain = build_index(ds), build_index(dataclasses.replace(ds, link_rows={}))
        assert sorted(fast) == sorted(plain)
        for name in plain:
            assert fast[name].dtype == plain[name].dtype and np.array_equal(fast[name], plain[name]), name
