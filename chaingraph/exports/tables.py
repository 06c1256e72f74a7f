"""Target lists for recruiters: CSV and Excel files with headers in Chinese or English.

One row per target with its rank, firm, gap segments, anchors, score, score
components, reasons, region, output value, credit code and source, in rank
order (ties already broken by firm id). CSV files are UTF-8 with a BOM so that
Excel shows Chinese; Excel files have a frozen header row, set column widths,
filters and a second sheet with the gap table.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from chaingraph.analyses.pipeline import PipelineReport
from chaingraph.analyses.targets import COMPONENTS, Target
from chaingraph.errors import ChainGraphError
from chaingraph.i18n import action_label, header, join, status_label, text
from chaingraph.model import Lang, display_name

__all__ = [
    "TARGET_COLUMNS",
    "GAP_COLUMNS",
    "target_rows",
    "gap_rows",
    "csv_text",
    "write_target_table",
    "pipeline_rows",
]

TARGET_COLUMNS = ("rank", "firm_id", "firm", "segments", "anchors", "score", *COMPONENTS, "reasons", "region",
                  "output_value", "credit_code", "source")
GAP_COLUMNS = ("anchor", "segment_id", "segment", "chain", "direction", "distance", "status", "action",
               "local_firms", "suppliers_local", "suppliers_external", "local_share", "single_source")

_WIDTHS = {"rank": 6, "firm_id": 14, "firm": 28, "segments": 20, "anchors": 20, "score": 8, "reasons": 60,
           "region": 14, "output_value": 16, "credit_code": 22, "source": 24, "anchor": 20, "segment_id": 14,
           "segment": 18, "chain": 12, "direction": 10, "distance": 8, "status": 10, "action": 10,
           "local_firms": 36, "suppliers_local": 30, "suppliers_external": 30, "local_share": 10,
           "single_source": 10}


def target_rows(targets: Iterable[Target], *, lang: Lang = "zh") -> tuple[list[str], list[list[Any]]]:
    """Headers and one row per target, in the order given (rank order)."""
    sep = "；" if lang == "zh" else "; "
    rows: list[list[Any]] = []
    for t in targets:
        f = t.firm
        region = (f.region_name_en or f.region_name) if lang == "en" else (f.region_name or f.region_name_en)
        rows.append([
            t.rank, f.id, display_name(f.to_dict(), lang), join([display_name(s.to_dict(), lang) for s in t.segments], lang),
            join([display_name(a.to_dict(), lang) for a in t.anchors], lang), t.score,
            *[round(t.components[c], 4) for c in COMPONENTS],
            sep.join(t.reasons), region or (f.region or ""), f.output_value, f.credit_code or "", f.source or "",
        ])
    return [header(c, lang) for c in TARGET_COLUMNS], rows


def _gap_reports(gaps: Any) -> list[Mapping[str, Any]]:
    if gaps is None:
        return []
    if isinstance(gaps, Mapping):
        return list(gaps["anchors"]) if "anchors" in gaps else [gaps]
    return [g.to_dict() if hasattr(g, "to_dict") else g for g in gaps]


def gap_rows(gaps: Any, *, lang: Lang = "zh") -> tuple[list[str], list[list[Any]]]:
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
                anchor, s["id"], display_name(s, lang), s["chain"] or "", text(f"direction.{s['direction']}", lang),
                s["distance"], status_label(s["status"], lang), action_label(s["action"], lang),
                join([display_name(f, lang) for f in s["local_firms"]], lang),
                join([display_name(f, lang) for f in sup["local"]], lang),
                join([display_name(f, lang) for f in sup["external"]], lang),
                s["local_share"], text("single_source", lang) if s["single_source"] else "",
            ])
    return [header(c, lang) for c in GAP_COLUMNS], rows


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (no BOM) of a table; ``None`` becomes an empty cell."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        msg = f"cannot write a table to {path}: the name must end in .csv or .xlsx"
        raise ChainGraphError(msg)
    return fmt


def write_target_table(
    targets: Sequence[Target],
    path: str | Path,
    *,
    lang: Lang = "zh",
    gaps: Any = None,
) -> Path:
    """Write ranked targets to ``path``: ``.csv`` (UTF-8 with BOM) or ``.xlsx``.

    Parameters
    ----------
    targets
        Ranked targets (:func:`chaingraph.analyses.targets.rank_targets`), written in
        the order given.
    path
        The file to write; its suffix picks the format.
    lang
        Language of headers, names and labels.
    gaps
        Gap reports for the Excel file's second sheet (ignored for CSV).

    Returns
    -------
    path
        The path written.
    """
    path = Path(path)
    fmt = _format_of(path)
    headers, rows = target_rows(targets, lang=lang)
    if fmt == "csv":
        path.write_text(csv_text(headers, rows), encoding="utf-8-sig", newline="")
        return path
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = header("sheet.targets", lang)
    _fill_sheet(ws, headers, rows, TARGET_COLUMNS)
    gh, gr = gap_rows(gaps, lang=lang)
    _fill_sheet(wb.create_sheet(header("sheet.gaps", lang)), gh, gr, GAP_COLUMNS)
    wb.save(path)
    return path


def _fill_sheet(ws: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]], keys: Sequence[str]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(["" if v is None else v for v in r])
    for i, key in enumerate(keys, 1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(key, 12)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"


def pipeline_rows(report: PipelineReport, *, lang: Lang = "zh") -> tuple[list[str], list[list[Any]]]:
    """The stage counts per chain as a table (one row per chain), for ``pipeline --format csv``."""
    stages = report.to_dict()["stages"]
    heads = [header("chain", lang), text("pipeline.col.key", lang)] + [text(f"pipeline.stage.{s}", lang)
                                                                          for s in stages]
    rows = [[c, display_name(report.names.get(c, {"id": c}), lang)] + [counts.get(s, 0) for s in stages]
            for c, counts in report.by_chain.items()]
    return heads, rows
