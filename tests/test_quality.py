"""The data-quality report (issue 12, item 5): errors apart from warnings and notes, codes, counts, FILE:LINE.

The dataset is tests/data/tiny with these changes, worked out by hand:

* firms.csv adds 兰鈞新能源有限公司 (dup, traditional 鈞 and a legal suffix: normalises to 兰钧新能源 like
  lanjun on line 2) on line 6, a firm without segments (noseg, line 7), a second anchor without segments
  and without suppliers (anchor2, line 8), two firms located only coarsely (shev in sh, a province,
  line 5; noseg in cn, the country, line 7), and two trailing Excel rows ``,,,,`` (lines 9, 10);
* segment_links.csv: into cell, cathode 0.4 + separator 0.7 = 1.1 > 1 (first on line 3);
* links.csv: 3 links, all illustrative (source "invented"): weak evidence 3 of 3 = 100 %; one without value.

Warnings: duplicate_name 1 (line 6), anchor_without_segments 1 (line 8), anchor_without_suppliers 1 (line 8;
lanjun has suppliers), firm_without_segments 1 (noseg, line 7; anchor2 is counted as an anchor without
segments instead, and dup makes cell), segment_without_firm 1 (ore, segments.csv:2), feeds_over_one 1 (cell),
weak_evidence 3. Warning total 1 + 1 + 1 + 1 + 1 + 1 + 3 = 9.
Notes: coarse_location 2 (shev line 5, noseg line 7), link_without_value 1 (line 4), trailing_empty_rows 2
(firms.csv lines 9, 10). Note total 5.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.datasets import read_dataset
from chaingraph.quality import check_quality, validate

FIRMS = """id,name,name_en,region,segments,anchor,output_value,lat,lon,source
lanjun,兰钧新能源,Lanjun New Energy,js,cell,true,5000000000,30.84,120.93,invented
jscathode,嘉善正极,Jiashan Cathode,dy,cathode,false,1000000000,,,invented
shsep,上海隔膜,Shanghai Separator,sh,separator,false,2000000000,31.2,121.5,invented
shev,上海汽车,Shanghai EV,sh,ev;pack,false,90000000000,,,invented
dup,兰鈞新能源有限公司,,js,cell,false,,30.84,120.93,invented
noseg,无环节,,cn,,false,,,,invented
anchor2,第二链主,,js,,true,,30.84,120.93,invented
,,,,,,,,,
,,,,,,,,,
"""
FEEDS = "from,to,weight\nore,cathode,0.6\ncathode,cell,0.4\nseparator,cell,0.7\ncell,pack,0.7\npack,ev,0.3\n"


@pytest.fixture
def folder(make_dataset):
    return make_dataset(firms_csv=FIRMS, segment_links_csv=FEEDS)


def test_notices_codes_counts_and_lines(folder):
    report = check_quality(read_dataset(folder), lang="en")
    got = {n.code: (n.severity, n.count, [(e.file, e.line) for e in n.examples]) for n in report.notices}
    assert got == {
        "duplicate_name": ("warning", 1, [("firms.csv", 6)]),
        "anchor_without_segments": ("warning", 1, [("firms.csv", 8)]),
        "anchor_without_suppliers": ("warning", 1, [("firms.csv", 8)]),
        "firm_without_segments": ("warning", 1, [("firms.csv", 7)]),
        "segment_without_firm": ("warning", 1, [("segments.csv", 2)]),
        "feeds_over_one": ("warning", 1, [("segment_links.csv", 3)]),
        "weak_evidence": ("warning", 3, [("links.csv", 2), ("links.csv", 3), ("links.csv", 4)]),
        "coarse_location": ("note", 2, [("firms.csv", 5), ("firms.csv", 7)]),
        "link_without_value": ("note", 1, [("links.csv", 4)]),
        "trailing_empty_rows": ("note", 2, [("firms.csv", 9), ("firms.csv", 10)]),
    }
    assert (report.total("error"), report.total("warning"), report.total("note")) == (0, 9, 5)
    assert [n.severity for n in report.notices] == ["warning"] * 7 + ["note"] * 3
    dup = next(n for n in report.notices if n.code == "duplicate_name")
    assert str(dup.examples[0]) == "firms.csv:6: dup 兰鈞新能源有限公司 = lanjun 兰钧新能源 (firms.csv:2)"
    weak = next(n for n in report.notices if n.code == "weak_evidence")
    assert weak.message == "3 link(s) (100% of 3) derived, illustrative or less sure than 0.5"
    feeds = next(n for n in report.notices if n.code == "feeds_over_one")
    assert feeds.examples[0].detail == "cell: 1.1"


def test_cli_text_json_html_and_info(folder):
    """Text: the OK line, then the notices, then the summary counting problems (9 warnings, 5 notes), not
    lines; json carries the same; html is one page with the names escaped; info says 9 warnings."""
    run = CliRunner()
    out = run.invoke(cli, ["validate", str(folder), "--lang", "en"], catch_exceptions=False)
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"{folder}: OK (7 firms, 3 links")
    assert lines[-1] == f"{folder}: 0 error(s), 9 warning(s), 5 note(s)"
    assert "note trailing_empty_rows: 2 empty row(s) at the end of firms.csv (left by Excel), skipped" in lines
    data = json.loads(run.invoke(cli, ["validate", str(folder), "--format", "json"]).stdout)
    assert data["summary"] == {"error": 0, "warning": 9, "note": 5}
    assert [n["code"] for n in data["notices"]][:2] == ["anchor_without_segments", "anchor_without_suppliers"]
    page = run.invoke(cli, ["validate", str(folder), "--format", "html", "--lang", "en"]).stdout
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page
    assert "lanjun 兰钧新能源" in page and "&lt;" not in page
    info = run.invoke(cli, ["info", str(folder), "--lang", "en", "--silent"], catch_exceptions=False)
    assert info.stdout.splitlines()[-1] == \
        f"data quality: 9 warning(s); run chaingraph validate {folder} to see them"


def test_html_escapes_names(make_dataset):
    """A firm named <b>x</b>&co that makes no segment appears escaped, never as markup."""
    folder = make_dataset(firms_csv=FIRMS.replace("无环节", "<b>x</b>&co"))
    page = CliRunner().invoke(cli, ["validate", str(folder), "--format", "html"]).stdout
    assert "&lt;b&gt;x&lt;/b&gt;&amp;co" in page and "<b>x" not in page


def test_errors_are_kept_apart(make_dataset):
    """Two errors in firms.csv (a duplicate id and an unknown region, both on line 3): text lists both one
    per line and "2 problems" (exit 1); json reports them as errors, grouped by column, and no warnings."""
    folder = make_dataset(firms_csv="id,name,region,segments\nlanjun,兰钧,js,cell\nlanjun,兰钧二,zz,\n",
                          links_csv=None)
    report = validate(folder, lang="en")
    assert report.total("error") == 2 and report.total("warning") == 0
    assert {n.code for n in report.notices} == {"invalid_firms"}
    assert sorted(e.line for n in report.notices for e in n.examples) == [3, 3]
    result = CliRunner().invoke(cli, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["summary"]["error"] == 2
    text = CliRunner().invoke(cli, ["validate", str(folder), "--lang", "en"])
    assert text.exit_code == 1 and text.output.endswith("Error: 2 problems found; nothing was loaded\n")
