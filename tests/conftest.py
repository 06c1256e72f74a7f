"""Shared fixtures: the tiny dataset, a memory store of it, a helper that writes variants of it, and the
hand-built graph of the gap, target and plan tests (``build``, ``add_firm``, ``supply``)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chaingraph.model import new_graph

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny"


def write_dataset(tmp_path: Path, name: str = "ds", **files: str | bytes | None) -> Path:
    """Copy tiny to ``tmp_path/name`` and override files.

    Each keyword is a file name with ``.`` written as ``_`` before the extension
    (``firms_csv="..."`` or ``dataset_toml=b"..."``); ``str`` is written as UTF-8,
    ``bytes`` as given, and ``None`` deletes the file. Returns the folder.
    """
    folder = tmp_path / name
    shutil.copytree(TINY, folder)
    for key, content in files.items():
        stem, _, ext = key.rpartition("_")
        path = folder / f"{stem}.{ext}"
        if content is None:
            path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return folder


@pytest.fixture
def tiny_path() -> Path:
    """The folder of the tiny hand-checkable dataset (tests/data/tiny)."""
    return TINY


@pytest.fixture
def tiny_store():
    """A MemoryStore of tests/data/tiny."""
    from chaingraph.stores.memory import MemoryStore

    store = MemoryStore.from_dataset(TINY)
    yield store
    store.close()


@pytest.fixture
def make_dataset(tmp_path: Path):
    """``make_dataset(**files)``: :func:`write_dataset` under this test's tmp_path."""

    def write(name: str = "ds", **files: str | bytes | None) -> Path:
        return write_dataset(tmp_path, name, **files)

    return write


FIRM_DEFAULTS = dict(name_en="", anchor=False, output_value=None, employees=None, listed=None, credit_code=None,
                     lat=None, lon=None, source=None, extra={})


def add_firm(G, fid, region, segments, **attrs):
    G.add_node(fid, **{**FIRM_DEFAULTS, "kind": "firm", "name": attrs.pop("name", fid.upper()), "region": region,
                       "segments": tuple(segments), **attrs})


def supply(G, u, v, segment="", value=None):
    G.add_edge(u, v, key=segment, rel="SUPPLIES", segment=segment, value=value)


def build(graph=None):
    """The fixture graph of these tests (and of test_targets).

    Regions: cn > zj > js (the home county) > dy (town) > py (park); sh elsewhere; xj without coordinates.
    Chain li: ore -0.5-> cathode -0.4-> cell -0.6-> pack, anode -0.3-> cell, separator -> cell (no weight);
    chain auto: pack -> ev (no weight).
    Anchor A makes cell in js.
    """
    G = graph if graph is not None else new_graph(name="hand", home_region="js", currency="CNY")
    for rid, parent, lat, lon in [("cn", None, 35.0, 103.0), ("zj", "cn", 30.27, 120.15), ("js", "zj", 30.83, 120.92),
                                  ("dy", "js", 30.80, 120.97), ("py", "dy", None, None),
                                  ("sh", "cn", 31.23, 121.47), ("xj", "cn", None, None)]:
        G.add_node(rid, kind="region", name=rid.upper(), name_en=rid, parent=parent, level="county", lat=lat, lon=lon)
        if parent:
            G.add_edge(rid, parent, rel="PART_OF")
    for cid, name in [("li", "锂电池"), ("auto", "汽车")]:
        G.add_node(cid, kind="chain", name=name, name_en=cid)
    for sid, chain, stage, name in [("ore", "li", "upstream", "锂矿"), ("cathode", "li", "upstream", "正极"),
                                    ("anode", "li", "upstream", "负极"), ("separator", "li", "upstream", "隔膜"),
                                    ("cell", "li", "midstream", "电芯"), ("pack", "li", "downstream", "电池包"),
                                    ("ev", "auto", "downstream", "电动汽车")]:
        G.add_node(sid, kind="segment", chain=chain, name=name, name_en=sid.capitalize(), stage=stage)
        G.add_edge(sid, chain, rel="PART_OF")
    for u, v, w in [("ore", "cathode", 0.5), ("cathode", "cell", 0.4), ("anode", "cell", 0.3),
                    ("separator", "cell", None), ("cell", "pack", 0.6), ("pack", "ev", None)]:
        G.add_edge(u, v, rel="FEEDS", weight=w)
    add_firm(G, "A", "js", ["cell"], name="兰钧", name_en="Lanjun", anchor=True, lat=30.83, lon=120.92)
    add_firm(G, "L1", "py", ["cathode"])          # local, two levels below the county
    add_firm(G, "L2", "dy", ["cathode"])
    add_firm(G, "L3", "js", ["anode"])
    add_firm(G, "L4", "js", ["pack"])
    add_firm(G, "E1", "sh", ["cathode"])
    add_firm(G, "E2", "sh", ["separator", "anode"], name_en="Sep and Anode Co", output_value=1e9,
             lat=31.23, lon=121.47)
    add_firm(G, "E3", "sh", ["ev"])              # no coordinates: its region's are used
    add_firm(G, "E4", "xj", ["ore"], output_value=1e11)   # no coordinates anywhere
    add_firm(G, "P1", "sh", ["cell"])
    add_firm(G, "P2", "sh", ["cell"])
    supply(G, "L1", "A", "cathode", 30.0)
    supply(G, "L2", "A", "cathode", None)         # a missing value: shares become count-based
    supply(G, "E1", "A", "cathode", 50.0)
    supply(G, "E2", "A", "", 10.0)                # unkeyed: counts for both of E2's segments
    supply(G, "E2", "P1", "separator")
    supply(G, "E2", "L4")
    supply(G, "L3", "E2", "anode")
    supply(G, "L4", "E3", "pack")
    supply(G, "E4", "P1", "ore")
    supply(G, "E4", "P2", "ore")
    return G


@pytest.fixture(autouse=True)
def _language_and_width(monkeypatch):
    """Every test starts in Chinese (the users' language) at the default width of 100 columns, whatever the
    machine's locale and terminal; tests of the defaults set these themselves."""
    monkeypatch.setenv("CHAINGRAPH_LANG", "zh")
    monkeypatch.delenv("COLUMNS", raising=False)


# -- a real Neo4j for the db tests ------------------------------------------------------------------

class _Neo4j:
    """The session's Neo4j: its URI and credentials, and which dataset folder it holds (see :meth:`holding`)."""

    def __init__(self, uri: str, user: str, password: str, server=None) -> None:
        self.uri, self.user, self.password, self.server = uri, user, password, server
        self.env = {"NEO4J_USER": user, "NEO4J_PASSWORD": password}
        self.loaded: Path | None = None

    def wipe(self) -> None:
        """Delete every chaingraph node (the schema stays: IF NOT EXISTS makes creating it again free)."""
        from chaingraph.stores.graphdb import CypherStore

        with CypherStore.connect(self.uri, user=self.user, password=self.password, require_dataset=False) as store:
            store.delete_dataset()
        self.loaded = None

    def holding(self, folder: Path) -> str:
        """The URI with the dataset in ``folder`` loaded, loading it only if another one is there.

        Read-only tests share one load this way; a test that writes goes through ``wipe`` first.
        """
        from chaingraph.datasets import read_dataset
        from chaingraph.stores.graphdb import load_dataset

        if self.loaded != folder:
            self.loaded = None
            load_dataset(read_dataset(folder), self.uri, replace=True, user=self.user, password=self.password)
            self.loaded = folder
        return self.uri


@pytest.fixture(scope="session")
def neo4j_db(tmp_path_factory):
    """A real Neo4j 5 for the whole session: ``CHAINGRAPH_TEST_NEO4J_URI`` if set, else the embedded
    Neo4j of tests/neo4j started here (tests/neo4j_server.py). Without Java or Maven the tests skip
    with the reason, except in CI (``CI`` set), where they fail."""
    import os

    uri = os.environ.get("CHAINGRAPH_TEST_NEO4J_URI")
    if uri:
        yield _Neo4j(uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
        return
    from neo4j_server import Neo4jServer

    server = Neo4jServer(tmp_path_factory.mktemp("neo4j"))
    try:
        server.start(timeout=600)
    except RuntimeError as exc:
        reason = f"no Neo4j test server: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the Neo4j tests: run .ci/build-neo4j first)", pytrace=False)
        pytest.skip(reason)
    try:
        yield _Neo4j(server.uri, server.user, server.password, server)
    finally:
        server.stop(timeout=15)  # a throw-away database: no need to wait long for a clean checkpoint
        server.cleanup()
