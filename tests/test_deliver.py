"""Recruiter deliverables (issue 13): the CLI in the user's language, tables that fit the terminal, files that
always land (or fail in one line), and no formula ever reaching Excel (issue 15, item 1)."""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from rich.cells import cell_len

from chaingraph.cli import cli, default_lang

TINY = str(Path(__file__).parent / "data" / "tiny")
JIASHAN = str(Path(__file__).parent.parent / "datasets" / "jiashan")

HOSTILE = ['=HYPERLINK("http://x","click")', "=cmd|'/C calc'!A0", "+1", "-1", "@SUM(A1)"]


def run(*args: str, code: int = 0, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=code != 0)
    assert result.exit_code == code, result.output
    return result


# -- language ------------------------------------------------------------------------------------

def test_default_language_from_environment(monkeypatch):
    """CHAINGRAPH_LANG wins, then LC_ALL / LANG starting with zh, else English."""
    monkeypatch.delenv("CHAINGRAPH_LANG")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert default_lang() == "zh"
    assert run("validate", TINY).output.startswith(f"{TINY}：校验通过")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert run("validate", TINY).output.startswith(f"{TINY}: OK")
    monkeypatch.setenv("CHAINGRAPH_LANG", "zh")
    assert run("validate", TINY).output.startswith(f"{TINY}：校验通过")
    assert run("validate", TINY, "--lang", "en").output.startswith(f"{TINY}: OK")


#: ASCII words that may stand alone on a Chinese line: ids of the tiny dataset, units, formats, our name.
ALLOWED_WORDS = {"lanjun", "jscathode", "shsep", "shev", "li", "js", "dy", "sh", "cn", "zj", "cell", "pack", "ev",
                 "separator", "cathode", "ore", "tiny", "chaingraph", "csv", "xlsx", "json", "html", "MB", "none"}


def _ascii_label_lines(output: str, paths: list[str]) -> list[str]:
    bad = []
    for line in output.splitlines():
        if not line.isascii() or not line.strip():
            continue
        rest = line
        for p in paths:
            rest = rest.replace(p, " ")
        rest = re.sub(r"/\S+", " ", rest)          # any other path
        words = [w for w in re.findall(r"[A-Za-z_][A-Za-z_\-]*", rest) if w not in ALLOWED_WORDS]
        if re.fullmatch(r"[\s\-]*", rest) or not words:
            continue
        bad.append(line)
    return bad


def test_every_command_speaks_chinese(tmp_path, monkeypatch):
    """Every command run in zh prints no line of ASCII-only labels (ids, numbers and paths allowed)."""
    monkeypatch.setenv("COLUMNS", "120")
    out = tmp_path / "o"
    gen = tmp_path / "gen"
    runs = [
        ("validate", TINY), ("info", TINY, "--silent"),
        ("gaps", TINY, "--silent"), ("gaps", TINY, "--anchor", "lanjun", "--what-if", "shsep", "--silent"),
        ("gaps", TINY, "--format", "csv", "-o", str(out / "g.csv"), "--silent"),
        ("targets", TINY, "--silent"), ("targets", TINY, "--format", "xlsx", "-o", str(out / "t.xlsx"), "--silent"),
        ("plan", TINY, "--budget", "2", "--quota", "li=3", "--silent"),
        ("plan", TINY, "--budget", "3", "--quota", "li=3", "--silent"),
        ("report", TINY, "-o", str(out / "r.xlsx"), "--silent"),
        ("html", TINY, "--chain-map", "-o", str(out / "m.html"), "--silent"),
        ("demo", "--out", str(out / "demo"), "--source", TINY),
        ("generate", "--firms", "200", "--silent", str(gen)),
        ("gaps", TINY, "--anchor", "nobody", "--silent"), ("targets", TINY, "--chain", "x", "--silent"),
        ("gaps", TINY, "--region", "mars", "--silent"), ("gaps",), ("gaps", TINY, "--bogus"),
        ("targets", TINY, "--format", "xlsx"), ("html", TINY, "-o", str(out / "x.html")),
        ("load", TINY, "--to", "ftp://nowhere"),
        ("pipeline", str(Path(__file__).parent / "data" / "pipeline"), "--as-of", "2023-12-31", "--silent"),
    ]
    for args in runs:
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "Traceback" not in result.output, args
        bad = _ascii_label_lines(result.output, [TINY, str(tmp_path)])
        assert bad == [], (args, bad)


def test_names_not_ids():
    """Chains and anchors by name in tables; the unmet quota names its chain."""
    out = run("gaps", TINY, "--silent").output
    assert "锂电池" in out and "兰钧新能源" in out
    chain_map = out.split("产业链图谱")[1]
    assert "lanjun" not in chain_map
    out = run("plan", TINY, "--budget", "3", "--quota", "li=3", "--silent").output
    assert "配额未满足：锂电池还差1家" in out


def test_money_in_user_units():
    from chaingraph.i18n import format_money

    assert format_money(4.525e9, "zh") == "45.25亿元"
    assert format_money(4.525e9, "en") == "CNY 4,525,000,000"
    out = run("targets", TINY, "--silent").output
    assert "20亿元" in out          # shsep, output 2e9
    assert "CNY 2,000,000,000" in run("targets", TINY, "--silent", "--lang", "en").output


# -- terminal ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("command", [("gaps", JIASHAN, "--anchor", "lanjun"), ("targets", JIASHAN),
                                     ("plan", JIASHAN, "--budget", "5")])
def test_tables_fit_the_terminal(command, columns, lang, monkeypatch):
    """At COLUMNS=80 and 120 no line is wider than the terminal (in display cells); --wide prints whole rows."""
    monkeypatch.setenv("COLUMNS", str(columns))
    out = run(*command, "--silent", "--lang", lang).stdout
    widths = [cell_len(line) for line in out.splitlines()]
    assert max(widths) <= columns, [line for line in out.splitlines() if cell_len(line) > columns][:3]
    wide = run(*command, "--silent", "--lang", lang, "--wide").stdout
    assert max(cell_len(line) for line in wide.splitlines()) > columns
    assert "…" in out and "…" not in wide


def test_width_is_100_when_unknown(monkeypatch):
    from chaingraph.cli import table_width

    assert table_width(False) == 100 and table_width(True) is None
    monkeypatch.setenv("COLUMNS", "61")
    assert table_width(False) == 61


def test_control_characters_never_reach_the_terminal(make_dataset, tiny_path):
    """A name with an escape sequence and a bell prints as '?'; Ⅲ prints as III so CJK columns line up.

    Validation refuses such a name in a dataset (issue 15), naming it with the controls escaped; names
    from elsewhere (a database loaded by an older version) still pass through terminal_safe."""
    firms = (tiny_path / "firms.csv").read_text(encoding="utf-8").replace("上海隔膜", "上海\x1b[31m隔膜Ⅲ\x07")
    folder = make_dataset(firms_csv=firms)
    for args in (("targets", str(folder)), ("gaps", str(folder), "--anchor", "lanjun"), ("info", str(folder))):
        out = CliRunner().invoke(cli, [*args, "--silent"]).output
        assert "\x1b" not in out and "\x07" not in out, args
    result = CliRunner().invoke(cli, ["targets", str(folder), "--silent", "--wide"])
    assert result.exit_code == 1
    assert "firms.csv:4: name '上海\\x1b[31m隔膜III\\x07' 含有控制字符" in result.output
    from chaingraph.exports.text import terminal_safe

    assert terminal_safe("上海\x1b[31m隔膜Ⅲ\x07") == "上海?[31m隔膜III?"


# -- files ---------------------------------------------------------------------------------------

WRITERS = [
    ("gaps", TINY, "--format", "json", "-o", "{}/g.json"),
    ("gaps", TINY, "--format", "csv", "-o", "{}/g.csv"),
    ("gaps", TINY, "-o", "{}/g.txt"),
    ("targets", TINY, "--format", "csv", "-o", "{}/t.csv"),
    ("targets", TINY, "--format", "xlsx", "-o", "{}/t.xlsx"),
    ("targets", TINY, "--format", "json", "-o", "{}/t.json"),
    ("plan", TINY, "--budget", "2", "--format", "csv", "-o", "{}/p.csv"),
    ("plan", TINY, "--budget", "2", "--format", "xlsx", "-o", "{}/p.xlsx"),
    ("plan", TINY, "--budget", "2", "--format", "json", "-o", "{}/p.json"),
    ("report", TINY, "-o", "{}/招商报告.xlsx"),
    ("html", TINY, "--chain-map", "-o", "{}/m.html"),
]


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: "-".join(a[:1] + a[2:-2]))
def test_output_into_missing_nested_folder(args, tmp_path):
    folder = tmp_path / "a" / "b" / "c"
    argv = [a.format(folder) for a in args]
    run(*argv, "--silent")
    assert Path(argv[-1]).is_file()


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder nobody can write into: chmod 555, or (root ignores modes) sysfs, which even root cannot write."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        print("running as root, which writes into chmod 555 folders: using /sys as the read-only place")
        return Path("/sys/chaingraph-test")
    return folder


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: "-".join(a[:1] + a[2:-2]))
def test_output_into_read_only_folder(args, tmp_path):
    folder = _read_only_folder(tmp_path)
    argv = [a.format(folder / "sub") for a in args]
    result = run(*argv, "--silent", code=1)
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：无法写入 "), result.output
    assert "Traceback" not in result.output


def test_output_onto_a_folder(tmp_path):
    result = run("targets", TINY, "--format", "csv", "-o", str(tmp_path), "--silent", code=1)
    assert result.output == f"错误：无法写入 {tmp_path}：这是一个文件夹；请在 -o 后给出文件名，例如 {tmp_path / 'out'}\n"
    result = run("gaps", TINY, "-o", str(tmp_path), "--silent", "--lang", "en", code=1)
    assert result.output.startswith(f"Error: cannot write {tmp_path}: it is a folder")


def test_csv_bom_gb18030_and_stdout(tmp_path):
    """Files get a BOM (or GB18030 when asked); stdout CSV has none."""
    for command in (("gaps",), ("targets",), ("plan", "--budget", "2")):
        path = tmp_path / f"{command[0]}.csv"
        run(command[0], TINY, *command[1:], "--format", "csv", "-o", str(path), "--silent")
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        gb = tmp_path / f"{command[0]}-gb.csv"
        run(command[0], TINY, *command[1:], "--format", "csv", "-o", str(gb), "--output-encoding", "gb18030",
            "--silent")
        assert gb.read_bytes().decode("gb18030") == path.read_bytes().decode("utf-8-sig")
        out = run(command[0], TINY, *command[1:], "--format", "csv", "--silent").stdout
        assert not out.startswith("\ufeff") and out == path.read_bytes().decode("utf-8-sig")


def test_plan_csv_keeps_order_gain_and_summary():
    """The tiny plan of 2: picks and gains as in the JSON, in pick order, then the summary table
    (own segments do not count: weights cathode 0.4, separator 0.1, ore 0.6, pack 0.7, ev 0.3 = 2.1;
    before nothing is covered, 0/2.1 = 0; after, pack and ev are covered, 1.0/2.1 = 0.4762)."""
    import json

    data = json.loads(run("plan", TINY, "--budget", "2", "--format", "json", "--silent").stdout)
    rows = list(csv.reader(io.StringIO(run("plan", TINY, "--budget", "2", "--format", "csv", "--silent").stdout)))
    assert rows[0][:2] == ["序号", "企业编号"] and "增益" in rows[0]
    gain = rows[0].index("增益")
    assert [(r[0], r[1], float(r[gain])) for r in rows[1:3]] == [
        (str(p["order"]), p["firm"]["id"], p["gain"]) for p in data["picks"]]
    assert rows[3] == [] and rows[4] == ["链主", "链主编号", "指标", "之前", "之后"]
    assert rows[5] == ["兰钧新能源", "lanjun", "完整度", "0.0", "0.4762"]


# -- formula injection ---------------------------------------------------------------------------

@pytest.fixture
def hostile(make_dataset, tiny_path):
    """The tiny dataset with hostile names: targets shsep and shev, local firm jscathode, anchor lanjun."""
    firms = (tiny_path / "firms.csv").read_text(encoding="utf-8")
    for old, new in zip(["上海隔膜", "上海汽车", "嘉善正极", "兰钧新能源"], HOSTILE):
        firms = firms.replace(old, '"' + new.replace('"', '""') + '"', 1)
    firms = firms.replace("Shanghai EV,", '"@SUM(A1)",', 1)
    return make_dataset(firms_csv=firms)


def test_no_formula_cells_in_any_workbook(hostile, tmp_path):
    paths = [tmp_path / "t.xlsx", tmp_path / "p.xlsx", tmp_path / "r.xlsx"]
    run("targets", str(hostile), "--format", "xlsx", "-o", str(paths[0]), "--silent")
    run("plan", str(hostile), "--budget", "2", "--format", "xlsx", "-o", str(paths[1]), "--silent")
    run("report", str(hostile), "-o", str(paths[2]), "--silent")
    seen = set()
    for path in paths:
        for ws in load_workbook(path):
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                    if isinstance(c.value, str):
                        seen.update(h for h in HOSTILE if h in c.value)
    assert seen == set(HOSTILE[:4])


def test_csv_cells_never_start_a_formula(hostile):
    for command in (("targets",), ("gaps",), ("plan", "--budget", "2")):
        out = run(command[0], str(hostile), *command[1:], "--format", "csv", "--silent").stdout
        cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], command
        assert any(c.startswith("'=HYPERLINK(") or c.startswith("'=cmd|") or c.startswith("'+1") for c in cells)
    out = run("targets", str(hostile), "--format", "csv", "--silent", "--lang", "en").stdout
    rows = list(csv.reader(io.StringIO(out)))
    firms = {r[1]: r[2] for r in rows[1:]}
    assert firms["shev"] == "'@SUM(A1)" and firms["shsep"] == "Shanghai Separator"
    assert rows[1][0] == "1"   # numbers stay numbers, unquoted
    out = run("targets", str(hostile), "--format", "csv", "--silent").stdout
    assert {r[1]: r[2] for r in csv.reader(io.StringIO(out))}["shsep"] == '\'=HYPERLINK("http://x","click")'


def test_cell_rule():
    from chaingraph.exports.cells import cell_value

    assert [cell_value(v, "csv") for v in ["-1", -1, "\tx", "\rx", "a=b", 0.5]] == ["'-1", -1, "'\tx", "'\rx",
                                                                                    "a=b", 0.5]
    assert cell_value("x\x00\x1fy", "xlsx") == "x\ufffd\ufffdy"


# -- the workbook --------------------------------------------------------------------------------

def test_report_workbook(tmp_path):
    """Sheets, frozen headers, filters, number formats and the notes of 招商报告.xlsx on the Jiashan data."""
    path = tmp_path / "招商报告.xlsx"
    out = run("report", JIASHAN, "-o", str(path), "--silent").output
    assert out.startswith(f"已写入 {path}：目标50家")
    wb = load_workbook(path)
    # Jiashan has group members of its anchors (格科微有限公司 is GalaxyCore's parent): their own sheet;
    # and projects.csv: the pipeline's two sheets
    assert wb.sheetnames == ["目标清单", "缺口", "招商计划", "产业链图谱", "集团内扩产", "招商进度", "项目台账", "说明"]
    groups = wb["集团内扩产"]
    assert [c.value for c in groups[1]][:3] == ["企业名称", "企业编号", "所属集团"]
    assert "galaxycore-sh" in [c.value for c in groups["B"]]
    for name in wb.sheetnames[:4]:
        ws = wb[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.cell(1, 1).font.bold, name
    t = wb["目标清单"]
    heads = [c.value for c in t[1]]
    assert heads.index("得分") < heads.index("推荐理由") < heads.index("年产值（亿元）")
    row = [c for c in t[2]]
    assert row[heads.index("年产值（亿元）")].value == pytest.approx(452.5)   # 中芯国际, 45,250,000,000 yuan
    assert row[heads.index("得分")].number_format == "0.0%"
    assert t.column_dimensions["K"].width <= 60
    p = wb["招商计划"]
    assert [p.cell(r, 1).value for r in range(2, 12)] == list(range(1, 11))
    assert p.cell(1, 7).value == "增益"
    m = wb["产业链图谱"]
    assert {m.cell(r, 5).value for r in range(2, m.max_row + 1)} <= {"已覆盖", "薄弱", "缺失"}
    notes = [c.value for c in wb["说明"]["A"] if c.value]
    assert "评分权重" in notes and "数据质量" in notes and "数据指纹" in notes
    assert any(str(v).startswith("目标清单 · 推荐理由") for v in notes)


def test_extra_firm_columns_pass_through(make_dataset, tiny_path, tmp_path):
    firms = (tiny_path / "firms.csv").read_text(encoding="utf-8").splitlines()
    firms[0] += ",联系人,电话"
    firms[1:] = [line + (",王经理,021-5555" if line.startswith("shsep") else ",,") for line in firms[1:]]
    folder = make_dataset(firms_csv="\n".join(firms) + "\n")
    path = tmp_path / "t.xlsx"
    run("targets", str(folder), "--format", "xlsx", "-o", str(path), "--silent")
    ws = load_workbook(path)["目标清单"]
    heads = [c.value for c in ws[1]]
    extra = heads.index("电话")
    assert heads[extra:extra + 3] == ["电话", "联系人", "企业编号"]   # the dataset keeps extra columns sorted by name
    shsep = next(r for r in ws.iter_rows(min_row=2, values_only=True) if "shsep" in r)
    assert shsep[extra:extra + 2] == ("021-5555", "王经理")


def test_terminal_safe_maps_each_character_as_one_at_a_time():
    """terminal_safe looks at each distinct character once and translates the text in one pass (issue 17: a
    call per character took seconds on the 6 MB JSON of targets at a million firms); every character ends up
    as the per-character rule says: Ⅲ and ① (ambiguous width, NFKC letters or digits) become III and 1,
    "…" and "é" stay, control characters become "?"."""
    import random

    from chaingraph.exports.text import _CONTROL, _unambiguous, terminal_safe

    assert terminal_safe("Ⅲ期①…é\x1b") == "III期1…é?"
    rng = random.Random(5)
    alphabet = [chr(i) for i in range(0x80, 0x2700)] + list("Ⅲ①…期ab\n\t")
    for _ in range(200):
        s = "".join(rng.choice(alphabet) for _ in range(300))
        one_by_one = "".join(_unambiguous(c) for c in _CONTROL.sub("?", s.replace("\t", " ").replace("\r", "?")))
        assert terminal_safe(s) == one_by_one
