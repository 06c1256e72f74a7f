"""PROFILE every read statement chaingraph sends to Neo4j, on a loaded generated dataset, and print each
plan's key operators (index seeks, scans, expands) with the index they use: the table in
docs/graph-databases.md ("Which reads are bounded and indexed").

    python benchmarks/neo4j_plans.py --firms 10000
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from neo4j_server import Neo4jServer  # noqa: E402

from chaingraph import cypher  # noqa: E402
from chaingraph.stores.graphdb import CypherStore  # noqa: E402

KEY = ("Seek", "Scan", "Expand", "Apply", "Optional", "Projection", "Aggregation", "Procedure")


def operators(plan, out):
    name = plan["operatorType"] if isinstance(plan, dict) else plan.operator_type
    args = plan.get("args", {}) if isinstance(plan, dict) else plan.arguments
    kids = plan.get("children", []) if isinstance(plan, dict) else plan.children
    details = str(args.get("Details", ""))
    rows = plan.get("rows") if isinstance(plan, dict) else None
    if any(k in name for k in KEY):
        out.append(f"{name.split('@')[0]}({details[:90]})" + (f" rows={rows}" if rows is not None else ""))
    for child in kids:
        operators(child, out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=10_000)
    args = ap.parse_args()
    folder = Path(f"/tmp/chaingraph-bench-gen{args.firms}")
    if not folder.exists():
        subprocess.run([sys.executable, "-m", "chaingraph", "generate", "--firms", str(args.firms), "--seed", "0",
                        str(folder)], check=True)
    server = Neo4jServer(tempfile.mkdtemp(prefix="plans-neo4j-"))
    server.start(timeout=1200)
    with server:
        os.environ.update(server.env)
        subprocess.run([sys.executable, "-m", "chaingraph", "load", str(folder), "--to", server.uri, "--silent"],
                       check=True)
        seen: dict[str, dict] = {}
        real = CypherStore._run

        def recording(self, name, /, *, write=False, **params):
            if not write and name not in seen:
                seen[name] = params
            return real(self, name, write=write, **params)

        CypherStore._run = recording
        for command in (["gaps", "--format", "json"], ["targets", "--format", "json"], ["info"]):
            from click.testing import CliRunner

            from chaingraph.cli import cli
            r = CliRunner().invoke(cli, [command[0], server.uri, *command[1:], "--silent"])
            assert r.exit_code == 0, r.output
        with CypherStore.connect(server.uri) as store:
            store.resolve_firm(store.anchors()[0])
            try:
                store.resolve_firm("zz-nowhere")
            except Exception:
                pass
            store.projects()
        CypherStore._run = real
        with server.driver() as driver, driver.session() as session:
            for name, params in sorted(seen.items()):
                try:
                    result = session.run("PROFILE " + cypher.statement(name), params)
                    list(result)
                    plan, kind = result.consume().profile, "PROFILE"
                except Exception:  # noqa: BLE001 - some plans give no profile; their EXPLAIN still names the index
                    plan, kind = session.run("EXPLAIN " + cypher.statement(name), params).consume().plan, "EXPLAIN"
                print(json.dumps({"statement": name, "kind": kind, "db_hits": plan.get("dbHits"),
                                  "operators": operators(plan, [])}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
