"""Target lists, gap tables and plans for recruiters: CSV files, and the XLSX sheets of :mod:`.workbook`.

One row per target with its rank, firm, gap segments, anchors, score, score
components, reasons, region, output value, credit code, source and every extra
firm column of the dataset (联系人, 电话, ...), in rank order (ties already
broken by firm id). One row per (anchor, segment) of a gap table. One row per
pick of a plan, in pick order with its gain, then, after an empty row, each
anchor's summary before and after the plan.

Every cell goes through :func:`chaingraph.exports.cells.cell_value` (no
formula ever reaches Excel). CSV files are UTF-8 with a BOM so that Excel shows
Chinese, or GB18030; CSV on stdout has no BOM.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from chaingraph.analyses.pipeline import PipelineReport
from chaingraph.analyses.plan import Plan
from chaingraph.analyses.targets import COMPONENTS, Target
from chaingraph.errors import ChainGraphError
from chaingraph.exports.cells import csv_text, write_csv
from chaingraph.exports.workbook import write_plan_workbook, write_targets_workbook
from chaingraph.i18n import action_label, header, join, status_label, text
from chaingraph.model import Lang, display_name

__all__ = [
    "TARGET_COLUMNS",
    "GAP_COLUMNS",
    "PLAN_COLUMNS",
    "target_rows",
    "gap_rows",
    "plan_rows",
    "csv_text",
    "write_target_table",
    "write_plan_table",
    "extra_columns",
    "chain_label",
    "pipeline_rows",
]

TARGET_COLUMNS = ("rank", "firm_id", "firm", "segments", "anchors", "score", *COMPONENTS, "reasons", "region",
                  "output_value", "credit_code", "source")
GAP_COLUMNS = ("anchor", "segment_id", "segment", "chain", "direction", "distance", "status", "action",
               "local_firms", "suppliers_local", "suppliers_external", "local_share", "single_source")
PLAN_COLUMNS = ("order", "firm_id", "firm", "segments", "anchors", "chain", "gain", "score", "reasons", "region",
                "output_value", "credit_code")


def extra_columns(targets: Iterable[Target]) -> list[str]:
    """The extra firm columns any of ``targets`` has, in first-seen order."""
    return list(dict.fromkeys(k for t in targets for k, _ in t.firm.extra))


def _region(t: Target, lang: Lang) -> str:
    f = t.firm
    name = (f.region_name_en or f.region_name) if lang == "en" else (f.region_name or f.region_name_en)
    return name or (f.region or "")


def _reasons(t: Target, lang: Lang) -> str:
    return ("；" if lang == "zh" else "; ").join(t.reasons)


def target_rows(targets: Iterable[Target], *, lang: Lang = "zh") -> tuple[list[str], list[list[Any]]]:
    """Headers and one row per target, in the order given (rank order), extra firm columns last."""
    targets = list(targets)
    extra = extra_columns(targets)
    rows: list[list[Any]] = []
    for t in targets:
        f = t.firm
        cells = dict(f.extra)
        rows.append([
            t.rank, f.id, display_name(f.to_dict(), lang),
            join([display_name(s.to_dict(), lang) for s in t.segments], lang),
            join([display_name(a.to_dict(), lang) for a in t.anchors], lang), t.score,
            *[round(t.components[c], 4) for c in COMPONENTS],
            _reasons(t, lang), _region(t, lang), f.output_value, f.credit_code or "", f.source or "",
            *[cells.get(k, "") for k in extra],
        ])
    return [header(c, lang) for c in TARGET_COLUMNS] + extra, rows


def chain_label(seg: Mapping[str, Any], lang: Lang) -> str:
    """The chain of a gap-table segment by name (the job adds ``chain_name``), else its id."""
    return display_name({"name": seg.get("chain_name"), "name_en": seg.get("chain_name_en"),
                         "id": seg.get("chain")}, lang)


def _gap_reports(gaps: Any) -> list[Mapping[str, Any]]:
    if gaps is None:
        return []
    if isinstance(gaps, Mapping):
        return list(gaps["anchors"]) if "anchors" in gaps else [gaps]
    return [g.to_dict() if hasattr(g, "to_dict") else g for g in gaps]


def gap_rows(gaps: Mapping[str, Any], *, lang: Lang = "zh") -> tuple[list[str], list[list[Any]]]:
    """Headers and one row per (anchor, segment) of gap reports.

    ``gaps`` is a gap report dict (one anchor, or ``{"anchors": [...]}``), or a
    sequence of them or of :class:`~chaingraph.analyses.gaps.GapReport`.
    """
    rows: list[list[Any]] = []
    for rep in _gap_reports(gaps):
        anchor = display_name(rep["anchor"], lang)
        for s in rep["segments"]:
            sup = s["anchor_suppliers"]
            rows.append([
                anchor, s["id"], display_name(s, lang), chain_label(s, lang) if s["chain"] else "",
                text(f"direction.{s['direction']}", lang), s["distance"], status_label(s["status"], lang),
                action_label(s["action"], lang), join([display_name(f, lang) for f in s["local_firms"]], lang),
                join([display_name(f, lang) for f in sup["local"]], lang),
                join([display_name(f, lang) for f in sup["external"]], lang),
                s["local_share"], text("single_source", lang) if s["single_source"] else "",
            ])
    return [header(c, lang) for c in GAP_COLUMNS], rows


def plan_chain_names(plan: Plan, chains: Sequence[str], lang: Lang) -> str:
    """Chain ids of a pick by name, joined."""
    refs = plan.chain_refs
    return join([display_name({**refs.get(c, {}), "id": c}, lang) for c in chains], lang)


def plan_rows(plan: Plan, *, lang: Lang = "zh") -> tuple[list[str], list[list[Any]]]:
    """Headers and one row per pick in pick order, then an empty row and each anchor's summary before and after."""
    rows: list[list[Any]] = []
    for p in plan.picks:
        t, f = p.target, p.target.firm
        rows.append([p.order, f.id, display_name(f.to_dict(), lang),
                     join([display_name(s.to_dict(), lang) for s in t.segments], lang),
                     join([display_name(a.to_dict(), lang) for a in t.anchors], lang),
                     plan_chain_names(plan, p.chains, lang), round(p.gain, 4), t.score, _reasons(t, lang),
                     _region(t, lang), f.output_value, f.credit_code or ""])
    rows.append([])
    rows.append([header(k, lang) for k in ("anchor", "anchor_id", "metric", "before", "after")])
    for a in plan.anchors:
        b, after = plan.before[a.id], plan.after[a.id]
        for key in ("completeness", "missing", "weak", "covered"):
            rows.append([display_name(a.to_dict(), lang), a.id, header(key, lang), _r4(getattr(b, key)),
                         _r4(getattr(after, key))])
    return [header(c, lang) for c in PLAN_COLUMNS], rows


def _r4(x: Any) -> Any:
    return round(x, 4) if isinstance(x, float) else x


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise ChainGraphError(key="error.table_suffix", path=str(path))
    return fmt


def write_target_table(
    targets: Sequence[Target],
    path: str | Path,
    *,
    lang: Lang = "zh",
    gaps: Any = None,
    encoding: str = "utf-8",
) -> Path:
    """Write ranked targets to ``path``: ``.csv`` (UTF-8 with BOM, or ``encoding="gb18030"``) or ``.xlsx``.

    Parameters
    ----------
    targets
        Ranked targets (:func:`chaingraph.analyses.targets.rank_targets`), written in
        the order given.
    path
        The file to write; its suffix picks the format. Missing folders are created.
    lang
        Language of headers, names and labels.
    gaps
        Gap reports for the Excel file's second sheet (ignored for CSV).
    encoding
        ``utf-8`` (with a BOM) or ``gb18030``, for CSV.

    Returns
    -------
    path
        The path written.
    """
    path = Path(path)
    if _format_of(path) == "csv":
        return write_csv(path, *target_rows(targets, lang=lang), encoding=encoding)
    return write_targets_workbook(targets, path, lang=lang, gaps=_gap_reports(gaps))


def write_plan_table(plan: Plan, path: str | Path, *, lang: Lang = "zh", encoding: str = "utf-8") -> Path:
    """Write a plan to ``path``: ``.csv`` (:func:`plan_rows`) or ``.xlsx`` (the 招商计划 sheet)."""
    path = Path(path)
    if _format_of(path) == "csv":
        return write_csv(path, *plan_rows(plan, lang=lang), encoding=encoding)
    return write_plan_workbook(plan, path, lang=lang)


def pipeline_rows(report: PipelineReport, *, lang: Lang = "zh") -> tuple[list[str], list[list[Any]]]:
    """The stage counts per chain as a table (one row per chain), for ``pipeline --format csv``."""
    stages = report.to_dict()["stages"]
    heads = [header("chain", lang), text("pipeline.col.key", lang)] + [text(f"pipeline.stage.{s}", lang)
                                                                          for s in stages]
    rows = [[c, display_name(report.names.get(c, {"id": c}), lang)] + [counts.get(s, 0) for s in stages]
            for c, counts in report.by_chain.items()]
    return heads, rows
