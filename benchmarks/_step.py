"""One measured benchmark step, run in a fresh process by ``benchmarks/run.py``.

Usage: ``python benchmarks/_step.py STEP [options]``. Prints one JSON object on
the last line of stdout::

    {"step": ..., "seconds": [...], "median": s, "rss_mb": peak RSS of this process, ...}

``seconds`` holds one wall time per repeat of the measured call. Steps that
need a loaded store load it first, untimed, and then repeat only the call, so
``rss_mb`` is the peak of the whole process (load included): what a user's
process needs to answer that question.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing


def rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: A call slower than this is not repeated: at these times the spread is small
#: next to the value, and repeating would push a full run past its time budget.
SLOW_S = 15.0


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
        if times[-1] > SLOW_S:
            break
    return times, out


def emit(step: str, times: list[float], **extra: Any) -> None:
    rec = {"step": step, "seconds": [round(t, 6) for t in times],
           "median": round(statistics.median(times), 6) if times else None,
           "rss_mb": round(rss_mb(), 1), **extra}
    if QUERIES and "queries" not in rec:
        rec["queries"] = QUERIES  # database steps: calls and seconds per named query, all repeats
    print(json.dumps(rec), flush=True)


# -- chaingraph, memory store -------------------------------------------------------------------------

def _memory_store(data: str) -> Any:
    from chaingraph.stores.memory import MemoryStore

    return MemoryStore.from_dataset(data)


def _home_anchors(store: Any) -> tuple[str, list[str]]:
    home = store.metadata()["home_region"]
    return home, store.anchors(home)


def step_load(a: argparse.Namespace) -> None:
    """Validate + load into the memory store (read_dataset + MemoryStore indexes)."""
    times, store = timed(lambda: _memory_store(a.data), 1)
    emit("load", times, counts=store.counts())


QUERIES: dict[str, list[float]] = {}


def _open(a: argparse.Namespace) -> Any:
    if a.uri:
        from chaingraph.stores import open_store

        store = open_store(a.uri, **({"graph": a.graph} if a.graph else {}))
        _time_queries(store, QUERIES)
        return store
    return _memory_store(a.data)


def step_gaps_one(a: argparse.Namespace) -> None:
    from chaingraph.jobs import gap_report

    store = _open(a)
    _, anchors = _home_anchors(store)
    anchor = a.anchor or anchors[0]
    times, rep = timed(lambda: gap_report(store, anchor=anchor), a.repeat)
    segs = rep["segments"]
    emit("gaps-one", times, anchor=anchor, segments=len(segs),
         gaps=sum(s["status"] != "covered" for s in segs))


def step_gaps_all(a: argparse.Namespace) -> None:
    from chaingraph.jobs import gap_report

    store = _open(a)
    _, anchors = _home_anchors(store)
    times, rep = timed(lambda: gap_report(store), a.repeat)
    emit("gaps-all", times, anchors=len(rep["anchors"]))


def step_targets(a: argparse.Namespace) -> None:
    from chaingraph.jobs import target_report

    store = _open(a)
    _, anchors = _home_anchors(store)
    times, rep = timed(lambda: target_report(store, top=50, lang="en"), a.repeat)
    emit("targets", times, anchors=len(anchors), targets=len(rep.targets),
         top=[t.firm.id for t in rep.targets[:3]])


def step_plan(a: argparse.Namespace) -> None:
    from chaingraph.jobs import plan_report

    store = _open(a)
    times, plan = timed(lambda: plan_report(store, budget=20, lang="en"), a.repeat)
    emit("plan", times, picks=len(getattr(plan, "picks", ()) or ()))


def step_pipeline(a: argparse.Namespace) -> None:
    """The project pipeline as ``chaingraph pipeline`` computes it (stages, rates, durations, quotas,
    stalled projects and the gaps before and after the signed and producing projects), as of the
    generator's reference date unless ``--as-of`` says otherwise."""
    from chaingraph.generate import REFERENCE_DATE
    from chaingraph.jobs import pipeline_report

    store = _open(a)
    as_of = a.as_of or REFERENCE_DATE.isoformat()
    times, rep = timed(lambda: pipeline_report(store, as_of=as_of, impact=True), a.repeat)
    emit("pipeline", times, as_of=as_of, projects=rep.projects, stalled=len(rep.stalled),
         anchors=len((rep.impact or {}).get("signed", {}).get("anchors", [])))


def step_html(a: argparse.Namespace) -> None:
    """The page for one anchor as the ``html`` command makes it, capped at 5,000 firm nodes."""
    store = _open(a)
    home, anchors = _home_anchors(store)
    anchor = a.anchor or anchors[0]
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        out = Path(tmp) / "page.html"
        fn = _html_fn(store, anchor, home, out)
        times, page = timed(fn, a.repeat)
        size = out.stat().st_size if out.exists() else None
    emit("html", times, anchor=anchor, firms_drawn=getattr(page, "firm_count", None), bytes=size)


def _html_fn(store: Any, anchor: str, home: str, out: Path) -> Callable[[], Any]:
    from chaingraph.jobs import html_report

    return lambda: html_report(store, anchor=anchor, out=out, max_nodes=5000, lang="en")


# -- chaingraph, database store --------------------------------------------------------------------------

def _time_queries(store: Any, stats: dict[str, list[float]] | None = None) -> dict[str, list[float]]:
    """Wrap the store's transport so each named query's calls and seconds are counted in ``stats``."""
    stats = {} if stats is None else stats
    transport = store.transport
    run = transport.run

    def timed_run(name: str, text: str, params: dict[str, Any], *, write: bool) -> Any:
        t = time.perf_counter()
        try:
            return run(name, text, params, write=write)
        finally:
            entry = stats.setdefault(name, [0, 0.0])
            entry[0] += 1
            entry[1] = round(entry[1] + time.perf_counter() - t, 3)

    transport.run = timed_run
    return stats


def step_db_load(a: argparse.Namespace) -> None:
    """Load the dataset (validated first, untimed) into a database; time only the writes."""
    from dataclasses import replace

    import pyarrow as pa
    import pyarrow.compute as pc

    from chaingraph.datasets import read_dataset
    from chaingraph.stores.graphdb import load_dataset

    ds = read_dataset(a.data)
    full_links = ds.links.num_rows
    if a.cap and ds.links.num_rows > a.cap:
        # a prefix of the links, with every firm they touch and every anchor
        links = ds.links.slice(0, a.cap)
        ends = pc.unique(pa.concat_arrays([links.column("supplier").combine_chunks(),
                                           links.column("customer").combine_chunks()]))
        keep = pc.or_(pc.is_in(ds.firms.column("id"), value_set=ends), pc.fill_null(ds.firms.column("anchor"),
                                                                                     False))
        ds = replace(ds, firms=ds.firms.filter(keep), links=links)
    options: dict[str, Any] = {"batch_size": a.batch}
    if a.graph:
        options["graph"] = a.graph
    from chaingraph.stores.graphdb import CypherStore

    store = CypherStore.connect(a.uri, require_dataset=False, **({"graph": a.graph} if a.graph else {}))
    per_query = _time_queries(store)
    times, summary = timed(lambda: load_dataset(ds, store, **options), 1)
    store.close()
    n_links, n_firms = ds.links.num_rows, ds.firms.num_rows
    emit(a.step, times, firms=n_firms, links=n_links, full_links=full_links, batch=a.batch,
         batches=summary.get("batches"), stored_links=summary.get("links"), queries=per_query,
         links_per_s=round(n_links / times[0]), rows_per_s=round((n_links + n_firms) / times[0]))


# -- naive baseline ----------------------------------------------------------------------------------

def step_naive_merge(a: argparse.Namespace) -> None:
    """Row-by-row MERGE over Bolt: one auto-commit query per firm and per link, first ``cap`` rows of each."""
    import neo4j

    from chaingraph.datasets import read_dataset

    ds = read_dataset(a.data)
    firms = ds.firms.select(["id", "name", "region", "segments"]).slice(0, a.cap).to_pylist()
    ids = {f["id"] for f in firms}
    links = [r for r in ds.links.select(["supplier", "customer", "segment", "value"]).slice(0, 20 * a.cap)
             .to_pylist() if r["supplier"] in ids and r["customer"] in ids][: a.cap]
    if len(links) < a.cap:
        extra = ds.links.select(["supplier", "customer", "segment", "value"]).slice(0, a.cap).to_pylist()
        links += extra[: a.cap - len(links)]
    driver = neo4j.GraphDatabase.driver(a.uri, auth=None)
    try:
        with driver.session() as s:
            def run() -> None:
                for f in firms:
                    s.run("MERGE (f:Firm {id: $id}) SET f.name = $name, f.region = $region, "
                          "f.segments = $segments", f).consume()
                for r in links:
                    s.run("MERGE (a:Firm {id: $supplier}) MERGE (b:Firm {id: $customer}) "
                          "MERGE (a)-[l:SUPPLIES {segment: $segment}]->(b) SET l.value = $value", r).consume()

            times, _ = timed(run, 1)
    finally:
        driver.close()
    emit("naive-merge", times, firms=len(firms), links=len(links),
         rows_per_s=round((len(firms) + len(links)) / times[0]))


def step_nx(a: argparse.Namespace) -> None:
    """Naive networkx: the whole graph from the CSVs with the csv module, then ego_graph + Python loops."""
    import networkx as nx

    data = Path(a.data)
    meta = {}
    for line in (data / "dataset.toml").read_text(encoding="utf-8").splitlines():
        k, _, v = line.partition("=")
        meta[k.strip()] = v.strip().strip('"')
    home = meta["home_region"]

    def build() -> nx.DiGraph:
        G = nx.DiGraph()
        with open(data / "firms.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                row["segments"] = row["segments"].split(";")
                row["anchor"] = row["anchor"] == "true"
                G.add_node(row.pop("id"), **row)
        with open(data / "links.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                G.add_edge(row.pop("supplier"), row.pop("customer"), **row)
        return G

    t = time.perf_counter()
    G = build()
    build_s = time.perf_counter() - t
    build_rss = rss_mb()
    parent = {}
    with open(data / "regions.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            parent[row["id"]] = row["parent"]
    feeds: dict[str, list[str]] = {}
    with open(data / "segment_links.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            feeds.setdefault(row["to"], []).append(row["from"])

    def is_local(region: str) -> bool:
        while region:
            if region == home:
                return True
            region = parent.get(region, "")
        return False

    anchors = sorted(n for n, d in G.nodes(data=True) if d["anchor"] and is_local(d["region"]))
    anchor = a.anchor or anchors[0]

    def gaps() -> dict[str, Any]:
        # upstream segments within 2 FEEDS steps of the anchor's segments
        own = G.nodes[anchor]["segments"]
        up = {u for s in own for u in feeds.get(s, [])}
        up |= {u2 for u in up for u2 in feeds.get(u, [])}
        up -= set(own)
        # the anchor's supplier neighbourhood, the way the networkx docs suggest
        ego = nx.ego_graph(G.reverse(copy=False), anchor, radius=1)
        out = {}
        for s in sorted(up):
            local = [n for n, d in G.nodes(data=True) if s in d["segments"] and is_local(d["region"])
                     and n != anchor]
            sup = [n for n in ego if n != anchor and s in G.nodes[n]["segments"]]
            out[s] = (len(local), sum(is_local(G.nodes[n]["region"]) for n in sup), len(sup))
        return out

    times, res = timed(gaps, a.repeat)
    emit("nx", times, build_s=round(build_s, 3), build_rss_mb=round(build_rss, 1), anchor=anchor,
         nodes=G.number_of_nodes(), edges=G.number_of_edges(), segments=len(res),
         local_firms={k: v[0] for k, v in res.items()})


# -- Kùzu peer -----------------------------------------------------------------------------------------

KUZU_SCHEMA = [
    "CREATE NODE TABLE Firm(id STRING PRIMARY KEY, name STRING, name_en STRING, region STRING, "
    "segments STRING, anchor BOOL, output_value DOUBLE, employees INT64, listed BOOL, credit_code STRING, "
    "lat DOUBLE, lon DOUBLE, source STRING)",
    "CREATE REL TABLE SUPPLIES(FROM Firm TO Firm, segment STRING, product STRING, value DOUBLE, "
    "source STRING, confidence DOUBLE)",
    "CREATE NODE TABLE Region(id STRING PRIMARY KEY, name STRING, name_en STRING, parent STRING, "
    "level STRING, lat DOUBLE, lon DOUBLE)",
    "CREATE REL TABLE PART_OF(FROM Region TO Region)",
    "CREATE NODE TABLE Segment(id STRING PRIMARY KEY, chain STRING, name STRING, name_en STRING, "
    "stage STRING)",
    "CREATE REL TABLE FEEDS(FROM Segment TO Segment, weight DOUBLE)",
    "CREATE REL TABLE MAKES(FROM Firm TO Segment)",
]


def step_kuzu_copy(a: argparse.Namespace) -> None:
    """Kùzu: COPY firms.csv and links.csv as they are; then the Kùzu-friendly extras (timed apart)."""
    import shutil

    import kuzu
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    data = Path(a.data)
    db_path = Path(a.db)
    shutil.rmtree(db_path, ignore_errors=True)
    if db_path.exists():
        db_path.unlink()
    db = kuzu.Database(str(db_path))
    c = kuzu.Connection(db)
    for q in KUZU_SCHEMA:
        c.execute(q)
    t0 = time.perf_counter()
    c.execute(f"COPY Firm FROM '{data / 'firms.csv'}' (header=true)")
    firms_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    c.execute(f"COPY SUPPLIES FROM '{data / 'links.csv'}' (header=true)")
    links_s = time.perf_counter() - t1
    copy_s = time.perf_counter() - t0
    # Kùzu wants one row per relationship, so the "a;b" segments cell and the region
    # parents become edge files: extra work chaingraph does not need
    t2 = time.perf_counter()
    extra = Path(a.db + ".csv")
    extra.mkdir(exist_ok=True)
    firms = pacsv.read_csv(data / "firms.csv", convert_options=pacsv.ConvertOptions(
        include_columns=["id", "segments"], column_types={"id": pa.string(), "segments": pa.string()}))
    split = pc.split_pattern(firms.column("segments"), ";")
    flat = pc.list_flatten(split)
    parents = pc.list_parent_indices(split)
    pacsv.write_csv(pa.table({"from": firms.column("id").take(parents), "to": flat}), extra / "makes.csv")
    regions = pacsv.read_csv(data / "regions.csv", convert_options=pacsv.ConvertOptions(
        column_types={"parent": pa.string(), "level": pa.string()}, strings_can_be_null=True))
    part = regions.filter(pc.invert(pc.is_null(regions.column("parent")))).select(["id", "parent"])
    pacsv.write_csv(part, extra / "part_of.csv")
    prep_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    c.execute(f"COPY Region FROM '{data / 'regions.csv'}' (header=true)")
    c.execute(f"COPY PART_OF FROM '{extra / 'part_of.csv'}' (header=true)")
    c.execute(f"COPY Segment FROM '{data / 'segments.csv'}' (header=true)")
    c.execute(f"COPY FEEDS FROM '{data / 'segment_links.csv'}' (header=true)")
    c.execute(f"COPY MAKES FROM '{extra / 'makes.csv'}' (header=true)")
    extra_s = time.perf_counter() - t3
    emit("kuzu-copy", [copy_s], firms_s=round(firms_s, 3), links_s=round(links_s, 3), prep_s=round(prep_s, 3),
         extra_copy_s=round(extra_s, 3), kuzu=kuzu.__version__)


#: Local firms per upstream segment (within 2 FEEDS steps, own segments
#: excluded) of one anchor: the core of chaingraph's gap report, in Kùzu's Cypher.
#: A firm is local when its region is the home region or below it.
KUZU_GAPS = """
MATCH (h:Region {id: $home})
OPTIONAL MATCH (r:Region)-[:PART_OF*1..4]->(h)
WITH h.id AS home, collect(r.id) AS below
MATCH (a:Firm {id: $anchor})-[:MAKES]->(own:Segment)
WITH home, below, collect(own.id) AS owns
MATCH (a:Firm {id: $anchor})-[:MAKES]->(:Segment)<-[:FEEDS*1..2]-(up:Segment)
WHERE NOT list_contains(owns, up.id)
WITH DISTINCT up, home, below
OPTIONAL MATCH (up)<-[:MAKES]-(f:Firm)
WHERE f.id <> $anchor AND (f.region = home OR list_contains(below, f.region))
RETURN up.id AS segment, count(f) AS local_firms
ORDER BY segment
"""


def step_kuzu_gaps(a: argparse.Namespace) -> None:
    import kuzu

    db = kuzu.Database(a.db, read_only=True)
    c: Any = kuzu.Connection(db)
    home = a.home
    anchor = a.anchor
    if not anchor:
        r = c.execute("MATCH (f:Firm) WHERE f.anchor AND f.region = $home RETURN f.id ORDER BY f.id LIMIT 1",
                      {"home": home})
        anchor = r.get_next()[0]

    def run() -> list[tuple[str, int]]:
        res: Any = c.execute(KUZU_GAPS, {"anchor": anchor, "home": home})
        out = []
        while res.has_next():
            s, n = res.get_next()
            out.append((s, n))
        return out

    times, rows = timed(run, a.repeat)
    emit("kuzu-gaps", times, anchor=anchor, segments=len(rows), local_firms=dict(rows))


STEPS = {
    "load": step_load, "gaps-one": step_gaps_one, "gaps-all": step_gaps_all, "targets": step_targets,
    "plan": step_plan, "pipeline": step_pipeline, "html": step_html, "db-load-native": step_db_load, "db-load-bolt": step_db_load,
    "naive-merge": step_naive_merge, "nx": step_nx, "kuzu-copy": step_kuzu_copy, "kuzu-gaps": step_kuzu_gaps,
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("step", choices=sorted(STEPS))
    p.add_argument("--data", help="dataset folder")
    p.add_argument("--uri", help="database URI (falkordb://... or bolt://...)")
    p.add_argument("--graph", help="graph name in the database")
    p.add_argument("--anchor")
    p.add_argument("--home")
    p.add_argument("--as-of", dest="as_of", help="pipeline: the day to answer for (default: the generator's)")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--batch", type=int, default=10_000)
    p.add_argument("--cap", type=int, default=0)
    p.add_argument("--db", help="Kùzu database path")
    a = p.parse_args()
    STEPS[a.step](a)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
