"""Terminal text: the tables and summaries the CLI prints, in the user's language, fitted to a width.

Tables are drawn by ``rich``, which measures text in display cells (a CJK
character takes two). They fit the width given: short columns keep their
width, names are cut with "…" and reasons wrap; ``width=None`` prints
everything on one line per row (``--wide``). Characters whose width terminals
disagree on (East Asian "ambiguous", such as Ⅲ or ①) are printed in their
compatibility form (III, 1) so every terminal lines the columns up, and
control and escape characters in names are replaced by "?" before printing
(:func:`terminal_safe`), so a name can never move the cursor or recolour the
terminal.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from chaingraph.i18n import action_label, format_money, header, join, status_label, text
from chaingraph.model import DROPPED, PROJECT_STAGES, Lang, display_name

if TYPE_CHECKING:  # for annotations only: `gaps` renders its table without importing networkx
    from chaingraph.analyses.pipeline import PipelineReport, ProjectNote
    from chaingraph.analyses.plan import Plan
    from chaingraph.analyses.targets import Target, TargetReport

__all__ = ["render_info", "render_gaps", "render_targets", "render_plan", "render_demo", "render_table",
           "terminal_safe", "wrap_lines"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def terminal_safe(s: str) -> str:
    """``s`` with control, escape and bidi characters replaced by "?" and ambiguous-width ones normalised.

    Newlines are kept (they separate lines); tabs become a space.

    Examples
    --------
    >>> terminal_safe("evil\\x1b[31mred\\x07 Ⅲ期\\tA")
    'evil?[31mred? III期 A'
    """
    s = _CONTROL.sub("?", s.replace("\t", " ").replace("\r", "?"))
    if s.isascii():
        return s
    # one look per distinct character, then one C pass: the JSON of targets at a million firms is
    # 6 million characters, and a Python call per character took seconds (issue 17)
    swap = {ord(c): u for c in set(s) if not c.isascii() and (u := _unambiguous(c)) != c}
    return s.translate(swap) if swap else s


def _unambiguous(c: str) -> str:
    if unicodedata.east_asian_width(c) != "A" or c.isascii():
        return c
    n = unicodedata.normalize("NFKC", c)
    # only letters and digits (Ⅲ, ①): "…" must stay one cell wide, not become "..."
    return n if n != c and n.isalnum() and all(unicodedata.east_asian_width(x) != "A" for x in n) else c


def _pct(x: float | None, lang: Lang) -> str:
    return text("none", lang) if x is None else f"{x:.0%}"


def _summary_line(summary: Mapping[str, Any], lang: Lang) -> str:
    return text("summary", lang, segments=summary["segments"], covered=summary["covered"],
                weak=summary["weak"], missing=summary["missing"],
                completeness=_pct(summary["completeness"], lang),
                local_supply_ratio=_pct(summary["local_supply_ratio"], lang))


def _cells(s: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in s.split("\n")), default=0)


def _cut(s: str, width: int) -> str:
    """``s`` cut to ``width`` display cells, ending in "…" when cut."""
    from rich.cells import cell_len

    from chaingraph.exports._page import cut

    return cut(s, width, cell_len)


def _widths(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None, wrap: Sequence[int],
            fixed: Sequence[int]) -> list[int]:
    """Column widths in display cells: natural when they fit, else fixed columns first (their headers wrap)
    and a fair share of what is left for the others (the wrapped column takes the rest)."""
    natural = [max([_cells(h)] + [_cells(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if width is None:
        return natural
    room = width - 2 * len(headers) + 1  # one cell of padding and one of divider per column, none after the last
    if sum(natural) <= room:
        return natural
    flexible = sorted((i for i in range(len(headers)) if i not in fixed), key=lambda i: (i in wrap, natural[i]))
    words = [max((_cells(w) for w in h.split()), default=1) for h in headers]
    out = list(natural)
    for cap in (6, 4, 2):
        for i in fixed:
            out[i] = max([min(words[i], cap)] + [_cells(r[i]) for r in rows])
        if room - sum(out[i] for i in fixed) >= 4 * len(flexible):
            break
    left = room - sum(out[i] for i in fixed)
    bonus = 2 if any(i in wrap for i in flexible) else 0  # the wrapped column (reasons) gets a triple share
    for k, i in enumerate(flexible):
        if i in wrap and k == len(flexible) - 1:
            out[i] = max(8, left)
            break
        share = max(2, left // (len(flexible) - k + bonus), min(words[i], 4))
        out[i] = min(natural[i], share)
        left -= out[i]
    return out


def wrap_lines(text_: str, width: int | None) -> str:
    """Prose lines wrapped to ``width`` display cells (CJK text breaks anywhere, other text at spaces)."""
    if width is None:
        return text_
    from rich.text import Text

    out: list[str] = []
    for line in text_.split("\n"):
        if _cells(line) <= width:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        for piece in Text(line.strip()).wrap(_console(width), width - indent):
            out.append(" " * indent + piece.plain.rstrip())
    return "\n".join(out)


def _console(width: int) -> Any:
    from rich.console import Console

    return Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False, highlight=False,
                   emoji=False, markup=False, legacy_windows=False)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = 100,
                 wrap: Sequence[int] = (), fixed: Sequence[int] = ()) -> str:
    """A plain table fitted to ``width`` display cells (``None``: as wide as its content).

    Columns in ``wrap`` wrap their text; columns in ``fixed`` (numbers) are never
    cut (their headers wrap instead); the others are cut with "…" when the table
    would not fit.

    Examples
    --------
    The name is cut to fit 14 cells (the rule under the header is rich's, whose
    widths differ slightly between rich versions, so only the rows are shown):

    >>> lines = render_table(["名称", "n"], [["兰钧新能源科技有限公司", "1"]], width=14).splitlines()
    >>> print(lines[0]); print(lines[2])
    名称        n
    兰钧新能…   1
    >>> print(render_table(["名称", "n"], [["兰钧新能源科技有限公司", "1"]], width=None).splitlines()[2])
    兰钧新能源科技有限公司  1
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    headers = [terminal_safe(h) for h in headers]
    rows = [[terminal_safe(c) for c in r] for r in rows]
    widths = _widths(headers, rows, width, wrap, fixed)
    plain = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
    table = Table(box=plain, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), header_style="",
                  collapse_padding=True)
    for i, h in enumerate(headers):
        table.add_column(Text(h), width=widths[i], overflow="fold")
    for r in rows:
        table.add_row(*[Text(c if i in wrap else _cut(c, widths[i])) for i, c in enumerate(r)])
    out = io.StringIO()
    console = Console(file=out, width=sum(widths) + 2 * len(widths) + 4, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, markup=False, soft_wrap=False, legacy_windows=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def _render_one(rep: Mapping[str, Any], lang: Lang, width: int | None) -> str:
    title = text("title.gaps", lang, anchor=display_name(rep["anchor"], lang),
                 region=display_name(rep["region"], lang), depth=rep["depth"])
    cols = ["segment", "chain", "direction", "distance", "status", "action", "local_firms",
            "suppliers_local", "suppliers_external", "suppliers_unconfirmed", "suppliers_group", "local_share",
            "single_source"]
    rows = []
    for s in rep["segments"]:
        sup = s["anchor_suppliers"]
        chain = display_name({"name": s.get("chain_name"), "name_en": s.get("chain_name_en"),
                              "id": s.get("chain")}, lang)
        rows.append([
            display_name(s, lang), chain, text(f"direction.{s['direction']}", lang), str(s["distance"]),
            status_label(s["status"], lang), action_label(s["action"], lang), str(len(s["local_firms"])),
            str(len(sup["local"])), str(len(sup["external"])), str(len(sup.get("unconfirmed", ()))),
            str(len(sup.get("group", ()))),
            _pct(s["local_share"], lang),
            text("single_source", lang) if s["single_source"] else "",
        ])
    table = render_table([header(c, lang) for c in cols], rows, width=width, fixed=(3, 4, 6, 7, 8, 9))
    parts = [wrap_lines(title, width), table, wrap_lines(_summary_line(rep["summary"], lang), width)]
    parts += [wrap_lines(text(f"warning.{code}", lang, anchor=display_name(rep["anchor"], lang)), width)
              for code in rep.get("warnings", ())]
    wi = rep.get("what_if")
    if wi:
        prose = [text("what_if", lang, firms=join([display_name(f, lang) for f in wi["firms"]], lang)),
                 f"  {text('before', lang)}: {_summary_line(wi['before'], lang)}",
                 f"  {text('after', lang)}: {_summary_line(wi['after'], lang)}"]
        parts.append(wrap_lines("\n".join(prose), width))
    return terminal_safe("\n".join(parts))


def render_gaps(report: Mapping[str, Any], *, lang: Lang = "zh", width: int | None = 100) -> str:
    """A gap report (the dict of :func:`chaingraph.jobs.gap_report`) as text tables."""
    if "anchor" in report:
        return _render_one(report, lang, width)
    parts = [_render_one(a, lang, width) for a in report["anchors"]]
    names = {a["anchor"]["id"]: display_name(a["anchor"], lang) for a in report["anchors"]}
    for c in report.get("chains", []):
        title = text("title.region", lang, region=display_name(report["region"], lang)) + f" — {display_name(c, lang)}"
        rows = [[display_name(s, lang), text(f"stage.{s['stage']}", lang), status_label(s["status"], lang),
                 str(s["local_firms"]), join([names.get(a, a) for a in s["anchors"]], lang)] for s in c["segments"]]
        parts.append(wrap_lines(terminal_safe(title), width) + "\n" + render_table(
            [header("segment", lang), header("stage", lang), header("status", lang),
             header("local_firms", lang), header("anchors", lang)], rows, width=width, fixed=(1, 2, 3)))
    return "\n\n".join(parts)


def _money(value: float | None, lang: Lang, currency: str) -> str:
    return format_money(value, lang, currency) if value else ""


def _target_row(t: Target, lang: Lang, currency: str) -> list[str]:
    sep = "；" if lang == "zh" else "; "
    return [str(t.rank), display_name(t.firm.to_dict(), lang),
            join([display_name(s.to_dict(), lang) for s in t.segments], lang),
            join([display_name(a.to_dict(), lang) for a in t.anchors], lang), f"{t.score:.0%}",
            _money(t.firm.output_value, lang, currency), sep.join(t.reasons)]


def render_targets(report: TargetReport, *, lang: Lang = "zh", width: int | None = 100,
                   currency: str = "CNY") -> str:
    """Ranked targets as a text table (score as a percentage, output in the user's money units)."""
    cols = ["rank", "firm", "segments", "anchors", "score", "output_value", "reasons"]
    title = text("title.targets", lang, region=display_name(report.region, lang))
    rows = [_target_row(t, lang, currency) for t in report.targets]
    return wrap_lines(terminal_safe(title), width) + "\n" + render_table(
        [header(c, lang) for c in cols], rows, width=width, wrap=(6,), fixed=(0, 4, 5))


def _chain_names(plan: Plan, chains: Sequence[str], lang: Lang) -> str:
    return join([display_name({**plan.chain_refs.get(c, {}), "id": c}, lang) for c in chains], lang)


def render_plan(plan: Plan, *, lang: Lang = "zh", width: int | None = 100) -> str:
    """A plan: its picks in order with their gains, then each anchor's summary before and after."""
    cols = ["order", "firm", "segments", "anchors", "gain", "score", "chain"]
    rows = [[str(p.order), display_name(p.target.firm.to_dict(), lang),
             join([display_name(s.to_dict(), lang) for s in p.target.segments], lang),
             join([display_name(a.to_dict(), lang) for a in p.target.anchors], lang), f"{p.gain:.3f}",
             f"{p.target.score:.0%}", _chain_names(plan, p.chains, lang)] for p in plan.picks]
    table = render_table([header(c, lang) for c in cols], rows, width=width, fixed=(0, 4, 5))
    parts: list[str] = [text("title.plan", lang, budget=plan.budget)]
    if plan.what_if:
        parts.append(text("what_if", lang, firms=join([display_name(f.to_dict(), lang) for f in plan.what_if], lang)))
    names = {a.id: display_name(a.to_dict(), lang) for a in plan.anchors}
    for a in plan.before:
        parts.append(names.get(a, a))
        parts.append(f"  {text('before', lang)}: {_summary_line(plan.before[a].to_dict(), lang)}")
        parts.append(f"  {text('after', lang)}: {_summary_line(plan.after[a].to_dict(), lang)}")
    for c, n in plan.unmet_quotas.items():
        parts.append(text("quota_unmet", lang, chain=_chain_names(plan, [c], lang), n=n))
    prose = wrap_lines(terminal_safe("\n".join(parts)), width).split("\n")
    return "\n".join([prose[0], table, *prose[1:]])


def render_info(info: Mapping[str, Any], *, lang: Lang = "zh") -> str:
    """What a store holds (the dict of :func:`chaingraph.stores.describe`) as text lines."""
    ds, home = info["dataset"], info["home_region"]
    sep = "，" if lang == "zh" else ", "
    counts = sep.join(text(f"count.{k}", lang, n=f"{v:,}") if f"count.{k}" in _COUNT_KEYS else f"{k} {v:,}"
                      for k, v in info["counts"].items())
    lines = [text("info.title", lang, title=ds["title"] or ds["name"], name=ds["name"], source=ds["source"]),
             text("info.home", lang, region=display_name(home, lang), id=home["id"]),
             text("info.counts", lang, counts=counts),
             text("info.chains", lang, n=len(info["chains"]))]
    segment_names: dict[str, str] = {}
    for chain in info["chains"]:
        lines.append(text("info.chain", lang, id=chain["id"], name=display_name(chain, lang),
                          n=len(chain["segments"])))
        segment_names.update({s["id"]: display_name(s, lang) for s in chain["segments"]})
    lines.append(text("info.anchors", lang, n=len(info["anchors"])))
    for a in info["anchors"]:
        region = display_name({"name": a["region_name"], "name_en": a["region_name_en"], "id": a["region"]}, lang)
        segs = join([segment_names.get(s, s) for s in a["segments"]], lang) or "-"
        lines.append(text("info.anchor", lang, id=a["id"], name=display_name(a, lang), region=region, segments=segs))
    levels: dict[str, int] = {}
    for r in info["regions"]:
        levels[r["level"] or "?"] = levels.get(r["level"] or "?", 0) + 1
    level_text = sep.join(f"{text(f'level.{k}', lang) if f'level.{k}' in _LEVEL_KEYS else k} {v}"
                          for k, v in levels.items())
    lines.append(text("info.regions", lang, n=len(info["regions"]), levels=level_text))
    return terminal_safe("\n".join(lines))


_COUNT_KEYS = {f"count.{k}" for k in ("firms", "links", "segments", "segment_links", "chains", "regions", "anchors")}
_LEVEL_KEYS = {f"level.{k}" for k in ("country", "province", "city", "county", "town", "park", "?")}


def render_demo(summary: Mapping[str, Any], *, lang: Lang = "zh") -> str:
    """The demo's short summary (the dict of :func:`chaingraph.jobs.demo_summary`)."""
    lines = [text("demo.title", lang, region=display_name(summary["region"], lang))]
    for a in summary["anchors"]:
        gaps = join([f"{display_name(g, lang)}（{status_label(g['status'], lang)}）" if lang == "zh"
                     else f"{display_name(g, lang)} ({status_label(g['status'], lang)})" for g in a["gaps"]], lang)
        lines.append(text("demo.anchor", lang, anchor=display_name(a["anchor"], lang),
                          completeness=_pct(a["completeness"], lang), gaps=gaps or text("none", lang)))
    lines.append(text("demo.targets", lang))
    for t in summary["targets"]:
        lines.append(text("demo.target", lang, rank=t["rank"], firm=display_name(t["firm"], lang),
                          reason=t["reason"]))
    picks = join([display_name(p, lang) for p in summary["picks"]], lang)
    lines.append(text("demo.plan", lang, n=len(summary["picks"]), picks=picks or text("none", lang)))
    lines.append(text("demo.files", lang, n=summary["files"], folder=summary["folder"]))
    lines.append(text("cli.open_first", lang, path=summary["workbook"], page=summary["page"]))
    return terminal_safe("\n".join(lines))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The pipeline's tables: whole rows (its tables are narrow), laid out as the others."""
    return render_table(headers, rows, width=None)


# -- the project pipeline (issue 18) ---------------------------------------------------------------

#: How many stalled and dropped projects the terminal lists (the most overdue first); json and xlsx list all.
PIPELINE_ROWS = 20


def _stage(stage: str, lang: Lang) -> str:
    return text(f"pipeline.stage.{stage}", lang)


def _named(report: PipelineReport, key: str, lang: Lang) -> str:
    return display_name(report.names.get(key, {"id": key}), lang) if key in report.names else key


#: How many of a quota's projects a table, page or workbook cell names (the rest are counted; a cell holds
#: 32,767 characters).
QUOTA_PROJECTS_SHOWN = 20


def quota_projects(report: PipelineReport, projects: Sequence[str], lang: Lang,
                   names: Mapping[str, str] | None = None) -> str:
    """The projects a quota counts, by name (``names``, default the report's), the first
    :data:`QUOTA_PROJECTS_SHOWN` of them and how many in all."""
    titles = report.project_names if names is None else names
    out = project_list([titles.get(p, p) for p in projects[:QUOTA_PROJECTS_SHOWN]], lang)
    if len(projects) > QUOTA_PROJECTS_SHOWN:
        out += text("ledger.more", lang, n=len(projects))
    return out


def project_list(names: Sequence[str], lang: Lang) -> str:
    """Project names in one cell or line: "、" between them in Chinese, "; " in English, where a comma
    would split names that hold commas themselves ("Plant, phase 2")."""
    return ("、" if lang == "zh" else "; ").join(names)


def quota_label(kind: str, chains: Sequence[str], lang: Lang, names: Mapping[str, Mapping[str, str]]) -> str:
    """A quota's name in ``lang``, e.g. 签约项目（锂电池产业链）."""
    shown = [display_name(names[c], lang) if c in names else c for c in chains]
    return text(f"pipeline.quota.{kind}", lang, chains=join(shown, lang))


def render_project_notes(notes: Sequence[ProjectNote], *, lang: Lang = "zh", shown: int | None = None) -> str:
    """One line per project of a firm already in the pipeline (targets and plans print these): the first
    ``shown`` (all when ``None``) and a line saying how many more ``--format json`` lists (a national
    pipeline notes tens of thousands)."""
    if not notes:
        return ""
    lines = [text("pipeline.in_pipeline", lang)]
    for n in notes[:shown]:
        if n.stage == "dropped":
            lines.append("  " + text("pipeline.note.dropped", lang, firm=n.firm, project=n.name,
                                     reason=n.drop_reason or text("pipeline.none", lang)))
        else:
            since = text("pipeline.note.since", lang, date=n.since) if n.since else ""
            lines.append("  " + text("pipeline.note.live", lang, firm=n.firm, project=n.name,
                                     stage=_stage(n.stage, lang), since=since,
                                     owner=n.owner or text("pipeline.none", lang)))
    if shown is not None and len(notes) > shown:
        lines.append("  " + text("pipeline.notes_more", lang, n=f"{len(notes) - shown:,}"))
    return "\n".join(lines)


def _more(n: int, lang: Lang) -> list[str]:
    """The line saying how many rows a terminal list left out, if any."""
    return [text("pipeline.more", lang, n=f"{n:,}")] if n > 0 else []


def _stage_table(report: PipelineReport, counts: Mapping[str, Mapping[str, int]], lang: Lang) -> str:
    stages = [*PROJECT_STAGES, DROPPED]
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
                     str(q.target), reached, "" if q.missing is None else str(q.missing), quota_projects(report, q.projects, lang)])
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
    shown = report.stalled[:PIPELINE_ROWS]  # most overdue first
    out.append(_table([text(f"pipeline.col.{c}", lang) for c in cols],
                      [[s.name or s.id, _stage(s.stage, lang), s.since, str(s.days), str(s.limit), str(s.overdue),
                        s.owner or ""] for s in shown]) if shown else text("pipeline.none", lang))
    out += _more(len(report.stalled) - len(shown), lang)
    for key, ids in (("pipeline.undated", report.undated), ("pipeline.undated_signed", report.undated_signed)):
        if ids:
            out.append(text(key, lang, ids=", ".join(ids)))
    if report.dropped:
        notes = render_project_notes(report.dropped[:PIPELINE_ROWS], lang=lang).split("\n", 1)[1]
        out += ["", text("pipeline.dropped", lang), notes, *_more(len(report.dropped) - PIPELINE_ROWS, lang)]
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
