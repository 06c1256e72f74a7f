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
import statistics
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from chaingraph.analyses.plan import Plan
from chaingraph.analyses.targets import TargetReport
from chaingraph.errors import ChainGraphError
from chaingraph.model import (
    DROPPED,
    PIPELINE_DEFAULTS,
    PROJECT_STAGE_ORDER,
    PROJECT_STAGES,
    Project,
    parse_project_date,
    period_bounds,
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


def _count(rows: Iterable[tuple[str, ProjectState]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for key, st in rows:
        counts = out.setdefault(key, {s: 0 for s in (*PROJECT_STAGES, DROPPED, "unknown")})
        counts[st.stage] += 1
    return {k: {s: n for s, n in v.items() if n or s != "unknown"} for k, v in sorted(out.items())}


def _funnel(rows: Iterable[tuple[str, ProjectState]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for key, st in rows:
        counts = out.setdefault(key, dict.fromkeys(PROJECT_STAGES, 0))
        for s in PROJECT_STAGES[: (st.reached + 1) if st.reached is not None else 0]:
            counts[s] += 1
    return dict(sorted(out.items()))


def _rates(states: Sequence[ProjectState]) -> dict[str, Any]:
    """Counts of signed, registered, started and producing projects, and the three rates."""
    signed = [st for st in states if st.reached is not None and st.reached >= _SIGNED]
    n = len(signed)
    out: dict[str, Any] = {"signed": n}
    for rate, stage in RATES:
        k = sum(1 for st in signed if st.reached_stage(stage))
        out[stage] = k
        out[rate] = round(k / n, 4) if n else None
    out["reason"] = None if n else "no_signed_projects"
    return out


def _durations(parsed: Sequence[_Bounds], as_of: _dt.date) -> tuple[dict[str, Any], ...]:
    exact = [{s: b[0] for s, b in bounds.items() if b[0] == b[1]} for bounds in parsed]  # day-precise only
    out = []
    for a, b in INTERVALS:
        days = [(e[b] - e[a]).days for e in exact if a in e and b in e and e[b] <= as_of]
        out.append({"from": a, "to": b, "n": len(days),
                    "median_days": statistics.median(days) if days else None})
    return tuple(out)


def _stall(p: Project, st: ProjectState, bounds: _Bounds, as_of: _dt.date,
           settings: Mapping[str, int]) -> StalledProject | str | None:
    """The project if stalled, its id if its current stage has no date to clock from, else ``None``."""
    if st.dropped or st.reached is None or st.stage not in _STALL_RULES:
        return None
    key, stages = _STALL_RULES[st.stage]
    clocks = [(bounds[s][1], p.dates[s]) for s in stages if s in bounds and bounds[s][0] <= as_of]
    if not clocks:
        return p.id
    start, text_ = max(clocks)
    days = (as_of - start).days
    limit = int(settings[key])
    if days <= limit:
        return None
    return StalledProject(p.id, p.name, p.firm, p.chain, st.stage, text_, days, limit, days - limit, p.owner)


def _states(projects: Iterable[Project], as_of: _dt.date) -> list[tuple[Project, ProjectState, _Bounds]]:
    """Each project that had begun by ``as_of``, with its state and parsed dates."""
    return [(p, st, b) for p in projects for b in (_bounds(p),) if (st := _state(p, b, as_of)) is not None]


def _in_period(bounds: _Bounds, lo: _dt.date, hi: _dt.date) -> bool:
    b = bounds.get("signed")
    return b is not None and lo <= b[0] <= hi


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


def _quotas(T: nx.MultiDiGraph, home: str, cohort: Sequence[tuple[Project, ProjectState]],
            quotas: Mapping[str, Any]) -> list[QuotaProgress]:
    live = [p for p, st in cohort if not st.dropped]
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


def _scoped(T: nx.MultiDiGraph, projects: Sequence[Project], chain: str | None,
            park: str | None) -> list[Project]:
    for value, kind in ((chain, "chain"), (park, "region")):
        if value is not None and (value not in T or T.nodes[value].get("kind") != kind):
            raise ChainGraphError(key=f"pipeline.no_{kind}", value=value)
    inside = regions_within(T, park) if park else None
    return [p for p in projects if (chain is None or p.chain == chain)
            and (inside is None or p.park in inside)]


def analyse_pipeline(
    T: nx.MultiDiGraph,
    projects: Sequence[Project],
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
        The dataset's projects.
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
    chosen = _scoped(T, projects, chain, park)
    rows = _states(chosen, as_of)
    states = [(p, st) for p, st, _ in rows]
    cohort = [(p, st) for p, st, b in rows if _in_period(b, lo, min(hi, as_of))]
    stalled, undated = [], []
    for p, st, b in rows:
        found = _stall(p, st, b, as_of, limits)
        if isinstance(found, StalledProject):
            stalled.append(found)
        elif found is not None:
            undated.append(found)
    stalled.sort(key=lambda s: (-s.overdue, s.id))
    every = rows if chain is None and park is None else _states(projects, as_of)
    items = [q for q in _quotas(T, home, [(p, st) for p, st, b in every if _in_period(b, lo, min(hi, as_of))], quotas)
             if (chain is None or not q.chains or chain in q.chains) and (park is None or q.scope == park)]
    dropped = tuple(ProjectNote(p.firm, p.id, p.name, DROPPED, p.dates.get(DROPPED), p.owner, p.drop_reason)
                    for p, st in states if st.dropped)
    undated_signed = tuple(p.id for p, st in states if st.reached_stage("signed") and "signed" not in p.dates)
    parks = [(p.park or home, st) for p, st in states]
    return PipelineReport(
        as_of=as_of.isoformat(), period=label, chain=chain, park=park, projects=len(states),
        by_chain=_count((p.chain, st) for p, st in states), by_park=_count(parks),
        funnel=_funnel((p.chain, st) for p, st in states),
        rates={"cohort": _rates([st for _, st in cohort]), "cumulative": _rates([st for _, st in states])},
        durations=_durations([b for _, _, b in rows], as_of), quotas=tuple(items), stalled=tuple(stalled),
        undated=tuple(undated), undated_signed=undated_signed, dropped=dropped,
        names=_names(T, {p.chain for p, _ in states} | {k for k, _ in parks} | {q.scope for q in items}),
        settings=limits,
    )


def pipeline_notes(projects: Iterable[Project], *, firms: Collection[str] | None = None,
                   as_of: _dt.date | None = None) -> tuple[set[str], list[ProjectNote]]:
    """The firms with a live project (not to be recommended again) and a note per project of ``firms``.

    A live project's note gives its stage and the date of that stage (``since``); a dropped one's
    gives the reason. ``firms=None`` notes every project.

    Examples
    --------
    >>> ps = [Project("p1", "Plant", "f1", "li", "negotiating", dates={"negotiating": "2023-03-02"},
    ...               owner="锂电池专班"),
    ...       Project("p2", "Old plan", "f2", "li", "dropped", drop_reason="资金未到位")]
    >>> live, notes = pipeline_notes(ps)
    >>> sorted(live), [(n.firm, n.stage, n.since, n.drop_reason) for n in notes]
    (['f1'], [('f1', 'negotiating', '2023-03-02', None), ('f2', 'dropped', None, '资金未到位')])
    """
    day = as_of or _dt.date.today()
    live: set[str] = set()
    notes = []
    for p in projects:
        st = project_state(p, day)
        if st is None:
            continue
        if not st.dropped:
            live.add(p.firm)
        if firms is None or p.firm in firms:
            stage = st.stage
            notes.append(ProjectNote(p.firm, p.id, p.name, stage, p.dates.get(stage), p.owner,
                                     p.drop_reason if st.dropped else None))
    return live, notes


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


def firms_by_stage(T: nx.MultiDiGraph, projects: Sequence[Project], stages: Sequence[str], *, as_of: _dt.date,
                   chain: str | None = None, park: str | None = None) -> dict[str, list[str]]:
    """:func:`firms_reaching` for several stages at once, reading each project once.

    Examples
    --------
    >>> ps = [Project("a", "A", "f1", "li", "producing"), Project("b", "B", "f2", "li", "signed")]
    >>> firms_by_stage(nx.MultiDiGraph(), ps, ("signed", "producing"), as_of=_dt.date(2024, 1, 1))
    {'signed': ['f1', 'f2'], 'producing': ['f1']}
    """
    live = [(p.firm, st.reached) for p, st, _ in _states(_scoped(T, projects, chain, park), as_of)
            if not st.dropped and st.reached is not None]
    return {s: sorted({f for f, r in live if r >= PROJECT_STAGE_ORDER[s]}) for s in stages}


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
