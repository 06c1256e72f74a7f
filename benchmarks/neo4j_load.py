"""Measure ``chaingraph load`` into a real Neo4j 5.26 (the embedded server of tests/neo4j), beside FalkorDB, and
the neo4j-admin path (``chaingraph export --neo4j-admin`` + ``neo4j-admin database import full``).

    python benchmarks/neo4j_load.py --firms 100000 [--rounds 2] [--falkordb] [--admin] [--batch-size N]
    python benchmarks/neo4j_load.py --data /work/data-1m --bulk --anchor F0092588   # the bulk path alone
    python benchmarks/neo4j_load.py --data /work/data-1m --pagecache 3g --stop-at 21:55 [--falkordb]

Generates ``chaingraph generate --firms N --seed 0`` (once, in /tmp/chaingraph-neo4j-load-genN), or with
``--data DIR`` uses that dataset folder as it is (only read), and starts Neo4j as a load server
(``quick=False`` in tests/neo4j_server.py: Neo4j's own JVM flags, G1, full JIT, the 2 GB heap reserved from
the start, 1 GB page cache), and with ``--falkordb`` a FalkorDB server too. Each round loads the dataset
into Neo4j and then into FalkorDB (so both see the same machine load), after deleting the previous round's
graph (Neo4j: ``CypherStore.delete_dataset``, what ``--replace`` runs, timed apart; FalkorDB: FLUSHALL).
Round 1 runs on a fresh JVM; later rounds show the load once the JIT has compiled Neo4j's hot code.

Per load it prints one JSON line: wall time and links/s over the whole load (firms included); the client's
CPU time and peak RSS (the ``chaingraph load`` process alone, from wait4); the server's CPU time split by
thread (``worker``: Neo4j's Bolt workers, which run the queries; ``gc``; ``jit``: the compiler threads;
``other``) and its peak RSS (VmHWM); the 1-minute load average before and after. CPU times are the steadier
figures on a shared machine. While a Neo4j load runs, a line every ``--sample`` seconds gives the rows
written so far (``firms_done`` and ``links_done`` of the ``:Dataset`` node, read over a second connection)
and the server's CPU, so the steady rate can be read off a window; ``--stop-at HH:MM`` (UTC) kills a load
still running then and reports how far it got.

``--bulk`` measures the offline path instead: ``chaingraph export --neo4j-admin`` (wall, CPU, peak RSS),
the ``neo4j-admin database import full`` command it prints, run on a new load server's folder before its
first start (wall, CPU, peak RSS, links/s), the start on the imported database and ``schema.cypher``
(until the indexes are online), then ``chaingraph gaps --anchor A`` and ``chaingraph info`` over Bolt and
on the folder (the memory store, alternately, ``--rounds`` times each), checking that both answer alike.
Results go in benchmarks/results.md by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from neo4j_server import Neo4jServer

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


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: str | Path | None = None) -> dict[str, object]:
    """Run ``cmd`` to its end: wall time, its own CPU (user + sys) and peak RSS (wait4), stdout and stderr."""
    load_before, start = os.getloadavg()[0], time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {stdout[-2000:]} {stderr[-2000:]}")
    return {"seconds": round(seconds, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "rss_mb": round(usage.ru_maxrss / 1024), "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "stdout": stdout, "stderr": stderr}


def sample_progress(server: Neo4jServer, start: float, every: float, stop: threading.Event) -> None:
    """Print the rows the running load has written so far (the ``:Dataset`` node's counters) and the server's
    CPU, every ``every`` seconds, until ``stop`` is set."""
    from neo4j import GraphDatabase

    pid = server.process.pid  # type: ignore[union-attr]
    before = thread_cpu(pid)
    # notifications off: until the first link batch the counter links_done does not exist (warning 01N52)
    with GraphDatabase.driver(server.uri, auth=server.auth, notifications_min_severity="OFF") as driver:
        while not stop.wait(every):
            try:
                records, _, _ = driver.execute_query(
                    "MATCH (d:Dataset) RETURN d.firms_done AS firms, d.links_done AS links")
            except Exception as exc:  # noqa: BLE001 - a sample may fail while the server is busy; keep going
                print(json.dumps({"sample_error": str(exc)[:200]}), flush=True)
                continue
            row = records[0] if records else {"firms": None, "links": None}
            cpu = thread_cpu(pid) - before
            print(json.dumps({"t_s": round(time.perf_counter() - start), "utc": utc_now(),
                              "firms_done": row["firms"], "links_done": row["links"],
                              "server_cpu_s": {k: round(v, 1) for k, v in sorted(cpu.items())},
                              "load_avg": round(os.getloadavg()[0], 2)}), flush=True)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S")


def run_load(cmd: list[str], env: dict[str, str], server_pid: int, *, sampler: Neo4jServer | None = None,
             every: float = 60.0, stop_at: datetime | None = None) -> dict[str, object]:
    """Run ``chaingraph load`` once: wall time, the client's own CPU and RSS (wait4), the server's CPU by thread.

    With ``sampler`` (the Neo4j server loaded) a thread prints the progress every ``every`` seconds; a load
    still running at ``stop_at`` is killed (SIGTERM) and reported as stopped, with the rows written by then.
    """
    before, load_before = thread_cpu(server_pid), os.getloadavg()[0]
    start = time.perf_counter()
    print(json.dumps({"load_started_utc": utc_now(), "cmd": " ".join(cmd)}), flush=True)
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        proc = subprocess.Popen(cmd, env=env, stdout=out_f, stderr=err_f)
        stop = threading.Event()
        thread = None
        if sampler is not None:
            thread = threading.Thread(target=sample_progress, args=(sampler, start, every, stop), daemon=True)
            thread.start()
        stopped = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if stop_at is not None and datetime.now(UTC) >= stop_at and not stopped:
                proc.terminate()
                stopped = True
            time.sleep(1)
        stop.set()
        if thread is not None:
            thread.join()
        out_f.seek(0), err_f.seek(0)
        out, err = out_f.read().decode(errors="replace"), err_f.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    server = thread_cpu(server_pid) - before
    if stopped:
        done = progress(sampler) if sampler is not None else {}
        return {"stopped_at_utc": utc_now(), "seconds": round(seconds, 1), **done,
                "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                "client_rss_mb": round(usage.ru_maxrss / 1024),
                "server_cpu_s": {k: round(v, 1) for k, v in sorted(server.items())},
                "server_rss_mb": round(hwm_mb(server_pid)),
                "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err[-2000:]}")
    links = int(re.search(r"([\d,]+) links", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    return {
        "seconds": round(seconds, 1), "links": links, "links_per_s": round(links / seconds),
        "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "client_rss_mb": round(usage.ru_maxrss / 1024),
        "server_cpu_s": {k: round(v, 1) for k, v in sorted(server.items())},
        "server_cpu_total_s": round(sum(server.values()), 1), "server_rss_mb": round(hwm_mb(server_pid)),
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def progress(server: Neo4jServer) -> dict[str, object]:
    """The rows a (stopped) load wrote: the ``:Dataset`` node's counters."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri, auth=server.auth, notifications_min_severity="OFF") as driver:
        records, _, _ = driver.execute_query("MATCH (d:Dataset) RETURN d.firms_done AS firms, d.links_done AS links")
    return {"firms_done": records[0]["firms"], "links_done": records[0]["links"]} if records else {}


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


def admin_command(server: Neo4jServer, args: list[str]) -> tuple[list[str], dict[str, str]]:
    """The command line and environment :meth:`Neo4jServer.neo4j_admin` runs (rebuilt here to time it with wait4)."""
    from neo4j_server import JAR, find_java

    conf = server.directory / "conf"
    conf.mkdir(exist_ok=True)
    (conf / "neo4j.conf").touch()
    env = {**os.environ, "NEO4J_HOME": str(server.directory), "NEO4J_CONF": str(conf)}
    cmd = [find_java(), "-Xmx512m", "-XX:+UseSerialGC", "-cp", f"{JAR.parent / 'lib'}/*", "org.neo4j.cli.AdminTool",
           *args]
    return cmd, env


def brief(result: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in result.items() if k not in ("stdout", "stderr")}


def bulk_path(folder: Path, *, anchor: str, rounds: int, heap: str, pagecache: str, cache: str) -> None:
    """Export, neo4j-admin import into a new load server's folder, start it, schema.cypher, then gaps and info
    over Bolt against the memory store (alternately), each answer compared."""
    import shlex

    from neo4j_server import build_jar

    build_jar()
    export = Path(tempfile.mkdtemp(prefix="bench-export-"))
    server = Neo4jServer(None, heap=heap, pagecache=pagecache, quick=False)
    try:
        done = timed([sys.executable, "-m", "chaingraph", "export", str(folder), "--neo4j-admin", str(export),
                      "--silent"])
        command = shlex.split(done["stdout"].strip().splitlines()[-1])  # type: ignore[union-attr]
        size = sum(f.stat().st_size for f in export.iterdir())
        print(json.dumps({"step": "export", "utc": utc_now(), **brief(done), "files_mb": round(size / 2**20),
                          "command": " ".join(command)}), flush=True)
        cmd, env = admin_command(server, command[1:])
        imp = timed(cmd, env=env, cwd=server.directory)
        out = str(imp["stdout"])
        tail = [ln.strip() for ln in out.splitlines()
                if re.search(r"IMPORT DONE|[Pp]eak|Imported|nodes|relationships|properties", ln)]
        print(json.dumps({"step": "import", "utc": utc_now(), **brief(imp), "stdout_tail": tail[-12:]}), flush=True)
        start = time.perf_counter()
        server.start(timeout=1200)
        print(json.dumps({"step": "start", "utc": utc_now(), "seconds": round(time.perf_counter() - start, 1),
                          "load_avg": round(os.getloadavg()[0], 2)}), flush=True)
        pid = server.process.pid  # type: ignore[union-attr]
        before, start = thread_cpu(pid), time.perf_counter()
        with server.driver() as driver:
            for line in (export / "schema.cypher").read_text().split(";\n"):
                if line.strip():
                    driver.execute_query(line)
            driver.execute_query("CALL db.awaitIndexes(3600)")
            counts, _, _ = driver.execute_query(
                "MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS links")
        cpu = thread_cpu(pid) - before
        print(json.dumps({"step": "schema.cypher + awaitIndexes", "utc": utc_now(),
                          "seconds": round(time.perf_counter() - start, 1),
                          "server_cpu_s": round(sum(cpu.values()), 1), "supplies": counts[0]["links"],
                          "server_rss_mb": round(hwm_mb(pid)), "load_avg": round(os.getloadavg()[0], 2)}), flush=True)
        memory_env = {**os.environ, "CHAINGRAPH_CACHE": cache}
        bolt_env = {**os.environ, **server.env}
        for name, extra in (("gaps", ["--anchor", anchor]), ("info", [])):
            for round_ in range(1, rounds + 1):
                answers = {}
                for store, source, env in (("memory", str(folder), memory_env), ("neo4j", server.uri, bolt_env)):
                    before = thread_cpu(pid)
                    result = timed([sys.executable, "-m", "chaingraph", name, source, *extra, "--format", "json",
                                    "--silent"], env=env)
                    answers[store] = json.loads(str(result["stdout"]))
                    server_cpu = round(sum((thread_cpu(pid) - before).values()), 1) if store == "neo4j" else None
                    print(json.dumps({"step": name, "round": round_, "store": store, **brief(result),
                                      "server_cpu_s": server_cpu}), flush=True)
                same = answers["memory"] == answers["neo4j"]
                report: dict[str, object] = {"step": name, "round": round_, "same_answer": same}
                if not same and isinstance(answers["memory"], dict):
                    report["differ"] = {k: [answers["memory"].get(k), answers["neo4j"].get(k)]
                                        for k in set(answers["memory"]) | set(answers["neo4j"])
                                        if answers["memory"].get(k) != answers["neo4j"].get(k)}
                    report["differ"] = json.dumps(report["differ"], default=str)[:3000]
                print(json.dumps(report), flush=True)
                if round_ == 1:
                    for store, answer in answers.items():
                        Path(tempfile.gettempdir(), f"neo1m-{name}-{store}.json").write_text(json.dumps(answer))
    finally:
        server.cleanup()
        shutil.rmtree(export, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=1, help="loads per server; round 1 is on a fresh JVM")
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--falkordb", action="store_true", help="also load FalkorDB (native protocol), alternately")
    ap.add_argument("--admin", action="store_true", help="also time export --neo4j-admin + import")
    ap.add_argument("--data", type=Path, default=None, help="an existing dataset folder (only read) instead of --firms")
    ap.add_argument("--bulk", action="store_true",
                    help="only the bulk path: export, neo4j-admin import, start, gaps and info against memory")
    ap.add_argument("--anchor", default="F0092588", help="the anchor of the gaps --bulk runs")
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--pagecache", default="1g")
    ap.add_argument("--cache", default=os.environ.get("CHAINGRAPH_CACHE", "/tmp/chaingraph-neo4j-load-cache"),
                    help="CHAINGRAPH_CACHE of the memory-store runs")
    ap.add_argument("--sample", type=float, default=60.0, help="seconds between progress lines of a Neo4j load")
    ap.add_argument("--stop-at", default=None, metavar="HH:MM",
                    help="UTC time at which a load still running is killed and reported as stopped")
    args = ap.parse_args()
    folder = args.data or Path(f"/tmp/chaingraph-neo4j-load-gen{args.firms}")
    stop_at = None
    if args.stop_at:
        hour, minute = map(int, args.stop_at.split(":"))
        stop_at = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    if args.data is None and not folder.exists():
        subprocess.run([sys.executable, "-m", "chaingraph", "generate", "--firms", str(args.firms), "--seed", "0",
                        str(folder)], check=True)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], check=False,
                            capture_output=True, text=True).stdout.strip()
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "?")
    print(json.dumps({"data": str(folder), "commit": commit, "cpus": os.cpu_count(), "cpu": cpu,
                      "utc": utc_now(), "load_avg": os.getloadavg()}), flush=True)
    if args.bulk:
        bulk_path(folder, anchor=args.anchor, rounds=args.rounds, heap=args.heap, pagecache=args.pagecache,
                  cache=args.cache)
        return
    extra = ["--batch-size", str(args.batch_size)] if args.batch_size else []
    falkor = None
    if args.falkordb:
        import _falkordb

        falkor = _falkordb.start()
    server = Neo4jServer(None, heap=args.heap, pagecache=args.pagecache, quick=False)
    try:
        server.start(timeout=1200)  # a first start on a busy shared machine takes minutes
        env = {**os.environ, **server.env}
        for round_ in range(1, args.rounds + 1):
            if round_ > 1:
                print(json.dumps({"round": round_, "server": "neo4j", "delete": neo4j_delete(server)}), flush=True)
            cmd = [sys.executable, "-m", "chaingraph", "load", str(folder), "--to", server.uri, "--silent", *extra]
            pid = server.process.pid  # type: ignore[union-attr]
            result = run_load(cmd, env, pid, sampler=server, every=args.sample, stop_at=stop_at)
            print(json.dumps({"round": round_, "server": "neo4j", **result}), flush=True)
            if "stopped_at_utc" in result:
                break
            if falkor is not None:
                falkor.flush()
                cmd = [sys.executable, "-m", "chaingraph", "load", str(folder), "--to", falkor.native_uri, "--silent",
                       *extra]
                result = run_load(cmd, dict(os.environ), falkor.proc.pid,  # type: ignore[union-attr]
                                  stop_at=stop_at)
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
