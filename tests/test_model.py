"""The graph model: FEEDS distances, the region tree, attribute rules and the JSON round trip."""
from __future__ import annotations

import json

import networkx as nx
import pytest

from chaingraph.stores import graph_from_dataset
from chaingraph.model import (
    display_name,
    graph_from_json,
    graph_to_json,
    new_graph,
    regions_within,
    segment_distances,
    validate_graph,
)


def feeds(*pairs: str) -> nx.MultiDiGraph:
    """A graph of FEEDS edges given as "a>b"."""
    G = nx.MultiDiGraph()
    for pair in pairs:
        a, b = pair.split(">")
        G.add_edge(a, b, key="FEEDS", rel="FEEDS")
    return G


# -- segment_distances -------------------------------------------------------------------------------


def test_segment_distances_null_graph():
    assert segment_distances(nx.MultiDiGraph(), []) == {}
    assert segment_distances(nx.MultiDiGraph(), ["x"]) == {"x": ("own", 0)}


def test_segment_distances_path():
    G = feeds("a>b", "b>c", "c>d", "d>e")
    assert segment_distances(G, ["c"], depth=1) == {
        "b": ("upstream", 1), "c": ("own", 0), "d": ("downstream", 1)}
    assert segment_distances(G, ["c"]) == {
        "a": ("upstream", 2), "b": ("upstream", 1), "c": ("own", 0), "d": ("downstream", 1),
        "e": ("downstream", 2)}
    assert segment_distances(G, ["a"], depth=10) == {
        "a": ("own", 0), "b": ("downstream", 1), "c": ("downstream", 2), "d": ("downstream", 3),
        "e": ("downstream", 4)}
    assert segment_distances(G, ["c"], depth=0) == {"c": ("own", 0)}


def test_segment_distances_cycle():
    # a > b > c > a: from a, c is one step upstream and b one step downstream; nothing loops forever
    G = feeds("a>b", "b>c", "c>a")
    assert segment_distances(G, ["a"], depth=5) == {
        "a": ("own", 0), "b": ("downstream", 1), "c": ("upstream", 1)}


def test_segment_distances_tie_is_upstream():
    # in a 2-cycle y is one step downstream of x and one step upstream: the tie goes upstream
    G = feeds("x>y", "y>x")
    assert segment_distances(G, ["x"]) == {"x": ("own", 0), "y": ("upstream", 1)}


def test_segment_distances_several_own_and_other_edges():
    G = feeds("ore>cathode", "cathode>cell", "separator>cell", "cell>pack")
    G.add_edge("cell", "li", key="PART_OF", rel="PART_OF")  # not FEEDS: ignored
    G.add_edge("f1", "f2", key="cell", rel="SUPPLIES")
    assert segment_distances(G, ["cell", "cathode", "cell"], depth=1) == {
        "cell": ("own", 0), "cathode": ("own", 0), "ore": ("upstream", 1), "separator": ("upstream", 1),
        "pack": ("downstream", 1)}


def test_segment_distances_tiny():
    G = graph_from_dataset("tests/data/tiny")
    assert segment_distances(G, ["cell"]) == {
        "cell": ("own", 0), "cathode": ("upstream", 1), "separator": ("upstream", 1), "ore": ("upstream", 2),
        "pack": ("downstream", 1), "ev": ("downstream", 2)}


# -- regions_within ----------------------------------------------------------------------------------


def test_regions_within_nested_two_levels(tiny_path):
    G = graph_from_dataset(tiny_path)
    assert regions_within(G, "dy") == {"dy"}
    assert regions_within(G, "js") == {"js", "dy"}
    assert regions_within(G, "zj") == {"zj", "jx", "js", "dy"}
    assert regions_within(G, "cn") == {"cn", "zj", "jx", "js", "dy", "sh"}
    assert regions_within(G, "nowhere") == {"nowhere"}


def test_regions_within_ignores_segments_and_firms(tiny_path):
    G = graph_from_dataset(tiny_path)
    # segments are PART_OF a chain, not of a region
    assert regions_within(G, "li") == {"li"}


# -- names, validate_graph ---------------------------------------------------------------------------


def test_display_name():
    assert display_name({"name": "兰钧", "name_en": "Lanjun"}) == "兰钧"
    assert display_name({"name": "兰钧", "name_en": "Lanjun"}, "en") == "Lanjun"
    assert display_name({"name": "", "name_en": "Lanjun"}, "zh") == "Lanjun"
    assert display_name({}, "en") == ""


def test_validate_graph_accepts_tiny(tiny_path):
    validate_graph(graph_from_dataset(tiny_path))
    validate_graph(new_graph())


def broken(change) -> str:
    G = graph_from_dataset("tests/data/tiny")
    change(G)
    with pytest.raises(ValueError) as info:
        validate_graph(G)
    return str(info.value)


def test_validate_graph_rules():
    assert broken(lambda G: G.add_node("x", kind="person", name="x")) == (
        "node 'x' has kind 'person'; expected one of ('firm', 'segment', 'chain', 'region')")
    assert broken(lambda G: G.nodes["li"].update(name="", name_en="")) == "chain 'li' has no name"
    assert broken(lambda G: G.nodes["shev"].pop("extra")) == "firm 'shev' lacks attributes ['extra']"
    assert broken(lambda G: G.nodes["shev"].update(segments=["ev"])) == (
        "firm 'shev': segments must be a tuple of segment ids")
    assert broken(lambda G: G.nodes["cell"].update(stage="middle")) == (
        "segment 'cell' has stage 'middle'; expected one of ('upstream', 'midstream', 'downstream')")
    assert broken(lambda G: G.add_edge("lanjun", "cell", rel="MAKES")) == (
        "edge 'lanjun'->'cell' has rel 'MAKES'; expected SUPPLIES, FEEDS or PART_OF")
    assert broken(lambda G: G.add_edge("lanjun", "cell", rel="SUPPLIES")) == (
        "SUPPLIES edge 'lanjun'->'cell' joins a firm to a segment")
    assert broken(lambda G: G.add_edge("lanjun", "js", rel="PART_OF")) == (
        "PART_OF edge 'lanjun'->'js' joins a firm to a region")
    assert broken(lambda G: G.add_edge("li", "cell", rel="FEEDS")) == (
        "FEEDS edge 'li'->'cell' joins a chain to a segment")


# -- JSON round trip -------------------------------------------------------------------------------


def assert_graphs_equal(G, H):
    assert type(G) is type(H)
    assert G.graph == H.graph
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))


def test_json_round_trip_tiny(tiny_path):
    G = graph_from_dataset(tiny_path)
    data = graph_to_json(G)
    text = json.dumps(data, ensure_ascii=False)
    H = graph_from_json(json.loads(text))
    assert_graphs_equal(G, H)
    assert H.nodes["shev"]["segments"] == ("ev", "pack")
    validate_graph(H)


def test_json_round_trip_template(tiny_path):
    from chaingraph.datasets import read_dataset
    from chaingraph.stores._graph import template_graph

    G = template_graph(read_dataset(tiny_path))
    assert_graphs_equal(G, graph_from_json(json.loads(json.dumps(graph_to_json(G)))))


def test_json_round_trip_null_graph():
    G = new_graph(name="empty")
    assert_graphs_equal(G, graph_from_json(json.loads(json.dumps(graph_to_json(G)))))


def test_json_round_trip_parallel_supplies():
    G = new_graph()
    for f in ("a", "b"):
        G.add_node(f, kind="firm", name=f, name_en="", region="r", segments=("s",), anchor=False,
                   output_value=None, employees=None, listed=None, credit_code=None, lat=None, lon=None,
                   source=None, extra={"备注": "x"})
    G.add_edge("a", "b", key="s", rel="SUPPLIES", value=1.0)
    G.add_edge("a", "b", key="", rel="SUPPLIES", value=None)
    H = graph_from_json(json.loads(json.dumps(graph_to_json(G))))
    assert_graphs_equal(G, H)
    assert H.number_of_edges("a", "b") == 2


def test_new_graph_metadata():
    G = new_graph(name="t", loaded_at="then")
    assert G.graph["name"] == "t" and G.graph["loaded_at"] == "then"
    from chaingraph import __version__

    assert G.graph["chaingraph_version"] == __version__
    assert isinstance(G, nx.MultiDiGraph)
