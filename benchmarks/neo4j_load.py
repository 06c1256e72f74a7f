"""Measure ``chaingraph load`` into a real Neo4j 5.26 (the embedded test server of tests/neo4j), and the
neo4j-admin path (``chaingraph export --neo4j-admin`` + ``neo4j-admin database import full``).

    python benchmarks/neo4j_load.py --firms 100000 [--admin] [--batch-size 10000]

Generates ``chaingraph generate --firms N --seed 0`` (once, under /tmp), starts Neo4j with a 2 GB heap and
a 1 GB page cache (full JIT), loads, and prints links/s over the whole load (firms included), the client's
peak RSS (the chaingraph process) and the server's (the JVM's VmHWM). Results go in benchmarks/results.md
by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from neo4j_server import Neo4jServer  # noqa: E402


def hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--admin", action="store_true", help="also time export --neo4j-admin + import")
    args = ap.parse_args()
    folder = Path(f"/tmp/chaingraph-bench-gen{args.firms}")
    if not folder.exists():
        subprocess.run([sys.executable, "-m", "chaingraph", "generate", "--firms", str(args.firms), "--seed", "0",
                        str(folder)], check=True)
    result: dict[str, object] = {"firms": args.firms}
    server = Neo4jServer(tempfile.mkdtemp(prefix="bench-neo4j-"), heap="2g", pagecache="1g", quick=False)
    server.start(timeout=1200)  # a first start on a busy shared machine takes minutes
    with server:
        cmd = [sys.executable, "-m", "chaingraph", "load", str(folder), "--to", server.uri, "--silent"]
        if args.batch_size:
            cmd += ["--batch-size", str(args.batch_size)]
        server_cpu = cpu_seconds(server.process.pid)
        start = time.perf_counter()
        out = subprocess.run(cmd, env={**os.environ, **server.env}, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        client_mb = usage.ru_maxrss / 1024
        server_cpu = cpu_seconds(server.process.pid) - server_cpu
        links = int(out.stdout.split(" firms, ")[1].split(" links")[0])
        result.update(load_seconds=round(seconds, 1), links=links, links_per_s=round(links / seconds),
                      client_rss_mb=round(client_mb), server_rss_mb=round(hwm_mb(server.process.pid)),
                      client_cpu_s=round(usage.ru_utime + usage.ru_stime, 1), server_cpu_s=round(server_cpu, 1),
                      load_avg=os.getloadavg()[0],
                      output=out.stdout.strip().splitlines()[-1])
        print(json.dumps(result), flush=True)
        if args.admin:
            export = Path(tempfile.mkdtemp(prefix="bench-export-"))
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "chaingraph", "export", str(folder), "--neo4j-admin",
                                   str(export), "--silent"], capture_output=True, text=True, check=True)
            t1 = time.perf_counter()
            command = done.stdout.strip().splitlines()[-1].split()
            server.stop(timeout=120)
            args_ = [a for a in command[1:] if not a.startswith("--overwrite-destination")]
            imp = server.neo4j_admin(*args_, "--overwrite-destination=true", timeout=3600)
            t2 = time.perf_counter()
            assert imp.returncode == 0, imp.stdout[-2000:] + imp.stderr[-2000:]
            result.update(export_seconds=round(t1 - t0, 1), import_seconds=round(t2 - t1, 1),
                          import_links_per_s=round(links / (t2 - t1)),
                          import_tail=[ln for ln in imp.stdout.splitlines() if "IMPORT DONE" in ln or "Peak" in ln])
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
