"""The ``chaingraph`` command line: a thin click shell over the library.

Each command parses its options, calls one public function, prints the result
and turns :class:`~chaingraph.errors.ChainGraphError` into ``Error: ...`` with
exit code 1 (click uses 2 for usage errors).
"""
from __future__ import annotations

import functools
import gc
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from chaingraph import __version__
from chaingraph.errors import ChainGraphError, DatasetErrors, redact
from chaingraph.model import Lang

F = TypeVar("F", bound=Callable[..., Any])


def default_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """The language when ``--lang`` is not given: ``CHAINGRAPH_LANG``, else the locale, else English.

    Examples
    --------
    >>> default_lang({"CHAINGRAPH_LANG": "en", "LANG": "zh_CN.UTF-8"}), default_lang({"LANG": "zh_CN.UTF-8"})
    ('en', 'zh')
    >>> default_lang({"LC_ALL": "C", "LANG": "zh_TW"}), default_lang({})
    ('en', 'en')
    """
    env = os.environ if environ is None else environ
    chosen = env.get("CHAINGRAPH_LANG", "").strip().lower()
    if chosen in ("zh", "en"):
        return cast(Lang, chosen)
    locale = env.get("LC_ALL") or env.get("LANG") or ""
    return "zh" if locale.lower().startswith("zh") else "en"


def _lang(ctx: click.Context, param: click.Parameter, value: str | None) -> Lang:
    """The one place the CLI turns ``--lang`` into a :data:`~chaingraph.model.Lang` (default: :func:`default_lang`)."""
    lang = cast(Lang, value) if value in ("zh", "en") else default_lang()
    ctx.meta["chaingraph.lang"] = lang
    return lang


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


LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default=None, callback=_lang, is_eager=True,
                    help="Language of names, headers and messages [default: $CHAINGRAPH_LANG, else zh for a "
                         "zh_* locale, else en].")
ENCODING = click.option("--encoding", default=None, metavar="NAME",
                        help="Encoding of the CSV files (default: detect UTF-8, UTF-8 with BOM or GB18030).")
SILENT = click.option("--silent", is_flag=True, help="No progress bars.")
WIDE = click.option("--wide", is_flag=True, help="Print whole table rows, however wide (default: fit $COLUMNS).")
OUTPUT_ENCODING = click.option("--output-encoding", default="utf-8", show_default=True,
                               type=click.Choice(["utf-8", "gb18030"], case_sensitive=False),
                               help="Encoding of CSV files written with -o (utf-8 gets a BOM for Excel); "
                                    "CSV on stdout is UTF-8 without a BOM.")


def _current_lang() -> Lang:
    ctx = click.get_current_context(silent=True)
    lang = ctx.meta.get("chaingraph.lang") if ctx is not None else None
    return cast(Lang, lang) if lang in ("zh", "en") else default_lang()


def say(key: str, **values: Any) -> str:
    """The sentence ``key`` of :mod:`chaingraph.i18n` in the command's language."""
    from chaingraph.i18n import text

    return text(key, _current_lang(), **values)


def _terminal(s: str) -> str:
    from chaingraph.exports.text import terminal_safe

    return terminal_safe(s)


class ChainGraphClickError(click.ClickException):
    """A one-line error in the user's language: ``错误：…`` or ``Error: …``, exit code 1."""

    def __init__(self, message: str, lang: Lang) -> None:
        super().__init__(message)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        from chaingraph.i18n import text

        click.echo(_terminal(text("cli.error", self.lang, message=self.message)), err=True)


def cache_options(f: F) -> F:
    """``--cache-dir`` and ``--no-cache``: where :func:`_open` keeps the dataset's snapshot, if anywhere.

    The values go to the click context, so that the commands keep their signatures.
    """

    def remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta[f"chaingraph.{param.name}"] = value
        return value

    f = click.option("--no-cache", is_flag=True, expose_value=False, callback=remember,
                     help="Read the CSV files; neither read nor write a snapshot.")(f)
    return click.option("--cache-dir", default=None, metavar="DIR", expose_value=False, callback=remember,
                        envvar="CHAINGRAPH_CACHE", show_envvar=True,
                        help="Where snapshots of datasets are kept "
                             "(default: $XDG_CACHE_HOME/chaingraph or ~/.cache/chaingraph).")(f)


def reports_errors(f: F) -> F:
    """Turn every exception into a one-line error in the user's language and exit code 1.

    Our own errors say what is wrong and how to fix it; anything else (a file system error, a bug)
    becomes one line too. Passwords in URIs are redacted. ``CHAINGRAPH_DEBUG=1`` shows the
    traceback instead, and turns on debug logging.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from chaingraph.i18n import error_text, text

        lang = _current_lang()
        debug = os.environ.get("CHAINGRAPH_DEBUG") == "1"
        if debug:
            logging.basicConfig(level=logging.DEBUG)
        try:
            return f(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except DatasetErrors as exc:
            for problem in exc.problems:
                click.echo(_terminal(redact(problem.say(lang))), err=True)
            n = len(exc.problems)
            msg = text("cli.problems", lang, n=n, s="s" if n != 1 else "")
            raise ChainGraphClickError(msg, lang) from exc
        except ChainGraphError as exc:
            raise ChainGraphClickError(redact(error_text(exc, lang)), lang) from exc
        except Exception as exc:
            if debug:
                raise
            raise ChainGraphClickError(_unexpected(exc, lang), lang) from None

    return wrapper  # type: ignore[return-value]


def _unexpected(exc: Exception, lang: Lang) -> str:
    """One line for an exception that is not ours: the file and reason of an OS error, else its type."""
    from chaingraph.i18n import text

    if isinstance(exc, OSError) and exc.strerror:
        path = exc.filename2 if isinstance(exc, IsADirectoryError) and exc.filename2 else exc.filename
        msg = text("error.os", lang, path=path if path is not None else "", reason=exc.strerror)
    else:
        detail = (str(exc).strip().splitlines() or [""])[0][:300]
        msg = text("error.unexpected", lang, kind=type(exc).__name__, detail=detail)
    return redact(msg)


def _max_file_size(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Keep ``--max-file-size`` in the context, where :func:`_read_options` finds it."""
    from chaingraph.datasets import parse_size

    if value is not None:
        try:
            ctx.meta["chaingraph.max_file_size"] = parse_size(value)
        except ValueError as exc:
            from chaingraph.i18n import error_text

            raise click.BadParameter(error_text(exc, _current_lang()), ctx=ctx, param=param) from None


def _read_options() -> dict[str, Any]:
    """Options for reading a dataset that the CLI keeps in the context (``--max-file-size``)."""
    size = click.get_current_context().meta.get("chaingraph.max_file_size")
    return {} if size is None else {"max_file_size": size}


MAX_FILE_SIZE = click.option("--max-file-size", default=None, metavar="SIZE", expose_value=False,
                             callback=_max_file_size,
                             help="Largest dataset file read, e.g. 500M or 8G (default 2G).")


def _translate_usage(message: str, lang: Lang) -> str:
    """click's usage messages said in ``lang`` where they can be recognised (the rest stays as click wrote it)."""
    from chaingraph.i18n import text

    if lang == "en":
        return message
    first, _, rest = message.partition("\n")
    patterns = [(r"^Missing argument (.+)\.$", "usage.missing_argument"),
                (r"^Missing option (.+)\.$", "usage.missing_option"),
                (r"^No such option:? '?([^'\s]+)'?\.?", "usage.no_such_option"),
                (r"^No such command (.+)\.$", "usage.no_such_command"),
                (r"^Got unexpected extra arguments? \((.+)\)$", "usage.extra_arguments"),
                (r"^Option (.+) requires (?:an argument|\d+ arguments)\.$", "usage.requires_argument")]
    for pattern, key in patterns:
        m = re.match(pattern, first)
        if m:
            first = text(key, lang, name=m.group(1))
            break
    else:
        m = re.match(r"^Invalid value for (.+?): (.*)$", first)
        if m:
            first = text("usage.invalid_value", lang, name=m.group(1), detail=_translate_detail(m.group(2), lang))
    m = re.search(r"Did you mean (.+?)\?", message)
    if m and "usage.did_you_mean" not in first:
        first += " " + text("usage.did_you_mean", lang, names=m.group(1))
    return first + ("\n" + rest if rest and not rest.startswith("Did you mean") else "")


def _translate_detail(detail: str, lang: Lang) -> str:
    """What click says is wrong with a value, in ``lang`` where it can be recognised (our own
    messages arrive already said in ``lang``)."""
    from chaingraph.i18n import text

    kinds = {"integer": "usage.kind.integer", "float": "usage.kind.float", "boolean": "usage.kind.boolean",
             "File": "usage.kind.file", "Directory": "usage.kind.directory", "Path": "usage.kind.path"}
    m = re.match(r"^(.+) is not one of (.+)\.$", detail)
    if m:
        return text("usage.not_one_of", lang, value=m.group(1), choices=m.group(2))
    m = re.match(r"^(.+) is not a valid (integer|float|boolean)( range)?\.$", detail)
    if m:
        return text("usage.not_valid", lang, value=m.group(1), kind=text(kinds[m.group(2)], lang))
    m = re.match(r"^(.+) is not in the range (.+)\.$", detail)
    if m:
        return text("usage.not_in_range", lang, value=m.group(1), range=m.group(2))
    m = re.match(r"^(File|Directory|Path) (.+) does not exist\.$", detail)
    if m:
        return text("usage.does_not_exist", lang, kind=text(kinds[m.group(1)], lang), path=m.group(2))
    return detail


def _lang_from_args(args: Sequence[str]) -> Lang:
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args) and args[i + 1] in ("zh", "en"):
            return cast(Lang, args[i + 1])
        if a in ("--lang=zh", "--lang=en"):
            return cast(Lang, a.split("=", 1)[1])
    return default_lang()


class ChainGraphGroup(click.Group):
    """A click group whose usage errors speak the user's language (``--lang``, else the default)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            self._show_usage_error(exc, _lang_from_args(argv))
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(say_in("cli.aborted", _lang_from_args(argv)), err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    @staticmethod
    def _show_usage_error(exc: click.UsageError, lang: Lang) -> None:
        ctx = exc.ctx
        if ctx is not None:
            usage = ctx.get_usage()
            click.echo(say_in("cli.usage", lang) + usage.removeprefix("Usage:").lstrip(), err=True)
            if ctx.command.get_help_option(ctx) is not None:
                click.echo(say_in("cli.try_help", lang, command=ctx.command_path), err=True)
            click.echo("", err=True)
        click.echo(_terminal(say_in("cli.usage_error", lang, message=_translate_usage(exc.format_message(), lang))),
                   err=True)


def say_in(key: str, lang: Lang, **values: Any) -> str:
    from chaingraph.i18n import text

    return text(key, lang, **values)


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, back on after it.

    A command reads and builds hundreds of thousands of objects that form no reference cycles (records,
    arrays, a graph's dicts); the collector, run again and again as they are made, only walks them: a
    third of ``pipeline``'s time at 50,000 projects. Reference counting still frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Work that is done within this many seconds draws no progress bar.
PROGRESS_AFTER = 0.5


@contextmanager
def progress_bar(step: str, *, silent: bool,
                 after: float = PROGRESS_AFTER) -> Iterator[Callable[[int, int | None], None]]:
    """A ``progress(done, total)`` callback drawing a rich progress bar on stderr.

    ``step`` is a key of :mod:`chaingraph.i18n` (``progress.reading``, ...): the
    bar is labelled in the user's language. It appears only when stderr is a
    terminal and once the work has taken ``after`` seconds (a timer starts it
    even if the work reports nothing), so small jobs, pipes and logs get no
    progress text at all.
    """
    if silent:  # before importing rich, which takes a tenth of a second
        yield lambda done, total: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}"),
                   TimeElapsedColumn(), console=console, transient=True)
    task = bar.add_task(say(f"progress.{step}"), total=None)
    timer = threading.Timer(after, bar.start)
    timer.daemon = True
    timer.start()

    def progress(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total or None)

    try:
        yield progress
    finally:
        timer.cancel()
        bar.stop()


def table_width(wide: bool) -> int | None:
    """Width of terminal tables: ``None`` for ``--wide``, else ``$COLUMNS``, the terminal's, or 100."""
    if wide:
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    return 100


def echo_json(data: Any) -> None:
    click.echo(_json_text(data))


@click.group(cls=ChainGraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
@MAX_FILE_SIZE
@LANG
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="text lists errors one per line; json and html report errors, warnings and notes alike.")
@reports_errors
def validate_cmd(source: str, encoding: str | None, lang: Lang, fmt: str) -> None:
    """Check a dataset folder: errors (which block every load) as FILE:LINE: message (hint), then
    warnings and notes, each with a code, a count and the first examples.

    \b
    Example:
        chaingraph validate datasets/jiashan
        chaingraph validate datasets/jiashan --format html > quality.html
    """
    from chaingraph.exports.quality import render_quality_html, render_quality_text
    from chaingraph.quality import validate

    with progress_bar("validating", silent=False) as progress:
        report = validate(source, encoding=encoding, lang=lang, progress=progress, raise_errors=fmt == "text",
                          **_read_options())
    data = report.to_dict()
    if fmt == "json":
        echo_json(data)
    elif fmt == "html":
        click.echo(render_quality_html(data, lang=lang), nl=False)
    else:
        if lang == "en":
            text_ = ", ".join(f"{n:,} {k[:-1] if n == 1 else k}" for k, n in report.counts.items())
        else:
            text_ = "，".join(say(f"count.{k}", n=f"{n:,}") for k, n in report.counts.items())
        click.echo(_terminal(say("validate.ok", source=source, counts=text_)))
        if report.notices:
            click.echo(_terminal(render_quality_text(data, lang=lang)))
    if report.total("error"):
        raise SystemExit(1)


@cli.command(name="info")
@click.argument("source")
@LANG
@ENCODING
@MAX_FILE_SIZE
@cache_options
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
    from chaingraph.jobs import dataset_warnings
    from chaingraph.stores import describe

    store = _open(source, encoding, silent)
    try:
        info = describe(store)
        warnings = dataset_warnings(store)
    finally:
        store.close()
    if fmt == "json":
        echo_json({**info, "warnings": warnings})
        return
    click.echo(render_info(info, lang=lang))
    if warnings:
        click.echo(_terminal(say("info.warnings", n=warnings, source=source)))


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
@LANG
@reports_errors
def generate_cmd(out_dir: str, firms: str, links_per_firm: int, chains: int, seed: int, silent: bool,
                 lang: Lang) -> None:
    """Write a synthetic dataset (made-up firms, links, chains and regions) to OUT_DIR.

    \b
    Example:
        chaingraph generate --firms 100k --seed 1 /tmp/synthetic
    """
    from chaingraph.generate import generate_dataset, parse_count

    try:
        n = parse_count(firms)
    except ValueError as exc:
        from chaingraph.i18n import error_text

        raise click.BadParameter(error_text(exc, lang), param_hint="'--firms'") from exc
    with progress_bar("generating", silent=silent) as progress:
        s = generate_dataset(out_dir, firms=n, links_per_firm=links_per_firm, chains=chains, seed=seed,
                             progress=progress)
    click.echo(say("generate.wrote", name=s["name"], path=s["path"], home=s["home_region"]))
    click.echo(say("generate.counts", firms=f"{s['firms']:,}", anchors=f"{s['anchors']:,}",
                   local=f"{s['local_firms']:,}", links=f"{s['links']:,}", chains=s["chains"],
                   segments=s["segments"], segment_links=s["segment_links"], regions=s["regions"],
                   projects=f"{s['projects']:,}", as_of=s["reference_date"]))
    click.echo(say("generate.size", mb=f"{s['bytes'] / 1e6:,.1f}", files=len(s["files"]),
                   seconds=f"{s['seconds']:.1f}"))


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


def _json_text(data: Any) -> str:
    """``data`` as the indented JSON ``json.dumps(data, ensure_ascii=False, indent=2)`` gives (a float's exponent
    aside: ``2.5e-7``, not ``2.5e-07``), written by orjson: the standard library indents in pure Python (0.7 s for
    the 10 MB pipeline report of a million firms, orjson 0.08 s). What orjson refuses (a key that is not a
    string, an integer beyond 64 bits) goes through the standard library."""
    import orjson

    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
    except TypeError:
        return json.dumps(data, ensure_ascii=False, indent=2)


def _emit(content: str, output: str | None) -> None:
    """Print ``content`` (made safe for a terminal), or write it to ``output`` (UTF-8; folders are created)."""
    if output:
        from chaingraph.exports.cells import output_errors, prepare_output

        path = prepare_output(output)
        with output_errors(path):
            path.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")
        click.echo(_terminal(say("cli.wrote", path=output)), err=True)
    else:
        click.echo(_terminal(content))


def _emit_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], output: str | None, encoding: str) -> None:
    """CSV to a file (BOM or GB18030) or to stdout (UTF-8, no BOM)."""
    from chaingraph.exports.cells import csv_text, write_csv

    if output:
        write_csv(output, headers, rows, encoding=encoding)
        click.echo(_terminal(say("cli.wrote", path=output)), err=True)
    else:
        click.echo(csv_text(headers, rows), nl=False)


def _uri_password_hint(source: str) -> None:
    """One line on stderr when a database URI carries a password, saying where a password belongs."""
    from chaingraph.stores import is_database_uri

    if not is_database_uri(source):
        return
    from chaingraph.stores.graphdb import parse_uri  # only for a URI: the module costs 0.1 s to import

    uri = parse_uri(source)
    if uri.password:
        env = "NEO4J_PASSWORD" if uri.is_bolt else "FALKORDB_PASSWORD"
        prompt = say("hint.uri_password.prompt") if uri.is_bolt else ""
        click.echo(say("hint.uri_password", env=env, prompt=prompt), err=True)


def _open(source: str, encoding: str | None, silent: bool) -> Any:
    from chaingraph.stores import open_store

    _uri_password_hint(source)
    meta = click.get_current_context().meta
    with progress_bar("reading", silent=silent) as progress:
        return open_store(source, encoding=encoding, progress=progress, **_read_options(),
                          cache=not meta.get("chaingraph.no_cache"), cache_dir=meta.get("chaingraph.cache_dir"))


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
@OUTPUT_ENCODING
@WIDE
@LANG
@ENCODING
@MAX_FILE_SIZE
@cache_options
@SILENT
@reports_errors
def gaps_cmd(source: str, anchor: str | None, depth: int, region: str | None, threshold: float,
             what_if: str | None, min_confidence: float, confirmed: float, fmt: str, output: str | None,
             output_encoding: str, wide: bool, lang: Lang, encoding: str | None, silent: bool) -> None:
    """Chain gaps around an anchor: missing, weak and covered segments upstream and downstream.

    \b
    Example:
        chaingraph gaps datasets/jiashan --anchor 兰钧新能源 --depth 2
        chaingraph gaps datasets/jiashan --format json -o gaps.json
    """
    from chaingraph import jobs

    store = _open(source, encoding, silent)
    try:
        data = jobs.gap_report(store, anchor=anchor, depth=depth, region=region, threshold=threshold,
                               what_if=_split_firms(what_if), min_confidence=min_confidence, confirmed=confirmed)
    finally:
        store.close()
    if fmt == "json":
        _emit(_json_text(data), output)
    elif fmt == "csv":
        from chaingraph.exports.tables import gap_rows  # imports the targets analysis, networkx with it

        _emit_csv(*gap_rows(data, lang=lang), output, output_encoding)
    else:
        from chaingraph.exports.text import render_gaps

        _emit(render_gaps(data, lang=lang, width=None if output else table_width(wide)), output)


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
@OUTPUT_ENCODING
@WIDE
@LANG
@ENCODING
@MAX_FILE_SIZE
@cache_options
@SILENT
@reports_errors
def targets_cmd(source: str, anchors: tuple[str, ...], top: int, chain: str | None, min_output: float | None,
                weights: str | None, profile: str | None, depth: int, region: str | None, threshold: float,
                min_confidence: float, confirmed: float, fmt: str, output: str | None, output_encoding: str,
                wide: bool, lang: Lang, encoding: str | None, silent: bool) -> None:
    """Rank firms elsewhere that could fill the gaps around the anchors, with reasons.

    \b
    Example:
        chaingraph targets datasets/jiashan --top 20 --lang en
        chaingraph targets datasets/jiashan --format xlsx -o targets.xlsx
    """
    from chaingraph import jobs
    from chaingraph.exports.tables import target_rows
    from chaingraph.exports.text import PIPELINE_ROWS, render_project_notes, render_targets
    from chaingraph.exports.workbook import write_targets_workbook

    if fmt == "xlsx" and not output:
        raise click.UsageError(say("error.xlsx_needs_output", example="targets.xlsx"))
    w = jobs.load_weights(weights, profile)
    store = _open(source, encoding, silent)
    try:
        with progress_bar("ranking", silent=silent):
            rep = jobs.target_report(store, anchors=anchors, depth=depth, region=region, top=top or None,
                                     chain=chain, min_output=min_output, weights=w, threshold=threshold,
                                     lang=lang, min_confidence=min_confidence, confirmed=confirmed)
        currency = str(store.metadata().get("currency") or "CNY")
    finally:
        store.close()
    if fmt == "json":
        _emit(_json_text(rep.to_dict()), output)
    elif fmt == "xlsx":
        assert output is not None
        path = write_targets_workbook(rep.targets, output, lang=lang, gaps=rep.gaps, currency=currency)
        click.echo(_terminal(say("cli.wrote", path=str(path))), err=True)
    elif fmt == "csv":
        _emit_csv(*target_rows(rep.targets, lang=lang), output, output_encoding)
    else:
        notes = render_project_notes(rep.in_pipeline, lang=lang, shown=PIPELINE_ROWS)
        _emit(render_targets(rep, lang=lang, width=None if output else table_width(wide), currency=currency)
              + ("\n\n" + notes if notes else ""), output)


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
@click.option("--format", "fmt", type=click.Choice([*ANALYSIS_FORMATS, "xlsx"]), default="table",
              show_default=True, help="xlsx needs -o.")
@OUTPUT
@OUTPUT_ENCODING
@WIDE
@LANG
@ENCODING
@MAX_FILE_SIZE
@cache_options
@SILENT
@reports_errors
def plan_cmd(source: str, budget: int, quotas: tuple[str, ...], anchors: tuple[str, ...], what_if: str | None,
             weights: str | None, profile: str | None, depth: int, region: str | None, threshold: float,
             min_confidence: float, confirmed: float, fmt: str, output: str | None, output_encoding: str,
             wide: bool, lang: Lang, encoding: str | None, silent: bool) -> None:
    """Pick BUDGET targets that together close the most gap weight, honouring per-chain quotas.

    \b
    Example:
        chaingraph plan datasets/jiashan --budget 20 --quota li=10 --quota digital=10
        chaingraph plan datasets/jiashan --budget 5 --what-if 恩捷股份
    """
    from chaingraph import jobs
    from chaingraph.exports.tables import plan_rows
    from chaingraph.exports.text import PIPELINE_ROWS, render_plan, render_project_notes
    from chaingraph.exports.workbook import write_plan_workbook

    if fmt == "xlsx" and not output:
        raise click.UsageError(say("error.xlsx_needs_output", example="plan.xlsx"))
    q = jobs.parse_quotas(quotas)
    w = jobs.load_weights(weights, profile)
    store = _open(source, encoding, silent)
    try:
        with progress_bar("planning", silent=silent):
            plan = jobs.plan_report(store, budget=budget, quotas=q, anchors=anchors, depth=depth, region=region,
                                    threshold=threshold, weights=w, what_if=_split_firms(what_if), lang=lang,
                                    min_confidence=min_confidence, confirmed=confirmed)
    finally:
        store.close()
    if fmt == "json":
        _emit(_json_text(plan.to_dict()), output)
    elif fmt == "xlsx":
        assert output is not None
        path = write_plan_workbook(plan, output, lang=lang)
        click.echo(_terminal(say("cli.wrote", path=str(path))), err=True)
    elif fmt == "csv":
        _emit_csv(*plan_rows(plan, lang=lang), output, output_encoding)
    else:
        notes = render_project_notes(plan.in_pipeline, lang=lang, shown=PIPELINE_ROWS)
        _emit(render_plan(plan, lang=lang, width=None if output else table_width(wide))
              + ("\n\n" + notes if notes else ""), output)


@cli.command(name="report")
@click.argument("source")
@click.option("-o", "--output", required=True, metavar="PATH", help="Workbook to write, e.g. 招商报告.xlsx.")
@click.option("--top", default=50, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="Targets listed; 0 for all.")
@click.option("--budget", default=10, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="Picks of the plan sheet.")
@WEIGHTS
@PROFILE
@DEPTH
@REGION
@THRESHOLD
@LANG
@ENCODING
@MAX_FILE_SIZE
@SILENT
@reports_errors
def report_cmd(source: str, output: str, top: int, budget: int, weights: str | None, profile: str | None,
               depth: int, region: str | None, threshold: float, lang: Lang, encoding: str | None,
               silent: bool) -> None:
    """Write the recruiter workbook: targets, gaps, plan, chain map and notes, one sheet each.

    \b
    Example:
        chaingraph report datasets/jiashan -o 招商报告.xlsx
    """
    from chaingraph import jobs
    from chaingraph.exports.cells import prepare_output
    from chaingraph.exports.workbook import write_report

    prepare_output(output)
    w = jobs.load_weights(weights, profile)
    store = _open(source, encoding, silent)
    try:
        with progress_bar("ranking", silent=silent):
            rep = jobs.report(store, top=top or None, budget=budget, depth=depth, region=region,
                              threshold=threshold, weights=w, lang=lang)
    finally:
        store.close()
    path = write_report(rep, output, lang=lang)
    gaps = sum(1 for g in rep.gaps for s in g["segments"] if s["status"] != "covered")
    click.echo(_terminal(say("report.wrote", path=str(path), targets=len(rep.targets), gaps=gaps,
                             picks=len(rep.plan.picks) if rep.plan else 0)))


@cli.command(name="demo")
@click.option("--out", "out_dir", default="chaingraph-demo", show_default=True, metavar="DIR",
              help="Folder to write into.")
@click.option("--source", default=None, metavar="FOLDER", help="Dataset folder (default: datasets/jiashan).")
@MIN_CONFIDENCE
@LANG
@MAX_FILE_SIZE
@reports_errors
def demo_cmd(out_dir: str, source: str | None, min_confidence: float, lang: Lang) -> None:
    """Run the whole job on the Jiashan demo data: a summary, the recruiter workbook, lists, plan and pages.

    \b
    Example:
        chaingraph demo --out chaingraph-demo --lang zh
    """
    from chaingraph.exports.text import render_demo
    from chaingraph.jobs import run_demo

    demo = run_demo(out_dir, lang=lang, source=source, min_confidence=min_confidence, **_read_options())
    click.echo(render_demo(demo.summary, lang=lang))


@cli.command(name="html")
@click.argument("source")
@click.option("--anchor", default=None, metavar="FIRM", help="Anchor firm id or name (the firm graph).")
@click.option("--chain-map", "chain_map", is_flag=True, help="Write the region's chain map instead.")
@click.option("--map", "firm_map", is_flag=True, help="Write the firm map (firms by coordinates) instead.")
@click.option("--chain", "chains", multiple=True, metavar="NAME_OR_ID",
              help="Chain map: only this chain (repeatable).")
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
@MAX_FILE_SIZE
@cache_options
@SILENT
@reports_errors
def html_cmd(source: str, anchor: str | None, chain_map: bool, firm_map: bool, chains: tuple[str, ...],
             output: str, depth: int, targets: int, max_nodes: int, region: str | None, min_confidence: float,
             lang: Lang, encoding: str | None, silent: bool) -> None:
    """Write an interactive page that works offline: an anchor's firm graph, the chain map or the firm map.

    \b
    Examples:
        chaingraph html datasets/jiashan --anchor lanjun -o lanjun.html
        chaingraph html datasets/jiashan --chain-map -o chain-map.html
        chaingraph html datasets/jiashan --chain-map --chain chain-li -o li.html
        chaingraph html datasets/jiashan --map -o firm-map.html
    """
    from chaingraph.exports.cells import output_errors, prepare_output
    from chaingraph.jobs import html_report

    if not chain_map and not firm_map and not anchor:
        raise click.UsageError(say("error.html_needs_anchor"))
    path = prepare_output(output)
    store = _open(source, encoding, silent)
    try:
        with output_errors(path):
            page = html_report(store, anchor=anchor, out=output, depth=depth, targets=targets,
                               lang=lang, max_nodes=max_nodes, chain_map=chain_map, region=region,
                               min_confidence=min_confidence, chains=chains, firm_map=firm_map)
    finally:
        store.close()
    click.echo(_terminal(say("html.wrote", path=output, firms=page.firm_count, nodes=len(page.nodes),
                             edges=len(page.edges))))
    for notice in page.notices[:1] if page.left_out else []:
        click.echo(_terminal(notice))


@cli.command(name="load")
@click.argument("source")
@click.option("--to", "uri", required=True, metavar="URI|PATH",
              help="Database: neo4j://, neo4j+s://, bolt://, bolt+s:// (Neo4j) or falkordb://HOST:PORT[/GRAPH]; "
                   "or a snapshot folder NAME.chaingraph that later commands open in a fraction of a second.")
@click.option("--batch-size", default=None, type=click.IntRange(min=1), metavar="N",
              help="Rows per UNWIND batch  [default: 10000].")
@click.option("--replace", is_flag=True, help="Delete the graph already in the database first.")
@click.option("--force-unlock", "force_unlock", is_flag=True,
              help="Remove the write lock a load that died left (only when that process is gone).")
@click.option("--user", default=None, metavar="USER",
              help="Neo4j user (default: $NEO4J_USER, else neo4j); asks for the password unless "
                   "$NEO4J_PASSWORD is set.")
@click.option("--database", default=None, metavar="NAME", help="Neo4j database (default: the server's).")
@ENCODING
@MAX_FILE_SIZE
@SILENT
@LANG
@reports_errors
def load_cmd(source: str, uri: str, batch_size: int | None, replace: bool, force_unlock: bool, user: str | None,
             database: str | None, encoding: str | None, silent: bool, lang: Lang) -> None:
    """Validate a dataset folder, then load it into Neo4j or FalkorDB (loading it again changes nothing),
    or save it as a snapshot folder that the other commands open instead of the CSV files.

    \b
    Examples:
        chaingraph load datasets/jiashan --to bolt://localhost:7687 --user neo4j
        chaingraph load datasets/jiashan --to falkordb://localhost:6379 --replace
        chaingraph load datasets/jiashan --to jiashan.chaingraph && chaingraph gaps jiashan.chaingraph
    """
    from chaingraph.datasets import read_dataset
    from chaingraph.stores.graphdb import load_dataset, parse_uri

    if "://" not in uri:
        _save_snapshot(source, uri, encoding=encoding, lang=lang, silent=silent)
        return
    parsed = parse_uri(uri)
    _uri_password_hint(uri)
    # the store takes the password from the URI, else NEO4J_PASSWORD (Bolt) or FALKORDB_PASSWORD
    password = None
    if user and parsed.password is None and not os.environ.get("NEO4J_PASSWORD" if parsed.is_bolt
                                                                else "FALKORDB_PASSWORD"):
        password = click.prompt(say("load.password", user=user), hide_input=True, err=True)
    with progress_bar("reading", silent=silent) as progress:
        dataset = read_dataset(source, encoding=encoding, progress=progress, **_read_options())
    with progress_bar("loading", silent=silent) as progress:
        done = load_dataset(dataset, uri, batch_size=batch_size, replace=replace, progress=progress,
                            force_unlock=force_unlock, user=user, password=password, database=database)
    click.echo(_terminal(say("load.done", name=dataset.meta.get("name"), uri=parsed.bare, firms=done["firms"],
                             links=done["links"], segments=done["segments"], chains=done["chains"],
                             regions=done["regions"], anchors=done["anchors"])))
    click.echo(say("load.speed", rows=done["rows"], seconds=f"{done['seconds']:.1f}", rate=done["rows_per_second"]))


def _save_snapshot(source: str, target: str, *, encoding: str | None, lang: Lang, silent: bool) -> None:
    from chaingraph.i18n import text
    from chaingraph.stores import save_snapshot

    started = time.perf_counter()
    with progress_bar("reading", silent=silent) as progress:
        counts = save_snapshot(source, target, encoding=encoding, progress=progress)
    click.echo(_terminal(text("snapshot.written", lang, source=source, path=target, firms=f"{counts['firms']:,}",
                              links=f"{counts['links']:,}", seconds=time.perf_counter() - started)))
@cli.command(name="export")
@click.argument("source")
@click.option("--neo4j-admin", "neo4j_admin", required=True, metavar="DIR",
              help="Write node and relationship CSV files for 'neo4j-admin database import full' into DIR.")
@click.option("--database", default="neo4j", show_default=True, metavar="NAME",
              help="Database name in the import command.")
@LANG
@ENCODING
@SILENT
@reports_errors
def export_cmd(source: str, neo4j_admin: str, database: str, lang: Lang, encoding: str | None,
               silent: bool) -> None:
    """Write a dataset as neo4j-admin import files: the bulk path into Neo4j for tens of millions of firms.

    \b
    Example:
        chaingraph export datasets/jiashan --neo4j-admin neo4j-import/
    """
    import shlex

    from chaingraph import jobs
    from chaingraph.i18n import text

    with progress_bar("reading", silent=silent) as progress:
        done = jobs.export_neo4j_admin(source, neo4j_admin, database=database, encoding=encoding, progress=progress)
    files = done["files"]
    click.echo(text("export.neo4j_admin", lang, files=len(files), firms=files["firms.csv"],
                    links=files["supplies.csv"], folder=done["folder"],
                    readme=str(Path(done["folder"]) / "README.md")))
    click.echo(" ".join(shlex.quote(a) for a in done["command"]))


# -- the project pipeline (issue 18) ----------------------------------------------------------------

@cli.command(name="pipeline")
@click.argument("source")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="The day to answer for (default: today).")
@click.option("--period", default=None, metavar="PERIOD",
              help="Cohort and quota period: 2023, 2023-Q2 or 2023-04 (default: [quotas] period, else the year).")
@click.option("--chain", default=None, metavar="ID", help="Only projects of this chain.")
@click.option("--park", default=None, metavar="ID", help="Only projects in this region (a park) or inside it.")
@click.option("--format", "fmt", type=click.Choice([*ANALYSIS_FORMATS, "html", "xlsx"]), default="table",
              show_default=True, help="html and xlsx (the sheets 招商进度 and 项目台账) need -o.")
@click.option("--impact", is_flag=True, default=False,
              help="Also each anchor's gaps before and after the signed and producing projects land "
                   "(table and json; a few seconds at a million firms).")
@OUTPUT
@OUTPUT_ENCODING
@LANG
@ENCODING
@MAX_FILE_SIZE
@cache_options
@SILENT
@reports_errors
def pipeline_cmd(source: str, as_of: str | None, period: str | None, chain: str | None, park: str | None,
                 fmt: str, impact: bool, output: str | None, output_encoding: str, lang: Lang,
                 encoding: str | None, silent: bool) -> None:
    """Project pipeline: stages per chain and park, 注册率/开工率/投产率, quotas, stalled projects.

    \b
    Examples:
        chaingraph pipeline datasets/jiashan --as-of 2023-12-31 --period 2023
        chaingraph pipeline datasets/jiashan --impact
        chaingraph pipeline datasets/jiashan --format xlsx -o 招商进度.xlsx
        chaingraph pipeline datasets/jiashan --format html -o pipeline.html
    """
    from chaingraph import jobs

    if fmt in ("html", "xlsx") and not output:
        raise click.UsageError(say(f"error.{fmt}_needs_output", example=f"pipeline.{fmt}"))
    with without_cyclic_gc():
        store = _open(source, encoding, silent)
        try:
            if fmt == "xlsx":
                from chaingraph.exports.workbook import write_pipeline_workbook

                book = jobs.pipeline_book(store, as_of=as_of, period=period, chain=chain, park=park)
            else:
                rep = jobs.pipeline_report(store, as_of=as_of, period=period, chain=chain, park=park,
                                           impact=impact)
        finally:
            store.close()
    if fmt == "xlsx" and output:
        click.echo(_terminal(say("cli.wrote", path=str(write_pipeline_workbook(book, output, lang=lang)))),
                   err=True)
    elif fmt == "json":
        _emit(_json_text(rep.to_dict()), output)
    elif fmt == "csv":
        from chaingraph.exports.tables import pipeline_rows

        _emit_csv(*pipeline_rows(rep, lang=lang), output, output_encoding)
    elif fmt == "html" and output:
        from chaingraph.exports.cells import prepare_output
        from chaingraph.exports.pipeline_html import write_pipeline_html

        prepare_output(output)
        click.echo(_terminal(say("cli.wrote", path=str(write_pipeline_html(rep, output, lang=lang)))), err=True)
    else:
        from chaingraph.exports.text import render_pipeline

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

    _uri_password_hint(source)
    done = jobs.set_project(source, project, stage=stage, date=date, reason=reason, encoding=encoding)
    shown = f" {done['date']}" if done.get("date") else ""
    stage_label = text(f"pipeline.stage.{done['stage']}", lang)
    key = "project.set" if done["changed"] else "project.unchanged"
    click.echo(text(key, lang, project=project, stage=stage_label, date=shown, path=done.get("path", source)))
