"""The column-wise checks of the cold load (issue 17 §2) say what the row-by-row checks said.

Each fast path of :mod:`chaingraph.datasets` keeps a slow one for what it cannot do; these tests read
the same bad files both ways (the fast path switched off with ``monkeypatch``) and compare every
problem, in order, and every value read. The files are made by a seeded generator: random mixes of
the mistakes people make (unknown stages and segments, dates out of order or not dates, full-width
digits, month-only dates, quoted cells, GBK encoding), so a difference in one rare rule shows up.
"""
from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from chaingraph import datasets
from chaingraph.datasets import read_dataset
from chaingraph.errors import DatasetErrors

PIPELINE = Path(__file__).parent / "data" / "pipeline"
HEADER = ("id,name,firm,segments,chain,anchor,park,stage,lead,contacted,negotiating,signed,registered,construction,"
          "producing,dropped,drop_reason,investment,expected_output,owner,source,note\n")
STAGES = ["lead", "contacted", "negotiating", "signed", "registered", "construction", "producing", "dropped",
          "签约", "在谈", "终止", "Signed ", "waiting", ""]
DATES = ["2023-01-05", "2023-02", "2023/3/2", "２０２３-０４-０１", "2023-13-01", "2023-02-30", "soon", "2022-12-31",
         "2023-06", "2024-01-15", "2023-03-10", "2023.5.1"]
SEGMENTS = ["", "separator", "cell;ev", "pack、cell", "ore", "nope", "cell;cell", "ev ; pack", "ore|moon"]


def _row(rng: random.Random, i: int) -> str:
    """A clean project row (dates in stage order up to its stage), or in a third of the rows one to three
    random mistakes."""
    reached = rng.randrange(7)
    day = rng.randrange(700)
    dates = [""] * 8
    for k in sorted(rng.sample(range(reached + 1), rng.randint(1, reached + 1))):
        day += rng.randrange(60)
        dates[k] = rng.choice([f"{738000 + day}", f"{738000 + day}m"])
    dates = [d if not d else _iso(int(d.rstrip("m")), month=d.endswith("m")) for d in dates]
    cells = [f"p{i}", f'"Project {i}, phase 2"' if i % 7 == 0 else f"项目{i}",
             rng.choice(["shsep", "shev", "lanjun"]), rng.choice(["separator", "cell;ev", "pack、cell", ""]), "li",
             "", rng.choice(["dy", "js", ""]), ["lead", "contacted", "negotiating", "signed", "registered",
                                                "construction", "producing"][reached], *dates, "",
             rng.choice(["", "12亿", '"1,200"']), "", "", "invented", ""]
    for _ in range(rng.choice([0, 0, 0, 0, 1, 2, 3])):
        col = rng.choice([0, 2, 3, 4, 6, 7, 7, 7, *range(8, 16), *range(8, 16), 16, 17])
        cells[col] = rng.choice({0: ["p1"], 2: ["nobody"], 3: SEGMENTS, 4: ["x", ""], 6: ["moon"], 7: STAGES,
                                 16: ["", "资金未到位", '"no, money"'], 17: ["x", "1,200"]}.get(col, DATES))
    return ",".join(cells)


def _iso(ordinal: int, *, month: bool) -> str:
    day = date.fromordinal(ordinal)
    return f"{day:%Y-%m}" if month else day.isoformat()


def _projects_folder(tmp_path: Path, seed: int, n: int, *, encoding: str = "utf-8") -> Path:
    folder = tmp_path / f"ds{seed}"
    shutil.copytree(PIPELINE, folder)
    (folder / "chains.csv").write_text("id,name,name_en\nli,锂电池,Lithium battery\nx,其他,Other\n", encoding="utf-8")
    rng = random.Random(seed)
    rows = [_row(rng, i) for i in range(1, n + 1)]
    (folder / "projects.csv").write_bytes((HEADER + "\n".join(rows) + "\n").encode(encoding))
    return folder


def _read(folder: Path) -> tuple[list[str], list]:
    try:
        return [], list(read_dataset(folder).projects)
    except DatasetErrors as exc:
        return [str(p) for p in exc.problems], []


def _all_rows_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "_suspect_projects", lambda stages, *_: np.ones(len(stages), dtype=bool))


@pytest.mark.parametrize("seed", range(6))
def test_projects_checked_by_column_say_what_row_by_row_said(tmp_path, monkeypatch, seed):
    folder = _projects_folder(tmp_path, seed, 400, encoding="gb18030" if seed == 5 else "utf-8")
    suspects = []
    column_wise = datasets._suspect_projects
    monkeypatch.setattr(datasets, "_suspect_projects", lambda *a: suspects.append(column_wise(*a)) or suspects[-1])
    fast = _read(folder)
    assert 50 < suspects[0].sum() < 0.5 * len(suspects[0])  # most rows were made straight from the columns
    _all_rows_one_by_one(monkeypatch)
    slow = _read(folder)
    assert fast == slow
    assert len(fast[0]) > 40  # each mistake of the generator is there, many times


def test_clean_projects_are_the_same_records(tmp_path, monkeypatch):
    """A clean file (the pipeline data's five projects, a full-width date and a month-only one added) gives
    equal records both ways: p6's ２０２３/５/１ is read as 2023-05-01."""
    folder = tmp_path / "ds"
    shutil.copytree(PIPELINE, folder)
    with open(folder / "projects.csv", "a", encoding="utf-8") as fh:
        fh.write('p6,"六期, 扩产",shev,"pack; ev",li,,js,signed,2023-01,,,２０２３/５/１,,,,,,,,,invented,\n')
    fast = read_dataset(folder).projects
    _all_rows_one_by_one(monkeypatch)
    assert fast == read_dataset(folder).projects
    assert fast[-1].dates == {"lead": "2023-01", "signed": "2023-05-01"} and fast[-1].segments == ("pack", "ev")


# -- links.csv: link ends as integer keys (datasets._short_keys) -------------------------------------------------

FIRM_IDS = {
    "fixed": [f"F{i:07d}" for i in range(60)],  # all 8 bytes: the bytes are read as a matrix
    "mixed": [f"f{i}" for i in range(60)],  # 2-3 bytes: gathered byte by byte
    "full-width": [f"企{i}" for i in range(60)],  # 4-5 bytes of UTF-8, still a key
    "long": [f"91330421MA2{i:07d}" for i in range(60)],  # 18 bytes (a credit code): no key, hashed as text
}


def _links_folder(tmp_path: Path, kind: str, seed: int, *, encoding: str = "utf-8") -> Path:
    """The pipeline data with 60 firms of ids ``FIRM_IDS[kind]`` and 600 links among them, a tenth of them
    bad (unknown, empty or quoted ends, self links, duplicates, unknown segments)."""
    folder = tmp_path / f"{kind}{seed}"
    shutil.copytree(PIPELINE, folder)
    (folder / "projects.csv").unlink()
    ids = FIRM_IDS[kind]
    rng = random.Random(seed)
    firms = [f"{f},企业{i},Firm {i},js,cell,{'true' if i == 0 else 'false'},1000,10,false,,,,invented"
             for i, f in enumerate(ids)]
    (folder / "firms.csv").write_bytes(
        ("id,name,name_en,region,segments,anchor,output_value,employees,listed,credit_code,lat,lon,source\n"
         + "\n".join(firms) + "\n").encode(encoding))
    links = []
    for i in range(600):
        sup, cus = ids[i // 10], rng.choice(ids)
        if rng.random() < 0.1:
            again = links[-1].split(",")[1] if links else cus  # the previous link's customer: a duplicate
            sup, cus = rng.choice([(sup, sup), ("nobody", cus), (sup, "F999"), ("", cus), (sup, " "),
                                   (f'"{sup}"', cus), (sup, f" {cus} "), (sup, again)])
        seg = rng.choice(["cell", "cell", "ev", "", "moon"] if rng.random() < 0.2 else ["cell"])
        links.append(f"{sup},{cus},{seg},,{rng.randrange(1, 99)},invented,1")
    if seed % 2:
        links.sort()  # grouped by supplier, then customer, as exports usually are
    (folder / "links.csv").write_bytes(("supplier,customer,segment,product,value,source,confidence\n"
                                        + "\n".join(links) + "\n").encode(encoding))
    return folder


def _read_links(folder: Path) -> tuple[list[str], dict[str, list[int]]]:
    try:
        ds = read_dataset(folder)
    except DatasetErrors as exc:
        return [str(p) for p in exc.problems], {}
    return [], {k: v.tolist() for k, v in ds.link_rows.items()}


@pytest.mark.parametrize("kind", sorted(FIRM_IDS))
@pytest.mark.parametrize("seed", range(3))
def test_link_ends_as_keys_say_what_hashing_the_text_said(tmp_path, monkeypatch, kind, seed):
    folder = _links_folder(tmp_path, kind, seed, encoding="gb18030" if seed == 2 else "utf-8")
    keyed = []
    short_keys = datasets._short_keys
    monkeypatch.setattr(datasets, "_short_keys", lambda arr: keyed.append(short_keys(arr)) or keyed[-1])
    fast = _read_links(folder)
    assert (keyed[0] is None) == (kind == "long")  # the fast path was taken where the ids fit
    monkeypatch.setattr(datasets, "_short_keys", lambda arr: None)
    assert fast == _read_links(folder)
    assert len(fast[0]) > 20


@pytest.mark.parametrize("kind", sorted(FIRM_IDS))
def test_clean_links_give_the_same_rows(tmp_path, monkeypatch, kind):
    """Without bad links, the rows of each end (the store's index reuses them) are the same both ways, and
    ``link_rows`` point at the right firms: link 1 of firm 0 goes to its chosen customer."""
    folder = _links_folder(tmp_path, kind, 1)
    text = (folder / "links.csv").read_text(encoding="utf-8").splitlines()
    ids = FIRM_IDS[kind]
    good = [ln for ln in text[1:] if ln.split(",")[0] in ids and ln.split(",")[1] in ids
            and ln.split(",")[0] != ln.split(",")[1] and ln.split(",")[2] in ("cell", "ev", "")]
    good = list({tuple(ln.split(",")[:3]): ln for ln in good}.values())  # no duplicates
    (folder / "links.csv").write_text("\n".join([text[0], *good]) + "\n", encoding="utf-8")
    fast = _read_links(folder)
    assert fast[0] == [] and len(fast[1]["supplier"]) == len(good) > 400
    first = good[0].split(",")
    assert (ids[fast[1]["supplier"][0]], ids[fast[1]["customer"][0]]) == (first[0], first[1])
    monkeypatch.setattr(datasets, "_short_keys", lambda arr: None)
    assert fast == _read_links(folder)


# -- encodings: datasets._is_utf8 ----------------------------------------------------------------------------------

def _python_says_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_arrow_utf8_check_agrees_with_python_decoder():
    """Arrow's check, which spares decoding the firms, accepts exactly what ``bytes.decode("utf-8")`` accepts:
    surrogates (ED A0 80), overlong forms (C0 AF), code points past U+10FFFF (F4 90 80 80), GBK text, truncated
    characters, and random bytes around valid text (3,000 cases, seeded)."""
    cases = [b"", b"plain", "企业，１２３".encode(), "企业".encode("gb18030"), bytes([0xED, 0xA0, 0x80]),
             bytes([0xC0, 0xAF]), bytes([0xF4, 0x90, 0x80, 0x80]), "企".encode()[:2], b"\xef\xbb\xbfid", b"a\x00b"]
    rng = random.Random(7)
    text = "F0000001,合成企业，１２３,Synthetic\u3000Firm,𝔘\n".encode()
    for _ in range(3000):
        i = rng.randrange(len(text))
        cases.append(text[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 3))) + text[i:])
    assert [datasets._is_utf8(c) for c in cases] == [_python_says_utf8(c) for c in cases]
    assert 0 < sum(map(_python_says_utf8, cases)) < len(cases)


def test_numbers_with_separators_take_the_slow_path(tmp_path):
    """Arrow's cast reads plain numbers only; "1,200", "1_000", full-width "１２３" and "1.5万" are read by the slow
    path, to 1200, 1000, 123 and 15000 (the pipeline data has four firms)."""
    folder = tmp_path / "ds"
    shutil.copytree(PIPELINE, folder)
    (folder / "projects.csv").unlink()
    lines = (folder / "firms.csv").read_text(encoding="utf-8").splitlines()
    values = ['"1,200"', "1_000", "１２３", "1.5万"]
    cells = [ln.split(",") for ln in lines[1:5]]
    for row, value in zip(cells, values):
        row[6] = value
    (folder / "firms.csv").write_text("\n".join([lines[0], *(",".join(c) for c in cells)]) + "\n",
                                      encoding="utf-8")
    assert read_dataset(folder).firms.column("output_value").to_pylist() == [1200.0, 1000.0, 123.0, 15000.0]


def test_references_into_many_firms_are_checked_from_the_few(tmp_path):
    """With 60 firms and three projects, the projects' firms are hashed rather than the firms' ids
    (``_ref``): the unknown firm F999 (line 3) and anchor nobody (line 4) are still found, the known ones not."""
    folder = _links_folder(tmp_path, "fixed", 1)
    (folder / "links.csv").write_text("supplier,customer\n", encoding="utf-8")
    (folder / "projects.csv").write_text("id,name,firm,chain,stage,anchor\np1,A,F0000001,li,lead,F0000000\n"
                                         "p2,B,F999,li,lead,\np3,C,F0000002,li,lead,nobody\n", encoding="utf-8")
    problems, _ = _read(folder)
    assert [p.split("projects.csv:")[1][:40] for p in problems] == ["3: unknown firm 'F999' (use an id from f",
                                                                  "4: unknown anchor firm 'nobody' (use an "]
