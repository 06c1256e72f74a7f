"""What the analysis commands do, one function per command, on a :class:`~chaingraph.stores.GraphStore`.

Each function resolves the names it is given, picks the home region, fetches
the context graph from the store once and runs the analyses of
:mod:`chaingraph.analyses.gaps` and :mod:`chaingraph.analyses.targets`, then hands
results to :mod:`chaingraph.exports` where a file is wanted. This is the only
module that ties stores, analyses and exports together; the CLI calls it and
prints what it returns.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeGuard

from chaingraph import __version__
from chaingraph.analyses.gaps import (
    GapReport,
    RegionGapReport,
    find_gaps,
    find_region_gaps,
    gaps_from_table,
    local_gaps_from_table,
    region_gaps_from_table,
    what_if_summaries,
)
from chaingraph.datasets import MAX_FILE_SIZE, MAX_TOML_SIZE, read_file
from chaingraph.errors import ChainGraphError, Message, UnknownFirmError
from chaingraph.exports.cells import prepare_output
from chaingraph.i18n import header, join, text
from chaingraph.model import (
    CONFIRMED,
    CandidateSource,
    GapSource,
    Lang,
    display_name,
    regions_within,
    segment_distances,
)
from chaingraph.names import Entry, NameIndex
from chaingraph.stores import FirmColumns, GraphStore, is_database_uri, refuse_other_uri

if TYPE_CHECKING:
    import networkx as nx

    from chaingraph.analyses.pipeline import (
        PipelinePlan,
        PipelineReport,
        PipelineTargets,
        ProjectNote,
        ProjectTable,
    )
    from chaingraph.analyses.targets import GroupMember, Target
    from chaingraph.exports._page import Page
    from chaingraph.exports.workbook import PipelineBook, Report

# The analyses of targets, plans and projects, and the exports of tables, import networkx and numpy: they are
# imported by the functions that use them, so that `gaps` on a memory store starts without them (issue 17).

__all__ = [
    "TargetReport",  # noqa: F822  (imported on first use, by __getattr__ below)
    "gap_report",
    "target_report",
    "plan_report",
    "run_demo",
    "dataset_warnings",
    "report",
    "demo_summary",
    "Demo",
    "html_report",
    "load_weights",
    "parse_quotas",
    "resolve_chain",
    "DEMO_DATASET",
    "pipeline_report",
    "pipeline_book",
    "set_project",
    "export_neo4j_admin",
]

logger = logging.getLogger(__name__)


def __getattr__(name: str) -> Any:
    # jobs.TargetReport, re-exported, without importing the targets analysis for every command
    if name == "TargetReport":
        from chaingraph.analyses.targets import TargetReport

        return TargetReport
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

#: The demo dataset, next to the package in a source checkout.
DEMO_DATASET = Path(__file__).resolve().parent.parent / "datasets" / "jiashan"


# -- helpers -------------------------------------------------------------------------------------

def _template_names(template: nx.MultiDiGraph, kind: str) -> NameIndex:
    """A name index over the chains, segments or regions of the template."""
    nodes = template.nodes
    return NameIndex((Entry(str(n), str(d.get("name") or ""), str(d.get("name_en") or ""),
                            where=str(nodes[d["chain"]].get("name") or "") if d.get("chain") in template else "")
                      for n, d in template.nodes(data=True) if d.get("kind") == kind), kind=kind)


def _home_region(store: GraphStore, template: nx.MultiDiGraph, region: str | None) -> str:
    r = region or store.metadata().get("home_region")
    if not r:
        raise ChainGraphError(key="error.no_home_region")
    return _template_names(template, "region").match(str(r)).id


def resolve_chain(template: nx.MultiDiGraph, text: str) -> str:
    """The chain ``text`` (an id or a name, see :mod:`chaingraph.names`) means."""
    return _template_names(template, "chain").match(text).id


def _anchors(store: GraphStore, names: Sequence[str], region: str) -> list[str]:
    if names:
        return list(dict.fromkeys(store.resolve_firm(n) for n in names))
    found = store.anchors(region)
    if not found:
        raise ChainGraphError(key="error.no_anchors", region=region)
    return found


class _Rules(TypedDict):
    min_confidence: float
    confirmed: float


@dataclass(frozen=True)
class _Scope:
    """What every command settles first: the template, the home region and the anchors, by id."""

    store: GraphStore
    template: nx.MultiDiGraph
    region: str
    anchors: list[str]
    depth: int
    threshold: float
    min_confidence: float = 0.0
    confirmed: float = CONFIRMED

    def rules(self) -> _Rules:
        """The evidence options every analysis of this scope takes (min_confidence, confirmed)."""
        return _Rules(min_confidence=self.min_confidence, confirmed=self.confirmed)

    def segments(self) -> set[str]:
        """Segments within ``depth`` FEEDS steps of the anchors' own segments."""
        out: set[str] = set()
        for a in self.anchors:
            out.update(segment_distances(self.template, self.store.firm(a).get("segments") or (), depth=self.depth))
        return out

    def counts_candidates(self) -> CandidateSource | None:
        """The store, when it counts candidates itself (faster than networkx on big graphs)."""
        s = self.store
        return s if isinstance(s, CandidateSource) and s.counts_candidates else None


def _scope(store: GraphStore, *, anchors: Sequence[str] = (), region: str | None = None, depth: int = 2,
           threshold: float = 0.5, min_confidence: float = 0.0, confirmed: float = CONFIRMED) -> _Scope:
    """Resolve the region and the anchors (ids or names; every anchor of the region when none)."""
    _check_depth(depth)
    template = store.template()
    R = _home_region(store, template, region)
    return _Scope(store, template, R, _anchors(store, anchors, R), depth, threshold, min_confidence, confirmed)


def _gap_context(scope: _Scope, what_if: Collection[str] = ()) -> nx.MultiDiGraph:
    """The one context every gap table and chain map is computed on.

    It holds the anchors, their suppliers and the local firms of *every*
    segment, so a chain map counts the local firms of segments beyond
    ``depth`` too, and ``gaps``, ``html --chain-map``, ``demo`` and the
    workbook report the same statuses and counts. Local firms are few, so this
    stays small on a national graph.
    """
    segments = {n for n, d in scope.template.nodes(data=True) if d.get("kind") == "segment"}
    G = scope.store.context(anchors=scope.anchors, segments=segments, region=scope.region, external=False)
    _add_firms(scope.store, G, list(what_if) + _group_parents(scope))
    return G


def _group_parents(scope: _Scope) -> list[str]:
    """The home region's anchors (the analysed ones and the others) and their parent firms up to the
    top of their groups, for the analyses' group rules: no firm of a home anchor's group is a target."""
    home = [a for a in scope.store.anchors(scope.region) if a not in scope.anchors]
    out: list[str] = list(home)
    # one level of every chain at a time, one lookup per level (store.firm scans the ids once per call)
    climbing = {a: (a, {a}) for a in [*scope.anchors, *home]}  # start -> (current firm, seen)
    while climbing:
        found = _firm_attrs(scope.store, sorted({f for f, _ in climbing.values()}), ("parent",))
        for start, (f, seen) in list(climbing.items()):
            if f not in found:
                raise UnknownFirmError(f)
            parent = found[f].get("parent")
            if not parent or parent in seen:
                del climbing[start]
                continue
            seen.add(parent)
            out.append(parent)
            climbing[start] = (parent, seen)
    return out


def _target_context(scope: _Scope) -> nx.MultiDiGraph:
    """The context that ranking targets in networkx needs, fetched in two steps.

    Candidates are the firms of gap segments only, so the gaps are found first
    on the small local context; the second, external context then holds the
    firms of the gap segments and of the anchors' own segments (the peers),
    not every segment within ``depth``. On a million-firm graph that halves
    what the store has to hand over.
    """
    local = scope.store.context(anchors=scope.anchors, segments=scope.segments(), region=scope.region,
                                external=False)
    _add_firms(scope.store, local, _group_parents(scope))
    report = find_region_gaps(local, scope.anchors, region=scope.region, depth=scope.depth,
                              threshold=scope.threshold, **scope.rules())
    needed = {s.id for rep in report.anchors for s in rep.segments
              if s.direction == "own" or s.status in ("missing", "weak")}
    G = scope.store.context(anchors=scope.anchors, segments=needed, region=scope.region, external=True)
    _add_firms(scope.store, G, _group_parents(scope))
    return G


def _ranking_context(scope: _Scope) -> tuple[nx.MultiDiGraph, CandidateSource | None]:
    """What ranking targets reads: the gap context and the store when it counts candidates,
    else the two-step context of :func:`_target_context`."""
    source = scope.counts_candidates()
    if source is not None:
        return _gap_context(scope), source
    return _target_context(scope), None


def _ranking_inputs(scope: _Scope, *, plan: bool = False) -> tuple[nx.MultiDiGraph, CandidateSource | None,
                                                                   RegionGapReport]:
    """The context ranking targets reads, the store when it counts candidates, and the anchors' gaps.

    A store that counts candidates and gathers gap tables itself (the memory store) needs no context
    of the local firms: the gaps come from its table (:func:`region_gaps_from_table`, the same reports
    as on the gap context) and the ranking's graph holds only the template, the home anchors and their
    groups' parent firms, which is all it reads when the store counts and explains
    (``tests/test_target_reasons.py``); for a ``plan``, also the anchors' suppliers and their links to
    them, which it reads its picks' fits from. A million-firm region's context took a second.

    Other stores rank on :func:`_ranking_context`; their gaps come from the gap context, or for a plan
    from the ranking's own context, which its summaries after the picks are computed on.
    """
    source = scope.counts_candidates()
    store = scope.store
    if source is not None and _tables_gaps(tables := scope.store):
        table = tables.gap_table(anchors=scope.anchors, region=scope.region, depth=scope.depth)
        gaps = region_gaps_from_table(table, scope.anchors, depth=scope.depth, threshold=scope.threshold,
                                      **scope.rules())
        G = (store.context(anchors=scope.anchors, segments=(), region=scope.region, external=False) if plan
             else scope.template.copy())
        _add_firms(store, G, [*scope.anchors, *_group_parents(scope)])
        return G, source, gaps
    G, source = _ranking_context(scope)
    G_gaps = G if source or plan else _gap_context(scope)
    return G, source, find_region_gaps(G_gaps, scope.anchors, region=scope.region, depth=scope.depth,
                                       threshold=scope.threshold, **scope.rules())


def _tables_gaps(store: GraphStore) -> TypeGuard[GapSource]:
    """Whether ``store`` gathers gap tables itself (:class:`~chaingraph.model.GapSource`)."""
    return isinstance(store, GapSource) and store.tables_gaps


def _gaps_with(scope: _Scope) -> Callable[[Sequence[str]], Mapping[str, GapReport]] | None:
    """A plan's gap reports with some firms counted as local, from the store's gap tables (``None``
    for a store without them: the plan computes them on its context)."""
    store = scope.store
    if not _tables_gaps(store):
        return None

    def gaps_with(local: Sequence[str]) -> Mapping[str, GapReport]:
        table = store.gap_table(anchors=scope.anchors, region=scope.region, depth=scope.depth, extra=local)
        return local_gaps_from_table(table, scope.anchors, local=local, depth=scope.depth,
                                     threshold=scope.threshold, **scope.rules())

    return gaps_with


def _add_firms(store: GraphStore, G: nx.MultiDiGraph, firms: Collection[str]) -> None:
    """Add firms the context left out (what-if firms elsewhere), without their links."""
    missing = [f for f in dict.fromkeys(firms) if f not in G]
    if len(missing) > 1 and isinstance(store, CandidateSource):
        # one lookup for them all: a pipeline's what-if holds thousands of firms, and each store.firm
        # call scans the whole firm column
        found = store.neighbourhood((), also=missing)
        G.add_nodes_from((f, found.nodes[f]) for f in missing if f in found)
    for f in missing:
        if f not in G:  # store.firm raises UnknownFirmError for an unknown id
            attrs = dict(store.firm(f))
            attrs.setdefault("kind", "firm")
            G.add_node(f, **attrs)


def _check_depth(depth: int) -> None:
    if depth < 0:
        raise ChainGraphError(key="error.depth", depth=depth)


def load_weights(spec: str | None = None, profile: str | Path | None = None) -> dict[str, float] | None:
    """Weights from a TOML profile file, then ``spec`` (``a=3,b=1``) on top; ``None`` if neither."""
    from chaingraph.analyses.targets import parse_weights, weights_from_toml

    base = None
    if profile is not None:
        path = Path(profile)
        raw = read_file(path, max_size=MAX_TOML_SIZE, missing_hint=Message("hint.profile_path"))
        assert raw is not None
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ChainGraphError(key="error.profile_utf8", path=str(path)) from None
        base = weights_from_toml(content, name=str(path))
    if spec:
        return parse_weights(spec, base=base)
    return base


def parse_quotas(specs: Sequence[str]) -> dict[str, int]:
    """``["li=10", "digital=10"]`` to ``{"li": 10, "digital": 10}``.

    Examples
    --------
    >>> parse_quotas(["li=10", "digital = 5"])
    {'li': 10, 'digital': 5}
    """
    out: dict[str, int] = {}
    for spec in specs:
        for part in spec.split(","):
            chain, sep, k = part.partition("=")
            try:
                n = int(k.strip())
            except ValueError:
                n = -1
            if not sep or not chain.strip() or n < 0:
                raise ChainGraphError(key="error.quota", part=part)
            out[chain.strip()] = n
    return out


def _resolve_quotas(template: nx.MultiDiGraph, quotas: Mapping[str, int]) -> dict[str, int]:
    """Quotas keyed by chain id, the chains named by id or name."""
    out: dict[str, int] = {}
    for chain, k in quotas.items():
        cid = resolve_chain(template, chain)
        out[cid] = out.get(cid, 0) + k
    return out


# -- commands ------------------------------------------------------------------------------------

def gap_report(
    store: GraphStore,
    *,
    anchor: str | None = None,
    depth: int = 2,
    region: str | None = None,
    threshold: float = 0.5,
    what_if: Sequence[str] = (),
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> dict[str, Any]:
    """The gaps around ``anchor`` (a firm id or name), or around every anchor of the region.

    Returns the JSON shape of :meth:`chaingraph.analyses.gaps.GapReport.to_dict`, or
    without ``anchor`` ``{"region", "depth", "anchors": [...], "chains": [...]}``.
    """
    if _tables_gaps(store):
        return _gap_report_from_table(store, anchor=anchor, depth=depth, region=region, threshold=threshold,
                                      what_if=what_if, min_confidence=min_confidence, confirmed=confirmed)
    scope = _scope(store, anchors=[anchor] if anchor else [], region=region, depth=depth, threshold=threshold,
                   min_confidence=min_confidence, confirmed=confirmed)
    wi = [store.resolve_firm(w) for w in what_if]
    G = _gap_context(scope, wi)
    anchors, R = scope.anchors, scope.region
    if anchor:
        one = find_gaps(G, anchors[0], region=R, depth=depth, threshold=threshold, what_if=wi,
                        **scope.rules()).to_dict()
        return _with_chain_names(one, scope.template)
    return _with_chain_names(find_region_gaps(G, anchors, region=R, depth=depth, threshold=threshold,
                                              what_if=wi, **scope.rules()).to_dict(), scope.template)


def _gap_report_from_table(store: GapSource, *, anchor: str | None, depth: int, region: str | None,
                           threshold: float, what_if: Sequence[str], min_confidence: float,
                           confirmed: float) -> dict[str, Any]:
    """:func:`gap_report` on the store's gap table (:class:`~chaingraph.model.GapSource`): the same
    report without a context graph, nor networkx imported (``tests/test_gaps_table.py``)."""
    _check_depth(depth)
    regions, chains, _, _ = store.chain_template()
    graph_store: GraphStore = store  # type: ignore[assignment]  # a GapSource is also a GraphStore here
    r = region or graph_store.metadata().get("home_region")
    if not r:
        raise ChainGraphError(key="error.no_home_region")
    R = str(r).strip()
    if R not in {x.id for x in regions}:  # a name: matched as _home_region does (an id matches itself there)
        R = NameIndex((Entry(x.id, x.name or "", x.name_en or "") for x in regions), kind="region").match(R).id
    anchors = _anchors(graph_store, [anchor] if anchor else [], R)
    wi = [graph_store.resolve_firm(w) for w in what_if]
    table = store.gap_table(anchors=anchors, region=R, depth=depth, extra=wi, every_segment=not anchor)
    refs = {c.id: {"name": c.name or "", "name_en": c.name_en or ""} for c in chains}
    if anchor:
        one = gaps_from_table(table, anchors[0], depth=depth, threshold=threshold, what_if=wi,
                              min_confidence=min_confidence, confirmed=confirmed).to_dict()
        return _named_chains(one, refs)
    return _named_chains(region_gaps_from_table(table, anchors, depth=depth, threshold=threshold, what_if=wi,
                                                min_confidence=min_confidence, confirmed=confirmed).to_dict(),
                         refs)


def _chain_refs(template: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """Chain id to its names, for people to read."""
    return {str(n): {"name": str(d.get("name") or ""), "name_en": str(d.get("name_en") or "")}
            for n, d in template.nodes(data=True) if d.get("kind") == "chain"}


def _with_chain_names(report: dict[str, Any], template: nx.MultiDiGraph) -> dict[str, Any]:
    """Add ``chain_name`` and ``chain_name_en`` to every segment of a gap report dict (ids stay)."""
    return _named_chains(report, _chain_refs(template))


def _named_chains(report: dict[str, Any], refs: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """:func:`_with_chain_names` with the chain names ``refs`` (chain id to ``name`` and ``name_en``)."""
    for rep in report.get("anchors", [report]):
        for s in rep.get("segments", []):
            ref = refs.get(s.get("chain") or "", {})
            s["chain_name"], s["chain_name_en"] = ref.get("name", ""), ref.get("name_en", "")
    return report


def target_report(
    store: GraphStore,
    *,
    anchors: Sequence[str] = (),
    depth: int = 2,
    region: str | None = None,
    top: int | None = 20,
    chain: str | None = None,
    min_output: float | None = None,
    weights: Mapping[str, float] | None = None,
    threshold: float = 0.5,
    lang: Lang = "zh",
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> PipelineTargets:
    """Ranked targets for ``anchors`` (ids or names; all anchors of the region by default)."""
    from chaingraph.analyses.pipeline import PipelineTargets
    from chaingraph.analyses.targets import rank_with_group

    scope = _scope(store, anchors=anchors, region=region, depth=depth, threshold=threshold,
                   min_confidence=min_confidence, confirmed=confirmed)
    if chain:
        chain = resolve_chain(scope.template, chain)
    ids, R = scope.anchors, scope.region
    G, source, gaps = _ranking_inputs(scope)
    live, projects = _live_firms(store)
    # the ranking's gaps are these (on the same facts): not computed twice
    targets, group = rank_with_group(G, ids, region=R, depth=depth, top=top, weights=weights, chain=chain,
                                     min_output=min_output, lang=lang, threshold=threshold, source=source,
                                     exclude=live, **scope.rules(),
                                     gap_reports={r.anchor.id: r for r in gaps.anchors} if source else None)
    named = _with_chain_names({"anchors": [a.to_dict() for a in gaps.anchors]}, scope.template)
    gap_dicts = tuple(named["anchors"])
    notes = _pipeline_notes(scope, projects, gap_dicts, chain)
    return PipelineTargets(gaps.region, tuple(targets), gap_dicts, tuple(group), in_pipeline=notes)


def plan_report(
    store: GraphStore,
    *,
    budget: int,
    quotas: Mapping[str, int] | None = None,
    anchors: Sequence[str] = (),
    depth: int = 2,
    region: str | None = None,
    threshold: float = 0.5,
    weights: Mapping[str, float] | None = None,
    what_if: Sequence[str] = (),
    lang: Lang = "zh",
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> PipelinePlan:
    """A portfolio of ``budget`` targets for the region's anchors (see :func:`chaingraph.analyses.plan.plan_targets`)."""
    from chaingraph.analyses.pipeline import PipelinePlan
    from chaingraph.analyses.plan import plan_targets

    scope = _scope(store, anchors=anchors, region=region, depth=depth, threshold=threshold,
                   min_confidence=min_confidence, confirmed=confirmed)
    if quotas:
        quotas = _resolve_quotas(scope.template, quotas)
    ids, R = scope.anchors, scope.region
    wi = [store.resolve_firm(w) for w in what_if]
    G, source, region_gaps = _ranking_inputs(scope, plan=True)
    _add_firms(store, G, wi)
    live, projects = _live_firms(store)
    # the gaps before, computed once for the gap tables and the plan (picks add no links to G)
    gaps = region_gaps.anchors
    plan = plan_targets(G, ids, region=R, budget=budget, quotas=quotas, depth=depth, threshold=threshold,
                        weights=weights, what_if=wi, lang=lang, source=source, exclude=sorted(live - set(wi)),
                        **scope.rules(), gap_reports={r.anchor.id: r for r in gaps},
                        gaps_with=_gaps_with(scope) if source else None)
    gap_dicts = tuple(a.to_dict() for a in gaps)
    notes = _pipeline_notes(scope, projects, gap_dicts, None)
    plan = replace(plan, chain_refs=_chain_refs(scope.template))
    return PipelinePlan(**{f.name: getattr(plan, f.name) for f in fields(plan)}, in_pipeline=notes)


def report(
    store: GraphStore,
    *,
    top: int | None = 50,
    budget: int = 10,
    depth: int = 2,
    region: str | None = None,
    threshold: float = 0.5,
    weights: Mapping[str, float] | None = None,
    lang: Lang = "zh",
    min_confidence: float = 0.0,
    confirmed: float = CONFIRMED,
) -> Report:
    """Everything the recruiter workbook shows (:func:`chaingraph.exports.workbook.write_report`).

    The targets of every anchor of the region (and the anchors' group members,
    listed apart), the region's gap tables and chain map, and a plan of
    ``budget`` picks with a quota per chain of ``budget // (2 * chains)`` (so
    no chain is left out), on the same contexts and evidence rules as
    ``targets``, ``gaps`` and ``plan``.
    """
    from chaingraph.analyses.plan import plan_targets
    from chaingraph.analyses.targets import DEFAULT_WEIGHTS, rank_with_group
    from chaingraph.exports.workbook import Report

    scope = _scope(store, region=region, depth=depth, threshold=threshold, min_confidence=min_confidence,
                   confirmed=confirmed)
    ids, R = scope.anchors, scope.region
    G, source = _ranking_context(scope)
    live, _ = _live_firms(store)  # firms with a live project are already being recruited, as in targets and plan
    targets, group = rank_with_group(G, ids, region=R, depth=depth, top=top, weights=weights, lang=lang,
                                     threshold=threshold, source=source, exclude=live, **scope.rules())
    gaps = _with_chain_names(find_region_gaps(_gap_context(scope), ids, region=R, depth=depth,
                                              threshold=threshold, **scope.rules()).to_dict(), scope.template)
    chains = sorted({c for t in targets for c in t.chains})
    quota = budget // (2 * len(chains)) if chains else 0
    plan = plan_targets(G, ids, region=R, budget=budget, quotas={c: quota for c in chains if quota}, depth=depth,
                        threshold=threshold, weights=weights, lang=lang, source=source, exclude=sorted(live),
                        **scope.rules())
    meta = store.metadata()
    about = {"name": meta.get("name") or "", "title": meta.get("title") or meta.get("name") or "",
             "dataset": f"{meta.get('title') or ''} ({meta.get('name') or ''})", "fingerprint": _fingerprint(meta),
             "date": _dt.date.today().isoformat(), "region": display_name(gaps["region"], lang),
             "version": __version__}
    return Report(targets=targets, gaps=gaps["anchors"], chains=gaps.get("chains", []),
                  plan=replace(plan, chain_refs=_chain_refs(scope.template)), about=about,
                  weights={**DEFAULT_WEIGHTS, **(weights or {})}, quality=_quality(store),
                  currency=str(meta.get("currency") or "CNY"), groups=_group_rows(group, lang),
                  pipeline=pipeline_book(store) if store.projects() else None)


def _group_rows(group: Sequence[GroupMember], lang: Lang) -> list[dict[str, Any]]:
    """The 集团内扩产 sheet: one row per group member (firm, group, anchors, segments, reasons)."""
    sep = "；" if lang == "zh" else "; "
    return [{header("firm", lang): display_name(g.firm.to_dict(), lang),
             header("firm_id", lang): g.firm.id,
             text("group.header", lang): display_name(g.group.to_dict(), lang),
             header("anchors", lang): join([display_name(a.to_dict(), lang) for a in g.anchors], lang),
             header("segments", lang): join([display_name(s.to_dict(), lang) for s in g.segments], lang),
             header("reasons", lang): sep.join(g.reasons)} for g in group]


def _fingerprint(meta: Mapping[str, Any]) -> str:
    """The dataset's fingerprint: the database's own, else a hash of the folder's files (12 hex digits)."""
    if meta.get("fingerprint"):
        return str(meta["fingerprint"])
    folder = Path(str(meta.get("source") or ""))
    if not folder.is_dir():
        return ""
    h = hashlib.sha256()
    for f in sorted(folder.glob("*")):
        if f.is_file() and f.suffix in (".csv", ".toml"):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def _quality(store: GraphStore) -> dict[str, int]:
    """Counts, and what the firms lack (output value, credit code) when the store holds the columns."""
    out = dict(store.counts())
    firms = getattr(getattr(store, "dataset", None), "firms", None)
    if firms is not None:
        for column in ("output_value", "credit_code", "source"):
            if column in firms.column_names:
                out[f"missing_{column}"] = int(firms.column(column).null_count)
    return out


@dataclass(frozen=True)
class Demo:
    """What :func:`run_demo` wrote (``files``, in order) and the summary the CLI prints."""

    files: list[Path]
    summary: dict[str, Any]


def run_demo(
    out_dir: str | Path = "chaingraph-demo",
    *,
    lang: Lang = "zh",
    source: str | Path | None = None,
    budget: int = 10,
    top: int = 50,
    min_confidence: float = 0.0,
    max_file_size: int = MAX_FILE_SIZE,
) -> Demo:
    """Run every analysis on the demo dataset and write the results into ``out_dir``.

    Writes ``gaps-<anchor>.json`` per anchor, ``gaps-region.json``,
    ``targets.csv``, ``targets.xlsx``, ``plan.json``, the recruiter workbook
    (``招商报告.xlsx``, or ``recruitment-report.xlsx`` in English),
    ``graph-<anchor>.html``, ``chain-map.html`` and ``firm-map.html``.
    """
    from chaingraph.stores import open_store

    src = Path(source) if source is not None else DEMO_DATASET
    if not src.exists() and source is None:
        src = Path("datasets") / "jiashan"
    if not src.exists():
        raise ChainGraphError(key="error.demo_missing", path=str(src))
    out = Path(out_dir)
    prepare_output(out / "x")
    store = open_store(str(src), max_file_size=max_file_size)
    try:
        rep = report(store, top=top, budget=budget, lang=lang, min_confidence=min_confidence)
        written = _write_demo_files(rep, out, lang)
        scope = _scope(store, min_confidence=min_confidence)
        region_gaps = find_region_gaps(_gap_context(scope), scope.anchors, region=scope.region, depth=2,
                                       **scope.rules())
        pages = _write_pages(_target_context(scope), out, scope.region, region_gaps.anchors, list(rep.targets),
                             region_gaps, lang, 2)
    finally:
        store.close()
    workbook = next(p for p in written if p.suffix == ".xlsx" and p.stem != "targets")
    return Demo(written + pages, demo_summary(rep, folder=out, workbook=workbook, page=out / "chain-map.html",
                                              files=len(written) + len(pages)))


def _write_demo_files(rep: Report, out: Path, lang: Lang) -> list[Path]:
    from chaingraph.exports.tables import write_target_table
    from chaingraph.exports.workbook import write_report

    written = [_write_json(out / f"gaps-{g['anchor']['id']}.json", g) for g in rep.gaps]
    region = {"region": rep.gaps[0]["region"] if rep.gaps else {}, "anchors": list(rep.gaps),
              "chains": list(rep.chains)}
    written.append(_write_json(out / "gaps-region.json", region))
    for suffix in ("csv", "xlsx"):
        written.append(write_target_table(rep.targets, out / f"targets.{suffix}", lang=lang, gaps=rep.gaps))
    assert rep.plan is not None
    written.append(_write_json(out / "plan.json", rep.plan.to_dict()))
    name = "招商报告.xlsx" if lang == "zh" else "recruitment-report.xlsx"
    written.append(write_report(rep, out / name, lang=lang))
    return written


def demo_summary(rep: Report, *, folder: Path, workbook: Path, page: Path, files: int) -> dict[str, Any]:
    """Per anchor the completeness and the three worst gaps, the top five targets with their first reason,
    the plan's picks, and the files to open first."""
    anchors = []
    for g in rep.gaps:
        worst = sorted((s for s in g["segments"] if s["status"] in ("missing", "weak")),
                       key=lambda s: (s["status"] != "missing", s["direction"] != "upstream", s["distance"], s["id"]))
        anchors.append({"anchor": g["anchor"], "completeness": g["summary"]["completeness"],
                        "gaps": [{k: s[k] for k in ("id", "name", "name_en", "status")} for s in worst[:3]]})
    targets = [{"rank": t.rank, "firm": t.firm.to_dict(), "reason": t.reasons[0] if t.reasons else ""}
               for t in rep.targets[:5]]
    picks = [p.target.firm.to_dict() for p in rep.plan.picks] if rep.plan else []
    region = rep.gaps[0]["region"] if rep.gaps else {}
    return {"region": region, "anchors": anchors, "targets": targets, "picks": picks, "folder": str(folder),
            "workbook": str(workbook), "page": str(page), "files": files}


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _write_pages(G: nx.MultiDiGraph, out: Path, region: str, reports: Sequence[GapReport],
                 targets: Sequence[Target], region_gaps: Any, lang: Lang, depth: int) -> list[Path]:
    # The page writers import pyvis (and with it IPython): only the commands that draw a page pay for it.
    from chaingraph.exports.firm_map import write_firm_map
    from chaingraph.exports.html import write_html
    from chaingraph.exports.poster import write_chain_map

    written: list[Path] = []
    for rep in reports:
        mine = [t for t in targets if any(a.id == rep.anchor.id for a in t.anchors)]
        path = out / f"graph-{rep.anchor.id}.html"
        write_html(G, path, anchor=rep.anchor.id, gaps=rep, targets=mine, region=region, lang=lang, depth=depth)
        written.append(path)
    path = out / "chain-map.html"
    write_chain_map(G, path, region=region, targets=targets, status=region_gaps, lang=lang)
    written.append(path)
    path = out / "firm-map.html"
    write_firm_map(G, path, region=region, targets=targets, lang=lang)
    written.append(path)
    return written


def html_report(
    store: GraphStore,
    *,
    anchor: str | None = None,
    out: str | Path,
    depth: int = 2,
    targets: int = 10,
    lang: Lang = "zh",
    max_nodes: int = 2000,
    chain_map: bool = False,
    region: str | None = None,
    date: str | None = None,
    min_confidence: float = 0.0,
    chains: Sequence[str] = (),
    firm_map: bool = False,
) -> Page:
    """Write the firm graph of ``anchor``, the region's chain map, or the firm map, to ``out``.

    Parameters
    ----------
    store
        Any :class:`~chaingraph.stores.GraphStore`.
    anchor
        Id, name or English name of the anchor (not needed for the chain map).
    out
        Path of the HTML file.
    depth
        FEEDS steps from the anchors' segments that the analyses look at.
    targets
        Targets drawn on the firm graph, or listed per segment on the chain map.
    lang
        Language of the page.
    max_nodes
        Most firm nodes on the firm graph.
    chain_map
        Write the chain map of every anchor of the home region instead.
    region
        Home region id or name; default the dataset's ``home_region``.
    date
        Date shown in the page header (ISO); default today.
    chains
        Chain ids or names (zh or en) the chain map is limited to; default all.
    firm_map
        Write the firm map (firms by coordinates) of the region's anchors instead.

    Returns
    -------
    page
        What was drawn (see :class:`chaingraph.exports._page.Page`).

    Raises
    ------
    UnknownFirmError
        If ``anchor`` names no firm.
    ChainGraphError
        If neither ``anchor`` nor ``chain_map`` nor ``firm_map`` is given, a
        chain is unknown, or the home region has no anchors for the chain map.
    """
    from chaingraph.analyses.targets import rank_targets

    # The page writers import pyvis (and with it IPython): only the commands that draw a page pay for it.
    from chaingraph.exports.firm_map import write_firm_map
    from chaingraph.exports.html import write_html
    from chaingraph.exports.poster import write_chain_map

    if chain_map or firm_map:
        scope = _scope(store, region=region, depth=depth, min_confidence=min_confidence)
        G = _gap_context(scope)
        report = find_region_gaps(G, scope.anchors, region=scope.region, depth=depth, **scope.rules())
        ranked = list(target_report(store, region=scope.region, depth=depth, top=None, lang=lang,
                                    min_confidence=min_confidence).targets)
        _add_firms(store, G, [t.firm.id for t in ranked])
        if firm_map:
            return write_firm_map(G, out, region=scope.region, targets=ranked[:targets] if targets else ranked,
                                  lang=lang, date=date)
        wanted = [resolve_chain(scope.template, c) for c in chains] if chains else None
        return write_chain_map(G, out, region=scope.region, targets=ranked, status=report, lang=lang, top=targets,
                               date=date, chains=wanted)
    if not anchor:
        raise ChainGraphError(key="error.no_anchor_given")
    scope = _scope(store, anchors=[anchor], region=region, depth=depth, min_confidence=min_confidence)
    a = scope.anchors[0]
    G = _target_context(scope)
    gaps = find_gaps(G, a, region=scope.region, depth=depth, **scope.rules())
    # the page draws the context, but a store that counts candidates ranks them faster than networkx
    ranked = rank_targets(G, [a], region=scope.region, depth=depth, top=targets, lang=lang,
                          source=scope.counts_candidates(), **scope.rules())
    return write_html(G, out, anchor=a, gaps=gaps, targets=ranked, region=scope.region, lang=lang, depth=depth,
                      max_nodes=max_nodes, date=date)


# -- the project pipeline (issue 18) -------------------------------------------------------------

def _live_firms(store: GraphStore) -> tuple[set[str], ProjectTable]:
    """Firms with a live project today (never recommended again) and the store's projects, as a table
    :func:`_pipeline_notes` reads again."""
    from chaingraph.analyses.pipeline import pipeline_notes, project_table

    projects = project_table(store.projects())
    return pipeline_notes(projects, firms=())[0], projects


def _near_firms(projects: ProjectTable, segments: set[str]) -> set[str]:
    """The firms of projects in one of ``segments``, or in no segment named (they may be in any)."""
    return {f for f, segs in zip(projects.column("firm"), projects.column("segments"))
            if not segs or not segments.isdisjoint(segs)}


def _pipeline_notes(scope: _Scope, projects: ProjectTable, gaps: Sequence[Mapping[str, Any]],
                    chain: str | None) -> tuple[ProjectNote, ...]:
    """Notes on the projects of firms that would be candidates: not local, making a gap segment (made
    for those firms only: a national pipeline holds 500,000 projects)."""
    from chaingraph.analyses.pipeline import pipeline_notes

    gap_segs = {s["id"] for rep in gaps for s in rep.get("segments", ())
                if s.get("status") in ("missing", "weak") and (chain is None or s.get("chain") == chain)}
    wanted = sorted(_near_firms(projects, gap_segs))
    if isinstance(scope.store, FirmColumns):
        firms = scope.store.firms_making(wanted, gap_segs, outside=scope.region)
    else:
        inside = regions_within(scope.template, scope.region)
        firms = {f for f, attrs in _firm_attrs(scope.store, wanted, ("region", "segments")).items()
                 if attrs.get("region") not in inside and gap_segs & set(attrs.get("segments") or ())}
    return tuple(pipeline_notes(projects, firms=firms)[1])


def _firm_attrs(store: GraphStore, firms: Sequence[str], columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The attributes ``columns`` (at least) of each of ``firms`` (unknown ids left out), in one lookup
    where the store can.

    ``store.firm`` scans the whole firm column once per call: at a million firms, the 47,000 firms
    of the projects took minutes one by one (issue 17).
    """
    if isinstance(store, FirmColumns):
        return store.firm_columns(firms, columns)
    if len(firms) > 1 and isinstance(store, CandidateSource):
        found = store.neighbourhood((), also=firms)
        return {f: found.nodes[f] for f in firms if f in found}
    out = {}
    for f in firms:
        try:
            out[f] = store.firm(f)
        except UnknownFirmError:
            continue
    return out


def _day(text_: str | None) -> _dt.date:
    if not text_:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(text_.strip())
    except ValueError:
        raise ChainGraphError(key="error.as_of", value=text_) from None


def _pipeline_impact(store: GraphStore, T: nx.MultiDiGraph, projects: ProjectTable, *, region: str,
                     as_of: _dt.date, chain: str | None, park: str | None) -> dict[str, Any] | None:
    """Each anchor's gap summary before and after the firms of all signed (or all producing) projects
    count as local: the what-if of :func:`chaingraph.analyses.gaps.what_if_summaries`."""
    from chaingraph.analyses.pipeline import firms_by_stage

    if not store.anchors(region):
        return None
    scope = _scope(store, region=region)
    reach = scope.segments()
    chosen = firms_by_stage(T, projects, ("signed", "producing"), as_of=as_of, chain=chain, park=park)
    # a firm whose projects all lie outside the anchors' reach cannot change their gaps
    near = _near_firms(projects, reach)
    chosen = {k: [f for f in v if f in near] for k, v in chosen.items()}
    G = _gap_context(scope, sorted(set(chosen["signed"]) | set(chosen["producing"])))
    # summaries only: the what-if holds thousands of firms at scale, and only the summaries are shown
    rows = what_if_summaries(G, scope.anchors, region=scope.region, depth=scope.depth, scenarios=chosen)
    return {stage: {"firms": firms, "anchors": [
        {"anchor": anchor.to_dict(), "before": before.to_dict(), "after": after[stage].to_dict()}
        for anchor, before, after in rows]} for stage, firms in chosen.items()}


def pipeline_report(
    store: GraphStore,
    *,
    as_of: str | None = None,
    period: str | None = None,
    chain: str | None = None,
    park: str | None = None,
    impact: bool = False,
) -> PipelineReport:
    """The project pipeline as of ``as_of`` (ISO day, default today): see
    :func:`chaingraph.analyses.pipeline.analyse_pipeline`; with ``impact`` (``pipeline --impact``), also
    the gaps before and after the signed and producing projects' firms count as local."""
    from chaingraph.analyses.pipeline import analyse_pipeline, project_table

    meta = store.metadata()
    T = store.template()
    home = _home_region(store, T, None)
    day = _day(as_of)
    projects = project_table(store.projects())  # parsed once, for the report and the what-if
    report = analyse_pipeline(T, projects, as_of=day, home=home, period=period, chain=chain, park=park,
                              quotas=meta.get("quotas"), settings=meta.get("pipeline"))
    if impact and len(projects):
        report = replace(report, impact=_pipeline_impact(store, T, projects, region=home, as_of=day,
                                                         chain=chain, park=park))
    return report


def pipeline_book(store: GraphStore, *, as_of: str | None = None, period: str | None = None,
                  chain: str | None = None, park: str | None = None) -> PipelineBook:
    """What the 招商进度 and 项目台账 sheets show (:func:`chaingraph.exports.workbook.write_pipeline_workbook`):
    the pipeline as of ``as_of`` (default today) without the what-if, every project's ledger row, and
    the names of their chains, segments, parks and firms."""
    from chaingraph.analyses.pipeline import analyse_pipeline, project_ledger, project_table
    from chaingraph.exports.workbook import PipelineBook

    meta = store.metadata()
    T = store.template()
    day = _day(as_of)
    projects = project_table(store.projects())
    report = analyse_pipeline(T, projects, as_of=day, home=_home_region(store, T, None), period=period,
                              chain=chain, park=park, quotas=meta.get("quotas"), settings=meta.get("pipeline"))
    ledger = project_ledger(T, projects, as_of=day, chain=chain, park=park, settings=meta.get("pipeline"))
    ids = {i for r in ledger for i in (r.project.chain, r.project.park, *r.project.segments) if i}
    names = {i: {"name": str(T.nodes[i].get("name") or i), "name_en": str(T.nodes[i].get("name_en") or "")}
             for i in ids if i in T}
    names.update(_firm_names(store, {r.project.firm for r in ledger}))
    return PipelineBook(report, ledger, names, currency=str(meta.get("currency") or "CNY"))


def _firm_names(store: GraphStore, firms: Collection[str]) -> dict[str, dict[str, str]]:
    """``{"name", "name_en"}`` of each firm, in one lookup when the store offers one (a ledger names
    tens of thousands of firms, and each ``store.firm`` call scans the firm ids)."""
    found: dict[str, Mapping[str, Any]] = {}
    if len(firms) > 1 and isinstance(store, CandidateSource):
        G = store.neighbourhood((), also=sorted(firms))
        found = {f: G.nodes[f] for f in firms if f in G}
    for f in sorted(set(firms) - set(found)):
        try:
            found[f] = store.firm(f)
        except UnknownFirmError:  # a database loaded before the firm was added; the id will do
            found[f] = {}
    return {f: {"name": str(a.get("name") or f), "name_en": str(a.get("name_en") or "")} for f, a in found.items()}


def set_project(source: str, project: str, *, stage: str, date: str | None = None, reason: str | None = None,
                encoding: str | None = None, **options: Any) -> dict[str, Any]:
    """Set one project's stage (and that stage's date) in a dataset folder's projects.csv, validated
    first and written atomically, or in the database ``source`` names."""
    if is_database_uri(source):
        from chaingraph.stores.graphdb import CypherStore

        with CypherStore.connect(source, **options) as store:
            return dict(store.set_project_stage(project, stage=stage, date=date, reason=reason))
    refuse_other_uri(source)
    from chaingraph.datasets import set_project_stage

    return set_project_stage(source, project, stage=stage, date=date, reason=reason, encoding=encoding)


def dataset_warnings(store: GraphStore) -> int | None:
    """How many data-quality warnings the dataset behind ``store`` has (:mod:`chaingraph.quality`);
    ``None`` for a database, whose dataset was checked when it was loaded."""
    from chaingraph.quality import check_quality

    dataset = getattr(store, "dataset", None)
    return check_quality(dataset).total("warning") if dataset is not None else None


def export_neo4j_admin(source: str, out: str | Path, *, database: str = "neo4j", encoding: str | None = None,
                       progress: Any = None) -> dict[str, Any]:
    """Write the dataset folder ``source`` as neo4j-admin import files into ``out``
    (:func:`chaingraph.stores.neo4j_admin.write_neo4j_admin`): the bulk path into Neo4j for graphs
    too big for ``chaingraph load``. Returns its summary."""
    from chaingraph.datasets import read_dataset
    from chaingraph.stores.neo4j_admin import write_neo4j_admin

    if is_database_uri(source):
        raise ChainGraphError(key="error.neo4j_admin_source", scheme=source.split("://")[0])
    dataset = read_dataset(source, encoding=encoding, progress=progress)
    return write_neo4j_admin(dataset, out, database=database)
