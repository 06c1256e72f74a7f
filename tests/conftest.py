"""Shared fixtures: the tiny dataset, a memory store of it, and a helper that writes variants of it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
