"""Fixtures for every test and doctest: snapshots go to a temporary cache, never the user's ~/.cache."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _snapshot_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point ``CHAINGRAPH_CACHE`` at a fresh folder, so no test reads or writes the real cache."""
    folder = tmp_path_factory.mktemp("chaingraph-cache")
    monkeypatch.setenv("CHAINGRAPH_CACHE", str(folder))
    yield folder
