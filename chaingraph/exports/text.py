"""Terminal text: the plain tables the CLI prints for gaps, targets and plans.

Columns are padded to their display width, so Chinese names line up.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chaingraph.analyses.plan import Plan
from chaingraph.analyses.targets import Target, TargetReport
from chaingraph.i18n import action_label, format_money, header, join, status_label, text
from chaingraph.model import Lang, display_name

__all__ = ["render_info", "render_gaps", "render_targets", "render_plan"]


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
            "suppliers_local", "suppliers_external", "local_share", "single_source"]
    rows = []
    for s in rep["segments"]:
        sup = s["anchor_suppliers"]
        rows.append([
            display_name(s, lang), str(s["chain"] or ""), text(f"direction.{s['direction']}", lang), str(s["distance"]),
            status_label(s["status"], lang), action_label(s["action"], lang), str(len(s["local_firms"])),
            str(len(sup["local"])), str(len(sup["external"])), _pct(s["local_share"], lang),
            text("single_source", lang) if s["single_source"] else "",
        ])
    parts = [title, _table([header(c, lang) for c in cols], rows), _summary_line(rep["summary"], lang)]
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
