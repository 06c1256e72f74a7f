"""CSV and Excel target lists."""
from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from conftest import build

from chaingraph.errors import ChainGraphError
from chaingraph.exports.tables import gap_rows, target_rows, write_target_table
from chaingraph.analyses.gaps import find_gaps
from chaingraph.analyses.targets import rank_targets


@pytest.fixture
def result():
    G = build()
    return rank_targets(G, ["A"], region="js", top=None), find_gaps(G, "A", region="js").to_dict()


def test_csv_has_bom_zh_headers_and_rank_order(tmp_path, result):
    targets, gaps = result
    path = write_target_table(targets, tmp_path / "t.csv", lang="zh", gaps=gaps)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:6] == ["排名", "企业编号", "企业名称", "环节", "链主", "得分"]
    assert "推荐理由" in rows[0] and "统一社会信用代码" in rows[0] and "来源" in rows[0]
    assert [r[1] for r in rows[1:]] == ["E2", "E4", "E3"]
    assert rows[1][3] == "负极、隔膜" and rows[1][4] == "兰钧"
    assert rows[1][rows[0].index("所在地区")] == "SH"
    assert rows[1][rows[0].index("推荐理由")].startswith("已向兰钧供应负极、隔膜（来源不明，可信度1）；")


def test_csv_en(tmp_path, result):
    path = write_target_table(result[0], tmp_path / "t.csv", lang="en")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Rank", "Firm id", "Firm"]
    assert rows[1][2] == "Sep and Anode Co" and rows[1][3] == "Anode, Separator"


def test_xlsx(tmp_path, result):
    """The targets workbook: 目标清单 and 缺口, frozen bold headers, filters, percent and 亿元 formats,
    wrapped reasons, statuses coloured by conditional formats."""
    targets, gaps = result
    path = write_target_table(targets, tmp_path / "sub" / "t.xlsx", lang="zh", gaps=gaps)
    wb = load_workbook(path)
    assert wb.sheetnames == ["目标清单", "缺口"]
    ws = wb["目标清单"]
    heads = [c.value for c in ws[1]]
    assert heads[:8] == ["排名", "企业名称", "所在地区", "环节", "链主", "得分", "推荐理由", "年产值（亿元）"]
    assert heads[8:10] == ["企业编号", "统一社会信用代码"] and heads[-1] == "依据"
    assert ws.freeze_panes == "A2" and ws.cell(1, 1).font.bold
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}4"
    assert [ws.cell(r, 9).value for r in range(2, 5)] == ["E2", "E4", "E3"]
    score = ws.cell(2, 6)
    assert score.number_format == "0.0%" and 0 < score.value <= 1
    reasons = ws.cell(2, heads.index("推荐理由") + 1)
    assert reasons.alignment.wrap_text and reasons.value.startswith("1. 已向兰钧供应负极、隔膜")
    money = heads.index("年产值（亿元）") + 1
    assert ws.cell(3, money).number_format == "#,##0.00"
    assert ws.cell(3, money).value == pytest.approx(targets[1].firm.output_value / 1e8)
    g = wb["缺口"]
    assert g.max_row == 1 + 7 and g.freeze_panes == "A2"
    assert [g.cell(r, 4).value for r in range(2, 9)] == ["cell", "anode", "cathode", "separator", "ore", "pack", "ev"]
    assert g.cell(5, 8).value == "缺失" and g.cell(5, 9).value == "补链"
    rules = [r for rng in g.conditional_formatting for r in rng.rules]
    assert any('"缺失"' in r.formula[0] and r.dxf.fill.fgColor.rgb.endswith("FFC7CE") for r in rules)


def test_same_input_same_rows(result):
    a = target_rows(result[0], lang="zh")
    b = target_rows(list(result[0]), lang="zh")
    assert a == b


def test_gap_rows_and_table(tmp_path, result):
    headers, rows = gap_rows({"region": {}, "anchors": [result[1]]}, lang="en")
    assert headers[:3] == ["Anchor", "Segment id", "Segment"]
    assert rows[1][:8] == ["Lanjun", "anode", "Anode", "li", "upstream", 1, "weak", "strengthen"]


def test_bad_suffix(tmp_path, result):
    with pytest.raises(ChainGraphError, match=r"\.csv or \.xlsx"):
        write_target_table(result[0], tmp_path / "t.txt")
