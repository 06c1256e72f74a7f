"""The data-quality report (``chaingraph validate``) as terminal text or one offline HTML page.

Both take the report's plain dict (:meth:`chaingraph.quality.QualityReport.to_dict`): exports
never read a dataset. Every name and example from the data is escaped in HTML.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from chaingraph.i18n import text
from chaingraph.model import Lang

__all__ = ["render_quality_text", "render_quality_html"]


def _example(e: Mapping[str, Any]) -> str:
    where = f"{e['file']}:{e['line']}" if e["line"] else str(e["file"])
    return f"{where}: {e['detail']}" if e["detail"] else where


def _summary(report: Mapping[str, Any], lang: Lang) -> str:
    s = report["summary"]
    return text("quality.summary", lang, source=report["source"], errors=s["error"], warnings=s["warning"],
                notes=s["note"])


def render_quality_text(report: Mapping[str, Any], *, lang: Lang = "zh") -> str:
    """One block per notice, ``severity code: message`` and its examples as ``FILE:LINE: detail``, then the
    summary counting problems (the notices' counts), not lines.

    Examples
    --------
    >>> r = {"source": "ds", "summary": {"error": 0, "warning": 2, "note": 0}, "notices": [
    ...     {"code": "firm_without_segments", "severity": "warning", "count": 2, "message": "2 firm(s) ...",
    ...      "examples": [{"file": "firms.csv", "line": 3, "detail": "a A"}]}]}
    >>> print(render_quality_text(r, lang="en"))
    warning firm_without_segments: 2 firm(s) ...
      firms.csv:3: a A
      ... and 1 more
    ds: 0 error(s), 2 warning(s), 0 note(s)
    """
    lines: list[str] = []
    for n in report["notices"]:
        lines.append(f"{text('quality.severity.' + n['severity'], lang)} {n['code']}: {n['message']}")
        lines.extend(f"  {_example(e)}" for e in n["examples"])
        more = n["count"] - len(n["examples"])
        if more > 0:
            lines.append("  " + text("quality.more", lang, n=more))
    lines.append(_summary(report, lang))
    return "\n".join(lines)


_CSS = """body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}
.error{background:#fde2e1}.warning{background:#fff4d6}.note{background:#eef4fb}ul{margin:0;padding-left:1.2em}"""


def render_quality_html(report: Mapping[str, Any], *, lang: Lang = "zh") -> str:
    """A single offline page (no scripts, no links out): the summary and a table of the notices."""
    esc = html.escape
    cols = "".join(f"<th>{esc(text('quality.column.' + c, lang))}</th>"
                   for c in ("severity", "code", "count", "message", "examples"))
    rows = []
    for n in report["notices"]:
        examples = "".join(f"<li>{esc(_example(e))}</li>" for e in n["examples"])
        rows.append(f'<tr class="{esc(n["severity"])}"><td>{esc(text("quality.severity." + n["severity"], lang))}'
                    f"</td><td><code>{esc(n['code'])}</code></td><td>{n['count']}</td><td>{esc(n['message'])}</td>"
                    f"<td><ul>{examples}</ul></td></tr>")
    body = (f"<table><thead><tr>{cols}</tr></thead><tbody>{''.join(rows)}</tbody></table>" if rows
            else f"<p>{esc(text('quality.none', lang))}</p>")
    title = esc(text("quality.title", lang))
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{_CSS}</style></head><body><h1>{title}</h1>"
            f"<p>{esc(_summary(report, lang))}</p>{body}</body></html>\n")
