""".ci/min-versions.txt pins exactly the floors setup.cfg declares, so the CI run of the minimum versions
(.ci/test-min-versions) tests what a user may install."""
from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def floors_from_setup_cfg() -> dict[str, str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    floors = {}
    for line in config["options"]["install_requires"].strip().splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*", line)
        assert match, f"install_requires line {line!r} has no plain >= floor for the min-versions CI run"
        floors[match[1].lower()] = match[2]
    return floors


def pins_from_min_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / ".ci" / "min-versions.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f".ci/min-versions.txt line {line!r} is not an exact pin (NAME==VERSION)"
            pins[name.strip().lower()] = version.strip()
    return pins


def test_min_versions_are_the_declared_floors():
    floors = floors_from_setup_cfg()
    assert "networkx" in floors and len(floors) >= 7
    assert pins_from_min_versions() == floors

