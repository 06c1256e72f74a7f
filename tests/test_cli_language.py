"""Errors in the user's language (issue 13, §1): every error the library raises deep down reaches the
terminal in zh or en, with its FILE:LINE, what is wrong and the next step.

Each case triggers one kind of error through the command line, from bad files, crafted folders, bad URIs,
unknown names and bad options. In zh every line printed must hold Chinese text and no English sentence
(two English words in a row) once the allowed tokens are taken out: quoted values, ids, paths, file names,
URIs, options, environment variables and a short list of product names (:data:`ALLOWED_WORDS`). In en the
same run reads English: the expected sentence is there and no Chinese punctuation or wording is.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from conftest import DATA, TINY, write_dataset

#: Whether the falkordb client (the ``falkordb`` extra) is installed: not in the minimum-versions run.
HAS_FALKORDB = importlib.util.find_spec("falkordb") is not None

PIPELINE = DATA / "pipeline"

CJK = re.compile(r"[\u4e00-\u9fff]")
#: Tokens that stay as they are in Chinese text: quoted values, URIs, paths, file names, options,
#: environment variables and placeholders, TOML tables, column and setting names, numbers, and the
#: command's synopsis on the usage line.
ALLOWED_TOKENS = [
    r"'[^']*'", r'"[^"]*"',
    r"\b[a-z][a-z0-9+]*:/{1,2}\S*",
    r"\S*/\S*",
    r"\b[\w.-]+\.(?:csv|toml|md|chaingraph|so|json)\b",
    r"--?[a-z][\w-]*",
    r"\b[A-Z][A-Z0-9_]{2,}\b",
    r"\[[^\]]*\]",
    r"\b[a-z]+_[a-z_]+\b",
    r"\d[\d.,]*",
    r"(?<=用法：).*",  # the command's synopsis after 用法 (Usage)
]
#: Product and format names a Chinese sentence names as they are.
ALLOWED_WORDS = ["chaingraph", "FalkorDB", "Neo4j", "Bolt", "TOML", "CSV", "UTF-8", "GB18030/GBK", "pip install"]
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,})+")
CHINESE_WORDING = re.compile(r"[，；：（）。]|错误|请")


def english_left(line: str) -> str | None:
    """The first run of English words left in ``line`` once the allowed tokens are taken out.

    Examples
    --------
    >>> english_left("firms.csv:3: 未知的地区 'zz'（请使用 regions.csv 中的编号）") is None
    True
    >>> english_left("firms.csv:3: unknown region 'zz'")
    'unknown region'
    """
    for word in ALLOWED_WORDS:
        line = line.replace(word, " § ")
    for pattern in ALLOWED_TOKENS:
        line = re.sub(pattern, " § ", line)
    m = ENGLISH_SENTENCE.search(line)
    return m.group(0) if m else None


def run(lang: str, tmp_path: Path, *args: str):
    env = {"CHAINGRAPH_LANG": lang, "CHAINGRAPH_CACHE": str(tmp_path / "cache"), "COLUMNS": "200"}
    return CliRunner(env=env).invoke(cli, list(args), prog_name="chaingraph")


# -- the broken inputs: each builds its folder under tmp_path and returns the command line ------------------

def rows(tmp: Path) -> list[str]:
    """Bad cells in every file: unknown references, bad numbers and booleans, duplicates, self links."""
    firms = (TINY / "firms.csv").read_text(encoding="utf-8")
    firms += ("zfirm,某企业,,zz,cell,maybe,abc,,,,,,x\n"
              "lanjun,兰钧重复,,js,cell,false,,,,,,,x\n")
    links = (TINY / "links.csv").read_text(encoding="utf-8")
    links += "nobody,lanjun,cathode,,,x,\nshsep,shsep,,,,x,\njscathode,lanjun,cathode,NCM cathode,1,x,1\n"
    regions = (TINY / "regions.csv").read_text(encoding="utf-8") + "vv,某村,,js,village,,\n"
    seg_links = (TINY / "segment_links.csv").read_text(encoding="utf-8") + "cell,cell,0.1\n"
    folder = write_dataset(tmp, firms_csv=firms, links_csv=links, regions_csv=regions,
                           segment_links_csv=seg_links)
    return ["validate", str(folder)]


def many_rows(tmp: Path) -> list[str]:
    """60 links to an unknown firm: 50 listed, then one line for the 10 more."""
    links = (TINY / "links.csv").read_text(encoding="utf-8")
    links += "".join(f"ghost{i},lanjun,cathode,,,x,\n" for i in range(60))
    return ["validate", str(write_dataset(tmp, links_csv=links))]


def missing_column(tmp: Path) -> list[str]:
    return ["validate", str(write_dataset(tmp, chains_csv="id,title\nli,锂电池\n"))]


def cells(tmp: Path) -> list[str]:
    return ["validate", str(write_dataset(tmp, chains_csv="id,name,name_en\nli,锂电池,Lithium,extra\n"))]


def toml(tmp: Path) -> list[str]:
    text = (TINY / "dataset.toml").read_text(encoding="utf-8").replace('name = "tiny"\n', "")
    text += '\n[quotas]\nperiod = "2023-13"\nsigned = 1\n\n[pipeline]\nstart_days = -3\n'
    return ["validate", str(write_dataset(tmp, dataset_toml=text))]


def bad_toml(tmp: Path) -> list[str]:
    return ["validate", str(write_dataset(tmp, dataset_toml='name = "tiny\n'))]


def encoding(tmp: Path) -> list[str]:
    folder = write_dataset(tmp, firms_csv=(DATA / "firms_gbk.csv").read_bytes())
    return ["validate", str(folder), "--encoding", "utf-8"]


def no_folder(tmp: Path) -> list[str]:
    return ["validate", str(tmp / "nope")]


def not_regular(tmp: Path) -> list[str]:
    folder = write_dataset(tmp, links_csv=None)
    (folder / "links.csv").mkdir()
    return ["validate", str(folder)]


def too_large(tmp: Path) -> list[str]:
    return ["validate", str(TINY), "--max-file-size", "100"]


def projects(tmp: Path) -> list[str]:
    folder = tmp / "pipeline"
    shutil.copytree(PIPELINE, folder)
    header = (PIPELINE / "projects.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "projects.csv").write_text(
        header + "\n"
        "q1,甲,shsep,separator,li,,js,maybe,,,,,,,,,,,,,x,\n"
        "q2,乙,shsep,separator,li,,js,signed,,,,2023-05-01,2023-03-15,,,,,,,,x,\n"
        "q3,丙,shsep,separator,li,,js,dropped,,,,,,,,2023-05-01,,,,,x,\n"
        "q4,丁,shsep,nope,li,,js,lead,2023-01-01,,,,,,,,,,,,x,\n", encoding="utf-8")
    return ["validate", str(folder)]


def unknown_firm(tmp: Path) -> list[str]:
    return ["gaps", str(TINY), "--anchor", "lanjn", "--no-cache", "--silent"]


def unknown_region(tmp: Path) -> list[str]:
    return ["gaps", str(TINY), "--region", "mars", "--no-cache", "--silent"]


def unknown_chain(tmp: Path) -> list[str]:
    return ["targets", str(TINY), "--chain", "x", "--no-cache", "--silent"]


def ambiguous(tmp: Path) -> list[str]:
    firms = (TINY / "firms.csv").read_text(encoding="utf-8")
    firms += "pearl-new,東方明珠,,js,cell,,,,,,,,x\npearl-old,东方明珠,,sh,cell,,,,,,,,x\n"
    return ["gaps", str(write_dataset(tmp, firms_csv=firms)), "--anchor", "东方明珠", "--no-cache", "--silent"]


def uri_http(tmp: Path) -> list[str]:
    return ["info", "http://neo4j:S3cret@localhost:7474"]


def uri_malformed(tmp: Path) -> list[str]:
    return ["info", "bolt://localhost:notaport"]


def falkordb_down(tmp: Path) -> list[str]:
    return ["info", "falkordb://127.0.0.1:1"]


def snapshot_target(tmp: Path) -> list[str]:
    return ["load", str(TINY), "--to", str(tmp / "out.txt"), "--silent"]


def snapshot_damaged(tmp: Path) -> list[str]:
    snap = tmp / "tiny.chaingraph"
    loaded = CliRunner().invoke(cli, ["load", str(TINY), "--to", str(snap), "--silent"])
    assert loaded.exit_code == 0, loaded.output
    small = snap / "small.json"
    small.write_bytes(small.read_bytes()[:-1] + b" ")
    return ["info", str(snap)]


def weights_unknown(tmp: Path) -> list[str]:
    return ["targets", str(TINY), "--weights", "charm=1", "--no-cache", "--silent"]


def weights_no_equals(tmp: Path) -> list[str]:
    return ["targets", str(TINY), "--weights", "supplies_anchor", "--no-cache", "--silent"]


def profile_missing(tmp: Path) -> list[str]:
    return ["targets", str(TINY), "--profile", str(tmp / "weights.toml"), "--no-cache", "--silent"]


def profile_negative(tmp: Path) -> list[str]:
    (tmp / "weights.toml").write_text("[weights]\nsupplies_anchor = -1\n", encoding="utf-8")
    return ["targets", str(TINY), "--profile", str(tmp / "weights.toml"), "--no-cache", "--silent"]


def period(tmp: Path) -> list[str]:
    return ["pipeline", str(PIPELINE), "--period", "2023-13", "--as-of", "2023-12-31", "--no-cache", "--silent"]


def pipeline_chain(tmp: Path) -> list[str]:
    return ["pipeline", str(PIPELINE), "--chain", "nope", "--as-of", "2023-12-31", "--no-cache", "--silent"]


def as_of(tmp: Path) -> list[str]:
    return ["pipeline", str(PIPELINE), "--as-of", "2023-02-30", "--no-cache", "--silent"]


def project_unknown(tmp: Path) -> list[str]:
    folder = tmp / "pipeline"
    shutil.copytree(PIPELINE, folder)
    return ["project", "set", str(folder), "nope", "--stage", "signed"]


def project_dates(tmp: Path) -> list[str]:
    folder = tmp / "pipeline"
    shutil.copytree(PIPELINE, folder)
    return ["project", "set", str(folder), "p1", "--stage", "signed", "--date", "2023-09-01"]


def generate_count(tmp: Path) -> list[str]:
    return ["generate", "--firms", "lots", str(tmp / "out")]


def generate_file(tmp: Path) -> list[str]:
    (tmp / "out").write_text("x", encoding="utf-8")
    return ["generate", "--firms", "10", str(tmp / "out")]


def max_file_size(tmp: Path) -> list[str]:
    return ["info", str(TINY), "--max-file-size", "lots"]


def neo4j_admin(tmp: Path) -> list[str]:
    return ["export", "bolt://localhost:7687", "--neo4j-admin", str(tmp / "out")]


def missing_argument(tmp: Path) -> list[str]:
    return ["gaps"]


def bad_choice(tmp: Path) -> list[str]:
    return ["gaps", str(TINY), "--format", "pdf"]


def no_such_option(tmp: Path) -> list[str]:
    return ["gaps", str(TINY), "--colour"]


def not_integer(tmp: Path) -> list[str]:
    return ["targets", str(TINY), "--top", "lots"]


def out_of_range(tmp: Path) -> list[str]:
    return ["targets", str(TINY), "--top", "-1"]


def extra_argument(tmp: Path) -> list[str]:
    return ["info", str(TINY), "more"]


#: (case, what zh says, what en says, exit code): the sentence each language must hold.
CASES = [
    (rows, "未知的地区 'zz'", "unknown region 'zz'", 1),
    (rows, "重复的编号 'lanjun'，首次出现在第 2 行", "duplicate id 'lanjun', first on line 2", 1),
    (rows, "output_value 'abc' 不是数字", "output_value 'abc' is not a number", 1),
    (rows, "anchor 'maybe' 不是 true 或 false", "anchor 'maybe' is not true or false", 1),
    (rows, "未知的级别 'village'", "unknown level 'village'", 1),
    (rows, "企业 'shsep' 向自己供货", "firm 'shsep' supplies itself", 1),
    (rows, "重复的供货关系 jscathode -> lanjun（cathode）", "duplicate link jscathode -> lanjun (cathode)", 1),
    (rows, "环节 'cell' 供给自身", "segment 'cell' feeds itself", 1),
    (rows, "错误：发现", "Error: ", 1),
    (many_rows, "……另有 10 行同类问题：未知的企业 …", "... and 10 more rows like: unknown firm …", 1),
    (missing_column, "缺少必需的列 'name'", "missing required column 'name'", 1),
    (cells, "chains.csv:2: 应有 3 个单元格，实际有 4 个", "chains.csv:2: expected 3 cells, found 4", 1),
    (toml, "dataset.toml: 缺少 name", "dataset.toml: missing name", 1),
    (toml, "[quotas] period '2023-13' 不是有效的考核期", "[quotas] period '2023-13' is not a period", 1),
    (toml, "未知的 [quotas] 键 'signed'", "unknown [quotas] key 'signed'", 1),
    (toml, "[pipeline] start_days = -3 不是天数", "[pipeline] start_days = -3 is not a number of days", 1),
    (bad_toml, "无法解析 TOML（请检查引号和 '=' 号）", "cannot parse TOML", 1),
    (encoding, "firms.csv:2: 无法按 utf-8 编码读取该文件", "firms.csv:2: cannot read the file as utf-8", 1),
    (no_folder, "文件夹不存在（请给出包含 dataset.toml 和 firms.csv 的文件夹）", "no such folder", 1),
    (not_regular, "不是普通文件（而是文件夹）", "not a regular file (a folder)", 1),
    (too_large, "超过上限 100 字节", "larger than the limit of 100 bytes", 1),
    (projects, "未知的阶段 'maybe'", "unknown stage 'maybe'", 1),
    (projects, "注册 2023-03-15 早于签约 2023-05-01", "registered 2023-03-15 is before signed 2023-05-01", 1),
    (projects, "已终止的项目需要填写 drop_reason", "a dropped project needs a drop_reason", 1),
    (projects, "未知的环节 'nope'", "unknown segment 'nope'", 1),
    (unknown_firm, "没有编号或名称为 'lanjn' 的企业；您是否要找：兰钧新能源 (lanjun)",
     "no firm with id or name 'lanjn'; did you mean: 兰钧新能源 (lanjun)", 1),
    (unknown_region, "没有编号或名称为 'mars' 的地区", "no region with id or name 'mars'", 1),
    (unknown_chain, "没有编号或名称为 'x' 的产业链；可用：li", "no chain with id or name 'x'; use one of: li", 1),
    (ambiguous, "'东方明珠' 匹配到 2 家企业", "'东方明珠' matches 2 firms", 1),
    (uri_http, "不支持的数据库地址 'http://neo4j:***@localhost:7474'（7474 是 Neo4j 浏览器的端口",
     "unsupported database URI 'http://neo4j:***@localhost:7474' (7474 is Neo4j's browser port", 1),
    (uri_malformed, "数据库地址 'bolt://localhost:notaport' 格式有误", "malformed database URI", 1),
    # without the falkordb extra (the minimum-versions run) the same URI says the client is missing
    (falkordb_down, *(("无法连接 falkordb://127.0.0.1:1：请启动 FalkorDB", "cannot reach falkordb://127.0.0.1:1")
                      if HAS_FALKORDB else ("缺少 falkordb 客户端", "the falkordb client is missing")), 1),
    (snapshot_target, "请给出数据库地址", "give a database URI", 1),
    (snapshot_damaged, "small.json 已损坏（大小或哈希值与清单不符）",
     "small.json is damaged (its size or hash differs from the manifest's)", 1),
    (weights_unknown, "--weights 中有未知的评分项 'charm'", "unknown score component 'charm' in --weights", 1),
    (weights_no_equals, "权重 'supplies_anchor' 缺少 '='", "weight 'supplies_anchor' has no '='", 1),
    (profile_missing, "weights.toml: 缺少文件（请检查 --profile 的路径）",
     "weights.toml: missing file (check the path of --profile)", 1),
    (profile_negative, "supplies_anchor 的权重为 -1；权重必须是大于等于0的数", "weights must be numbers >= 0", 1),
    (period, "考核期 '2023-13' 无效", "period '2023-13' is not a period", 1),
    (pipeline_chain, "没有编号为 'nope' 的产业链", "no chain with id 'nope'", 1),
    (as_of, "--as-of '2023-02-30' 不是日期", "--as-of '2023-02-30' is not a day", 1),
    (project_unknown, "没有编号为 'nope' 的项目", "no project with id 'nope'", 1),
    (project_dates, "注册 2023-03-15 早于签约 2023-09-01", "registered 2023-03-15 is before signed 2023-09-01", 1),
    (generate_count, "'--firms' 的值无效：'lots' 不是数量", "Invalid value for '--firms': 'lots' is not a count", 2),
    (generate_file, "是文件而不是文件夹", "is a file, not a folder", 1),
    (max_file_size, "'lots' 不是大小", "'lots' is not a size", 2),
    (neo4j_admin, "export --neo4j-admin 读取的是数据集文件夹，而不是数据库（bolt://...）",
     "export --neo4j-admin reads a dataset folder, not a database (bolt://...)", 1),
    (missing_argument, "缺少参数 'SOURCE'", "Missing argument 'SOURCE'", 2),
    (bad_choice, "'pdf' 不是可选值之一", "'pdf' is not one of", 2),
    (no_such_option, "没有这个选项：--colour", "No such option", 2),  # click 8.2 writes "option: --colour"
    (not_integer, "'lots' 不是有效的整数", "'lots' is not a valid integer", 2),
    (out_of_range, "-1 不在范围 x>=0 内", "-1 is not in the range x>=0", 2),
    (extra_argument, "多余的参数（more）", "Got unexpected extra argument (more)", 2),
]


@pytest.mark.parametrize("case, zh, en, code", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_error_in_chinese(case, zh, en, code, tmp_path):
    """In zh, the line holds the Chinese sentence, and no line printed holds an English sentence."""
    result = run("zh", tmp_path, *case(tmp_path))
    assert result.exit_code == code, result.output
    assert zh in result.output, result.output
    for line in result.output.splitlines():
        if line.strip():
            assert CJK.search(line), f"no Chinese in {line!r}"
            assert english_left(line) is None, f"English {english_left(line)!r} in {line!r}"
    assert "S3cret" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("case, zh, en, code", [c for c in CASES if c[2]],
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES) if c[2]])
def test_error_in_english(case, zh, en, code, tmp_path):
    """In en, the same run reads English: the sentence is there, and no Chinese wording or punctuation."""
    result = run("en", tmp_path, *case(tmp_path))
    assert result.exit_code == code, result.output
    assert en in result.output, result.output
    assert not CHINESE_WORDING.search(result.output), result.output
    assert "S3cret" not in result.output and "Traceback" not in result.output


def test_every_error_key_exists_in_both_languages():
    """Each key an error can raise is said in zh and in en (the placeholders of both agree)."""
    from string import Formatter

    from chaingraph.i18n import TEXT

    for key in TEXT["en"]:
        zh, en = TEXT["zh"][key], TEXT["en"][key]
        names = [{f for _, f, _, _ in Formatter().parse(t) if f} for t in (zh, en)]
        assert names[0] <= names[1], (key, names)
