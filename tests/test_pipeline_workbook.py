"""The pipeline's sheets 招商进度 and 项目台账 (issue 18), in `pipeline --format xlsx` and the recruiter workbook.

The data is tests/data/pipeline (its projects and hand-worked answers are in tests/test_pipeline.py's docstring).
As of 2023-12-31, period 2023:

* Ledger, days in the current stage: p1 registered 2023-03-15, 291 days (limit 300: not stalled); p2 negotiating
  2023-03-02, 304 days (limit 60: stalled); p3 producing 2023-06-30, 184 days; p4 dropped: none; p5 signed
  2023-05-10, 235 days (limit 90: stalled). Money in 亿元: p1 12 invested, 15 output; p3 50 and 120; p4 3;
  p5 output 100.
* Rates, cohort (signed in 2023: p1, p4, p5): 3 signed, 1 registered = 33.3 %, 0 started = 0.0 %, 0 producing
  = 0.0 %; cumulative: 4 signed, 2 registered = 50.0 %, 1 started = 25.0 %, 1 producing = 25.0 %.
  For period 2021 nothing was signed: each cohort rate is "—", never 0 % or 100 %.
* On 2023-03-01 p1 is only signed: its registered date (03-15) is left out of the ledger, and p4, p5 are not
  in it at all.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from chaingraph.analyses.pipeline import project_ledger
from chaingraph.cli import cli
from chaingraph.stores import open_store

DATA = Path(__file__).parent / "data" / "pipeline"
TINY = Path(__file__).parent / "data" / "tiny"
AS_OF = "2023-12-31"


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def values(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def block(ws, title: str) -> tuple[list, list[list]]:
    """A block of the progress sheet: the header row under ``title`` and the rows up to the next blank row."""
    rows = values(ws)
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    body = []
    for r in rows[start + 2:]:
        if all(v is None for v in r):
            break
        body.append(list(r[:len([v for v in rows[start + 1] if v is not None])]))
    return [v for v in rows[start + 1] if v is not None], body


def test_ledger_days_and_stalled():
    store = open_store(str(DATA))
    T, ps = store.template(), store.projects()
    rows = project_ledger(T, ps, as_of=dt.date(2023, 12, 31), settings=store.metadata().get("pipeline"))
    assert [(r.project.id, r.stage, r.days, r.stalled) for r in rows] == [
        ("p1", "registered", 291, False), ("p2", "negotiating", 304, True), ("p3", "producing", 184, False),
        ("p4", "dropped", None, False), ("p5", "signed", 235, True)]
    early = project_ledger(T, ps, as_of=dt.date(2023, 3, 1))
    assert [(r.project.id, r.stage, dict(r.dates)) for r in early][:1] == [("p1", "signed", {"signed": "2023-02-01"})]
    assert [r.project.id for r in early] == ["p1", "p2", "p3"]
    assert [r.project.id for r in project_ledger(T, ps, as_of=dt.date(2023, 12, 31), park="dy")] == ["p1", "p4"]


@pytest.fixture(scope="module")
def book_zh(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "招商进度.xlsx"
    out = run("pipeline", str(DATA), "--as-of", AS_OF, "--format", "xlsx", "-o", str(path), "--silent",
              "--lang", "zh").output
    assert out.strip() == f"已写入 {path}"
    return load_workbook(path)


def test_ledger_sheet(book_zh):
    assert book_zh.sheetnames == ["招商进度", "项目台账"]
    ws = book_zh["项目台账"]
    heads = [c.value for c in ws[1]]
    assert heads[:12] == ["项目编号", "项目名称", "企业名称", "产业链", "环节", "园区", "阶段", "本阶段天数", "是否停滞",
                          "负责", "总投资（亿元）", "达产产值（亿元）"]
    assert heads[12:20] == ["线索日期", "接洽日期", "在谈日期", "签约日期", "注册日期", "开工日期", "投产日期", "终止日期"]
    assert heads[20:] == ["终止原因", "来源", "备注", "企业编号"]
    rows = {r[0]: dict(zip(heads, r)) for r in values(ws)[1:]}
    p1, p2, p4 = rows["p1"], rows["p2"], rows["p4"]
    assert (p1["企业名称"], p1["环节"], p1["园区"], p1["阶段"], p1["本阶段天数"], p1["是否停滞"]) == \
        ("上海隔膜", "隔膜", "大云镇", "注册", 291, None)
    assert (p1["总投资（亿元）"], p1["达产产值（亿元）"], p1["签约日期"], p1["注册日期"]) == (12.0, 15.0, "2023-02-01", "2023-03-15")
    assert (p2["阶段"], p2["本阶段天数"], p2["是否停滞"], p2["负责"]) == ("在谈", 304, "是", "锂电池专班")
    assert (p4["阶段"], p4["本阶段天数"], p4["终止原因"], p4["签约日期"]) == ("终止", None, "资金未到位", "2023-04")
    assert rows["p3"]["达产产值（亿元）"] == 120.0 and rows["p5"]["本阶段天数"] == 235
    assert ws["K2"].number_format == "#,##0.00" and ws["H2"].number_format == "#,##0"
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:X6" and ws["A1"].font.bold
    # stalled flags and stages are coloured by rules on their labels
    rules = {str(r.sqref): [x.formula[0] for x in r.rules] for r in ws.conditional_formatting}
    assert rules["I2:I6"] == ['$I2="是"'] and rules["G2:G6"] == ['$G2="投产"', '$G2="终止"']


def test_progress_sheet_counts_rates_quotas_stalled(book_zh):
    ws = book_zh["招商进度"]
    assert ws["A1"].value == "招商项目进度（截至 2023-12-31，考核期 2023，共 5 个项目）"
    assert ws.freeze_panes == "A2"
    heads, rows = block(ws, "各产业链项目阶段")
    assert heads == ["产业链", "线索", "接洽", "在谈", "签约", "注册", "开工", "投产", "终止", "合计"]
    assert rows == [["锂电池", 0, 0, 1, 1, 1, 0, 1, 1, 5]]
    _, rows = block(ws, "各园区项目阶段")
    assert rows == [["大云镇", 0, 0, 0, 0, 1, 0, 0, 1, 2], ["嘉善县", 0, 0, 1, 1, 0, 0, 1, 0, 3]]
    heads, rows = block(ws, "转化率（注册率、开工率、投产率 = 已注册、已开工、已投产 ÷ 已签约）")
    assert heads == ["口径", "签约", "注册", "注册率", "开工", "开工率", "投产", "投产率"]
    assert rows[0][:8] == ["2023 签约项目", 3, 1, 0.3333, 0, 0.0, 0, 0.0]
    assert rows[1][:8] == ["累计", 4, 2, 0.5, 1, 0.25, 1, 0.25]
    rate_row = next(r for r in ws.iter_rows() if r[0].value == "2023 签约项目")
    assert rate_row[3].number_format == "0.0%" and rate_row[1].number_format == "#,##0"
    _, rows = block(ws, "指标完成情况")
    assert rows == [
        ["嘉善县：签约项目", 3, 2, 1, "未完成", "上海隔膜嘉善基地、上海汽车整车"],
        ["嘉善县：百亿产值项目", 1, 1, 0, "已完成", "上海汽车整车"], ["嘉善县：招大引强项目", 1, 1, 0, "已完成", "上海隔膜嘉善基地"],
        ["嘉善县：产业链企业（锂电池）", 3, 2, 1, "未完成", "上海隔膜嘉善基地、上海汽车整车"],
        ["大云镇：签约项目（锂电池）", 2, 1, 1, "未完成", "上海隔膜嘉善基地"]]
    heads, rows = block(ws, "停滞项目")
    assert heads == ["项目", "阶段", "负责", "起始日期", "天数", "时限", "超期天数", "企业"]
    assert rows == [["上海汽车电池包", "在谈", "锂电池专班", "2023-03-02", 304, 60, 244, "上海汽车"],
                    ["上海汽车整车", "签约", "招商局", "2023-05-10", 235, 90, 145, "上海汽车"]]
    start = next(r[0].row for r in ws.iter_rows() if r[0].value == "停滞项目")
    assert ws.auto_filter.ref == f"A{start + 1}:H{start + 3}"
    assert ws.cell(start + 2, 7).fill.fgColor.rgb.endswith("FFC7CE")   # days overdue in the stalled red
    # the tables' columns line up: names in A, one width for the rest
    assert len({ws.column_dimensions[c].width for c in "BCDEFGHIJ"}) == 1


def test_a_rate_of_nothing_is_a_dash_not_a_percentage(tmp_path):
    """Period 2021: nobody was signed, so the cohort rates are "—" and a note says why."""
    path = tmp_path / "p.xlsx"
    run("pipeline", str(DATA), "--as-of", AS_OF, "--period", "2021", "--format", "xlsx", "-o", str(path),
        "--lang", "zh")
    ws = load_workbook(path)["招商进度"]
    _, rows = block(ws, "转化率（注册率、开工率、投产率 = 已注册、已开工、已投产 ÷ 已签约）")
    assert rows[0][:8] == ["2021 签约项目", 0, 0, "—", 0, "—", 0, "—"]
    assert rows[1][:8] == ["累计", 4, 2, 0.5, 1, 0.25, 1, 0.25]
    notes = [r[0] for r in values(ws) if r[0]]
    assert "无签约项目，比率不适用（—）" in notes


def test_english_sheets(tmp_path):
    path = tmp_path / "p.xlsx"
    run("pipeline", str(DATA), "--as-of", AS_OF, "--format", "xlsx", "-o", str(path), "--lang", "en")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Pipeline progress", "Project ledger"]
    heads = [c.value for c in wb["Project ledger"][1]]
    assert "Investment (100M CNY)" in heads and "Signed date" in heads and "Days in stage" in heads
    _, rows = block(wb["Pipeline progress"], "Stalled projects")
    assert rows[0] == ["上海汽车电池包", "negotiating", "锂电池专班", "2023-03-02", 304, 60, 244, "Shanghai EV"]


def test_xlsx_needs_an_output_file():
    bad = run("pipeline", str(DATA), "--format", "xlsx", "--lang", "en", ok=False)
    assert bad.exit_code == 2 and "--format xlsx writes a file; give it with -o pipeline.xlsx" in bad.output


def test_report_has_the_sheets_only_with_projects(tmp_path):
    with_projects, without = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    run("report", str(DATA), "-o", str(with_projects), "--silent", "--lang", "zh")
    run("report", str(TINY), "-o", str(without), "--silent", "--lang", "zh")
    wb = load_workbook(with_projects)
    assert wb.sheetnames[-3:] == ["招商进度", "项目台账", "说明"]
    assert len(values(wb["项目台账"])) == 1 + 5
    assert "招商进度" not in load_workbook(without).sheetnames
    notes = [c.value for c in wb["说明"]["A"] if c.value]
    assert "项目台账 · 是否停滞" in notes


def test_project_cells_are_never_formulas(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(DATA, folder)
    csv = (folder / "projects.csv").read_text(encoding="utf-8")
    csv = csv.replace("上海汽车电池包", '"=HYPERLINK(""http://x"",""click"")"').replace("锂电池专班", "@SUM(A1)")
    (folder / "projects.csv").write_text(csv, encoding="utf-8")
    path = tmp_path / "p.xlsx"
    run("pipeline", str(folder), "--as-of", AS_OF, "--format", "xlsx", "-o", str(path), "--lang", "zh")
    seen = set()
    for ws in load_workbook(path):
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value.startswith(("=HYPERLINK", "@SUM")):
                    seen.add((ws.title, c.value[:4]))
    assert seen == {("项目台账", "=HYP"), ("项目台账", "@SUM"), ("招商进度", "=HYP"), ("招商进度", "@SUM")}
