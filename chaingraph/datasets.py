"""Read and validate a dataset folder (the format is in docs/dataset-format.md).

A *dataset* is a folder with ``dataset.toml`` and the CSV files ``regions``,
``chains``, ``segments``, ``segment_links`` (optional), ``firms`` and
``links`` (optional). :func:`read_dataset` reads every file, checks every row
and raises one :class:`~chaingraph.errors.DatasetErrors` listing each problem
as ``FILE:LINE: message (hint)``; only a clean dataset comes back, so a store
never loads half a dataset.

The reader, not the data, deals with what spreadsheets do to files: a UTF-8
BOM, GB18030/GBK encodings, Chinese headers (:data:`HEADER_ALIASES`),
full-width digits and commas (``１２３，４５６``), ``万``/``亿`` suffixes, and
booleans written as 是/否.

Firms and links are read with pyarrow and checked column by column, so a
dataset of a million firms and five million links validates in seconds.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import logging
import os
import re
import shutil
import stat
import tomllib
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from chaingraph.errors import BadValueError, DatasetError, DatasetErrors, Message, Problem
from chaingraph.model import (
    DROPPED,
    EVIDENCE_CONFIDENCE,
    EVIDENCE_KINDS,
    ILLUSTRATIVE_SOURCES,
    LEVELS,
    PIPELINE_DEFAULTS,
    PROJECT_STAGE_ORDER,
    PROJECT_STAGES,
    STAGES,
    Chain,
    Project,
    Region,
    Segment,
    SegmentLink,
    normalise_project_date,
    parse_project_date,
    period_bounds,
    project_date_problems,
)

__all__ = [
    "Dataset",
    "read_dataset",
    "read_file",
    "parse_size",
    "MAX_FILE_SIZE",
    "MAX_TOML_SIZE",
    "MAX_TOML_DEPTH",
    "HEADER_ALIASES",
    "FILES",
    "FIRM_SCHEMA",
    "LINK_SCHEMA",
    "PIPELINE_DEFAULTS",
    "QUOTA_KEYS",
    "set_project_stage",
    "project_problem",
    "ELIDED",
]

log = logging.getLogger(__name__)

#: Column types of the firms table.
FIRM_SCHEMA = pa.schema([
    ("id", pa.string()), ("name", pa.string()), ("name_en", pa.string()), ("region", pa.string()),
    ("segments", pa.list_(pa.string())), ("anchor", pa.bool_()), ("output_value", pa.float64()),
    ("employees", pa.int64()), ("listed", pa.bool_()), ("credit_code", pa.string()),
    ("lat", pa.float64()), ("lon", pa.float64()), ("source", pa.string()),
    ("extra", pa.string()),  # JSON object of the extra columns' non-empty cells, or null
    ("aliases", pa.list_(pa.string())), ("parent", pa.string()),
])
#: Column types of the links table.
LINK_SCHEMA = pa.schema([
    ("supplier", pa.string()), ("customer", pa.string()), ("segment", pa.string()),
    ("product", pa.string()), ("value", pa.float64()), ("source", pa.string()),
    ("confidence", pa.float64()),  # as given, else the default of the link's evidence kind
    ("evidence", pa.string()),  # one of model.EVIDENCE_KINDS
])

#: Each file: (required?, required columns, optional columns).
FILES: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {
    "regions.csv": (True, ("id", "name"), ("name_en", "parent", "level", "lat", "lon")),
    "chains.csv": (True, ("id", "name"), ("name_en",)),
    "segments.csv": (True, ("id", "chain", "name"), ("name_en", "stage")),
    "segment_links.csv": (False, ("from", "to"), ("weight",)),
    "firms.csv": (True, ("id", "name", "region", "segments"),
                  ("name_en", "anchor", "output_value", "employees", "listed", "credit_code",
                   "lat", "lon", "source", "aliases", "parent")),
    "links.csv": (False, ("supplier", "customer"),
                  ("segment", "product", "value", "source", "confidence", "evidence")),
    "projects.csv": (False, ("id", "name", "firm", "chain", "stage"),
                     ("segments", "anchor", "park", *PROJECT_STAGES, DROPPED, "drop_reason", "investment",
                      "expected_output", "owner", "source", "note")),
}

#: Header aliases: canonical column name to the other spellings a file may use
#: (compared after NFKC folding, trimming and lower-casing). A file's header is
#: matched only against the columns that file has, so 环节 means ``segments``
#: in firms.csv and ``segment`` in links.csv.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "編號", "代码", "代碼", "标识", "標識", "企业编号", "企業編號", "地区编号", "地區編號",
           "环节编号", "環節編號", "产业链编号", "產業鏈編號", "産業鏈編號"),
    "name": ("名称", "名稱", "中文名称", "中文名稱", "企业名称", "企業名稱", "企业名", "公司名称", "公司名稱",
             "地区名称", "地區名稱", "环节名称", "環節名稱", "产业链名称", "產業鏈名稱", "産業鏈名稱", "name_zh"),
    "name_en": ("英文名称", "英文名稱", "英文名", "english name", "name (en)", "name(en)"),
    "region": ("地区", "地區", "所在地", "所在地区", "所在地區", "区域", "區域", "所属地区", "所屬地區"),
    "parent": ("上级", "上級", "上级地区", "上級地區", "父级", "父級", "母公司", "所属集团", "所屬集團"),
    "aliases": ("别名", "別名", "简称", "簡稱", "曾用名", "alias"),
    "evidence": ("证据", "證據", "证据类型", "證據類型", "依据", "依據"),
    "level": ("级别", "級別", "层级", "層級", "行政级别", "行政級別"),
    "lat": ("纬度", "緯度", "latitude"),
    "lon": ("经度", "經度", "longitude", "lng"),
    "chain": ("产业链", "產業鏈", "産業鏈", "所属产业链", "所屬產業鏈", "所屬産業鏈"),
    "stage": ("阶段", "階段", "环节位置", "環節位置", "上中下游", "位置"),
    "from": ("上游环节", "上游環節", "投入环节", "投入環節", "source_segment"),
    "to": ("下游环节", "下游環節", "产出环节", "產出環節", "target_segment"),
    "weight": ("权重", "權重", "占比", "佔比", "投入占比", "投入佔比"),
    "segments": ("环节", "環節", "所属环节", "所屬環節", "产业链环节", "產業鏈環節", "産業鏈環節", "segment"),
    "anchor": ("链主", "鏈主", "是否链主", "是否鏈主"),
    "output_value": ("产值", "產值", "産值", "年产值", "年產值", "年産值", "营收", "營收", "营业收入",
                     "營業收入", "revenue"),
    "employees": ("员工数", "員工數", "员工人数", "員工人數", "从业人员", "從業人員", "人数", "人數"),
    "listed": ("上市", "是否上市"),
    "credit_code": ("统一社会信用代码", "統一社會信用代碼", "信用代码", "信用代碼", "uscc"),
    "source": ("来源", "來源", "数据来源", "數據來源", "資料來源"),
    "supplier": ("供应商", "供應商", "供方", "供货方", "供貨方"),
    "customer": ("客户", "客戶", "需方", "采购方", "採購方"),
    "segment": ("环节", "環節", "供应环节", "供應環節", "segments"),
    "product": ("产品", "產品", "供应产品", "供應產品"),
    "value": ("金额", "金額", "交易额", "交易額", "供货金额", "供貨金額", "采购金额", "採購金額"),
    "confidence": ("置信度", "可信度"),
    # projects.csv (a firm's 企业编号 is ``id`` in firms.csv, so the project's firm takes other words)
    "firm": ("企业", "企業", "项目企业", "項目企業", "投资方", "投資方", "签约企业", "簽約企業"),
    "park": ("园区", "園區", "落地园区", "落地園區", "所在园区", "所在園區", "落地地区", "落地地區"),
    "lead": ("线索", "線索", "线索日期", "線索日期"),
    "contacted": ("接洽", "接洽日期", "对接", "對接"),
    "negotiating": ("在谈", "在談", "洽谈", "洽談"),
    "signed": ("签约", "簽約", "签约日期", "簽約日期"),
    "registered": ("注册", "註冊", "注冊", "注册日期", "註冊日期"),
    "construction": ("开工", "開工", "开工日期", "開工日期"),
    "producing": ("投产", "投產", "投産", "投产日期", "投產日期"),
    "dropped": ("终止", "終止", "终止日期", "終止日期"),
    "drop_reason": ("终止原因", "終止原因"),
    "investment": ("总投资", "總投資", "投资额", "投資額", "投资", "投資"),
    "expected_output": ("达产产值", "達產產值", "達産産值", "预计产值", "預計產值"),
    "owner": ("负责人", "負責人", "责任人", "責任人", "专班", "專班", "责任专班", "責任專班"),
    "note": ("备注", "備註", "说明", "說明"),
}
HEADER_ALIASES["id"] += ("项目编号", "項目編號")
HEADER_ALIASES["name"] += ("项目名称", "項目名稱")

#: Chinese spellings of regions.csv levels and segments.csv stages.
VALUE_ALIASES: dict[str, str] = {
    "国家": "country", "國家": "country", "省": "province", "直辖市": "province", "直轄市": "province",
    "自治区": "province", "自治區": "province", "市": "city", "地级市": "city", "地級市": "city",
    "县": "county", "縣": "county", "区": "county", "區": "county", "县级市": "county", "縣級市": "county",
    "镇": "town", "鎮": "town", "乡": "town", "鄉": "town", "街道": "town",
    "园区": "park", "園區": "park", "开发区": "park", "開發區": "park",
    "上游": "upstream", "中游": "midstream", "下游": "downstream",
    "公告": "reported", "披露": "reported", "合同": "reported", "报道": "reported", "報道": "reported",
    "公开报道": "reported", "调研": "survey", "調研": "survey", "调查": "survey", "調查": "survey",
    "推断": "derived", "推斷": "derived", "推算": "derived", "派生": "derived", "模型": "derived",
    "示意": "illustrative", "虚构": "illustrative", "虛構": "illustrative", "演示": "illustrative",
    "未知": "unknown",
}

#: Chinese spellings of projects.csv stages (simplified and traditional).
PROJECT_STAGE_ALIASES: dict[str, str] = {
    "线索": "lead", "線索": "lead", "接洽": "contacted", "对接": "contacted", "對接": "contacted",
    "在谈": "negotiating", "在談": "negotiating", "洽谈": "negotiating", "洽談": "negotiating",
    "签约": "signed", "簽約": "signed", "已签约": "signed", "已簽約": "signed",
    "注册": "registered", "註冊": "registered", "注冊": "registered",
    "开工": "construction", "開工": "construction", "在建": "construction", "started": "construction",
    "投产": "producing", "投產": "producing", "投産": "producing",
    "终止": "dropped", "終止": "dropped",
}


def _canonical_values(arr: pa.Array, default: str) -> pa.Array:
    """Lower-cased values with :data:`VALUE_ALIASES` mapped to their English names."""
    values = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(arr, default)))
    keys = pa.array(list(VALUE_ALIASES), pa.string())
    hit = pc.index_in(values, value_set=keys)
    mapped = pa.array(list(VALUE_ALIASES.values()), pa.string()).take(pc.fill_null(hit, 0))
    return pc.if_else(pc.is_valid(hit), mapped, values)


TRUE = ("true", "yes", "y", "1", "t", "是", "真", "对", "對")
FALSE = ("false", "no", "n", "0", "f", "否", "假", "错", "錯")
_NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_MULTIPLIERS = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}
_SEGMENT_SPLIT = r"[;；|、,，]"
#: Problems of one kind reported per file before the rest are counted.
MAX_PER_RULE = 50
#: Largest file read by default (2 GiB); ``--max-file-size`` changes it. A link to /dev/zero or a
#: runaway export would otherwise fill the memory.
MAX_FILE_SIZE = 2 << 30
#: Largest TOML file (dataset.toml, a weights profile) and deepest nesting of its tables and arrays:
#: no real one comes near, and tomllib recurses once per level.
MAX_TOML_SIZE = 1 << 20
MAX_TOML_DEPTH = 32
#: C0 control characters and DEL: never valid in a name or id (spreadsheets refuse them, Bolt cuts a
#: string at NUL, a terminal obeys escape sequences).
_CONTROL = r"[\x00-\x1f\x7f]"
#: Free text (:data:`FREE_TEXT`, extra columns, the segments list, dataset.toml's description) may
#: also hold tab, line feed and carriage return, which CSV, XLSX and JSON all carry.
_CONTROL_IN_TEXT = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
#: Every byte but the control characters and DEL, line ends kept: a file's bytes without these are clean.
_NOT_CONTROL = bytes(range(32, 127)) + bytes(range(128, 256)) + b"\n\r"
#: Columns of free text.
FREE_TEXT = ("product", "source", "segments", "drop_reason", "note")


@dataclass
class Dataset:
    """A validated dataset: small tables as records, firms and links as Arrow tables.

    ``firms`` has :data:`FIRM_SCHEMA` and ``links`` :data:`LINK_SCHEMA`; string
    cells that were empty are null, except ``links.segment`` which is ``""``
    when unknown.
    """

    path: Path
    meta: dict[str, Any]
    regions: list[Region]
    chains: list[Chain]
    segments: list[Segment]
    segment_links: list[SegmentLink]
    firms: pa.Table
    links: pa.Table
    extra_columns: list[str] = field(default_factory=list)
    #: The projects of projects.csv (empty without the file), in file order.
    #: (A :class:`~chaingraph.stores.snapshot.LazyProjects` when read from a snapshot: decoded on first use.)
    projects: Sequence[Project] = field(default_factory=list)
    #: Per file, the line of each row (for FILE:LINE in the quality report, chaingraph.quality), and the
    #: lines of the trailing empty rows skipped.
    lines: dict[str, np.ndarray] = field(default_factory=dict)
    skipped: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: The row in ``firms`` of each link's ``supplier`` and ``customer``, found while checking them, so a
    #: store's index need not look the ten million ends up again; empty when not read from the files.
    link_rows: dict[str, np.ndarray] = field(default_factory=dict)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _alias_map(columns: tuple[str, ...]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for col in columns:
        lookup[col] = col
        for alias in HEADER_ALIASES.get(col, ()):
            lookup.setdefault(_fold(alias), col)
    return lookup


@dataclass
class _Table:
    """One CSV file read as strings: canonical column name to array, and each row's line."""

    file: str
    columns: dict[str, pa.Array]
    lines: np.ndarray
    extra: list[str]
    #: Some rows could not be read (and were reported): other files' references into it are not checked.
    partial: bool = False
    #: Lines of the empty rows (``,,,,``) Excel leaves at the end of a sheet, skipped.
    skipped: tuple[int, ...] = ()
    #: Whether a cell may hold a control character (:func:`_controls`); ``False`` when the file's bytes
    #: hold none at all, and no quote that could put a line end inside a cell.
    controls: bool = True

    def __len__(self) -> int:
        return len(self.lines)

    def let_go(self, *names: str) -> None:
        """Forget the columns ``names`` as read, once what was made of them (numbers, lists) is in the
        dataset: they are not read again, and five million cells of text are 50 MB (issue 17 §2)."""
        for name in names:
            self.columns.pop(name, None)

    def get(self, name: str) -> pa.Array:
        if name in self.columns:
            return self.columns[name]
        return pa.nulls(len(self), pa.string())


class _Elided(str):
    """The value of a rule's example row, shown as ``…`` (also where the message quotes it with ``!r``)."""

    def __repr__(self) -> str:
        return "…"


ELIDED = _Elided("…")


class _Checker:
    """Collects problems, at most :data:`MAX_PER_RULE` of each kind per file."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._counts: dict[tuple[str, Message], int] = {}
        self._next_line: dict[tuple[str, Message], int] = {}

    def add(self, file: str, line: int, message: Message, *, column: str = "", hint: str = "",
            rule: Message | None = None) -> None:
        """Report ``message``; ``rule`` (default: the message) names its kind, counted per file."""
        key = (file, rule or message)
        n = self._counts.get(key, 0) + 1
        self._counts[key] = n
        if n <= MAX_PER_RULE:
            self.problems.append(Problem(file, line, column, message, hint))
        else:
            self._next_line.setdefault(key, line)

    def more(self, file: str, rule: Message, n: int, line: int) -> None:
        """Count ``n`` more problems of ``rule`` without listing them; the first is on ``line``."""
        if n <= 0:
            return
        key = (file, rule)
        self._counts[key] = self._counts.get(key, 0) + n
        if self._counts[key] > MAX_PER_RULE:
            self._next_line.setdefault(key, line)

    def rows(self, table: _Table, mask: np.ndarray | pa.Array, column: str, message: Message,
             hint: str = "", values: pa.Array | None = None) -> None:
        """Report each row where ``mask`` is true; the message's ``value`` is the cell."""
        m = np.asarray(mask.to_numpy(zero_copy_only=False) if isinstance(mask, (pa.Array, pa.ChunkedArray))
                       else mask, dtype=bool)
        idx = np.flatnonzero(m)
        if not len(idx):
            return
        cells = (values if values is not None else table.get(column)).take(pa.array(idx[:MAX_PER_RULE]))
        rule = message.with_values(value=ELIDED)
        for i, cell in zip(idx[:MAX_PER_RULE].tolist(), cells.to_pylist()):
            self.add(table.file, int(table.lines[i]), message.with_values(value=cell), column=column,
                     hint=hint, rule=rule)
        if len(idx) > MAX_PER_RULE:
            self.more(table.file, rule, len(idx) - MAX_PER_RULE, int(table.lines[idx[MAX_PER_RULE]]))

    def absorb(self, other: _Checker, *, at: int) -> None:
        """Take the problems ``other`` found (in other files than this checker's so far), listed from
        position ``at``: a file checked in another thread is reported in the usual order."""
        self.problems[at:at] = other.problems
        for key, n in other._counts.items():
            self._counts[key] = self._counts.get(key, 0) + n
        for key, line in other._next_line.items():
            self._next_line.setdefault(key, line)

    def summary(self) -> list[Problem]:
        """The problems listed, and one line per rule that had more than :data:`MAX_PER_RULE`."""
        extra = [
            Problem(file, self._next_line.get((file, rule), 0), "",
                    Message("ds.more", n=n - MAX_PER_RULE, like=rule))
            for (file, rule), n in sorted(self._counts.items()) if n > MAX_PER_RULE
        ]
        return self.problems + extra


def _size(n: int) -> str:
    """``n`` bytes in the largest binary unit that keeps a whole number or one decimal (a message, for
    the word "bytes").

    Examples
    --------
    >>> _size(2 << 30), _size(1536), _size(12)
    ('2 GiB', '1.5 KiB', '12 bytes')
    """
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0") + f" {unit}"
    return Message("ds.bytes", n=n)


def parse_size(text: str) -> int:
    """A number of bytes written as digits with an optional binary unit (K, M, G, T; KiB, MB...).

    Raises
    ------
    ValueError
        When ``text`` is not such a size.

    Examples
    --------
    >>> parse_size("2G"), parse_size("500 MiB"), parse_size("1.5k"), parse_size("4096")
    (2147483648, 524288000, 1536, 4096)
    """
    match = re.fullmatch(r"(\d+(?:\.\d*)?)\s*([kmgt]?)(?:i?b)?", str(text).strip().lower())
    if not match or (not match.group(2) and text.strip().lower().endswith("ib")):
        raise BadValueError(key="value.size", value=text)
    number, unit = match.groups()
    return int(float(number) * (1 << (10 * " kmgt".index(unit or " "))))


def _kind(mode: int) -> Message:
    if stat.S_ISDIR(mode):
        return Message("ds.kind.folder")
    if stat.S_ISFIFO(mode):
        return Message("ds.kind.pipe")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Message("ds.kind.device")
    if stat.S_ISSOCK(mode):
        return Message("ds.kind.socket")
    return Message("ds.kind.special")


def read_file(path: str | Path, *, file: str | None = None, max_size: int = MAX_FILE_SIZE,
              missing_ok: bool = False, missing_hint: str = Message("ds.hint.check_path")) -> bytes | None:
    """The bytes of the regular file ``path``, refusing anything that could hang or fill the memory.

    The file is checked with ``os.stat`` before it is opened (a named pipe would block the
    open), opened non-blocking and checked again, and read up to ``max_size`` bytes: a FIFO, a
    device such as ``/dev/zero`` (also through a symbolic link), a folder or a file over the
    limit is a one-line error, never a hang.

    Parameters
    ----------
    path
        The file.
    file
        How messages name it (default: ``path``).
    max_size
        Largest size read, in bytes.
    missing_ok
        Return ``None`` for a file that does not exist instead of raising.
    missing_hint
        The hint of the "missing file" error.

    Raises
    ------
    DatasetError
        With line 0: missing, unreadable (permission denied), not a regular file, or too large.

    Examples
    --------
    >>> read_file("/dev/null")
    Traceback (most recent call last):
    ...
    chaingraph.errors.DatasetError: /dev/null: not a regular file (a device) (give the data file itself)
    """
    name = file or str(path)
    try:
        st = os.stat(path)
        _check_regular(st, name, max_size)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            # Checked again on the open file: it may have been swapped since the stat.
            _check_regular(os.fstat(fh.fileno()), name, max_size)
            data = fh.read(max_size + 1)
    except (FileNotFoundError, NotADirectoryError):
        if missing_ok:
            return None
        raise DatasetError(name, 0, Message("ds.missing_file"), hint=missing_hint) from None
    except PermissionError:
        msg = Message("ds.permission")
        raise DatasetError(name, 0, msg, hint=Message("ds.hint.read_access")) from None
    except OSError as exc:
        msg = Message("ds.cannot_read", reason=exc.strerror or str(exc))
        raise DatasetError(name, 0, msg, hint=Message("ds.hint.check_file")) from None
    if len(data) > max_size:  # it grew after the stat
        _check_regular(os.stat_result((stat.S_IFREG, 0, 0, 0, 0, 0, len(data), 0, 0, 0)), name, max_size)
    return data


def _check_regular(st: os.stat_result, name: str, max_size: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        msg = Message("ds.not_regular", kind=_kind(st.st_mode))
        raise DatasetError(name, 0, msg, hint=Message("ds.hint.data_file"))
    if st.st_size > max_size:
        msg = Message("ds.too_large", limit=_size(max_size), size=_size(st.st_size))
        raise DatasetError(name, 0, msg, hint=Message("ds.hint.max_file_size"))


def _is_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is well-formed UTF-8 (as Python's strict decoder has it: no surrogates, no overlong
    forms), checked by Arrow in place: ten times faster than decoding 120 MB of firms, and no copy of them.

    Examples
    --------
    >>> _is_utf8("企业".encode()), _is_utf8("企业".encode("gb18030")), _is_utf8(bytes([0xED, 0xA0, 0x80]))
    (True, False, False)
    """
    if raw.isascii():
        return True
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, pa.py_buffer(np.array([0, len(raw)], dtype=np.int64)),
                                                         pa.py_buffer(raw)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _decode(raw: bytes, file: str, encoding: str | None) -> tuple[bytes, str]:
    """UTF-8 bytes of ``raw`` (BOM removed) and the encoding it was in."""
    if encoding:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            line = raw.count(b"\n", 0, exc.start) + 1 if isinstance(exc, UnicodeDecodeError) else 0
            msg = Message("ds.bad_encoding", encoding=encoding, reason=str(exc))
            raise DatasetError(file, line, msg, hint=Message("ds.hint.encoding")) from None
        return text.lstrip("\ufeff").encode("utf-8"), encoding
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, enc = raw[3:], "utf-8-sig"
    else:
        enc = "utf-8"
    if _is_utf8(raw):
        return raw, enc
    try:
        raw.decode("utf-8")
        return raw, enc
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    try:
        return raw.decode("gb18030").encode("utf-8"), "gb18030"
    except UnicodeDecodeError as exc:
        # A file whose text before the bad byte holds valid multi-byte UTF-8 is UTF-8 with a
        # broken byte: point at that byte, not at where GB18030 first stumbled.
        bad = utf8_error if enc == "utf-8-sig" or not raw[:utf8_error].isascii() else exc.start
        line = raw.count(b"\n", 0, bad) + 1
        msg = Message("ds.bad_byte", byte=f"{raw[bad]:02x}")
        raise DatasetError(file, line, msg, hint=Message("ds.hint.save_utf8")) from None


def _message(said: str) -> Message:
    """A problem's message as a :class:`Message` (text from elsewhere is passed on verbatim)."""
    return said if isinstance(said, Message) else Message("verbatim", text=said)


def _physical_lines(data: bytes) -> int:
    """Number of lines as an editor counts them (``\\n``, ``\\r\\n`` or a lone ``\\r`` ends one)."""
    cr = data.count(b"\r") if b"\r" in data else 0
    ends = data.count(b"\n") + (cr - data.count(b"\r\n") if cr else 0)
    return ends + (0 if data.endswith((b"\n", b"\r")) else 1)


def _header(data: bytes) -> list[str]:
    """The first CSV row of ``data``, read without decoding the whole file."""
    end = 0
    while True:
        nl = data.find(b"\n", end)
        end = len(data) if nl < 0 else nl + 1
        # An odd number of quotes means a quoted header cell goes on past this newline.
        if nl < 0 or data.count(b'"', 0, end) % 2 == 0:
            break
    row = next(csv.reader(io.StringIO(data[:end].decode("utf-8"), newline="")), [])
    # A BOM inside a cell (a file saved with a BOM twice, or cells pasted from another file) is
    # invisible in every editor, so it never belongs to a column name.
    return [cell.replace("\ufeff", "") for cell in row]


def _column_names(header: list[str], columns: tuple[str, ...], required: tuple[str, ...], file: str,
                  check: _Checker) -> tuple[list[str] | None, list[str]]:
    """Our name for each header cell (aliases and Chinese headers folded) and the extra columns;
    ``None`` for the names when a required column is missing (reported)."""
    lookup = _alias_map(columns)
    names: list[str] = []
    extra: list[str] = []
    seen: dict[str, int] = {}
    for pos, cell in enumerate(header):
        if re.search(_CONTROL, cell):
            check.add(file, 1, Message("ds.column_control", cell=cell), hint=Message("ds.hint.delete_it"))
        folded = _fold(cell)
        canonical = lookup.get(folded)
        if canonical is None:
            canonical = cell.strip() or f"column_{pos + 1}"
            if canonical in seen:
                canonical = f"{canonical}_{pos + 1}"
            extra.append(canonical)
        elif canonical in seen:
            check.add(file, 1, Message("ds.column_twice", column=canonical, first=header[seen[canonical]],
                                       second=cell), column=canonical, hint=Message("ds.hint.delete_one"))
            canonical = f"{canonical}_{pos + 1}"
            extra.append(canonical)
        seen[canonical] = pos
        names.append(canonical)
    missing = [c for c in required if c not in names]
    for col in missing:
        aliases = "/".join(HEADER_ALIASES.get(col, ())[:3])
        hint = Message("ds.hint.add_column.aliases" if aliases else "ds.hint.add_column", column=col,
                       aliases=aliases)
        check.add(file, 1, Message("ds.missing_column", column=col), column=col, hint=hint)
    return (None if missing else names), extra


def _read_csv(box: list[bytes], file: str, columns: tuple[str, ...], required: tuple[str, ...],
              encoding: str | None, check: _Checker) -> _Table | None:
    """Read one CSV file's bytes (taken out of ``box``, so that they are freed once the columns are read)
    as strings; ``None`` (with the problem reported) if that is impossible."""
    try:
        data, enc = _decode(box.pop(), file, encoding)
    except DatasetError as exc:
        check.add(file, exc.line, _message(exc.problem.message), hint=exc.problem.hint)
        return None
    if not data or data.isspace():
        check.add(file, 1, Message("ds.empty_file"), hint=Message("ds.hint.header", columns=",".join(required)))
        return None
    try:
        header = _header(data)
    except csv.Error as exc:
        check.add(file, 1, Message("ds.bad_header", reason=str(exc)), hint=Message("ds.hint.quotes_line"))
        return None
    names, extra = _column_names(header, columns, required, file, check)
    if names is None:
        return None
    bad_rows: list[Any] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append(row)
        return "skip"

    table: pa.Table | None
    quoted = b'"' in data
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),  # read in place, not copied block by block as from a file object
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=64 << 20),
            # a line end inside a cell needs quotes around it; without any, pyarrow's faster parser reads the same
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        table = None
    partial = False
    # one pass over the bytes instead of a regular expression over every column (issue 17 §2)
    controls = quoted or bool(data.translate(None, _NOT_CONTROL))
    if table is not None and not bad_rows and _physical_lines(data) == table.num_rows + 1:
        # The common case: one row per line, so row i is on line i + 2 (a file under 2 GiB has fewer than
        # 2**31 lines: 32-bit line numbers, half the memory of five million links' lines)
        lines = np.arange(2, table.num_rows + 2, dtype=np.int32)
    elif table is not None and (shape := _row_shape(data, cells=bool(bad_rows))) is not None and \
            _match_rows(shape, table.num_rows, len(bad_rows), file, len(names), check):
        # Quoted newlines, blank lines or rows of the wrong width (reported): pyarrow's values, and
        # each row's line found with numpy.
        first, _, n_cells = shape
        partial = bool(bad_rows)
        lines = first[n_cells == len(names)] if bad_rows else first
    else:
        # Broken rows (or quotes numpy cannot follow): read again with the csv module, which
        # knows each row's line, so that values and line numbers come from one parser.
        del table
        parsed = _parse_slowly(data, names, file, check)
        if parsed is None:
            return None
        raw_cols, lines, partial = parsed
        table = pa.table(raw_cols)
        del raw_cols
    del data  # the file's bytes (the caller let go of them): the columns are copies
    cols = {}
    for name in names:
        # column by column, so that only one column is in memory twice (as read and trimmed)
        col = table.column(name)
        table = table.drop_columns([name])
        cols[name] = _cells(col.combine_chunks())
        del col
    # Excel saves the empty rows at the end of a sheet as ",,,,": skipped with a note, not errors
    filled = np.zeros(len(lines), dtype=bool)
    for col in cols.values():
        filled |= ~_is_null(col)
    keep = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    skipped = tuple(int(x) for x in lines[keep:])
    if skipped:
        cols, lines = {k: v.slice(0, keep) for k, v in cols.items()}, lines[:keep]
    log.debug("read %s (%s, %d rows)", file, enc, len(lines))
    return _Table(file, cols, lines, extra, partial, skipped, controls)


#: Bytes that may begin or end a whitespace character: ASCII space and below, and every byte of a multi-byte one.
_MAY_BE_SPACE = (np.arange(256) <= 0x20) | (np.arange(256) >= 0x80)


def _cells(col: pa.Array) -> pa.Array:
    """A column as read, trimmed of whitespace, with its empty cells null.

    Only a column with a cell that starts or ends with a byte that may be whitespace (ASCII space
    and below, or any byte of a multi-byte character) is trimmed: ids, numbers and codes seldom are,
    and trimming five million cells copies them (issue 17 §2). The empty cells become null through a
    validity bitmap over the same buffers.

    Examples
    --------
    >>> _cells(pa.array(["a", " b ", "", "\u3000c"])).to_pylist()
    ['a', 'b', None, 'c']
    >>> _cells(pa.array(["F1", "", "F2"])).to_pylist()
    ['F1', None, 'F2']
    """
    n = len(col)
    if not n or col.null_count or col.offset:
        col = pc.utf8_trim_whitespace(col)
        empty = pc.equal(col, "")
        return pc.if_else(empty, pa.scalar(None, pa.string()), col) if pc.any(empty).as_py() else col
    _, offsets_buf, data_buf = col.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=n + 1)
    lengths = np.diff(offsets)
    filled = lengths > 0
    total = int(offsets[-1])
    if data_buf is not None and total:
        data = np.frombuffer(data_buf, dtype=np.uint8, count=total)
        # the first byte of every cell (an empty cell's is the next cell's: at worst a needless trim) and the
        # last byte of every cell, up to the last non-empty one and from the first
        firsts = offsets[:int(np.searchsorted(offsets[:-1], total))]
        lasts = offsets[int(np.searchsorted(offsets, 0, side="right")):] - 1
        if _MAY_BE_SPACE[data[firsts]].any() or _MAY_BE_SPACE[data[lasts]].any():
            col = pc.utf8_trim_whitespace(col)
            _, offsets_buf, data_buf = col.buffers()
            lengths = np.diff(np.frombuffer(offsets_buf, dtype=np.int32, count=n + 1))
            filled = lengths > 0
    if filled.all():
        return col
    if not filled.any():
        # a column left empty (links' product and source, often): freshly mapped zero pages, which take no
        # memory until written, rather than the offsets of five million empty cells
        zeros = pa.py_buffer(np.zeros(n + 1, dtype=np.int32))
        return pa.Array.from_buffers(pa.string(), n, [zeros, zeros, pa.py_buffer(b"")], null_count=n)
    validity = pa.py_buffer(np.packbits(filled, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), n, [validity, offsets_buf, data_buf], null_count=int(n - filled.sum()))


def _row_shape(data: bytes, *, cells: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """First line, last line and (if ``cells``) number of cells of each data row, found with numpy.

    A newline or comma is outside quotes when an even number of quote characters precede it (a
    quoted cell opens and closes with one, and ``""`` inside it adds two). Blank lines are skipped,
    as pyarrow skips them. ``None`` for lone ``\r`` line ends; a stray quote inside an unquoted
    cell gives rows the caller finds do not match pyarrow's.
    """
    if data.count(b"\r") != data.count(b"\r\n"):
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    quotes = np.flatnonzero(buf == 34)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(buf)]))
    length = stops - starts
    # A row holding only the \r of a \r\n is a blank line too.
    length -= (length > 0) & (buf[np.maximum(stops - 1, 0)] == 13) if len(buf) else 0
    if cells:
        commas = np.flatnonzero(buf == 44)
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
        n_cells = np.bincount(np.searchsorted(ends, commas), minlength=len(starts)) + 1
    else:
        n_cells = np.zeros(len(starts), dtype=np.int64)
    keep = length > 0
    keep[0] = False  # the header
    first = np.searchsorted(newlines, starts[keep]) + 1
    last = np.searchsorted(newlines, np.maximum(stops[keep] - 1, 0)) + 1
    return first.astype(np.int64), last.astype(np.int64), n_cells[keep].astype(np.int64)


def _match_rows(shape: tuple[np.ndarray, np.ndarray, np.ndarray], n_rows: int, n_bad: int, file: str,
                width: int, check: _Checker) -> bool:
    """Whether numpy's rows are pyarrow's (``n_rows`` read, ``n_bad`` skipped); if so, report the bad ones."""
    first, last, n_cells = shape
    if not n_bad:
        return len(first) == n_rows
    bad = np.flatnonzero(n_cells != width)
    if len(bad) != n_bad or len(first) - len(bad) != n_rows:
        return False
    for i in bad[:MAX_PER_RULE].tolist():
        _report_width(file, width, int(first[i]), int(last[i]), int(n_cells[i]), check)
    if len(bad) > MAX_PER_RULE:
        check.more(file, Message("ds.rule.cells"), len(bad) - MAX_PER_RULE, int(first[bad[MAX_PER_RULE]]))
    return True


def _report_width(file: str, width: int, line: int, last: int, found: int, check: _Checker) -> None:
    if last > line:
        # A row over several lines often means a quote that is never closed.
        check.add(file, line, Message("ds.cells.lines", width=width, found=found, line=line, last=last),
                  hint=Message("ds.hint.quotes_commas"), rule=Message("ds.rule.cells"))
    else:
        check.add(file, line, Message("ds.cells", width=width, found=found),
                  hint=Message("ds.hint.stray_comma"), rule=Message("ds.rule.cells"))


def _parse_slowly(data: bytes, names: list[str], file: str,
                  check: _Checker) -> tuple[dict[str, pa.Array], np.ndarray, bool] | None:
    """Columns and line numbers by the csv module; rows of the wrong width are reported and left out."""
    width = len(names)
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    partial = False
    start = 1
    try:
        for i, row in enumerate(reader):
            line, start = start, reader.line_num + 1
            if i == 0 or not row:
                continue
            if len(row) != width:
                partial = True
                _report_width(file, width, line, start - 1, len(row), check)
                continue
            rows.append(row)
            lines.append(line)
    except csv.Error as exc:
        check.add(file, start, Message("ds.bad_csv", reason=str(exc)), hint=Message("ds.hint.quotes_line"))
        return None
    columns = list(zip(*rows)) if rows else [() for _ in names]
    cols = {name: pa.array(col, pa.string()) for name, col in zip(names, columns)}
    return cols, np.asarray(lines, dtype=np.int64), partial


def _is_null(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.is_null(arr).to_numpy(zero_copy_only=False), dtype=bool)


def _required(t: _Table, check: _Checker, columns: tuple[str, ...]) -> None:
    for col in columns:
        check.rows(t, _is_null(t.get(col)), col, Message("ds.empty", column=col),
                   hint=Message("ds.hint.fill", column=col))


def _ids(t: _Table, check: _Checker, col: str = "id", *, what: str | None = None,
         hint: str = Message("ds.hint.unique")) -> None:
    """Report each row whose ``col`` repeats an earlier row's (``what`` names the value in the message)."""
    arr = t.get(col)
    encoded = pc.dictionary_encode(pc.fill_null(arr, ""))
    if len(encoded.dictionary) == len(arr):  # as many distinct values as rows: no repeat to find
        return
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    _, first = np.unique(codes, return_index=True)
    dup = np.flatnonzero((first[codes] != np.arange(len(codes))) & ~_is_null(arr))
    named = Message(f"ds.what.{what or col}")
    rule = Message("ds.rule.duplicate", what=named)
    for i in dup[:MAX_PER_RULE].tolist():
        j = int(first[codes[i]])
        check.add(t.file, int(t.lines[i]), Message("ds.duplicate", what=named, value=arr[i].as_py(),
                                                   first=int(t.lines[j])), column=col, hint=hint, rule=rule)
    if len(dup) > MAX_PER_RULE:
        check.more(t.file, rule, len(dup) - MAX_PER_RULE, int(t.lines[dup[MAX_PER_RULE]]))


def _number(t: _Table, check: _Checker, col: str, *, lo: float | None = 0.0, hi: float | None = None,
            integer: bool = False) -> pa.Array:
    raw = t.get(col)
    if raw.null_count == len(raw):
        return pa.nulls(len(raw), pa.int64() if integer else pa.float64())
    values = _plain_numbers(raw)
    if values is not None:
        valid = ~_is_null(raw)
    else:
        values, valid = _numbers(t, check, col, raw)
    if lo is not None:
        check.rows(t, valid & (values < lo), col, Message("ds.below", column=col, lo=f"{lo:g}"),
                   hint=Message("ds.hint.below", column=col, lo=f"{lo:g}"))
    if hi is not None:
        check.rows(t, valid & (values > hi), col, Message("ds.above", column=col, hi=f"{hi:g}"),
                   hint=Message("ds.hint.above", column=col, hi=f"{hi:g}"))
    if integer:
        huge = valid & (np.abs(np.where(valid, values, 0)) >= 2.0 ** 63)
        check.rows(t, huge, col, Message("ds.huge", column=col), hint=Message("ds.hint.digits_unit"))
        valid &= ~huge
        frac = valid & (values != np.floor(values))
        check.rows(t, frac, col, Message("ds.not_whole", column=col), hint=Message("ds.hint.whole"))
        return pa.array(np.where(valid, values, 0).astype(np.int64), mask=~valid)
    return pa.array(values, mask=~valid)


def _plain_numbers(raw: pa.Array) -> np.ndarray | None:
    """Values of a column of plain ASCII numbers (``1200``, ``-3.5``, ``1e6``), or ``None`` for anything else.

    Most columns are plain, and one cast reads them; the rest take the slow path in :func:`_numbers`.
    Arrow's cast refuses thousands separators and underscores (``1,200``, ``1_000``), which the slow path
    reads (``tests/test_datasets_fast.py`` pins it).
    """
    if not pc.all(pc.string_is_ascii(raw)).as_py():
        return None
    try:
        values = np.asarray(pc.cast(raw, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    except pa.ArrowInvalid:
        return None
    # The cast also reads nan and inf, which are not numbers a dataset should hold.
    if not np.isfinite(values[~_is_null(raw)]).all():
        return None
    return values


def _numbers(t: _Table, check: _Checker, col: str, raw: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Values and valid-mask of a column that is not plain: full-width, separators, 万/亿, errors."""
    s = pc.utf8_normalize(pc.fill_null(raw, ""), "NFKC")
    s = pc.replace_substring_regex(s, r"[,_\s]", "")
    mult = np.ones(len(s))
    for suffix, factor in _MULTIPLIERS.items():
        has = np.asarray(pc.ends_with(s, suffix).to_numpy(zero_copy_only=False), dtype=bool)
        if has.any():
            mult[has] = factor
            s = pc.if_else(pa.array(has), pc.utf8_slice_codeunits(s, 0, -1), s)
    empty = np.asarray(pc.equal(s, "").to_numpy(zero_copy_only=False), dtype=bool)
    ok = np.asarray(pc.match_substring_regex(s, _NUMBER_RE).to_numpy(zero_copy_only=False), dtype=bool)
    check.rows(t, ~empty & ~ok, col, Message("ds.not_number", column=col), hint=Message("ds.hint.digits"))
    good = pc.if_else(pa.array(ok), s, pa.scalar(None, pa.string()))
    values = np.asarray(pc.cast(good, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64) * mult
    huge = ok & np.isinf(values)
    check.rows(t, huge, col, Message("ds.huge", column=col), hint=Message("ds.hint.digits_unit"))
    valid = ok & ~np.isnan(values) & ~huge
    return values, valid


def _boolean(t: _Table, check: _Checker, col: str, *, default: bool | None) -> pa.Array:
    raw = t.get(col)
    s = pc.utf8_lower(pc.utf8_normalize(pc.fill_null(raw, ""), "NFKC"))
    is_true = np.asarray(pc.is_in(s, pa.array(TRUE)).to_numpy(zero_copy_only=False), dtype=bool)
    is_false = np.asarray(pc.is_in(s, pa.array(FALSE)).to_numpy(zero_copy_only=False), dtype=bool)
    empty = _is_null(raw)
    check.rows(t, ~empty & ~is_true & ~is_false, col, Message("ds.not_bool", column=col),
               hint=Message("ds.hint.bool"))
    if default is None:
        return pa.array(is_true, mask=~(is_true | is_false))
    return pa.array(np.where(is_true | is_false, is_true, default))


def _ref(t: _Table, check: _Checker, col: str, known: pa.Array | None, what: str, hint: str,
         values: pa.Array | None = None) -> None:
    """Report the cells of ``col`` not in ``known``: ``what`` names them (``ds.what.*``), ``hint`` is a
    ``ds.hint.*`` key."""
    if known is None:
        return
    arr = t.get(col) if values is None else values
    if len(known) > 4 * len(arr):
        # 50,000 projects' firms among a million firm ids: hash the few and keep the ids they name, rather
        # than hash the million for every column that refers to them
        known = known.filter(pc.is_in(known, value_set=arr))
    bad = ~np.asarray(pc.is_in(arr, known).to_numpy(zero_copy_only=False), dtype=bool) & ~_is_null(arr)
    check.rows(t, bad, col, Message("ds.unknown", what=Message(f"ds.what.{what}")), hint=Message(f"ds.hint.{hint}"),
               values=arr)


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (0 for a plain value), without recursing.

    Examples
    --------
    >>> _depth(1), _depth([1, {"a": [2]}]), _depth({})
    (0, 3, 1)
    """
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            deepest = max(deepest, d + 1)
            if d + 1 <= MAX_TOML_DEPTH:
                stack.extend((x, d + 1) for x in v)
    return deepest


def _toml(path: Path, file: str, check: _Checker) -> dict[str, Any]:
    try:
        raw = read_file(path, file=file, max_size=MAX_TOML_SIZE, missing_hint=Message("ds.hint.toml_needed"))
    except DatasetError as exc:
        check.add(file, 0, _message(exc.problem.message), hint=exc.problem.hint)
        return {}
    assert raw is not None
    deep = Message("ds.toml_deep", depth=MAX_TOML_DEPTH)
    flat = Message("ds.hint.toml_flat")
    try:
        meta = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        check.add(file, 0, Message("ds.toml_not_utf8"), hint=Message("ds.hint.save_as_utf8"))
        return {}
    except RecursionError:  # tomllib recurses once per level of nesting
        check.add(file, 0, deep, hint=flat)
        return {}
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        line = 0
        if "line " in text:
            try:
                line = int(text.split("line ")[1].split(",")[0].rstrip(")"))
            except ValueError:
                line = 0
        check.add(file, line, Message("ds.toml_parse", reason=text), hint=Message("ds.hint.toml_syntax"))
        return {}
    if max(map(_depth, meta.values()), default=0) > MAX_TOML_DEPTH:
        check.add(file, 0, deep, hint=flat)
        return {}
    for key in ("name", "home_region"):
        if key not in meta or meta[key] == "":
            check.add(file, 0, Message("ds.toml_missing", key=key), hint=Message("ds.hint.toml_add", key=key))
    for key in ("name", "title", "description", "licence", "home_region", "currency"):
        if key in meta and not isinstance(meta[key], str):
            check.add(file, 0, Message("ds.toml_not_text", key=key, value=repr(meta[key])),
                      hint=Message("ds.hint.toml_quote", key=key))
    for key, value in meta.items():
        texts = value if isinstance(value, list) else [value]
        control = _CONTROL_IN_TEXT if key == "description" else _CONTROL
        if any(isinstance(v, str) and re.search(control, v) for v in texts):
            check.add(file, 0, Message("ds.toml_control", key=key, value=repr(value)),
                      hint=Message("ds.hint.delete_it"))
    sources = meta.get("sources", [])
    if isinstance(sources, str):
        meta["sources"] = [sources]
    elif not isinstance(sources, list) or not all(isinstance(x, str) for x in sources):
        check.add(file, 0, Message("ds.toml_sources", value=repr(sources)), hint=Message("ds.hint.toml_sources"))
    meta.setdefault("currency", "CNY")
    return meta


def read_dataset(path: str | Path, *, encoding: str | None = None, progress: Any = None,
                 replace: dict[str, bytes] | None = None, max_file_size: int = MAX_FILE_SIZE) -> Dataset:
    """Read and validate a dataset folder.

    Parameters
    ----------
    path
        The dataset folder.
    encoding
        Encoding of every CSV file; detected per file when ``None``
        (UTF-8, UTF-8 with BOM, then GB18030, which covers GBK).
    progress
        ``progress(done, total)`` called after each file.
    replace
        File name to bytes read instead of that file (to validate an edit before writing it).
    max_file_size
        Largest CSV file read, in bytes (:data:`MAX_FILE_SIZE`, 2 GiB, by default). Only
        regular files are read: a named pipe, a device or a folder in place of a file is a
        problem like any other.

    Returns
    -------
    dataset
        The validated :class:`Dataset`.

    Raises
    ------
    DatasetErrors
        Listing every problem found, as ``FILE:LINE: message (hint)``.
    """
    folder = Path(path)
    _check_folder(folder)
    check = _Checker()
    total = len(FILES) + 1
    meta = _toml(folder / "dataset.toml", str(folder / "dataset.toml"), check)
    tables: dict[str, _Table | None] = {}
    for i, (name, (needed, req, opt)) in enumerate(FILES.items(), start=1):
        file = str(folder / name)
        tables[name] = None
        raw = (replace or {}).get(name)
        try:
            if raw is None:
                raw = read_file(folder / name, file=file, max_size=max_file_size, missing_ok=not needed,
                                missing_hint=Message("ds.hint.columns", columns=",".join(req + opt)))
        except DatasetError as exc:
            check.add(file, 0, _message(exc.problem.message), hint=exc.problem.hint)
        else:
            if raw is not None:
                box = [raw]
                del raw
                tables[name] = _read_csv(box, file, req + opt, req, encoding, check)
                _release_memory()
        if progress:
            progress(i, total)
    result = _check(folder, meta, tables, check)
    del tables
    _release_memory()
    if progress:
        progress(total, total)
    problems = check.summary()
    if problems or result is None:
        raise DatasetErrors(problems or [Problem(str(folder), 0, "", Message("ds.unreadable"))])
    return result


@functools.cache
def _libc() -> Any:
    """glibc, for ``malloc_trim`` (``None`` elsewhere); loaded on the first cold read, not at import: every
    warm command imports this module."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 (glibc only)
        return libc
    except (OSError, AttributeError):
        return None


def _release_memory() -> None:
    """Hand the memory Arrow's pool freed back to the system: reading a big file frees as much as it keeps
    (the bytes, the columns before trimming), and the pool would hold on to it for the next allocation, so
    that the peak of a cold load counted it twice (issue 17 §2: 0.1-0.2 GB at a million firms)."""
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def _check_folder(folder: Path) -> None:
    """Raise :class:`DatasetErrors` unless ``folder`` is a folder."""
    msg: Message | None
    try:
        msg = None if stat.S_ISDIR(os.stat(folder).st_mode) else Message("ds.not_folder")
    except (FileNotFoundError, NotADirectoryError):
        msg = Message("ds.no_folder")
    except PermissionError:
        msg = Message("ds.permission")
    except OSError as exc:
        msg = Message("ds.cannot_read", reason=exc.strerror or str(exc))
    if msg:
        raise DatasetErrors([Problem(str(folder), 0, "", msg, Message("ds.hint.folder"))])


def _small(t: _Table | None, cols: tuple[str, ...]) -> list[dict[str, Any]]:
    if t is None:
        return []
    rows: list[dict[str, Any]] = pa.table({c: t.get(c) for c in cols}).to_pylist()
    return rows


def _known(t: _Table | None) -> pa.Array | None:
    """The ids of a table, for checking references into it.

    References into a file that could not be read in full are not checked: its
    own problem is already reported, and every reference into it would look unknown.
    """
    return None if t is None or t.partial else t.get("id")


def _region_cycles(R: _Table, regions: list[Region], check: _Checker) -> None:
    """Report each cycle of the region tree once, in one pass (each region is walked once)."""
    parent = {r.id: r.parent for r in regions}
    line_of = {r.id: int(line) for r, line in zip(regions, R.lines)}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node):]
            check.add(R.file, line_of[node], Message("ds.region_cycle", cycle=" > ".join(cycle + [node])),
                      column="parent", hint=Message("ds.hint.region_cycle"))
        for n in path:
            state[n] = 2


def _check_regions(R: _Table, check: _Checker, folder: Path, meta: dict[str, Any]) -> list[Region]:
    _required(R, check, ("id", "name"))
    _ids(R, check)
    _ref(R, check, "parent", _known(R), "parent_region", "region_or_empty")
    lat = _number(R, check, "lat", lo=-90, hi=90)
    lon = _number(R, check, "lon", lo=-180, hi=180)
    level = _canonical_values(R.get("level"), "county")
    bad_level = ~np.asarray(pc.is_in(level, pa.array(LEVELS)).to_numpy(zero_copy_only=False), dtype=bool)
    check.rows(R, bad_level, "level", Message("ds.unknown_level"),
               hint=Message("ds.hint.use_one_of", choices=list(LEVELS)))
    regions = [Region(row["id"] or "", row["name"] or "", row["name_en"] or "", row["parent"], lv, la, lo_)
               for row, la, lo_, lv in zip(_small(R, ("id", "name", "name_en", "parent")), lat.to_pylist(),
                                           lon.to_pylist(), level.to_pylist())]
    _region_cycles(R, regions, check)
    home = meta.get("home_region")
    if isinstance(home, str) and home and home not in {r.id for r in regions} and not R.partial:
        check.add(str(folder / "dataset.toml"), 0, Message("ds.home_region", value=home),
                  hint=Message("ds.hint.from_regions"))
    return regions


def _check_chains(C: _Table, check: _Checker) -> list[Chain]:
    _required(C, check, ("id", "name"))
    _ids(C, check)
    return [Chain(r["id"] or "", r["name"] or "", r["name_en"] or "") for r in _small(C, ("id", "name", "name_en"))]


def _check_segments(S: _Table, check: _Checker, chain_ids: pa.Array | None) -> list[Segment]:
    _required(S, check, ("id", "chain", "name"))
    _ids(S, check)
    _ref(S, check, "chain", chain_ids, "chain", "from_chains")
    stage = _canonical_values(S.get("stage"), "midstream")
    bad_stage = ~np.asarray(pc.is_in(stage, pa.array(STAGES)).to_numpy(zero_copy_only=False), dtype=bool)
    check.rows(S, bad_stage, "stage", Message("ds.unknown_stage"), hint=Message("ds.hint.stages"))
    return [Segment(r["id"] or "", r["chain"] or "", r["name"] or "", r["name_en"] or "", st)
            for r, st in zip(_small(S, ("id", "chain", "name", "name_en")), stage.to_pylist())]


def _check_segment_links(SL: _Table, check: _Checker, segment_ids: pa.Array | None) -> list[SegmentLink]:
    _required(SL, check, ("from", "to"))
    for col in ("from", "to"):
        _ref(SL, check, col, segment_ids, "segment", "from_segments")
    weight = _number(SL, check, "weight", lo=0, hi=1)
    same = np.asarray(pc.fill_null(pc.equal(SL.get("from"), SL.get("to")), False)
                      .to_numpy(zero_copy_only=False), dtype=bool)
    check.rows(SL, same, "to", Message("ds.feeds_itself"), hint=Message("ds.hint.delete_row"))
    pairs = pc.binary_join_element_wise(SL.get("from"), SL.get("to"), " -> ")
    _ids(_Table(SL.file, {"to": pairs}, SL.lines, []), check, "to", what="segment_link",
         hint=Message("ds.hint.one_row_per_pair"))
    return [SegmentLink(r["from"] or "", r["to"] or "", w)
            for r, w in zip(_small(SL, ("from", "to")), weight.to_pylist())]


def _firm_segments(F: _Table, check: _Checker, segment_ids: pa.Array | None) -> pa.ListArray:
    """The ``segments`` cell of every firm as a list of ids: split on ';' (or '；', ','), trimmed,
    each segment once, unknown ids reported."""
    seg_lists = pc.split_pattern_regex(pc.fill_null(pc.utf8_normalize(F.get("segments"), "NFKC"), ""),
                                       _SEGMENT_SPLIT)
    flat = pc.utf8_trim_whitespace(pc.list_flatten(seg_lists))
    parents = np.asarray(pc.list_parent_indices(seg_lists).to_numpy(zero_copy_only=False))
    keep = np.asarray(pc.not_equal(flat, "").to_numpy(zero_copy_only=False), dtype=bool)
    # A segment named twice in one cell ("cell;cell") counts once.
    codes = np.asarray(pc.dictionary_encode(flat).indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    firsts = np.unique(parents * (int(codes.max()) + 1 if len(codes) else 1) + codes, return_index=True)[1]
    first_seen = np.zeros(len(keep), dtype=bool)
    first_seen[firsts] = True
    keep &= first_seen
    flat_kept = flat.filter(pa.array(keep))
    parents = parents[keep]
    unknown = (np.zeros(len(flat_kept), dtype=bool) if segment_ids is None else
               ~np.asarray(pc.is_in(flat_kept, segment_ids).to_numpy(zero_copy_only=False), dtype=bool))
    if unknown.any():
        rows_t = _Table(F.file, {"segments": flat_kept}, F.lines[parents], [])
        check.rows(rows_t, unknown, "segments", Message("ds.unknown", what=Message("ds.what.segment")),
                   hint=Message("ds.hint.segment_ids"))
    offsets = np.zeros(len(F) + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents, minlength=len(F)), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), flat_kept)


def _check_firms(F: _Table, check: _Checker, region_ids: pa.Array | None,
                 segment_ids: pa.Array | None) -> pa.Table:
    _required(F, check, ("id", "name", "region"))
    _ids(F, check)
    _ref(F, check, "region", region_ids, "region", "from_regions")
    firm_cols = {
        "id": F.get("id"), "name": F.get("name"), "name_en": F.get("name_en"), "region": F.get("region"),
        "segments": _firm_segments(F, check, segment_ids),
        "anchor": _boolean(F, check, "anchor", default=False),
        "output_value": _number(F, check, "output_value"),
        "employees": _number(F, check, "employees", integer=True),
        "listed": _boolean(F, check, "listed", default=None),
        "credit_code": F.get("credit_code"),
        "lat": _number(F, check, "lat", lo=-90, hi=90),
        "lon": _number(F, check, "lon", lo=-180, hi=180),
        "source": F.get("source"),
        "extra": _extra_json(F),
        "aliases": _aliases(F),
        "parent": F.get("parent"),
    }
    _parents(F, check)
    F.let_go("segments", "anchor", "output_value", "employees", "listed", "lat", "lon", "aliases", *F.extra)
    return pa.table(firm_cols, schema=FIRM_SCHEMA)


def _aliases(F: _Table) -> pa.ListArray:
    """The ``aliases`` cell of every firm as a list: split on ';' (or '；', '|'), trimmed, empties dropped.

    Commas do not split, since English names hold them ("Co., Ltd.").
    """
    lists = pc.split_pattern_regex(pc.fill_null(F.get("aliases"), ""), r"[;；|]")
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parents = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))
    keep = np.asarray(pc.not_equal(flat, "").to_numpy(zero_copy_only=False), dtype=bool)
    offsets = np.zeros(len(F) + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents[keep], minlength=len(F)), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), flat.filter(pa.array(keep)))


def _parents(F: _Table, check: _Checker) -> None:
    """``parent`` must be another firm's id, and the parent chains must not loop."""
    parent = F.get("parent")
    if parent.null_count == len(parent):
        return
    _ref(F, check, "parent", None if F.partial else F.get("id"), "parent_firm", "parent_firm")
    same = np.asarray(pc.fill_null(pc.equal(parent, F.get("id")), False).to_numpy(zero_copy_only=False), bool)
    check.rows(F, same, "parent", Message("ds.own_parent"), hint=Message("ds.hint.top_parent"))
    of = {i: p for i, p in zip(F.get("id").to_pylist(), parent.to_pylist()) if i is not None and p and p != i}
    line = {i: int(n) for i, n in zip(F.get("id").to_pylist(), F.lines) if i is not None}
    done: set[str] = set()
    for start in sorted(of):
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path.append(node)
            node = of.get(node)
        if node is not None and node in path:
            cycle = path[path.index(node):]
            check.add(F.file, line.get(node, 0), Message("ds.parent_cycle", cycle=" > ".join(cycle + [node])),
                      column="parent", hint=Message("ds.hint.parent_cycle"))
        done.update(path)


def _check_links(L: _Table, check: _Checker, firm_ids: pa.Array | None,
                 segment_ids: pa.Array | None) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """The links table, and each link's supplier and customer row among ``firm_ids`` (see
    :attr:`Dataset.link_rows`; empty when the firms are not known)."""
    _required(L, check, ("supplier", "customer"))
    segment = pc.fill_null(L.get("segment"), "")
    rows = _link_checks(L, check, firm_ids, segment_ids, segment)
    # each column as read is let go once converted: five million cells of text each (peak memory, issue 17 §2)
    evidence = _evidence(L, check)
    L.let_go("evidence")
    confidence = _number(L, check, "confidence", lo=0, hi=1)
    L.let_go("confidence")
    if confidence.null_count:  # the default of each link's evidence kind where none is given
        default = pa.array(list(EVIDENCE_CONFIDENCE), pa.string())
        defaults = pa.array(list(EVIDENCE_CONFIDENCE.values()), pa.float64()).take(
            pc.fill_null(pc.index_in(evidence, value_set=default), 0))
        confidence = pc.if_else(pc.is_valid(confidence), confidence, defaults)
        del defaults
    value = _number(L, check, "value")
    L.let_go("value", "segment")
    table = pa.table({
        "supplier": L.get("supplier"), "customer": L.get("customer"), "segment": segment,
        "product": L.get("product"), "value": value, "source": L.get("source"),
        "confidence": confidence, "evidence": evidence,
    }, schema=LINK_SCHEMA)
    return table, rows


def _evidence(L: _Table, check: _Checker) -> pa.Array:
    """Each link's evidence kind: as given (English or Chinese), else ``illustrative`` when its source
    says so (:data:`~chaingraph.model.ILLUSTRATIVE_SOURCES`), ``reported`` when it cites a source,
    ``unknown`` without one."""
    if L.get("source").null_count == len(L):
        # no link cites a source: one text for all, its bytes made at once (five million if_else rows took 0.5 s)
        derived = pa.Array.from_buffers(pa.string(), len(L), [
            None, pa.py_buffer(np.arange(0, 7 * len(L) + 1, 7, dtype=np.int32)), pa.py_buffer(b"unknown" * len(L))])
    else:
        source = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(L.get("source"), "")))
        made_up = pc.starts_with(source, ILLUSTRATIVE_SOURCES[0])
        for marker in ILLUSTRATIVE_SOURCES[1:]:
            made_up = pc.or_(made_up, pc.starts_with(source, marker))
        derived = pc.if_else(made_up, "illustrative", pc.if_else(pc.equal(source, ""), "unknown", "reported"))
    raw = L.get("evidence")
    if raw.null_count == len(raw):
        return derived
    given = _canonical_values(raw, "")
    bad = np.asarray(pc.invert(pc.is_in(given, pa.array(EVIDENCE_KINDS + ("",)))).to_numpy(
        zero_copy_only=False), dtype=bool)
    check.rows(L, bad, "evidence", Message("ds.unknown", what=Message("ds.what.evidence")),
               hint=Message("ds.hint.evidence", choices=list(EVIDENCE_KINDS)))
    return pc.if_else(pc.is_valid(raw), given, derived)


def _check(folder: Path, meta: dict[str, Any], tables: dict[str, _Table | None],
           check: _Checker) -> Dataset | None:
    """Check every file (one checker each) and build the dataset, or ``None`` when anything is wrong."""
    R, C, S, SL, F, L, P = (tables[n] for n in FILES)
    for t in tables.values():
        if t is not None:
            _controls(t, check)
    regions = _check_regions(R, check, folder, meta) if R is not None else []
    chains = _check_chains(C, check) if C is not None else []
    segments = _check_segments(S, check, _known(C)) if S is not None else []
    segment_links = _check_segment_links(SL, check, _known(S)) if SL is not None else []
    links_check = _Checker()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # links.csv is checked on the second core (its checks are Arrow and numpy calls, which release the
        # GIL) while the firms and projects are checked here; its problems are listed where they were
        pending = pool.submit(_check_links, L, links_check, _known(F), _known(S)) if L is not None else None
        firms_table = _check_firms(F, check, _known(R), _known(S)) if F is not None else None
        at = len(check.problems)
        _cross_kind_ids(check, folder, {"region": R, "chain": C, "segment": S, "firm": F})
        projects = _check_projects(P, check, _known(F), _known(R), segments if S is not None and not S.partial
                                   else None, _known(C)) if P is not None else []
        links_table, link_rows = pending.result() if pending is not None else (None, {})
    check.absorb(links_check, at=at)
    _check_plan_settings(folder, meta, regions if R is not None and not R.partial else None,
                         chains if C is not None and not C.partial else None, check)
    if check.problems or any(tables[n] is None and FILES[n][0] for n in FILES) or not meta:
        return None
    return Dataset(
        path=folder, meta=meta, regions=regions, chains=chains, segments=segments,
        segment_links=segment_links,
        firms=firms_table if firms_table is not None else FIRM_SCHEMA.empty_table(),
        links=links_table if links_table is not None else LINK_SCHEMA.empty_table(),
        extra_columns=list(F.extra) if F is not None else [],
        projects=projects,
        lines={n: t.lines for n, t in tables.items() if t is not None},
        skipped={n: t.skipped for n, t in tables.items() if t is not None and t.skipped},
        link_rows=link_rows,
    )


def _controls(t: _Table, check: _Checker) -> None:
    """Report every cell holding a C0 control character or DEL (tab and line ends are fine in free text).

    Spreadsheets refuse these characters, Bolt cuts a string at NUL and a terminal obeys
    escape sequences, so no name, id or text cell may hold one.
    """
    for col, arr in t.columns.items() if t.controls else ():
        if arr.null_count == len(arr):
            continue
        pattern = _CONTROL_IN_TEXT if col in FREE_TEXT or col in t.extra else _CONTROL
        bad = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
        if pc.any(bad).as_py():
            check.rows(t, bad, col, Message("ds.cell_control", column=col), hint=Message("ds.hint.no_control"))


def _extra_json(F: _Table) -> pa.Array:
    """Each row's extra cells as a JSON object (keys sorted), or null when it has none.

    Built column-wise: the same text ``json.dumps(cells, ensure_ascii=False, sort_keys=True)`` gives,
    without a Python loop over a million rows.
    """
    if not F.extra:
        return pa.nulls(len(F), pa.string())
    rare_control = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
    parts = []
    for col in sorted(F.extra):
        value = F.get(col)
        if value.null_count == len(value):
            continue
        if pc.any(pc.match_substring_regex(value, rare_control)).as_py():
            return _extra_json_slowly(F)
        for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            value = pc.replace_substring(value, char, escaped)
        # ', "key": "value"' per cell, "" for an empty one; the rows' parts are concatenated below
        # (binary_join_element_wise with null_handling="skip" drops rows in pyarrow 26, so no nulls go in).
        key = ', ' + json.dumps(col, ensure_ascii=False) + ': "'
        parts.append(pc.fill_null(pc.binary_join_element_wise(key, value, '"', ""), ""))
    if not parts:
        return pa.nulls(len(F), pa.string())
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "")
    wrapped = pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(joined, 2), "}", "")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), wrapped)


def _extra_json_slowly(F: _Table) -> pa.Array:
    cols = {c: F.get(c).to_pylist() for c in F.extra}
    out: list[str | None] = []
    for i in range(len(F)):
        cells = {c: cols[c][i] for c in F.extra if cols[c][i] is not None}
        out.append(json.dumps(cells, ensure_ascii=False, sort_keys=True) if cells else None)
    return pa.array(out, pa.string())


def _known_codes(dictionary: pa.Array, codes: np.ndarray, known: pa.Array) -> np.ndarray:
    """For dictionary ``codes``, whether each value is in ``known`` (looked up once per distinct value)."""
    found: np.ndarray = np.asarray(pc.is_in(dictionary, known).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(found[codes], dtype=bool)


def _short_keys(arr: pa.Array) -> np.ndarray | None:
    """Each string of ``arr`` as a ``uint64`` holding its bytes (zero-padded; 0 for a null), or ``None``
    when a string is longer than 8 bytes or the strings hold a NUL byte.

    Two strings then have the same key exactly when they are equal, and Arrow hashes five million
    integer keys about twice as fast as the strings they stand for (issue 17 §2): ids such as
    ``F0092588`` or ``600519`` fit.

    Examples
    --------
    >>> keys = _short_keys(pa.array(["ab", None, "ab", "abc"]))
    >>> bool(keys[0] == keys[2]), bool(keys[0] != keys[3]), int(keys[1])
    (True, True, 0)
    >>> _short_keys(pa.array(["a string of more than 8 bytes"])) is None
    True
    """
    n = len(arr)
    _, offsets_buf, data_buf = arr.buffers()
    if not n or data_buf is None:
        return np.zeros(n, dtype=np.uint64)
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    lengths = np.diff(offsets)
    if arr.null_count:
        lengths = np.where(_is_null(arr), 0, lengths)
    if int(lengths.max()) > 8:
        return None
    data = np.frombuffer(data_buf, dtype=np.uint8, count=int(offsets[-1] - offsets[0]), offset=int(offsets[0]))
    if not data.all():  # a NUL byte would make "a" and "a\0" one key
        return None
    width = int(lengths[0])
    out = np.zeros((n, 8), dtype=np.uint8)
    if not arr.null_count and len(data) == n * width:  # every id as long as the first: the bytes are a matrix
        out[:, :width] = data.reshape(n, width)
    else:
        padded = np.concatenate([data, np.zeros(8, dtype=np.uint8)])
        cols = np.arange(8)
        pos = (offsets[:-1] - offsets[0])[:, None] + cols
        np.copyto(out, padded[np.minimum(pos, len(data))], where=cols < lengths[:, None])
    keys: np.ndarray = out.view(np.uint64).ravel()
    return keys


def _end_codes(supplier: pa.Array, customer: pa.Array, firm_ids: pa.Array | None
               ) -> tuple[np.ndarray, np.ndarray, int, np.ndarray | None, np.ndarray | None]:
    """Codes of each link's supplier and customer (equal codes for equal ids, from -1 to the number of codes
    less one; nulls all one code), the number of codes, and each end's row among ``firm_ids`` (-1: unknown
    or null; ``None`` without ``firm_ids``)."""
    n = len(supplier)
    s_null, c_null = _is_null(supplier), _is_null(customer)
    s_key, c_key = _short_keys(supplier), _short_keys(customer)
    f_key = _short_keys(firm_ids) if firm_ids is not None else None
    if firm_ids is not None and s_key is not None and c_key is not None and f_key is not None:
        f_keys = pa.array(f_key, mask=_is_null(firm_ids) if firm_ids.null_count else None)
        rows = []
        for k, null in ((s_key, s_null), (c_key, c_null)):
            found = pc.fill_null(pc.index_in(pa.array(k), f_keys), -1).to_numpy().astype(np.int64)
            found[null] = -1
            rows.append(found)
        if ((rows[0] >= 0) | s_null).all() and ((rows[1] >= 0) | c_null).all():
            # every end is a firm: its row is its code (-1 for a null)
            return rows[0], rows[1], len(firm_ids), rows[0], rows[1]
        both: np.ndarray = np.concatenate([s_key, c_key])
        codes = np.unique(both, return_inverse=True)[1].astype(np.int64).ravel()
        return codes[:n], codes[n:], int(codes.max()) + 1, rows[0], rows[1]
    ends = pc.dictionary_encode(pc.fill_null(pa.concat_arrays([supplier, customer]), ""))
    codes = np.asarray(ends.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    if firm_ids is None:
        return codes[:n], codes[n:], len(ends.dictionary), None, None
    # each distinct end looked up once among the firms
    where = np.asarray(pc.fill_null(pc.index_in(ends.dictionary, firm_ids), -1).to_numpy(), dtype=np.int64)
    return (codes[:n], codes[n:], len(ends.dictionary), np.where(s_null, -1, where[codes[:n]]),
            np.where(c_null, -1, where[codes[n:]]))


def _link_checks(L: _Table, check: _Checker, firm_ids: pa.Array | None, segment_ids: pa.Array | None,
                 segment: pa.Array) -> dict[str, np.ndarray]:
    """Unknown firms and segments, self links and duplicate links of links.csv; returns each link's
    supplier and customer row among ``firm_ids`` (-1: unknown), or ``{}`` without ``firm_ids``.

    Each end gets an integer code once (:func:`_end_codes`); every check then works on the codes,
    because links.csv is the biggest file by far.
    """
    n = len(L)
    rows: dict[str, np.ndarray] = {}
    if not n:
        return rows
    supplier, customer = L.get("supplier"), L.get("customer")
    s, c, n_f, sup_rows, cus_rows = _end_codes(supplier, customer, firm_ids)
    s_null, c_null = _is_null(supplier), _is_null(customer)
    if sup_rows is not None and cus_rows is not None:
        # the rows, which the store's index reuses
        rows = {"supplier": sup_rows, "customer": cus_rows}
        hint, unknown = Message("ds.hint.from_firms"), Message("ds.unknown", what=Message("ds.what.firm"))
        check.rows(L, (sup_rows < 0) & ~s_null, "supplier", unknown, hint=hint)
        check.rows(L, (cus_rows < 0) & ~c_null, "customer", unknown, hint=hint)
    valid = ~s_null & ~c_null
    check.rows(L, valid & (s == c), "customer", Message("ds.supplies_itself"), hint=Message("ds.hint.delete_row"))
    segs = pc.dictionary_encode(segment)
    g = segs.indices.to_numpy(zero_copy_only=False)
    if segment_ids is not None:
        known_seg = _known_codes(segs.dictionary, g, pa.concat_arrays([segment_ids, pa.array([""])]))
        check.rows(L, ~known_seg, "segment", Message("ds.unknown", what=Message("ds.what.segment")),
                   hint=Message("ds.hint.segment_or_empty"))
    n_g = len(segs.dictionary)
    n_f += 1  # codes start at -1
    key = s + 1  # the key of (supplier, customer, segment), built in place
    key *= n_f
    key += c
    key += 1
    if n_f * n_f * n_g >= 2 ** 62:  # keep the key inside int64 for huge dictionaries
        key = np.unique(key, return_inverse=True)[1].astype(np.int64).ravel()
    key *= n_g
    key += g
    del g
    # Links usually come grouped by supplier, then customer: keys already increasing need no sort. Otherwise
    # sorting finds whether there is any duplicate; only then find which rows and their first lines.
    kept = key if valid.all() else key[valid]
    if (kept[1:] > kept[:-1]).all() or not (np.diff(np.sort(kept)) == 0).any():
        return rows
    del kept
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    dup = (first[inverse] != np.arange(len(key))) & valid
    for i in np.flatnonzero(dup)[:MAX_PER_RULE].tolist():
        j = int(first[inverse[i]])
        seg = segment[i].as_py()
        msg = Message("ds.duplicate_link.segment" if seg else "ds.duplicate_link", supplier=supplier[i].as_py(),
                      customer=customer[i].as_py(), segment=seg, first=int(L.lines[j]))
        check.add(L.file, int(L.lines[i]), msg, hint=Message("ds.hint.merge_links"),
                  rule=Message("ds.rule.duplicate_link"))
    rest = np.flatnonzero(dup)[MAX_PER_RULE:]
    if len(rest):
        check.more(L.file, Message("ds.rule.duplicate_link"), len(rest), int(L.lines[rest[0]]))
    return rows


def _cross_kind_ids(check: _Checker, folder: Path, tables: dict[str, _Table | None]) -> None:
    kinds = [(k, t) for k, t in tables.items() if t is not None]
    for i, (kind_a, a) in enumerate(kinds):
        for kind_b, b in kinds[i + 1:]:
            small, big = (a, b) if len(a) <= len(b) else (b, a)
            # Look the big table up in the small one (hashing a million firm ids is the slow part),
            # then report the few clashes on the small table's rows.
            in_small = pc.is_in(big.get("id"), small.get("id"))
            shared = pc.drop_null(big.get("id").filter(in_small))
            clash = np.asarray(pc.is_in(small.get("id"), shared).to_numpy(zero_copy_only=False),
                               dtype=bool) & ~_is_null(small.get("id"))
            other = kind_b if small is a else kind_a
            check.rows(small, clash, "id", Message("ds.cross_id", other=Message(f"ds.what.{other}")),
                       hint=Message("ds.hint.unique_across"))


# -- projects.csv and the [quotas] and [pipeline] tables of dataset.toml (issue 18) -------------------------

#: Keys of a ``[quotas.county]`` or ``[quotas.parks."ID"]`` table.
QUOTA_KEYS = ("signed", "signed_per_chain", "big_output_projects", "major_projects", "chain_firms")
_PROJECT_DATE_COLUMNS = (*PROJECT_STAGES, DROPPED)


def _project_stage(text: str | None) -> str | None:
    if text is None:
        return None
    folded = _fold(text)
    return PROJECT_STAGE_ALIASES.get(folded, folded)


def _project_row(P: _Table, i: int, cols: dict[str, list[Any]], money: dict[str, list[Any]],
                 seg_chain: dict[str, str] | None, check: _Checker) -> Project | None:
    """One project from row ``i``, its stage, segments and dates checked (references are checked
    column-wise by the caller); ``None`` when the row is unusable."""
    line = int(P.lines[i])
    stage = _project_stage(cols["stage"][i])
    ok = True
    if stage is not None and stage not in PROJECT_STAGE_ORDER and stage != DROPPED:
        check.add(P.file, line, Message("ds.unknown_stage", value=cols["stage"][i]), column="stage",
                  hint=Message("ds.hint.project_stages", choices=list(_PROJECT_DATE_COLUMNS)),
                  rule=Message("ds.unknown_stage", value=ELIDED))
        ok = False
    dates = {c: normalise_project_date(cols[c][i]) for c in _PROJECT_DATE_COLUMNS if cols[c][i] is not None}
    for column, key, values in project_date_problems(stage or "", dates) if ok else ():
        hint = Message("ds.hint.date" if key == "project.not_a_date" else "ds.hint.date_order")
        check.add(P.file, line, project_problem(key, values), column=column, hint=hint, rule=Message(key))
    chain = cols["chain"][i]
    segments = tuple(dict.fromkeys(x.strip() for x in _split_segments(cols["segments"][i]) if x.strip()))
    for seg in segments if seg_chain is not None else ():
        if seg_chain is None:
            break
        if seg not in seg_chain:
            unknown = Message("ds.unknown", what=Message("ds.what.segment"))
            check.add(P.file, line, unknown.with_values(value=seg), column="segments",
                      hint=Message("ds.hint.segment_ids"), rule=unknown.with_values(value=ELIDED))
        elif chain and seg_chain[seg] != chain:
            check.add(P.file, line, Message("ds.other_chain", segment=seg, chain=seg_chain[seg], given=chain),
                      column="segments", hint=Message("ds.hint.chain_or_segment"), rule=Message("ds.rule.other_chain"))
    if stage == DROPPED and not cols["drop_reason"][i]:
        check.add(P.file, line, Message("ds.drop_reason"), column="drop_reason",
                  hint=Message("ds.hint.drop_reason"))
    if not ok or stage is None or cols["id"][i] is None:
        return None
    return Project(
        id=cols["id"][i], name=cols["name"][i] or "", firm=cols["firm"][i] or "", chain=chain or "", stage=stage,
        segments=segments, anchor=cols["anchor"][i], park=cols["park"][i], dates=dates,
        drop_reason=cols["drop_reason"][i], investment=money["investment"][i],
        expected_output=money["expected_output"][i], owner=cols["owner"][i], source=cols["source"][i],
        note=cols["note"][i])


def project_problem(key: str, values: dict[str, str]) -> Message:
    """A problem of :func:`~chaingraph.model.project_date_problems` as a message, its stages named in the
    reader's language (the date columns keep their names)."""
    named: dict[str, object] = dict(values)
    for k in ("later", "earlier", "last", "stage"):
        if values.get(k) in _PROJECT_DATE_COLUMNS:
            named[k] = Message(f"pipeline.stage.{values[k]}")
    return Message(key, **named)


def _split_segments(cell: str | None) -> list[str]:
    import re

    return re.split(_SEGMENT_SPLIT, unicodedata.normalize("NFKC", cell)) if cell else []


def _check_projects(P: _Table, check: _Checker, firm_ids: pa.Array | None, region_ids: pa.Array | None,
                    segments: list[Segment] | None, chain_ids: pa.Array | None) -> list[Project]:
    """Check projects.csv (docs/dataset-format.md) and return its projects in file order."""
    _required(P, check, ("id", "name", "firm", "chain", "stage"))
    _ids(P, check)
    _ref(P, check, "firm", firm_ids, "firm", "project_firm")
    _ref(P, check, "anchor", firm_ids, "anchor_firm", "project_anchor")
    _ref(P, check, "park", region_ids, "region", "region_id")
    _ref(P, check, "chain", chain_ids, "chain", "from_chains")
    money = {c: _number(P, check, c).to_pylist() for c in ("investment", "expected_output")}
    cols = {c: P.get(c).to_pylist() for c in ("id", "name", "firm", "chain", "stage", "segments", "anchor",
                                              "park", "drop_reason", "owner", "source", "note",
                                              *_PROJECT_DATE_COLUMNS)}
    seg_chain = None if segments is None else {seg.id: seg.chain for seg in segments}
    stage_of, stage_codes = _distinct(P.get("stage"), _project_stage)
    stages = [stage_of[k] for k in stage_codes.tolist()]
    dates = {c: _distinct(P.get(c), normalise_project_date) for c in _PROJECT_DATE_COLUMNS}
    cells = _distinct(P.get("segments"), _segment_tuple)
    suspect = _suspect_projects(stages, dates, cells, _distinct(P.get("chain"), str), cols, seg_chain)
    day = {c: [values[k] for k in codes.tolist()] for c, (values, codes) in dates.items()}
    out = []
    # Only the rows that may hold a problem are checked one by one (in file order, so the problems are
    # listed as before); the others are made straight from the columns.
    for i, (pid, stage, k) in enumerate(zip(cols["id"], stages, cells[1].tolist())):
        if suspect[i]:
            project = _project_row(P, i, cols, money, seg_chain, check)
        elif stage is None or pid is None:
            continue
        else:
            project = Project(
                id=pid, name=cols["name"][i] or "", firm=cols["firm"][i] or "", chain=cols["chain"][i] or "",
                stage=stage, segments=cells[0][k] or (), anchor=cols["anchor"][i], park=cols["park"][i],
                dates={c: day[c][i] for c in _PROJECT_DATE_COLUMNS if day[c][i] is not None},
                drop_reason=cols["drop_reason"][i], investment=money["investment"][i],
                expected_output=money["expected_output"][i], owner=cols["owner"][i], source=cols["source"][i],
                note=cols["note"][i])
        if project is not None:
            out.append(project)
    return out


def _distinct(arr: pa.Array, fn: Any) -> tuple[list[Any], np.ndarray]:
    """``fn`` of each distinct value of ``arr`` (then ``None``, for the nulls) and each row's place in that list.

    Examples
    --------
    >>> _distinct(pa.array(["b", None, "b", "a"]), str.upper)
    (['B', 'A', None], array([0, 2, 0, 1]))
    """
    enc = pc.dictionary_encode(arr)
    values = [fn(v) for v in enc.dictionary.to_pylist()] + [None]
    codes = np.asarray(pc.fill_null(enc.indices, len(values) - 1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return values, codes


def _segment_tuple(cell: str) -> tuple[str, ...]:
    """The segments a project's ``segments`` cell names, trimmed, each once, in order."""
    return tuple(dict.fromkeys(x.strip() for x in _split_segments(cell) if x.strip()))


def _day_bounds(texts: list[str | None], codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a date column (``codes`` into its distinct normalised ``texts``): given?, first day and
    last day (ordinals; 0 where not a date)."""
    bounds = [parse_project_date(t) if t is not None else None for t in texts]
    first = np.array([b[0].toordinal() if b else 0 for b in bounds], dtype=np.int64)
    last = np.array([b[1].toordinal() if b else 0 for b in bounds], dtype=np.int64)
    return codes != len(texts) - 1, first[codes], last[codes]


def _suspect_projects(stages: list[str | None], dates: dict[str, tuple[list[str | None], np.ndarray]],
                      cells: tuple[list[tuple[str, ...] | None], np.ndarray],
                      chains: tuple[list[str | None], np.ndarray], cols: dict[str, list[Any]],
                      seg_chain: dict[str, str] | None) -> np.ndarray:
    """Rows of projects.csv that :func:`_project_row` may report something for, found column-wise: an
    unknown stage, a date that is not one or out of order (the rules of
    :func:`~chaingraph.model.project_date_problems`), an unknown or other chain's segment, a dropped
    project without a reason. Every row with a problem is in it; a few without may be too.

    ``dates``, ``cells`` (the segments) and ``chains`` give each distinct value and each row's place in that
    list (:func:`_distinct`)."""
    n = len(stages)
    stage_of = {s: PROJECT_STAGE_ORDER.get(s, -2 if s == DROPPED else -1) for s in set(stages) if s is not None}
    order = np.array([-3 if s is None else stage_of[s] for s in stages], dtype=np.int64)
    suspect = order == -1  # an unknown stage
    ok_dates = []
    latest = np.full(n, -1, dtype=np.int64)  # the order of the latest stage with a date
    for c in _PROJECT_DATE_COLUMNS:
        given, first, last = _day_bounds(*dates[c])
        valid = given & (first > 0)
        suspect |= given & ~valid
        ok_dates.append((valid, first, last))
    for i, (later, lf, ll) in enumerate(ok_dates[:len(PROJECT_STAGES)]):
        for earlier, ef, _ in ok_dates[:i]:
            suspect |= later & earlier & (ll < ef)
        latest = np.where(later, i, latest)
    dropped, _, dl = ok_dates[len(PROJECT_STAGES)]
    suspect |= dropped & (order != -2)
    for i, (valid, first, _) in enumerate(ok_dates[:len(PROJECT_STAGES)]):
        suspect |= dropped & (latest == i) & (dl < first)
    suspect |= (order >= 0) & (latest > order)
    suspect |= (order == -2) & np.array([not r for r in cols["drop_reason"]], dtype=bool)
    if seg_chain is not None:
        # each distinct (segments, chain) pair looked at once
        (tuples, cell_codes), (chain_names, chain_codes) = cells, chains
        pairs, inverse = np.unique(cell_codes * len(chain_names) + chain_codes, return_inverse=True)
        flagged = np.array([any(seg not in seg_chain or (chain and seg_chain[seg] != chain) for seg in cell)
                            if (cell := tuples[p // len(chain_names)]) else False
                            for p, chain in ((int(p), chain_names[int(p) % len(chain_names)]) for p in pairs)],
                           dtype=bool)
        suspect |= flagged[inverse.ravel()]
    result: np.ndarray = suspect
    return result


def _settings_problem(check: _Checker, folder: Path, message: Message, hint: Message) -> None:
    check.add(str(folder / "dataset.toml"), 0, message, hint=hint)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_plan_settings(folder: Path, meta: dict[str, Any], regions: list[Region] | None,
                         chains: list[Chain] | None, check: _Checker) -> None:
    """Check the optional ``[pipeline]`` and ``[quotas]`` tables of dataset.toml."""
    pipeline = meta.get("pipeline", {})
    if not isinstance(pipeline, dict):
        pipeline = {"pipeline": pipeline}
    for key, value in pipeline.items():
        if key not in PIPELINE_DEFAULTS:
            _settings_problem(check, folder, Message("ds.pipeline_key", key=key),
                              Message("ds.hint.use", choices=list(PIPELINE_DEFAULTS)))
        elif not _whole(value) or value == 0:
            _settings_problem(check, folder, Message("ds.pipeline_days", key=key, value=repr(value)),
                              Message("ds.hint.write_eg", example=f"{key} = {PIPELINE_DEFAULTS[key]}"))
    quotas = meta.get("quotas")
    if quotas is None:
        return
    if not isinstance(quotas, dict):
        _settings_problem(check, folder, Message("ds.quotas_table"), Message("ds.hint.quotas_table"))
        return
    for key, value in quotas.items():
        if key == "period":
            if not isinstance(value, str) or period_bounds(value) is None:
                _settings_problem(check, folder, Message("ds.quota_period", value=repr(value)),
                                  Message("ds.hint.quota_period"))
        elif key in ("big_output_min", "major_investment_min"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                _settings_problem(check, folder, Message("ds.quota_amount", key=key, value=repr(value)),
                                  Message("ds.hint.quota_amount", key=key))
        elif key == "county":
            _check_quota_scope(folder, "quotas.county", value, chains, check)
        elif key == "parks" and isinstance(value, dict):
            known = None if regions is None else {r.id for r in regions}
            for region, scope in value.items():
                if known is not None and region not in known:
                    _settings_problem(check, folder, Message("ds.quota_park", region=region),
                                      Message("ds.hint.region_id"))
                _check_quota_scope(folder, f"quotas.parks.{region}", scope, chains, check)
        elif key != "source":
            _settings_problem(check, folder, Message("ds.quotas_key", key=key),
                              Message("ds.hint.use", choices=["period", "source", "big_output_min",
                                                              "major_investment_min", "county", "parks"]))


def _check_quota_scope(folder: Path, where: str, scope: Any, chains: list[Chain] | None,
                       check: _Checker) -> None:
    if not isinstance(scope, dict):
        _settings_problem(check, folder, Message("ds.scope_table", where=where), Message("ds.hint.see_docs"))
        return
    known = None if chains is None else {c.id for c in chains}
    for key, value in scope.items():
        bad_chains: list[str] = []
        if key in ("signed", "big_output_projects", "major_projects"):
            ok = _whole(value)
        elif key == "signed_per_chain":
            ok = isinstance(value, dict) and all(_whole(v) for v in value.values())
            bad_chains = list(value) if ok else []
        elif key == "chain_firms":
            ok = isinstance(value, dict) and set(value) == {"chains", "min"} and _whole(value["min"]) \
                and isinstance(value["chains"], list) and all(isinstance(c, str) for c in value["chains"])
            bad_chains = list(value["chains"]) if ok else []
        else:
            _settings_problem(check, folder, Message("ds.quota_key", key=key, where=where),
                              Message("ds.hint.use", choices=list(QUOTA_KEYS)))
            continue
        if not ok:
            _settings_problem(check, folder, Message("ds.quota_value", where=where, key=key, value=repr(value)),
                              Message("ds.hint.quota_value"))
        for c in bad_chains:
            if known is not None and c not in known:
                _settings_problem(check, folder, Message("ds.quota_chain", where=where, key=key, chain=c),
                                  Message("ds.hint.chain_id"))


_STAGE_ZH = {"lead": "线索", "contacted": "接洽", "negotiating": "在谈", "signed": "签约", "registered": "注册",
             "construction": "开工", "producing": "投产", "dropped": "终止"}


def _records(text: str) -> list[tuple[list[str], int, int]]:
    """Each CSV record of ``text`` with the 0-based physical lines it spans, ``[start, end)``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    start = 0
    for row in reader:
        out.append((row, start, reader.line_num))
        start = reader.line_num
    return out


def _edit_project(text: str, file: str, project_id: str, stage: str, date: str | None,
                  reason: str | None) -> str:
    """``text`` of projects.csv with one row's stage, date and drop reason set; every other byte kept."""
    records = _records(text)
    if not records:
        raise DatasetError(file, 1, Message("ds.empty_file"), hint=Message("ds.hint.header_line"))
    names, _ = _column_names(records[0][0], FILES["projects.csv"][1] + FILES["projects.csv"][2],
                             FILES["projects.csv"][1], file, _Checker())
    if names is None:
        raise DatasetError(file, 1, Message("ds.projects_column"), hint=Message("ds.hint.validate"))
    pos = {n: i for i, n in enumerate(names)}
    wanted = {"stage": stage} | ({stage: date} if date else {}) | ({"drop_reason": reason} if reason else {})
    for col in wanted:
        if col not in pos:
            raise DatasetError(file, 1, Message("ds.projects_no_column", column=col),
                               hint=Message("ds.hint.projects_add_column", column=col))
    hits = [r for r in records[1:] if len(r[0]) > pos["id"] and r[0][pos["id"]].strip() == project_id]
    if not hits:
        raise DatasetError(file, 0, Message("ds.no_project", project=project_id), hint=Message("ds.hint.project_id"))
    row, start, end = hits[0]
    cells = list(row)
    old_stage = cells[pos["stage"]].strip()
    zh = any("\u4e00" <= ch <= "\u9fff" for ch in old_stage)
    wanted["stage"] = _STAGE_ZH[stage] if zh else stage
    for col, value in wanted.items():
        cells[pos[col]] = value
    lines = text.splitlines(keepends=True)
    last = lines[end - 1]
    newline = "\r\n" if last.endswith("\r\n") or "\r\n" in text else "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow(cells)
    new = out.getvalue() if last.endswith(("\n", "\r")) else out.getvalue()[: -len(newline)]
    return "".join(lines[:start]) + new + "".join(lines[end:])


def set_project_stage(folder: str | Path, project_id: str, *, stage: str, date: str | None = None,
                      reason: str | None = None, encoding: str | None = None) -> dict[str, Any]:
    """Set one project's stage (and that stage's date, or the drop reason) in ``projects.csv``.

    The edited file is validated with the rest of the dataset first; only then is it written, to a
    temporary file renamed over the old one, so a reader never sees half a file. The file keeps its
    encoding (UTF-8, UTF-8 with BOM or GB18030), line ends, columns and every other row byte for
    byte; Chinese stage cells stay Chinese. Setting what is already there changes nothing.

    Returns
    -------
    result
        ``{"project", "stage", "date", "changed", "path"}``.

    Raises
    ------
    DatasetErrors, DatasetError
        When the project, the column or the file is missing, or the edit would make the dataset
        invalid (e.g. a stage before a date already given); nothing is written then.
    """
    path = Path(folder) / "projects.csv"
    canonical = _project_stage(stage)
    if canonical not in PROJECT_STAGE_ORDER and canonical != DROPPED:
        raise DatasetError(str(path), 0, Message("ds.unknown_stage", value=stage),
                           hint=Message("ds.hint.use", choices=list(_PROJECT_DATE_COLUMNS)))
    day = normalise_project_date(date) if date else None
    raw = read_file(path, missing_hint=Message("ds.hint.projects_needed"))
    assert raw is not None
    data, enc = _decode(raw, str(path), encoding)
    text = _edit_project(data.decode("utf-8"), str(path), project_id, str(canonical), day, reason)
    new = text.encode("utf-8")
    if enc == "utf-8-sig":
        new = b"\xef\xbb\xbf" + new
    elif enc not in ("utf-8", "utf8"):
        new = text.encode(enc)
    result = {"project": project_id, "stage": canonical, "date": day, "changed": new != raw, "path": str(path)}
    if new == raw:
        return result
    read_dataset(folder, encoding=encoding, replace={"projects.csv": new})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(new)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return result
