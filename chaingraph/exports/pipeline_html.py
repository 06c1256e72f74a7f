"""The pipeline as one offline HTML page: a funnel per chain, quota bars and the stalled list.

The page is a single file with its CSS inline and no script or network
request; every name from the data is HTML-escaped.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from chaingraph.analyses.pipeline import PipelineReport
from chaingraph.exports.text import quota_label, quota_projects
from chaingraph.i18n import text
from chaingraph.model import PROJECT_STAGES, Lang, display_name

__all__ = ["pipeline_html", "write_pipeline_html"]

_CSS = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.6em}table{border-collapse:collapse}
td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}.bar{background:#e8eef7;width:320px}
.fill{background:#3b6fb6;height:14px}.done{background:#2e8b57;height:14px}.label{white-space:nowrap}"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _bar(share: float, css: str = "fill") -> str:
    width = max(0.0, min(1.0, share)) * 100
    return f'<div class="bar"><div class="{css}" style="width:{width:.1f}%"></div></div>'


def _funnels(report: PipelineReport, lang: Lang) -> list[str]:
    out = []
    for chain, counts in report.funnel.items():
        top = max(counts.values()) or 1
        name = display_name(report.names.get(chain, {"id": chain}), lang)
        out.append(f"<h3>{_e(name)}</h3><table>")
        for s in PROJECT_STAGES:
            out.append(f'<tr><td class="label">{_e(text(f"pipeline.stage.{s}", lang))}</td>'
                       f"<td>{_bar(counts[s] / top)}</td><td>{counts[s]}</td></tr>")
        out.append("</table>")
    return out


def _quota_bars(report: PipelineReport, lang: Lang) -> list[str]:
    out = ["<table>"]
    for q in report.quotas:
        scope = display_name(report.names.get(q.scope, {"id": q.scope}), lang)
        label = quota_label(q.kind, q.chains, lang, report.names)
        if q.reached is None:
            cell = _e(text(f"pipeline.reason.{q.reason}", lang))
        else:
            css = "done" if q.reached >= q.target else "fill"
            cell = _bar(q.reached / q.target if q.target else 1.0, css) + f"{q.reached} / {q.target}"
        out.append(f"<tr><td>{_e(scope)}</td><td>{_e(label)}</td><td>{cell}</td>"
                   f"<td>{_e(quota_projects(report, q.projects, lang))}</td></tr>")
    return out + ["</table>"]


def _stalled(report: PipelineReport, lang: Lang) -> list[str]:
    if not report.stalled:
        return [f"<p>{_e(text('pipeline.none', lang))}</p>"]
    cols: Sequence[str] = ("project", "stage", "since", "days", "limit", "overdue", "owner")
    out = ["<table><tr>" + "".join(f"<th>{_e(text(f'pipeline.col.{c}', lang))}</th>" for c in cols) + "</tr>"]
    for s in report.stalled:
        cells = (s.name or s.id, text(f"pipeline.stage.{s.stage}", lang), s.since, s.days, s.limit, s.overdue,
                 s.owner or "")
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return out + ["</table>"]


def pipeline_html(report: PipelineReport, *, lang: Lang = "zh") -> str:
    """The page's HTML text."""
    title = text("pipeline.title", lang, as_of=report.as_of, period=report.period, n=report.projects)
    parts = [f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
             f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{_e(title)}</h1>",
             f"<h2>{_e(text('pipeline.by_chain', lang))}</h2>", *_funnels(report, lang)]
    if report.quotas:
        parts += [f"<h2>{_e(text('pipeline.quotas', lang))}</h2>", *_quota_bars(report, lang)]
    parts += [f"<h2>{_e(text('pipeline.stalled', lang))}</h2>", *_stalled(report, lang), "</body></html>"]
    return "\n".join(parts) + "\n"


def write_pipeline_html(report: PipelineReport, path: str | Path, *, lang: Lang = "zh") -> Path:
    """Write :func:`pipeline_html` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(pipeline_html(report, lang=lang), encoding="utf-8")
    return out
