"""Crafted dataset folders (issue 15): only regular files are read, sizes and TOML nesting are
bounded, header BOMs are dropped, unreadable files say so, and control characters never validate.

Every case must end in a one-line problem within seconds: a FIFO or ``/dev/zero`` used to hang
or fill the memory, deep TOML raised ``RecursionError``, a NUL in a name validated.
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from chaingraph import datasets
from chaingraph.datasets import MAX_TOML_DEPTH, parse_size, read_dataset, read_file
from chaingraph.errors import ChainGraphError, DatasetError, DatasetErrors
from chaingraph.jobs import load_weights
from chaingraph.stores import graph_from_dataset

TINY = Path(__file__).parent / "data" / "tiny"
FIRMS = (TINY / "firms.csv").read_text(encoding="utf-8")
REGIONS = (TINY / "regions.csv").read_text(encoding="utf-8")


@pytest.fixture
def no_hang():
    """Fail a test that blocks for 20 s (a FIFO open blocks forever) instead of hanging the suite."""

    def alarm(signum, frame):
        raise TimeoutError("hung: the reader blocked")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def problems(folder: Path, **kwargs) -> list[str]:
    with pytest.raises(DatasetErrors) as info:
        read_dataset(folder, **kwargs)
    return [str(p) for p in info.value.problems]


# -- only regular files ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["firms.csv", "links.csv", "dataset.toml"])
def test_a_named_pipe_is_refused_without_opening_it(make_dataset, no_hang, name):
    folder = make_dataset(**{name.replace(".", "_"): None})
    os.mkfifo(folder / name)
    assert problems(folder) == [f"{folder / name}: not a regular file (a named pipe) (give the data file itself)"]


def test_a_link_to_dev_zero_is_refused(make_dataset, no_hang):
    """Used to read /dev/zero until the machine ran out of memory."""
    folder = make_dataset(links_csv=None)
    (folder / "links.csv").symlink_to("/dev/zero")
    assert problems(folder) == [f"{folder}/links.csv: not a regular file (a device) (give the data file itself)"]


def test_a_folder_in_place_of_a_file_is_refused(make_dataset):
    folder = make_dataset(firms_csv=None)
    (folder / "firms.csv").mkdir()
    assert problems(folder) == [f"{folder}/firms.csv: not a regular file (a folder) (give the data file itself)"]


def test_read_file_of_a_device_names_it():
    with pytest.raises(DatasetError, match=r"^/dev/null: not a regular file \(a device\)"):
        read_file("/dev/null")


# -- size cap ----------------------------------------------------------------------------------

def test_size_cap_per_file(make_dataset):
    """firms.csv of tiny is 480-odd bytes: a 256-byte cap refuses it (and only it, of the CSVs over 256)."""
    folder = make_dataset()
    size = (folder / "firms.csv").stat().st_size
    assert size > 256
    found = problems(folder, max_file_size=256)
    assert f"{folder}/firms.csv: the file is larger than the limit of 256 bytes ({size} bytes) (pass " \
           "--max-file-size with a larger limit, e.g. --max-file-size 8G)" in found
    assert read_dataset(folder, max_file_size=size).firms.num_rows == 4


def test_parse_size():
    assert parse_size("2G") == 2 << 30 == datasets.MAX_FILE_SIZE
    assert parse_size("1k") == parse_size("1 KiB") == parse_size("1kb") == 1024
    for bad in ("", "G", "1x", "-1", "1 ib"):
        with pytest.raises(ValueError):
            parse_size(bad)


# -- TOML bounds -------------------------------------------------------------------------------

DEEP = "[" * 3000 + "]" * 3000


@pytest.mark.parametrize("toml", [
    f'name = "t"\nhome_region = "js"\nx = {DEEP}\n',  # tomllib's recursion limit
    f'name = "t"\nhome_region = "js"\nx = {"[" * (MAX_TOML_DEPTH + 1)}{"]" * (MAX_TOML_DEPTH + 1)}\n',
    'name = "t"\nhome_region = "js"\n[' + ".".join("k" * 40) + "]\n",  # dotted tables nest too
])
def test_deep_toml_is_one_problem(make_dataset, toml):
    folder = make_dataset(dataset_toml=toml)
    assert problems(folder) == [f"{folder}/dataset.toml: tables or arrays nest more than 32 deep "
                                "(dataset.toml holds a few plain keys; remove the nesting)"]


def test_nesting_up_to_the_limit_is_fine(make_dataset):
    inner = "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH
    ds = read_dataset(make_dataset(dataset_toml=f'name = "t"\nhome_region = "js"\nx = {inner}\n'))
    assert ds.meta["name"] == "t"


def test_toml_over_one_mib_is_refused(make_dataset):
    folder = make_dataset(dataset_toml='name = "t"\nhome_region = "js"\n' + "# padding\n" * 110_000)
    (p,) = problems(folder)
    assert p.startswith(f"{folder}/dataset.toml: the file is larger than the limit of 1 MiB (1 MiB)")


def test_deep_weights_profile_is_our_error(tmp_path):
    profile = tmp_path / "deep.toml"
    profile.write_text(f"proximity = {DEEP}\n")
    with pytest.raises(ChainGraphError, match="nest too deep"):
        load_weights(None, profile)
    profile.write_text(f"proximity = {'[' * 20}{']' * 20}\n")
    with pytest.raises(ChainGraphError, match="not a number"):
        load_weights(None, profile)


def test_weights_profile_must_be_a_regular_file(tmp_path, no_hang):
    os.mkfifo(tmp_path / "fifo.toml")
    with pytest.raises(ChainGraphError, match=r"fifo.toml: not a regular file \(a named pipe\)"):
        load_weights(None, tmp_path / "fifo.toml")


# -- BOM in a header cell ----------------------------------------------------------------------

@pytest.mark.parametrize("content", [
    FIRMS.replace("id,name,", "id,\ufeffname,", 1).encode(),  # a BOM pasted into a cell
    b"\xef\xbb\xbf\xef\xbb\xbf" + FIRMS.encode(),  # saved with a BOM twice
])
def test_bom_in_a_header_cell_is_dropped(make_dataset, content):
    """Used to say: missing required column 'name' (or 'id')."""
    folder = make_dataset(firms_csv=content)
    assert sorted(graph_from_dataset(folder).nodes(data="name")) == sorted(graph_from_dataset(TINY).nodes(data="name"))


# -- unreadable files --------------------------------------------------------------------------

@pytest.fixture
def deny(monkeypatch):
    """``deny(name)``: opening (or stat-ing, with ``stat=True``) a file called ``name`` raises EACCES,
    as chmod 000 would for anyone but root (the suite may run as root, which chmod does not stop)."""
    real_open, real_stat = os.open, os.stat

    def install(name: str, *, stat: bool = False) -> None:
        def fake_open(path, *args, **kwargs):
            if Path(path).name == name:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        def fake_stat(path, *args, **kwargs):
            if stat and Path(path).name == name:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(datasets.os, "open", fake_open)
        monkeypatch.setattr(datasets.os, "stat", fake_stat)

    return install


@pytest.mark.parametrize("stat", [False, True])
@pytest.mark.parametrize("name", ["dataset.toml", "firms.csv", "links.csv"])
def test_unreadable_file_says_permission_denied(make_dataset, deny, name, stat):
    """dataset.toml used to be reported as a "missing file"."""
    folder = make_dataset()
    deny(name, stat=stat)
    assert problems(folder) == [f"{folder / name}: cannot read (permission denied) "
                                "(give yourself read access to the file and its folder)"]


def test_unreadable_folder_says_permission_denied(make_dataset, deny):
    folder = make_dataset()
    deny(folder.name, stat=True)
    assert problems(folder) == [f"{folder}: cannot read (permission denied) "
                                "(give the folder that holds dataset.toml and firms.csv)"]


def test_missing_and_unreadable_differ(make_dataset):
    folder = make_dataset(dataset_toml=None)
    assert problems(folder) == [f"{folder}/dataset.toml: missing file "
                                "(every dataset needs dataset.toml with name and home_region)"]


# -- the region tree ---------------------------------------------------------------------------

def _regions_with(extra_rows: list[str]) -> str:
    return REGIONS + "".join(row + "\n" for row in extra_rows)


def test_a_region_chain_100000_deep_validates_in_seconds(make_dataset):
    """Each region is walked once: 100,000 regions each inside the previous one take well under 5 s
    (the check was n·depth² before: 3,000 deep took 74 s). CPU time, so other work on the machine
    does not count."""
    rows = [f"r{i},R{i},,{'js' if i == 0 else f'r{i - 1}'},town,," for i in range(100_000)]
    folder = make_dataset(regions_csv=_regions_with(rows))
    start = time.process_time()
    ds = read_dataset(folder)
    assert time.process_time() - start < 5
    assert len(ds.regions) == 100_006


def test_a_3000_long_cycle_is_reported_once(make_dataset):
    """c0 > c1 > ... > c2999 > c0: one problem, on the line of the region where the walk closed it."""
    n = 3000
    rows = [f"c{i},C{i},,c{(i + 1) % n},town,," for i in range(n)]
    folder = make_dataset(regions_csv=_regions_with(rows))
    start = time.process_time()
    found = problems(folder)
    assert time.process_time() - start < 5
    assert len(found) == 1
    cycle = " > ".join(f"c{i}" for i in range(n)) + " > c0"
    assert found[0] == (f"{folder}/regions.csv:8: the region tree has a cycle: {cycle} "
                        "(a region cannot be inside itself; fix one parent)")


# -- control characters ------------------------------------------------------------------------

BAD = "(delete it; names, ids and text cannot hold control characters)"


@pytest.mark.parametrize("files, expected", [
    ({"firms_csv": FIRMS.replace("兰钧新能源", "兰钧\x00新能源")},
     ["firms.csv:2: name '兰钧\\x00新能源' holds a control character " + BAD]),
    ({"firms_csv": FIRMS.replace("shsep", "sh\x1b[31msep"), "links_csv": None},
     ["firms.csv:4: id 'sh\\x1b[31msep' holds a control character " + BAD]),
    # no control byte but a quoted line end, which only the column check sees (the bytes hold no control)
    ({"firms_csv": FIRMS.replace("shsep", '"sh\nsep"'), "links_csv": None},
     ["firms.csv:4: id 'sh\\nsep' holds a control character " + BAD]),
    ({"firms_csv": FIRMS.replace("Shanghai EV", "Shanghai\tEV")},
     ["firms.csv:5: name_en 'Shanghai\\tEV' holds a control character " + BAD]),
    ({"regions_csv": REGIONS.replace("大云镇", "大云\x07镇")},
     ["regions.csv:6: name '大云\\x07镇' holds a control character " + BAD]),
    ({"segments_csv": (TINY / "segments.csv").read_text().replace("Cathode", "Cath\x7fode")},
     ["segments.csv:3: name_en 'Cath\\x7fode' holds a control character " + BAD]),
    ({"links_csv": (TINY / "links.csv").read_text().replace("wet separator", "wet\x0bseparator")},
     ["links.csv:3: product 'wet\\x0bseparator' holds a control character " + BAD]),
    ({"firms_csv": FIRMS.replace("id,name,", "id,na\x01me,", 1)},
     ["firms.csv:1: column name 'na\\x01me' holds a control character (delete it)",
      "firms.csv:1: missing required column 'name' (add a column named name (or 名称/名稱/中文名称))"]),
    ({"dataset_toml": 'name = "t\\u0000"\nhome_region = "js"\n'},
     ["dataset.toml: name holds a control character: 't\\x00' (delete it)"]),
])
def test_control_characters_are_problems_with_file_and_line(make_dataset, files, expected):
    """A NUL in a name used to validate, then crash the XLSX writer (and be cut short over Bolt)."""
    folder = make_dataset(**files)
    assert problems(folder) == [f"{folder}/{p}" for p in expected]


def test_tab_and_line_ends_are_fine_in_free_text(make_dataset):
    links = (TINY / "links.csv").read_text().replace("wet separator", '"wet\tseparator\r\nrolls"')
    firms = FIRMS.replace("invented\n", '"invented\tby\nhand"\n', 1)
    ds = read_dataset(make_dataset(links_csv=links, firms_csv=firms))
    assert ds.links.column("product").to_pylist()[1] == "wet\tseparator\r\nrolls"
    assert ds.firms.column("source").to_pylist()[0] == "invented\tby\nhand"


def test_no_control_character_in_a_valid_dataset_reaches_a_store(make_dataset):
    """Every string a valid dataset hands a store is free of C0 controls other than tab and line ends."""
    ds = read_dataset(make_dataset(firms_csv=FIRMS.replace("invented\n", "invented\t\n", 1)))
    for table in (ds.firms, ds.links):
        for column in table.itercolumns():
            for value in column.to_pylist():
                for s in value if isinstance(value, list) else [value]:
                    assert not isinstance(s, str) or not any(ord(ch) < 32 and ch not in "\t\r\n" or ord(ch) == 127
                                                             for ch in s)


def test_problems_keep_the_file_order_while_links_are_checked_on_another_thread(tmp_path):
    """links.csv is checked in a second thread beside firms.csv and projects.csv; its problems are
    still listed after the firms' and before the projects', as the checks run in that order, and the
    per-rule cap counts each file once."""
    src = Path(__file__).resolve().parent / "data" / "pipeline"
    folder = Path(shutil.copytree(src, tmp_path / "ds"))
    edit = {"firms.csv": ("jscathode,嘉善正极,Jiashan Cathode,dy,", "jscathode,嘉善正极,Jiashan Cathode,nowhere,"),
            "links.csv": ("shsep,lanjun,separator", "ghost,lanjun,separator"),
            "projects.csv": ("p1,上海隔膜嘉善基地,shsep,", "p1,上海隔膜嘉善基地,nobody,")}
    for name, (old, new) in edit.items():
        text = (folder / name).read_text(encoding="utf-8")
        assert old in text
        (folder / name).write_text(text.replace(old, new), encoding="utf-8")
    found = problems(folder)
    files = [p.split(":")[0].rsplit("/", 1)[-1] for p in found]
    assert files == ["firms.csv", "links.csv", "projects.csv"], found
    assert "'nowhere'" in found[0] and "'ghost'" in found[1] and "'nobody'" in found[2]
