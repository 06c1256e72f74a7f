"""The ``chaingraph`` command line: a thin click shell over the library.

Each command parses its options, calls one public function, prints the result
and turns :class:`~chaingraph.errors.ChainGraphError` into ``Error: ...`` with
exit code 1 (click uses 2 for usage errors).
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from chaingraph import __version__
from chaingraph.errors import ChainGraphError, DatasetErrors

F = TypeVar("F", bound=Callable[..., Any])

LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
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


@contextmanager
def progress_bar(label: str, *, silent: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A ``progress(done, total)`` callback drawing a click progress bar on stderr."""
    if silent:
        yield lambda done, total: None
        return
    state: dict[str, Any] = {"bar": None, "done": 0}

    def progress(done: int, total: int | None) -> None:
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=total or 0, label=label, file=click.get_text_stream("stderr"))
            state["bar"].__enter__()
        state["bar"].update(done - state["done"])
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


def _name(d: dict[str, Any], lang: str) -> str:
    from chaingraph.model import display_name

    return display_name(d, "en" if lang == "en" else "zh")


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
    click.echo(f"{source}: OK ({ds.firms.num_rows:,} firms, {ds.links.num_rows:,} links, "
               f"{len(ds.segments)} segments, {len(ds.chains)} chains, {len(ds.regions)} regions)")


@cli.command(name="info")
@click.argument("source")
@LANG
@ENCODING
@SILENT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def info_cmd(source: str, lang: str, encoding: str | None, silent: bool, fmt: str) -> None:
    """Show what a dataset or database holds: counts, chains, anchors, regions.

    \b
    Example:
        chaingraph info datasets/jiashan --lang en
    """
    from chaingraph.store import describe, open_store

    with progress_bar("reading", silent=silent) as progress:
        store = open_store(source, encoding=encoding, progress=progress)
    try:
        info = describe(store)
    finally:
        store.close()
    if fmt == "json":
        echo_json(info)
        return
    ds, home = info["dataset"], info["home_region"]
    click.echo(f"{ds['title'] or ds['name']} ({ds['name']}) from {ds['source']}")
    click.echo(f"home region: {_name(home, lang)} ({home['id']})")
    counts = info["counts"]
    click.echo("counts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    click.echo(f"chains ({len(info['chains'])}):")
    for chain in info["chains"]:
        click.echo(f"  {chain['id']}: {_name(chain, lang)} ({len(chain['segments'])} segments)")
    click.echo(f"anchors ({len(info['anchors'])}):")
    for a in info["anchors"]:
        region = _name({"name": a["region_name"], "name_en": a["region_name_en"]}, lang)
        click.echo(f"  {a['id']}: {_name(a, lang)}, {region}, segments {', '.join(a['segments']) or '-'}")
    levels: dict[str, int] = {}
    for r in info["regions"]:
        levels[r["level"] or "?"] = levels.get(r["level"] or "?", 0) + 1
    click.echo(f"regions ({len(info['regions'])}): " + ", ".join(f"{k} {v}" for k, v in levels.items()))


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
    click.echo(f"firms {s['firms']:,} ({s['anchors']:,} anchors, {s['local_firms']:,} local), links {s['links']:,}, "
               f"chains {s['chains']}, segments {s['segments']}, segment links {s['segment_links']}, "
               f"regions {s['regions']}")
    click.echo(f"{s['bytes'] / 1e6:,.1f} MB in {len(s['files'])} files, {s['seconds']:.1f} s")
