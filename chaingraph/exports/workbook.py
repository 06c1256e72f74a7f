"""The recruiter workbook (招商报告.xlsx) and the single-sheet XLSX files of ``targets`` and ``plan``.

Sheets, in the order a recruiter reads them:

* **目标清单** (targets): rank, name, id, credit code, region, segments, anchors,
  score and its components as percentages, evidence (the firm's source), the
  reasons (wrapped), output value in 亿元 (Chinese) or in the dataset's currency
  (English), then every extra firm column of the dataset (联系人, 电话, 官网, ...);
* **缺口** (gaps): one row per anchor and segment, statuses coloured;
* **招商计划** (plan): picks in order with their gain, the quotas, and each
  anchor's completeness before and after;
* **产业链图谱** (chain map): each chain's segments by stage with their status;
* **集团内扩产** (group expansion): only when the data has group members;
* **说明** (about): what each column means, the score weights, the dataset's
  name, fingerprint and date, and the data-quality counts.

Every sheet has a frozen, bold header row, a filter, widths that fit its
content (CJK characters count double) and number formats; every cell is
written by :func:`chaingraph.exports.cells.put_cell`, so no text ever becomes a
formula.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaingraph.analyses.plan import Plan
from chaingraph.analyses.targets import COMPONENTS, Target
from chaingraph.exports.cells import output_errors, prepare_output, put_cell
from chaingraph.i18n import LANGS, TEXT, action_label, header, join, status_label, text
from chaingraph.model import Lang, display_name

__all__ = ["Report", "write_report", "write_targets_workbook", "write_plan_workbook", "STATUS_COLOURS"]

#: Fill colours of the statuses (light red, amber, green), as Excel's own "bad / neutral / good" styles.
STATUS_COLOURS = {"missing": "FFC7CE", "weak": "FFEB9C", "covered": "C6EFCE"}
_HEADER_FILL = "DDEBF7"
_PCT, _MONEY_YI, _MONEY = "0.0%", "#,##0.00", "#,##0"
_WRAP_WIDTH = 60


@dataclass
class Report:
    """Everything the recruiter workbook shows; built by :func:`chaingraph.jobs.report`."""

    targets: Sequence[Target]
    gaps: Sequence[Mapping[str, Any]]
    chains: Sequence[Mapping[str, Any]]
    plan: Plan | None
    about: Mapping[str, Any] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    quality: Mapping[str, int] = field(default_factory=dict)
    groups: Sequence[Mapping[str, Any]] = ()
    currency: str = "CNY"


@dataclass
class _Sheet:
    """A sheet's columns (key, header, kind) and rows, before it is written."""

    title: str
    columns: list[tuple[str, str, str]]
    rows: list[list[Any]] = field(default_factory=list)
    status_column: str | None = None


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _money_column(lang: Lang, currency: str) -> tuple[str, str, str]:
    if lang == "zh" and currency == "CNY":
        return ("output", header("output_yi", lang), "yi")
    unit = text("unit.money", lang) if currency == "CNY" else currency
    return ("output", f"{header('output_value', lang)} ({unit})", "money")


def _targets_sheet(targets: Sequence[Target], lang: Lang, currency: str) -> _Sheet:
    extra = list(dict.fromkeys(k for t in targets for k, _ in t.firm.extra))
    # what a recruiter reads first on the left; ids, score components and sources to the right
    cols = [("rank", header("rank", lang), "int"), ("firm", header("firm", lang), "text"),
            ("region", header("region", lang), "text"), ("segments", header("segments", lang), "wrap"),
            ("anchors", header("anchors", lang), "wrap"), ("score", header("score_pct", lang), "pct"),
            ("reasons", header("reasons", lang), "wrap"), _money_column(lang, currency),
            *[(k, k, "text") for k in extra],
            ("firm_id", header("firm_id", lang), "text"), ("credit_code", header("credit_code", lang), "text"),
            *[(c, header(c, lang), "pct") for c in COMPONENTS], ("evidence", header("evidence", lang), "wrap")]
    sheet = _Sheet(text("sheet.targets", lang), cols)
    for t in targets:
        f, cells = t.firm, dict(t.firm.extra)
        region = (f.region_name_en or f.region_name) if lang == "en" else (f.region_name or f.region_name_en)
        ov = f.output_value
        money = None if ov is None else (ov / 1e8 if cols[7][2] == "yi" else ov)
        sheet.rows.append([
            t.rank, display_name(f.to_dict(), lang), region or f.region or "",
            join([display_name(s.to_dict(), lang) for s in t.segments], lang),
            join([display_name(a.to_dict(), lang) for a in t.anchors], lang), t.score,
            "\n".join(f"{i}. {r}" for i, r in enumerate(t.reasons, 1)), money, *[cells.get(k, "") for k in extra],
            f.id, f.credit_code or "", *[t.components[c] for c in COMPONENTS], f.source or "",
        ])
    return sheet


def _chain(seg: Mapping[str, Any], lang: Lang) -> str:
    if not seg.get("chain"):
        return ""
    return display_name({"name": seg.get("chain_name"), "name_en": seg.get("chain_name_en"), "id": seg["chain"]},
                        lang)


def _gaps_sheet(gaps: Sequence[Mapping[str, Any]], lang: Lang) -> _Sheet:
    keys = [("anchor", "text"), ("anchor_id", "text"), ("segment", "text"), ("segment_id", "text"),
            ("chain", "text"), ("direction", "text"), ("distance", "int"), ("status", "status"),
            ("action", "text"), ("local_firms", "wrap"), ("suppliers_local", "wrap"),
            ("suppliers_external", "wrap"), ("local_share", "pct"), ("single_source", "text")]
    sheet = _Sheet(text("sheet.gaps", lang), [(k, header(k, lang), kind) for k, kind in keys], status_column="status")
    for rep in gaps:
        for s in rep["segments"]:
            sup = s["anchor_suppliers"]
            sheet.rows.append([
                display_name(rep["anchor"], lang), rep["anchor"]["id"], display_name(s, lang), s["id"],
                _chain(s, lang), text(f"direction.{s['direction']}", lang), s["distance"],
                status_label(s["status"], lang), action_label(s["action"], lang),
                join([display_name(f, lang) for f in s["local_firms"]], lang),
                join([display_name(f, lang) for f in sup["local"]], lang),
                join([display_name(f, lang) for f in sup["external"]], lang),
                s["local_share"], text("single_source", lang) if s["single_source"] else "",
            ])
    return sheet


def _plan_sheet(plan: Plan, lang: Lang) -> tuple[_Sheet, list[list[Any]]]:
    cols = [("order", header("order", lang), "int"), ("firm", header("firm", lang), "text"),
            ("firm_id", header("firm_id", lang), "text"), ("segments", header("segments", lang), "text"),
            ("anchors", header("anchors", lang), "text"), ("chain", header("chain", lang), "text"),
            ("gain", header("gain", lang), "num"), ("score", header("score_pct", lang), "pct"),
            ("reasons", header("reasons", lang), "wrap")]
    sheet = _Sheet(text("sheet.plan", lang), cols)
    refs = plan.chain_refs

    def chain_name(c: str) -> str:
        return display_name({**refs.get(c, {}), "id": c}, lang)

    for p in plan.picks:
        t = p.target
        sheet.rows.append([p.order, display_name(t.firm.to_dict(), lang), t.firm.id,
                           join([display_name(s.to_dict(), lang) for s in t.segments], lang),
                           join([display_name(a.to_dict(), lang) for a in t.anchors], lang),
                           join([chain_name(c) for c in p.chains], lang), round(p.gain, 4), t.score,
                           "\n".join(t.reasons)])
    below: list[list[Any]] = [[], [header("chain", lang), header("quota", lang), header("picks", lang)]]
    for c, k in plan.quotas.items():
        below.append([chain_name(c), k, sum(1 for p in plan.picks if c in p.chains)])
    below += [[], [header("anchor", lang), header("metric", lang), header("before", lang), header("after", lang)]]
    for a in plan.anchors:
        b, af = plan.before[a.id], plan.after[a.id]
        for key in ("completeness", "covered", "weak", "missing"):
            below.append([display_name(a.to_dict(), lang), header(key, lang), getattr(b, key), getattr(af, key)])
    return sheet, below


def _chains_sheet(chains: Sequence[Mapping[str, Any]], gaps: Sequence[Mapping[str, Any]], lang: Lang) -> _Sheet:
    names = {r["anchor"]["id"]: display_name(r["anchor"], lang) for r in gaps}
    keys = [("chain", "text"), ("stage", "text"), ("segment", "text"), ("segment_id", "text"),
            ("status", "status"), ("local_firms", "int"), ("anchors", "text")]
    sheet = _Sheet(text("sheet.chains", lang), [(k, header(k, lang), kind) for k, kind in keys],
                   status_column="status")
    for c in chains:
        for s in c["segments"]:
            sheet.rows.append([display_name(c, lang), text(f"stage.{s['stage']}", lang), display_name(s, lang),
                               s["id"], status_label(s["status"], lang), s["local_firms"],
                               join([names.get(a, a) for a in s["anchors"]], lang)])
    return sheet


def _groups_sheet(groups: Sequence[Mapping[str, Any]], lang: Lang) -> _Sheet:
    keys = list(dict.fromkeys(k for g in groups for k in g))
    sheet = _Sheet(text("sheet.groups", lang), [(k, k, "text") for k in keys])
    sheet.rows = [[g.get(k, "") for k in keys] for g in groups]
    return sheet


def _about_rows(report: Report, lang: Lang, sheets: Sequence[_Sheet]) -> list[list[Any]]:
    about = report.about
    rows: list[list[Any]] = [[text("about.title", lang, name=about.get("region") or about.get("name", ""))], []]
    for key in ("dataset", "fingerprint", "date", "region", "version"):
        rows.append([text(f"about.{key}", lang), about.get(key, "")])
    rows += [[], [text("about.weights", lang)]]
    rows += [[header(c, lang), w] for c, w in report.weights.items()]
    rows += [[], [text("about.quality", lang)]]
    rows += [[text(f"quality.{k}", lang) if f"quality.{k}" in TEXT[lang] else k, v] for k, v in report.quality.items()]
    rows += [[], [text("about.columns", lang)], [text("about.column", lang), text("about.meaning", lang)]]
    for sheet in sheets:
        for key, head, _ in sheet.columns:
            if f"column.{key}" in TEXT[lang]:
                rows.append([f"{sheet.title} · {head}", text(f"column.{key}", lang)])
    return rows


def _write_sheet(ws: Any, sheet: _Sheet, below: Sequence[Sequence[Any]] = ()) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.title = sheet.title
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=_HEADER_FILL)
    for j, (_, head, _) in enumerate(sheet.columns, 1):
        c = put_cell(ws, 1, j, head)
        c.font, c.fill = bold, fill
        c.alignment = Alignment(vertical="center", wrap_text=True)
    formats = {"pct": _PCT, "yi": _MONEY_YI, "money": _MONEY, "num": "0.000"}
    for i, row in enumerate(sheet.rows, 2):
        for j, ((_, _, kind), v) in enumerate(zip(sheet.columns, row), 1):
            c = put_cell(ws, i, j, v)
            c.alignment = Alignment(vertical="top", wrap_text=kind == "wrap")
            if kind in formats and isinstance(v, (int, float)):
                c.number_format = formats[kind]
    last = get_column_letter(len(sheet.columns))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(1, len(sheet.rows) + 1)}"
    widths = []
    for j, (key, head, kind) in enumerate(sheet.columns, 1):
        values = [str(r[j - 1]) for r in sheet.rows if j <= len(r) and r[j - 1] not in (None, "")]
        longest = max([_width(head)] + [_width(line) for v in values for line in v.split("\n")])
        cap = {"evidence": 30, "segments": 24, "anchors": 24}.get(key, _WRAP_WIDTH if kind == "wrap" else
                                                                   10 if kind == "pct" else 32)
        widths.append(min(cap, max(6, longest + 2)))
        ws.column_dimensions[get_column_letter(j)].width = widths[-1]
    _row_heights(ws, sheet, widths)
    if sheet.status_column and sheet.rows:
        col = get_column_letter(1 + [k for k, _, _ in sheet.columns].index(sheet.status_column))
        _colour_statuses(ws, f"{col}2:{col}{len(sheet.rows) + 1}", col, sheet.rows, FormulaRule, PatternFill)
    start = len(sheet.rows) + 2
    for i, line in enumerate(below, start):
        for j, v in enumerate(line, 1):
            c = put_cell(ws, i, j, v)
            if isinstance(v, float) and 0 <= v <= 1:
                c.number_format = _PCT
    _print_setup(ws)


def _row_heights(ws: Any, sheet: _Sheet, widths: Sequence[int]) -> None:
    """Rows tall enough for their wrapped text (Excel and LibreOffice do not grow rows that openpyxl wrote)."""
    wrapped = [j for j, (_, _, kind) in enumerate(sheet.columns) if kind == "wrap"]
    if not wrapped:
        return
    for i, row in enumerate(sheet.rows, 2):
        lines = 1
        for j in wrapped:
            v = str(row[j]) if j < len(row) and row[j] is not None else ""
            lines = max(lines, sum(max(1, -(-_width(part) // max(1, widths[j] - 1))) for part in v.split("\n")))
        ws.row_dimensions[i].height = 16 * lines + 4


def _colour_statuses(ws: Any, ref: str, col: str, rows: Sequence[Sequence[Any]], rule: Any, fill: Any) -> None:
    """Conditional fills on the status cell's row, one rule per status label (labels are ours, not data)."""
    for status, colour in STATUS_COLOURS.items():
        for lang in LANGS:
            label = status_label(status, lang)
            ws.conditional_formatting.add(
                ref, rule(formula=[f'${col}2="{label}"'], fill=fill("solid", fgColor=colour, bgColor=colour)))


def _print_setup(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # one page wide, as many long as needed
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"


def _save(wb: Any, path: str | Path) -> Path:
    p = prepare_output(path)
    with output_errors(p):
        wb.save(p)
    return p


def write_report(report: Report, path: str | Path, *, lang: Lang = "zh") -> Path:
    """Write the recruiter workbook (sheets in the module docstring) to ``path``; creates missing folders."""
    from openpyxl import Workbook

    wb = Workbook()
    sheets = [_targets_sheet(report.targets, lang, report.currency), _gaps_sheet(report.gaps, lang)]
    _write_sheet(wb.active, sheets[0])
    _write_sheet(wb.create_sheet(), sheets[1])
    if report.plan is not None:
        plan_sheet, below = _plan_sheet(report.plan, lang)
        sheets.append(plan_sheet)
        _write_sheet(wb.create_sheet(), plan_sheet, below)
    sheets.append(_chains_sheet(report.chains, report.gaps, lang))
    _write_sheet(wb.create_sheet(), sheets[-1])
    if report.groups:
        sheets.append(_groups_sheet(report.groups, lang))
        _write_sheet(wb.create_sheet(), sheets[-1])
    about = _Sheet(text("sheet.about", lang), [("key", "", "wrap"), ("value", "", "wrap")],
                   rows=_about_rows(report, lang, sheets))
    _write_about(wb.create_sheet(), about)
    return _save(wb, path)


def _write_about(ws: Any, sheet: _Sheet) -> None:
    from openpyxl.styles import Alignment, Font

    ws.title = sheet.title
    for i, row in enumerate(sheet.rows, 1):
        for j, v in enumerate(row, 1):
            c = put_cell(ws, i, j, v)
            c.alignment = Alignment(vertical="top", horizontal="left", wrap_text=True)
            if len(row) == 1:
                c.font = Font(bold=True, size=13 if i == 1 else 11)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    _print_setup(ws)


def write_targets_workbook(targets: Sequence[Target], path: str | Path, *, lang: Lang = "zh",
                           gaps: Sequence[Mapping[str, Any]] = (), currency: str = "CNY") -> Path:
    """``targets --format xlsx``: the 目标清单 sheet (and 缺口 when gaps are given), formatted as in the report."""
    from openpyxl import Workbook

    wb = Workbook()
    _write_sheet(wb.active, _targets_sheet(targets, lang, currency))
    if gaps:
        _write_sheet(wb.create_sheet(), _gaps_sheet(gaps, lang))
    return _save(wb, path)


def write_plan_workbook(plan: Plan, path: str | Path, *, lang: Lang = "zh") -> Path:
    """``plan --format xlsx``: the 招商计划 sheet with quotas and the summary before and after."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet, below = _plan_sheet(plan, lang)
    _write_sheet(wb.active, sheet, below)
    return _save(wb, path)

