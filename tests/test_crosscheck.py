"""benchmarks/crosscheck.py recomputes an anchor's gap table from the CSV files without chaingraph (issue 17 §6).

On the demo data it must agree with ``chaingraph gaps --format json`` for every anchor, and it must notice a
difference: with its own confirmed threshold raised to 0.95, galaxycore's one confirmed supplier (SMIC, for
ic-foundry, under 0.95 sure) moves to the unconfirmed list in the recomputed table only, so the script exits 1
and names the four fields that differ.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import crosscheck  # noqa: E402

JIASHAN = ROOT / "datasets" / "jiashan"


def test_imports_nothing_of_chaingraph():
    source = (ROOT / "benchmarks" / "crosscheck.py").read_text(encoding="utf-8")
    assert "import chaingraph" not in source and "from chaingraph" not in source


@pytest.mark.parametrize("anchor", ["galaxycore", "lanjun"])
def test_agrees_with_the_cli_on_jiashan(anchor, capsys):
    assert crosscheck.main([str(JIASHAN), "--anchor", anchor]) == 0
    out = capsys.readouterr().out
    assert f"anchor {anchor}: 21 segments" in out and "equals the recomputed one" in out


def test_the_default_anchor_is_the_first_of_the_home_region():
    anchor, table = crosscheck.recompute(JIASHAN, None, 2)
    assert anchor == "galaxycore"
    # the rules at work: 19 segments besides the own ones, suppliers of every kind
    assert table["summary"] == {"segments": 19, "covered": 2, "weak": 1, "missing": 16}
    rows = table["segments"].values()
    assert sum(len(r["unconfirmed"]) for r in rows) == 5 and sum(len(r["group"]) for r in rows) == 1


def test_a_difference_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(crosscheck, "CONFIRMED", 0.95)
    assert crosscheck.main([str(JIASHAN), "--anchor", "galaxycore"]) == 1
    out = capsys.readouterr().out
    assert "4 differences:" in out and "segment ic-foundry external: recomputed [], CLI ['smic']" in out
