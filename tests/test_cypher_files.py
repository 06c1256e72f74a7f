"""The cypher/ files as text: each is used, declares its parameters, and stays in the shared dialect.

No server needed. tests/test_store_cypher.py checks, against a server, that
the code passes each statement exactly the parameters its header names.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import chaingraph.stores
from chaingraph import cypher
from chaingraph.errors import StoreError

NAMES = cypher.names()
DDL = ("create_constraints", "create_indexes_falkordb", "create_firm_indexes_falkordb",
       "create_lock_constraint")
LABELS = {"Dataset", "Region", "Chain", "Segment", "Firm", "Project", "ChainGraphLock"}
RELS = {"PART_OF", "FEEDS", "LOCATED_IN", "IN_SEGMENT", "SUPPLIES", "BY"}


def test_names_are_verb_noun():
    assert len(NAMES) >= 20
    for name in NAMES:
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", name), name


def test_every_file_is_used_by_the_store():
    folder = Path(chaingraph.stores.__file__).parent
    source = "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py")))
    for name in NAMES:
        assert f'"{name}"' in source, f"cypher/{name}.cypher is not used by chaingraph/stores/"


@pytest.mark.parametrize("name", NAMES)
def test_header_names_exactly_the_parameters_used(name):
    assert cypher.header(name), f"{name} has no // header"
    assert cypher.declared_parameters(name) == cypher.used_parameters(name)
    if not cypher.declared_parameters(name):
        assert "No parameters" in cypher.header(name) or "no parameters" in cypher.header(name)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in DDL])
def test_one_statement_in_the_shared_dialect(name):
    text = cypher.statement(name)
    assert ";" not in text
    for construct in ("IF NOT EXISTS", "CREATE CONSTRAINT", "SHOW ", "EXISTS {", "IN TRANSACTIONS", "apoc.",
                      "CALL {"):
        assert construct not in text, f"{name} uses {construct!r}, which FalkorDB does not run"
    # labels and types are fixed in the text, values are parameters: no literal strings or numbers in patterns
    assert not re.search(r"\{[a-z_]+: '", text), name
    for label in re.findall(r"\(\w*:(\w+)", text):
        assert label in LABELS, (name, label)
    for rel in re.findall(r"\[\w*:(\w+)", text):
        assert rel in RELS, (name, rel)


def test_writes_merge_on_ids_in_batches():
    for name in NAMES:
        if name.startswith("merge_") and name != "merge_dataset":
            text = cypher.statement(name)
            assert text.startswith("UNWIND $rows AS row"), name
            assert "MERGE" in text and "CREATE " not in text, name
    for name in ("create_firms", "create_supply_links", "create_supply_links_falkordb"):
        # the bulk is written once per row, and the same statement records how far the load got
        text = cypher.statement(name)
        assert text.startswith("UNWIND $rows AS row") and "CREATE (" in text and "MERGE" not in text, name
        assert text.endswith("_done = $done") and "MATCH (d:Dataset {name: $name})" in text, name
    for name in ("delete_links", "delete_firms", "delete_dataset"):  # every delete transaction is bounded
        assert "LIMIT $limit" in cypher.statement(name), name


def test_neo4j_constraints_cover_every_id():
    lines = cypher.statements("create_constraints")
    for line in lines:
        assert line.startswith(("CREATE CONSTRAINT chaingraph_", "CREATE INDEX chaingraph_")), line
        assert line.count(" IF NOT EXISTS ") == 1, line
    unique = {re.search(r"FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE", line).groups()
              for line in lines if "CONSTRAINT" in line}
    assert unique == {("Dataset", "name"), ("Region", "id"), ("Chain", "id"), ("Segment", "id"), ("Firm", "id"),
                      ("Project", "id")}
    names = [line.split()[2] for line in lines]
    assert len(names) == len(set(names))


def test_falkordb_indexes_match_neo4j_schema():
    neo4j = set()
    for line in cypher.statements("create_constraints"):
        m = re.search(r"FOR \(n:(\w+)\) (?:REQUIRE |ON \()n\.(\w+)", line)
        neo4j.add(m.groups())
    falkor = set()
    files = ("create_indexes_falkordb", "create_firm_indexes_falkordb")  # before the firms, after them
    for line in (line for name in files for line in cypher.statements(name)):
        m = re.fullmatch(r"CREATE INDEX FOR \(n:(\w+)\) ON \(n\.(\w+)\)", line)
        assert m, line
        falkor.add(m.groups())
    assert falkor == neo4j


def test_load_is_cached_and_lists_names_for_unknown():
    assert cypher.load("create_firms") is cypher.load("create_firms")
    with pytest.raises(StoreError) as info:
        cypher.load("nope")
    msg = str(info.value)
    assert msg.startswith("no Cypher statement named 'nope'; available: ")
    assert "create_firms" in msg and "context" not in msg.split("available: ")[0]


def test_statement_drops_the_header():
    assert not cypher.statement("firms_by_id").startswith("//")
    assert "//" not in cypher.statement("firms_by_id")


def test_both_count_statements_return_the_same_columns():
    def columns(name):
        items = re.sub(r"\([^()]*\)", "()", cypher.statement(name).rsplit("RETURN", 1)[1]).split(",")
        return sorted(item.split(" AS ")[-1].strip() for item in items)

    assert columns("count_nodes") == columns("count_nodes_falkordb")
    assert "db.meta.stats()" in cypher.statement("count_nodes_falkordb")
