"""Graph builders both stores use: the template, firm nodes and SUPPLIES edges of the model graph.

Each store turns its own rows (Arrow tables in memory, query results from a
database) into the same :mod:`chaingraph.model` graph through these functions,
so the two cannot drift apart in what a node or an edge carries.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from chaingraph.datasets import FIRM_SCHEMA, LINK_SCHEMA, Dataset, read_dataset
from chaingraph.model import new_graph

if TYPE_CHECKING:  # new_graph imports networkx when a graph is made
    import networkx as nx

__all__ = ["template_graph", "firm_nodes", "link_edges", "add_firms_and_links", "graph_from_dataset"]


def template_graph(dataset: Dataset, **meta: Any) -> nx.MultiDiGraph:
    """The chains, segments and regions of ``dataset`` as a model graph without firms."""
    G = new_graph(**{**dataset.meta, **meta})
    for r in dataset.regions:
        G.add_node(r.id, kind="region", name=r.name, name_en=r.name_en, parent=r.parent, level=r.level,
                   lat=r.lat, lon=r.lon)
    for r in dataset.regions:
        if r.parent:
            G.add_edge(r.id, r.parent, key="PART_OF", rel="PART_OF")
    for c in dataset.chains:
        G.add_node(c.id, kind="chain", name=c.name, name_en=c.name_en)
    for s in dataset.segments:
        G.add_node(s.id, kind="segment", name=s.name, name_en=s.name_en, chain=s.chain, stage=s.stage)
        G.add_edge(s.id, s.chain, key="PART_OF", rel="PART_OF")
    for link in dataset.segment_links:
        G.add_edge(link.source, link.target, key="FEEDS", rel="FEEDS", weight=link.weight)
    return G


def firm_nodes(firms: pa.Table) -> list[tuple[str, dict[str, Any]]]:
    """``(id, attrs)`` of model firm nodes for the rows of a :data:`FIRM_SCHEMA` table."""
    names = [name for name in FIRM_SCHEMA.names if name != "id"]
    columns = [firms.column(name).to_pylist() for name in names]
    nodes = []
    for firm_id, *row in zip(firms.column("id").to_pylist(), *columns):
        attrs = dict(zip(names, row))
        attrs["kind"] = "firm"
        attrs["segments"] = tuple(attrs["segments"] or ())
        attrs["aliases"] = tuple(attrs.get("aliases") or ())
        attrs["extra"] = json.loads(attrs["extra"]) if attrs["extra"] else {}
        nodes.append((firm_id, attrs))
    return nodes


def link_edges(links: pa.Table) -> list[tuple[str, str, str, dict[str, Any]]]:
    """``(supplier, customer, key, attrs)`` of SUPPLIES edges for the rows of a :data:`LINK_SCHEMA` table."""
    cols = {name: links.column(name).to_pylist() for name in LINK_SCHEMA.names}
    return [
        (sup, cus, seg, {"rel": "SUPPLIES", "segment": seg, "product": prod, "value": val, "source": src,
                         "confidence": conf, "evidence": ev})
        for sup, cus, seg, prod, val, src, conf, ev in zip(
            cols["supplier"], cols["customer"], cols["segment"], cols["product"], cols["value"],
            cols["source"], cols["confidence"], cols["evidence"])
    ]


def graph_from_dataset(path: str | Path, *, encoding: str | None = None) -> nx.MultiDiGraph:
    """Read a dataset folder into one model graph (see :mod:`chaingraph.model`).

    Meant for small datasets and tests; a large one belongs in a store, which
    hands each analysis the context it needs.

    Examples
    --------
    >>> G = graph_from_dataset("tests/data/tiny")
    >>> sorted(n for n, d in G.nodes(data=True) if d["kind"] == "firm")
    ['jscathode', 'lanjun', 'shev', 'shsep']
    """
    dataset = read_dataset(path, encoding=encoding)
    G = template_graph(dataset, source=str(path))
    G.add_nodes_from(firm_nodes(dataset.firms))
    G.add_edges_from(link_edges(dataset.links))
    return G


def add_firms_and_links(G: nx.MultiDiGraph, nodes: list[tuple[str, dict[str, Any]]],
              edges: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Add firm nodes and SUPPLIES edges, writing networkx's adjacency dicts directly.

    ``add_edges_from`` on a MultiDiGraph goes through adjacency views and costs
    ~20 µs an edge; a context of a million links would take 20 s. The dicts
    written here are exactly those ``add_node``/``add_edge`` would write (the
    successor and predecessor entries share one key dict, as in networkx).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> add_firms_and_links(G, [("a", {"kind": "firm"}), ("b", {"kind": "firm"})],
    ...                     [("a", "b", "s1", {"rel": "SUPPLIES"})])
    >>> list(G.edges(keys=True))
    [('a', 'b', 's1')]
    """
    node, succ, pred = G._node, G._succ, G._pred
    for n, attrs in nodes:
        if n in node:
            node[n].update(attrs)
        else:
            node[n] = attrs
            succ[n] = G.adjlist_inner_dict_factory()
            pred[n] = G.adjlist_inner_dict_factory()
    factory = G.edge_key_dict_factory
    for u, v, key, attrs in edges:
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = factory()
            succ[u][v] = keydict
            pred[v][u] = keydict
        keydict[key] = attrs
    # networkx 3.3 caches converted graphs in G.__networkx_cache__ and clears it in the methods
    # bypassed here; networkx 3.2 has no cache, so there is nothing to clear.
    cache = getattr(G, "__networkx_cache__", None)
    if cache:
        cache.clear()
