"""The validate and info commands through click's CliRunner: exit codes and exact text."""
from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from chaingraph import __version__
from chaingraph.cli import cli

INFO_ZH = """\
Tiny example（tiny），来源：{path}
本地区域：嘉善县（js）
数量：企业4家，供应关系3条，环节6个，环节关系5条，产业链1条，地区6个，链主1家
产业链（1条）：
  li：锂电池（6个环节）
链主（1家）：
  lanjun：兰钧新能源，嘉善县，环节：电芯
地区（6个）：国家 1，省 2，市 1，县 1，镇 1
数据质量：4个警告，运行 chaingraph validate {path} 查看
"""
INFO_EN = """\
Tiny example (tiny) from {path}
home region: Jiashan (js)
counts: 4 firms, 3 links, 6 segments, 5 segment links, 1 chains, 6 regions, 1 anchors
chains (1):
  li: Lithium battery (6 segments)
anchors (1):
  lanjun: Lanjun New Energy, Jiashan, segments Cell
regions (6): country 1, province 2, city 1, county 1, town 1
data quality: 4 warning(s); run chaingraph validate {path} to see them
"""


def invoke(*args: str, ok: bool = True):
    return CliRunner().invoke(cli, list(args), catch_exceptions=not ok)


def test_validate_ok(tiny_path):
    """tiny loads (OK), then its warnings and notes (tests/test_quality.py): nobody makes ore, every link
    is illustrative, shev is located only in a province, lanjun -> shev has no value."""
    result = invoke("validate", str(tiny_path))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"{tiny_path}：校验通过（企业4家，供应关系3条，环节6个，产业链1条，地区6个）"
    assert lines[-1] == f"{tiny_path}：0个错误，4个警告，2个提示"
    result = invoke("validate", str(tiny_path), "--lang", "en")
    lines = result.output.splitlines()
    assert lines[0] == f"{tiny_path}: OK (4 firms, 3 links, 6 segments, 1 chain, 6 regions)"
    assert "  links.csv:3: Shanghai Separator → Lanjun New Energy (illustrative data, confidence 0.5)" in lines
    assert lines[-1] == f"{tiny_path}: 0 error(s), 4 warning(s), 2 note(s)"


def test_validate_gbk_with_encoding(make_dataset, tiny_path):
    folder = make_dataset(firms_csv=(tiny_path.parent / "firms_gbk.csv").read_bytes())
    assert invoke("validate", str(folder)).exit_code == 0
    assert invoke("validate", str(tiny_path), "--encoding", "utf-8").exit_code == 0
    result = invoke("validate", str(folder), "--encoding", "utf-8", "--lang", "en", ok=False)
    assert result.exit_code == 1
    assert result.output == (
        f"{folder}/firms.csv:2: cannot read the file as utf-8: 'utf-8' codec can't decode byte 0xc0 "
        "in position 103: invalid start byte (check --encoding, or leave it out to detect)\n"
        "Error: 1 problem found; nothing was loaded\n")
    # in Chinese, without Python's English account of the byte
    result = invoke("validate", str(folder), "--encoding", "utf-8", ok=False)
    assert result.output == (f"{folder}/firms.csv:2: 无法按 utf-8 编码读取该文件（请检查 --encoding，或不指定以自动识别编码）\n"
                             "错误：发现1个问题，未加载任何数据\n")


def test_validate_broken(make_dataset):
    folder = make_dataset(
        firms_csv="id,name,region,segments\nlanjun,兰钧,js,cell\nlanjun,兰钧二,zz,\n",
        links_csv=None)
    result = invoke("validate", str(folder), "--lang", "en", ok=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.output == (
        f"{folder}/firms.csv:3: duplicate id 'lanjun', first on line 2 "
        "(ids must be unique; merge or rename the rows)\n"
        f"{folder}/firms.csv:3: unknown region 'zz' (use an id from regions.csv)\n"
        "Error: 2 problems found; nothing was loaded\n")


def test_validate_one_problem(make_dataset):
    folder = make_dataset(links_csv="supplier,customer\nlanjun,lanjun\n")
    result = invoke("validate", str(folder), "--lang", "en", ok=False)
    assert result.exit_code == 1
    assert result.output == (f"{folder}/links.csv:2: firm 'lanjun' supplies itself (delete the row)\n"
                             "Error: 1 problem found; nothing was loaded\n")
    result = invoke("validate", str(folder), ok=False)
    assert result.output == (f"{folder}/links.csv:2: 企业 'lanjun' 向自己供货（请删除这一行）\n"
                             "错误：发现1个问题，未加载任何数据\n")


def test_validate_no_such_folder(tmp_path):
    result = invoke("validate", str(tmp_path / "nope"), "--lang", "en", ok=False)
    assert result.exit_code == 1
    assert result.output == (f"{tmp_path / 'nope'}: no such folder "
                             "(give the folder that holds dataset.toml and firms.csv)\n"
                             "Error: 1 problem found; nothing was loaded\n")


def test_info_zh(tiny_path):
    result = invoke("info", str(tiny_path), "--silent")
    assert result.exit_code == 0
    assert result.output == INFO_ZH.format(path=tiny_path)


def test_info_en(tiny_path):
    result = invoke("info", str(tiny_path), "--silent", "--lang", "en")
    assert result.exit_code == 0
    assert result.output == INFO_EN.format(path=tiny_path)


def test_info_progress_goes_to_stderr(tiny_path):
    result = invoke("info", str(tiny_path), "--lang", "en")
    assert result.exit_code == 0
    assert result.stdout == INFO_EN.format(path=tiny_path)


def test_info_json(tiny_path):
    import json

    result = invoke("info", str(tiny_path), "--silent", "--format", "json")
    assert result.exit_code == 0
    info = json.loads(result.output)
    assert info["counts"]["firms"] == 4
    assert info["anchors"][0]["id"] == "lanjun"
    assert info["dataset"]["source"] == str(tiny_path)


def test_info_broken(make_dataset):
    folder = make_dataset(regions_csv="id,name,parent\ncn,中国,cn\n")
    result = invoke("info", str(folder), "--silent", "--lang", "en", ok=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.output.endswith("Error: 6 problems found; nothing was loaded\n")
    assert f"{folder}/regions.csv:2: the region tree has a cycle: cn > cn " \
           "(a region cannot be inside itself; fix one parent)\n" in result.output


@pytest.mark.parametrize("args, message", [
    ((), "Missing argument 'SOURCE'"),
    (("--lang", "fr"), "Invalid value for '--lang'"),
    (("--format", "xml"), "Invalid value for '--format'"),
    # click 8.2 writes "No such option: --bogus", later versions "No such option '--bogus'"
    (("--bogus",), "No such option"),
])
def test_info_usage_errors(tiny_path, args, message, monkeypatch):
    monkeypatch.setenv("CHAINGRAPH_LANG", "en")
    argv = ["info", *args] if not args else ["info", str(tiny_path), *args]
    result = invoke(*argv, ok=False)
    assert result.exit_code == 2
    assert message in result.output
    assert all(arg in result.output for arg in args if arg.startswith("--"))
    assert result.output.startswith("Usage: ")


def test_validate_usage_error():
    result = invoke("validate", ok=False)
    assert result.exit_code == 2
    assert result.output.endswith("错误：缺少参数 'SOURCE'。\n")
    assert "Missing argument 'SOURCE'" in invoke("validate", "--lang", "en", ok=False).output


def test_unknown_command():
    result = invoke("frobnicate", ok=False)
    assert result.exit_code == 2
    assert "错误：没有这个命令 'frobnicate'。" in result.output
    assert "运行 'cli -h' 查看帮助。" in result.output


def test_version():
    result = invoke("--version")
    assert result.output == f"chaingraph, version {__version__}\n"


def test_python_m_help():
    proc = subprocess.run([sys.executable, "-m", "chaingraph", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout and "validate" in proc.stdout and "info" in proc.stdout


def test_python_m_validate_exit_code(make_dataset):
    folder = make_dataset(chains_csv=None)
    proc = subprocess.run([sys.executable, "-m", "chaingraph", "validate", str(folder)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.endswith("错误：发现1个问题，未加载任何数据\n")


def test_progress_bar_only_on_a_terminal_and_for_long_work(monkeypatch):
    """Quick work, pipes and --silent draw no bar; long work on a terminal draws one, labelled in the
    user's language, on stderr."""
    import io
    import time

    import rich.console

    from chaingraph.cli import progress_bar

    console = rich.console.Console

    def draw(after: float, silent: bool, terminal: bool) -> str:
        err = io.StringIO()
        monkeypatch.setattr(rich.console, "Console", lambda **kw: console(file=err, force_terminal=terminal,
                                                                          width=80))
        with progress_bar("loading", silent=silent, after=after) as progress:
            for i in range(5):
                progress(i, 4)
            time.sleep(0.3 if after == 0 else 0)
        return err.getvalue()

    assert draw(0.5, False, True) == ""
    assert "加载" in draw(0.0, False, True)
    assert draw(0.0, False, False) == ""
    assert draw(0.0, True, True) == ""


def test_json_output_is_the_standard_librarys_text():
    """The CLI writes JSON with orjson (nine times faster at a million firms) and the text is exactly what
    ``json.dumps(data, ensure_ascii=False, indent=2)`` gave before for every report of Jiashan (Chinese kept,
    floats and nulls alike); a float with an exponent reads back the same; a dict orjson refuses (an int key)
    falls back to the standard library."""
    import json
    from pathlib import Path

    from chaingraph import jobs
    from chaingraph.cli import _json_text
    from chaingraph.stores import open_store

    store = open_store(str(Path(__file__).resolve().parent.parent / "datasets" / "jiashan"))
    reports = [jobs.gap_report(store, anchor=store.anchors()[0]), jobs.target_report(store, top=0).to_dict(),
               jobs.plan_report(store, budget=5).to_dict(),
               jobs.pipeline_report(store, as_of="2023-12-31", impact=True).to_dict()]
    for data in reports:
        assert _json_text(data) == json.dumps(data, ensure_ascii=False, indent=2)
    # the one difference: an exponent is written without its padding zero (2.5e-7, not 2.5e-07): the same number
    odd = {"floats": [0.1, 1e10, 2.5e-07, 1e22, -0.0, 1234567.125], "none": None, "text": "兰钧\t\"x\"\n"}
    assert json.loads(_json_text(odd)) == odd and "2.5e-7," in _json_text(odd)
    assert _json_text({1: "a"}) == json.dumps({1: "a"}, ensure_ascii=False, indent=2)
    assert "兰钧" in _json_text(reports[1]) or "兰钧" in _json_text(reports[0])
