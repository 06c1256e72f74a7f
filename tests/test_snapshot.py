"""Snapshots (chaingraph.stores.snapshot): the same answers as the CSV files, rebuilt whenever they cannot be
trusted, written atomically.

Every test runs with ``CHAINGRAPH_CACHE`` pointing at its own empty folder (the autouse fixture in the root
conftest.py), so nothing here touches ~/.cache.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import chaingraph.stores.memory as memory
from chaingraph.cli import cli
from chaingraph.datasets import read_dataset
from chaingraph.stores import open_store
from chaingraph.stores.memory import MemoryStore
from chaingraph.stores.snapshot import (
    SnapshotError,
    cache_folder,
    cache_slot,
    fingerprint,
    read_snapshot,
)

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny"
JIASHAN = ROOT / "datasets" / "jiashan"
PIPELINE = ROOT / "tests" / "data" / "pipeline"


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=code != 0)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def reads(monkeypatch):
    """Counts the dataset folders the memory store reads from CSV: ``reads`` is the list of folders read."""
    seen: list[str] = []

    def counting(path, **kwargs):
        seen.append(str(path))
        return read_dataset(path, **kwargs)

    monkeypatch.setattr(memory, "read_dataset", counting)
    return seen


def copy(src: Path, tmp_path: Path, name: str = "ds") -> Path:
    return Path(shutil.copytree(src, tmp_path / name))


def snapshot_of(folder: Path) -> Path:
    slot = cache_slot(folder)
    assert (slot / "manifest.json").is_file(), f"no snapshot at {slot}"
    return slot


COMMANDS = [("gaps", "--format", "json"), ("targets", "--format", "json"),
            ("plan", "--budget", "3", "--format", "json"),
            ("pipeline", "--format", "json", "--as-of", "2023-12-31", "--impact"), ("info", "--format", "json")]


@pytest.mark.parametrize("dataset", [TINY, JIASHAN, PIPELINE], ids=["tiny", "jiashan", "pipeline"])
def test_snapshot_gives_the_csv_answers(dataset, tmp_path, reads):
    """gaps, targets, plan and info print byte for byte the same JSON from the CSV files (--no-cache), from the
    run that writes the snapshot, and from the run that reads it; the last run reads no CSV file."""
    folder = copy(dataset, tmp_path)
    for cmd, *opts in COMMANDS:
        reads.clear()
        plain = run(cmd, str(folder), "--silent", "--no-cache", *opts)
        first = run(cmd, str(folder), "--silent", *opts)
        assert reads == [str(folder)] * (2 if cmd == "gaps" else 1)   # gaps wrote the snapshot
        reads.clear()
        second = run(cmd, str(folder), "--silent", *opts)
        assert reads == []
        assert plain == first == second
    assert json.loads(plain)["counts"]["firms"] > 0


def test_snapshot_carries_every_part_of_the_dataset(tmp_path):
    """Records (projects included), metadata, extra columns and every column of the firm and link tables
    come back equal, with the same Arrow schemas."""
    folder = copy(PIPELINE, tmp_path)
    direct = MemoryStore.from_dataset(folder)
    open_store(str(folder))
    dataset, arrays, manifest = read_snapshot(snapshot_of(folder))
    want = direct.dataset
    assert dataset.projects == want.projects and len(want.projects) > 0
    assert (dataset.meta, dataset.regions, dataset.chains, dataset.segments, dataset.segment_links,
            dataset.extra_columns, dataset.path) == (want.meta, want.regions, want.chains, want.segments,
                                                     want.segment_links, want.extra_columns, want.path)
    assert dataset.firms.schema == want.firms.schema and dataset.firms.equals(want.firms.combine_chunks())
    assert dataset.links.schema == want.links.schema and dataset.links.equals(want.links.combine_chunks())
    assert sorted(dataset.lines) == sorted(want.lines) and all(
        (dataset.lines[k] == want.lines[k]).all() for k in want.lines)
    assert dataset.skipped == want.skipped
    for name, arr in direct.index().items():
        assert arrays[name].dtype == arr.dtype and (arrays[name] == arr).all(), name
    assert manifest["dataset"] == fingerprint(folder)


def test_snapshot_projects_are_read_column_by_column(tmp_path, monkeypatch):
    """The snapshot's projects give every field, and every date by its key, as columns equal to the
    records' (``model.ProjectColumns``); the pipeline report and the targets' project notes are made from
    those columns alone, without a record per project, and equal the answers from the CSV records."""
    from chaingraph import jobs
    from chaingraph.analyses.pipeline import pipeline_notes
    from chaingraph.model import PROJECT_DATE_KEYS, Project, ProjectColumns, project_column
    from chaingraph.stores.snapshot import LazyProjects

    folder = copy(PIPELINE, tmp_path)
    direct = MemoryStore.from_dataset(folder)
    want = list(direct.projects())
    open_store(str(folder))
    lazy = open_store(str(folder)).projects()
    assert isinstance(lazy, LazyProjects) and isinstance(lazy, ProjectColumns) and len(lazy) == len(want) >= 5
    for name in [f.name for f in dataclasses.fields(Project)] + [f"dates.{k}" for k in PROJECT_DATE_KEYS]:
        assert list(lazy.project_column(name)) == list(project_column(want, name)), name
    assert any(p.dates.get("dropped") for p in want) and any(p.drop_reason for p in want)
    assert [lazy[i] for i in range(len(want))] == want and lazy[-1] == want[-1]   # one record at a time

    day = "2023-12-31"
    expected = jobs.pipeline_report(direct, as_of=day, impact=False).to_dict()
    expected_notes = pipeline_notes(want, as_of=dt.date(2023, 12, 31))

    def no_records(self):
        raise AssertionError("a record per project was made")

    monkeypatch.setattr(LazyProjects, "_decoded", no_records)
    store = open_store(str(folder))
    assert jobs.pipeline_report(store, as_of=day, impact=False).to_dict() == expected
    assert pipeline_notes(store.projects(), as_of=dt.date(2023, 12, 31)) == expected_notes
    with pytest.raises(AssertionError, match="a record per project"):
        list(store.projects())


def test_an_edit_that_keeps_size_and_time_invalidates(tmp_path, reads):
    """Renaming firm 'lanjun' 兰钧新能源 to 兰钧新能X (same byte count) and restoring the file's mtime still
    changes the fingerprint (content hash), so the next run reads the CSV and shows the new name."""
    folder = copy(TINY, tmp_path)
    assert open_store(str(folder)).firm("lanjun")["name"] == "兰钧新能源"
    firms = folder / "firms.csv"
    st = firms.stat()
    data = firms.read_bytes()
    edited = data.replace("兰钧新能源".encode(), "兰钧新能X".encode() + b"  ", 1)
    assert len(edited) == len(data) and edited != data
    firms.write_bytes(edited)
    os.utime(firms, ns=(st.st_atime_ns, st.st_mtime_ns))
    reads.clear()
    assert open_store(str(folder)).firm("lanjun")["name"] == "兰钧新能X"
    assert reads == [str(folder)]
    reads.clear()
    assert open_store(str(folder)).firm("lanjun")["name"] == "兰钧新能X"     # the new snapshot
    assert reads == []


@pytest.mark.skipif(os.name != "posix", reason="the change time stands in for the content hash on POSIX only")
def test_the_fingerprint_rests_on_the_change_time(tmp_path):
    """No content hash on POSIX: os.utime sets the modification time back, but the kernel sets the change time
    to now, so an edit that keeps size and mtime still changes the fingerprint (the test above)."""
    folder = copy(TINY, tmp_path)
    before = fingerprint(folder)["firms.csv"]
    assert set(before) == {"size", "mtime_ns", "ctime_ns", "inode"}
    firms = folder / "firms.csv"
    time.sleep(0.05)  # past the kernel's coarse clock tick (a few ms), which stamps the change time
    os.utime(firms, ns=(before["mtime_ns"], before["mtime_ns"]))   # a no-op on the times a user can set
    after = fingerprint(folder)["firms.csv"]
    assert after["mtime_ns"] == before["mtime_ns"] and after["ctime_ns"] > before["ctime_ns"]


def _flip_keeping_mtime(path: Path) -> None:
    st = path.stat()
    _flip(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_snapshot_file_edited_behind_the_manifest_is_hashed_and_refused(tmp_path):
    """A snapshot file rewritten with its size and mtime kept no longer matches the stamp the manifest
    recorded (its change time moved), so it is hashed, and the hash refuses it."""
    folder = copy(TINY, tmp_path)
    open_store(str(folder))
    slot = snapshot_of(folder)
    read_snapshot(slot)                      # the stamps match: trusted without hashing
    _flip_keeping_mtime(slot / "links.arrow")
    with pytest.raises(SnapshotError, match="links.arrow"):
        read_snapshot(slot)


def test_a_copied_snapshot_is_checked_by_its_hashes(tmp_path):
    """A copy has new inodes and change times: every file is hashed, a good copy opens, a damaged one not."""
    folder = copy(TINY, tmp_path)
    open_store(str(folder))
    good = Path(shutil.copytree(snapshot_of(folder), tmp_path / "copy.chaingraph"))
    assert MemoryStore.from_snapshot(good).firm("lanjun")["name"] == "兰钧新能源"
    bad = Path(shutil.copytree(snapshot_of(folder), tmp_path / "bad.chaingraph"))
    _flip_keeping_mtime(bad / "firms.arrow")
    with pytest.raises(SnapshotError, match="firms.arrow"):
        read_snapshot(bad)


def test_adding_an_optional_file_invalidates(tmp_path, reads):
    """projects.csv absent, then added: the fingerprint lists it, so the projects show up."""
    folder = copy(PIPELINE, tmp_path)
    projects = (folder / "projects.csv").read_bytes()
    (folder / "projects.csv").unlink()
    assert open_store(str(folder)).projects() == []
    (folder / "projects.csv").write_bytes(projects)
    reads.clear()
    assert len(open_store(str(folder)).projects()) > 0
    assert reads == [str(folder)]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01          # one bit in the middle: the size and the structure stay valid
    path.write_bytes(bytes(data))


def _version(path: Path) -> None:
    manifest = json.loads(path.read_text())
    manifest["reader"] = "0.0.1+0000000000000000"
    path.write_text(json.dumps(manifest))


def _garbage(path: Path) -> None:
    path.write_text("{not json")


DAMAGE = [("links.arrow", _truncate), ("firms.arrow", _flip), ("link_sup.npy", _flip), ("small.json", _flip),
          ("out_offsets.npy", _truncate), ("manifest.json", _version), ("manifest.json", _garbage),
          ("in_links.npy", Path.unlink)]


@pytest.mark.parametrize(("name", "damage"), DAMAGE, ids=[f"{n}-{d.__name__.strip('_')}" for n, d in DAMAGE])
def test_a_damaged_or_foreign_snapshot_is_rebuilt(name, damage, tmp_path, reads):
    """Whatever is wrong with the snapshot, read_snapshot refuses it, and the next open reads the CSV files,
    gives the CSV answers and leaves a good snapshot behind."""
    folder = copy(TINY, tmp_path)
    want = run("targets", str(folder), "--silent", "--no-cache", "--format", "json")
    open_store(str(folder))
    slot = snapshot_of(folder)
    damage(slot / name)
    with pytest.raises(SnapshotError):
        read_snapshot(slot)
    reads.clear()
    assert run("targets", str(folder), "--silent", "--format", "json") == want
    assert reads == [str(folder)]
    read_snapshot(slot)      # rewritten, and whole
    reads.clear()
    assert run("targets", str(folder), "--silent", "--format", "json") == want
    assert reads == []


def test_a_changed_reader_invalidates(tmp_path, reads, monkeypatch):
    """A snapshot written by other code (another version, or an edited datasets.py) is not read."""
    import chaingraph.stores.snapshot as snapshot

    folder = copy(TINY, tmp_path)
    open_store(str(folder))
    monkeypatch.setattr(snapshot, "reader_key", lambda: "9.9.9+ffffffffffffffff")
    with pytest.raises(SnapshotError, match="written by chaingraph"):
        read_snapshot(snapshot_of(folder))
    reads.clear()
    open_store(str(folder))
    assert reads == [str(folder)]


def test_no_cache_reads_and_writes_nothing(tmp_path, reads, _snapshot_cache):
    folder = copy(TINY, tmp_path)
    run("gaps", str(folder), "--silent", "--no-cache")
    assert list(_snapshot_cache.iterdir()) == []
    open_store(str(folder))                      # writes one
    reads.clear()
    run("gaps", str(folder), "--silent", "--no-cache")
    assert reads == [str(folder)]


def test_where_the_cache_lives(tmp_path, monkeypatch):
    """--cache-dir, then $CHAINGRAPH_CACHE, then $XDG_CACHE_HOME/chaingraph, then ~/.cache/chaingraph."""
    folder = copy(TINY, tmp_path)
    run("gaps", str(folder), "--silent", "--cache-dir", str(tmp_path / "mine"))
    assert [p.suffix for p in (tmp_path / "mine").iterdir()] == [".chaingraph"]
    assert cache_folder() == Path(os.environ["CHAINGRAPH_CACHE"])
    monkeypatch.delenv("CHAINGRAPH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "chaingraph"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "chaingraph"
    assert cache_slot(folder).parent == tmp_path / "home" / ".cache" / "chaingraph"


def test_an_unwritable_cache_does_not_fail_the_command(tmp_path):
    folder = copy(TINY, tmp_path)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    out = run("gaps", str(folder), "--silent", "--anchor", "lanjun", "--cache-dir", str(blocked / "cache"))
    assert out == run("gaps", str(folder), "--silent", "--anchor", "lanjun", "--no-cache")


def test_load_to_an_explicit_snapshot(tmp_path, reads):
    """load --to x.chaingraph writes a snapshot that gaps/targets/plan open without reading a CSV; their JSON
    is the CSV's, the metadata's source aside (it names what the user opened)."""
    target = tmp_path / "tiny.chaingraph"
    out = run("load", str(TINY), "--to", str(target), "--lang", "en")
    assert out.startswith(f"saved {TINY} as the snapshot {target}: 4 firms, 3 links (")
    reads.clear()
    for cmd, *opts in COMMANDS:
        got = run(cmd, str(target), "--silent", *opts)
        want = run(cmd, str(TINY), "--silent", "--no-cache", *opts)
        assert got.replace(str(target), str(TINY)) == want
    assert reads == [str(TINY)] * len(COMMANDS)     # only the --no-cache runs
    info = json.loads(run("info", str(target), "--format", "json", "--silent"))
    assert info["dataset"]["source"] == str(target)
    assert "已将" in run("load", str(TINY), "--to", str(target))        # replaces its own snapshot


def test_load_to_refuses_what_is_not_a_snapshot(tmp_path):
    out = run("load", str(TINY), "--to", str(tmp_path / "x"), "--lang", "en", code=1)
    assert "a snapshot folder ending in .chaingraph" in out
    assert "以 .chaingraph 结尾的快照文件夹" in run("load", str(TINY), "--to", str(tmp_path / "x"), "--lang", "zh", code=1)
    (tmp_path / "mine.chaingraph").mkdir()
    (tmp_path / "mine.chaingraph" / "notes.txt").write_text("keep me")
    out = run("load", str(TINY), "--to", str(tmp_path / "mine.chaingraph"), "--lang", "en", code=1)
    assert "exists and is not a chaingraph snapshot" in out
    assert (tmp_path / "mine.chaingraph" / "notes.txt").read_text() == "keep me"


def test_a_damaged_explicit_snapshot_is_an_error(tmp_path):
    target = tmp_path / "tiny.chaingraph"
    run("load", str(TINY), "--to", str(target))
    _flip(target / "links.arrow")
    out = run("gaps", str(target), "--silent", "--lang", "en", code=1)
    assert out.startswith("Error: ") and "links.arrow is damaged" in out
    assert "Traceback" not in out


WRITER = """
import sys
from chaingraph.stores.memory import MemoryStore
stores = [MemoryStore.from_dataset(p) for p in sys.argv[2:4]]
for i in range(int(sys.argv[4])):
    stores[i % 2].save(sys.argv[1])
"""

READER = """
import json, sys, time
from chaingraph.stores.memory import MemoryStore
from chaingraph.stores.snapshot import SnapshotError
seen, refused, deadline = set(), 0, time.time() + 120
while time.time() < deadline:
    try:
        store = MemoryStore.from_snapshot(sys.argv[1])
        seen.add((store.counts()["firms"], store.counts()["links"], len(store.dataset.firms),
                  len(store.dataset.links), int(store.out_offsets[-1]), len(store.firm_region)))
    except SnapshotError:
        refused += 1
    if open(sys.argv[2]).read() == "done":
        break
print(json.dumps({"seen": sorted(seen), "refused": refused}))
"""


def test_two_processes_never_see_half_a_snapshot(tmp_path):
    """One process rewrites a snapshot over and over, alternating two datasets (tiny: 4 firms / 3 links,
    and 12 generated firms); another opens it in a loop. Every open either is refused (the folder is between
    two renames) or gives one whole dataset: never a mix of the two."""
    small = copy(TINY, tmp_path, "small")
    other = tmp_path / "other"
    from chaingraph.generate import generate_dataset

    generate_dataset(other, firms=12, seed=3)
    b = MemoryStore.from_dataset(other).counts()
    target, flag = tmp_path / "x.chaingraph", tmp_path / "flag"
    flag.write_text("")
    MemoryStore.from_dataset(small).save(target)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader = subprocess.Popen([sys.executable, "-c", READER, str(target), str(flag)], stdout=subprocess.PIPE,
                              text=True, env=env)
    writer = subprocess.run([sys.executable, "-c", WRITER, str(target), str(small), str(other), "30"],
                            capture_output=True, text=True, env=env, timeout=600)
    flag.write_text("done")
    out, _ = reader.communicate(timeout=600)
    assert writer.returncode == 0, writer.stderr
    seen = {tuple(x) for x in json.loads(out)["seen"]}
    whole = {(4, 3, 4, 3, 3, 4), (b["firms"], b["links"], b["firms"], b["links"], b["links"], b["firms"])}
    assert seen and seen <= whole, seen
    read_snapshot(target)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".x.chaingraph")] == []   # no leftovers


def test_two_cold_processes_share_one_cache(tmp_path):
    """Two processes open the same dataset with an empty cache at once: both answer, and one good snapshot is
    left (the second rename replaces the first)."""
    folder = copy(TINY, tmp_path)
    code = textwrap.dedent("""
        import sys
        from chaingraph.stores import open_store
        print(open_store(sys.argv[1]).counts()["links"])
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    assert [p.communicate(timeout=600)[0].strip() for p in procs] == ["3", "3"]
    read_snapshot(snapshot_of(folder), dataset_fingerprint=fingerprint(folder))
    assert len(list(cache_folder().iterdir())) == 1
