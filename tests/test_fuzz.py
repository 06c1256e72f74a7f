"""Property-based tests: whatever is thrown at the reader, it answers with DatasetErrors or a valid
dataset, never another exception."""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaingraph.datasets import FILES, read_dataset
from chaingraph.stores._graph import firm_nodes, link_edges, template_graph
from chaingraph.errors import DatasetErrors, Problem
from chaingraph.model import validate_graph
from chaingraph.stores.memory import MemoryStore

TINY = Path(__file__).parent / "data" / "pipeline"  # tiny plus projects.csv and [quotas]
NAMES = sorted(FILES) + ["dataset.toml"]
# CHAINGRAPH_FUZZ_EXAMPLES=1000 runs a longer search.
FUZZ = settings(max_examples=int(os.environ.get("CHAINGRAPH_FUZZ_EXAMPLES", "25")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def check(files: dict[str, bytes]) -> None:
    """Write tiny with ``files`` replaced and read it: DatasetErrors or a dataset that makes a valid graph."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ds"
        shutil.copytree(TINY, folder)
        for name, content in files.items():
            (folder / name).write_bytes(content)
        try:
            ds = read_dataset(folder)
        except DatasetErrors as exc:
            assert exc.problems
            assert all(isinstance(p, Problem) and p.line >= 0 and p.message for p in exc.problems)
            assert str(exc).count("\n") == len(exc.problems) - 1
            return
        G = template_graph(ds)
        G.add_nodes_from(firm_nodes(ds.firms))
        G.add_edges_from(link_edges(ds.links))
        validate_graph(G)
        for _, d in firm_nodes(ds.firms):
            assert all(s in G and G.nodes[s]["kind"] == "segment" for s in d["segments"])
        MemoryStore(ds).context(anchors=[], segments=[], region=ds.meta["home_region"])


# Cells that exercise the reader: separators, quotes, newlines, full-width and Chinese text, numbers.
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "lanjun", "shev", "js", "cell", "ev;pack", "true", "否", "1,000", "１２３，４５６",
                     "5亿", "-1", "1e999", "nan", "91", "0.5", '"', '""', "\n", "\r\n", ",", ";", "\ufeff",
                     "\x00"]),
)


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=300))
def test_random_bytes_as_a_file(name, data):
    check({name: data})


@FUZZ
@given(name=st.sampled_from(NAMES), text=st.text(max_size=300),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_text_as_a_file(name, text, encoding):
    check({name: text.encode(encoding, errors="replace")})


@FUZZ
@given(name=st.sampled_from(sorted(FILES)),
       rows=st.lists(st.lists(CELL, min_size=0, max_size=15), max_size=6),
       keep_header=st.booleans(), gbk=st.booleans())
def test_random_rows(name, rows, keep_header, gbk):
    header = (TINY / name).read_text(encoding="utf-8").splitlines()[0] if keep_header else ""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    text = header + "\n" + out.getvalue()
    encoded = text.encode("gb18030" if gbk else "utf-8", errors="replace" if gbk else "surrogatepass")
    check({name: encoded})


EDIT = st.tuples(st.sampled_from(["delete", "insert", "replace", "duplicate_line", "drop_line"]),
                 st.integers(0, 400), st.integers(0, 20), st.binary(max_size=8) | st.sampled_from(
                     [b",", b'"', b"\n", b"\r", b";", b"-", b"lanjun", b"\xef\xbc\x8c", b"\xff"]))


def edit(data: bytes, how: str, pos: int, size: int, new: bytes) -> bytes:
    pos = pos % (len(data) + 1)
    if how == "delete":
        return data[:pos] + data[pos + size:]
    if how == "insert":
        return data[:pos] + new + data[pos:]
    if how == "replace":
        return data[:pos] + new + data[pos + len(new):]
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    i = pos % len(lines)
    if how == "duplicate_line":
        return b"".join(lines[:i + 1] + lines[i:])
    return b"".join(lines[:i] + lines[i + 1:])


@FUZZ
@given(name=st.sampled_from(NAMES), edits=st.lists(EDIT, min_size=1, max_size=4))
def test_random_edits_of_tiny(name, edits):
    data = (TINY / name).read_bytes()
    for how, pos, size, new in edits:
        data = edit(data, how, pos, size, new)
    check({name: data})


@FUZZ
@given(rows=st.lists(st.lists(CELL.filter(lambda c: "\r" not in c and "\x00" not in c), min_size=1,
                              max_size=3), max_size=8),
       blank=st.lists(st.booleans(), max_size=8), crlf=st.booleans())
def test_row_shape_matches_the_csv_module(rows, blank, crlf):
    # the vectorised row finder behind line numbers agrees with the csv module on well-quoted files
    from chaingraph.datasets import _row_shape

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["h"])
    for i, row in enumerate(rows):
        writer.writerow(row)
        if i < len(blank) and blank[i]:
            out.write("\r\n" if crlf else "\n")
    reader = csv.reader(io.StringIO(out.getvalue(), newline=""))
    expected, start = [], 1
    for i, row in enumerate(reader):
        line, start = start, reader.line_num + 1
        if i and row:
            expected.append((line, reader.line_num, len(row)))
    shape = _row_shape(out.getvalue().encode("utf-8"), cells=True)
    assert shape is not None
    assert list(zip(*(a.tolist() for a in shape))) == expected
