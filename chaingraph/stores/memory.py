"""The default store: a validated dataset held in memory, no server needed.

The bulk (firms and links) stays in compact columnar indexes: Arrow columns
for attributes and numpy CSR arrays for "firms in a segment", "links out of a
firm" and "links into a firm". networkx graphs are built only for the context
an analysis asks for, because a networkx graph of a million firms and five
million links would take half a minute and gigabytes to build.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chaingraph.datasets import MAX_FILE_SIZE, Dataset, read_dataset
from chaingraph.errors import UnknownFirmError
from chaingraph.model import (
    COARSE_DISTANCE,
    COARSE_PRECISIONS,
    CandidateLinks,
    CandidateTable,
    Chain,
    GapTable,
    Progress,
    Project,
    Region,
    Segment,
    SegmentLink,
    feeds_distances,
    location_precision,
    regions_within_records,
)
from chaingraph.names import Entry, NameIndex, normalise
from chaingraph.stores._graph import (
    add_firms_and_links,
    firm_nodes,
    link_edges,
    template_graph,
)
from chaingraph.stores.snapshot import (
    SnapshotError,
    cache_slot,
    fingerprint,
    is_snapshot,
    read_snapshot,
    write_snapshot,
)

if TYPE_CHECKING:  # networkx is imported by template_graph, when a graph is first asked for
    import networkx as nx

__all__ = ["MemoryStore", "build_index"]

log = logging.getLogger(__name__)


def _np(arr: pa.Array | pa.ChunkedArray, dtype: Any) -> np.ndarray:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=dtype)


def _stable_order(keys: np.ndarray, n: int) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for keys in ``0..n-1``, as a radix sort of 16-bit digits
    (numpy sorts 16-bit integers by radix, wider ones by timsort): twice as fast on five million
    links' customers at a million firms.

    Examples
    --------
    >>> _stable_order(np.array([70000, 3, 70000, 2, 3]), 70001).tolist()
    [3, 1, 4, 0, 2]
    >>> _stable_order(np.array([0, 0, 2]), 3).tolist()
    [0, 1, 2]
    """
    if (keys[1:] >= keys[:-1]).all():  # links.csv grouped by supplier already: nothing to sort
        return np.arange(len(keys), dtype=np.int64)
    # The 16-bit digits are read in place (a little-endian int64 is four of them); the order so far is kept as
    # int32 between passes: 16- and 32-bit temporaries rather than 64-bit ones (issue 17 §2, peak memory).
    words = np.ascontiguousarray(keys, dtype="<i8").view("<u2").reshape(-1, 4)
    order: np.ndarray | None = None
    shift = 0
    while True:
        digit = words[:, shift // 16]
        step = np.argsort(digit if order is None else digit[order], kind="stable")
        shift += 16
        last = n <= 1 << shift
        order = step if order is None else order[step]
        del step
        if last:
            return order.astype(np.int64, copy=False)
        if len(keys) < 2 ** 31:
            order = order.astype(np.int32)


def _take(rows: np.ndarray) -> pa.Array:
    """``pa.array(rows)`` for row numbers, without the converter's test for numpy masked arrays, which imports
    ``numpy.ma`` (20-40 ms) the first time: the gaps command takes rows only through here."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(rows), [None, pa.py_buffer(rows)])


def _sorted_distinct(rows: np.ndarray) -> np.ndarray:
    """``np.unique(rows)``, which on first use imports ``numpy.ma`` (20-40 ms of a ``gaps`` run)."""
    ordered = np.sort(rows)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    result: np.ndarray = ordered[keep]
    return result


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and row order grouping rows by ``keys`` (values in ``0..n-1``)."""
    order = _stable_order(keys, n)
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


def _bitmask(groups: np.ndarray, bits: np.ndarray, n_groups: int, words: int) -> np.ndarray:
    """An ``(n_groups, words)`` uint64 array with bit ``bits[i]`` set in row ``groups[i]``."""
    out = np.zeros((n_groups, words), dtype=np.uint64)
    shifted = np.left_shift(np.uint64(1), (bits % 64).astype(np.uint64))
    np.bitwise_or.at(out, (groups, bits // 64), shifted)
    return out


def _haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """:func:`chaingraph.analyses.targets.haversine_km`, term for term, on arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    result: np.ndarray = 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return result


def build_index(dataset: Dataset) -> dict[str, np.ndarray]:
    """The index arrays of :class:`MemoryStore` (its :attr:`~MemoryStore.INDEX`) for ``dataset``.

    ``firm_region``, ``anchor_mask`` and ``group_root`` (the row of the top of its parent
    chain, see :func:`_group_roots`) per firm; CSR ``seg_offsets``/``seg_firms`` (the
    firms of each segment); the rows ``link_sup``/``link_cus`` of each link's ends; CSR
    ``out_offsets``/``out_links`` and ``in_offsets``/``in_links`` (each firm's links).
    """
    firms, links = dataset.firms, dataset.links
    firm_ids = firms.column("id").combine_chunks()
    region_ids = pa.array([r.id for r in dataset.regions], pa.string())
    segment_ids = pa.array([s.id for s in dataset.segments], pa.string())
    seg_lists = firms.column("segments").combine_chunks()
    seg_flat = _np(pc.index_in(pc.list_flatten(seg_lists), segment_ids), np.int64)
    seg_parent = _np(pc.list_parent_indices(seg_lists), np.int64)
    seg_offsets, order = _csr(seg_flat, len(segment_ids))
    if dataset.link_rows:  # found while the links were checked
        link_sup, link_cus = dataset.link_rows["supplier"], dataset.link_rows["customer"]
    else:
        link_sup = _np(pc.index_in(links.column("supplier"), firm_ids), np.int64)
        link_cus = _np(pc.index_in(links.column("customer"), firm_ids), np.int64)
    out_offsets, out_links = _csr(link_sup, len(firm_ids))
    in_offsets, in_links = _csr(link_cus, len(firm_ids))
    return {"firm_region": _np(pc.index_in(firms.column("region"), region_ids), np.int32),
            "anchor_mask": _np(firms.column("anchor"), bool),
            "seg_offsets": seg_offsets, "seg_firms": seg_parent[order], "link_sup": link_sup,
            "link_cus": link_cus, "out_offsets": out_offsets, "out_links": out_links,
            "in_offsets": in_offsets, "in_links": in_links, "group_root": _group_roots(firms, firm_ids)}


def _group_roots(firms: pa.Table, firm_ids: pa.Array) -> np.ndarray:
    """Per firm, the row of the top of its parent chain (its own row without a parent).

    Saved in the snapshot with the other index arrays: following the parents of a million firms
    took half a second of every ``targets`` run (issue 17).
    """
    if firms.column("parent").null_count == len(firms):  # no groups: each firm is its own top
        return np.arange(len(firms))
    parent = _np(pc.fill_null(pc.index_in(firms.column("parent"), firm_ids), -1), np.int64)
    root = np.arange(len(parent))
    for _ in range(64):  # validation rules out cycles; chains are short
        up = parent[root]
        if not (up >= 0).any():
            break
        root = np.where(up >= 0, up, root)
    return root


def _weighted_distinct(owners: np.ndarray, others: np.ndarray, weights: np.ndarray, n: int,
                       n_owners: int) -> list[float]:
    """Per owner ``0..n_owners-1``, the sum over its distinct ``others`` (``< n``) of the largest weight of
    its pairs with that other: :func:`chaingraph.analyses.targets.weighted_count` of a confidence-weighted
    distinct count.

    The pairs come grouped by owner, so their keys ``owner * n + other`` are
    nearly sorted already; a stable sort of int64 is a radix sort, linear in the
    pairs, where ``np.unique`` took 20% of a targets run at a million firms.
    """
    keys = owners.astype(np.int64) * n + others
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    best = np.maximum.reduceat(weights[order], starts) if len(starts) else np.zeros(0)
    # summed in another order than the reference, hence the rounding to 9 decimals both apply
    sums = np.round(np.bincount(keys[starts] // n, weights=best, minlength=n_owners), 9)
    # float64 even without pairs (bincount of nothing gives int64), then Python floats in one call
    result: list[float] = sums.astype(np.float64, copy=False).tolist()
    return result


def _distinct_rows(rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(rows, return_inverse=True)`` for rows in ``0..n-1``, by a mask: linear, no sort."""
    present = np.zeros(n, dtype=bool)
    present[rows] = True
    position = np.cumsum(present) - 1
    return np.flatnonzero(present), position[rows]


def _distinct_signatures(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(bits, axis=0, return_inverse=True)`` for a 2-D uint64 array, by sorting row indices.

    With one word per row (up to 64 gap segments) the sort is a radix sort of
    that column; ``np.unique`` with ``axis=0`` sorted a structured copy, ten
    times slower on the 400k candidates of a million-firm dataset.
    """
    if bits.shape[1] == 1:
        order = np.argsort(bits[:, 0], kind="stable")
    else:
        order = np.lexsort(bits.T[::-1])
    ordered = bits[order]
    new = np.ones(len(ordered), dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(bits), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


@dataclass
class _Classified:
    """The links out of (``out``) and into (``inn``) some candidates, with what counting reads of them.

    ``out_owner``/``in_owner`` index the candidate of each link, ``v`` is the customer of an out-link
    and ``u`` the supplier of an in-link, ``w_out``/``w_in`` their confidences (0 under
    ``min_confidence``); the masks say which links count as a supply to an anchor, to a peer, and
    as a local tie either way.
    """

    out: np.ndarray
    out_owner: np.ndarray
    v: np.ndarray
    w_out: np.ndarray
    inn: np.ndarray
    in_owner: np.ndarray
    u: np.ndarray
    w_in: np.ndarray
    to_anchor: np.ndarray
    peer: np.ndarray
    tie_out: np.ndarray
    tie_in: np.ndarray


class MemoryStore:
    """A dataset in memory, answering the :class:`~chaingraph.stores.GraphStore` protocol.

    Build it with :meth:`from_dataset` (reads and validates a folder) or from
    a :class:`~chaingraph.datasets.Dataset` already read.
    """

    #: Candidates are counted with numpy (:meth:`candidates`).
    counts_candidates = True
    #: Gap tables are gathered from the columns (:meth:`gap_table`).
    tables_gaps = True

    #: The index arrays built from the dataset (see :func:`build_index`), saved in a snapshot.
    INDEX = ("firm_region", "anchor_mask", "seg_offsets", "seg_firms", "link_sup", "link_cus",
             "out_offsets", "out_links", "in_offsets", "in_links", "group_root")

    #: The last :meth:`_own_segment_bits` asked for, by its anchors' rows and words.
    _own_bits: tuple[tuple[tuple[int, ...], int], np.ndarray] | None = None

    def __init__(self, dataset: Dataset, *, source: str | None = None,
                 index: Mapping[str, np.ndarray] | None = None) -> None:
        self.dataset = dataset
        self.source = source or str(dataset.path)
        self.firm_ids: pa.Array = dataset.firms.column("id").combine_chunks()
        self.region_ids = pa.array([r.id for r in dataset.regions], pa.string())
        self.segment_ids = pa.array([s.id for s in dataset.segments], pa.string())
        arrays = build_index(dataset) if index is None else index
        # np.asarray: arrays memory-mapped from a snapshot act as plain read-only arrays
        self.firm_region, self.anchor_mask, self.seg_offsets, self.seg_firms, self.link_sup, self.link_cus, \
            self.out_offsets, self.out_links, self.in_offsets, self.in_links, self.group_root = (
                np.asarray(arrays[k]) for k in self.INDEX)
        log.info("memory store: %d firms, %d links", len(self.firm_ids), len(self.link_sup))

    @cached_property
    def _template(self) -> nx.MultiDiGraph:
        # built on first use: `gaps` reads the template as records (chain_template) and never needs it
        return template_graph(self.dataset, source=self.source)

    def index(self) -> dict[str, np.ndarray]:
        """The index arrays, by name (:attr:`INDEX`): what a snapshot saves beside the dataset."""
        return {k: getattr(self, k) for k in self.INDEX}

    @classmethod
    def from_dataset(cls, path: str | Path, *, encoding: str | None = None,
                     progress: Progress | None = None, max_file_size: int = MAX_FILE_SIZE) -> MemoryStore:
        """Read, validate and index the dataset folder ``path`` (files up to ``max_file_size`` bytes; no
        snapshot is read or written).

        Raises :class:`~chaingraph.errors.DatasetErrors` if any row is bad.
        """
        return cls(read_dataset(path, encoding=encoding, progress=progress, max_file_size=max_file_size),
                   source=str(path))

    @classmethod
    def from_snapshot(cls, folder: str | Path, *, source: str | None = None) -> MemoryStore:
        """Open a snapshot folder written by :meth:`save` (memory-mapped; checked before use).

        Raises :class:`~chaingraph.stores.snapshot.SnapshotError` when it is damaged or foreign.
        """
        try:
            dataset, arrays, _ = read_snapshot(folder)
        except SnapshotError as exc:
            raise SnapshotError(key="error.snapshot_unusable", path=str(folder), reason=exc) from exc
        return cls(dataset, source=source or str(folder), index=arrays)

    @classmethod
    def open(cls, path: str | Path, *, encoding: str | None = None, progress: Progress | None = None,
             cache: bool = True, cache_dir: str | Path | None = None,
             max_file_size: int = MAX_FILE_SIZE) -> MemoryStore:
        """Open a dataset folder through its cached snapshot, or a snapshot folder.

        A dataset folder whose snapshot in the cache (:func:`~chaingraph.stores.snapshot.cache_slot`)
        matches its fingerprint opens from the snapshot; otherwise it is read, validated
        and indexed, and the snapshot is written for the next run. A damaged or
        foreign snapshot is ignored and rewritten. ``cache=False`` neither reads
        nor writes one.
        """
        if is_snapshot(path):
            return cls.from_snapshot(path)
        if not cache or not Path(path).is_dir():
            return cls.from_dataset(path, encoding=encoding, progress=progress, max_file_size=max_file_size)
        slot = cache_slot(path, cache_dir)
        before = fingerprint(path)
        if is_snapshot(slot):
            try:
                dataset, arrays, _ = read_snapshot(slot, dataset_fingerprint=before, encoding=encoding)
                log.info("opened the snapshot %s", slot)
                return cls(dataset, source=str(path), index=arrays)
            except SnapshotError as exc:
                log.info("rebuilding the snapshot: %s", exc)
        store = cls.from_dataset(path, encoding=encoding, progress=progress, max_file_size=max_file_size)
        store._save_to_cache(slot, before, encoding)
        return store

    def _save_to_cache(self, slot: Path, before: Mapping[str, Any], encoding: str | None) -> None:
        # A file edited while it was read gives a store that matches neither fingerprint: keep no snapshot.
        after = fingerprint(self.dataset.path)
        if after != before:
            log.warning("the dataset changed while it was read; no snapshot written")
            return
        try:
            write_snapshot(slot, self.dataset, self.index(), dataset_fingerprint=after, encoding=encoding)
        except OSError as exc:
            # The cache is a convenience: a read-only or full disk must not fail the command.
            log.warning("could not write the snapshot %s: %s", slot, exc)

    def save(self, folder: str | Path) -> Path:
        """Write this store as the snapshot folder ``folder`` (replacing a snapshot there)."""
        return write_snapshot(folder, self.dataset, self.index(), dataset_fingerprint=None)

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

    def projects(self) -> Sequence[Project]:
        # a snapshot's projects stay columns until records are asked for (model.ProjectColumns)
        return self.dataset.projects

    def _local_mask(self, region: str | None) -> np.ndarray:
        if region is None:
            return np.ones(len(self.firm_ids), dtype=bool)
        inside = pa.array(sorted(regions_within_records(self.dataset.regions, region)), pa.string())
        idx = _np(pc.drop_null(pc.index_in(inside, self.region_ids)), np.int32)
        return np.isin(self.firm_region, idx)

    def anchors(self, region: str | None = None) -> list[str]:
        rows = np.flatnonzero(self.anchor_mask & self._local_mask(region))
        return sorted(self.firm_ids.take(_take(rows)).to_pylist())

    def _rows(self, ids: Collection[str]) -> np.ndarray:
        if not ids:
            return np.zeros(0, dtype=np.int64)
        # Hash the few ids asked for and scan the firm column once, rather than
        # hashing a million firm ids on every call.
        wanted = pa.array(list(dict.fromkeys(ids)), pa.string())
        position = pc.index_in(self.firm_ids, value_set=wanted)
        rows = np.flatnonzero(_np(pc.is_valid(position), bool))
        order = np.argsort(_np(position.take(_take(rows)), np.int64), kind="stable")
        result: np.ndarray = rows[order].astype(np.int64)
        return result

    def resolve_firm(self, text: str) -> str:
        """The firm ``text`` means, by :class:`chaingraph.names.NameIndex` (ids, names, English names,
        aliases; normalised; unique prefix or containment accepted; ambiguity an error)."""
        text = text.strip()
        hit = pc.index(self.firm_ids, text).as_py()
        if hit >= 0:
            return text
        return self._names.match(text).id

    @cached_property
    def _names(self) -> NameIndex:
        firms = self.dataset.firms
        region_name = {r.id: r.name or r.name_en for r in self.dataset.regions}
        cols = [firms.column(c).to_pylist() for c in ("id", "name", "name_en", "aliases", "region")]
        return NameIndex((Entry(i, n or "", e or "", tuple(a or ()), region_name.get(r or "", r or ""))
                          for i, n, e, a, r in zip(*cols)), kind="firm")

    def _close_matches(self, text: str, n: int = 5) -> list[str]:
        return self._names.close_matches(normalise(text), n)

    def firm(self, firm_id: str) -> dict[str, Any]:
        rows = self._rows([firm_id])
        if not len(rows):
            raise UnknownFirmError(firm_id, self._close_matches(firm_id))
        return firm_nodes(self.dataset.firms.take(pa.array(rows)))[0][1]

    def firm_columns(self, firm_ids: Collection[str], columns: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Some attributes of many firms at once: id -> ``{column: value}`` for the known ids (list
        columns as tuples), as on their context nodes; see :class:`~chaingraph.stores.FirmColumns`."""
        rows = self._rows(firm_ids)
        table = self.dataset.firms.select(list(columns)).take(pa.array(rows))
        ids = self.firm_ids.take(pa.array(rows)).to_pylist()
        values = [[tuple(v or ()) if pa.types.is_list(table.schema.field(c).type) else v
                   for v in table.column(c).to_pylist()] for c in columns]
        return {f: dict(zip(columns, row)) for f, *row in zip(ids, *values)}

    def firms_making(self, firm_ids: Collection[str], segments: Collection[str], *, outside: str) -> set[str]:
        """Those of ``firm_ids`` that make one of ``segments`` outside the region ``outside``: one mask
        over the segment index (see :class:`~chaingraph.stores.FirmColumns`); the projects' 270,000 firms
        at ten million took 11 s as attribute dicts."""
        rows = self._rows(firm_ids)
        making = np.zeros(len(self.firm_ids), dtype=bool)
        making[self._in_segments(segments, local=None)] = True
        return set(self._ids(rows[making[rows] & ~self._local_mask(outside)[rows]]))

    # -- gap tables ------------------------------------------------------------
    def chain_template(self) -> tuple[list[Region], list[Chain], list[Segment], list[SegmentLink]]:
        """The regions, chains, segments and FEEDS links of the dataset, as records (no graph built)."""
        d = self.dataset
        return list(d.regions), list(d.chains), list(d.segments), list(d.segment_links)

    def _known_rows(self, ids: Sequence[str]) -> np.ndarray:
        """The rows of ``ids`` (distinct, in the order given); :class:`UnknownFirmError` for an unknown one."""
        wanted = list(dict.fromkeys(ids))
        rows = self._rows(wanted)
        if len(rows) != len(wanted):
            known = set(self.firm_ids.take(_take(rows)).to_pylist())
            missing = next(f for f in wanted if f not in known)
            raise UnknownFirmError(missing, self._close_matches(missing))
        return rows

    def gap_table(self, *, anchors: Sequence[str], region: str, depth: int, extra: Sequence[str] = (),
                  every_segment: bool = False) -> GapTable:
        """The :class:`~chaingraph.model.GapTable` of ``anchors`` from the columns: the facts the gap context
        (``jobs._gap_context``) would hold, without a networkx node for each local firm (issue 17)."""
        anchors = list(dict.fromkeys(anchors))
        anchor_rows, extra_rows = self._known_rows(anchors), self._known_rows(extra)
        local = self._local_mask(region)
        seg_col = self.dataset.firms.column("segments")
        feeds = [(x.source, x.target) for x in self.dataset.segment_links]
        within: set[str] = set()
        for row in anchor_rows.tolist():
            within.update(feeds_distances(feeds, seg_col[row].as_py() or (), depth=depth))
        listed = [x.id for x in self.dataset.segments] if every_segment else sorted(within)
        by_segment, local_rows = self._local_by_segment(listed, local)
        # the local firms of the segments within depth are named in the tables; others are only counted
        named = [r for s, r in zip(listed, local_rows) if s in within]
        in_rows = [self.in_links[self.in_offsets[r]:self.in_offsets[r + 1]] for r in anchor_rows.tolist()]
        links = np.concatenate([np.zeros(0, dtype=np.int64), *in_rows])
        rows = _sorted_distinct(np.concatenate([anchor_rows, extra_rows, self.link_sup[links], *named]))
        firms = self._gap_firms(rows)
        table = self.dataset.links.select(["supplier", "segment", "value", "confidence"]).take(_take(links))
        sup, seg, val, conf = (table.column(c).to_pylist() for c in table.column_names)
        by_anchor: dict[str, list[tuple[str, str, float | None, float | None]]] = {}
        start = 0
        for a, chunk in zip(anchors, in_rows):
            keyed: dict[str, dict[str, tuple[float | None, float | None]]] = {}
            for i in range(start, start + len(chunk)):  # link rows ascending, as the context adds its edges
                keyed.setdefault(sup[i], {})[seg[i]] = (val[i], conf[i])
            start += len(chunk)
            by_anchor[a] = [(u, str(k), v, c) for u, ks in keyed.items() for k, (v, c) in ks.items()]
        supplier_rows = self.link_sup[links]
        return GapTable(
            regions=self.dataset.regions, chains=self.dataset.chains, segments=self.dataset.segments,
            segment_links=self.dataset.segment_links, region=region, local_by_segment=by_segment, firms=firms,
            local=frozenset(self.firm_ids.take(_take(rows[local[rows]])).to_pylist()), links=by_anchor,
            in_group=self._in_group(anchors, anchor_rows, in_rows, local, region, extra_rows, supplier_rows),
        )

    def _local_by_segment(self, segments: Sequence[str], local: np.ndarray) -> tuple[dict[str, list[str]],
                                                                                     list[np.ndarray]]:
        """The sorted ids of the local firms of each of ``segments``, and their rows (per segment)."""
        index = self._segment_index
        rows = []
        for s in segments:
            i = index.get(s)
            r = self.seg_firms[self.seg_offsets[i]:self.seg_offsets[i + 1]] if i is not None else np.zeros(0, int)
            rows.append(r[local[r]])
        ids = self.firm_ids.take(_take(np.concatenate([np.zeros(0, dtype=np.int64), *rows]))).to_pylist()
        out: dict[str, list[str]] = {}
        start = 0
        for s, r in zip(segments, rows):
            if len(r):
                out[s] = sorted(ids[start:start + len(r)])
            start += len(r)
        return out, rows

    def _gap_firms(self, rows: np.ndarray) -> dict[str, dict[str, Any]]:
        """Name, English name, region and segments (a tuple) of the firms of ``rows``, by id."""
        table = self.dataset.firms.select(["id", "name", "name_en", "region", "segments"]).take(_take(rows))
        ids, name, name_en, region, segments = (table.column(c).to_pylist() for c in table.column_names)
        return {f: {"name": n, "name_en": e, "region": r, "segments": tuple(s or ())}
                for f, n, e, r, s in zip(ids, name, name_en, region, segments)}

    def _parent_row(self, row: int) -> tuple[str | None, int | None]:
        """The parent id of the firm of ``row`` and that parent's row (``None`` when unknown)."""
        parent = self.dataset.firms.column("parent")[row].as_py()
        found = self._rows([parent]) if parent else np.zeros(0, dtype=np.int64)
        return parent, (int(found[0]) if len(found) else None)

    def _in_group(self, anchors: Sequence[str], anchor_rows: np.ndarray, in_rows: Sequence[np.ndarray],
                  local: np.ndarray, region: str, extra_rows: np.ndarray,
                  supplier_rows: np.ndarray) -> dict[str, frozenset[str]]:
        """Per anchor, its suppliers in its group as :func:`~chaingraph.model.group_of` finds them on the gap
        context: there a parent chain ends at the first parent the context leaves out. Only suppliers with
        the anchor's group root can be in its group; usually there is none, and nothing is walked."""
        out: dict[str, frozenset[str]] = {}
        context: set[int] | None = None
        for a, row, chunk in zip(anchors, anchor_rows.tolist(), in_rows):
            sup = _sorted_distinct(self.link_sup[chunk])
            same = sup[self.group_root[sup] == self.group_root[row]].tolist()
            if not same:
                continue
            if context is None:
                context = self._group_context(anchor_rows, local, region, extra_rows, supplier_rows)
            group = self._context_group(row, context)
            out[a] = frozenset(self.firm_ids.take(pa.array(
                [r for r in same if self._context_group(r, context) == group])).to_pylist())
        return out

    def _group_context(self, anchor_rows: np.ndarray, local: np.ndarray, region: str, extra_rows: np.ndarray,
                       supplier_rows: np.ndarray) -> set[int]:
        """The rows of the firms the gap context holds that may sit on a parent chain: the anchors, their
        suppliers, the extra firms, the region's anchors and their parents up the chain, and (tested apart
        in :meth:`_context_group`) the local firms that make a segment."""
        home = self._rows(self.anchors(region))
        rows = {int(r) for r in np.concatenate([anchor_rows, supplier_rows, extra_rows, home]).tolist()}
        for r in np.concatenate([anchor_rows, home]).tolist():
            seen = {int(r)}
            parent, prow = self._parent_row(int(r))
            while parent and prow is not None and prow not in seen:
                seen.add(prow)
                rows.add(prow)
                parent, prow = self._parent_row(prow)
        has_segment = np.zeros(len(self.firm_ids), dtype=bool)
        has_segment[self.seg_firms] = True
        rows.update(np.flatnonzero(local & has_segment).tolist())
        return rows

    def _context_group(self, row: int, context: set[int]) -> str:
        """:func:`~chaingraph.model.group_of` of the firm of ``row`` on a graph holding the firms ``context``."""
        node = self.firm_ids[row].as_py()
        seen = {node}
        current: int | None = row
        while True:
            parent, prow = self._parent_row(current) if current is not None else (None, None)
            if not parent or parent in seen:
                return str(node)
            seen.add(parent)
            node, current = parent, (prow if prow in context else None)

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
        add_firms_and_links(G, firm_nodes(self.dataset.firms.take(pa.array(rows))),
                  link_edges(self.dataset.links.take(pa.array(links))))
        return G

    def _in_segments(self, segments: Collection[str], *, local: np.ndarray | None) -> np.ndarray:
        """Rows of the firms with a segment in ``segments`` (only local ones when ``local`` is given)."""
        seg_rows = _np(pc.drop_null(pc.index_in(pa.array(sorted(segments), pa.string()), self.segment_ids)),
                       np.int64)
        rows = self.seg_firms[_gather(self.seg_offsets, np.arange(len(self.seg_firms)), seg_rows)]
        result: np.ndarray = rows if local is None else rows[local[rows]]
        return result

    # -- candidates --------------------------------------------------------
    @cached_property
    def _segment_index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.segment_ids.to_pylist())}

    @cached_property
    def _confidence(self) -> np.ndarray:
        """Every link's confidence (the dataset fills empty cells from the evidence defaults)."""
        column = self.dataset.links.column("confidence")
        return _np(pc.fill_null(column, 1.0) if column.null_count else column, np.float64)

    @cached_property
    def _output(self) -> np.ndarray:
        return _np(pc.fill_null(self.dataset.firms.column("output_value"), float("nan")), np.float64)

    @cached_property
    def _coords(self) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude of every firm, from its own columns or else its region's (NaN if none)."""
        firms = self.dataset.firms
        lat = _np(pc.fill_null(firms.column("lat"), float("nan")), np.float64)
        lon = _np(pc.fill_null(firms.column("lon"), float("nan")), np.float64)
        nan = float("nan")
        rlat = np.array([nan if r.lat is None else r.lat for r in self.dataset.regions] + [nan])
        rlon = np.array([nan if r.lon is None else r.lon for r in self.dataset.regions] + [nan])
        region = np.where(self.firm_region < 0, len(rlat) - 1, self.firm_region)
        own = ~(np.isnan(lat) | np.isnan(lon))
        return np.where(own, lat, rlat[region]), np.where(own, lon, rlon[region])

    def candidates(self, *, anchors: Sequence[str], gaps: Mapping[str, Collection[str]], region: str,
                   exclude: Collection[str] = (), min_output: float | None = None,
                   min_confidence: float = 0.0) -> CandidateTable:
        """Count every candidate's links column by column (see :class:`~chaingraph.stores.CandidateTable`).

        The anchors are bits of a uint64 mask, so "supplies a firm that makes
        an own segment of one of its anchors" is one AND per link; distinct
        counts sort (candidate, firm) keys, grouped by candidate already.
        """
        n = len(self.firm_ids)
        anchor_ids = sorted(set(anchors))
        anchor_rows = self._rows(anchor_ids)
        if len(anchor_rows) != len(anchor_ids):
            missing = sorted(set(anchor_ids) - set(self.firm_ids.take(pa.array(anchor_rows)).to_pylist()))
            raise UnknownFirmError(missing[0], self._close_matches(missing[0]))
        words = max(1, (len(anchor_ids) + 63) // 64)
        bit = {a: j for j, a in enumerate(anchor_ids)}
        is_anchor = np.zeros(n, dtype=bool)
        is_anchor[anchor_rows] = True
        local = self._local_mask(region)
        firm_own = self._own_segment_bits(anchor_rows, words)
        # (firm, gap segment) pairs of the firms that may be candidates
        gap_ids = sorted(s for s in gaps if s in self._segment_index)
        seg_rows = np.array([self._segment_index[s] for s in gap_ids], dtype=np.int64)
        pair_firm = self.seg_firms[_gather(self.seg_offsets, np.arange(len(self.seg_firms)), seg_rows)]
        pair_gap = np.repeat(np.arange(len(gap_ids)), self.seg_offsets[seg_rows + 1] - self.seg_offsets[seg_rows])
        ok = ~local[pair_firm] & ~is_anchor[pair_firm]
        if exclude:
            ok[np.isin(pair_firm, self._rows(exclude))] = False
        if min_output is not None:
            ok &= self._output[pair_firm] >= min_output
        cand, inv = _distinct_rows(pair_firm[ok], n)
        m = len(cand)
        # the set of gap segments of each candidate, as a signature shared by many
        gap_bits = _bitmask(inv, pair_gap[ok], m, max(1, (len(gap_ids) + 63) // 64))
        sigs, sig_of = _distinct_signatures(gap_bits)
        sig_segments: list[tuple[str, ...]] = []
        sig_anchors = np.zeros((len(sigs), words), dtype=np.uint64)
        for u, row in enumerate(sigs.tolist()):
            segs = tuple(s for g, s in enumerate(gap_ids) if (row[g // 64] >> (g % 64)) & 1)
            sig_segments.append(segs)
            for a in {a for s in segs for a in gaps[s]}:
                sig_anchors[u, bit[a] // 64] |= np.uint64(1 << (bit[a] % 64))
        cand_anchors = sig_anchors[sig_of]
        k = self._classified(cand, cand_anchors, is_anchor, local, firm_own, min_confidence)
        supplies = np.zeros(m)
        np.maximum.at(supplies, k.out_owner[k.to_anchor], k.w_out[k.to_anchor])
        peers = _weighted_distinct(k.out_owner[k.peer], k.v[k.peer], k.w_out[k.peer], n, m)
        ties = _weighted_distinct(np.concatenate([k.out_owner[k.tie_out], k.in_owner[k.tie_in]]),
                                  np.concatenate([k.v[k.tie_out], k.u[k.tie_in]]),
                                  np.concatenate([k.w_out[k.tie_out], k.w_in[k.tie_in]]), n, m)
        # located only at province or country precision: a neutral proximity, and such anchors
        # are not the nearest of anyone
        coarse = self._coarsely_located(np.concatenate([anchor_rows, cand]))
        for j in np.flatnonzero(coarse[:len(anchor_rows)]).tolist():
            sig_anchors[:, j // 64] &= ~np.uint64(1 << (j % 64))
        best = self._nearest_km(cand, sig_of, sig_anchors, anchor_rows)
        best[coarse[len(anchor_rows):]] = COARSE_DISTANCE
        output = self._output[cand]
        return CandidateTable(
            ids=self.firm_ids.take(pa.array(cand)).to_pylist(),
            segments=[sig_segments[i] for i in sig_of.tolist()],
            supplies_anchor=supplies.tolist(),
            peers=peers,
            ties=ties,
            output=[x if x > 0 else None for x in np.where(np.isnan(output), 0.0, output).tolist()],
            distance=[None if x != x else x for x in best.tolist()],
            groups=self.firm_ids.take(pa.array(self.group_root[cand])).to_pylist(),
        )

    def _classified(self, cand: np.ndarray, cand_anchors: np.ndarray, is_anchor: np.ndarray, local: np.ndarray,
                    firm_own: np.ndarray, min_confidence: float) -> _Classified:
        """The links of the candidates ``cand`` (rows; ``cand_anchors`` the bits of their anchors),
        sorted into what :meth:`candidates` and :meth:`candidate_links` count."""
        out = _gather(self.out_offsets, self.out_links, cand)
        out_owner = np.repeat(np.arange(len(cand)), self.out_offsets[cand + 1] - self.out_offsets[cand])
        v, w_out = self.link_cus[out], self._confidence[out]
        inn = _gather(self.in_offsets, self.in_links, cand)
        in_owner = np.repeat(np.arange(len(cand)), self.in_offsets[cand + 1] - self.in_offsets[cand])
        u, w_in = self.link_sup[inn], self._confidence[inn]
        if min_confidence > 0:  # only the links gathered, not every link of the store
            w_out[w_out < min_confidence] = 0.0
            w_in[w_in < min_confidence] = 0.0
        counts, other = w_out > 0, ~is_anchor[v]
        # one word of anchor bits at a time: 1-D gathers, several times faster than rows of a 2-D array
        shares = np.zeros(len(out), dtype=bool)
        for word in range(firm_own.shape[1]):
            shares |= (firm_own[:, word][v] & cand_anchors[:, word][out_owner]) != 0
        return _Classified(
            out, out_owner, v, w_out, inn, in_owner, u, w_in,
            to_anchor=~other & counts, peer=other & counts & shares, tie_out=other & local[v] & counts,
            tie_in=~is_anchor[u] & local[u] & (w_in > 0))

    def candidate_links(self, firms: Sequence[str], *, anchors: Sequence[str], gaps: Mapping[str, Collection[str]],
                        region: str, min_confidence: float = 0.0) -> dict[str, CandidateLinks]:
        """The links behind the counts of :meth:`candidates`, for a few candidates ``firms``: what
        their reasons name (see :class:`~chaingraph.model.CandidateLinks`), read from the CSR arrays
        rather than from a networkx neighbourhood of every firm they touch."""
        rows = self._rows(firms)
        anchor_ids = sorted(set(anchors))
        anchor_rows = self._rows(anchor_ids)
        bit = {a: j for j, a in enumerate(self.firm_ids.take(pa.array(anchor_rows)).to_pylist())}
        words = max(1, (len(bit) + 63) // 64)
        is_anchor = np.zeros(len(self.firm_ids), dtype=bool)
        is_anchor[anchor_rows] = True
        cand_anchors = np.zeros((len(rows), words), dtype=np.uint64)
        seg_lists = self.dataset.firms.column("segments").take(pa.array(rows)).to_pylist()
        for i, segs in enumerate(seg_lists):
            for a in {a for s in segs or () if s in gaps for a in gaps[s]}:
                cand_anchors[i, bit[a] // 64] |= np.uint64(1 << (bit[a] % 64))
        k = self._classified(rows, cand_anchors, is_anchor, self._local_mask(region),
                             self._own_segment_bits(anchor_rows, words), min_confidence)
        ids = self.firm_ids.take(pa.array(rows)).to_pylist()
        out: dict[str, CandidateLinks] = {f: ({}, {}, {}) for f in ids}
        sup = k.out[k.to_anchor]
        segments = self.dataset.links.column("segment").take(pa.array(sup)).to_pylist()
        evidence = self.dataset.links.column("evidence").take(pa.array(sup)).to_pylist()
        for o, a, seg, w, ev in zip(k.out_owner[k.to_anchor].tolist(), self._ids(k.v[k.to_anchor]), segments,
                                    k.w_out[k.to_anchor].tolist(), evidence):
            out[ids[o]][0].setdefault(a, []).append((str(seg), w, str(ev or "unknown")))
        for links in out.values():
            for lst in links[0].values():
                lst.sort(key=lambda x: (-x[1], x[0]))
        peer_owner = k.out_owner[k.peer].tolist()
        tie_owner = [*k.out_owner[k.tie_out].tolist(), *k.in_owner[k.tie_in].tolist()]
        for part, owners, others, weights in (
                (1, peer_owner, k.v[k.peer], k.w_out[k.peer].tolist()),
                (2, tie_owner, np.concatenate([k.v[k.tie_out], k.u[k.tie_in]]),
                 [*k.w_out[k.tie_out].tolist(), *k.w_in[k.tie_in].tolist()])):
            for o, f, w in zip(owners, self._ids(others), weights):
                best = out[ids[o]][part]
                if w > best.get(f, 0.0):
                    best[f] = w
        return out

    def _ids(self, rows: np.ndarray) -> list[str]:
        """The firm ids of ``rows``."""
        ids: list[str] = self.firm_ids.take(pa.array(rows, pa.int64())).to_pylist()
        return ids

    def _coarsely_located(self, rows: np.ndarray) -> np.ndarray:
        """Whether each firm of ``rows`` is located only at province or country precision
        (:func:`~chaingraph.model.location_precision`, a column at a time)."""
        firms, take = self.dataset.firms, pa.array(rows, pa.int64())
        lat = _np(pc.fill_null(firms.column("lat").take(take), float("nan")), np.float64)
        lon = _np(pc.fill_null(firms.column("lon").take(take), float("nan")), np.float64)
        own = ~(np.isnan(lat) | np.isnan(lon))
        levels = np.array([r.level for r in self.dataset.regions] + [""], dtype=object)
        region = self.firm_region[rows]
        level = levels[np.where(region < 0, len(levels) - 1, region)]
        coarse: np.ndarray = ~own & np.isin(level, sorted(COARSE_PRECISIONS))
        extra = firms.column("extra").take(take)
        # only the few rows with a precision column need their extras parsed
        hits = _np(pc.fill_null(pc.match_substring(extra, '"precision"'), False), bool)
        for i in np.flatnonzero(hits).tolist():
            override = json.loads(extra[i].as_py()).get("precision")
            coarse[i] = location_precision(override, bool(own[i]), level[i]) in COARSE_PRECISIONS
        return coarse

    def _own_segment_bits(self, anchor_rows: np.ndarray, words: int) -> np.ndarray:
        """Per firm, a mask with bit ``j`` set when it makes an own segment of anchor ``anchor_rows[j]``.

        The last one is kept: counting the candidates and then explaining the targets ask for the same
        anchors' (a pass over every firm of their segments, six seconds at ten million firms).
        """
        key = (tuple(anchor_rows.tolist()), words)
        last = self._own_bits
        if last is not None and last[0] == key:
            kept: np.ndarray = last[1]
            return kept
        firms, bits = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for j, row in enumerate(anchor_rows.tolist()):
            rows = self._in_segments(self.dataset.firms.column("segments")[row].as_py() or (), local=None)
            firms.append(rows)
            bits.append(np.full(len(rows), j, dtype=np.int64))
        out = _bitmask(np.concatenate(firms), np.concatenate(bits), len(self.firm_ids), words)
        out.setflags(write=False)  # shared by the next call: an in-place edit would change its answers
        self._own_bits = (key, out)
        return out

    def _nearest_km(self, rows: np.ndarray, sig_of: np.ndarray, sig_anchors: np.ndarray,
                    anchor_rows: np.ndarray) -> np.ndarray:
        """Km from each firm of ``rows`` to the nearest of its anchors with coordinates, the first in id
        order on a tie; NaN where there is none. Firm ``i``'s anchors are the bits of
        ``sig_anchors[sig_of[i]]`` (its signature's)."""
        lat, lon = self._coords
        flat, flon = lat[rows], lon[rows]
        best = np.full(len(rows), np.nan)
        # the firms of each signature, so that an anchor's firms are gathered from its few signatures
        # rather than found by a test of every firm's bits (50 tests of 4 million at ten million firms)
        sig_offsets, by_sig = _csr(sig_of, len(sig_anchors))
        for j, row in enumerate(anchor_rows.tolist()):
            if np.isnan(lat[row]) or np.isnan(lon[row]):
                continue
            # only the firms of this anchor: each anchor has a part of the candidates
            sigs = np.flatnonzero((sig_anchors[:, j // 64] >> np.uint64(j % 64)) & np.uint64(1))
            mine = _gather(sig_offsets, by_sig, sigs)
            d = _haversine_km(flat[mine], flon[mine], float(lat[row]), float(lon[row]))
            now = best[mine]
            better = ~np.isnan(d) & (np.isnan(now) | (d < now))
            best[mine[better]] = d[better]
        return best

    def neighbourhood(self, firms: Collection[str], *, also: Collection[str] = ()) -> nx.MultiDiGraph:
        """The template with ``firms``, all their SUPPLIES links and the firms at the other ends.

        The firms ``also`` are added as nodes, with only the links they share with those.
        """
        rows = self._rows(firms)
        links = np.unique(np.concatenate([_gather(self.out_offsets, self.out_links, rows),
                                          _gather(self.in_offsets, self.in_links, rows)]))
        ends = np.unique(np.concatenate([rows, self._rows(also), self.link_sup[links], self.link_cus[links]]))
        G = self._template.copy()
        add_firms_and_links(G, firm_nodes(self.dataset.firms.take(pa.array(ends))),
                  link_edges(self.dataset.links.take(pa.array(links))))
        return G

    def whole_graph(self) -> nx.MultiDiGraph:
        """Every node and edge; for small datasets, tests and exports."""
        G = self._template.copy()
        add_firms_and_links(G, firm_nodes(self.dataset.firms), link_edges(self.dataset.links))
        return G

    def close(self) -> None:
        """Nothing to release; here for the protocol."""
