"""chaingraph export --neo4j-admin: the files' headers follow neo4j-admin's import format, and their cells
read back as the dataset (the end-to-end import into a real Neo4j is in tests/test_store_cypher.py)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.datasets import read_dataset
from chaingraph.stores.neo4j_admin import NODE_FILES, RELATIONSHIP_FILES, write_neo4j_admin

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny"
PIPELINE = ROOT / "tests" / "data" / "pipeline"
#: neo4j-admin 5 header fields: name:TYPE, :ID(space), :LABEL, :START_ID(space), :END_ID(space), :TYPE
TYPES = {"string", "long", "double", "boolean", "string[]"}
FIELD = re.compile(r"^(?:(\w+)?:ID\((\w+)\)|:LABEL|:TYPE|:START_ID\((\w+)\)|:END_ID\((\w+)\)|(\w+)(?::([\w\[\]]+))?)$")


def read(folder: Path, name: str) -> tuple[list[str], list[list[str]]]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def test_headers_follow_the_import_format(tmp_path):
    """Every header field is one of neo4j-admin's forms; node files have one :ID and a :LABEL, relationship
    files :START_ID, :END_ID and :TYPE, and every id space a relationship names is a node file's."""
    write_neo4j_admin(read_dataset(PIPELINE), tmp_path)
    spaces = set()
    for name in NODE_FILES:
        header, rows = read(tmp_path, name)
        assert header == NODE_FILES[name]
        for field in header:
            m = FIELD.match(field)
            assert m and (m.group(6) is None or m.group(6) in TYPES), (name, field)
        ids = [f for f in header if ":ID(" in f]
        assert len(ids) == 1 and header[-1] == ":LABEL"
        spaces.add(ids[0].split("(")[1].rstrip(")"))
        assert {r[-1] for r in rows} == {ids[0].split("(")[1].rstrip(")")}  # the label is the id space
    for name in RELATIONSHIP_FILES:
        header, rows = read(tmp_path, name)
        assert header[0].startswith(":START_ID(") and header[1].startswith(":END_ID(") and header[-1] == ":TYPE"
        assert {header[0][10:-1], header[1][8:-1]} <= spaces
        assert rows and all(len(r) == len(header) for r in rows), name


def test_cells_read_back_as_the_dataset(tmp_path):
    """tiny: lanjun's row (cell, anchor, 5e9 output) and the link shsep -> lanjun, typed as the header says;
    empty cells are absent properties and the Dataset node is complete with the counts."""
    ds = read_dataset(TINY)
    done = write_neo4j_admin(ds, tmp_path)
    assert done["files"]["firms.csv"] == 4 and done["files"]["supplies.csv"] == 3
    header, rows = read(tmp_path, "firms.csv")
    firms = {r[0]: dict(zip(header, r)) for r in rows}
    lanjun = firms["lanjun"]
    assert lanjun["segments:string[]"].split("\x1f") == list(ds.firms.to_pylist()[0]["segments"])
    assert lanjun["anchor:boolean"] == "true" and float(lanjun["output_value:double"]) == 5e9
    assert [int(firms[f]["seq:long"]) for f in firms] == list(range(4))
    header, rows = read(tmp_path, "supplies.csv")
    links = [(r[0], r[1], r[2]) for r in rows]
    assert links == [(r["supplier"], r["customer"], r["segment"]) for r in ds.links.to_pylist()]
    header, (row,) = read(tmp_path, "dataset.csv")
    d = dict(zip(header, row))
    assert (d["complete:boolean"], d["firms:long"], d["links:long"], d["firms_done:long"]) == ("true", "4", "3", "4")
    assert "CREATE CONSTRAINT chaingraph_firm_id IF NOT EXISTS" in (tmp_path / "schema.cypher").read_text()


def test_cli_prints_the_command(tmp_path):
    result = CliRunner().invoke(cli, ["export", str(TINY), "--neo4j-admin", str(tmp_path / "out"), "--lang", "en",
                                      "--silent"])
    assert result.exit_code == 0, result.output
    first, command = result.output.strip().splitlines()
    assert first.startswith("wrote 11 neo4j-admin import files (4 firms, 3 links) to ")
    assert command.startswith("neo4j-admin database import full neo4j --array-delimiter=U+001F ")
    assert f"--relationships={tmp_path / 'out' / 'supplies.csv'}" in command
    assert command in (tmp_path / "out" / "README.md").read_text().replace(" \\\n    ", " ")


def test_cli_refuses_a_database(tmp_path):
    result = CliRunner().invoke(cli, ["export", "bolt://localhost:7687", "--neo4j-admin", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert "reads a dataset folder, not a database" in result.output
