"""The FalkorDB load's wait for its Firm indexes, without a server (issue 17 §5).

FalkorDB fills an index created over existing nodes in the background and plans no query on it
until it is full; ``CypherStore._wait_for_indexes`` polls ``list_indexes_falkordb`` until every
status reads OPERATIONAL. The tests against a real server are in tests/test_store_cypher.py
(test_firm_indexes_after_the_firms, test_resume_with_late_indexes).
"""
from __future__ import annotations

from typing import Any

import pytest

from chaingraph.errors import StoreError
from chaingraph.stores import graphdb
from chaingraph.stores.graphdb import CypherStore

BUILDING = "[Indexing] 5000/20000: UNDER CONSTRUCTION"


class ScriptedTransport:
    """Answers list_indexes_falkordb from a script of statuses, one list per call; records the DDL run."""

    kind = "falkordb"
    protocol = "falkordb"
    max_message = None

    def __init__(self, script: list[list[str]]) -> None:
        self.script = script
        self.calls: list[str] = []

    def run(self, name: str, text: str, params: dict[str, Any], *, write: bool) -> list[dict[str, Any]]:
        self.calls.append(name)
        if name != "list_indexes_falkordb":
            return []
        statuses = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return [{"label": "Firm", "property": p, "status": s} for p, s in zip(("id", "region"), statuses)]

    def close(self) -> None:
        pass


def test_waits_until_every_index_is_operational(monkeypatch):
    """Two polls see an index still being filled, the third sees both operational: the wait returns then,
    after creating the Firm indexes not listed (three of the five: id and region exist)."""
    monkeypatch.setattr(graphdb.time, "sleep", lambda s: None)
    transport = ScriptedTransport([["OPERATIONAL", "OPERATIONAL"],  # what exists, before creating
                                   [BUILDING, "OPERATIONAL"], ["OPERATIONAL", BUILDING],
                                   ["OPERATIONAL", "OPERATIONAL"], [BUILDING, BUILDING]])
    store = CypherStore(transport, "falkordb://127.0.0.1:1")
    lines = store.create_firm_indexes(wait=True)
    assert [line.rsplit("(n.", 1)[1].rstrip(")") for line in lines] == ["anchor", "name", "name_en"]
    assert transport.calls == ["list_indexes_falkordb", *["create_firm_indexes_falkordb"] * 3,
                               *["list_indexes_falkordb"] * 3]


def test_no_wait_without_wait():
    transport = ScriptedTransport([[BUILDING, BUILDING]])
    store = CypherStore(transport, "falkordb://127.0.0.1:1")
    store.create_firm_indexes(wait=False)
    assert transport.calls.count("list_indexes_falkordb") == 1


def test_an_index_never_filled_is_an_error(monkeypatch):
    """Past INDEX_WAIT the load stops with a message naming the indexes and what to do."""
    monkeypatch.setenv("CHAINGRAPH_LANG", "en")
    monkeypatch.setattr(graphdb, "INDEX_WAIT", 0.0)
    monkeypatch.setattr(graphdb.time, "sleep", lambda s: None)
    store = CypherStore(ScriptedTransport([[BUILDING, "OPERATIONAL"]]), "falkordb://127.0.0.1:1")
    with pytest.raises(StoreError) as info:
        store.create_firm_indexes(wait=True)
    assert str(info.value) == ("the indexes Firm.id of falkordb://127.0.0.1:1 were not filled within 0 s: "
                               "check the FalkorDB server's log, then rerun the same load command")


def test_neo4j_has_its_schema_from_the_start():
    transport = ScriptedTransport([[]])
    transport.kind = "neo4j"
    assert CypherStore(transport, "bolt://127.0.0.1:1").create_firm_indexes(wait=True) == []
    assert transport.calls == []
