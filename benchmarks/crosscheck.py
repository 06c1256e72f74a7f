"""An independent cross-check of one anchor's gap table (issue 17 §6).

Recomputes the gap table of one anchor straight from a dataset folder's CSV files with plain pyarrow and
Python, importing nothing of chaingraph, and compares it with what ``chaingraph gaps DATA --anchor A
--format json`` prints (run as a user runs it, snapshot and all). Exit status 0 when every compared field
agrees, 1 on any difference (the first ones are printed), 2 when the run itself fails.

    python benchmarks/crosscheck.py /work/data-1m                 # the first anchor of the home region
    python benchmarks/crosscheck.py datasets/jiashan --anchor lanjun --depth 2

The rules, written out again from docs/analysis.md rather than imported, at the command's defaults
(threshold 0.5, min-confidence 0, confirmed 0.5):

* local firm: its region is the home region (``home_region`` of dataset.toml) or below it in regions.csv;
* segments: the anchor's own segments, and those within ``depth`` FEEDS steps upstream (paths into them) or
  downstream (paths out of them), the shorter distance winning, upstream on a tie;
* local firms of a segment: local firms that list it, the anchor excluded;
* anchor suppliers of a segment: links into the anchor keyed by the segment, or unkeyed when the supplier
  lists the segment. A supplier in the anchor's group (the same top of the ``parent`` chain) is listed
  apart; of the others, links at least 0.5 sure (the confidence cell, else the default of the link's
  evidence: reported 0.9, survey 0.7, derived 0.1, illustrative 0.3, unknown 0.5) are confirmed and make
  the local share (by value when every such link has one and they add up to more than 0, else by count)
  and the single-source test; suppliers with only less sure links are listed as unconfirmed;
* status: upstream missing without local firms, weak with exactly one or a local share under 0.5;
  downstream missing without local firms; otherwise covered.

Compared per segment: direction, distance, status, the ids of the local firms and of the local, external,
unconfirmed and group suppliers, the local share (4 decimals) and single source; and the summary's counts.
Not compared: names (the CLI's, shown as read) and completeness (it needs the FEEDS weight rules).
Only the English column headers and evidence kinds are read (the generated and demo datasets use them).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
from collections import deque
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIDENCE = {"reported": 0.9, "survey": 0.7, "derived": 0.1, "illustrative": 0.3, "unknown": 0.5}
MADE_UP = ("illustrative", "invented", "made up", "made-up", "示意", "虚构", "虛構", "演示")
CONFIRMED, THRESHOLD = 0.5, 0.5


def read(folder: Path, name: str) -> pa.Table:
    """Every column of ``name`` as trimmed strings (null when empty)."""
    path = folder / name
    head = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
    names = [c.strip() for c in head.split(",")]
    table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=True),
                           convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                                strings_can_be_null=True),
                           parse_options=pacsv.ParseOptions(newlines_in_values=True))
    cols = {}
    for c in table.column_names:
        col = pc.utf8_trim_whitespace(table.column(c))
        cols[c.strip()] = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
    return pa.table(cols)


def col(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist() if name in table.column_names else [None] * len(table)


def distances(feeds: list[tuple[str, str]], own: list[str], depth: int) -> dict[str, tuple[str, int]]:
    result = {s: ("own", 0) for s in own}
    found = {}
    for direction, reverse in (("upstream", True), ("downstream", False)):
        adj: dict[str, list[str]] = {}
        for u, v in feeds:
            a, b = (v, u) if reverse else (u, v)
            adj.setdefault(a, []).append(b)
        dist = {s: 0 for s in own}
        queue = deque(own)
        while queue:
            s = queue.popleft()
            if dist[s] >= depth:
                continue
            for t in adj.get(s, ()):
                if t not in dist:
                    dist[t] = dist[s] + 1
                    queue.append(t)
        found[direction] = dist
    for direction in ("upstream", "downstream"):
        for s, d in found[direction].items():
            if s not in result or result[s][1] > d:
                result[s] = (direction, d)
    return result


def share(links: list[tuple[bool, float | None]]) -> float | None:
    if not links:
        return None
    values = [v for _, v in links]
    if all(v is not None for v in values) and sum(values) > 0:  # type: ignore[arg-type]
        return sum(v for loc, v in links if loc) / sum(values)  # type: ignore[misc]
    return sum(1 for loc, _ in links if loc) / len(links)


def confidence(conf: str | None, evidence: str | None, source: str | None) -> float:
    if conf is not None:
        return float(conf)
    if evidence is None:
        src = (source or "").strip().lower()
        evidence = "illustrative" if src.startswith(MADE_UP) else "reported" if src else "unknown"
    return DEFAULT_CONFIDENCE[evidence.strip().lower()]


def recompute(folder: Path, anchor: str | None, depth: int) -> tuple[str, dict[str, Any]]:
    """The anchor and its gap table, from the CSV files alone."""
    home = tomllib.loads((folder / "dataset.toml").read_text(encoding="utf-8"))["home_region"]
    regions = read(folder, "regions.csv")
    children: dict[str, list[str]] = {}
    for r, p in zip(col(regions, "id"), col(regions, "parent")):
        if p:
            children.setdefault(p, []).append(r)
    inside, stack = set(), [home]
    while stack:
        r = stack.pop()
        if r not in inside:
            inside.add(r)
            stack.extend(children.get(r, ()))
    firms = read(folder, "firms.csv")
    local_mask = pc.fill_null(pc.is_in(firms.column("region"), pa.array(sorted(inside), pa.string())), False)
    if anchor is None:
        flagged = pc.and_(local_mask, pc.fill_null(pc.equal(pc.utf8_lower(firms.column("anchor")), "true"), False))
        anchor = min(firms.filter(flagged).column("id").to_pylist())
    links = read(folder, "links.csv")
    into = links.filter(pc.fill_null(pc.equal(links.column("customer"), anchor), False))
    suppliers = set(col(into, "supplier"))
    parents = firms.filter(pc.is_valid(firms.column("parent"))) if "parent" in firms.column_names else None
    parent = dict(zip(col(parents, "id"), col(parents, "parent"))) if parents is not None else {}
    wanted = pc.or_(local_mask, pc.is_in(firms.column("id"), pa.array(sorted(suppliers | {anchor}), pa.string())))
    near = firms.filter(wanted)
    segs = {f: [s.strip() for s in (v or "").split(";") if s.strip()] for f, v in zip(col(near, "id"),
                                                                                  col(near, "segments"))}
    local = {f for f, m in zip(col(near, "id"), local_mask.filter(wanted).to_pylist()) if m}

    def group(f: str) -> str:
        seen = {f}
        while parent.get(f) and parent[f] not in seen:
            f = parent[f]
            seen.add(f)
        return f

    sl = read(folder, "segment_links.csv")
    dist = distances(list(zip(col(sl, "from"), col(sl, "to"))), segs[anchor], depth)
    by_segment: dict[str, list[tuple[str, float | None, float]]] = {}
    in_group: dict[str, set[str]] = {}
    for sup, key, value, conf, ev, src in zip(col(into, "supplier"), col(into, "segment"), col(into, "value"),
                                              col(into, "confidence"), col(into, "evidence"), col(into, "source")):
        c = confidence(conf, ev, src)
        if c <= 0:
            continue
        for s in ([key] if key else segs.get(sup, [])):
            if s not in dist:
                continue
            if group(sup) == group(anchor):
                in_group.setdefault(s, set()).add(sup)
            else:
                by_segment.setdefault(s, []).append((sup, None if value is None else float(value), c))
    makers: dict[str, set[str]] = {}
    for f in local:
        for s in segs.get(f, ()):
            makers.setdefault(s, set()).add(f)
    table = {}
    for s, (direction, d) in dist.items():
        here = sorted(makers.get(s, set()) - {anchor})
        sure = [(f, v) for f, v, c in by_segment.get(s, []) if c >= CONFIRMED]
        ratio = share([(f in local, v) for f, v in sure])
        named = sorted({f for f, _ in sure})
        status = "covered"
        if direction == "upstream" and not here:
            status = "missing"
        elif direction == "upstream" and (len(here) == 1 or (ratio is not None and ratio < THRESHOLD)):
            status = "weak"
        elif direction == "downstream" and not here:
            status = "missing"
        table[s] = {"direction": direction, "distance": d, "status": status, "local_firms": here,
                    "local": [f for f in named if f in local], "external": [f for f in named if f not in local],
                    "unconfirmed": sorted({f for f, _, _ in by_segment.get(s, [])} - set(named)),
                    "group": sorted(in_group.get(s, ())), "local_share": None if ratio is None else round(ratio, 4),
                    "single_source": len(named) == 1}
    counted = [r for r in table.values() if r["direction"] != "own"]
    summary = {"segments": len(counted), **{k: sum(r["status"] == k for r in counted)
                                             for k in ("covered", "weak", "missing")}}
    return anchor, {"segments": table, "summary": summary}


def from_cli(report: dict[str, Any]) -> dict[str, Any]:
    """The same fields from ``gaps --format json``."""
    def ids(refs: list[dict[str, Any]]) -> list[str]:
        return [r["id"] for r in refs]

    table = {}
    for s in report["segments"]:
        sup = s["anchor_suppliers"]
        table[s["id"]] = {"direction": s["direction"], "distance": s["distance"], "status": s["status"],
                          "local_firms": ids(s["local_firms"]), "local": ids(sup["local"]),
                          "external": ids(sup["external"]), "unconfirmed": ids(sup["unconfirmed"]),
                          "group": ids(sup["group"]), "local_share": s["local_share"],
                          "single_source": s["single_source"]}
    summary = {k: report["summary"][k] for k in ("segments", "covered", "weak", "missing")}
    return {"segments": table, "summary": summary}


def differences(mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    out = []
    for s in sorted(set(mine["segments"]) | set(theirs["segments"])):
        a, b = mine["segments"].get(s), theirs["segments"].get(s)
        if a is None or b is None:
            out.append(f"segment {s}: only in the {'CLI' if a is None else 'recomputed'} table")
            continue
        for k in a:
            if a[k] != b[k]:
                out.append(f"segment {s} {k}: recomputed {str(a[k])[:200]}, CLI {str(b[k])[:200]}")
    for k, v in mine["summary"].items():
        if theirs["summary"][k] != v:
            out.append(f"summary {k}: recomputed {v}, CLI {theirs['summary'][k]}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", type=Path, help="a dataset folder")
    p.add_argument("--anchor", default=None, help="anchor firm id (default: the first of the home region)")
    p.add_argument("--depth", type=int, default=2)
    a = p.parse_args(argv)
    t = time.perf_counter()
    anchor, mine = recompute(a.data, a.anchor, a.depth)
    took = time.perf_counter() - t
    cmd = [sys.executable, "-m", "chaingraph", "gaps", str(a.data), "--anchor", anchor, "--depth", str(a.depth),
           "--format", "json", "--silent"]
    t = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    cli_took = time.perf_counter() - t
    if run.returncode != 0:
        print(f"chaingraph gaps failed ({run.returncode}): {run.stderr.strip()[-500:]}", file=sys.stderr)
        return 2
    diff = differences(mine, from_cli(json.loads(run.stdout)))
    rows = mine["segments"]
    print(f"anchor {anchor}: {len(rows)} segments, {sum(len(r['local_firms']) for r in rows.values()):,} local firm "
          f"entries, {sum(len(r['local']) + len(r['external']) for r in rows.values())} confirmed supplier entries; "
          f"recomputed from the CSV files in {took:.2f} s, CLI {cli_took:.2f} s")
    if diff:
        print(f"{len(diff)} differences:", *diff[:30], sep="\n  ")
        return 1
    print("the CLI's gap table equals the recomputed one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
