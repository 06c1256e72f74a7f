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

from chaingraph.analyses.pipeline import RATES, LedgerRow, PipelineReport
from chaingraph.analyses.plan import Plan
from chaingraph.analyses.targets import COMPONENTS, Target
from chaingraph.exports.cells import output_errors, prepare_output, put_cell
from chaingraph.exports.text import project_list, quota_label, quota_projects
from chaingraph.i18n import LANGS, TEXT, action_label, header, join, status_label, text
from chaingraph.model import DROPPED, PROJECT_STAGES, Lang, display_name

__all__ = ["Report", "PipelineBook", "write_report", "write_targets_workbook", "write_plan_workbook",
           "write_pipeline_workbook", "STATUS_COLOURS", "PIPELINE_COLOURS"]

#: Fill colours of the statuses (light red, amber, green), as Excel's own "bad / neutral / good" styles.
STATUS_COLOURS = {"missing": "FFC7CE", "weak": "FFEB9C", "covered": "C6EFCE"}
_HEADER_FILL = "DDEBF7"
#: The workbook's own font (openpyxl's default style): a bold font without a name would print in the
#: reader's default font, a serif one in LibreOffice.
_FONT = "Calibri"
_PCT, _MONEY_YI, _MONEY = "0.0%", "#,##0.00", "#,##0"
_WRAP_WIDTH = 60
#: Widest a column of these keys gets (wider text wraps or is cut at the cell's edge).
_CAPS = {"evidence": 30, "segments": 24, "anchors": 24, "project_segments": 24, "project": 36,
         "project_source": 30, "note": 48, "projects": 48}


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
    pipeline: PipelineBook | None = None


@dataclass
class _Sheet:
    """A sheet's columns (key, header, kind) and rows, before it is written."""

    title: str
    columns: list[tuple[str, str, str]]
    rows: list[list[Any]] = field(default_factory=list)
    status_column: str | None = None
    freeze: str = "A2"
    valign: str | None = "top"  # None: the reader's default (bottom), for tables of one-line rows
    #: column key to {label: fill colour}; the label "*" fills every value of the column
    colours: dict[str, dict[str, str]] = field(default_factory=dict)


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


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(j))


def _put_table(ws: Any, sheet: _Sheet, top: int) -> None:
    """The sheet's header row at row ``top`` (bold, filled) and its rows below, with number formats and
    colours."""
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, fill = Font(name=_FONT, bold=True), PatternFill("solid", fgColor=_HEADER_FILL)
    numeric = {"pct", "yi", "money", "num", "int"}
    # headers stand over their values: right over numbers, centred over flags
    across = {kind: "right" for kind in numeric} | {"flag": "center"}
    kinds = [kind for _, _, kind in sheet.columns]
    # a left-aligned column right of a number column starts one indent in, or 超期天数 and 企业 read as one
    indent = [int(j > 0 and kinds[j - 1] in numeric and k not in numeric and k != "flag") for j, k in enumerate(kinds)]
    for j, (_, head, kind) in enumerate(sheet.columns, 1):
        c = put_cell(ws, top, j, head)
        c.font, c.fill = bold, fill
        c.alignment = Alignment(vertical="center", wrap_text=kind != "overflow", horizontal=across.get(kind),
                                indent=indent[j - 1])
    formats = {"pct": _PCT, "yi": _MONEY_YI, "money": _MONEY, "num": "0.000", "int": "#,##0"}
    # one Alignment per kind of cell, and none where the default does: a 50,000-row ledger sets a million cells
    aligned: dict[tuple[str | None, bool, str | None, int], Any] = {}
    for i, row in enumerate(sheet.rows, top + 1):
        for j, ((_, _, kind), v) in enumerate(zip(sheet.columns, row), 1):
            c = put_cell(ws, i, j, v)
            # numbers stand right by themselves; a "—" (a rate of nothing) is text and is put there
            how = (sheet.valign, kind == "wrap", "right" if kind in numeric and isinstance(v, str) else
                   across.get(kind) if kind not in numeric else None, indent[j - 1])
            if how != (None, False, None, 0):
                if how not in aligned:
                    aligned[how] = Alignment(vertical=how[0], wrap_text=how[1], horizontal=how[2], indent=how[3])
                c.alignment = aligned[how]
            if kind in formats and isinstance(v, (int, float)) and not isinstance(v, bool):
                c.number_format = formats[kind]
    if sheet.rows:
        _colour(ws, sheet, top)


def _colour(ws: Any, sheet: _Sheet, top: int) -> None:
    """Fills by label (conditional, so a sorted or filtered sheet keeps them); ``"*"``: every value."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    keys = [k for k, _, _ in sheet.columns]
    first, last = top + 1, top + len(sheet.rows)
    if sheet.status_column:
        col = _letter(1 + keys.index(sheet.status_column))
        _colour_statuses(ws, f"{col}{first}:{col}{last}", col, sheet.rows, FormulaRule, PatternFill)
    for key, by_label in sheet.colours.items():
        col = _letter(1 + keys.index(key))
        for label, colour in by_label.items():
            fill = PatternFill("solid", fgColor=colour, bgColor=colour)
            if label == "*":
                for i in range(first, last + 1):
                    ws[f"{col}{i}"].fill = PatternFill("solid", fgColor=colour)
            else:
                ws.conditional_formatting.add(f"{col}{first}:{col}{last}",
                                              FormulaRule(formula=[f'${col}{first}="{label}"'], fill=fill))


def _set_widths(ws: Any, sheets: Sequence[_Sheet]) -> list[int]:
    """Column widths that fit the content of every table on the sheet (CJK characters count double)."""
    n = max(len(s.columns) for s in sheets)
    widths = [6] * n
    for sheet in sheets:
        for j, (key, head, kind) in enumerate(sheet.columns):
            values = [f"{r[j]:,}" if kind == "int" and isinstance(r[j], int) else str(r[j])
                      for r in sheet.rows if j < len(r) and r[j] not in (None, "")]
            longest = max([_width(head) + 1] + [_width(line) for v in values for line in v.split("\n")])
            cap = _CAPS.get(key, _WRAP_WIDTH if kind == "wrap" else 10 if kind == "pct" else 32)
            widths[j] = max(widths[j], min(cap, longest + 2))
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[_letter(j)].width = w
    return widths


def _header_height(ws: Any, sheet: _Sheet, top: int, widths: Sequence[int]) -> None:
    """A header row tall enough for headers that wrap in their column (no reader grows it)."""
    lines = max(-(-(_width(head) + 1) // max(1, widths[j] - 1))
                for j, (_, head, kind) in enumerate(sheet.columns) if kind != "overflow")
    if lines > 1:
        ws.row_dimensions[top].height = 15 * lines + 3


def _write_sheet(ws: Any, sheet: _Sheet, below: Sequence[Sequence[Any]] = ()) -> None:
    ws.title = sheet.title
    _put_table(ws, sheet, 1)
    ws.freeze_panes = sheet.freeze
    ws.auto_filter.ref = f"A1:{_letter(len(sheet.columns))}{max(1, len(sheet.rows) + 1)}"
    widths = _set_widths(ws, [sheet])
    _header_height(ws, sheet, 1, widths)
    _row_heights(ws, sheet, widths)
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
    if report.pipeline is not None:  # only a dataset with projects.csv
        _write_progress(wb.create_sheet(), report.pipeline, lang)
        sheets.append(_ledger_sheet(report.pipeline, lang))
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
                c.font = Font(name=_FONT, bold=True, size=13 if i == 1 else 11)
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


# -- the pipeline sheets (issue 18): 招商进度 and 项目台账 -------------------------------------------------

#: Fills of the ledger's stages and flags, as the statuses': stalled red, producing green, dropped grey.
PIPELINE_COLOURS = {"stalled": "FFC7CE", "producing": "C6EFCE", "dropped": "D9D9D9", "short": "FFEB9C"}

@dataclass
class PipelineBook:
    """What the 招商进度 and 项目台账 sheets show; built by :func:`chaingraph.jobs.pipeline_book`.

    ``names`` maps chain, segment, region and firm ids to ``{"name", "name_en"}``.
    """

    report: PipelineReport
    ledger: Sequence[LedgerRow]
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    currency: str = "CNY"


def _named(names: Mapping[str, Mapping[str, str]], key: str | None, lang: Lang) -> str:
    if not key:
        return ""
    return display_name({**names[key], "id": key}, lang) if key in names else key


def _amount_column(key: str, lang: Lang, currency: str) -> tuple[str, str, str]:
    """A money column of projects: 亿元 (100M CNY) for yuan, else the currency's own unit."""
    if currency == "CNY":
        return (key, f"{text(f'ledger.{key}', lang)}{_unit(text('unit.yi', lang), lang)}", "yi")
    return (key, f"{text(f'ledger.{key}', lang)}{_unit(currency, lang)}", "money")


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def _unit(unit: str, lang: Lang) -> str:
    return f"（{unit}）" if lang == "zh" else f" ({unit})"


def _ledger_sheet(book: PipelineBook, lang: Lang) -> _Sheet:
    """项目台账: one row per project; what a recruiter chases first on the left, ids and sources right."""
    money = [_amount_column("investment", lang, book.currency), _amount_column("expected_output", lang, book.currency)]
    cols = [("project_id", text("ledger.project_id", lang), "text"), ("project", text("ledger.project", lang), "text"),
            ("firm", header("firm", lang), "text"), ("chain", header("chain", lang), "text"),
            ("project_segments", header("segments", lang), "text"), ("park", text("ledger.park", lang), "text"),
            ("project_stage", header("stage", lang), "flag"), ("days_in_stage", text("ledger.days", lang), "int"),
            ("stalled", text("ledger.stalled", lang), "flag"), ("owner", text("pipeline.col.owner", lang), "text"),
            *money, *[(f"date_{s}", _capital(text("ledger.date", lang, stage=text(f"pipeline.stage.{s}", lang))),
                       "text") for s in (*PROJECT_STAGES, DROPPED)],
            ("drop_reason", text("ledger.drop_reason", lang), "text"),
            ("project_source", header("source", lang), "text"), ("note", text("ledger.note", lang), "text"),
            # a short column last: long sources and notes stop at its edge instead of running off the page
            ("firm_id", header("firm_id", lang), "text")]
    scale = 1e8 if book.currency == "CNY" else 1.0
    stalled, names = text("ledger.yes", lang), book.names
    sheet = _Sheet(text("sheet.ledger", lang), cols, freeze="C2", valign=None, colours={
        "project_stage": {text("pipeline.stage.producing", lang): PIPELINE_COLOURS["producing"],
                          text("pipeline.stage.dropped", lang): PIPELINE_COLOURS["dropped"]},
        "stalled": {stalled: PIPELINE_COLOURS["stalled"]}})
    for r in book.ledger:
        p = r.project
        sheet.rows.append([
            p.id, p.name, _named(names, p.firm, lang), _named(names, p.chain, lang),
            join([_named(names, s, lang) for s in p.segments], lang), _named(names, p.park, lang),
            text(f"pipeline.stage.{r.stage}", lang), r.days, stalled if r.stalled else "", p.owner or "",
            None if p.investment is None else p.investment / scale,
            None if p.expected_output is None else p.expected_output / scale,
            *[r.dates.get(s, "") for s in (*PROJECT_STAGES, DROPPED)],
            p.drop_reason or "", p.source or "", p.note or "", p.firm])
    return sheet


def _stage_block(book: PipelineBook, counts: Mapping[str, Mapping[str, int]], key: str, lang: Lang) -> _Sheet:
    codes = [*PROJECT_STAGES, DROPPED] + (["unknown"] if any(c.get("unknown") for c in counts.values()) else [])
    cols = [(key, text(f"pipeline.col.{key}", lang), "text"),
            *[(s, text(f"pipeline.stage.{s}", lang), "int") for s in codes],
            ("total", text("ledger.total", lang), "int")]
    names = {**book.report.names, **book.names}
    rows = [[_named(names, k, lang), *[c.get(s, 0) for s in codes], sum(c.values())] for k, c in counts.items()]
    return _Sheet(text(f"pipeline.by_{key}", lang), cols, rows)


def _rates_block(report: PipelineReport, lang: Lang) -> _Sheet:
    """Cohort and cumulative counts and rates; a rate of no signed project is "—", never 0 % or 100 %."""
    cols = [("basis", text("ledger.basis", lang), "text"), ("signed", text("pipeline.stage.signed", lang), "int")]
    for rate, stage in RATES:
        cols += [(stage, text(f"pipeline.stage.{stage}", lang), "int"),
                 (rate, text(f"pipeline.rate.{rate}", lang), "pct")]
    rows = []
    for basis, label in (("cohort", text("pipeline.cohort", lang, period=report.period)),
                         ("cumulative", text("pipeline.cumulative", lang))):
        r = report.rates[basis]
        row: list[Any] = [label, r["signed"]]
        for rate, stage in RATES:
            row += [r[stage], "—" if r[rate] is None else r[rate]]
        rows.append(row)
    return _Sheet(text("pipeline.rates", lang), cols, rows)


def _quota_block(report: PipelineReport, titles: Mapping[str, str], lang: Lang) -> _Sheet:
    cols = [("quota", text("pipeline.col.quota", lang), "text"), ("target", text("pipeline.col.target", lang), "int"),
            ("reached", text("pipeline.col.reached", lang), "int"),
            ("missing", text("pipeline.col.missing", lang), "int"),
            ("quota_status", header("status", lang), "flag"),
            ("projects", text("pipeline.col.projects", lang), "overflow")]
    sheet = _Sheet(text("pipeline.quotas", lang), cols, colours={"quota_status": {
        text("ledger.quota.met", lang): STATUS_COLOURS["covered"], text("ledger.quota.short", lang):
            PIPELINE_COLOURS["short"], text("ledger.quota.uncounted", lang): PIPELINE_COLOURS["dropped"]}})
    for q in report.quotas:
        status = "uncounted" if q.reached is None else "met" if q.missing == 0 else "short"
        shown = quota_projects(report, q.projects, lang, titles)
        label = text("ledger.quota_in", lang, scope=_named(report.names, q.scope, lang),
                     quota=quota_label(q.kind, q.chains, lang, report.names))
        sheet.rows.append([label, q.target, q.reached, q.missing, text(f"ledger.quota.{status}", lang),
                           shown if q.reached is not None else text(f"pipeline.reason.{q.reason}", lang)])
    return sheet


def _stalled_block(book: PipelineBook, lang: Lang) -> _Sheet:
    keys = [("project", "text"), ("stage", "text"), ("owner", "text"), ("since", "text"), ("days", "int"),
            ("limit", "int"), ("overdue", "int"), ("firm", "overflow")]
    sheet = _Sheet(text("pipeline.stalled", lang), [(k, text(f"pipeline.col.{k}", lang), kind) for k, kind in keys],
                   colours={"overdue": {"*": PIPELINE_COLOURS["stalled"]}})
    names = {**book.report.names, **book.names}
    sheet.rows = [[s.name or s.id, text(f"pipeline.stage.{s.stage}", lang), s.owner or "", s.since, s.days, s.limit,
                   s.overdue, _named(names, s.firm, lang)] for s in book.report.stalled]
    return sheet


def _titles(book: PipelineBook) -> dict[str, str]:
    """Project id to name, for the lists a recruiter reads."""
    return {r.project.id: r.project.name or r.project.id for r in book.ledger}


def _progress_blocks(book: PipelineBook, lang: Lang) -> list[_Sheet]:
    rep = book.report
    blocks = [_stage_block(book, rep.by_chain, "chain", lang), _stage_block(book, rep.by_park, "park", lang),
              _rates_block(rep, lang)]
    if rep.quotas:
        blocks.append(_quota_block(rep, _titles(book), lang))
    blocks.append(_stalled_block(book, lang))
    for b in blocks:
        b.valign = None
    return blocks


def _write_progress(ws: Any, book: PipelineBook, lang: Lang) -> None:
    """招商进度: the title, then a block per table (stages by chain and by park, rates, quotas, stalled);
    the title row is frozen and the stalled list, the long one, has the filter."""
    from openpyxl.styles import Alignment, Font

    rep = book.report
    ws.title = text("sheet.progress", lang)
    put_cell(ws, 1, 1, text("pipeline.title", lang, as_of=rep.as_of, period=rep.period, n=rep.projects)).font = \
        Font(name=_FONT, bold=True, size=13)
    blocks = _progress_blocks(book, lang)
    widths = _grid_widths(ws, blocks)
    top = 3
    for block in blocks:
        put_cell(ws, top, 1, block.title).font = Font(name=_FONT, bold=True, size=12)
        _put_table(ws, block, top + 1)
        _header_height(ws, block, top + 1, widths)
        end = top + 1 + len(block.rows)
        notes = []
        if block.columns[0][0] == "basis" and any(rep.rates[b]["reason"] for b in ("cohort", "cumulative")):
            notes.append(text("pipeline.reason.no_signed_projects", lang) + "（—）" if lang == "zh" else
                         text("pipeline.reason.no_signed_projects", lang) + " (—)")
        if block is blocks[-1]:
            if not block.rows:
                notes.append(text("pipeline.none", lang))
            else:
                ws.auto_filter.ref = f"A{top + 1}:{_letter(len(block.columns))}{end}"
            titles = _titles(book)
            notes += [text(key, lang, ids=project_list([titles.get(i, i) for i in ids], lang)) for key, ids in (
                ("pipeline.undated", rep.undated), ("pipeline.undated_signed", rep.undated_signed)) if ids]
        for i, note in enumerate(notes, end + 1):
            put_cell(ws, i, 1, note).alignment = Alignment(vertical="top")
        top = end + len(notes) + 2
    ws.freeze_panes = "A2"
    _print_setup(ws)
    ws.print_title_rows = "1:1"


def _grid_widths(ws: Any, blocks: Sequence[_Sheet]) -> list[int]:
    """Widths of a sheet of several tables: the names in column A, every other column one width, so the
    tables' columns line up; a last column of kind "overflow" (long text) runs over the empty cells."""
    need = [0] * max(len(b.columns) for b in blocks)
    for b in blocks:
        for j, (_, head, kind) in enumerate(b.columns):
            if kind == "overflow":
                continue
            cells = [f"{r[j]:,}" if isinstance(r[j], int) else str(r[j]) for r in b.rows if r[j] not in (None, "")]
            need[j] = max([need[j], _width(head) + 1] + [_width(v) for v in cells])
    widths = [min(50, need[0] + 2)] + [min(19, max(8, max(need[1:], default=0) + 2))] * (len(need) - 1)
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[_letter(j)].width = w
    return widths


def write_pipeline_workbook(book: PipelineBook, path: str | Path, *, lang: Lang = "zh") -> Path:
    """``pipeline --format xlsx``: the 招商进度 and 项目台账 sheets, formatted as in the report."""
    from openpyxl import Workbook

    wb = Workbook()
    _write_progress(wb.active, book, lang)
    _write_sheet(wb.create_sheet(), _ledger_sheet(book, lang))
    return _save(wb, path)
