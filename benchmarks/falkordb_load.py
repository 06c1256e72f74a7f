"""Measure ``chaingraph load`` into FalkorDB (native client) against a plain ``UNWIND ... CREATE`` peer,
alternately in the same run on the same server (issue 17 §5).

    python benchmarks/falkordb_load.py --data /work/data-1m [--rounds 3] [--batch 2000,5000] [--peer-batch 10000]
    python benchmarks/falkordb_load.py --data /work/data-1m --rounds 0 --candidates 3   # targets' counts only

The dataset is read and checked once (untimed), then each round loads it with the plain peer and
then with chaingraph (``load_dataset``, what ``chaingraph load DIR --to falkordb://...`` runs after
reading) at each ``--batch`` size, after a FLUSHALL each time. The peer is what a user
would write without chaingraph: one index (``Firm.id``, the one its link MATCHes need) created
up front, then ``UNWIND $rows AS r CREATE (:Firm {...})`` for the same firm rows with all their
properties and ``UNWIND $rows AS r MATCH (a:Firm {id: r.supplier}) MATCH (b:Firm {id: r.customer})
CREATE (a)-[:SUPPLIES {...}]->(b)`` for the same link rows, rows as maps, one batch after another.
It writes no LOCATED_IN or IN_SEGMENT relationships, no template, no resume marker and no read
index; chaingraph writes all of these.

Per load one JSON line: wall seconds, links/s over the whole load (firms included), the client's
CPU (user + sys of this process) and the server's CPU, the 1-minute load average before, and for
chaingraph the seconds per named statement. With ``--candidates N`` the last chaingraph load is
kept and ``target_report`` (top 50, all home anchors) runs N times, with the store's ``candidates``
call timed apart, and with ``--old-query FILE`` another ``candidate_counts`` statement (say a variant
under test) run on the same parameters after each. Results go into benchmarks/results.md by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

TICK = os.sysconf("SC_CLK_TCK")

FIRM_PEER = ("UNWIND $rows AS r CREATE (:Firm {id: r.id, name: r.name, name_en: r.name_en, region: r.region, "
             "segments: r.segments, anchor: r.anchor, output_value: r.output_value, employees: r.employees, "
             "listed: r.listed, credit_code: r.credit_code, lat: r.lat, lon: r.lon, source: r.source, "
             "extra: r.extra, aliases: r.aliases, parent: r.parent})")
LINK_PEER = ("UNWIND $rows AS r MATCH (a:Firm {id: r.supplier}) MATCH (b:Firm {id: r.customer}) "
             "CREATE (a)-[:SUPPLIES {segment: r.segment, product: r.product, value: r.value, source: r.source, "
             "confidence: r.confidence, evidence: r.evidence}]->(b)")


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_pid(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def measure(what: str, fn: Any, server_pid: int, links: int, **extra: Any) -> dict[str, Any]:
    la, c0, s0, t0 = load1(), cpu_self(), cpu_pid(server_pid), time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    rec = {"what": what, "wall_s": round(wall, 2), "links_per_s": round(links / wall),
           "client_cpu_s": round(cpu_self() - c0, 2), "server_cpu_s": round(cpu_pid(server_pid) - s0, 2),
           "load1_before": la, "load1_after": load1(), **extra}
    if isinstance(out, dict):
        rec.update(out)
    print(json.dumps(rec), flush=True)
    return rec


def plain_peer(ds: Any, port: int, batch: int) -> dict[str, Any]:
    """The plain peer: Firm.id index, UNWIND CREATE firms, UNWIND MATCH MATCH CREATE links."""
    import falkordb

    db = falkordb.FalkorDB(host="127.0.0.1", port=port)
    g = db.select_graph("falkordb")
    g.query("CREATE INDEX FOR (n:Firm) ON (n.id)")
    t = time.perf_counter()
    for b in ds.firms.to_batches(max_chunksize=batch):
        g.query(FIRM_PEER, {"rows": b.to_pylist()})
    firms_s = time.perf_counter() - t
    cols = ["supplier", "customer", "segment", "product", "value", "source", "confidence", "evidence"]
    for b in ds.links.select(cols).to_batches(max_chunksize=batch):
        g.query(LINK_PEER, {"rows": b.to_pylist()})
    db.close()
    return {"firms_s": round(firms_s, 2), "links_s": round(time.perf_counter() - t - firms_s, 2)}


def chaingraph_load(ds: Any, uri: str, batch: int | None) -> dict[str, Any]:
    from _step import _time_queries

    from chaingraph.stores.graphdb import CypherStore, load_dataset

    store = CypherStore.connect(uri, require_dataset=False)
    stats = _time_queries(store)
    summary = load_dataset(ds, store, batch_size=batch)
    store.close()
    return {"stored_links": summary["links"], "batches": summary["batches"],
            "queries": {k: v for k, v in stats.items() if v[1] >= 0.5}}


def candidates(uri: str, repeat: int, old_query: str | None) -> None:
    """``target_report`` on the loaded graph ``repeat`` times; each time the store's ``candidates`` call is
    timed apart, and with ``old_query`` (a file) that statement runs on the same parameters right after."""
    from _step import _time_queries

    from chaingraph.jobs import target_report
    from chaingraph.stores import open_store
    from chaingraph.stores.graphdb import CypherStore

    store = open_store(uri)
    real = CypherStore.candidates
    seen: dict[str, Any] = {}

    def timed_candidates(self: Any, **kw: Any) -> Any:
        c0, t0 = cpu_self(), time.perf_counter()
        table = real(self, **kw)
        seen.update(seconds=round(time.perf_counter() - t0, 2), cpu=round(cpu_self() - c0, 2), rows=len(table))
        return table

    CypherStore.candidates = timed_candidates  # type: ignore[method-assign]
    params: dict[str, Any] = {}
    text = None
    if old_query:
        text = "\n".join(line for line in Path(old_query).read_text().splitlines() if not line.startswith("//"))
    for _ in range(repeat):
        stats = _time_queries(store, {})
        la, c0, t0 = load1(), cpu_self(), time.perf_counter()
        rep = target_report(store, top=50, lang="en")
        rec = {"what": "targets", "wall_s": round(time.perf_counter() - t0, 2),
               "client_cpu_s": round(cpu_self() - c0, 2), "load1_before": la,
               "candidates_s": seen.get("seconds"), "candidates_cpu_s": seen.get("cpu"), "candidates": seen.get("rows"),
               "top": [t.firm.id for t in rep.targets[:3]], "targets": len(rep.targets),
               "queries": {k: v for k, v in stats.items() if v[1] >= 0.2}}
        print(json.dumps(rec), flush=True)
        if text is not None:
            if not params:
                capture = store.transport.run

                def grab(name: str, q: str, p: dict[str, Any], *, write: bool, run: Any = capture) -> Any:
                    if name == "candidate_counts":
                        params.update(p)
                    return run(name, q, p, write=write)

                store.transport.run = grab
                target_report(store, top=50, lang="en")
                store.transport.run = capture
            la, c0, t0 = load1(), cpu_self(), time.perf_counter()
            rows = store.transport.run("candidate_counts", text, params, write=False)
            print(json.dumps({"what": "old candidate_counts (query + decode only)", "rows": len(rows),
                              "wall_s": round(time.perf_counter() - t0, 2), "client_cpu_s": round(cpu_self() - c0, 2),
                              "load1_before": la}), flush=True)
    store.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--batch", default="", help="chaingraph batch sizes, comma-separated (default: the CLI's)")
    p.add_argument("--peer-batch", type=int, default=10_000)
    p.add_argument("--no-peer", action="store_true")
    p.add_argument("--candidates", type=int, default=0, help="time targets N times on the last load")
    p.add_argument("--old-query", help="a candidate_counts.cypher of an earlier commit, timed beside the store's")
    a = p.parse_args()
    import _falkordb

    # a benchmark started in the background ignores SIGINT; on SIGTERM too, stop the server on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    from chaingraph.datasets import read_dataset

    ds = read_dataset(a.data)
    links = ds.links.num_rows
    batches: list[int | None] = [int(b) for b in a.batch.split(",") if b] or [None]
    server = _falkordb.start()
    pid = server.proc.pid if server.proc is not None else 0
    print(json.dumps({"server_pid": pid, "uri": server.native_uri, "firms": ds.firms.num_rows, "links": links}),
          flush=True)
    results: dict[str, list[float]] = {}
    try:
        for r in range(a.rounds):
            if not a.no_peer:  # once a round, before the chaingraph loads (the last one stays for --candidates)
                server.flush()
                rec = measure("peer", lambda: plain_peer(ds, server.port, a.peer_batch), pid, links,
                              round=r, batch=a.peer_batch)
                results.setdefault("peer", []).append(rec["links_per_s"])
            for b in batches:
                server.flush()
                rec = measure("chaingraph", lambda b=b: chaingraph_load(ds, server.native_uri, b), pid, links,
                              round=r, batch=b)
                results.setdefault(f"chaingraph {b}", []).append(rec["links_per_s"])
        summary = {k: {"median": statistics.median(v), "min": min(v), "max": max(v)} for k, v in results.items()}
        print(json.dumps({"summary": summary}), flush=True)
        if a.candidates:
            if not a.rounds:
                server.flush()
                measure("chaingraph", lambda: chaingraph_load(ds, server.native_uri, None), pid, links)
            del ds
            candidates(server.native_uri, a.candidates, a.old_query)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
