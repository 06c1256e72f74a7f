"""Measure ``chaingraph load`` into a real Neo4j 5.26 (the embedded server of tests/neo4j), beside FalkorDB, and
the neo4j-admin path (``chaingraph export --neo4j-admin`` + ``neo4j-admin database import full``).

    python benchmarks/neo4j_load.py --firms 100000 [--rounds 2] [--falkordb] [--admin] [--batch-size N]

Generates ``chaingraph generate --firms N --seed 0`` (once, in /tmp/chaingraph-neo4j-load-genN) and starts Neo4j as a load server
(``quick=False`` in tests/neo4j_server.py: Neo4j's own JVM flags, G1, full JIT, the 2 GB heap reserved from
the start, 1 GB page cache), and with ``--falkordb`` a FalkorDB server too. Each round loads the dataset
into Neo4j and then into FalkorDB (so both see the same machine load), after deleting the previous round's
graph (Neo4j: ``CypherStore.delete_dataset``, what ``--replace`` runs, timed apart; FalkorDB: FLUSHALL).
Round 1 runs on a fresh JVM; later rounds show the load once the JIT has compiled Neo4j's hot code.

Per load it prints one JSON line: wall time and links/s over the whole load (firms included); the client's
CPU time and peak RSS (the ``chaingraph load`` process alone, from wait4); the server's CPU time split by
thread (``worker``: Neo4j's Bolt workers, which run the queries; ``gc``; ``jit``: the compiler threads;
``other``) and its peak RSS (VmHWM); the 1-minute load average before and after. CPU times are the steadier
figures on a shared machine. Results go in benchmarks/results.md by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from neo4j_server import Neo4jServer  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def thread_cpu(pid: int) -> Counter[str]:
    """CPU seconds (user + system) of a process so far, by kind of thread (from /proc/PID/task)."""
    kinds: Counter[str] = Counter()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        if "BoltWork" in name:  # comm keeps 15 characters: "neo4j.BoltWorke"
            kind = "worker"
        elif re.match(r"(GC |G1 |GC Thread|VM Thread)", name) or name.startswith("G1"):
            kind = "gc"
        elif name.startswith(("C1 Compiler", "C2 Compiler")):
            kind = "jit"
        else:
            kind = "other"
        kinds[kind] += (int(fields[11]) + int(fields[12])) / TICK
    return kinds


def run_load(cmd: list[str], env: dict[str, str], server_pid: int) -> dict[str, object]:
    """Run ``chaingraph load`` once: wall time, the client's own CPU and RSS (wait4), the server's CPU by thread."""
    before, load_before = thread_cpu(server_pid), os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err[-2000:]}")
    server = thread_cpu(server_pid) - before
    links = int(re.search(r"([\d,]+) links", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    return {
        "seconds": round(seconds, 1), "links": links, "links_per_s": round(links / seconds),
        "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "client_rss_mb": round(usage.ru_maxrss / 1024),
        "server_cpu_s": {k: round(v, 1) for k, v in sorted(server.items())},
        "server_cpu_total_s": round(sum(server.values()), 1), "server_rss_mb": round(hwm_mb(server_pid)),
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def neo4j_delete(server: Neo4jServer) -> dict[str, object]:
    """Delete the loaded graph the way ``load --replace`` does; its wall and server CPU time."""
    from chaingraph.stores.graphdb import CypherStore

    before, start = thread_cpu(server.process.pid), time.perf_counter()  # type: ignore[union-attr]
    with CypherStore.connect(server.uri, user=server.user, password=server.password, require_dataset=False) as store:
        deleted = store.delete_dataset()
    cpu = thread_cpu(server.process.pid) - before  # type: ignore[union-attr]
    return {"deleted_nodes": deleted, "seconds": round(time.perf_counter() - start, 1),
            "server_cpu_total_s": round(sum(cpu.values()), 1), "load_avg": round(os.getloadavg()[0], 2)}


def admin_import(server: Neo4jServer, folder: Path, links: int) -> dict[str, object]:
    """``export --neo4j-admin`` then ``neo4j-admin database import full`` (stops the server)."""
    export = Path(tempfile.mkdtemp(prefix="bench-export-"))
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "chaingraph", "export", str(folder), "--neo4j-admin", str(export),
                           "--silent"], capture_output=True, text=True, check=True)
    t1 = time.perf_counter()
    command = done.stdout.strip().splitlines()[-1].split()
    server.stop(timeout=120)
    args = [a for a in command[1:] if not a.startswith("--overwrite-destination")]
    imp = server.neo4j_admin(*args, "--overwrite-destination=true", timeout=3600)
    t2 = time.perf_counter()
    assert imp.returncode == 0, imp.stdout[-2000:] + imp.stderr[-2000:]
    return {"export_seconds": round(t1 - t0, 1), "import_seconds": round(t2 - t1, 1),
            "import_links_per_s": round(links / (t2 - t1)),
            "import_tail": [ln for ln in imp.stdout.splitlines() if "IMPORT DONE" in ln or "Peak" in ln]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=1, help="loads per server; round 1 is on a fresh JVM")
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--falkordb", action="store_true", help="also load FalkorDB (native protocol), alternately")
    ap.add_argument("--admin", action="store_true", help="also time export --neo4j-admin + import")
    args = ap.parse_args()
    folder = Path(f"/tmp/chaingraph-neo4j-load-gen{args.firms}")
    if not folder.exists():
        subprocess.run([sys.executable, "-m", "chaingraph", "generate", "--firms", str(args.firms), "--seed", "0",
                        str(folder)], check=True)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print(json.dumps({"firms": args.firms, "commit": commit, "cpus": os.cpu_count()}), flush=True)
    extra = ["--batch-size", str(args.batch_size)] if args.batch_size else []
    falkor = None
    if args.falkordb:
        import _falkordb

        falkor = _falkordb.start()
    server = Neo4jServer(tempfile.mkdtemp(prefix="bench-neo4j-"), heap="2g", pagecache="1g", quick=False)
    server.start(timeout=1200)  # a first start on a busy shared machine takes minutes
    try:
        env = {**os.environ, **server.env}
        for round_ in range(1, args.rounds + 1):
            if round_ > 1:
                print(json.dumps({"round": round_, "server": "neo4j", "delete": neo4j_delete(server)}), flush=True)
            cmd = [sys.executable, "-m", "chaingraph", "load", str(folder), "--to", server.uri, "--silent", *extra]
            result = run_load(cmd, env, server.process.pid)  # type: ignore[union-attr]
            print(json.dumps({"round": round_, "server": "neo4j", **result}), flush=True)
            if falkor is not None:
                falkor.flush()
                cmd = [sys.executable, "-m", "chaingraph", "load", str(folder), "--to", falkor.native_uri, "--silent",
                       *extra]
                result = run_load(cmd, dict(os.environ), falkor.proc.pid)  # type: ignore[union-attr]
                result["server_used_memory_mb"] = round(falkor.used_memory_mb())
                print(json.dumps({"round": round_, "server": "falkordb", **result}), flush=True)
        if args.admin:
            print(json.dumps({"server": "neo4j-admin", **admin_import(server, folder, result["links"])}), flush=True)
    finally:
        server.cleanup()
        if falkor is not None:
            falkor.stop()


if __name__ == "__main__":
    main()
