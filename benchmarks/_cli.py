"""What a user waits for: each CLI command end to end, cold and warm, beside the library call (issue 17 §6).

``bench_cli(data, anchor, repeat)`` runs, in every round, each command in three ways one after the other, so
the three see the same machine load:

* **cold**: ``python -m chaingraph CMD DATA ...`` with an empty snapshot cache: the process starts, reads,
  checks and indexes the CSV files, writes the snapshot and answers. (The CSV files are in the page cache:
  on a shared machine we do not drop it.)
* **warm**: the same command with the snapshot of DATA in the cache, written by an untimed first run.
* **library**: a fresh process opens the store from that snapshot (untimed), then times the library call
  the command makes (``jobs.gap_report`` etc.): the figure the README quoted before.

Each record holds the wall times, the CPU time of the process (user + system, from ``RUSAGE_CHILDREN``), and
the 1-minute load average before each run, with min / median / max. On a machine shared with other jobs the
wall time swings with the load; the CPU time much less, so both are kept.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Command name -> the CLI arguments after the dataset (``{anchor}`` is filled in).
COMMANDS = {
    "gaps-one": ["gaps", "{data}", "--anchor", "{anchor}", "--format", "json", "--silent"],
    "targets": ["targets", "{data}", "--top", "50", "--format", "json", "--silent"],
    "plan": ["plan", "{data}", "--budget", "20", "--format", "json", "--silent"],
    "pipeline": ["pipeline", "{data}", "--format", "json", "--silent"],
    "pipeline-table": ["pipeline", "{data}", "--silent"],  # the table a recruiter reads (issue 18 §4)
}
#: The library call each command makes, on an open ``store`` (``anchor`` bound).
LIBRARY = {
    "gaps-one": "jobs.gap_report(store, anchor=anchor)",
    "targets": "jobs.target_report(store, top=50)",
    "plan": "jobs.plan_report(store, budget=20)",
    "pipeline": "jobs.pipeline_report(store)",
    "pipeline-table": "jobs.pipeline_report(store)",
}
LIBRARY_SCRIPT = """
import json, sys, time
from chaingraph import jobs
from chaingraph.stores import open_store
store = open_store(sys.argv[1])
anchor = sys.argv[2]
t = time.perf_counter()
{call}
print(json.dumps({{"seconds": time.perf_counter() - t}}))
"""
GOALS = {"gaps-one": 0.5, "targets": 2.0, "plan": 3.0, "pipeline": 2.0, "pipeline-table": 2.0}  # issue 17 §1; issue 18 §4


def _run(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rec = {"wall": round(wall, 3), "cpu": round(cpu, 3), "load": round(load, 2)}
    if p.returncode != 0:
        rec["error"] = (p.stderr.strip().splitlines() or ["no output"])[-1][:300]
    elif cmd[1] == "-c":
        rec["call"] = round(json.loads(p.stdout.strip().splitlines()[-1])["seconds"], 3)
    return rec


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if "error" not in r]
    out: dict[str, Any] = {"runs": runs}
    if not ok:
        out["error"] = runs[0].get("error") if runs else "not run"
        return out
    for key in ("wall", "cpu", "load", "call"):
        values = [r[key] for r in ok if key in r]
        if values:
            out[key] = {"min": min(values), "median": round(statistics.median(values), 3), "max": max(values)}
    return out


ANCHOR_SCRIPT = """
import sys
from chaingraph.stores import open_store
store = open_store(sys.argv[1])
print(store.anchors(store.metadata()["home_region"])[0])
"""


def bench_cli(data: Path, repeat: int, log: Any = print, cold_rounds: int | None = None) -> dict[str, Any]:
    """Cold, warm and library runs of each command, alternating, ``repeat`` rounds.

    The anchor is the first of the home region by id, as in ``_step.py gaps-one``. With
    ``cold_rounds``, only the first that many rounds run the (slow) cold command.
    """
    py = [sys.executable]
    warm_cache = Path(tempfile.mkdtemp(prefix="chaingraph-bench-warm-"))
    env = {**os.environ, "PYTHONHASHSEED": "0", "CHAINGRAPH_CACHE": str(warm_cache)}
    log(f"  priming the snapshot of {data} in {warm_cache}")
    t = time.perf_counter()
    anchor = subprocess.run([*py, "-c", ANCHOR_SCRIPT, str(data)], capture_output=True, text=True, env=env,
                            cwd=ROOT, check=True).stdout.strip()
    prime = {"wall": round(time.perf_counter() - t, 3)}
    argv = {name: [a.format(data=data, anchor=anchor) for a in args] for name, args in COMMANDS.items()}
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {c: {"cold": [], "warm": [], "library": []}
                                                         for c in COMMANDS}
    for r in range(repeat):
        for name in COMMANDS:
            if cold_rounds is None or r < cold_rounds:
                with tempfile.TemporaryDirectory(prefix="chaingraph-bench-cold-") as cold:
                    rec = _run([*py, "-m", "chaingraph", *argv[name]], {**env, "CHAINGRAPH_CACHE": cold})
                runs[name]["cold"].append(rec)
            runs[name]["warm"].append(_run([*py, "-m", "chaingraph", *argv[name]], env))
            script = LIBRARY_SCRIPT.format(call=LIBRARY[name])
            runs[name]["library"].append(_run([*py, "-c", script, str(data), anchor], env))
            last = {k: runs[name][k][-1] if runs[name][k] else {"wall": float("nan")}
                    for k in ("cold", "warm", "library")}
            log(f"  round {r + 1} {name:<9} cold {last['cold']['wall']:>7.2f} s  warm {last['warm']['wall']:>6.2f} s"
                f" (cpu {last['warm']['cpu']:.2f} s)  library call {last['library'].get('call', float('nan')):.3f} s"
                f"  load {last['warm']['load']:.1f}")
    subprocess.run(["rm", "-rf", str(warm_cache)], check=False)
    return {"anchor": anchor, "repeat": repeat, "cold_rounds": min(repeat, cold_rounds or repeat), "prime": prime,
            "commands": {c: {k: _summary(v) for k, v in modes.items()} for c, modes in runs.items()}}


def load_range(cli: dict[str, Any]) -> dict[str, float]:
    """The lowest and highest 1-minute load average seen before any run."""
    loads = [r["load"] for res in cli["sizes"].values() for modes in res["commands"].values()
             for summary in modes.values() for r in summary["runs"]]
    return {"min": min(loads), "max": max(loads)} if loads else {"min": 0.0, "max": 0.0}


def markdown(cli: dict[str, Any]) -> str:
    """The end-to-end section of results.md."""
    L = ["## End to end: the CLI as a user runs it (issue 17 §6)\n",
         f"Measured {cli['date']} at chaingraph {cli['revision']} on {cli['cpu']} ({cli['cores']} cores), "
         f"with `{cli['command']}`. **The machine was shared**: the 1-minute load average was "
         f"{load_range(cli)['min']:.1f}–{load_range(cli)['max']:.1f} on {cli['cores']} cores during the run, so wall "
         "times are several times what a quiet machine gives; CPU time (user + system of the command's process) "
         "is the steadier figure. Every cell is min / **median** / max of the rounds; in each round the cold, "
         "warm and library runs of a command follow each other.\n",
         "- *cold*: `python -m chaingraph CMD DATA ...` with an empty snapshot cache: start, read and check "
         "the CSV files, index, write the snapshot, answer.",
         "- *warm*: the same command with the snapshot in the cache (the usual case after the first command).",
         "- *library*: the library call alone (`jobs.gap_report` etc.) on a store opened from the snapshot, "
         "as the README quoted before.\n"]
    for label, res in cli["sizes"].items():
        L.append(f"### {label} firms (anchor {res['anchor']}, {res['repeat']} rounds; cold runs in "
                 f"{res.get('cold_rounds', res['repeat'])} of them)\n")
        L.append("| command | cold: wall | warm: wall | warm: CPU | library call | goal (warm) | met |")
        L.append("|---|---|---|---|---|---|---|")
        for name, modes in res["commands"].items():
            warm = modes["warm"].get("wall", {}).get("median")
            goal = GOALS.get(name)
            met = "–" if warm is None or goal is None else ("yes" if warm < goal else "**no**")
            shown = _shown(name)
            L.append(f"| `{shown}` | {_mmm(modes['cold'], 'wall')} | "
                     f"{_mmm(modes['warm'], 'wall')} | {_mmm(modes['warm'], 'cpu')} | "
                     f"{_mmm(modes['library'], 'call')} | < {goal} s | {met} |")
        L.append("")
    return "\n".join(L) + "\n"


def _shown(name: str) -> str:
    """The command as the table names it, without the dataset and ``--silent``: ``targets --top 50``; the
    format only for a command timed in two (``pipeline --format json``, ``pipeline`` for the table)."""
    args = COMMANDS[name]
    twice = sum(a[0] == args[0] for a in COMMANDS.values()) > 1
    rest = [a for a in args[2:] if a != "--silent" and (twice or a not in ("--format", "json"))]
    return " ".join([args[0], *rest]).replace("{anchor}", "A")


def _mmm(summary: dict[str, Any], key: str) -> str:
    if "error" in summary:
        return f"error: {summary['error']}"
    s = summary.get(key)
    if not s:
        return "–"
    return f"{s['min']:.2f} / **{s['median']:.2f}** / {s['max']:.2f} s"
