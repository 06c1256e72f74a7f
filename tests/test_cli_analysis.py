"""The gaps, targets, plan and demo commands, run through click's CliRunner on tests/data/tiny.

tiny: anchor lanjun (cell, Jiashan); jscathode (cathode) in a town of Jiashan supplies it 3e8; shsep (separator,
Shanghai) supplies it 1e8; shev (ev, pack, Shanghai) buys its cells. FEEDS: ore -0.6-> cathode -0.4-> cell,
separator -0.1-> cell, cell -0.7-> pack -0.3-> ev.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TINY = str(ROOT / "tests" / "data" / "tiny")


def run(*args, code=0):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=code != 0)
    assert result.exit_code == code, result.output
    return result


def test_gaps_json():
    data = json.loads(run("gaps", TINY, "--anchor", "兰钧新能源", "--format", "json", "--silent").stdout)
    assert data["anchor"]["id"] == "lanjun" and data["region"]["id"] == "js" and data["depth"] == 2
    got = {s["id"]: (s["direction"], s["distance"], s["status"], s["action"]) for s in data["segments"]}
    assert got == {
        "cell": ("own", 0, "covered", None),
        "cathode": ("upstream", 1, "weak", "strengthen"),   # one local firm
        "separator": ("upstream", 1, "missing", "fill"),
        "ore": ("upstream", 2, "missing", "fill"),
        "pack": ("downstream", 1, "missing", "extend"),
        "ev": ("downstream", 2, "missing", "extend"),
    }
    # own cell not counted: weights 0.4 + 0.1 + 0.6 + 0.7 + 0.3 = 2.1, covered 0; local supply 3e8 of 4e8
    assert data["summary"] == {"segments": 5, "covered": 0, "weak": 1, "missing": 4,
                               "completeness": 0.0, "local_supply_ratio": 0.75}


def test_gaps_what_if_table():
    out = run("gaps", TINY, "--anchor", "lanjun", "--what-if", "shsep", "--silent", "--lang", "en").stdout
    assert "Chain gaps around Lanjun New Energy (Jiashan, depth 2)" in out
    assert "If Shanghai Separator were local:" in out
    assert "after: 5 segments: 0 covered, 2 weak, 3 missing; completeness 0%; local supply ratio 100%" in out


def test_gaps_region_and_csv(tmp_path):
    data = json.loads(run("gaps", TINY, "--format", "json", "--silent").stdout)
    assert [a["anchor"]["id"] for a in data["anchors"]] == ["lanjun"]
    assert [s["id"] for s in data["chains"][0]["segments"]] == ["cathode", "ore", "separator", "cell", "ev", "pack"]
    out = tmp_path / "g.csv"
    run("gaps", TINY, "--anchor", "lanjun", "--format", "csv", "-o", str(out), "--silent")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "链主" and len(rows) == 7


def test_unknown_anchor_exits_1_with_close_matches():
    r = run("gaps", TINY, "--anchor", "lanjn", "--silent", "--lang", "en", code=1)
    assert r.output == "Error: no firm with id or name 'lanjn'; did you mean: 兰钧新能源 (lanjun)\n"
    r = run("targets", TINY, "--anchor", "兰均新能", "--silent", "--lang", "en", code=1)
    assert "did you mean: 兰钧新能源 (lanjun)" in r.output
    r = run("gaps", TINY, "--anchor", "lanjn", "--silent", code=1)
    assert r.output.startswith("错误：")


def test_unknown_region_and_chain():
    assert "no region with id or name 'mars'" in run("gaps", TINY, "--region", "mars", "--silent", "--lang", "en",
                                                     code=1).output
    assert "no chain with id or name 'x'; use one of: li" in run("targets", TINY, "--chain", "x", "--silent",
                                                                 "--lang", "en", code=1).output


def test_targets_json_en():
    data = json.loads(run("targets", TINY, "--format", "json", "--lang", "en", "--silent").stdout)
    assert data["region"]["id"] == "js"
    t1, t2 = data["targets"]
    assert (t1["rank"], t1["firm"]["id"], t2["firm"]["id"]) == (1, "shsep", "shev")
    assert t1["firm"] == {"id": "shsep", "name": "上海隔膜", "name_en": "Shanghai Separator", "region": "sh",
                          "output_value": 2e9}
    assert t1["reasons"][0] == ("already supplies Separator to Lanjun New Energy "
                                "(illustrative data, confidence 0.5)")
    assert t1["components"]["supplies_anchor"] == 0.5  # weighed by the link's confidence
    assert t1["evidence"] == [{"component": "supplies_anchor", "anchor": "lanjun", "segments": ["separator"],
                               "evidence": "illustrative", "confidence": 0.5, "confirmed": True}]
    # shev: ev and pack are missing downstream gaps: 0.8 with one anchor
    assert t2["components"]["gap_severity"] == 0.8


def test_targets_weights_and_profile(tmp_path):
    data = json.loads(run("targets", TINY, "--format", "json", "--weights", "scale=10", "--silent").stdout)
    assert [t["firm"]["id"] for t in data["targets"]] == ["shev", "shsep"]
    prof = tmp_path / "w.toml"
    prof.write_text("[weights]\nscale = 10\n", encoding="utf-8")
    data = json.loads(run("targets", TINY, "--format", "json", "--profile", str(prof), "--weights",
                          "scale=0", "--silent").stdout)
    assert [t["firm"]["id"] for t in data["targets"]] == ["shsep", "shev"]
    assert "unknown score component 'speed'" in run("targets", TINY, "--weights", "speed=1", "--lang", "en",
                                                          code=1).output


def test_targets_csv_xlsx(tmp_path):
    out = run("targets", TINY, "--format", "csv", "--silent", "--lang", "en").stdout
    assert out.splitlines()[0].startswith("Rank,Firm id,Firm,Segments")
    assert run("targets", TINY, "--format", "xlsx", "--silent", code=2).exit_code == 2
    path = tmp_path / "t.xlsx"
    run("targets", TINY, "--format", "xlsx", "-o", str(path), "--silent")
    from openpyxl import load_workbook

    assert load_workbook(path).sheetnames == ["目标清单", "缺口"]
    run("targets", TINY, "--format", "csv", "-o", str(tmp_path / "t.csv"), "--silent")
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_targets_min_output():
    data = json.loads(run("targets", TINY, "--format", "json", "--min-output", "1e10", "--silent").stdout)
    assert [t["firm"]["id"] for t in data["targets"]] == ["shev"]


def test_plan():
    data = json.loads(run("plan", TINY, "--budget", "2", "--format", "json", "--silent").stdout)
    # gap weights: pack 0.8 * 0.7 = 0.56, ev 0.8 * 0.3 = 0.24, separator 1.0 * 0.1. shev serves neither
    # lanjun nor a peer: fit 0.25 (the floor), gain 0.25 * 0.8 = 0.2. shsep supplies lanjun separator at
    # confidence 0.5: fit 0.5, gain 0.5 * 0.1 = 0.05
    assert [(p["firm"]["id"], p["gain"], p["fit"]) for p in data["picks"]] == [
        ("shev", 0.2, {"ev": 0.25, "pack": 0.25}), ("shsep", 0.05, {"separator": 0.5})]
    a = data["anchors"][0]
    assert a["before"]["completeness"] == 0.0
    assert a["after"]["completeness"] == round(1 / 2.1, 4)   # pack, ev covered; separator weak
    out = run("plan", TINY, "--budget", "1", "--quota", "li=1", "--lang", "en", "--silent").stdout
    assert "Recruitment portfolio (budget 1)" in out and "Shanghai EV" in out
    assert "超过预算" in run("plan", TINY, "--budget", "0", "--quota", "li=1", code=1).output
    assert "--quota li=10" in run("plan", TINY, "--budget", "1", "--quota", "li", code=1).output


def test_demo(tmp_path):
    """The demo writes its files and prints a summary: per anchor completeness and worst gaps, top targets
    with a reason, the plan's picks, then the workbook to open first."""
    out = tmp_path / "demo"
    lines = run("demo", "--out", str(out), "--source", TINY).stdout.splitlines()
    assert lines[0] == "嘉善县招商演示"
    # own segments do not count towards completeness (issue 12): cathode is weak, the rest missing
    assert lines[1].startswith("兰钧新能源：完整度0%；主要缺口：")
    assert lines[2] == "前五家招商目标："
    assert lines[3].startswith("  1. 上海隔膜：已向兰钧新能源供应隔膜（") and "可信度0.5" in lines[3]
    assert lines[-1] == f"请先打开 {out / '招商报告.xlsx'}，再打开 {out / 'chain-map.html'}"
    for name in ["gaps-lanjun.json", "gaps-region.json", "targets.csv", "targets.xlsx", "plan.json", "招商报告.xlsx",
                 "graph-lanjun.html", "chain-map.html"]:
        assert (out / name).exists(), name
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["budget"] == 10 and len(plan["picks"]) == 2
    en = run("demo", "--out", str(out), "--source", TINY, "--lang", "en").stdout.splitlines()
    assert en[-1] == f"open {out / 'recruitment-report.xlsx'} first, then {out / 'chain-map.html'}"


@pytest.mark.parametrize("command", ["gaps", "targets", "plan", "demo"])
def test_help_has_an_example(command):
    out = run(command, "--help").stdout
    assert "Example:" in out and f"chaingraph {command}" in out


def test_worked_example_of_docs_analysis():
    """The numbers of the worked example in docs/analysis.md.

    shev has no coordinates of its own and its region, Shanghai, is of level province: it is located
    only at province precision, so its proximity is the neutral 0.5 and its score
    (0.8 x 2 + 1 x 1 + 0.5 x 1) / 10 = 0.31; its reasons state no distance.
    """
    data = json.loads(run("targets", TINY, "--format", "json", "--silent").stdout)
    shsep, shev = data["targets"]
    assert shsep["score"] == pytest.approx(0.4474, abs=5e-5) and shev["score"] == pytest.approx(0.31, abs=5e-5)
    assert shsep["components"]["scale"] == 0.3769 and shsep["components"]["proximity"] == 0.5971
    assert shev["components"]["proximity"] == 0.5 and not any("km" in r for r in shev["reasons"])
    data = json.loads(run("gaps", TINY, "--anchor", "lanjun", "--what-if", "shsep", "--format", "json",
                          "--silent").stdout)
    assert data["what_if"]["after"] == {"segments": 5, "covered": 0, "weak": 2, "missing": 3,
                                        "completeness": 0.0, "local_supply_ratio": 1.0}
    data = json.loads(run("plan", TINY, "--budget", "2", "--format", "json", "--silent").stdout)
    assert data["anchors"][0]["after"] == {"segments": 5, "covered": 2, "weak": 2, "missing": 1,
                                           "completeness": 0.4762, "local_supply_ratio": 1.0}
    doc = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    for number in ("2.1", "0.4474", "0.3100", "0.4762", "0.3769", "0.5971"):
        assert number in doc
