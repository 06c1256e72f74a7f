"""The recruitment pipeline (项目全生命周期): stages, conversion rates, quotas and stalled projects.

Terms (docs/analysis.md, "Pipeline", has a worked example)
-----------------------------------------------------------
project
    A :class:`~chaingraph.model.Project`: one investment of a firm, moving
    through ``lead`` 线索, ``contacted`` 接洽, ``negotiating`` 在谈, ``signed``
    签约, ``registered`` 注册, ``construction`` 开工 and ``producing`` 投产, or
    ``dropped`` 终止 from any of them.
as of D
    Every answer is for a day D (``--as-of``, default today). A date after D
    has not happened yet: a project with one is rolled back to its latest stage
    dated on or before D (and left out when it has none). Stages without a
    date are taken as reached when the ``stage`` column says so.
reached
    A project *reached* stage s when its stage as of D is s or later; a
    dropped project reached the latest stage it has a date for.
cohort
    The projects whose ``signed`` date falls in the period (``--period``).
    Projects past signing without a signed date are in no cohort; they are
    listed apart (``undated_signed``).
rates
    注册率 registration rate = reached registered ÷ reached signed, 开工率 start
    rate = reached construction ÷ reached signed, 投产率 production rate =
    reached producing ÷ reached signed; for the cohort and cumulatively (every
    project that reached signed). With no signed project a rate is ``None``
    with a reason, never 0 % or 100 % of nothing.
month precision
    A ``YYYY-MM`` date means some day of that month. It belongs to the period
    its first day is in; stall clocks start at its *last* day (a project is
    called stalled only if it is overdue whichever day it was); durations
    between stages use day-precise pairs only.
stalled
    A live project whose current stage has lasted longer than its limit:
    signed but not registered after ``registration_days``, registered but not
    started after ``start_days``, started but not producing after
    ``production_days``, a lead (lead, contacted or negotiating) untouched for
    ``lead_days`` (:data:`~chaingraph.model.PIPELINE_DEFAULTS`). A live
    project whose current stage has no date cannot be clocked: it is listed
    as ``undated``.
quota
    A target for the period from dataset.toml ``[quotas]``, counted over the
    cohort's projects not dropped by D, within a scope (the home region, or a
    park and the regions inside it): signed projects, signed per chain,
    projects with ``expected_output`` at or above ``big_output_min`` (百亿 =
    1e10), 招大引强 projects with ``investment`` at or above
    ``major_investment_min``, and distinct firms of given chains.
"""
from __future__ import annotations

import datetime as _dt
import functools
import statistics
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from chaingraph.analyses.plan import Plan
from chaingraph.analyses.targets import TargetReport
from chaingraph.errors import ChainGraphError
from chaingraph.model import (
    DROPPED,
    PIPELINE_DEFAULTS,
    PROJECT_DATE_KEYS,
    PROJECT_STAGE_ORDER,
    PROJECT_STAGES,
    Project,
    parse_project_date,
    period_bounds,
    project_column,
    regions_within,
)

__all__ = [
    "BIG_OUTPUT",
    "INTERVALS",
    "RATES",
    "ProjectState",
    "QuotaProgress",
    "StalledProject",
    "ProjectNote",
    "PipelineReport",
    "LedgerRow",
    "project_ledger",
    "ProjectTable",
    "project_table",
    "project_state",
    "analyse_pipeline",
    "pipeline_notes",
    "firms_reaching",
    "firms_by_stage",
    "PipelineTargets",
    "PipelinePlan",
]

#: 百亿: the default output threshold of a "big" project, in the dataset's currency.
BIG_OUTPUT = 1e10
#: Stage pairs whose median duration the report gives.
INTERVALS = (("lead", "signed"), ("signed", "registered"), ("registered", "construction"),
             ("construction", "producing"), ("signed", "construction"), ("signed", "producing"))
#: Rate name to the stage whose share of signed projects it is.
RATES = (("registration_rate", "registered"), ("start_rate", "construction"), ("production_rate", "producing"))
_SIGNED = PROJECT_STAGE_ORDER["signed"]
_LEADS = ("lead", "contacted", "negotiating")
#: The stall rule of each current stage: the setting and the stages whose latest date starts the clock.
_STALL_RULES = {
    "lead": ("lead_days", _LEADS), "contacted": ("lead_days", _LEADS), "negotiating": ("lead_days", _LEADS),
    "signed": ("registration_days", ("signed",)), "registered": ("start_days", ("registered",)),
    "construction": ("production_days", ("construction",)),
}


@dataclass(frozen=True)
class ProjectState:
    """A project as of a day: the index of the latest stage it reached (``None``: unknown) and whether
    it is dropped."""

    reached: int | None
    dropped: bool

    @property
    def stage(self) -> str:
        """The stage as of that day: ``dropped``, a stage of :data:`PROJECT_STAGES`, or ``unknown``."""
        if self.dropped:
            return DROPPED
        return PROJECT_STAGES[self.reached] if self.reached is not None else "unknown"

    def reached_stage(self, stage: str) -> bool:
        return self.reached is not None and self.reached >= PROJECT_STAGE_ORDER[stage]


def project_state(project: Project, as_of: _dt.date) -> ProjectState | None:
    """Where ``project`` stood on ``as_of``; ``None`` if none of its dates had come yet.

    Examples
    --------
    >>> p = Project("p1", "Cell plant", "f1", "li", "construction",
    ...             dates={"signed": "2023-01-28", "construction": "2023-06"})
    >>> project_state(p, _dt.date(2023, 12, 31)).stage, project_state(p, _dt.date(2023, 3, 1)).stage
    ('construction', 'signed')
    >>> project_state(p, _dt.date(2022, 12, 31)) is None
    True
    """
    return _state(project, _bounds(project), as_of)


_Bounds = dict[str, tuple[_dt.date, _dt.date]]


def _bounds(project: Project) -> _Bounds:
    """The first and last day of each of the project's dates (unparseable ones left out)."""
    return {s: b for s, d in project.dates.items() if (b := parse_project_date(d)) is not None}


def _state(project: Project, bounds: _Bounds, as_of: _dt.date) -> ProjectState | None:
    """:func:`project_state` from the project's parsed dates (a pipeline parses each project once)."""
    dated = [PROJECT_STAGE_ORDER[s] for s, b in bounds.items() if s in PROJECT_STAGE_ORDER and b[0] <= as_of]
    if not any(b[0] > as_of for b in bounds.values()):
        if project.stage == DROPPED:
            return ProjectState(max(dated) if dated else None, True)
        return ProjectState(PROJECT_STAGE_ORDER[project.stage], False)
    dropped = DROPPED in bounds and bounds[DROPPED][0] <= as_of
    if not dated and not dropped:
        return None
    return ProjectState(max(dated) if dated else None, dropped)


@dataclass(frozen=True)
class QuotaProgress:
    """One quota: its scope (a region id), kind, chains, target, what is reached and by which projects.

    ``reached`` and ``missing`` are ``None`` when the quota cannot be counted; ``reason`` says why
    (``no_major_threshold``: dataset.toml gives no ``major_investment_min``).
    """

    scope: str
    kind: str
    chains: tuple[str, ...]
    target: int
    reached: int | None
    missing: int | None
    projects: tuple[str, ...]
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "kind": self.kind, "chains": list(self.chains), "target": self.target,
                "reached": self.reached, "missing": self.missing, "projects": list(self.projects),
                "reason": self.reason}


@dataclass(frozen=True)
class StalledProject:
    """A live project past its stage's limit: ``days`` since ``since`` (the date that started the
    clock), ``limit`` days allowed, ``overdue`` = days - limit."""

    id: str
    name: str
    firm: str
    chain: str
    stage: str
    since: str
    days: int
    limit: int
    overdue: int
    owner: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class ProjectNote:
    """A firm's project as targets and plans show it: live ones (with stage, since and owner)
    take the firm out of the ranking; dropped ones are shown with their reason."""

    firm: str
    project: str
    name: str
    stage: str
    since: str | None
    owner: str | None
    drop_reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class PipelineReport:
    """What :func:`analyse_pipeline` returns; ``to_dict`` is the JSON shape (docs/analysis.md)."""

    as_of: str
    period: str
    chain: str | None
    park: str | None
    projects: int
    by_chain: dict[str, dict[str, int]]
    by_park: dict[str, dict[str, int]]
    funnel: dict[str, dict[str, int]]
    rates: dict[str, dict[str, Any]]
    durations: tuple[dict[str, Any], ...]
    quotas: tuple[QuotaProgress, ...]
    stalled: tuple[StalledProject, ...]
    undated: tuple[str, ...]
    undated_signed: tuple[str, ...]
    dropped: tuple[ProjectNote, ...]
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    settings: dict[str, int] = field(default_factory=dict)
    impact: dict[str, Any] | None = None
    #: The name of each project a quota counts (its ``projects`` are ids), for the pages and tables.
    project_names: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of, "period": self.period, "chain": self.chain, "park": self.park,
            "projects": self.projects, "stages": [*PROJECT_STAGES, DROPPED],
            "by_chain": self.by_chain, "by_park": self.by_park, "funnel": self.funnel, "rates": self.rates,
            "durations": list(self.durations), "quotas": [q.to_dict() for q in self.quotas],
            "stalled": [s.to_dict() for s in self.stalled], "undated": list(self.undated),
            "undated_signed": list(self.undated_signed), "dropped": [d.to_dict() for d in self.dropped],
            "settings": dict(self.settings), "impact": self.impact,
        }


# -- the projects as columns: each project's dates parsed once, states as numpy operations -------------------

#: The date columns of a :class:`ProjectTable`: the stages in order, then ``dropped``.
_COLUMNS = PROJECT_DATE_KEYS
_COL = {s: i for i, s in enumerate(_COLUMNS)}
_NO_DAY = np.iinfo(np.int32).max  # the first day of a missing date: after every as-of day
_DROP_CODE, _UNKNOWN_CODE = len(PROJECT_STAGES), len(PROJECT_STAGES) + 1
_CODES = (*PROJECT_STAGES, DROPPED, "unknown")
_LEAD_COLS = [_COL[s] for s in _LEADS]
#: Per current stage code (lead ... construction): the stall setting and the date columns that start the clock.
_CLOCKS = {PROJECT_STAGE_ORDER[s]: (key, [_COL[c] for c in cols]) for s, (key, cols) in _STALL_RULES.items()}


@dataclass(frozen=True, eq=False)
class ProjectTable:
    """Projects as columns, for answers over tens of thousands of them (:func:`project_table`).

    ``first`` and ``last`` hold, per project and per stage of :data:`PROJECT_STAGES` then
    ``dropped``, the first and last day its date can mean (proleptic ordinals; a missing or
    unparseable date has ``first`` after every day). ``stage`` is the ``stage`` column's index
    in :data:`PROJECT_STAGES` (``dropped``: 7). :meth:`column` reads one field of every project
    (:func:`~chaingraph.model.project_column`), so a report names the projects it lists without
    making a record of each.
    """

    projects: Sequence[Project]
    first: np.ndarray
    last: np.ndarray
    stage: np.ndarray
    signed_text: np.ndarray
    _columns: dict[str, Sequence[Any]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.projects)

    def column(self, name: str) -> Sequence[Any]:
        """Field ``name`` (or ``dates.KEY``) of every project, in order, read once."""
        if name not in self._columns:
            self._columns[name] = project_column(self.projects, name)
        return self._columns[name]

    def date(self, i: int, key: str) -> str | None:
        """Project ``i``'s date text for ``key`` (a stage or ``dropped``), as the file gives it."""
        text_: str | None = self.column(f"dates.{key}")[i]
        return text_


def project_table(projects: Sequence[Project] | ProjectTable) -> ProjectTable:
    """The projects as a :class:`ProjectTable` (a table is returned as it is).

    Examples
    --------
    >>> t = project_table([Project("p", "P", "f", "li", "signed", dates={"lead": "2023-01", "signed": "2023-02-03"})])
    >>> [_dt.date.fromordinal(int(d)).isoformat() for d in (t.first[0, 0], t.last[0, 0], t.first[0, 3])]
    ['2023-01-01', '2023-01-31', '2023-02-03']
    """
    if isinstance(projects, ProjectTable):
        return projects
    columns: dict[str, Sequence[Any]] = {}  # the columns read here stay with the table

    def column(name: str) -> Sequence[Any]:
        if name not in columns:
            columns[name] = project_column(projects, name)
        return columns[name]

    n = len(projects)
    first = np.full((n, len(_COLUMNS)), _NO_DAY, dtype=np.int32)
    last = np.full((n, len(_COLUMNS)), _NO_DAY, dtype=np.int32)
    for c, key in enumerate(_COLUMNS):
        # each distinct date text is parsed once; a column is then two lookups into its bounds
        texts = column(f"dates.{key}")
        parsed = {d: b for d in set(texts) if d is not None and (b := _ordinals(d)) is not None}
        if parsed:
            slot = {d: i for i, d in enumerate(parsed, start=1)}
            where = np.fromiter((slot.get(d, 0) for d in texts), dtype=np.int32, count=n)
            bounds = np.array([(_NO_DAY, _NO_DAY), *parsed.values()], dtype=np.int32)
            first[:, c], last[:, c] = bounds[where, 0], bounds[where, 1]
    codes = {**PROJECT_STAGE_ORDER, DROPPED: _DROP_CODE}
    stage = np.fromiter((codes[s] for s in column("stage")), dtype=np.int8, count=n)
    signed_text = np.fromiter((d is not None for d in column("dates.signed")), dtype=bool, count=n)
    return ProjectTable(projects, first, last, stage, signed_text, columns)


@functools.lru_cache(maxsize=65536)
def _ordinals(text_: str) -> tuple[int, int] | None:
    b = parse_project_date(text_)
    return None if b is None else (b[0].toordinal(), b[1].toordinal())


@dataclass(frozen=True, eq=False)
class _States:
    """Where each project of a table stood on a day: ``begun`` (it had a date by then), the latest
    stage ``reached`` (-1: unknown) and ``dropped``; :func:`_state` for every project at once."""

    day: int
    begun: np.ndarray
    reached: np.ndarray
    dropped: np.ndarray

    def code(self) -> np.ndarray:
        """Each project's stage as an index into ``_CODES`` (a stage, dropped or unknown)."""
        out = np.where(self.reached >= 0, self.reached, _UNKNOWN_CODE)
        return np.where(self.dropped, _DROP_CODE, out).astype(np.int8)


def _table_states(t: ProjectTable, as_of: _dt.date) -> _States:
    day = as_of.toordinal()
    came = t.first <= day                                   # dates on or before the day
    later = ((t.first != _NO_DAY) & ~came).any(axis=1)      # a date after the day: roll back
    stages = len(PROJECT_STAGES)
    dated = np.where(came[:, :stages], np.arange(stages, dtype=np.int8), -1).max(axis=1, initial=-1)
    dropped_dated = came[:, _DROP_CODE]
    col_dropped = t.stage == _DROP_CODE
    reached = np.where(later | col_dropped, dated, t.stage).astype(np.int8)
    dropped = np.where(later, dropped_dated, col_dropped)
    begun = ~later | (dated >= 0) | dropped_dated
    return _States(day, begun, reached, dropped)


def _factorize(keys: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct keys, sorted, and each key's index among them."""
    names = sorted(set(keys))
    index = {k: i for i, k in enumerate(names)}
    return names, np.fromiter((index[k] for k in keys), dtype=np.int64, count=len(keys))


def _count(keys: Sequence[str], codes: np.ndarray) -> dict[str, dict[str, int]]:
    """Projects per key and stage code (a stage, dropped; unknown only when there is one)."""
    names, ki = _factorize(keys)
    width = len(_CODES)
    m = np.bincount(ki * width + codes, minlength=len(names) * width).reshape(-1, width)
    return {k: {s: int(n) for s, n in zip(_CODES, m[i]) if n or s != "unknown"} for i, k in enumerate(names)}


def _funnel(keys: Sequence[str], reached: np.ndarray) -> dict[str, dict[str, int]]:
    """Per key, the projects that reached each stage (a dropped project: the stages it reached)."""
    names, ki = _factorize(keys)
    width = len(PROJECT_STAGES) + 1  # reached -1 (unknown) .. 6, shifted by one
    hist = np.bincount(ki * width + reached + 1, minlength=len(names) * width).reshape(-1, width)
    at_least = hist[:, ::-1].cumsum(axis=1)[:, ::-1]
    return {k: {s: int(at_least[i, j + 1]) for j, s in enumerate(PROJECT_STAGES)} for i, k in enumerate(names)}


def _rates(reached: np.ndarray) -> dict[str, Any]:
    """Counts of signed, registered, started and producing projects, and the three rates."""
    n = int((reached >= _SIGNED).sum())
    out: dict[str, Any] = {"signed": n}
    for rate, stage in RATES:
        k = int((reached >= PROJECT_STAGE_ORDER[stage]).sum())
        out[stage] = k
        out[rate] = round(k / n, 4) if n else None
    out["reason"] = None if n else "no_signed_projects"
    return out


def _durations(t: ProjectTable, rows: np.ndarray, day: int) -> tuple[dict[str, Any], ...]:
    first, last = t.first[rows], t.last[rows]
    exact = (first == last) & (first != _NO_DAY)  # day-precise dates only
    out = []
    for a, b in INTERVALS:
        ia, ib = _COL[a], _COL[b]
        both = exact[:, ia] & exact[:, ib] & (first[:, ib] <= day)
        days = (first[both, ib] - first[both, ia]).tolist()
        out.append({"from": a, "to": b, "n": len(days), "median_days": statistics.median(days) if days else None})
    return tuple(out)


def _clocks(t: ProjectTable, st: _States, live: np.ndarray,
            settings: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per project of ``live`` whose stage has a stall rule: the days since its clock started, the
    limit (-1: no rule) and whether a date starts the clock (module docstring, "stalled")."""
    n = len(t)
    days = np.zeros(n, dtype=np.int64)
    limit = np.full(n, -1, dtype=np.int64)
    clocked = np.zeros(n, dtype=bool)
    never = np.iinfo(np.int32).min
    for code, (key, columns) in _CLOCKS.items():
        mine = np.flatnonzero(live & (st.reached == code))
        cols = np.asarray(columns, dtype=np.intp)
        came = t.first[np.ix_(mine, cols)] <= st.day
        clock = np.where(came, t.last[np.ix_(mine, cols)], never).max(axis=1, initial=never)
        limit[mine] = int(settings[key])
        clocked[mine] = came.any(axis=1)
        days[mine] = np.where(clocked[mine], st.day - clock.astype(np.int64), 0)
    return days, limit, clocked


def _stalls(t: ProjectTable, st: _States, rows: np.ndarray,
            settings: Mapping[str, int]) -> tuple[list[StalledProject], list[str]]:
    """The stalled projects among ``rows`` (most overdue first) and the ids of those without a clock."""
    live = np.zeros(len(t), dtype=bool)
    live[rows] = True
    live &= ~st.dropped
    days, limit, clocked = _clocks(t, st, live, settings)
    out = []
    ids, names, firms, chains, owners = (t.column(k) for k in ("id", "name", "firm", "chain", "owner"))
    for i in np.flatnonzero(clocked & (days > limit)).tolist():
        _, cols = _CLOCKS[int(st.reached[i])]
        since = max((int(t.last[i, c]), t.date(i, _COLUMNS[c])) for c in cols if t.first[i, c] <= st.day)[1]
        out.append(StalledProject(ids[i], names[i], firms[i], chains[i], _CODES[st.reached[i]], str(since),
                                  int(days[i]), int(limit[i]), int(days[i] - limit[i]), owners[i]))
    out.sort(key=lambda s: (-s.overdue, s.id))
    return out, [ids[i] for i in np.flatnonzero((limit >= 0) & ~clocked).tolist()]


def _cohort(t: ProjectTable, st: _States, lo: _dt.date, hi: _dt.date) -> np.ndarray:
    """Which projects had begun and were signed in the period (up to the as-of day)."""
    signed = t.first[:, _COL["signed"]]
    return st.begun & (signed >= lo.toordinal()) & (signed <= min(hi.toordinal(), st.day))


def _quota_items(scope: str, spec: Mapping[str, Any], pool: Sequence[Project],
                 quotas: Mapping[str, Any]) -> list[QuotaProgress]:
    """The quotas of one scope, counted over ``pool`` (the cohort's live projects in the scope)."""
    items: list[QuotaProgress] = []

    def add(kind: str, chains: Sequence[str], target: int, hits: Sequence[Project] | None,
            count: int | None = None, reason: str | None = None) -> None:
        reached = None if hits is None else (len(hits) if count is None else count)
        items.append(QuotaProgress(scope, kind, tuple(chains), int(target), reached,
                                   None if reached is None else max(0, int(target) - reached),
                                   tuple(p.id for p in hits or ()), reason))

    big = float(quotas.get("big_output_min", BIG_OUTPUT))
    major = quotas.get("major_investment_min")
    for kind, value in spec.items():
        if kind == "signed":
            add(kind, (), value, list(pool))
        elif kind == "signed_per_chain":
            for c, target in value.items():
                add(kind, (c,), target, [p for p in pool if p.chain == c])
        elif kind == "big_output_projects":
            add(kind, (), value, [p for p in pool if p.expected_output is not None and p.expected_output >= big])
        elif kind == "major_projects":
            if major is None:
                add(kind, (), value, None, reason="no_major_threshold")
            else:
                add(kind, (), value, [p for p in pool if p.investment is not None and p.investment >= major])
        elif kind == "chain_firms":
            hits = [p for p in pool if p.chain in value["chains"]]
            add(kind, value["chains"], value["min"], hits, count=len({p.firm for p in hits}))
    return items


def _quotas(T: nx.MultiDiGraph, home: str, live: Sequence[Project],
            quotas: Mapping[str, Any]) -> list[QuotaProgress]:
    out = []
    scopes = [(home, quotas.get("county") or {})]
    scopes += list((quotas.get("parks") or {}).items())
    for scope, spec in scopes:
        inside = regions_within(T, scope)
        # a project without a park is somewhere in the home region
        pool = [p for p in live if (p.park in inside) or (p.park is None and scope == home)]
        out += _quota_items(scope, spec, pool, quotas)
    return out


def _names(T: nx.MultiDiGraph, ids: Iterable[str]) -> dict[str, dict[str, str]]:
    return {i: {"name": str(T.nodes[i].get("name") or i), "name_en": str(T.nodes[i].get("name_en") or "")}
            for i in ids if i in T}


def _period(period: str | None, quotas: Mapping[str, Any], as_of: _dt.date) -> tuple[str, _dt.date, _dt.date]:
    text_ = period or quotas.get("period") or str(as_of.year)
    bounds = period_bounds(str(text_))
    if bounds is None:
        raise ChainGraphError(key="pipeline.bad_period", period=text_)
    return str(text_), bounds[0], bounds[1]


def _scoped(T: nx.MultiDiGraph, t: ProjectTable, chain: str | None, park: str | None) -> np.ndarray:
    """Which projects are of ``chain`` and in ``park`` or inside it (both optional, checked first)."""
    for value, kind in ((chain, "chain"), (park, "region")):
        if value is not None and (value not in T or T.nodes[value].get("kind") != kind):
            raise ChainGraphError(key=f"pipeline.no_{kind}", value=value)
    if chain is None and park is None:
        return np.ones(len(t), dtype=bool)
    inside = regions_within(T, park) if park else None
    return np.fromiter(((chain is None or c == chain) and (inside is None or p in inside)
                        for c, p in zip(t.column("chain"), t.column("park"))), dtype=bool, count=len(t))


def analyse_pipeline(
    T: nx.MultiDiGraph,
    projects: Sequence[Project] | ProjectTable,
    *,
    as_of: _dt.date,
    home: str,
    period: str | None = None,
    chain: str | None = None,
    park: str | None = None,
    quotas: Mapping[str, Any] | None = None,
    settings: Mapping[str, int] | None = None,
) -> PipelineReport:
    """Stages, rates, durations, quota progress and stalled projects of a pipeline (module docstring).

    Parameters
    ----------
    T
        The template graph (chains, segments, regions), for the region tree and names.
    projects
        The dataset's projects, or their :func:`project_table` (made once for several answers).
    as_of
        The day the answer is for.
    home
        The home region id: the scope of ``[quotas.county]``.
    period
        The cohort's period (``2023``, ``2023-Q2``, ``2023-04``); default the quotas' period, else the
        year of ``as_of``.
    chain, park
        Only projects of this chain, or in this region or inside it. Quotas are counted over every
        project (they are the county's), and only those of this chain or park are listed.
    quotas
        The ``[quotas]`` table of dataset.toml.
    settings
        The ``[pipeline]`` table: stall limits in days (:data:`~chaingraph.model.PIPELINE_DEFAULTS`).

    Returns
    -------
    report
        A :class:`PipelineReport`; ``impact`` is left for the caller (it needs the firm graph).

    Examples
    --------
    Two projects signed in 2023, one of them registered: a registration rate of 1/2. On 2023-12-31
    b has waited 305 days for registration (90 allowed) and a 333 days for construction (180 allowed).

    >>> from chaingraph.model import new_graph
    >>> T = new_graph()
    >>> T.add_node("cty", kind="region", name="County")
    >>> T.add_node("li", kind="chain", name="锂电池")
    >>> ps = [Project("a", "A", "f1", "li", "registered", park="cty",
    ...               dates={"signed": "2023-01-10", "registered": "2023-02-01"}),
    ...       Project("b", "B", "f2", "li", "signed", park="cty", dates={"signed": "2023-03-01"})]
    >>> r = analyse_pipeline(T, ps, as_of=_dt.date(2023, 12, 31), home="cty")
    >>> r.rates["cohort"]["registration_rate"], [(s.id, s.overdue) for s in r.stalled]
    (0.5, [('b', 215), ('a', 153)])
    """
    quotas = quotas or {}
    limits = {**PIPELINE_DEFAULTS, **(settings or {})}
    label, lo, hi = _period(period, quotas, as_of)
    t = project_table(projects)
    st = _table_states(t, as_of)
    rows = np.flatnonzero(_scoped(T, t, chain, park) & st.begun)
    cohort = _cohort(t, st, lo, hi)
    stalled, undated = _stalls(t, st, rows, limits)
    # the quotas need a record of each live project of the cohort: a period's, not every project
    live_cohort = [t.projects[i] for i in np.flatnonzero(cohort & ~st.dropped).tolist()] if quotas else []
    items = [q for q in _quotas(T, home, live_cohort, quotas)
             if (chain is None or not q.chains or chain in q.chains) and (park is None or q.scope == park)]
    dropped = _notes(t, rows[st.dropped[rows]], np.full(len(t), _DROP_CODE, dtype=np.int8))
    reached = st.reached[rows]
    ids, chain_col, park_col = t.column("id"), t.column("chain"), t.column("park")
    undated_signed = tuple(ids[i] for i in rows[(reached >= _SIGNED) & ~t.signed_text[rows]].tolist())
    chains, parks = [chain_col[i] for i in rows.tolist()], [park_col[i] or home for i in rows.tolist()]
    return PipelineReport(
        as_of=as_of.isoformat(), period=label, chain=chain, park=park, projects=len(rows),
        by_chain=_count(chains, st.code()[rows]), by_park=_count(parks, st.code()[rows]),
        funnel=_funnel(chains, reached),
        rates={"cohort": _rates(st.reached[rows[cohort[rows]]]), "cumulative": _rates(reached)},
        durations=_durations(t, rows, st.day), quotas=tuple(items), stalled=tuple(stalled),
        undated=tuple(undated), undated_signed=undated_signed, dropped=dropped,
        names=_names(T, set(chains) | set(parks) | {q.scope for q in items}),
        settings=limits, project_names=_project_names(t, {p for q in items for p in q.projects}),
    )


def _project_names(t: ProjectTable, ids: Collection[str]) -> dict[str, str]:
    """The names of the projects ``ids`` (the id where a project has no name)."""
    if not ids:
        return {}
    return {i: n or i for i, n in zip(t.column("id"), t.column("name")) if i in ids}


@dataclass(frozen=True)
class LedgerRow:
    """One project as the project ledger (项目台账) lists it on a day.

    ``stage`` is its stage that day, ``dates`` its dates up to that day, ``days`` the days in its
    current stage (for a stage with a stall rule, the stall clock: a lead counts from its latest
    contact; ``None`` when the stage has no date or the project is dropped), ``stalled`` whether it
    is past its stage's limit.
    """

    project: Project
    stage: str
    dates: Mapping[str, str]
    days: int | None
    stalled: bool


def project_ledger(
    T: nx.MultiDiGraph,
    projects: Sequence[Project] | ProjectTable,
    *,
    as_of: _dt.date,
    chain: str | None = None,
    park: str | None = None,
    settings: Mapping[str, int] | None = None,
) -> list[LedgerRow]:
    """Every project begun by ``as_of`` (of ``chain``, in ``park``), in file order, with its stage,
    the days in that stage and whether it is stalled, by the rules of :func:`analyse_pipeline`.

    Examples
    --------
    Signed 2023-05-10: on 2023-12-31, 235 days later, past the 90 days registration may take.

    >>> ps = [Project("p", "P", "f", "li", "registered", dates={"signed": "2023-05-10", "registered": "2024-01"})]
    >>> [(r.stage, dict(r.dates), r.days, r.stalled)
    ...  for r in project_ledger(nx.MultiDiGraph(), ps, as_of=_dt.date(2023, 12, 31))]
    [('signed', {'signed': '2023-05-10'}, 235, True)]
    """
    limits = {**PIPELINE_DEFAULTS, **(settings or {})}
    t = project_table(projects)
    st = _table_states(t, as_of)
    rows = _scoped(T, t, chain, park) & st.begun
    days, limit, clocked = _clocks(t, st, rows & ~st.dropped, limits)
    producing = np.flatnonzero(rows & ~st.dropped & (st.reached == PROJECT_STAGE_ORDER["producing"]))
    came = t.first[producing, _COL["producing"]] <= st.day
    days[producing[came]] = st.day - t.last[producing[came], _COL["producing"]].astype(np.int64)
    clocked[producing[came]] = True
    stalled = clocked & (limit >= 0) & (days > limit)
    codes = st.code()
    records = list(t.projects)  # every record at once (a snapshot decodes them in one pass, not row by row)
    out = []
    for i in np.flatnonzero(rows).tolist():
        p = records[i]
        shown = {s: d for s, d in p.dates.items() if s in _COL and t.first[i, _COL[s]] <= st.day}
        out.append(LedgerRow(p, _CODES[codes[i]], shown, int(days[i]) if clocked[i] else None, bool(stalled[i])))
    return out


def pipeline_notes(projects: Sequence[Project] | ProjectTable, *, firms: Collection[str] | None = None,
                   as_of: _dt.date | None = None) -> tuple[set[str], list[ProjectNote]]:
    """The firms with a live project (not to be recommended again) and a note per project of ``firms``.

    A live project's note gives its stage and the date of that stage (``since``); a dropped one's
    gives the reason. ``firms=None`` notes every project. A project none of whose dates had come by
    ``as_of`` (default today) is neither live nor noted (:func:`project_state`).

    Examples
    --------
    >>> ps = [Project("p1", "Plant", "f1", "li", "negotiating", dates={"negotiating": "2023-03-02"},
    ...               owner="锂电池专班"),
    ...       Project("p2", "Old plan", "f2", "li", "dropped", drop_reason="资金未到位")]
    >>> live, notes = pipeline_notes(ps)
    >>> sorted(live), [(n.firm, n.stage, n.since, n.drop_reason) for n in notes]
    (['f1'], [('f1', 'negotiating', '2023-03-02', None), ('f2', 'dropped', None, '资金未到位')])
    """
    t = project_table(projects)
    st = _table_states(t, as_of or _dt.date.today())
    firm_col = t.column("firm")
    live = {firm_col[i] for i in np.flatnonzero(st.begun & ~st.dropped).tolist()}
    rows = np.flatnonzero(st.begun)
    if firms is not None:
        wanted = set(firms)
        rows = np.array([i for i in rows.tolist() if firm_col[i] in wanted] if wanted else [], dtype=np.intp)
    return live, list(_notes(t, rows, st.code()))


def _notes(t: ProjectTable, rows: np.ndarray, codes: np.ndarray) -> tuple[ProjectNote, ...]:
    """A :class:`ProjectNote` for each project of ``rows`` at its stage code (``_CODES``): the date
    of that stage, and the drop reason of a dropped one."""
    if not len(rows):
        return ()
    firms, ids, names, owners, reasons = (t.column(k) for k in ("firm", "id", "name", "owner", "drop_reason"))
    code_of = codes.tolist()
    # the date column of each stage code the rows are at, read once (None for dropped and unknown)
    since_of = {c: t.column(f"dates.{_CODES[c]}") if _CODES[c] in _COL else None
                for c in set(codes[rows].tolist())}
    out = []
    for i in rows.tolist():
        code = code_of[i]
        stage, dates = _CODES[code], since_of[code]
        since = dates[i] if dates is not None else None
        out.append(ProjectNote(firms[i], ids[i], names[i], stage, since, owners[i],
                               reasons[i] if stage == DROPPED else None))
    return tuple(out)


def firms_reaching(T: nx.MultiDiGraph, projects: Sequence[Project], stage: str, *, as_of: _dt.date,
                   chain: str | None = None, park: str | None = None) -> list[str]:
    """Firms (sorted, each once) with a live project that reached ``stage`` by ``as_of``: the firms the
    pipeline's what-if counts as local ("all signed" or "all producing" projects built).

    Examples
    --------
    >>> T = nx.MultiDiGraph()
    >>> ps = [Project("a", "A", "f1", "li", "producing"), Project("b", "B", "f2", "li", "signed"),
    ...       Project("c", "C", "f3", "li", "dropped", dates={"signed": "2020-01-01"})]
    >>> firms_reaching(T, ps, "signed", as_of=_dt.date(2024, 1, 1))
    ['f1', 'f2']
    """
    return firms_by_stage(T, projects, (stage,), as_of=as_of, chain=chain, park=park)[stage]


def firms_by_stage(T: nx.MultiDiGraph, projects: Sequence[Project] | ProjectTable, stages: Sequence[str], *,
                   as_of: _dt.date, chain: str | None = None, park: str | None = None) -> dict[str, list[str]]:
    """:func:`firms_reaching` for several stages at once, reading each project once.

    Examples
    --------
    >>> ps = [Project("a", "A", "f1", "li", "producing"), Project("b", "B", "f2", "li", "signed")]
    >>> firms_by_stage(nx.MultiDiGraph(), ps, ("signed", "producing"), as_of=_dt.date(2024, 1, 1))
    {'signed': ['f1', 'f2'], 'producing': ['f1']}
    """
    t = project_table(projects)
    st = _table_states(t, as_of)
    live = _scoped(T, t, chain, park) & st.begun & ~st.dropped
    firms = t.column("firm")
    return {s: sorted({firms[i] for i in np.flatnonzero(live & (st.reached >= PROJECT_STAGE_ORDER[s])).tolist()})
            for s in stages}


@dataclass(frozen=True)
class PipelineTargets(TargetReport):
    """Ranked targets that know the pipeline: firms with a live project were left out of the ranking and
    are listed in ``in_pipeline`` with their stage; dropped projects are listed with their reason."""

    in_pipeline: tuple[ProjectNote, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "in_pipeline": [n.to_dict() for n in self.in_pipeline]}


@dataclass(frozen=True)
class PipelinePlan(Plan):
    """A plan that knows the pipeline (see :class:`PipelineTargets`)."""

    in_pipeline: tuple[ProjectNote, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "in_pipeline": [n.to_dict() for n in self.in_pipeline]}
