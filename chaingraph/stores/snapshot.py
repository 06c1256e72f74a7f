"""Snapshots: a checked, indexed dataset saved once, memory-mapped by later runs.

Reading, checking and indexing a dataset of a million firms takes seconds;
opening a snapshot of it takes a fraction of one. A *snapshot* is a folder
(``NAME.chaingraph``) holding

* ``firms.arrow`` and ``links.arrow``: every column of the dataset's firm and
  link tables, as uncompressed Arrow IPC files that :func:`pyarrow.memory_map`
  maps without copying;
* one ``.npy`` file per index array of the store, mapped as ``np.load(mmap_mode="r")`` would;
* ``small.json``: the metadata, regions, chains, segments and FEEDS links,
  every field of each record, column by column;
* ``projects.arrow``: the projects, a column per field (``dates`` as JSON text);
  they are turned into records only when a command first reads them
  (:class:`LazyProjects`): ``gaps`` never does, and the 50,000 projects of a
  million-firm dataset took most of a second;
* ``manifest.json``, written last: the snapshot format, the *reader key* (the
  chaingraph version and a hash of the code that reads and indexes datasets),
  the *fingerprint* of the dataset it was made from, and the size and xxh3
  hash of every other file.

A snapshot is never trusted: :func:`read_snapshot` checks the format, the
reader key, and the size and hash of every file before it hands anything out,
and raises :class:`SnapshotError` otherwise, so that a truncated, edited or
foreign snapshot is rebuilt rather than read. It is written into a temporary
folder beside its place and renamed into place (:func:`write_snapshot`), so
that another process sees the whole snapshot or none.

Fingerprint
-----------
The fingerprint of a dataset folder lists, for ``dataset.toml`` and every file
of :data:`~chaingraph.datasets.FILES`, its size, its modification time (ns),
its *change* time (ns) and its inode number (``None`` for an absent file).

The change time (``st_ctime``) is what makes this enough without hashing the
content. The kernel sets it to the current time whenever a file's content or
metadata changes, and no call sets it back: ``touch -d`` and ``os.utime`` change
the modification time and thereby set the change time to *now*. An edit that
keeps the size and the modification time (the edit of
``test_an_edit_that_keeps_size_and_time_invalidates``) therefore still changes
the fingerprint; a file replaced by another (an editor that writes a new file
and renames it, a restore from an archive, a copy) has a new inode and change
time too. Hashing the 316 MB of CSV files of a million-firm dataset took 0.1 s
of every command, a fifth of the half-second goal of ``gaps`` (issue 17).
What it would still catch is a change below the file system (the disk written
to directly), or an edit within one tick of the kernel's coarse clock (a few
ms) after the fingerprint was taken. A change of metadata alone (``chmod``,
``touch``) rebuilds the snapshot needlessly, which is safe. On Windows, where
``st_ctime`` is the creation time, the content hash (xxh3-128) is kept.

Checks of the snapshot's own files
----------------------------------
The manifest lists each file's size and xxh3-64 hash, and also its
modification time, change time and inode as the writer left them: the files
are flushed to disk (``fsync``) before the folder is renamed into place, so
that a crash cannot leave a published snapshot with unwritten blocks. A reader
opens each file once and compares its ``fstat`` with the manifest; when all
four agree, the file is the one the writer hashed and nothing has written to
it since, and the hash is not recomputed (0.09 s for the 721 MB of a
million-firm snapshot). Otherwise (a copied snapshot, an edited or truncated
file) the whole file is hashed and compared, as before.

The cache
---------
By default a dataset folder's snapshot lives in the cache folder
(:func:`cache_folder`: ``$CHAINGRAPH_CACHE``, else
``$XDG_CACHE_HOME/chaingraph``, else ``~/.cache/chaingraph``), in one slot per
dataset folder (:func:`cache_slot`, named from a hash of the folder's absolute
path), so an edited dataset replaces its old snapshot instead of adding one.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import hashlib
import io
import json
import logging
import mmap
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, overload

import numpy as np
import pyarrow as pa
import xxhash

from chaingraph.datasets import FILES, Dataset
from chaingraph.errors import StoreError
from chaingraph.model import PROJECT_DATE_KEYS, Chain, Project, Region, Segment, SegmentLink

__all__ = [
    "FORMAT",
    "SUFFIX",
    "LazyProjects",
    "SnapshotError",
    "cache_folder",
    "cache_slot",
    "fingerprint",
    "is_snapshot",
    "reader_key",
    "read_snapshot",
    "write_snapshot",
]

log = logging.getLogger(__name__)

#: Layout version of the snapshot folder; a reader refuses any other.
FORMAT = 4  # 2: records stored column by column in small.json; 3: projects in projects.arrow; 4: a column per date
#: The suffix of a snapshot folder.
SUFFIX = ".chaingraph"
MANIFEST = "manifest.json"
_MAGIC = "chaingraph-snapshot"
#: The small record lists of a Dataset and their record types.
_RECORDS: dict[str, type] = {"regions": Region, "chains": Chain, "segments": Segment,
                             "segment_links": SegmentLink}
#: The fields of a project, in order: the columns of projects.arrow (strings unless listed here).
_PROJECT_FIELDS = tuple(f.name for f in dataclasses.fields(Project))
#: The columns of projects.arrow: the fields (``dates`` as JSON text), then each date on its own
#: (``dates.signed`` ...), which the pipeline reads without making a record per project.
_PROJECT_COLUMNS = (*_PROJECT_FIELDS, *(f"dates.{k}" for k in PROJECT_DATE_KEYS))
_PROJECT_TYPES = {"segments": pa.list_(pa.string()), "investment": pa.float64(),
                  "expected_output": pa.float64()}
_TABLES = ("firms", "links")
#: The modules whose code decides what a snapshot holds: a change to any of them changes the reader key.
_READER_MODULES = ("datasets.py", "model.py", "stores/memory.py", "stores/snapshot.py")


class SnapshotError(StoreError):
    """A snapshot cannot be used: missing, foreign, of another version, or corrupt."""


def cache_folder(folder: str | Path | None = None) -> Path:
    """The folder that holds cached snapshots: ``folder`` if given, else ``$CHAINGRAPH_CACHE``,
    else ``$XDG_CACHE_HOME/chaingraph``, else ``~/.cache/chaingraph``."""
    if folder:
        return Path(folder)
    if os.environ.get("CHAINGRAPH_CACHE"):
        return Path(os.environ["CHAINGRAPH_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "chaingraph"


def cache_slot(dataset_folder: str | Path, cache: str | Path | None = None) -> Path:
    """Where the snapshot of ``dataset_folder`` lives in the cache: one slot per absolute folder path."""
    absolute = str(Path(dataset_folder).resolve())
    name = Path(absolute).name or "dataset"
    digest = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_folder(cache) / f"{name}-{digest}{SUFFIX}"


def fingerprint(folder: str | Path) -> dict[str, Any]:
    """Size, modification and change times (ns) and inode of ``dataset.toml`` and each dataset CSV of
    ``folder`` (and the xxh3-128 of its content on Windows; see the module docstring).

    An absent file is ``None``, so adding an optional file changes the fingerprint too.
    """
    result: dict[str, Any] = {}
    for name in ("dataset.toml", *FILES):
        path = Path(folder) / name
        try:
            st = path.stat()
        except FileNotFoundError:
            result[name] = None
            continue
        result[name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns,
                        "inode": st.st_ino}
        if not _CTIME_IS_CHANGE:
            result[name]["xxh3_128"] = _hash_file(path)
    return result


#: Whether ``st_ctime`` is the time of the last change (POSIX) rather than of the creation (Windows).
_CTIME_IS_CHANGE = os.name == "posix"


def _stamp(st: os.stat_result) -> list[int]:
    """What says a file is the one written: its modification and change times (ns) and inode."""
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _hash_file(path: Path) -> str:
    # Mapped rather than read: hashing the page cache in place saves copying hundreds of MB.
    return xxhash.xxh3_128(memoryview(_map(path))).hexdigest()


def reader_key() -> str:
    """The chaingraph version and a hash of the code that reads, checks and indexes a dataset.

    A snapshot written with another key is rebuilt, so a development checkout that
    changes a column or an index never reads a snapshot made by the code before.
    """
    from chaingraph import __version__

    here = Path(__file__).resolve().parent.parent
    h = xxhash.xxh3_64()
    for rel in _READER_MODULES:
        h.update((here / rel).read_bytes())
    return f"{__version__}+{h.hexdigest()}"


def is_snapshot(path: str | Path) -> bool:
    """Whether ``path`` is a folder that claims to be a snapshot (holds a ``manifest.json``)."""
    return (Path(path) / MANIFEST).is_file()


# -- writing ---------------------------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    # TOML gives dates and times, JSON has none: tag them so the reader gets the same types back.
    for kind in (_dt.datetime, _dt.date, _dt.time):
        if isinstance(value, kind):
            return {"$" + kind.__name__: value.isoformat()}
    if isinstance(value, (tuple, frozenset, set)):
        return list(value)
    msg = f"cannot save {type(value).__name__} in a snapshot"
    raise TypeError(msg)


def _json_hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        (key, value), = obj.items()
        parse: dict[str, Callable[[str], Any]] = {"$datetime": _dt.datetime.fromisoformat,
                                                   "$date": _dt.date.fromisoformat, "$time": _dt.time.fromisoformat}
        if key in parse:
            return parse[key](value)
    return obj


def _write_files(tmp: Path, dataset: Dataset, arrays: Mapping[str, np.ndarray],
                 written: Callable[[Path], None] = lambda path: None) -> None:
    """Write the snapshot's files into ``tmp``; ``written`` is told of each big one (the tables) once it is
    complete."""
    for name in _TABLES:
        table: pa.Table = getattr(dataset, name).combine_chunks()
        with pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink:
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        written(tmp / f"{name}.arrow")
    for name, arr in arrays.items():
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    # link_rows served the index, which the snapshot holds itself (link_sup, link_cus)
    small = {field.name: getattr(dataset, field.name) for field in dataclasses.fields(dataset)
             if field.name not in _TABLES and field.name != "link_rows"}
    small["path"] = str(dataset.path)
    # Fields holding arrays by name (the row lines of each file) become .npy files, mapped like the index.
    for name, value in list(small.items()):
        if isinstance(value, dict) and value and all(isinstance(v, np.ndarray) for v in value.values()):
            for key, arr in value.items():
                np.save(tmp / f"{name}--{key}.npy", np.ascontiguousarray(arr), allow_pickle=False)
            small[name] = {"$arrays": sorted(value)}
    for name, cls in _RECORDS.items():
        # one list per field rather than one object per record: 50,000 projects parse in a third of the time
        small[name] = {"$columns": {f.name: [_plain(getattr(r, f.name)) for r in small[name]]
                                    for f in dataclasses.fields(cls)}}
    projects = small.pop("projects")
    columns = {k: [getattr(p, k) for p in projects] for k in _PROJECT_FIELDS}
    columns.update({f"dates.{k}": [d.get(k) for d in columns["dates"]] for k in PROJECT_DATE_KEYS})
    # one encoder for all: json.dumps with options makes a new one per call (half a second for 50,000 projects)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    columns["dates"] = [encode(dict(d)) for d in columns["dates"]]
    table = pa.table({k: pa.array(v, _PROJECT_TYPES.get(k, pa.string())) for k, v in columns.items()})
    with pa.OSFile(str(tmp / "projects.arrow"), "wb") as sink:
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    (tmp / "small.json").write_text(json.dumps(small, ensure_ascii=False, default=_json_default),
                                    encoding="utf-8")


def write_snapshot(target: str | Path, dataset: Dataset, arrays: Mapping[str, np.ndarray], *,
                   dataset_fingerprint: Mapping[str, Any] | None = None, encoding: str | None = None) -> Path:
    """Save ``dataset`` and the index ``arrays`` of its store as the snapshot folder ``target``.

    The files are written into a temporary folder beside ``target``, the manifest
    last, and the folder is then renamed to ``target``: a reader sees the old
    snapshot, none, or the whole new one. An existing ``target`` is replaced only
    if it is a snapshot itself.

    Raises
    ------
    SnapshotError
        When ``target`` exists and is not a snapshot.
    """
    target = Path(target)
    if target.exists() and not is_snapshot(target):
        raise SnapshotError(key="error.snapshot_exists", target=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            # the tables (all but a few MB) go to disk while the rest is written (issue 17 §2)
            sealing = {}
            _write_files(tmp, dataset, arrays, lambda path: sealing.update({path.name: pool.submit(_seal, path)}))
            files = {p.name: sealing[p.name].result() if p.name in sealing else _seal(p)
                     for p in sorted(tmp.iterdir())}
        manifest = {"magic": _MAGIC, "format": FORMAT, "reader": reader_key(), "encoding": encoding,
                    "dataset": dataset_fingerprint, "source": str(dataset.path), "files": files,
                    "arrays": sorted(arrays),
                    "written_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _fsync(tmp / MANIFEST)
        _fsync(tmp)
        _publish(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _seal(path: Path) -> dict[str, Any]:
    """Flush a written file to disk; its manifest entry: size, xxh3 hash and stamp."""
    _fsync(path)
    st = path.stat()
    return {"size": st.st_size, "xxh3_64": _hash_read(path), "stamp": _stamp(st)}


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk: the readers trust an unchanged file without hashing it,
    so its blocks must be on disk before the snapshot is published."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # a folder cannot be opened on Windows; its entries are flushed with the files there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder
    finally:
        os.close(fd)


def _publish(tmp: Path, target: Path) -> None:
    """Rename the folder ``tmp`` to ``target``, moving an older snapshot out of the way first."""
    try:
        os.replace(tmp, target)
        return
    except OSError:
        if not target.exists():
            raise
    # rename() cannot replace a non-empty folder: move the old one aside, then rename ours in.
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    try:
        try:
            os.replace(target, old / "snapshot")
        except FileNotFoundError:
            pass  # another process moved it already
        try:
            os.replace(tmp, target)
        except OSError:
            # Another process published its snapshot between our two renames; it is as good as ours.
            log.info("snapshot %s: another process wrote it first", target)
    finally:
        shutil.rmtree(old, ignore_errors=True)


# -- reading ---------------------------------------------------------------------------------------------

def _hash_read(path: Path) -> str:
    """:func:`_hash_mapped`'s hash, the file read in 4 MiB pieces: the writer hashes the 760 MB it has just
    written at a million firms, and mapping them would count each file's pages in the process's memory
    while it is hashed (issue 17 §2: the peak of a cold load)."""
    digest = xxhash.xxh3_64()
    piece = bytearray(4 << 20)
    view = memoryview(piece)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(piece):
            digest.update(view[:n])
    return digest.hexdigest()


def _hash_mapped(path: Path) -> str:
    return xxhash.xxh3_64(memoryview(_map(path))).hexdigest()


def _map(path: Path) -> pa.Buffer:
    """The whole file ``path``, memory-mapped (read only)."""
    if path.stat().st_size == 0:
        return pa.py_buffer(b"")
    with pa.memory_map(str(path)) as source:
        return source.read_buffer()


def _npy(buffer: pa.Buffer) -> np.ndarray:
    """The array of a ``.npy`` file's bytes, without copying them (what ``np.load(mmap_mode="r")`` gives)."""
    view = memoryview(buffer)
    header = io.BytesIO(view[:65536])
    version = np.lib.format.read_magic(header)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(header)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(header)
    if fortran or dtype.hasobject:
        msg = "not a plain C-ordered array"
        raise ValueError(msg)
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(view, dtype=dtype, count=count, offset=header.tell()).reshape(shape)


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SnapshotError(key="snapshot.no_manifest", folder=str(folder), manifest=MANIFEST) from exc
    except (OSError, ValueError) as exc:
        raise SnapshotError(key="snapshot.bad_manifest", folder=str(folder), manifest=MANIFEST,
                            reason=str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("magic") != _MAGIC:
        raise SnapshotError(key="snapshot.not_snapshot", folder=str(folder))
    if manifest.get("format") != FORMAT or manifest.get("reader") != reader_key():
        raise SnapshotError(key="snapshot.version", folder=str(folder), reader=manifest.get("reader"),
                            format=manifest.get("format"), this=reader_key(), this_format=FORMAT)
    return manifest


def _checked_files(folder: Path, manifest: dict[str, Any]) -> dict[str, pa.Buffer]:
    """Every file the manifest lists, mapped once and checked against its size and hash.

    Each file is opened once and the checked mapping is the one read: were the
    snapshot replaced meanwhile, its new files could not slip in unchecked.
    """
    files = manifest.get("files")
    if not isinstance(files, dict) or "small.json" not in files:
        raise SnapshotError(key="snapshot.no_files", folder=str(folder))
    mapped: dict[str, pa.Buffer] = {}
    for name, want in files.items():
        path = folder / name
        if Path(name).name != name or not path.is_file():
            raise SnapshotError(key="snapshot.missing", folder=str(folder), name=name)
        try:
            buffer, st = _map_stat(path)
        except OSError as exc:  # replaced by another process since the manifest was read
            raise SnapshotError(key="snapshot.unreadable_file", folder=str(folder), name=name, reason=str(exc)) from exc
        # untouched since the writer hashed it (see the module docstring), else hashed again
        same = want.get("stamp") == _stamp(st) and _CTIME_IS_CHANGE
        if buffer.size != want.get("size") or (
                not same and xxhash.xxh3_64(memoryview(buffer)).hexdigest() != want.get("xxh3_64")):
            raise SnapshotError(key="snapshot.damaged", folder=str(folder), name=name)
        mapped[name] = buffer
    return mapped


def _map_stat(path: Path) -> tuple[pa.Buffer, os.stat_result]:
    """The whole file ``path`` memory-mapped (read only), and the status of that very file (one open)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if st.st_size == 0:
            return pa.py_buffer(b""), st
        return pa.py_buffer(mmap.mmap(fd, 0, access=mmap.ACCESS_READ)), st
    finally:
        os.close(fd)


def _plain(value: Any) -> Any:
    """A record field as JSON holds it (a mapping as a dict, a tuple as a list)."""
    return dict(value) if isinstance(value, Mapping) else value


def _build(cls: type, names: list[str], values: list[list[Any]]) -> list[Any]:
    """Records of the frozen dataclass ``cls`` from its columns, as unpickling makes them: the
    instance's ``__dict__`` filled at once. The frozen ``__init__`` sets each field through
    ``object.__setattr__``, twice the time for 50,000 projects; the columns were checked when the
    snapshot was written, so there is nothing for ``__init__`` to do."""
    new = object.__new__
    out = []
    for row in zip(*values):
        record: Any = new(cls)
        record.__dict__.update(zip(names, row))
        out.append(record)
    return out


class LazyProjects(Sequence[Project]):
    """The projects of a snapshot (``projects.arrow``, checked with the rest), decoded on first use.

    A sequence of :class:`~chaingraph.model.Project` that compares equal to the list of the same
    projects, and a :class:`~chaingraph.model.ProjectColumns`: a column is decoded alone, and the
    records are made only when one is asked for.
    """

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self._columns: dict[str, list[Any]] = {}
        self._items: list[Project] | None = None

    def project_column(self, name: str) -> list[Any]:
        if name not in self._columns:
            if name not in _PROJECT_COLUMNS:
                raise KeyError(name)
            values = self._table.column(name).to_pylist()
            if name == "segments":
                values = [tuple(v) for v in values]
            elif name == "dates":
                # one decode of all the dates (an array of the objects), not one call per project
                values = json.loads("[" + ",".join(values) + "]")
            self._columns[name] = values
        return self._columns[name]

    def _decoded(self) -> list[Project]:
        if self._items is None:
            columns = [self.project_column(k) for k in _PROJECT_FIELDS]
            self._items = _without_gc(Project, list(_PROJECT_FIELDS), columns)
        return self._items

    def __len__(self) -> int:
        return int(self._table.num_rows)

    @overload
    def __getitem__(self, i: int) -> Project: ...

    @overload
    def __getitem__(self, i: slice) -> list[Project]: ...

    def __getitem__(self, i: int | slice) -> Project | list[Project]:
        if self._items is None and not isinstance(i, slice):
            # one record, from the columns: a report lists a few projects of tens of thousands
            row = range(len(self))[i]
            record: Project = _build(Project, list(_PROJECT_FIELDS), [[self.project_column(k)[row]]
                                                                      for k in _PROJECT_FIELDS])[0]
            return record
        return self._decoded()[i]

    def __iter__(self) -> Iterator[Project]:
        return iter(self._decoded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, LazyProjects)):
            return self._decoded() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so unhashable like one

    def __repr__(self) -> str:
        return f"LazyProjects({self._decoded()!r})"


def _without_gc(cls: type, names: list[str], values: list[list[Any]]) -> list[Any]:
    """:func:`_build` with the cyclic collector off: the records hold no reference cycles, and the
    collector, run again and again while tens of thousands of them are made, would only walk them (a
    fifth of the time at 50,000 projects)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(cls, names, values)
    finally:
        if enabled:
            gc.enable()


def _records(small: dict[str, Any]) -> dict[str, Any]:
    out = dict(small)
    for name, cls in _RECORDS.items():
        fields = dataclasses.fields(cls)
        columns = small[name]["$columns"]
        values = [[tuple(v) for v in columns[f.name]] if str(f.type).startswith("tuple") else columns[f.name]
                  for f in fields]
        out[name] = _without_gc(cls, [f.name for f in fields], values)
    out["path"] = Path(small["path"])
    return out


def read_snapshot(folder: str | Path, *, dataset_fingerprint: Mapping[str, Any] | None = None,
                  encoding: str | None = None) -> tuple[Dataset, dict[str, np.ndarray], dict[str, Any]]:
    """The dataset, the index arrays and the manifest of the snapshot ``folder``, memory-mapped.

    With ``dataset_fingerprint``, the snapshot must have been made from a dataset
    with that fingerprint, read with ``encoding``.

    Raises
    ------
    SnapshotError
        When the snapshot is missing, of another format or chaingraph version, made
        from another dataset, or when any file's size or hash differs from its manifest.
    """
    folder = Path(folder)
    manifest = _manifest(folder)
    if dataset_fingerprint is not None and (manifest.get("dataset") != dataset_fingerprint
                                            or manifest.get("encoding") != encoding):
        raise SnapshotError(key="snapshot.other_dataset", folder=str(folder))
    mapped = _checked_files(folder, manifest)
    try:
        small = json.loads(memoryview(mapped["small.json"]).tobytes().decode("utf-8"), object_hook=_json_hook)
        tables = {name: pa.ipc.open_file(pa.BufferReader(mapped[f"{name}.arrow"])).read_all() for name in _TABLES}
        arrays = {name: _npy(mapped[f"{name}.npy"]) for name in manifest["arrays"]}
        for name, value in list(small.items()):
            if isinstance(value, dict) and list(value) == ["$arrays"]:
                small[name] = {key: _npy(mapped[f"{name}--{key}.npy"]) for key in value["$arrays"]}
        projects = pa.ipc.open_file(pa.BufferReader(mapped["projects.arrow"])).read_all()
        if projects.column_names != list(_PROJECT_COLUMNS):
            msg = f"the project columns {projects.column_names} are not {list(_PROJECT_COLUMNS)}"
            raise ValueError(msg)
        dataset = Dataset(**_records(small), **tables, projects=LazyProjects(projects))
    except (OSError, ValueError, TypeError, KeyError, pa.ArrowException) as exc:
        raise SnapshotError(key="snapshot.unreadable", folder=str(folder), reason=str(exc)) from exc
    return dataset, arrays, manifest
