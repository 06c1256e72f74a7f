"""The cold load of issue 17 §2 beside its two yardsticks, alternately, in fresh processes.

Usage::

    python benchmarks/cold_load.py DATA [--rounds 3] [--base /path/to/other/checkout] [--no-kuzu]

Each round runs, one process each and in this order: chaingraph's cold load
(read + check + index + snapshot write, ``MemoryStore.open`` into an empty
cache folder) of this checkout, the same of ``--base`` (another checkout, put
first on ``PYTHONPATH``) when given, Kùzu's ``COPY`` of firms.csv and links.csv
into a new database (``benchmarks/_step.py kuzu-copy``'s statements), and the
*floor*: ``pyarrow.csv.read_csv`` of firms.csv and links.csv with default
options. Each process reports the wall and CPU time (user + sys, all threads)
of the timed call and its peak RSS; the report gives min / median / max per
peer, the ratios of the medians, and the 1-minute load average before each run.

Run one peer alone with ``python benchmarks/cold_load.py --peer NAME DATA``.
"""
from __future__ import annotations

import argparse
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


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _emit(wall: float, cpu: float, **extra: Any) -> None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": round(wall, 3), "cpu": round(cpu, 3), "rss_mb": round(rss, 1), **extra}))


def peer_chaingraph(data: Path) -> None:
    from chaingraph.stores.memory import MemoryStore

    with tempfile.TemporaryDirectory(prefix="cold-load-") as cache:
        t, c = time.perf_counter(), _cpu()
        store = MemoryStore.open(data, cache_dir=cache)
        wall, cpu = time.perf_counter() - t, _cpu() - c
        written = sum(f.stat().st_size for f in Path(cache).rglob("*") if f.is_file())
        _emit(wall, cpu, links=store.counts()["links"], snapshot_mb=round(written / 1e6, 1),
              code=str(Path(sys.modules["chaingraph"].__file__ or "").parent))


def peer_floor(data: Path) -> None:
    import pyarrow.csv as pacsv

    t, c = time.perf_counter(), _cpu()
    rows = sum(pacsv.read_csv(data / name).num_rows for name in ("firms.csv", "links.csv"))
    _emit(time.perf_counter() - t, _cpu() - c, rows=rows)


def peer_kuzu(data: Path) -> None:
    import kuzu

    sys.path.insert(0, str(HERE))
    from _step import KUZU_SCHEMA

    with tempfile.TemporaryDirectory(prefix="cold-load-kuzu-") as folder:
        db = kuzu.Database(str(Path(folder) / "db"))
        conn = kuzu.Connection(db)
        for statement in KUZU_SCHEMA:
            conn.execute(statement)
        t, c = time.perf_counter(), _cpu()
        conn.execute(f"COPY Firm FROM '{data / 'firms.csv'}' (header=true)")
        conn.execute(f"COPY SUPPLIES FROM '{data / 'links.csv'}' (header=true)")
        wall, cpu = time.perf_counter() - t, _cpu() - c
        conn.close()
        db.close()
        _emit(wall, cpu, kuzu=kuzu.__version__)


PEERS = {"chaingraph": peer_chaingraph, "floor": peer_floor, "kuzu": peer_kuzu}


def _run(peer: str, data: Path, pythonpath: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    load = os.getloadavg()[0]
    t = time.perf_counter()
    p = subprocess.run([sys.executable, __file__, "--peer", peer, str(data)], capture_output=True, text=True,
                       env=env, check=False)
    if p.returncode:
        raise SystemExit(f"{peer} failed:\n{p.stderr[-2000:]}")
    rec: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
    return {**rec, "process_s": round(time.perf_counter() - t, 3), "load": round(load, 2)}


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / **{statistics.median(values):.2f}** / {max(values):.2f}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", type=Path)
    p.add_argument("--peer", choices=sorted(PEERS))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--base", help="another checkout of chaingraph, loaded alternately with this one")
    p.add_argument("--no-kuzu", action="store_true")
    p.add_argument("--json", type=Path, help="also write every run here")
    a = p.parse_args()
    if a.peer:
        PEERS[a.peer](a.data.resolve())
        return
    peers = [("chaingraph", "chaingraph", str(HERE.parent))]
    if a.base:
        peers.append(("base", "chaingraph", a.base))
    if not a.no_kuzu:
        peers.append(("kuzu", "kuzu", None))
    peers.append(("floor", "floor", None))
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in peers}
    for r in range(a.rounds):
        for label, peer, path in peers:
            rec = _run(peer, a.data.resolve(), path)
            runs[label].append(rec)
            print(f"round {r + 1} {label}: {json.dumps(rec)}", file=sys.stderr, flush=True)
    if a.json:
        a.json.write_text(json.dumps(runs, indent=1))
    print("| peer | wall min / median / max (s) | CPU user+sys (s) | peak RSS max (MB) | load avg |")
    print("|---|---|---|---|---|")
    for label, recs in runs.items():
        loads = [x["load"] for x in recs]
        print(f"| {label} | {_spread([x['wall'] for x in recs])} | {_spread([x['cpu'] for x in recs])} | "
              f"{max(x['rss_mb'] for x in recs):.0f} | {min(loads):.1f}–{max(loads):.1f} |")
    med = {label: statistics.median(x["wall"] for x in recs) for label, recs in runs.items()}
    for other in ("kuzu", "floor", "base"):
        if other in med:
            print(f"chaingraph ÷ {other} (median wall): {med['chaingraph'] / med[other]:.2f}")


if __name__ == "__main__":
    main()
