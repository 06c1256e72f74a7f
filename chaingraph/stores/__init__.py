"""Graph stores: where a loaded dataset lives, and what analyses may ask of it.

A store answers a few bounded questions, so that a graph-database store can
answer them with indexed queries on a graph of tens of millions of firms:

* the small parts of a dataset in full: its metadata, the chain templates
  (chains, segments, FEEDS) and the region tree;
* the anchors of a region, and which firm an id or name means;
* the *context* of some anchors: a :class:`networkx.MultiDiGraph` (see
  :mod:`chaingraph.model`) holding the templates, the region tree and the firms
  an analysis needs, with the SUPPLIES links among them.

Context
-------
``store.context(anchors=A, segments=S, region=R, external=...)`` holds every
segment, chain and region node, and the firm set

    X = A | suppliers of A | local firms in S                 (external false)
    X = A | suppliers of A | firms in S | local firms        (external true)

where a firm is *local* when its region is R or inside R. Its SUPPLIES edges
are the links u -> v with u and v in X that touch the anchors' side of the
chain: v is an anchor, or v is a *peer* (a firm sharing a segment with an
anchor), or u or v is local. Links between two external firms of other
segments are left out: no analysis reads them, and at a million firms they
are most of the graph. Both stores must return equal graphs for equal
arguments; the parity tests compare them.

Candidates
----------
Ranking recruitment targets reads every firm of every gap segment: on a
million-firm graph that is hundreds of thousands of firms. A store that can
count a candidate's links itself (:class:`CandidateSource`: the memory store
with numpy, the database store with one aggregating query) answers
``store.candidates(...)`` with a :class:`CandidateTable`, and
``store.neighbourhood(firms)`` with the small graph that the reasons of the
top few are worded from. Otherwise the store hands over the context and the
ranking counts in networkx; both give the same targets.
"""
from __future__ import annotations

import os
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from chaingraph.datasets import MAX_FILE_SIZE
from chaingraph.model import (
    STAGE_ORDER,
    CandidateSource,
    CandidateTable,
    Progress,
    Project,
)
from chaingraph.stores._graph import graph_from_dataset
from chaingraph.stores._uri import DATABASE_SCHEMES, check_uri

if TYPE_CHECKING:  # imported where a graph is built: `gaps` on a memory store never imports networkx
    import networkx as nx

__all__ = ["GraphStore", "CandidateSource", "CandidateTable", "FirmColumns",
           "Progress", "open_store", "is_database_uri",
           "refuse_other_uri", "describe", "graph_from_dataset", "save_snapshot"]


@runtime_checkable
class GraphStore(Protocol):
    """What analyses and exports may ask of a store."""

    def metadata(self) -> dict[str, Any]:
        """Dataset metadata: name, title, description, licence, sources, home_region, currency, source."""

    def counts(self) -> dict[str, int]:
        """Number of firms, links, segments, segment_links, chains, regions and anchors."""

    def template(self) -> nx.MultiDiGraph:
        """Every chain, segment and region node with the FEEDS and PART_OF edges; no firms."""

    def anchors(self, region: str | None = None) -> list[str]:
        """Ids of the anchor firms in ``region`` or inside it (all anchors when ``None``), sorted."""

    def resolve_firm(self, text: str) -> str:
        """The id of the firm whose id, name or English name is exactly ``text``.

        Raises :class:`~chaingraph.errors.UnknownFirmError` listing close matches.
        """

    def firm(self, firm_id: str) -> dict[str, Any]:
        """The attributes of one firm, as on a context node."""

    def context(
        self,
        *,
        anchors: Sequence[str],
        segments: Collection[str],
        region: str,
        external: bool = True,
    ) -> nx.MultiDiGraph:
        """The graph an analysis of ``anchors`` needs (see the module docstring)."""

    def projects(self) -> Sequence[Project]:
        """The dataset's projects (projects.csv), in file order; empty without any. A store may give
        them as :class:`~chaingraph.model.ProjectColumns` too, read column by column."""

    def close(self) -> None:
        """Release connections and memory."""


@runtime_checkable
class FirmColumns(Protocol):
    """A store that looks up some attributes of many firms at once, or which of them make some segments
    outside a region (the memory store), where :meth:`GraphStore.firm` would take one call, a scan of the
    firm ids, per firm."""

    def firm_columns(self, firm_ids: Collection[str], columns: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{firm id: {column: value}}`` for the known ``firm_ids``; list columns as tuples."""

    def firms_making(self, firm_ids: Collection[str], segments: Collection[str], *, outside: str) -> set[str]:
        """Those of ``firm_ids`` that make one of ``segments`` and are not in the region ``outside`` nor
        in a region within it (unknown ids left out)."""


def is_database_uri(source: str) -> bool:
    """Whether ``source`` names a graph database rather than a dataset folder.

    Examples
    --------
    >>> is_database_uri("bolt://127.0.0.1:7687"), is_database_uri("datasets/jiashan")
    (True, False)
    """
    scheme, sep, _ = str(source).partition("://")
    return bool(sep) and scheme.lower() in DATABASE_SCHEMES


def refuse_other_uri(source: str) -> None:
    """Raise :class:`~chaingraph.errors.StoreError` for a ``source`` that is no folder but looks like a
    URI of another kind (``http://u:pw@host``), naming the schemes that work and with the password
    redacted, rather than echoing it as a missing folder. Two letters at least before ``:/``, so a
    Windows drive (``C:/data``) is a folder.
    """
    if re.match(r"[A-Za-z][A-Za-z0-9+.\-]+:/", str(source)) and not os.path.exists(source):
        check_uri(source)


def open_store(
    source: str,
    *,
    encoding: str | None = None,
    progress: Progress | None = None,
    max_file_size: int = MAX_FILE_SIZE,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    **options: Any,
) -> GraphStore:
    """Open a dataset folder or a snapshot in the memory store, or connect to a database URI.

    Parameters
    ----------
    source
        A dataset folder (validated, then loaded in memory), a snapshot folder
        (``chaingraph load SOURCE --to NAME.chaingraph``), or a URI:
        ``neo4j://``, ``bolt://`` (and ``+s`` variants) or ``falkordb://``.
    encoding
        Encoding of the dataset's CSV files; detected when ``None``.
    progress
        Called as rows are read or written.
    max_file_size
        Largest dataset file read, in bytes (2 GiB by default).
    cache
        Open a dataset folder through its snapshot in the cache, writing the
        snapshot when there is none or it is stale (see :mod:`chaingraph.stores.snapshot`).
    cache_dir
        The cache folder (default: ``$CHAINGRAPH_CACHE``, else ``$XDG_CACHE_HOME/chaingraph``,
        else ``~/.cache/chaingraph``).
    options
        Passed to the database store (user, password, database, graph).
    """
    if is_database_uri(source):
        from chaingraph.stores.graphdb import CypherStore

        check_uri(source)
        return CypherStore.connect(source, **options)
    refuse_other_uri(source)
    from chaingraph.stores.memory import MemoryStore

    return MemoryStore.open(source, encoding=encoding, progress=progress, cache=cache, cache_dir=cache_dir,
                           max_file_size=max_file_size)


def save_snapshot(source: str | Path, target: str | Path, *, encoding: str | None = None,
                  progress: Progress | None = None) -> dict[str, int]:
    """Read and validate the dataset folder ``source`` and save it as the snapshot folder ``target``.

    ``open_store(target)`` then opens it memory-mapped, without reading a CSV file.
    The snapshot is a copy: it does not follow later edits of ``source``.

    Returns
    -------
    counts
        The store's :meth:`~GraphStore.counts`.

    Raises
    ------
    StoreError
        When ``target`` does not end in ``.chaingraph``, or exists and is not a snapshot.
    """
    from chaingraph.stores.memory import MemoryStore
    from chaingraph.stores.snapshot import SUFFIX, SnapshotError

    if not str(target).rstrip("/").endswith(SUFFIX):
        raise SnapshotError(key="error.snapshot_target", target=str(target))
    store = MemoryStore.from_dataset(source, encoding=encoding, progress=progress)
    store.save(target)
    return store.counts()


def describe(store: GraphStore) -> dict[str, Any]:
    """What a store holds: metadata, counts, chains with their segments, anchors and regions.

    Returns
    -------
    info
        Plain data, ready for JSON: ``dataset``, ``counts``, ``home_region``,
        ``chains`` (each with ``segments``), ``anchors`` and ``regions``.
    """
    meta = store.metadata()
    T = store.template()
    nodes = T.nodes
    chains = []
    for cid, d in sorted(T.nodes(data=True)):
        if d.get("kind") != "chain":
            continue
        segs = sorted((n for n, _ in T.in_edges(cid) if nodes[n].get("kind") == "segment"),
                      key=lambda s: STAGE_ORDER[nodes[s]["stage"]])
        chains.append({"id": cid, "name": d["name"], "name_en": d.get("name_en", ""),
                       "segments": [{"id": s, "name": nodes[s]["name"], "name_en": nodes[s].get("name_en", ""),
                                     "stage": nodes[s]["stage"]} for s in segs]})
    anchors = []
    for fid in store.anchors(None):
        f = store.firm(fid)
        region = nodes[f["region"]] if f["region"] in T else {}
        anchors.append({"id": fid, "name": f["name"], "name_en": f.get("name_en") or "", "region": f["region"],
                        "region_name": region.get("name", ""), "region_name_en": region.get("name_en", ""),
                        "segments": list(f["segments"])})
    regions = [{"id": n, "name": d["name"], "name_en": d.get("name_en", ""), "level": d.get("level"),
                "parent": d.get("parent")} for n, d in T.nodes(data=True) if d.get("kind") == "region"]
    home = meta.get("home_region")
    return {
        "dataset": {k: meta.get(k) for k in ("name", "title", "description", "licence", "sources", "currency",
                                             "source")},
        "home_region": {"id": home, "name": nodes[home]["name"] if home in T else None,
                        "name_en": nodes[home].get("name_en") if home in T else None},
        "counts": store.counts(),
        "chains": chains,
        "anchors": anchors,
        "regions": regions,
    }
