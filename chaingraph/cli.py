"""The ``chaingraph`` command line: a thin click shell over the library.

Each command parses its options, calls one public function, prints the result
and turns :class:`~chaingraph.errors.ChainGraphError` into ``Error: ...`` with
exit code 1 (click uses 2 for usage errors).
"""
from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import click

from chaingraph import __version__
from chaingraph.errors import ChainGraphError, DatasetErrors
from chaingraph.model import Lang

F = TypeVar("F", bound=Callable[..., Any])



def _lang(ctx: click.Context, param: click.Parameter, value: str) -> Lang:
    """The one place the CLI turns ``--lang`` into a :data:`~chaingraph.model.Lang`."""
    ctx.meta["chaingraph.lang"] = value
    return cast(Lang, value)


class _EchoNameMatches(logging.Handler):
    """Tell the user on stderr which firm, chain or region a partial name was taken as (chaingraph.names)."""

    def emit(self, record: logging.LogRecord) -> None:
        found = getattr(record, "name_match", None)
        if found is None:
            return
        from chaingraph.i18n import text

        ctx = click.get_current_context(silent=True)
        lang = cast(Lang, ctx.meta.get("chaingraph.lang", "zh") if ctx else "zh")
        click.echo(text("name.matched", lang, query=found.query, id=found.id, name=found.name,
                        how=text(f"name.how.{found.how}", lang)), err=True)


_names_log = logging.getLogger("chaingraph.names")
_names_log.setLevel(logging.INFO)
if not any(isinstance(h, _EchoNameMatches) for h in _names_log.handlers):
    _names_log.addHandler(_EchoNameMatches())


LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, callback=_lang,
                    help="Language of names and headers.")
ENCODING = click.option("--encoding", default=None, metavar="NAME",
                        help="Encoding of the CSV files (default: detect UTF-8, UTF-8 with BOM or GB18030).")
SILENT = click.option("--silent", is_flag=True, help="No progress bars.")


def reports_errors(f: F) -> F:
    """Turn our exceptions into a one-line ``Error:`` and exit code 1."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except DatasetErrors as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            n = len(exc.problems)
            msg = f"{n} problem{'s' if n != 1 else ''} found; nothing was loaded"
            raise click.ClickException(msg) from exc
        except ChainGraphError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


#: Work that is done within this many seconds draws no progress bar.
PROGRESS_AFTER = 0.5


@contextmanager
def progress_bar(label: str, *, silent: bool,
                 after: float = PROGRESS_AFTER) -> Iterator[Callable[[int, int | None], None]]:
    """A ``progress(done, total)`` callback drawing a click progress bar on stderr.

    The bar appears only once the work has taken ``after`` seconds, so a small
    dataset prints no bar at all.
    """
    if silent:
        yield lambda done, total: None
        return
    state: dict[str, Any] = {"bar": None, "done": 0}
    start = time.monotonic()

    def progress(done: int, total: int | None) -> None:
        bar = state["bar"]
        if bar is None:
            if time.monotonic() - start < after:
                return
            bar = state["bar"] = click.progressbar(length=total or 0, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - state["done"])
        state["done"] = done

    try:
        yield progress
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chaingraph")
def cli() -> None:
    """chaingraph: see an industry chain as a graph, find the gaps around anchor
    firms and rank the firms worth recruiting.

    \b
    Example:
        chaingraph info datasets/jiashan
    """


# Commands follow; each one is short and calls one library function.


@cli.command(name="validate")
@click.argument("source")
@ENCODING
@reports_errors
def validate_cmd(source: str, encoding: str | None) -> None:
    """Check a dataset folder and list every problem as FILE:LINE: message (hint).

    \b
    Example:
        chaingraph validate datasets/jiashan
    """
    from chaingraph.datasets import read_dataset

    ds = read_dataset(source, encoding=encoding)
    counts = {"firm": ds.firms.num_rows, "link": ds.links.num_rows, "segment": len(ds.segments),
              "chain": len(ds.chains), "region": len(ds.regions)}
    click.echo(f"{source}: OK (" + ", ".join(f"{n:,} {k}{'' if n == 1 else 's'}" for k, n in counts.items()) + ")")


@cli.command(name="info")
@click.argument("source")
@LANG
@ENCODING
@SILENT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def info_cmd(source: str, lang: Lang, encoding: str | None, silent: bool, fmt: str) -> None:
    """Show what a dataset or database holds: counts, chains, anchors, regions.

    \b
    Example:
        chaingraph info datasets/jiashan --lang en
    """
    from chaingraph.exports.text import render_info
    from chaingraph.stores import describe, open_store

    with progress_bar("reading", silent=silent) as progress:
        store = open_store(source, encoding=encoding, progress=progress)
    try:
        info = describe(store)
    finally:
        store.close()
    if fmt == "json":
        echo_json(info)
        return
    click.echo(render_info(info, lang=lang))


@cli.command(name="generate")
@click.argument("out_dir", metavar="OUT_DIR")
@click.option("--firms", required=True, metavar="N", help="Number of firms: 2000, 10k, 1m...")
@click.option("--links-per-firm", default=5, show_default=True, type=click.IntRange(min=0), metavar="K",
              help="Mean customers per firm.")
@click.option("--chains", default=3, show_default=True, type=click.IntRange(1, 999), metavar="C",
              help="Number of chain templates.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), metavar="S",
              help="Random seed; the same seed and options give the same files.")
@SILENT
@reports_errors
def generate_cmd(out_dir: str, firms: str, links_per_firm: int, chains: int, seed: int, silent: bool) -> None:
    """Write a synthetic dataset (made-up firms, links, chains and regions) to OUT_DIR.

    \b
    Example:
        chaingraph generate --firms 100k --seed 1 /tmp/synthetic
    """
    from chaingraph.generate import generate_dataset, parse_count

    try:
        n = parse_count(firms)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--firms'") from exc
    with progress_bar("generating", silent=silent) as progress:
        s = generate_dataset(out_dir, firms=n, links_per_firm=links_per_firm, chains=chains, seed=seed,
                             progress=progress)
    click.echo(f"wrote {s['name']} to {s['path']} (home region {s['home_region']})")
    click.echo(f"firms {s['firms']:,} ({s['anchors']:,} anchors, {s['local_firms']:,} local), "
               f"links {s['links']:,}, chains {s['chains']}, segments {s['segments']}, "
               f"segment links {s['segment_links']}, regions {s['regions']}")
    click.echo(f"{s['bytes'] / 1e6:,.1f} MB in {len(s['files'])} files, {s['seconds']:.1f} s")


# -- analysis commands: gaps, targets, plan, demo (issue 4) ----------------------------------------

ANALYSIS_FORMATS = ["table", "json", "csv"]
DEPTH = click.option("--depth", default=2, show_default=True, type=click.IntRange(min=0), metavar="N",
                     help="Largest FEEDS distance from the anchor's segments.")
REGION = click.option("--region", default=None, metavar="ID",
                      help="Home region id (default: the dataset's home_region).")
THRESHOLD = click.option("--threshold", default=0.5, show_default=True, type=click.FloatRange(0, 1),
                         help="Local share of anchor supply under which an upstream segment is weak.")
OUTPUT = click.option("-o", "--output", default=None, metavar="PATH", help="Write to PATH instead of stdout.")
WHAT_IF = click.option("--what-if", "what_if", default=None, metavar="FIRM,...",
                       help="Recompute as if these firms (ids or names, comma-separated) were local.")
WEIGHTS = click.option("--weights", default=None, metavar="C=W,...",
                       help="Score weights, e.g. supplies_anchor=3,scale=0 (others keep their defaults).")
MIN_CONFIDENCE = click.option("--min-confidence", "min_confidence", default=0.0, show_default=True,
                              type=click.FloatRange(0, 1), metavar="X",
                              help="Leave out supplier links less sure than X (their confidence, 0-1).")
CONFIRMED = click.option("--confirmed", default=0.5, show_default=True, type=click.FloatRange(0, 1), metavar="X",
                         help="Anchor suppliers at least this sure are confirmed (local share, single source).")
PROFILE = click.option("--profile", default=None, type=click.Path(dir_okay=False), metavar="TOML",
                       help="A TOML file of score weights; --weights overrides it.")


def _split_firms(spec: str | None) -> list[str]:
    return [p.strip() for p in (spec or "").replace("，", ",").split(",") if p.strip()]


def _emit(content: str, output: str | None) -> None:
    """Print ``content`` or write it to ``output`` (UTF-8)."""
    if output:
        from pathlib import Path

        Path(output).write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(content)


def _open(source: str, encoding: str | None, silent: bool) -> Any:
    from chaingraph.stores import open_store

    with progress_bar("loading", silent=silent) as progress:
        return open_store(source, encoding=encoding, progress=progress)


@cli.command(name="gaps")
@click.argument("source")
@click.option("--anchor", default=None, metavar="FIRM",
              help="Anchor firm id or name (default: every anchor of the region, with the chain map).")
@DEPTH
@REGION
@THRESHOLD
@WHAT_IF
@MIN_CONFIDENCE
@CONFIRMED
@click.option("--format", "fmt", type=click.Choice(ANALYSIS_FORMATS), default="table", show_default=True)
@OUTPUT
@LANG
@ENCODING
@SILENT
@reports_errors
def gaps_cmd(source: str, anchor: str | None, depth: int, region: str | None, threshold: float,
             what_if: str | None, min_confidence: float, confirmed: float, fmt: str, output: str | None,
             lang: Lang, encoding: str | None, silent: bool) -> None:
    """Chain gaps around an anchor: missing, weak and covered segments upstream and downstream.

    \b
    Example:
        chaingraph gaps datasets/jiashan --anchor 兰钧新能源 --depth 2
        chaingraph gaps datasets/jiashan --format json -o gaps.json
    """
    from chaingraph import jobs
    from chaingraph.exports.tables import csv_text, gap_rows
    from chaingraph.exports.text import render_gaps

    store = _open(source, encoding, silent)
    try:
        data = jobs.gap_report(store, anchor=anchor, depth=depth, region=region, threshold=threshold,
                               what_if=_split_firms(what_if), min_confidence=min_confidence, confirmed=confirmed)
    finally:
        store.close()
    if fmt == "json":
        _emit(json.dumps(data, ensure_ascii=False, indent=2), output)
    elif fmt == "csv":
        _emit(csv_text(*gap_rows(data, lang=lang)), output)
    else:
        _emit(render_gaps(data, lang=lang), output)


@cli.command(name="targets")
@click.argument("source")
@click.option("--anchor", "anchors", multiple=True, metavar="FIRM",
              help="Anchor firm id or name; repeat for several (default: every anchor of the region).")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="Number of targets; 0 for all.")
@click.option("--chain", default=None, metavar="ID", help="Only gaps in this chain.")
@click.option("--min-output", default=None, type=float, metavar="X",
              help="Only firms with output value >= X (1e10 for 百亿 projects).")
@WEIGHTS
@PROFILE
@DEPTH
@REGION
@THRESHOLD
@MIN_CONFIDENCE
@CONFIRMED
@click.option("--format", "fmt", type=click.Choice([*ANALYSIS_FORMATS, "xlsx"]), default="table",
              show_default=True, help="xlsx needs -o.")
@OUTPUT
@LANG
@ENCODING
@SILENT
@reports_errors
def targets_cmd(source: str, anchors: tuple[str, ...], top: int, chain: str | None, min_output: float | None,
                weights: str | None, profile: str | None, depth: int, region: str | None, threshold: float,
                min_confidence: float, confirmed: float, fmt: str, output: str | None, lang: Lang,
                encoding: str | None, silent: bool) -> None:
    """Rank firms elsewhere that could fill the gaps around the anchors, with reasons.

    \b
    Example:
        chaingraph targets datasets/jiashan --top 20 --lang en
        chaingraph targets datasets/jiashan --format xlsx -o targets.xlsx
    """
    from chaingraph import jobs
    from chaingraph.exports.tables import csv_text, target_rows, write_target_table
    from chaingraph.exports.text import render_project_notes, render_targets

    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx writes a file; give it with -o targets.xlsx")
    w = jobs.load_weights(weights, profile)
    store = _open(source, encoding, silent)
    try:
        rep = jobs.target_report(store, anchors=anchors, depth=depth, region=region, top=top or None,
                                 chain=chain, min_output=min_output, weights=w, threshold=threshold,
                                 lang=lang, min_confidence=min_confidence, confirmed=confirmed)
    finally:
        store.close()
    if fmt == "json":
        _emit(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2), output)
    elif fmt in ("csv", "xlsx") and output:
        from pathlib import Path

        path = Path(output)
        if path.suffix.lower() != f".{fmt}":
            path = path.with_suffix(f".{fmt}")
        write_target_table(rep.targets, path, lang=lang, gaps=rep.gaps)
        click.echo(f"wrote {path}", err=True)
    elif fmt == "csv":
        click.echo(csv_text(*target_rows(rep.targets, lang=lang)), nl=False)
    else:
        notes = render_project_notes(rep.in_pipeline, lang=lang)
        _emit(render_targets(rep, lang=lang) + ("\n\n" + notes if notes else ""), output)


@cli.command(name="plan")
@click.argument("source")
@click.option("--budget", required=True, type=click.IntRange(min=0), metavar="N",
              help="Number of targets to pick.")
@click.option("--quota", "quotas", multiple=True, metavar="CHAIN=K",
              help="At least K picks in chain CHAIN; repeat for several chains.")
@click.option("--anchor", "anchors", multiple=True, metavar="FIRM",
              help="Anchor firm id or name; repeat for several (default: every anchor of the region).")
@WHAT_IF
@WEIGHTS
@PROFILE
@DEPTH
@REGION
@THRESHOLD
@MIN_CONFIDENCE
@CONFIRMED
@click.option("--format", "fmt", type=click.Choice(ANALYSIS_FORMATS), default="table", show_default=True)
@OUTPUT
@LANG
@ENCODING
@SILENT
@reports_errors
def plan_cmd(source: str, budget: int, quotas: tuple[str, ...], anchors: tuple[str, ...], what_if: str | None,
             weights: str | None, profile: str | None, depth: int, region: str | None, threshold: float,
             min_confidence: float, confirmed: float, fmt: str, output: str | None, lang: Lang,
             encoding: str | None, silent: bool) -> None:
    """Pick BUDGET targets that together close the most gap weight, honouring per-chain quotas.

    \b
    Example:
        chaingraph plan datasets/jiashan --budget 20 --quota li=10 --quota digital=10
        chaingraph plan datasets/jiashan --budget 5 --what-if 恩捷股份
    """
    from chaingraph import jobs
    from chaingraph.exports.tables import csv_text, target_rows
    from chaingraph.exports.text import render_plan, render_project_notes

    q = jobs.parse_quotas(quotas)
    w = jobs.load_weights(weights, profile)
    store = _open(source, encoding, silent)
    try:
        plan = jobs.plan_report(store, budget=budget, quotas=q, anchors=anchors, depth=depth,
                                region=region, threshold=threshold, weights=w, what_if=_split_firms(what_if),
                                lang=lang, min_confidence=min_confidence, confirmed=confirmed)
    finally:
        store.close()
    if fmt == "json":
        _emit(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2), output)
    elif fmt == "csv":
        picked = [p.target for p in plan.picks]
        _emit(csv_text(*target_rows(picked, lang=lang)), output)
    else:
        notes = render_project_notes(plan.in_pipeline, lang=lang)
        _emit(render_plan(plan, lang=lang) + ("\n\n" + notes if notes else ""), output)


@cli.command(name="demo")
@click.option("--out", "out_dir", default="chaingraph-demo", show_default=True, metavar="DIR",
              help="Folder to write into.")
@click.option("--source", default=None, metavar="FOLDER", help="Dataset folder (default: datasets/jiashan).")
@MIN_CONFIDENCE
@LANG
@reports_errors
def demo_cmd(out_dir: str, source: str | None, min_confidence: float, lang: Lang) -> None:
    """Run the whole job on the Jiashan demo data: gaps, targets (CSV, XLSX), plan and graph pages.

    \b
    Example:
        chaingraph demo --out chaingraph-demo --lang zh
    """
    from chaingraph.jobs import run_demo

    for path in run_demo(out_dir, lang=lang, source=source, min_confidence=min_confidence):
        click.echo(str(path))


@cli.command(name="html")
@click.argument("source")
@click.option("--anchor", default=None, metavar="FIRM", help="Anchor firm id or name (the firm graph).")
@click.option("--chain-map", "chain_map", is_flag=True, help="Write the region's chain map instead.")
@click.option("-o", "--output", required=True, metavar="PATH", help="HTML file to write.")
@DEPTH
@click.option("--targets", default=10, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="Targets drawn (chain map: listed per segment).")
@click.option("--max-nodes", default=2000, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Most firm nodes; the page says what was left out.")
@REGION
@MIN_CONFIDENCE
@LANG
@ENCODING
@SILENT
@reports_errors
def html_cmd(source: str, anchor: str | None, chain_map: bool, output: str, depth: int, targets: int,
             max_nodes: int, region: str | None, min_confidence: float, lang: Lang, encoding: str | None,
             silent: bool) -> None:
    """Write an interactive graph page that works offline: an anchor's firm graph or the chain map.

    \b
    Examples:
        chaingraph html datasets/jiashan --anchor lanjun -o lanjun.html
        chaingraph html datasets/jiashan --chain-map -o chain-map.html
    """
    from chaingraph.jobs import html_report

    if not chain_map and not anchor:
        raise click.UsageError("pass --anchor FIRM, or --chain-map")
    store = _open(source, encoding, silent)
    try:
        page = html_report(store, anchor=anchor, out=output, depth=depth, targets=targets,
                           lang=lang, max_nodes=max_nodes, chain_map=chain_map, region=region,
                           min_confidence=min_confidence)
    finally:
        store.close()
    click.echo(f"wrote {output}: {page.firm_count} firms, {len(page.nodes)} nodes, {len(page.edges)} edges")
    for notice in page.notices[:1] if page.left_out else []:
        click.echo(notice)


@cli.command(name="load")
@click.argument("source")
@click.option("--to", "uri", required=True, metavar="URI",
              help="Database: neo4j://, neo4j+s://, bolt://, bolt+s:// (Neo4j) or falkordb://HOST:PORT[/GRAPH].")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Rows per UNWIND batch.")
@click.option("--replace", is_flag=True, help="Delete the graph already in the database first.")
@click.option("--user", default=None, metavar="USER",
              help="Neo4j user (default: $NEO4J_USER, else neo4j); asks for the password unless "
                   "$NEO4J_PASSWORD is set.")
@click.option("--database", default=None, metavar="NAME", help="Neo4j database (default: the server's).")
@ENCODING
@SILENT
@reports_errors
def load_cmd(source: str, uri: str, batch_size: int, replace: bool, user: str | None, database: str | None,
             encoding: str | None, silent: bool) -> None:
    """Validate a dataset folder, then load it into Neo4j or FalkorDB (loading it again changes nothing).

    \b
    Examples:
        chaingraph load datasets/jiashan --to bolt://localhost:7687 --user neo4j
        chaingraph load datasets/jiashan --to falkordb://localhost:6379 --replace
    """
    import os

    from chaingraph.datasets import read_dataset
    from chaingraph.stores.graphdb import check_uri, load_dataset, redact_uri

    check_uri(uri)
    password = os.environ.get("NEO4J_PASSWORD")
    if user and password is None:
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    with progress_bar("reading", silent=silent) as progress:
        dataset = read_dataset(source, encoding=encoding, progress=progress)
    with progress_bar("loading", silent=silent) as progress:
        done = load_dataset(dataset, uri, batch_size=batch_size, replace=replace, progress=progress,
                            user=user, password=password, database=database)
    click.echo(f"loaded {dataset.meta.get('name')} into {redact_uri(uri)}: {done['firms']} firms, "
               f"{done['links']} links, {done['segments']} segments, {done['chains']} chains, "
               f"{done['regions']} regions, {done['anchors']} anchors")
    click.echo(f"{done['rows']} rows in {done['seconds']:.1f} s: {done['rows_per_second']} rows/s")


# -- the project pipeline (issue 18) ----------------------------------------------------------------

@cli.command(name="pipeline")
@click.argument("source")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="The day to answer for (default: today).")
@click.option("--period", default=None, metavar="PERIOD",
              help="Cohort and quota period: 2023, 2023-Q2 or 2023-04 (default: [quotas] period, else the year).")
@click.option("--chain", default=None, metavar="ID", help="Only projects of this chain.")
@click.option("--park", default=None, metavar="ID", help="Only projects in this region (a park) or inside it.")
@click.option("--format", "fmt", type=click.Choice([*ANALYSIS_FORMATS, "html"]), default="table",
              show_default=True, help="html needs -o.")
@OUTPUT
@LANG
@ENCODING
@SILENT
@reports_errors
def pipeline_cmd(source: str, as_of: str | None, period: str | None, chain: str | None, park: str | None,
                 fmt: str, output: str | None, lang: Lang, encoding: str | None, silent: bool) -> None:
    """Project pipeline: stages per chain and park, 注册率/开工率/投产率, quotas, stalled projects.

    \b
    Examples:
        chaingraph pipeline datasets/jiashan --as-of 2023-12-31 --period 2023
        chaingraph pipeline datasets/jiashan --format html -o pipeline.html
    """
    from chaingraph import jobs
    from chaingraph.exports.tables import csv_text, pipeline_rows
    from chaingraph.exports.text import render_pipeline

    if fmt == "html" and not output:
        raise click.UsageError("--format html writes a file; give it with -o pipeline.html")
    store = _open(source, encoding, silent)
    try:
        rep = jobs.pipeline_report(store, as_of=as_of, period=period, chain=chain, park=park)
    finally:
        store.close()
    if fmt == "json":
        _emit(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2), output)
    elif fmt == "csv":
        _emit(csv_text(*pipeline_rows(rep, lang=lang)), output)
    elif fmt == "html" and output:
        from chaingraph.exports.pipeline_html import write_pipeline_html

        click.echo(f"wrote {write_pipeline_html(rep, output, lang=lang)}", err=True)
    else:
        _emit(render_pipeline(rep, lang=lang), output)


@cli.group(name="project")
def project_group() -> None:
    """Change one project of the pipeline (projects.csv, or the database for a URI).

    \b
    Example:
        chaingraph project set datasets/jiashan prj-lanjun-2 --stage registered --date 2023-04-03
    """


@project_group.command(name="set")
@click.argument("source")
@click.argument("project")
@click.option("--stage", required=True, metavar="STAGE",
              help="lead, contacted, negotiating, signed, registered, construction, producing or dropped "
                   "(or 线索 ... 终止).")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="The day the stage was reached (YYYY-MM: month only).")
@click.option("--reason", default=None, metavar="TEXT", help="Why the project was dropped (with --stage dropped).")
@LANG
@ENCODING
@reports_errors
def project_set_cmd(source: str, project: str, stage: str, date: str | None, reason: str | None, lang: Lang,
                    encoding: str | None) -> None:
    """Set a project's stage and date; the data is validated first and written atomically.

    \b
    Example:
        chaingraph project set datasets/jiashan prj-lanjun-2 --stage registered --date 2023-04-03
    """
    from chaingraph import jobs
    from chaingraph.i18n import text

    done = jobs.set_project(source, project, stage=stage, date=date, reason=reason, encoding=encoding)
    shown = f" {done['date']}" if done.get("date") else ""
    stage_label = text(f"pipeline.stage.{done['stage']}", lang)
    key = "project.set" if done["changed"] else "project.unchanged"
    click.echo(text(key, lang, project=project, stage=stage_label, date=shown, path=done.get("path", source)))
