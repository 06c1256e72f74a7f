"""The default store: a validated dataset held in memory, no server needed.

The bulk (firms and links) stays in compact columnar indexes: Arrow columns
for attributes and numpy CSR arrays for "firms in a segment", "links out of a
firm" and "links into a firm". networkx graphs are built only for the context
an analysis asks for, because a networkx graph of a million firms and five
million links would take half a minute and gigabytes to build.
"""
from __future__ import annotations

import difflib
import logging
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chaingraph.datasets import Dataset, firm_nodes, link_edges, read_dataset, template_graph
from chaingraph.errors import UnknownFirmError
from chaingraph.model import regions_within
from chaingraph.store import Progress

__all__ = ["MemoryStore"]

log = logging.getLogger(__name__)


def _np(arr: pa.Array | pa.ChunkedArray, dtype: Any) -> np.ndarray:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=dtype)


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and row order grouping rows by ``keys`` (values in ``0..n-1``)."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=offsets[1:])
    return offsets, order


def _gather(offsets: np.ndarray, order: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenate ``order[offsets[r]:offsets[r+1]]`` for every ``r`` in ``rows``, vectorised."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    pos = np.arange(total, dtype=np.int64) - np.repeat(ends - lengths, lengths) + np.repeat(starts, lengths)
    result: np.ndarray = order[pos]
    return result


def _add_fast(G: nx.MultiDiGraph, nodes: list[tuple[str, dict[str, Any]]],
              edges: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Add firm nodes and SUPPLIES edges, writing networkx's adjacency dicts directly.

    ``add_edges_from`` on a MultiDiGraph goes through adjacency views and costs
    ~20 µs an edge; a context of a million links would take 20 s. The dicts
    written here are exactly those ``add_node``/``add_edge`` would write (the
    successor and predecessor entries share one key dict, as in networkx).
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
    G.__networkx_cache__.clear()


class MemoryStore:
    """A dataset in memory, answering the :class:`~chaingraph.store.GraphStore` protocol.

    Build it with :meth:`from_dataset` (reads and validates a folder) or from
    a :class:`~chaingraph.datasets.Dataset` already read.
    """

    def __init__(self, dataset: Dataset, *, source: str | None = None) -> None:
        self.dataset = dataset
        self.source = source or str(dataset.path)
        self._template = template_graph(dataset, source=self.source)
        firms, links = dataset.firms, dataset.links
        self.firm_ids: pa.Array = firms.column("id").combine_chunks()
        n = len(self.firm_ids)
        self.region_ids = pa.array([r.id for r in dataset.regions], pa.string())
        self.segment_ids = pa.array([s.id for s in dataset.segments], pa.string())
        self.firm_region = _np(pc.index_in(firms.column("region"), self.region_ids), np.int32)
        self.anchor_mask = _np(firms.column("anchor"), bool)
        seg_lists = firms.column("segments").combine_chunks()
        seg_flat = _np(pc.index_in(pc.list_flatten(seg_lists), self.segment_ids), np.int64)
        seg_parent = _np(pc.list_parent_indices(seg_lists), np.int64)
        self.seg_offsets, order = _csr(seg_flat, len(self.segment_ids))
        self.seg_firms = seg_parent[order]
        self.link_sup = _np(pc.index_in(links.column("supplier"), self.firm_ids), np.int64)
        self.link_cus = _np(pc.index_in(links.column("customer"), self.firm_ids), np.int64)
        self.out_offsets, self.out_links = _csr(self.link_sup, n)
        self.in_offsets, self.in_links = _csr(self.link_cus, n)
        log.info("memory store: %d firms, %d links", n, len(self.link_sup))

    @classmethod
    def from_dataset(cls, path: str | Path, *, encoding: str | None = None,
                     progress: Progress | None = None) -> MemoryStore:
        """Read, validate and index the dataset folder ``path``.

        Raises :class:`~chaingraph.errors.DatasetErrors` if any row is bad.
        """
        return cls(read_dataset(path, encoding=encoding, progress=progress), source=str(path))

    # -- small parts -------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        return {**self.dataset.meta, "source": self.source}

    def counts(self) -> dict[str, int]:
        return {
            "firms": len(self.firm_ids),
            "links": len(self.link_sup),
            "segments": len(self.dataset.segments),
            "segment_links": len(self.dataset.segment_links),
            "chains": len(self.dataset.chains),
            "regions": len(self.dataset.regions),
            "anchors": int(self.anchor_mask.sum()),
        }

    def template(self) -> nx.MultiDiGraph:
        return self._template.copy()

    def _local_mask(self, region: str | None) -> np.ndarray:
        if region is None:
            return np.ones(len(self.firm_ids), dtype=bool)
        inside = pa.array(sorted(regions_within(self._template, region)), pa.string())
        idx = _np(pc.drop_null(pc.index_in(inside, self.region_ids)), np.int32)
        return np.isin(self.firm_region, idx)

    def anchors(self, region: str | None = None) -> list[str]:
        rows = np.flatnonzero(self.anchor_mask & self._local_mask(region))
        return sorted(self.firm_ids.take(pa.array(rows)).to_pylist())

    def _rows(self, ids: Collection[str]) -> np.ndarray:
        if not ids:
            return np.zeros(0, dtype=np.int64)
        # Hash the few ids asked for and scan the firm column once, rather than
        # hashing a million firm ids on every call.
        wanted = pa.array(list(dict.fromkeys(ids)), pa.string())
        position = pc.index_in(self.firm_ids, value_set=wanted)
        rows = np.flatnonzero(_np(pc.is_valid(position), bool))
        order = np.argsort(_np(position.take(pa.array(rows)), np.int64), kind="stable")
        result: np.ndarray = rows[order].astype(np.int64)
        return result

    def resolve_firm(self, text: str) -> str:
        text = text.strip()
        firms = self.dataset.firms
        for column in ("id", "name", "name_en"):
            col = firms.column(column)
            hit = pc.index(col, text).as_py()
            if hit >= 0:
                return str(self.firm_ids[hit].as_py())
        raise UnknownFirmError(text, self._close_matches(text))

    def _close_matches(self, text: str, n: int = 5) -> list[str]:
        firms = self.dataset.firms
        low = text.lower()
        hits: list[str] = []
        for column in ("id", "name", "name_en"):
            col = pc.fill_null(firms.column(column), "")
            contains = _np(pc.match_substring(col, low, ignore_case=True), bool)
            hits += [str(v) for v in col.filter(pa.array(contains))[:n].to_pylist()]
        if len(hits) < n and len(self.firm_ids) <= 200_000:
            names = [str(v) for col in ("id", "name", "name_en")
                     for v in pc.drop_null(firms.column(col)).to_pylist()]
            hits += difflib.get_close_matches(text, names, n=n, cutoff=0.6)
        return list(dict.fromkeys(hits))[:n]

    def firm(self, firm_id: str) -> dict[str, Any]:
        rows = self._rows([firm_id])
        if not len(rows):
            raise UnknownFirmError(firm_id, self._close_matches(firm_id))
        return firm_nodes(self.dataset.firms.take(pa.array(rows)))[0][1]

    # -- context -----------------------------------------------------------
    def context(self, *, anchors: Sequence[str], segments: Collection[str], region: str,
                external: bool = True) -> nx.MultiDiGraph:
        n = len(self.firm_ids)
        local = self._local_mask(region)
        anchor_rows = self._rows(anchors)
        keep = local.copy() if external else np.zeros(n, dtype=bool)
        keep[anchor_rows] = True
        keep[self.link_sup[_gather(self.in_offsets, self.in_links, anchor_rows)]] = True
        keep[self._in_segments(segments, local=None if external else local)] = True
        own = {s for row in anchor_rows.tolist()
               for s in (self.dataset.firms.column("segments")[row].as_py() or ())}
        near = local.copy()
        near[self._in_segments(own, local=None)] = True
        near[anchor_rows] = True
        rows = np.flatnonzero(keep)
        out = _gather(self.out_offsets, self.out_links, rows)
        sup, cus = self.link_sup[out], self.link_cus[out]
        links = np.sort(out[keep[cus] & (near[cus] | local[sup])])
        G = self._template.copy()
        G.graph["context"] = {"anchors": list(anchors), "segments": sorted(segments), "region": region,
                              "external": external}
        _add_fast(G, firm_nodes(self.dataset.firms.take(pa.array(rows))),
                  link_edges(self.dataset.links.take(pa.array(links))))
        return G

    def _in_segments(self, segments: Collection[str], *, local: np.ndarray | None) -> np.ndarray:
        """Rows of the firms with a segment in ``segments`` (only local ones when ``local`` is given)."""
        seg_rows = _np(pc.drop_null(pc.index_in(pa.array(sorted(segments), pa.string()), self.segment_ids)),
                       np.int64)
        rows = self.seg_firms[_gather(self.seg_offsets, np.arange(len(self.seg_firms)), seg_rows)]
        result: np.ndarray = rows if local is None else rows[local[rows]]
        return result

    def whole_graph(self) -> nx.MultiDiGraph:
        """Every node and edge; for small datasets, tests and exports."""
        G = self._template.copy()
        _add_fast(G, firm_nodes(self.dataset.firms), link_edges(self.dataset.links))
        return G

    def close(self) -> None:
        """Nothing to release; here for the protocol."""
