"""Synthetic datasets: made-up firms, links, chains and regions at any size.

:func:`generate_dataset` writes a folder in the format of
``docs/dataset-format.md`` that looks like real data to every command, so that
demos, tests and benchmarks need no real firm data. Nothing in it is real:
firm names read ``合成企业000123`` / ``Synthetic Firm 000123`` and the places
below the provinces are invented.

Terms
-----
home county
    The county the dataset is about (``home_region`` in ``dataset.toml``). It
    has a few towns and industrial parks; all anchors sit in it or its parks.
local firm
    A firm in the home county or one of its towns or parks (about 3% of all).
hub supplier
    A supplier with many customers. Out-degrees follow a Pareto (Lomax) law,
    so a few hubs have hundreds or thousands of customers while most firms
    have a handful or none.
gap segment
    A segment that feeds an anchor's segment and on purpose has no local firm,
    so that gap analysis finds something to recruit for.

What is generated
-----------------
* A region tree: China > 8 provinces > cities > counties, and the home
  county's towns and parks, each with a latitude and longitude.
* ``chains`` chain templates, each a DAG of 12-20 segments (upstream,
  midstream, downstream) taken from a bilingual vocabulary (正极材料 /
  cathode ...) for the first six chains. FEEDS edges point downstream; the
  weights into a segment sum to at most 1.
* ``firms`` firms with lognormal output values, employees correlated with
  them, one segment (15% have a second, neighbouring one), a county chosen
  with clustered weights, and coordinates jittered around their region.
* About ``firms * links_per_firm`` links, supplier to customer. Nine in ten go
  to a firm in a segment that the supplied segment FEEDS; customers are drawn
  with weight sqrt(output value), so anchors have many suppliers, and local
  suppliers favour local customers. No link repeats (supplier, customer,
  segment) and none joins a firm to itself.
* About one project per 20 firms (at least 8) in ``projects.csv``, as of
  :data:`REFERENCE_DATE` (2024-12-31; no date lies after it): firms of
  every segment, gap segments and local firms favoured, each in one of the
  home county's parks, most serving an anchor of their chain, owned by the
  chain's task force (``锂电池专班``). Leads arrive over five years and take
  step after step (lead, contacted, negotiating, signed, registered,
  construction, producing) with lognormal delays of weeks to months; at each
  step some are dropped (with a reason) and a few get stuck, so most leads
  never sign, most signed projects get built, and some live projects are
  overdue against the default stall limits. Investment is lognormal (median
  2.5亿); expected output follows it, with a few 百亿 (1e10) projects. The
  projects draw from their own random stream: the other files are the same
  as without them.

The output is a function of the options alone: the same options give
byte-identical files. Firms and links are generated and written in chunks,
so a million firms with five million links need a few hundred MB of memory.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from chaingraph.errors import BadValueError, ChainGraphError, Message
from chaingraph.model import DROPPED, PROJECT_STAGES, Progress

__all__ = ["generate_dataset", "parse_count"]

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FILES = ("dataset.toml", "regions.csv", "chains.csv", "segments.csv", "segment_links.csv", "firms.csv",
         "links.csv", "projects.csv")
FIRM_COLUMNS = ("id", "name", "name_en", "region", "segments", "anchor", "output_value", "employees",
                "listed", "credit_code", "lat", "lon", "source")
LINK_COLUMNS = ("supplier", "customer", "segment", "product", "value", "source", "confidence")
PROJECT_COLUMNS = ("id", "name", "firm", "segments", "chain", "anchor", "park", "stage", *PROJECT_STAGES, DROPPED,
                   "drop_reason", "investment", "expected_output", "owner", "source", "note")

#: Firms per chunk of firms.csv, and (before deduplication) links per chunk of links.csv.
FIRM_CHUNK = 100_000
LINK_CHUNK = 250_000

LOCAL_SHARE = 0.03  # share of firms in the home county and its towns and parks
SECOND_SEGMENT_SHARE = 0.15
FEEDS_SHARE = 0.9  # share of links that follow a FEEDS edge; the rest go to any firm
OVERSAMPLE = 0.5  # extra customers drawn per link, to make up for duplicates
LOCAL_BIAS = 0.3  # share of a local supplier's FEEDS links that go to a local customer, where there is one
DEGREE_SHAPE = 1.5  # Lomax shape of supplier out-degrees: the smaller, the bigger the hubs
MAX_DEGREE = 20_000
TOWNS, PARKS = 5, 2

#: The day the generated pipeline stands on: no project date lies after it. ``chaingraph pipeline
#: --as-of 2024-12-31`` shows the pipeline as generated; a later day finds every live project older.
REFERENCE_DATE = _dt.date(2024, 12, 31)
FIRMS_PER_PROJECT = 20
MIN_PROJECTS = 8
PIPELINE_DAYS = 5 * 365  # leads arrive evenly over the five years before REFERENCE_DATE
# Per step lead->contacted, contacted->negotiating, ..., construction->producing: the share of projects
# that take it, the share dropped there (the rest stay put: stuck), and the median days it takes
# (lognormal with sigma STEP_SIGMA). Most leads never sign; most signed projects get built.
STEP_ADVANCE = (0.70, 0.60, 0.55, 0.93, 0.90, 0.90)
STEP_DROP = (0.26, 0.36, 0.41, 0.04, 0.06, 0.05)
STEP_DAYS = (21, 40, 75, 45, 100, 330)
STEP_SIGMA = 0.7
STUCK_DROPPED = 0.8  # share of stuck projects given up (长期无进展) about a year later
#: Why projects are dropped: before signing, after signing, and stuck ones given up.
DROP_REASONS = ("条件未谈拢", "选址他处", "企业战略调整", "资金未到位",
                "资金未到位", "用地指标不足", "环评未通过", "企业战略调整", "长期无进展")
_REASONS_BEFORE, _REASONS_AFTER = 4, 4

# (zh, en, lat, lon) of the provinces; the home county lies in the first.
PROVINCES = (
    ("浙江省", "Zhejiang", 30.27, 120.15), ("江苏省", "Jiangsu", 32.06, 118.78),
    ("广东省", "Guangdong", 23.13, 113.26), ("安徽省", "Anhui", 31.86, 117.28),
    ("福建省", "Fujian", 26.08, 119.30), ("山东省", "Shandong", 36.67, 117.00),
    ("湖北省", "Hubei", 30.59, 114.31), ("四川省", "Sichuan", 30.66, 104.07),
)

# Realistic chains, segments in upstream-to-downstream order as (zh, en, stage).
_U, _M, _D = "upstream", "midstream", "downstream"
VOCABULARY: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("锂电池", "Lithium battery", (
        ("锂矿", "lithium ore", _U), ("钴矿", "cobalt ore", _U), ("镍矿", "nickel ore", _U),
        ("石墨", "graphite", _U), ("碳酸锂", "lithium carbonate", _U), ("氢氧化锂", "lithium hydroxide", _U),
        ("六氟磷酸锂", "lithium hexafluorophosphate", _U), ("正极材料", "cathode", _M), ("负极材料", "anode", _M),
        ("隔膜", "separator", _M), ("电解液", "electrolyte", _M), ("铜箔", "copper foil", _M),
        ("铝箔", "aluminium foil", _M), ("结构件", "structural parts", _M), ("电芯", "battery cell", _M),
        ("电池管理系统", "battery management system", _D), ("电池包", "battery pack", _D),
        ("储能系统", "energy storage system", _D), ("新能源汽车", "electric vehicle", _D),
        ("电池回收", "battery recycling", _D))),
    ("半导体", "Semiconductors", (
        ("硅片", "silicon wafer", _U), ("电子特气", "electronic specialty gases", _U), ("光刻胶", "photoresist", _U),
        ("湿电子化学品", "wet electronic chemicals", _U), ("靶材", "sputtering targets", _U),
        ("光刻机", "lithography equipment", _U), ("刻蚀设备", "etching equipment", _U),
        ("芯片设计", "chip design", _M), ("EDA软件", "EDA software", _M), ("晶圆制造", "wafer fabrication", _M),
        ("掩膜版", "photomask", _M), ("封装", "packaging", _M), ("测试", "testing", _M),
        ("封装基板", "packaging substrate", _M), ("图像传感器", "image sensors", _D), ("功率器件", "power devices", _D),
        ("存储芯片", "memory chips", _D), ("消费电子", "consumer electronics", _D),
        ("汽车电子", "automotive electronics", _D), ("通信设备", "communication equipment", _D))),
    ("光伏", "Photovoltaics", (
        ("工业硅", "industrial silicon", _U), ("多晶硅", "polysilicon", _U),
        ("单晶硅棒", "monocrystalline ingot", _U), ("石英坩埚", "quartz crucible", _U), ("银浆", "silver paste", _U),
        ("光伏玻璃", "PV glass", _U), ("EVA胶膜", "EVA film", _U), ("光伏硅片", "PV wafer", _M),
        ("电池片", "solar cell", _M), ("光伏组件", "PV module", _M), ("逆变器", "inverter", _M),
        ("支架", "mounting structure", _M), ("背板", "backsheet", _M), ("接线盒", "junction box", _M),
        ("光伏电站", "PV power plant", _D), ("分布式光伏", "distributed PV", _D),
        ("储能电站", "energy storage plant", _D), ("运维服务", "operation and maintenance", _D),
        ("电网接入", "grid connection", _D), ("光伏回收", "PV recycling", _D))),
    ("新能源汽车", "New energy vehicles", (
        ("钢材", "steel", _U), ("铝合金", "aluminium alloy", _U), ("工程塑料", "engineering plastics", _U),
        ("稀土永磁", "rare-earth magnets", _U), ("汽车芯片", "automotive chips", _U),
        ("动力电池", "traction battery", _U), ("驱动电机", "drive motor", _M), ("电控系统", "motor controller", _M),
        ("车身", "body-in-white", _M), ("底盘", "chassis", _M), ("座椅", "seats", _M),
        ("汽车线束", "wiring harness", _M), ("热管理系统", "thermal management", _M), ("智能座舱", "smart cockpit", _M),
        ("自动驾驶系统", "autonomous driving system", _M), ("整车制造", "vehicle assembly", _D),
        ("充电桩", "charging piles", _D), ("汽车销售", "vehicle sales", _D), ("汽车后市场", "aftermarket", _D),
        ("换电服务", "battery swapping", _D))),
    ("生物医药", "Biopharmaceuticals", (
        ("医药中间体", "pharmaceutical intermediates", _U), ("原料药", "active pharmaceutical ingredients", _U),
        ("培养基", "cell culture media", _U), ("药用辅料", "pharmaceutical excipients", _U),
        ("实验动物", "laboratory animals", _U), ("生物反应器", "bioreactors", _U),
        ("色谱填料", "chromatography resins", _U), ("药物研发外包", "contract research", _M),
        ("合同生产", "contract manufacturing", _M), ("化学药", "chemical drugs", _M), ("生物药", "biologics", _M),
        ("疫苗", "vaccines", _M), ("医疗器械", "medical devices", _M), ("体外诊断", "in-vitro diagnostics", _M),
        ("医药流通", "pharmaceutical distribution", _D), ("医院", "hospitals", _D),
        ("零售药店", "retail pharmacies", _D), ("互联网医疗", "online healthcare", _D),
        ("第三方检测", "third-party testing", _D), ("医药冷链", "pharma cold chain", _D))),
    ("纺织服装", "Textiles and apparel", (
        ("棉花", "cotton", _U), ("化纤", "chemical fibres", _U), ("涤纶", "polyester", _U), ("羊毛", "wool", _U),
        ("染料", "dyes", _U), ("纺织机械", "textile machinery", _U), ("纺纱", "spinning", _M),
        ("织造", "weaving", _M), ("针织", "knitting", _M), ("印染", "dyeing and printing", _M),
        ("面料", "fabrics", _M), ("辅料", "trims", _M), ("服装设计", "apparel design", _M),
        ("服装制造", "garment manufacturing", _D), ("家纺", "home textiles", _D),
        ("产业用纺织品", "technical textiles", _D), ("品牌零售", "brand retail", _D), ("电商", "e-commerce", _D),
        ("服装出口", "apparel export", _D))),
)

#: The segment whose makers lead each vocabulary chain; the chain's first anchor makes it.
CORE = {"锂电池": "电芯", "半导体": "晶圆制造", "光伏": "光伏组件", "新能源汽车": "整车制造", "生物医药": "生物药",
        "纺织服装": "服装制造"}

_COUNT = re.compile(r"(\d+(?:\.\d+)?)([km]?)")


def parse_count(text: str) -> int:
    """A count written as digits, optionally with a ``k`` or ``m`` suffix.

    Raises
    ------
    ValueError
        When ``text`` is not such a count.

    Examples
    --------
    >>> parse_count("10k"), parse_count("1m"), parse_count("1.5M"), parse_count("100_000")
    (10000, 1000000, 1500000, 100000)
    """
    cleaned = str(text).strip().lower().replace("_", "").replace(",", "")
    match = _COUNT.fullmatch(cleaned)
    if not match:
        raise BadValueError(key="value.count", value=text)
    number, suffix = match.groups()
    value = float(number) * {"": 1, "k": 1_000, "m": 1_000_000}[suffix]
    if value != int(value):
        raise BadValueError(key="value.whole", value=text)
    return int(value)


@dataclass
class _Template:
    """Regions, chains and segments: the small tables, plus arrays the firm and link steps index."""

    regions: list[dict[str, Any]]
    home: int  # index of the home county in ``regions``
    local_regions: list[int]  # the home county's towns and parks
    counties: list[int]  # every other county
    chains: list[tuple[str, str, str]]
    segments: list[tuple[str, str, str, str, str]]  # id, chain, name, name_en, stage
    seg_chain: IntArray
    seg_stage: list[str]
    feeds: list[tuple[int, int, int]]  # from, to, weight in percent
    core: list[int]  # per chain, the segment its first anchor makes


def generate_dataset(
    out_dir: str | os.PathLike[str],
    *,
    firms: int,
    links_per_firm: int = 5,
    chains: int = 3,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write a synthetic dataset of ``firms`` firms to ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write; created if missing. Dataset files already in it are
        replaced once all new files are written.
    firms
        Number of firms (at least 1).
    links_per_firm
        Mean number of customers per firm. The links file holds about
        ``firms * links_per_firm`` rows, a few percent fewer in small datasets
        where hub suppliers run out of distinct customers.
    chains
        Number of chain templates. The first six come from a realistic
        vocabulary, later ones get synthetic segment names.
    seed
        Seed of the random generator: equal options give byte-identical files.
    progress
        Called as ``progress(done, total)`` while firms and links are written.

    Returns
    -------
    summary
        Counts (``firms``, ``anchors``, ``local_firms``, ``links``, ``chains``,
        ``segments``, ``segment_links``, ``regions``), ``name``,
        ``home_region``, ``path``, ``files`` (name to path), ``bytes`` on disk
        and ``seconds`` taken.

    Raises
    ------
    ChainGraphError
        When an option is out of range or ``out_dir`` cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     summary = generate_dataset(tmp, firms=300, seed=1)
    >>> summary["name"], summary["firms"], summary["anchors"], summary["chains"]
    ('synthetic-300-s1', 300, 3, 3)
    """
    started = time.perf_counter()
    _check_options(firms=firms, links_per_firm=links_per_firm, chains=chains, seed=seed)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ChainGraphError(key="generate.not_folder", path=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ChainGraphError(key="generate.cannot_create", path=str(out), reason=exc.strerror) from exc

    name = f"synthetic-{firms}-s{seed}"
    if (links_per_firm, chains) != (5, 3):
        name += f"-k{links_per_firm}-c{chains}"
    template = _make_template(seed, chains)
    pop = _make_firms(seed, firms, template)
    degree = _out_degrees(seed, firms, links_per_firm, pop, template)
    total = firms + int(degree.sum())
    report = progress or (lambda done, total: None)

    # Write under temporary names and rename at the end, so a folder never holds half a dataset.
    partial = {f: out / f".{f}.partial" for f in FILES}
    try:
        _write_small_files(partial, template, name=name, firms=firms, links_per_firm=links_per_firm,
                           chains=chains, seed=seed)
        _write_firms(partial["firms.csv"], seed, pop, template, report, total)
        n_links = _write_links(partial["links.csv"], seed, pop, degree, template, report, firms, total)
        projects = _make_projects(seed, pop, template)
        _write_projects(partial["projects.csv"], projects, pop, template)
        for f in FILES:
            os.replace(partial[f], out / f)
    except OSError as exc:
        raise ChainGraphError(key="generate.cannot_write", path=str(out), reason=exc.strerror or str(exc)) from exc
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)
    report(total, total)

    files = {f: str(out / f) for f in FILES}
    summary = {
        "name": name,
        "path": str(out),
        "home_region": template.regions[template.home]["id"],
        "firms": firms,
        "anchors": int(pop.anchor.sum()),
        "local_firms": int(pop.local.sum()),
        "links": n_links,
        "chains": len(template.chains),
        "segments": len(template.segments),
        "segment_links": len(template.feeds),
        "regions": len(template.regions),
        "projects": int(projects.firm.size),
        "reference_date": REFERENCE_DATE.isoformat(),
        "files": files,
        "bytes": sum(os.path.getsize(p) for p in files.values()),
        "seconds": round(time.perf_counter() - started, 2),
    }
    log.info("generated %s: %d firms, %d links", name, firms, n_links)
    return summary


def _check_options(*, firms: int, links_per_firm: int, chains: int, seed: int) -> None:
    problems = []
    if firms < 1:
        problems.append(Message("generate.firms", n=firms))
    if links_per_firm < 0:
        problems.append(Message("generate.links_per_firm", n=links_per_firm))
    if not 1 <= chains <= 999:
        problems.append(Message("generate.chains", n=chains))
    if seed < 0:
        problems.append(Message("generate.seed", n=seed))
    # Links are deduplicated on int64 keys (supplier * firms + customer) * segments + segment.
    if firms >= 1 and chains >= 1 and firms * firms * chains * 20 >= 2**62:
        problems.append(Message("generate.too_many", n=firms))
    if problems:
        raise ChainGraphError(key="generate.bad", problems=problems)


def _rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent generator per purpose (and per chunk), so each part depends only on the seed."""
    return np.random.default_rng([seed, *stream])


# --- regions and chain templates ----------------------------------------------------------------------------


def _make_template(seed: int, n_chains: int) -> _Template:
    rng = _rng(seed, 1)
    regions: list[dict[str, Any]] = []

    def add(rid: str, name: str, name_en: str, parent: str, level: str, lat: float, lon: float) -> int:
        regions.append({"id": rid, "name": name, "name_en": name_en, "parent": parent, "level": level,
                        "lat": round(lat, 4), "lon": round(lon, 4)})
        return len(regions) - 1

    add("R0", "中国", "China", "", "country", 35.86, 104.20)
    home, local_regions, counties = -1, [], []
    for p, (zh, en, plat, plon) in enumerate(PROVINCES, start=1):
        pid = f"R{p:02d}"
        add(pid, zh, en, "R0", "province", plat, plon)
        for c in range(1, int(rng.integers(3, 6)) + 1):
            cid = f"{pid}{c:02d}"
            clat, clon = plat + rng.uniform(-1.0, 1.0), plon + rng.uniform(-1.0, 1.0)
            add(cid, f"合成市{cid[1:]}", f"Synthetic City {cid[1:]}", pid, "city", clat, clon)
            for k in range(1, int(rng.integers(3, 7)) + 1):
                kid = f"{cid}{k:02d}"
                klat, klon = clat + rng.uniform(-0.4, 0.4), clon + rng.uniform(-0.4, 0.4)
                index = add(kid, f"合成县{kid[1:]}", f"Synthetic County {kid[1:]}", cid, "county", klat, klon)
                if home < 0:
                    home = index
                    for level, zh_word, en_word, letter, count in (
                            ("town", "镇", "Town", "T", TOWNS),
                            ("park", "产业园", "Industrial Park", "P", PARKS)):
                        for t in range(1, count + 1):
                            tid = f"{kid}{letter}{t:02d}"
                            local_regions.append(add(
                                tid, f"合成{zh_word}{tid[1:]}", f"Synthetic {en_word} {tid[1:]}", kid, level,
                                klat + rng.uniform(-0.08, 0.08), klon + rng.uniform(-0.08, 0.08)))
                else:
                    counties.append(index)

    chains: list[tuple[str, str, str]] = []
    segments: list[tuple[str, str, str, str, str]] = []
    seg_chain: list[int] = []
    feeds: dict[tuple[int, int], None] = {}  # insertion-ordered set
    width = max(2, len(str(n_chains)))
    chain_mid: list[list[int]] = []  # midstream segments per chain, for cross-chain FEEDS
    core: list[int] = []
    for c in range(n_chains):
        cid = f"C{c + 1:0{width}d}"
        n = int(rng.integers(12, 21))
        if c < len(VOCABULARY):
            zh, en, vocab = VOCABULARY[c]
            must = next(i for i, item in enumerate(vocab) if item[0] == CORE[zh])
            chosen = _pick_segments(rng, [stage for _, _, stage in vocab], n, keep=must)
            items = [vocab[i] for i in chosen]
            at = chosen.index(must)
        else:
            zh, en = f"合成产业链{c + 1:0{width}d}", f"Synthetic chain {c + 1:0{width}d}"
            stages = [_U if i < round(0.3 * n) else _D if i >= n - round(0.3 * n) else _M for i in range(n)]
            code = [f"{c + 1:0{width}d}-{i + 1:02d}" for i in range(n)]
            items = [(f"合成环节{code[i]}", f"Synthetic segment {code[i]}", stages[i]) for i in range(n)]
            at = max(i for i in range(n) if stages[i] == _M)
        chains.append((cid, zh, en))
        first = len(segments)
        for i, (szh, sen, stage) in enumerate(items):
            segments.append((f"S{c + 1:0{width}d}-{i + 1:02d}", cid, szh, sen, stage))
            seg_chain.append(c)
        for pair in _chain_feeds(rng, [stage for _, _, stage in items], core=at):
            feeds[(first + pair[0], first + pair[1])] = None
        core.append(first + at)
        chain_mid.append([first + i for i, item in enumerate(items) if item[2] == _M])
        if c > 0:
            # One input from the previous chain (chip -> automotive electronics...). FEEDS only go from
            # chain c-1 to chain c across chains, so the whole graph stays a DAG.
            feeds[(int(rng.choice(chain_mid[c - 1])), int(rng.choice(chain_mid[c])))] = None

    weights = _feeds_weights(rng, list(feeds), len(segments))
    return _Template(
        regions=regions, home=home, local_regions=local_regions, counties=counties, chains=chains,
        segments=segments, seg_chain=np.array(seg_chain, dtype=np.int64),
        seg_stage=[s[4] for s in segments], feeds=sorted((u, v, weights[(u, v)]) for u, v in feeds),
        core=core)


def _pick_segments(rng: np.random.Generator, stages: list[str], n: int, *, keep: int) -> list[int]:
    """``n`` of the vocabulary's segments in order, with ``keep`` and at least two of each stage."""
    chosen = list(range(len(stages)))
    while len(chosen) > n:
        i = int(rng.integers(len(chosen)))
        if chosen[i] != keep and sum(stages[k] == stages[chosen[i]] for k in chosen) > 2:
            del chosen[i]
    return chosen


def _chain_feeds(rng: np.random.Generator, stages: list[str], *, core: int) -> list[tuple[int, int]]:
    """FEEDS edges within one chain whose segments are in upstream-to-downstream order.

    The ``core`` segment (battery cell...) gets three or four inputs, so its anchors have a
    supply chain worth analysing.
    """
    n = len(stages)
    edges: set[tuple[int, int]] = set()
    for j in range(1, n):
        if stages[j] == _U:
            # Upstream segments are mostly raw materials; some refine an earlier one (ore -> carbonate).
            if j >= 2 and rng.random() < 0.5:
                edges.add((int(rng.integers(j)), j))
            continue
        earlier = np.arange(j)
        near = np.exp(-(j - earlier) / 3.0)  # inputs come mostly from the segments just before
        m = min(j, int(rng.integers(3, 5)) if j == core else int(rng.integers(1, 4)))
        for i in rng.choice(earlier, size=m, replace=False, p=near / near.sum()):
            edges.add((int(i), j))
    # Every upstream and midstream segment feeds something, so its firms have customers.
    for i in range(n - 1):
        if stages[i] != _D and not any(u == i for u, _ in edges):
            later = [j for j in range(i + 1, n) if stages[j] != _U] or list(range(i + 1, n))
            edges.add((i, later[min(len(later) - 1, int(rng.integers(3)))]))
    return sorted(edges)


def _feeds_weights(
    rng: np.random.Generator, edges: list[tuple[int, int]], n: int
) -> dict[tuple[int, int], int]:
    """Weight of each FEEDS edge in percent; a segment's input weights sum to at most 95%."""
    inputs: dict[int, list[int]] = {}
    for u, v in edges:
        inputs.setdefault(v, []).append(u)
    weights = {}
    for v in range(n):
        sources = sorted(inputs.get(v, []))
        if not sources:
            continue
        total = rng.uniform(0.5, 0.9)
        shares = rng.dirichlet(np.full(len(sources), 2.0)) * total
        # Flooring keeps the sum under ``total``; the 1% minimum may push it up a little.
        percent = [max(1, int(math.floor(share * 100))) for share in shares]
        while sum(percent) > 100:  # only with many tiny inputs
            percent[percent.index(max(percent))] -= 1
        weights.update({(u, v): w for u, w in zip(sources, percent)})
    return weights


# --- firms --------------------------------------------------------------------------------------------------


@dataclass
class _Firms:
    """One entry per firm; firm ``i`` has id ``F{i + 1}``."""

    primary: IntArray  # segment index
    secondary: IntArray  # segment index or -1
    region: IntArray  # index into template.regions
    local: BoolArray
    anchor: BoolArray
    output: IntArray  # output value, CNY
    employees: IntArray
    listed: BoolArray
    gaps: list[int]  # gap segments


def _pick_gaps(rng: np.random.Generator, t: _Template, anchor_segs: list[int]) -> tuple[set[int], set[int]]:
    """Gap segments (inputs of anchor segments that on purpose have no local firm) and the other inputs."""
    anchor_set = set(anchor_segs)
    gaps: set[int] = set()
    kept: set[int] = set()
    for s in sorted(anchor_set):
        inputs = sorted(u for u, v, _ in t.feeds if v == s and u not in anchor_set)
        if not inputs:
            continue
        pick = rng.random(len(inputs)) < 0.35
        pick[int(rng.integers(len(inputs)))] = True
        if len(inputs) > 1 and pick.all():
            pick[int(rng.integers(len(inputs)))] = False
        gaps.update(u for u, p in zip(inputs, pick) if p)
        kept.update(u for u, p in zip(inputs, pick) if not p)
    return gaps, kept - gaps


def _make_firms(seed: int, n: int, t: _Template) -> _Firms:
    rng = _rng(seed, 2)
    n_seg = len(t.segments)
    stage_weight = {_U: 0.7, _M: 1.2, _D: 1.0}
    seg_weight = rng.lognormal(0.0, 0.5, n_seg) * np.array([stage_weight[s] for s in t.seg_stage])
    primary = rng.choice(n_seg, size=n, p=seg_weight / seg_weight.sum()).astype(np.int64)

    # A second segment next to the first in the same chain (cell maker that also packs batteries).
    has_second = rng.random(n) < SECOND_SEGMENT_SHARE
    step = np.where(rng.random(n) < 0.5, 1, -1)
    neighbour = primary + step
    neighbour = np.where((neighbour < 0) | (neighbour >= n_seg), primary - step, neighbour)
    same_chain = (neighbour >= 0) & (neighbour < n_seg)
    same_chain[same_chain] = t.seg_chain[neighbour[same_chain]] == t.seg_chain[primary[same_chain]]
    secondary = np.where(has_second & same_chain, neighbour, -1)

    output = np.rint(rng.lognormal(math.log(2e7), 1.5, n))
    employees = np.maximum(1, np.rint(output / rng.lognormal(math.log(8e5), 0.5, n)))

    # Counties differ in how industrial they are: a few clusters hold many firms.
    county_weight = rng.lognormal(0.0, 1.0, len(t.counties))
    region = np.asarray(t.counties, dtype=np.int64)[rng.choice(len(t.counties), size=n,
                                                                 p=county_weight / county_weight.sum())]
    local = rng.random(n) < LOCAL_SHARE
    local_choice = np.asarray([t.home, *t.local_regions], dtype=np.int64)
    local_weight = np.array([3.0] + [1.0 if t.regions[r]["level"] == "town" else 2.0
                                     for r in t.local_regions])
    local_region = local_choice[rng.choice(len(local_choice), size=n, p=local_weight / local_weight.sum())]

    # Anchors: about one per chain (more for big datasets), each in a well-fed mid/downstream segment.
    n_anchors = min(n, max(len(t.chains), 3, n // 200_000))
    anchor_idx = np.sort(rng.choice(n, size=n_anchors, replace=False))
    in_degree = np.bincount([v for _, v, _ in t.feeds], minlength=n_seg)
    anchor_segs = []
    for a in range(n_anchors):
        c = a % len(t.chains)
        cands = [s for s in range(n_seg) if t.seg_chain[s] == c and t.seg_stage[s] != _U]
        cands.sort(key=lambda s: (s != t.core[c], -in_degree[s], s))
        anchor_segs.append(cands[(a // len(t.chains)) % len(cands)])
    primary[anchor_idx] = anchor_segs
    secondary[anchor_idx] = -1
    output[anchor_idx] = np.rint(rng.lognormal(math.log(3e10), 0.6, n_anchors))
    employees[anchor_idx] = np.rint(output[anchor_idx] / rng.lognormal(math.log(2e6), 0.3, n_anchors))
    anchor = np.zeros(n, dtype=bool)
    anchor[anchor_idx] = True
    local[anchor_idx] = True
    parks = [r for r in t.local_regions if t.regions[r]["level"] == "park"]
    anchor_home = np.asarray([t.home, *parks], dtype=np.int64)
    local_region[anchor_idx] = anchor_home[rng.integers(len(anchor_home), size=n_anchors)]

    gaps, kept = _pick_gaps(rng, t, anchor_segs)
    gap_mask = np.zeros(n_seg, dtype=bool)
    gap_mask[sorted(gaps)] = True
    in_gap = gap_mask[primary] | ((secondary >= 0) & gap_mask[np.maximum(secondary, 0)])
    local &= ~in_gap
    # ...while the other inputs of each anchor have at least one local firm, for contrast.
    covered = set(np.unique(primary[local]).tolist())
    for s in sorted(kept - covered):
        members = np.flatnonzero((primary == s) & ~anchor & ~in_gap)
        if members.size:
            local[members[int(rng.integers(members.size))]] = True

    region = np.where(local, local_region, region)
    listed = anchor | ((output > 1.5e9) & (rng.random(n) < 0.7))
    return _Firms(primary=primary, secondary=secondary.astype(np.int64), region=region, local=local,
                  anchor=anchor, output=output.astype(np.int64), employees=employees.astype(np.int64),
                  listed=listed, gaps=sorted(gaps))


# --- links --------------------------------------------------------------------------------------------------


@dataclass
class _Pools:
    """Firms by segment (a firm with two segments is in both), with cumulative customer weights."""

    firm: IntArray  # member firms sorted by segment
    cum: FloatArray  # cumulative weight over ``firm``
    start: IntArray  # per segment, first position in ``firm``
    end: IntArray  # per segment, one past the last
    out_start: IntArray  # per segment, first position in ``out`` of its customers' segments
    out_count: IntArray
    out: IntArray  # FEEDS targets with at least one firm


def _pools(p: _Firms, t: _Template, *, only: BoolArray | None = None) -> _Pools:
    n_seg = len(t.segments)
    two = p.secondary >= 0
    firm = np.concatenate([np.arange(p.primary.size), np.flatnonzero(two)])
    seg = np.concatenate([p.primary, p.secondary[two]])
    if only is not None:
        firm, seg = firm[only[firm]], seg[only[firm]]
    order = np.argsort(seg, kind="stable")
    firm, seg = firm[order], seg[order]
    # Big firms buy from more suppliers; the square root keeps anchors from taking every link.
    cum = np.cumsum(np.sqrt(p.output[firm].astype(np.float64)))
    counts = np.bincount(seg, minlength=n_seg)
    end = np.cumsum(counts)
    start = end - counts
    targets: list[list[int]] = [[] for _ in range(n_seg)]
    for u, v, _ in t.feeds:
        if counts[v]:
            targets[u].append(v)
    out_count = np.array([len(x) for x in targets], dtype=np.int64)
    out = np.array([v for x in targets for v in x], dtype=np.int64)
    return _Pools(firm=firm, cum=cum, start=start, end=end, out_start=np.cumsum(out_count) - out_count,
                  out_count=out_count, out=out)


def _out_degrees(seed: int, n: int, k: int, p: _Firms, t: _Template) -> IntArray:
    """Customers per supplier: Lomax-distributed with mean ``k``, capped by the customers there are."""
    rng = _rng(seed, 3)
    if k == 0:
        return np.zeros(n, dtype=np.int64)
    pools = _pools(p, t)
    size = pools.end - pools.start
    reach = np.zeros(len(t.segments), dtype=np.int64)
    for u, v, _ in t.feeds:
        reach[u] += size[v]
    # Firms at the end of a chain (vehicle makers, retailers) sell mostly to consumers, not to firms.
    terminal = (reach == 0)[p.primary]
    reach = np.where(reach > 0, reach, n)[p.primary]
    cap = np.minimum(MAX_DEGREE, np.maximum(1, reach // 2)).astype(np.float64)
    want = rng.pareto(DEGREE_SHAPE, n) * np.where(terminal, 0.2, 1.0)
    want *= k * n / max(want.sum(), 1e-12)
    # Give what the caps cut off to the uncapped suppliers, so the mean stays near ``k``.
    for _ in range(4):
        capped = want >= cap
        want = np.minimum(want, cap)
        free = want[~capped].sum()
        if free <= 0:
            break
        want[~capped] *= max(1.0, (k * n - want[capped].sum()) / free)
    want = np.minimum(want, cap)
    whole = np.floor(want)
    return (whole + (rng.random(n) < want - whole)).astype(np.int64)


def _write_links(path: Path, seed: int, p: _Firms, degree: IntArray, t: _Template, report: Progress,
                 n: int, total: int) -> int:
    pools, local = _pools(p, t), _pools(p, t, only=p.local)
    n_seg = len(t.segments)
    seg_ids = pa.array([s[0] for s in t.segments])
    width = max(7, len(str(n)))
    # Chunks of whole suppliers: a (supplier, customer, segment) triple can then only repeat inside a chunk.
    cum_degree = np.cumsum(degree)
    bounds = np.searchsorted(cum_degree, np.arange(LINK_CHUNK, int(cum_degree[-1]) + LINK_CHUNK, LINK_CHUNK),
                             side="right") if n else np.array([], dtype=np.int64)
    bounds = np.unique(np.concatenate([[0], np.minimum(bounds, n), [n]]))
    written, done = 0, n
    with _CsvWriter(path, LINK_COLUMNS) as writer:
        for chunk, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            rng = _rng(seed, 4, chunk)
            # Draw more customers than needed, because some draws repeat a link and get dropped.
            draws = degree[lo:hi] + np.ceil(OVERSAMPLE * degree[lo:hi]).astype(np.int64)
            supplier = np.repeat(np.arange(lo, hi), draws)
            m = supplier.size
            done += int(degree[lo:hi].sum())
            if m == 0:
                continue
            sec = p.secondary[supplier]
            seg = np.where((sec >= 0) & (rng.random(m) < 0.5), sec, p.primary[supplier])
            count = pools.out_count[seg]
            follow = (count > 0) & (rng.random(m) < FEEDS_SHARE)
            pick = pools.out_start[seg] + np.floor(rng.random(m) * np.maximum(count, 1)).astype(np.int64)
            out = pools.out if pools.out.size else np.zeros(1, dtype=np.int64)
            target = np.where(follow, out[np.minimum(pick, out.size - 1)], -1)
            # Customers in the target segment, or (not following FEEDS) anywhere, weighted by size.
            u = rng.random(m)
            customer = _draw(pools, target, u)
            # Clusters trade among themselves: some local suppliers sell to local customers.
            near = follow & p.local[supplier] & (rng.random(m) < LOCAL_BIAS)
            near[near] = (local.end - local.start)[target[near]] > 0
            customer[near] = _draw(local, target[near], u[near])

            keep = customer != supplier
            key = (supplier[keep] * n + customer[keep]) * n_seg + seg[keep]
            key = np.unique(key)  # sorted, so the file is in supplier, customer, segment order
            # Keep a random ``degree`` of each supplier's distinct links (all of them if fewer).
            sup_k = key // (n * n_seg)
            order = np.lexsort((rng.random(key.size), sup_k))  # shuffles within each supplier's run
            rank = np.arange(key.size) - np.searchsorted(sup_k, sup_k[order], side="left")
            keep = np.zeros(key.size, dtype=bool)
            keep[order] = rank < degree[sup_k[order]]
            key = key[keep]
            seg_k = key % n_seg
            pair = key // n_seg
            sup_k, cus_k = pair // n, pair % n
            value = np.maximum(1000, np.rint(np.minimum(p.output[sup_k], p.output[cus_k])
                                             * rng.uniform(0.002, 0.05, key.size))).astype(np.int64)
            confidence = np.round(rng.uniform(0.5, 1.0, key.size), 2)
            empty = pa.nulls(key.size, pa.string())
            writer.write([_ids("F", sup_k + 1, width), _ids("F", cus_k + 1, width), seg_ids.take(seg_k),
                          empty, pa.array(value), empty, pa.array(confidence)])
            written += key.size
            report(done, total)
    return written


def _draw(pools: _Pools, target: IntArray, u: FloatArray) -> IntArray:
    """A firm of segment ``target`` (any firm where it is -1) for each ``u`` in [0, 1), weighted by size."""
    lo = np.where(target >= 0, pools.start[np.maximum(target, 0)], 0)
    hi = np.where(target >= 0, pools.end[np.maximum(target, 0)], pools.firm.size)
    cum0 = np.where(lo > 0, pools.cum[np.maximum(lo - 1, 0)], 0.0)
    x = cum0 + u * (pools.cum[hi - 1] - cum0)
    firm: IntArray = pools.firm[np.clip(np.searchsorted(pools.cum, x, side="right"), lo, hi - 1)]
    return firm


# --- writing ------------------------------------------------------------------------------------------------


class _CsvWriter:
    """Appends Arrow columns to a UTF-8 CSV file with a plain header and no quotes (no cell needs them)."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path, self.columns = path, columns
        self.options = pcsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)

    def __enter__(self) -> _CsvWriter:
        self.file = open(self.path, "wb")
        self.file.write((",".join(self.columns) + "\n").encode())
        return self

    def write(self, arrays: list[pa.Array]) -> None:
        pcsv.write_csv(pa.table(arrays, names=list(self.columns)), self.file, write_options=self.options)

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def _ids(prefix: str, numbers: IntArray, width: int) -> pa.Array:
    """``prefix`` followed by each number zero-padded to ``width`` digits: F0000001, F0000002..."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, pa.scalar(""))


def _write_firms(path: Path, seed: int, p: _Firms, t: _Template, report: Progress, total: int) -> None:
    n = p.primary.size
    width, name_width = max(7, len(str(n))), max(6, len(str(n)))
    seg_ids = pa.array([s[0] for s in t.segments])
    region_ids = pa.array([r["id"] for r in t.regions])
    region_lat = np.array([r["lat"] for r in t.regions])
    region_lon = np.array([r["lon"] for r in t.regions])
    small = np.array([r["level"] in ("town", "park") for r in t.regions])
    with _CsvWriter(path, FIRM_COLUMNS) as writer:
        for chunk, lo in enumerate(range(0, n, FIRM_CHUNK)):
            hi = min(n, lo + FIRM_CHUNK)
            rng = _rng(seed, 5, chunk)
            number = np.arange(lo + 1, hi + 1)
            region = p.region[lo:hi]
            # Firms scatter around the centre of their region: a few km in a town or park, more in a county.
            spread = np.where(small[region], 0.01, 0.04)
            lat = np.round(region_lat[region] + rng.normal(0.0, 1.0, hi - lo) * spread, 5)
            lon = np.round(region_lon[region] + rng.normal(0.0, 1.0, hi - lo) * spread, 5)
            digits = pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), width=name_width, padding="0")
            sec = p.secondary[lo:hi]
            segments = pc.binary_join_element_wise(
                seg_ids.take(pa.array(p.primary[lo:hi])), seg_ids.take(pa.array(sec, mask=sec < 0)), ";",
                null_handling="skip")
            writer.write([
                _ids("F", number, width),
                pc.binary_join_element_wise(pa.scalar("合成企业"), digits, pa.scalar("")),
                pc.binary_join_element_wise(pa.scalar("Synthetic Firm "), digits, pa.scalar("")),
                region_ids.take(pa.array(region)),
                segments,
                pa.array(p.anchor[lo:hi]),
                pa.array(p.output[lo:hi]),
                pa.array(p.employees[lo:hi]),
                pa.array(p.listed[lo:hi]),
                pa.nulls(hi - lo, pa.string()),
                pa.array(lat),
                pa.array(lon),
                pa.repeat("synthetic", hi - lo),
            ])
            report(hi, total)


def _write_small_files(paths: dict[str, Path], t: _Template, *, name: str, firms: int, links_per_firm: int,
                       chains: int, seed: int) -> None:
    def toml(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)  # JSON strings and arrays are valid TOML

    options = f"--firms {firms} --links-per-firm {links_per_firm} --chains {chains} --seed {seed}"
    meta = {
        "name": name,
        "title": f"Synthetic industry chains: {firms:,} firms, {chains} chains (seed {seed})",
        "description": (f"Synthetic data made by `chaingraph generate {options}`. "
                        "The firms, links and places below the provinces are made up."),
        "licence": "CC0-1.0",
        "sources": [],
        "home_region": t.regions[t.home]["id"],
        "currency": "CNY",
    }
    _write_text(paths["dataset.toml"], [f"{k} = {toml(v)}" for k, v in meta.items()])
    _write_text(paths["regions.csv"], ["id,name,name_en,parent,level,lat,lon"] + [
        f"{r['id']},{r['name']},{r['name_en']},{r['parent']},{r['level']},{r['lat']:.4f},{r['lon']:.4f}"
        for r in t.regions])
    _write_text(paths["chains.csv"], ["id,name,name_en"] + [",".join(c) for c in t.chains])
    _write_text(paths["segments.csv"], ["id,chain,name,name_en,stage"] + [",".join(s) for s in t.segments])
    _write_text(paths["segment_links.csv"], ["from,to,weight"] + [
        f"{t.segments[u][0]},{t.segments[v][0]},{w / 100:.2f}" for u, v, w in t.feeds])


def _write_text(path: Path, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


# --- projects -----------------------------------------------------------------------------------------------


@dataclass
class _Projects:
    """One entry per project, in lead-date order; project ``i`` has id ``P{i + 1}``. Days count from
    1970-01-01; a stage not reached (or, for ``dropped``, a project not dropped) has day -1."""

    firm: IntArray
    segment: IntArray
    anchor: IntArray  # firm index or -1
    park: IntArray  # index into template.regions
    stage: IntArray  # index into PROJECT_STAGES, or -1: dropped
    day: IntArray  # (projects, 7): the day each stage was reached
    dropped: IntArray  # the day it was dropped, or -1
    reason: IntArray  # index into DROP_REASONS, or -1
    month_only: BoolArray  # the lead date is known to the month only
    investment: IntArray  # CNY, or -1: unknown
    output: IntArray  # expected output at full capacity, CNY, or -1


def _make_projects(seed: int, p: _Firms, t: _Template) -> _Projects:
    """About one project per FIRMS_PER_PROJECT firms: who invests, where, for which anchor, how far it got."""
    rng = _rng(seed, 9)
    n = p.primary.size
    m = max(MIN_PROJECTS, round(n / FIRMS_PER_PROJECT))
    # Recruiters court bigger firms, and firms of the gap segments most; local firms come back to expand.
    gap = np.zeros(len(t.segments), dtype=bool)
    gap[p.gaps] = True
    weight = np.sqrt(p.output.astype(np.float64)) * np.where(gap[p.primary], 4.0, 1.0) \
        * np.where(p.local, 3.0, 1.0)
    firm = rng.choice(n, size=m, p=weight / weight.sum())
    segment = p.primary[firm]
    chain = t.seg_chain[segment]

    parks = np.asarray([r for r in t.local_regions if t.regions[r]["level"] == "park"], dtype=np.int64)
    share = np.linspace(2.0, 1.0, parks.size)  # the first park is the bigger one
    park = parks[rng.choice(parks.size, size=m, p=share / share.sum())]
    own_park = p.local[firm] & np.isin(p.region[firm], parks)
    park = np.where(own_park, p.region[firm], park)

    # Most projects serve an anchor of their chain (the chain master the recruiters build around).
    anchors = np.flatnonzero(p.anchor)
    by_chain = anchors[np.argsort(t.seg_chain[p.primary[anchors]], kind="stable")]
    count = np.bincount(t.seg_chain[p.primary[anchors]], minlength=len(t.chains))
    start = np.cumsum(count) - count
    pick = start[chain] + np.floor(rng.random(m) * np.maximum(count[chain], 1)).astype(np.int64)
    anchor = by_chain[np.minimum(pick, max(by_chain.size - 1, 0))] if by_chain.size else np.full(m, -1)
    anchor = np.where((count[chain] > 0) & (rng.random(m) < 0.7) & (anchor != firm), anchor, -1)

    stage, day, dropped, reason = _project_timeline(rng, m)
    month_only = rng.random(m) < 0.2
    investment = np.rint(rng.lognormal(math.log(2.5e8), 1.3, m) / 1e4).astype(np.int64) * 10_000
    output = np.rint(investment * rng.lognormal(math.log(1.5), 0.4, m) / 1e4).astype(np.int64) * 10_000
    # Early leads often come without figures.
    unknown = (day[:, PROJECT_STAGES.index("negotiating")] < 0) & (rng.random(m) < 0.5)
    investment, output = np.where(unknown, -1, investment), np.where(unknown, -1, output)
    if m and output.max() < 1e10:
        output[int(np.argmax(output))] = 12_000_000_000  # every pipeline has one 百亿 project to count
    order = np.argsort(day[:, 0], kind="stable")
    return _Projects(firm=firm[order], segment=segment[order], anchor=anchor[order], park=park[order],
                     stage=stage[order], day=day[order], dropped=dropped[order], reason=reason[order],
                     month_only=month_only[order], investment=investment[order], output=output[order])


def _project_timeline(rng: np.random.Generator,
                      m: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Stage, stage days, drop day and drop reason of ``m`` projects (see :class:`_Projects`).

    Each project starts as a lead and takes step after step until one fails: it is dropped there or
    stays put (stuck). A step that would end after REFERENCE_DATE has not happened yet: the project is
    on its way. Stuck projects past their stage's limit are what ``pipeline`` lists as stalled.
    """
    steps = len(STEP_DAYS)
    end = (REFERENCE_DATE - _dt.date(1970, 1, 1)).days
    u = rng.random((m, steps))
    took = u < np.asarray(STEP_ADVANCE)
    drop = ~took & (u < np.asarray(STEP_ADVANCE) + np.asarray(STEP_DROP))
    took_all = took.all(axis=1)
    stop = np.where(took_all, steps, np.argmin(took, axis=1))  # the step that failed (steps: none)
    length = np.maximum(1, np.rint(rng.lognormal(np.log(STEP_DAYS), STEP_SIGMA, (m, steps)))).astype(np.int64)
    lead = end - rng.integers(0, PIPELINE_DAYS, m)
    day = lead[:, None] + np.concatenate([np.zeros((m, 1), dtype=np.int64), np.cumsum(length, axis=1)], axis=1)
    reached = np.minimum(stop, (day <= end).sum(axis=1) - 1)
    on_its_way = reached < stop
    day = np.where(np.arange(steps + 1) <= reached[:, None], day, -1)

    failed = ~on_its_way & ~took_all
    row = np.arange(m)
    dropped_here = failed & drop[row, np.minimum(stop, steps - 1)]
    stuck_dropped = failed & ~dropped_here & (rng.random(m) < STUCK_DROPPED)
    wait = np.where(stuck_dropped, rng.lognormal(math.log(420), 0.4, m), rng.lognormal(math.log(60), 0.8, m))
    drop_day = day[row, reached] + np.maximum(1, np.rint(wait)).astype(np.int64)
    is_dropped = (dropped_here | stuck_dropped) & (drop_day <= end)
    signed = reached >= PROJECT_STAGES.index("signed")
    reason = np.where(signed, _REASONS_BEFORE + rng.integers(0, _REASONS_AFTER, m),
                      rng.integers(0, _REASONS_BEFORE, m))
    reason = np.where(stuck_dropped, len(DROP_REASONS) - 1, reason)
    # Most contacts go unrecorded once the talks are on.
    missing = (reached > 1) & (rng.random(m) < 0.15)
    day[missing, 1] = -1
    stage = np.where(is_dropped, -1, reached)
    return stage, day, np.where(is_dropped, drop_day, -1), np.where(is_dropped, reason, -1)


def _write_projects(path: Path, q: _Projects, p: _Firms, t: _Template) -> None:
    n, m = p.primary.size, q.firm.size
    width, name_width = max(7, len(str(n))), max(6, len(str(n)))
    seg_ids, seg_names = pa.array([s[0] for s in t.segments]), pa.array([s[2] for s in t.segments])
    chain_ids = pa.array([c[0] for c in t.chains])
    owners = pa.array([f"{c[1]}专班" for c in t.chains])
    chain = pa.array(t.seg_chain[q.segment])
    digits = pc.utf8_lpad(pc.cast(pa.array(q.firm + 1), pa.string()), width=name_width, padding="0")
    name = pc.binary_join_element_wise(pa.scalar("合成企业"), digits, seg_names.take(pa.array(q.segment)),
                                       pa.scalar("项目"), "")
    stage_names = pa.array([*PROJECT_STAGES, DROPPED])
    dates = [_dates(q.day[:, k], q.month_only if k == 0 else None) for k in range(len(PROJECT_STAGES))]
    writer_columns = [
        _ids("P", np.arange(1, m + 1), max(7, len(str(m)))),
        name,
        _ids("F", q.firm + 1, width),
        seg_ids.take(pa.array(q.segment)),
        chain_ids.take(chain),
        pc.if_else(pa.array(q.anchor >= 0), _ids("F", np.maximum(q.anchor, 0) + 1, width),
                   pa.scalar(None, pa.string())),
        pa.array([r["id"] for r in t.regions]).take(pa.array(q.park)),
        stage_names.take(pa.array(np.where(q.stage < 0, len(PROJECT_STAGES), q.stage))),
        *dates,
        _dates(q.dropped, None),
        pa.array(DROP_REASONS).take(pa.array(q.reason, mask=q.reason < 0)),
        pa.array(q.investment, mask=q.investment < 0),
        pa.array(q.output, mask=q.output < 0),
        owners.take(chain),
        pa.repeat("synthetic", m),
        pa.nulls(m, pa.string()),
    ]
    with _CsvWriter(path, PROJECT_COLUMNS) as writer:
        writer.write(writer_columns)


def _dates(day: IntArray, month_only: BoolArray | None) -> pa.Array:
    """ISO dates of the days since 1970-01-01 (null where -1); ``YYYY-MM`` where ``month_only``."""
    text = pc.cast(pa.array(day.astype(np.int32), type=pa.date32(), mask=day < 0), pa.string())
    if month_only is None or not month_only.any():
        return text
    return pc.if_else(pa.array(month_only), pc.utf8_slice_codeunits(text, 0, 7), text)
