"""A dataset as ``neo4j-admin database import full`` files: the bulk path into Neo4j.

``chaingraph load`` writes through Bolt in ``UNWIND`` batches, about 50,000 links a
second at best. For a graph of tens of millions of firms Neo4j's offline importer is
the tool: it builds the store files directly from CSV, on every core, into an empty
database. :func:`write_neo4j_admin` writes those CSV files for the graph layout
:class:`~chaingraph.stores.graphdb.CypherStore` reads (the same labels, relationship
types, properties and ``seq``), plus the ``:Dataset`` node, complete and with the
dataset's fingerprint, so every read command accepts the imported database as if
``chaingraph load`` had written it.

Terms: a *node file* has a header naming its ``:ID`` column (in an id space per
label, ``id:ID(Firm)``), typed property columns (``output_value:double``,
``segments:string[]``, ``anchor:boolean``) and a ``:LABEL`` column; a
*relationship file* has ``:START_ID(space)``, ``:END_ID(space)``, properties and
``:TYPE``. Empty cells are absent properties; strings are always quoted, so an
empty string stays an empty string. Arrays are joined with the ASCII unit separator
(``--array-delimiter=U+001F``), which no name holds.

The folder also gets ``schema.cypher`` (the constraints and indexes ``load`` creates,
to run once the database is started) and ``README.md`` with the exact commands.
"""
from __future__ import annotations

import datetime as _dt
import json
import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from chaingraph import __version__
from chaingraph.datasets import FIRM_SCHEMA, LINK_SCHEMA, Dataset
from chaingraph.errors import StoreError
from chaingraph.model import DROPPED, PROJECT_STAGES, Progress
from chaingraph.stores.graphdb import (
    SCHEMA_VERSION,
    dataset_fingerprint,
    neo4j_schema_statements,
)

__all__ = ["write_neo4j_admin", "import_command", "NODE_FILES", "RELATIONSHIP_FILES", "ARRAY_DELIMITER",
           "ARRAY_DELIMITER_OPTION"]

#: Separator of array elements inside a cell: the ASCII unit separator, which no name or id holds
#: (aliases are free text and may hold neo4j-admin's default ``;``).
ARRAY_DELIMITER = "\x1f"
#: The same, as neo4j-admin's ``--array-delimiter`` takes it.
ARRAY_DELIMITER_OPTION = "U+001F"

#: Node files: file name -> header (the label is in each row's ``:LABEL`` cell).
NODE_FILES: dict[str, list[str]] = {
    "dataset.csv": ["name:ID(Dataset)", "title", "home_region", "meta", "source", "fingerprint",
                    "chaingraph_version", "schema_version:long", "started_at", "loaded_at", "complete:boolean",
                    "firms:long", "links:long", "segments:long", "segment_links:long", "chains:long",
                    "regions:long", "anchors:long", "firms_done:long", "links_done:long", ":LABEL"],
    "regions.csv": ["id:ID(Region)", "name", "name_en", "parent", "level", "lat:double", "lon:double", "seq:long",
                    ":LABEL"],
    "chains.csv": ["id:ID(Chain)", "name", "name_en", "seq:long", ":LABEL"],
    "segments.csv": ["id:ID(Segment)", "chain", "name", "name_en", "stage", "seq:long", ":LABEL"],
    "firms.csv": [],  # from FIRM_SCHEMA: see _schema_header
    "projects.csv": ["id:ID(Project)", "name", "firm", "chain", "stage", "segments:string[]", "anchor", "park",
                     *PROJECT_STAGES, DROPPED, "drop_reason", "investment:double", "expected_output:double", "owner",
                     "source", "note", "seq:long", ":LABEL"],
}

#: Relationship files: file name -> header (the type is in each row's ``:TYPE`` cell).
RELATIONSHIP_FILES: dict[str, list[str]] = {
    "region_part_of.csv": [":START_ID(Region)", ":END_ID(Region)", ":TYPE"],
    "segment_part_of.csv": [":START_ID(Segment)", ":END_ID(Chain)", ":TYPE"],
    "feeds.csv": [":START_ID(Segment)", ":END_ID(Segment)", "weight:double", "seq:long", ":TYPE"],
    "firm_located_in.csv": [":START_ID(Firm)", ":END_ID(Region)", ":TYPE"],
    "firm_in_segment.csv": [":START_ID(Firm)", ":END_ID(Segment)", ":TYPE"],
    "supplies.csv": [],  # from LINK_SCHEMA: see _schema_header
    "project_by.csv": [":START_ID(Project)", ":END_ID(Firm)", ":TYPE"],
    "project_in_segment.csv": [":START_ID(Project)", ":END_ID(Segment)", ":TYPE"],
    "project_located_in.csv": [":START_ID(Project)", ":END_ID(Region)", ":TYPE"],
}

def _schema_header(schema: pa.Schema, first: Sequence[str], last: str) -> list[str]:
    """The header of a file holding the columns of an Arrow ``schema``: the first columns replaced by
    ``first`` (the id, or the two ends), each other column typed (``long``, ``double``, ``boolean``,
    ``string[]``; strings untyped), then ``seq:long`` and ``last`` (``:LABEL`` or ``:TYPE``).

    Examples
    --------
    >>> _schema_header(pa.schema([("id", pa.string()), ("n", pa.int64()), ("l", pa.list_(pa.string()))]),
    ...                ["id:ID(Firm)"], ":LABEL")
    ['id:ID(Firm)', 'n:long', 'l:string[]', 'seq:long', ':LABEL']
    """
    types = {pa.int64(): "long", pa.float64(): "double", pa.bool_(): "boolean", pa.list_(pa.string()): "string[]"}
    rest = [f"{f.name}:{types[f.type]}" if f.type in types else f.name for f in list(schema)[len(first):]]
    return [*first, *rest, "seq:long", last]


NODE_FILES["firms.csv"] = _schema_header(FIRM_SCHEMA, ["id:ID(Firm)"], ":LABEL")
RELATIONSHIP_FILES["supplies.csv"] = _schema_header(LINK_SCHEMA, [":START_ID(Firm)", ":END_ID(Firm)"], ":TYPE")

_TYPES = {"long": pa.int64(), "double": pa.float64(), "boolean": pa.bool_(), "string[]": pa.string()}


def _column_type(field: str) -> pa.DataType:
    return _TYPES.get(field.rpartition(":")[2] if ":" in field.lstrip(":") else "", pa.string())


def _write_csv(path: Path, header: Sequence[str], table: pa.Table) -> int:
    """Write the header line, then the rows (pyarrow quotes every string and leaves nulls empty)."""
    with open(path, "wb") as out:
        out.write((",".join(header) + "\n").encode())
        if table.num_rows:
            pacsv.write_csv(table, out, write_options=pacsv.WriteOptions(include_header=False))
    return int(table.num_rows)


def _table(header: Sequence[str], columns: Sequence[Any]) -> pa.Table:
    """An Arrow table for ``header`` from Python lists or Arrow arrays, typed by the header."""
    arrays = [c if isinstance(c, (pa.Array, pa.ChunkedArray)) else pa.array(c, type=_column_type(h))
              for h, c in zip(header, columns)]
    return pa.table(arrays, names=[f"c{i}" for i in range(len(arrays))])


def _joined(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A list column as ``a;b`` strings; an empty list becomes null (no property)."""
    joined = pc.binary_join(values, ARRAY_DELIMITER)
    return pc.if_else(pc.equal(pc.list_value_length(values), 0), pa.scalar(None, pa.string()), joined)


def _rows(records: Iterable[dict[str, Any]], keys: Sequence[str]) -> list[list[Any]]:
    """Columns (lists) of ``keys`` from dict records."""
    rows = list(records)
    return [[r.get(k) for r in rows] for k in keys]


def _check_arrays(dataset: Dataset) -> None:
    """Array cells are joined with :data:`ARRAY_DELIMITER`: refuse a list value holding it."""
    for field in FIRM_SCHEMA:
        if pa.types.is_list(field.type):
            values = pc.list_flatten(dataset.firms.column(field.name))
            if len(values) and pc.any(pc.match_substring(values, ARRAY_DELIMITER)).as_py():
                raise StoreError(key="store.array_delimiter", column=field.name)


def _dataset_row(dataset: Dataset) -> list[list[Any]]:
    meta = dataset.meta
    anchors = sum(1 for a in dataset.firms.column("anchor").to_pylist() if a)
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    n_firms, n_links = dataset.firms.num_rows, dataset.links.num_rows
    values = [str(meta.get("name") or ""), str(meta.get("title") or ""), meta.get("home_region"),
              json.dumps(meta, ensure_ascii=False, default=str), str(dataset.path), dataset_fingerprint(dataset),
              __version__, SCHEMA_VERSION, now, now, True, n_firms, n_links, len(dataset.segments),
              len(dataset.segment_links), len(dataset.chains), len(dataset.regions), anchors, n_firms, n_links,
              "Dataset"]
    return [[v] for v in values]


def _template_files(dataset: Dataset) -> dict[str, list[list[Any]]]:
    """Columns of every node and relationship file except firms, links and projects."""
    regions = [{**vars(r), "seq": i, "label": "Region"} for i, r in enumerate(dataset.regions)]
    chains = [{**vars(c), "seq": i, "label": "Chain"} for i, c in enumerate(dataset.chains)]
    segments = [{**vars(s), "seq": i, "label": "Segment"} for i, s in enumerate(dataset.segments)]
    feeds = [{**vars(e), "seq": i, "type": "FEEDS"} for i, e in enumerate(dataset.segment_links)]
    return {
        "dataset.csv": _dataset_row(dataset),
        "regions.csv": _rows(regions, ["id", "name", "name_en", "parent", "level", "lat", "lon", "seq", "label"]),
        "chains.csv": _rows(chains, ["id", "name", "name_en", "seq", "label"]),
        "segments.csv": _rows(segments, ["id", "chain", "name", "name_en", "stage", "seq", "label"]),
        "region_part_of.csv": _rows(({"a": r.id, "b": r.parent, "t": "PART_OF"} for r in dataset.regions
                                     if r.parent), ["a", "b", "t"]),
        "segment_part_of.csv": _rows(({"a": s.id, "b": s.chain, "t": "PART_OF"} for s in dataset.segments),
                                     ["a", "b", "t"]),
        "feeds.csv": _rows(feeds, ["source", "target", "weight", "seq", "type"]),
    }


def _project_files(dataset: Dataset) -> dict[str, list[list[Any]]]:
    ps = dataset.projects
    keys = ["id", "name", "firm", "chain", "stage", "segments", "anchor", "park", *PROJECT_STAGES, DROPPED,
            "drop_reason", "investment", "expected_output", "owner", "source", "note", "seq", "label"]
    rows = [{**{k: v for k, v in vars(p).items() if k != "dates"}, **{s: p.dates.get(s) for s in
            (*PROJECT_STAGES, DROPPED)}, "segments": ARRAY_DELIMITER.join(p.segments) or None, "seq": i,
             "label": "Project"} for i, p in enumerate(ps)]
    return {
        "projects.csv": _rows(rows, keys),
        "project_by.csv": _rows(({"a": p.id, "b": p.firm, "t": "BY"} for p in ps), ["a", "b", "t"]),
        "project_in_segment.csv": _rows(({"a": p.id, "b": s, "t": "IN_SEGMENT"} for p in ps for s in p.segments),
                                        ["a", "b", "t"]),
        "project_located_in.csv": _rows(({"a": p.id, "b": p.park, "t": "LOCATED_IN"} for p in ps if p.park),
                                        ["a", "b", "t"]),
    }


def _firm_files(dataset: Dataset) -> dict[str, list[Any]]:
    """Columns of firms.csv, firm_located_in.csv, firm_in_segment.csv and supplies.csv, as Arrow arrays."""
    firms = dataset.firms.select(FIRM_SCHEMA.names)
    links = dataset.links.select(LINK_SCHEMA.names)
    n, m = firms.num_rows, links.num_rows
    seq_f, seq_l = pa.array(range(n), pa.int64()), pa.array(range(m), pa.int64())
    cols = {name: firms.column(name) for name in FIRM_SCHEMA.names}
    lists = {f.name for f in FIRM_SCHEMA if pa.types.is_list(f.type)}
    firm_cols = [_joined(cols[k]) if k in lists else cols[k] for k in FIRM_SCHEMA.names]
    firm_cols += [seq_f, pa.array(["Firm"] * n)]
    flat = pc.list_flatten(cols["segments"])
    owners = pc.take(cols["id"], pc.list_parent_indices(cols["segments"]))
    link_cols = [links.column(k) for k in LINK_SCHEMA.names] + [seq_l, pa.array(["SUPPLIES"] * m)]
    return {
        "firms.csv": firm_cols,
        "firm_located_in.csv": [cols["id"], cols["region"], pa.array(["LOCATED_IN"] * n)],
        "firm_in_segment.csv": [owners, flat, pa.array(["IN_SEGMENT"] * len(flat))],
        "supplies.csv": link_cols,
    }


def import_command(folder: str | Path, *, database: str = "neo4j", files: Iterable[str] | None = None) -> list[str]:
    """The ``neo4j-admin database import full`` command line for the files in ``folder``.

    Examples
    --------
    >>> import_command("/x", files=["firms.csv", "supplies.csv"])[:6]
    ['neo4j-admin', 'database', 'import', 'full', 'neo4j', '--array-delimiter=U+001F']
    >>> import_command("/x", files=["firms.csv", "supplies.csv"])[-2:]
    ['--nodes=/x/firms.csv', '--relationships=/x/supplies.csv']
    """
    folder = Path(folder)
    names = list(files) if files is not None else [*NODE_FILES, *RELATIONSHIP_FILES]
    # the database name comes first: --nodes and --relationships take any number of files, so a name
    # after them would be read as one more file
    args = ["neo4j-admin", "database", "import", "full", database, f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
            "--multiline-fields=true", "--overwrite-destination=false"]
    args += [f"--nodes={folder / n}" for n in names if n in NODE_FILES]
    args += [f"--relationships={folder / n}" for n in names if n in RELATIONSHIP_FILES]
    return args


def _readme(folder: Path, written: dict[str, int], dataset: Dataset, database: str) -> str:
    command = " \\\n    ".join(shlex.quote(a) for a in import_command(folder, database=database, files=written))
    counts = "\n".join(f"| {name} | {rows:,} |" for name, rows in written.items())
    name = dataset.meta.get("name")
    return f"""# {name}: neo4j-admin import files

Written by chaingraph {__version__} (graph schema version {SCHEMA_VERSION}) from {dataset.path}.

| file | rows |
| --- | --- |
{counts}

1. Stop Neo4j (the importer writes an empty, stopped database), then, on the server:

```sh
{command}
```

   On Neo4j Community the database must be the default one (`neo4j`) and empty (add
   `--overwrite-destination=true` to replace it); on Enterprise import into a new name, then
   `CREATE DATABASE name`.

2. Start Neo4j and create the constraints and indexes chaingraph's reads seek on:

```sh
cypher-shell -u neo4j -d {database} -f {folder / 'schema.cypher'}
```

3. Every read command accepts the database (the `:Dataset` node is complete):

```sh
chaingraph info bolt://localhost:7687
chaingraph gaps bolt://localhost:7687
```
"""


def write_neo4j_admin(dataset: Dataset, folder: str | Path, *, database: str = "neo4j",
                      progress: Progress | None = None) -> dict[str, Any]:
    """Write ``dataset`` as neo4j-admin import CSV files, ``schema.cypher`` and ``README.md`` into ``folder``.

    Parameters
    ----------
    dataset
        A validated dataset (:func:`~chaingraph.datasets.read_dataset`).
    folder
        Where the files go (created if missing; files of the same names are overwritten).
    database
        The database name the command in README.md imports into.
    progress
        Called as ``progress(files_done, files_total)``.

    Returns
    -------
    summary
        ``files`` (file name -> data rows), ``command`` (the import command line as a list),
        ``folder``.
    """
    _check_arrays(dataset)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    parts = {**_template_files(dataset), **_firm_files(dataset)}
    if dataset.projects:
        parts.update(_project_files(dataset))
    headers = {**NODE_FILES, **RELATIONSHIP_FILES}
    written: dict[str, int] = {}
    order = [n for n in headers if n in parts]
    for i, name in enumerate(order):
        written[name] = _write_csv(folder / name, headers[name], _table(headers[name], parts[name]))
        if progress:
            progress(i + 1, len(order))
    (folder / "schema.cypher").write_text("".join(f"{line};\n" for line in neo4j_schema_statements()),
                                          encoding="utf-8")
    (folder / "README.md").write_text(_readme(folder, written, dataset, database), encoding="utf-8")
    return {"files": written, "command": import_command(folder, database=database, files=written),
            "folder": str(folder)}
