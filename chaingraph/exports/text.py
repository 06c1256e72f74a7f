"""Terminal text: the plain tables the CLI prints for gaps, targets and plans.

Columns are padded to their display width, so Chinese names line up.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chaingraph.analyses.pipeline import PipelineReport, ProjectNote
from chaingraph.analyses.plan import Plan
from chaingraph.analyses.targets import Target, TargetReport
from chaingraph.i18n import action_label, format_money, header, join, status_label, text
from chaingraph.model import Lang, display_name

__all__ = ["render_info", "render_gaps", "render_targets", "render_plan", "render_pipeline",
           "render_project_notes", "quota_label"]


def _pct(x: float | None, lang: Lang) -> str:
    return text("none", lang) if x is None else f"{x:.0%}"


def _summary_line(summary: Mapping[str, Any], lang: Lang) -> str:
    return text("summary", lang, segments=summary["segments"], covered=summary["covered"],
                weak=summary["weak"], missing=summary["missing"],
                completeness=_pct(summary["completeness"], lang),
                local_supply_ratio=_pct(summary["local_supply_ratio"], lang))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain table with columns padded to their display width (CJK characters count 2)."""
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _render_one(rep: Mapping[str, Any], lang: Lang) -> str:
    title = text("title.gaps", lang, anchor=display_name(rep["anchor"], lang), region=display_name(rep["region"], lang),
                 depth=rep["depth"])
    cols = ["segment", "chain", "direction", "distance", "status", "action", "local_firms",
            "suppliers_local", "suppliers_external", "suppliers_unconfirmed", "suppliers_group", "local_share",
            "single_source"]
    rows = []
    for s in rep["segments"]:
        sup = s["anchor_suppliers"]
        rows.append([
            display_name(s, lang), str(s["chain"] or ""), text(f"direction.{s['direction']}", lang), str(s["distance"]),
            status_label(s["status"], lang), action_label(s["action"], lang), str(len(s["local_firms"])),
            str(len(sup["local"])), str(len(sup["external"])), str(len(sup.get("unconfirmed", ()))),
            str(len(sup.get("group", ()))),
            _pct(s["local_share"], lang),
            text("single_source", lang) if s["single_source"] else "",
        ])
    parts = [title, _table([header(c, lang) for c in cols], rows), _summary_line(rep["summary"], lang)]
    parts += [text(f"warning.{code}", lang, anchor=display_name(rep["anchor"], lang)) for code in rep.get("warnings", ())]
    wi = rep.get("what_if")
    if wi:
        parts.append(text("what_if", lang, firms=join([display_name(f, lang) for f in wi["firms"]], lang)))
        parts.append(f"  {text('before', lang)}: {_summary_line(wi['before'], lang)}")
        parts.append(f"  {text('after', lang)}: {_summary_line(wi['after'], lang)}")
    return "\n".join(parts)


def render_gaps(report: Mapping[str, Any], *, lang: Lang = "zh") -> str:
    """A gap report (the dict of :func:`gap_report`) as text tables."""
    if "anchor" in report:
        return _render_one(report, lang)
    parts = [_render_one(a, lang) for a in report["anchors"]]
    for c in report.get("chains", []):
        title = text("title.region", lang, region=display_name(report["region"], lang)) + f" — {display_name(c, lang)}"
        rows = [[display_name(s, lang), text(f"stage.{s['stage']}", lang), status_label(s["status"], lang),
                 str(s["local_firms"]), ", ".join(s["anchors"])] for s in c["segments"]]
        parts.append(title + "\n" + _table(
            [header("segment", lang), header("stage", lang), header("status", lang),
             header("local_firms", lang), header("anchors", lang)], rows))
    return "\n\n".join(parts)


def _target_row(t: Target, lang: Lang) -> list[str]:
    sep = "；" if lang == "zh" else "; "
    ov = t.firm.output_value
    return [str(t.rank), display_name(t.firm.to_dict(), lang), join([display_name(s.to_dict(), lang) for s in t.segments], lang),
            join([display_name(a.to_dict(), lang) for a in t.anchors], lang), f"{t.score:.3f}",
            format_money(ov, lang) if ov else "", sep.join(t.reasons)]


def render_targets(report: TargetReport, *, lang: Lang = "zh") -> str:
    """Ranked targets as a text table."""
    cols = ["rank", "firm", "segments", "anchors", "score", "output_value", "reasons"]
    title = text("title.targets", lang, region=display_name(report.region, lang))
    return title + "\n" + _table([header(c, lang) for c in cols], [_target_row(t, lang) for t in report.targets])


def render_plan(plan: Plan, *, lang: Lang = "zh") -> str:
    """A plan: its picks, then each anchor's summary before and after."""
    cols = ["order", "firm", "segments", "anchors", "gain", "score", "chain"]
    rows = [[str(p.order), display_name(p.target.firm.to_dict(), lang),
             join([display_name(s.to_dict(), lang) for s in p.target.segments], lang),
             join([display_name(a.to_dict(), lang) for a in p.target.anchors], lang), f"{p.gain:.3f}",
             f"{p.target.score:.3f}", ", ".join(p.chains)] for p in plan.picks]
    parts = [text("title.plan", lang, budget=plan.budget), _table([header(c, lang) for c in cols], rows)]
    if plan.what_if:
        parts.append(text("what_if", lang, firms=join([display_name(f.to_dict(), lang) for f in plan.what_if], lang)))
    names = {a.id: display_name(a.to_dict(), lang) for a in plan.anchors}
    for a in plan.before:
        parts.append(names.get(a, a))
        parts.append(f"  {text('before', lang)}: {_summary_line(plan.before[a].to_dict(), lang)}")
        parts.append(f"  {text('after', lang)}: {_summary_line(plan.after[a].to_dict(), lang)}")
    for c, n in plan.unmet_quotas.items():
        parts.append(text("quota_unmet", lang, chain=c, n=n))
    return "\n".join(parts)


def render_info(info: Mapping[str, Any], *, lang: Lang = "zh") -> str:
    """What a store holds (the dict of :func:`chaingraph.stores.describe`) as text lines."""
    ds, home = info["dataset"], info["home_region"]
    lines = [f"{ds['title'] or ds['name']} ({ds['name']}) from {ds['source']}",
             f"home region: {display_name(home, lang)} ({home['id']})",
             "counts: " + ", ".join(f"{k} {v:,}" for k, v in info["counts"].items()),
             f"chains ({len(info['chains'])}):"]
    for chain in info["chains"]:
        lines.append(f"  {chain['id']}: {display_name(chain, lang)} ({len(chain['segments'])} segments)")
    lines.append(f"anchors ({len(info['anchors'])}):")
    for a in info["anchors"]:
        region = display_name({"name": a["region_name"], "name_en": a["region_name_en"]}, lang)
        lines.append(f"  {a['id']}: {display_name(a, lang)}, {region}, segments {', '.join(a['segments']) or '-'}")
    levels: dict[str, int] = {}
    for r in info["regions"]:
        levels[r["level"] or "?"] = levels.get(r["level"] or "?", 0) + 1
    lines.append(f"regions ({len(info['regions'])}): " + ", ".join(f"{k} {v}" for k, v in levels.items()))
    return "\n".join(lines)


# -- the project pipeline (issue 18) ---------------------------------------------------------------

def _stage(stage: str, lang: Lang) -> str:
    return text(f"pipeline.stage.{stage}", lang)


def _named(report: PipelineReport, key: str, lang: Lang) -> str:
    return display_name(report.names.get(key, {"id": key}), lang) if key in report.names else key


def quota_label(kind: str, chains: Sequence[str], lang: Lang, names: Mapping[str, Mapping[str, str]]) -> str:
    """A quota's name in ``lang``, e.g. 签约项目（锂电池产业链）."""
    shown = [display_name(names[c], lang) if c in names else c for c in chains]
    return text(f"pipeline.quota.{kind}", lang, chains=join(shown, lang))


def render_project_notes(notes: Sequence[ProjectNote], *, lang: Lang = "zh") -> str:
    """One line per project of a firm already in the pipeline (targets and plans print these)."""
    if not notes:
        return ""
    lines = [text("pipeline.in_pipeline", lang)]
    for n in notes:
        if n.stage == "dropped":
            lines.append("  " + text("pipeline.note.dropped", lang, firm=n.firm, project=n.name,
                                     reason=n.drop_reason or text("pipeline.none", lang)))
        else:
            since = text("pipeline.note.since", lang, date=n.since) if n.since else ""
            lines.append("  " + text("pipeline.note.live", lang, firm=n.firm, project=n.name,
                                     stage=_stage(n.stage, lang), since=since,
                                     owner=n.owner or text("pipeline.none", lang)))
    return "\n".join(lines)


def _stage_table(report: PipelineReport, counts: Mapping[str, Mapping[str, int]], lang: Lang) -> str:
    stages = [s for s in report.to_dict()["stages"]]
    rows = [[_named(report, k, lang)] + [str(v.get(s, 0)) for s in stages] for k, v in counts.items()]
    return _table([text("pipeline.col.key", lang)] + [_stage(s, lang) for s in stages], rows)


def _rates_table(report: PipelineReport, lang: Lang) -> str:
    from chaingraph.analyses.pipeline import RATES

    rows = []
    for key, label in (("cohort", text("pipeline.cohort", lang, period=report.period)),
                       ("cumulative", text("pipeline.cumulative", lang))):
        r = report.rates[key]
        cells = [label, str(r["signed"])]
        for rate, stage in RATES:
            cells.append(f"{r[stage]} ({_pct(r[rate], lang)})" if r[rate] is not None
                         else text(f"pipeline.reason.{r['reason']}", lang))
        rows.append(cells)
    heads = [""] + [_stage(s, lang) for s in ("signed", "registered", "construction", "producing")]
    return _table(heads, rows)


def _quota_rows(report: PipelineReport, lang: Lang) -> list[list[str]]:
    rows = []
    for q in report.quotas:
        reached = str(q.reached) if q.reached is not None else text(f"pipeline.reason.{q.reason}", lang)
        rows.append([_named(report, q.scope, lang), quota_label(q.kind, q.chains, lang, report.names),
                     str(q.target), reached, "" if q.missing is None else str(q.missing), ", ".join(q.projects)])
    return rows


def render_pipeline(report: PipelineReport, *, lang: Lang = "zh") -> str:
    """The pipeline report as terminal tables: stages by chain and park, rates, durations, quotas,
    stalled and dropped projects and the what-if impact."""
    out = [text("pipeline.title", lang, as_of=report.as_of, period=report.period, n=report.projects)]
    if not report.projects:
        return "\n".join(out + [text("pipeline.no_projects", lang)])
    out += ["", text("pipeline.by_chain", lang), _stage_table(report, report.by_chain, lang),
            "", text("pipeline.by_park", lang), _stage_table(report, report.by_park, lang),
            "", text("pipeline.rates", lang), _rates_table(report, lang),
            "", text("pipeline.durations", lang),
            _table([text(f"pipeline.col.{c}", lang) for c in ("from", "to", "n", "median")],
                   [[_stage(d["from"], lang), _stage(d["to"], lang), str(d["n"]),
                     "" if d["median_days"] is None else f"{d['median_days']:g}"] for d in report.durations])]
    if report.quotas:
        heads = [text(f"pipeline.col.{c}", lang) for c in ("scope", "quota", "target", "reached", "missing",
                                                             "projects")]
        out += ["", text("pipeline.quotas", lang), _table(heads, _quota_rows(report, lang))]
    out += ["", text("pipeline.stalled", lang)]
    cols = ("project", "stage", "since", "days", "limit", "overdue", "owner")
    out.append(_table([text(f"pipeline.col.{c}", lang) for c in cols],
                      [[s.name or s.id, _stage(s.stage, lang), s.since, str(s.days), str(s.limit), str(s.overdue),
                        s.owner or ""] for s in report.stalled]) if report.stalled else text("pipeline.none", lang))
    for key, ids in (("pipeline.undated", report.undated), ("pipeline.undated_signed", report.undated_signed)):
        if ids:
            out.append(text(key, lang, ids=", ".join(ids)))
    if report.dropped:
        out += ["", text("pipeline.dropped", lang), render_project_notes(report.dropped, lang=lang).split("\n", 1)[1]]
    if report.impact:
        out += ["", text("pipeline.impact", lang), _impact_table(report.impact, lang)]
    return "\n".join(out)


def _impact_table(impact: Mapping[str, Any], lang: Lang) -> str:
    rows = []
    for i, a in enumerate(impact["signed"]["anchors"]):
        prod = impact["producing"]["anchors"][i]
        rows.append([display_name(a["anchor"], lang), _pct(a["before"]["completeness"], lang),
                     _pct(a["after"]["completeness"], lang), _pct(prod["after"]["completeness"], lang)])
    return _table([text(f"pipeline.col.{c}", lang) for c in ("anchor", "before", "after_signed",
                                                             "after_producing")], rows)
