"""Tests of the synthetic dataset generator (chaingraph.generate) and ``chaingraph generate``."""
from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.datasets import read_dataset
from chaingraph.errors import ChainGraphError
from chaingraph.generate import FILES, REFERENCE_DATE, generate_dataset, parse_count

FIRMS = 2000


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def header(folder: Path, name: str) -> list[str]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen") / "small"
    summary = generate_dataset(out, firms=FIRMS, seed=0)
    return out, summary


def test_files_and_headers(small):
    out, summary = small
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)  # no leftover partial files
    assert header(out, "regions.csv") == ["id", "name", "name_en", "parent", "level", "lat", "lon"]
    assert header(out, "chains.csv") == ["id", "name", "name_en"]
    assert header(out, "segments.csv") == ["id", "chain", "name", "name_en", "stage"]
    assert header(out, "segment_links.csv") == ["from", "to", "weight"]
    assert header(out, "firms.csv") == ["id", "name", "name_en", "region", "segments", "anchor", "output_value",
                                        "employees", "listed", "credit_code", "lat", "lon", "source"]
    assert header(out, "links.csv") == ["supplier", "customer", "segment", "product", "value", "source",
                                        "confidence"]
    assert header(out, "projects.csv") == [
        "id", "name", "firm", "segments", "chain", "anchor", "park", "stage", "lead", "contacted", "negotiating",
        "signed", "registered", "construction", "producing", "dropped", "drop_reason", "investment",
        "expected_output", "owner", "source", "note"]
    meta = tomllib.loads((out / "dataset.toml").read_text(encoding="utf-8"))
    assert meta["name"] == "synthetic-2000-s0" == summary["name"]
    assert meta["currency"] == "CNY"
    assert "synthetic" in meta["description"].lower()
    assert meta["home_region"] == summary["home_region"]
    assert summary["bytes"] == sum((out / f).stat().st_size for f in FILES)


def test_counts(small):
    out, summary = small
    firms, links = rows(out, "firms.csv"), rows(out, "links.csv")
    assert len(firms) == summary["firms"] == FIRMS
    assert len(links) == summary["links"]
    # About FIRMS * 5: hub suppliers may run out of distinct customers.
    assert 0.9 * FIRMS * 5 <= len(links) <= 1.02 * FIRMS * 5
    assert summary["anchors"] == sum(f["anchor"] == "true" for f in firms) == 3
    assert len(rows(out, "chains.csv")) == summary["chains"] == 3
    assert len(rows(out, "segments.csv")) == summary["segments"]
    assert len(rows(out, "segment_links.csv")) == summary["segment_links"]
    assert len(rows(out, "regions.csv")) == summary["regions"]
    assert firms[0]["id"] == "F0000001" and firms[-1]["id"] == "F0002000"
    assert firms[122]["name"] == "合成企业000123" and firms[122]["name_en"] == "Synthetic Firm 000123"


def test_references_resolve_and_ids_are_unique(small):
    out, _ = small
    regions, chains = rows(out, "regions.csv"), rows(out, "chains.csv")
    segments, firms = rows(out, "segments.csv"), rows(out, "firms.csv")
    ids = [r["id"] for r in regions] + [c["id"] for c in chains] + [s["id"] for s in segments] \
        + [f["id"] for f in firms]
    assert len(ids) == len(set(ids))
    region_ids, segment_ids = {r["id"] for r in regions}, {s["id"] for s in segments}
    assert [r["id"] for r in regions if not r["parent"]] == ["R0"]
    assert all(r["parent"] in region_ids for r in regions if r["parent"])
    assert {s["chain"] for s in segments} == {c["id"] for c in chains}
    assert all(f["region"] in region_ids for f in firms)
    assert all(s in segment_ids for f in firms for s in f["segments"].split(";"))
    firm_ids = {f["id"] for f in firms}
    for link in rows(out, "links.csv"):
        assert link["supplier"] in firm_ids and link["customer"] in firm_ids and link["segment"] in segment_ids
        assert 0 <= float(link["confidence"]) <= 1 and float(link["value"]) > 0
    for f in firms:
        assert -90 <= float(f["lat"]) <= 90 and -180 <= float(f["lon"]) <= 180
        assert int(f["output_value"]) > 0 and int(f["employees"]) >= 1


def test_no_duplicate_or_self_links(small):
    out, _ = small
    links = rows(out, "links.csv")
    keys = [(x["supplier"], x["customer"], x["segment"]) for x in links]
    assert len(keys) == len(set(keys))
    assert not [k for k in keys if k[0] == k[1]]


def test_chain_templates(small):
    out, _ = small
    segments = rows(out, "segments.csv")
    per_chain = Counter(s["chain"] for s in segments)
    assert all(12 <= n <= 20 for n in per_chain.values())
    assert {s["stage"] for s in segments} == {"upstream", "midstream", "downstream"}
    assert {s["name"]: s["name_en"] for s in segments}.get("正极材料", "cathode") == "cathode"
    feeds = rows(out, "segment_links.csv")
    G = nx.DiGraph((f["from"], f["to"]) for f in feeds)
    assert nx.is_directed_acyclic_graph(G)
    inputs: Counter[str] = Counter()
    for f in feeds:
        assert 0 < float(f["weight"]) <= 1
        inputs[f["to"]] += float(f["weight"])
    assert max(inputs.values()) <= 1 + 1e-9
    stage = {s["id"]: s["stage"] for s in segments}
    order = {"upstream": 0, "midstream": 1, "downstream": 2}
    assert all(order[stage[f["from"]]] <= order[stage[f["to"]]] for f in feeds)


def test_links_mostly_follow_feeds(small):
    out, _ = small
    feeds = {(f["from"], f["to"]) for f in rows(out, "segment_links.csv")}
    segs = {f["id"]: f["segments"].split(";") for f in rows(out, "firms.csv")}
    links = rows(out, "links.csv")
    follow = sum(any((x["segment"], s) in feeds for s in segs[x["customer"]]) for x in links)
    assert all(x["segment"] in segs[x["supplier"]] for x in links)
    assert follow / len(links) > 0.8


def test_heavy_tailed_degrees(small):
    out, _ = small
    degree = Counter(x["supplier"] for x in rows(out, "links.csv"))
    all_degrees = sorted(degree.get(f"F{i:07d}", 0) for i in range(1, FIRMS + 1))
    median = all_degrees[FIRMS // 2]
    assert all_degrees[-1] >= 20 * max(median, 1)
    assert all_degrees[0] == 0  # many small firms have no known customer
    outputs = sorted(int(f["output_value"]) for f in rows(out, "firms.csv"))
    assert outputs[-1] > 100 * outputs[FIRMS // 2]


def test_anchors_and_local_firms(small):
    out, summary = small
    regions = rows(out, "regions.csv")
    home = summary["home_region"]
    local = {home} | {r["id"] for r in regions if r["parent"] == home}
    assert {r["level"] for r in regions if r["parent"] == home} == {"town", "park"}
    firms = rows(out, "firms.csv")
    anchors = [f for f in firms if f["anchor"] == "true"]
    assert anchors and all(f["region"] in local for f in anchors)
    local_firms = [f for f in firms if f["region"] in local]
    assert len(local_firms) == summary["local_firms"]
    assert 0.02 <= len(local_firms) / FIRMS <= 0.05


def test_gap_segments_near_anchors(small):
    out, summary = small
    home = summary["home_region"]
    local = {home} | {r["id"] for r in rows(out, "regions.csv") if r["parent"] == home}
    firms = rows(out, "firms.csv")
    anchor_segments = {s for f in firms if f["anchor"] == "true" for s in f["segments"].split(";")}
    local_segments = {s for f in firms if f["region"] in local for s in f["segments"].split(";")}
    inputs = {x["from"] for x in rows(out, "segment_links.csv") if x["to"] in anchor_segments}
    gaps = inputs - local_segments
    assert gaps, "some input of an anchor segment has no local firm"
    assert inputs & local_segments, "other inputs of anchor segments do have local firms"
    # Firms elsewhere make the gap segments, so there are firms to recruit.
    assert all(any(g in f["segments"].split(";") for f in firms) for g in gaps)


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    generate_dataset(tmp_path / "a", firms=500, seed=3)
    generate_dataset(tmp_path / "b", firms=500, seed=3)
    generate_dataset(tmp_path / "c", firms=500, seed=4)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in ("firms.csv", "links.csv", "segment_links.csv", "projects.csv"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name


#: SHA-256 of the files ``generate_dataset(firms=500, seed=3)`` wrote before it wrote projects.csv
#: (main at a3b5ba0): the projects draw from their own random stream and change no other byte.
BEFORE_PROJECTS = {
    "dataset.toml": "d684835284111de4b6d764712f742275492ec5a45a33dc9e3cf208a3bd10a502",
    "regions.csv": "c8095246461114fcc92bf2ad63dd42d8e44811cc4a29eda2690044d63e107ddb",
    "chains.csv": "866d4181a549f6b528db3726de4ba497f1229bb097cca416fe2e4ab99e716b00",
    "segments.csv": "1869d8986c1befcbaa6dc3d971a2339d2c979bc54466062962dd61663e169e9d",
    "segment_links.csv": "fef50c47b963a89764157237ab778b3fe37b99b1a3bfd6a229764aaa750d4133",
    "firms.csv": "05102c85bbcf4b3b23a20b61abc46e37450fdb08d88f63644f57d8600e86ac68",
    "links.csv": "83bac86e892ed7eecfddf564d83f399b5c4f964a1fd1e72be12efffcf08312da",
}


def test_projects_leave_the_other_files_unchanged(tmp_path):
    import hashlib

    generate_dataset(tmp_path, firms=500, seed=3)
    assert {f: hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in BEFORE_PROJECTS} \
        == BEFORE_PROJECTS


def test_chunked_output_is_deterministic(tmp_path, monkeypatch):
    # Small chunks exercise the chunk boundaries and per-chunk dedup; the result is still valid.
    import chaingraph.generate as generate

    monkeypatch.setattr(generate, "FIRM_CHUNK", 300)
    monkeypatch.setattr(generate, "LINK_CHUNK", 700)
    calls = []
    generate_dataset(tmp_path / "a", firms=3000, seed=1, progress=lambda done, total: calls.append((done, total)))
    generate_dataset(tmp_path / "b", firms=3000, seed=1)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert len(calls) > 20
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1][0] == calls[-1][1]
    keys = [(x["supplier"], x["customer"], x["segment"]) for x in rows(tmp_path / "a", "links.csv")]
    assert len(keys) == len(set(keys)) and keys == sorted(keys)


@pytest.mark.parametrize(("firms", "links_per_firm", "chains", "seed"), [
    (1, 5, 3, 0),
    (10, 5, 1, 1),
    (300, 0, 3, 2),
    (1500, 5, 8, 3),  # chains beyond the vocabulary get synthetic segment names
    (20_000, 3, 3, 4),
])
def test_validates_with_read_dataset(tmp_path, firms, links_per_firm, chains, seed):
    summary = generate_dataset(tmp_path, firms=firms, links_per_firm=links_per_firm, chains=chains, seed=seed)
    dataset = read_dataset(tmp_path)  # raises DatasetErrors listing every problem
    assert dataset.firms.num_rows == firms
    assert dataset.links.num_rows == summary["links"]
    assert len(dataset.chains) == chains
    assert len(dataset.segments) == summary["segments"]
    assert dataset.meta["home_region"] == summary["home_region"]
    assert sum(dataset.firms.column("anchor").to_pylist()) == summary["anchors"]
    assert len(dataset.projects) == summary["projects"] == max(8, round(firms / 20))


def test_overwrites_an_earlier_dataset(tmp_path):
    generate_dataset(tmp_path, firms=400, seed=0)
    generate_dataset(tmp_path, firms=200, seed=1)
    assert len(rows(tmp_path, "firms.csv")) == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)


@pytest.mark.parametrize("options", [
    {"firms": 0}, {"firms": 10, "links_per_firm": -1}, {"firms": 10, "chains": 0}, {"firms": 10, "seed": -2},
])
def test_bad_options(tmp_path, options):
    with pytest.raises(ChainGraphError, match="cannot generate"):
        generate_dataset(tmp_path, **options)


def test_out_dir_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ChainGraphError, match="is a file, not a folder"):
        generate_dataset(target, firms=10)


@pytest.mark.parametrize(("text", "count"), [
    ("2000", 2000), ("10k", 10_000), ("10K", 10_000), ("1m", 1_000_000), ("1.5m", 1_500_000), ("100,000", 100_000),
])
def test_parse_count(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["abc", "", "1.5", "10g", "-5", "1.0001k"])
def test_parse_count_rejects(text):
    with pytest.raises(ValueError, match="not a"):
        parse_count(text)


def test_cli_generate(tmp_path):
    out = tmp_path / "ds"
    result = CliRunner().invoke(cli, ["generate", "--lang", "en", "--firms", "2k", "--seed", "1", "--silent", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"wrote synthetic-2000-s1 to {out} (home region R010101)"
    assert lines[1].startswith("firms 2,000 (3 anchors, ")
    assert " MB in 8 files, " in lines[2] and lines[2].endswith(" s")
    assert len(rows(out, "firms.csv")) == 2000
    read_dataset(out)


def test_cli_generate_options(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "--lang", "en", "--firms", "500", "--links-per-firm", "2", "--chains", "2",
                                      "--seed", "5", "--silent", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote synthetic-500-s5-k2-c2 to ")
    assert len(rows(tmp_path, "chains.csv")) == 2


def test_cli_generate_bad_firms(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "--lang", "en", "--firms", "abc", str(tmp_path)])
    assert result.exit_code == 2
    assert "Invalid value for '--firms': 'abc' is not a count" in result.output
    assert not list(tmp_path.iterdir())


def test_cli_generate_needs_firms(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "--lang", "en", str(tmp_path)])
    assert result.exit_code == 2
    assert "Missing option '--firms'" in result.output


def test_cli_generate_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["generate", "--lang", "en", "--firms", "10", "--silent", str(target)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "is a file, not a folder" in result.output


def test_cli_help_has_example():
    result = CliRunner().invoke(cli, ["generate", "--lang", "en", "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "chaingraph generate --firms 100k" in result.output


# -- projects.csv: the recruitment pipeline ------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline(small):
    """The small dataset's pipeline as of the generator's reference date."""
    from chaingraph.jobs import pipeline_report
    from chaingraph.stores.memory import MemoryStore

    out, _ = small
    store = MemoryStore.from_dataset(out)
    return store, pipeline_report(store, as_of=REFERENCE_DATE.isoformat(), impact=True)


def test_projects_validate_and_reference_the_dataset(small):
    out, summary = small
    dataset = read_dataset(out)  # raises DatasetErrors on any bad date order, stage, reference or amount
    projects = dataset.projects
    assert len(projects) == summary["projects"] == FIRMS // 20
    assert [p.id for p in projects] == [f"P{i:07d}" for i in range(1, len(projects) + 1)]
    home = summary["home_region"]
    parks = {r["id"] for r in rows(out, "regions.csv") if r["parent"] == home and r["level"] == "park"}
    assert {p.park for p in projects} == parks
    chains = {c["id"]: c["name"] for c in rows(out, "chains.csv")}
    assert all(p.owner == f"{chains[p.chain]}专班" for p in projects)  # one task force per chain
    anchors = {f["id"] for f in rows(out, "firms.csv") if f["anchor"] == "true"}
    assert {p.anchor for p in projects} - {None} <= anchors and any(p.anchor for p in projects)
    assert all(p.source == "synthetic" for p in projects)
    days = [d for p in projects for d in p.dates.values()]
    assert max(days) <= REFERENCE_DATE.isoformat()  # nothing happens after the reference date
    assert any(len(d) == 7 for d in days)  # some dates known to the month only
    assert summary["reference_date"] == REFERENCE_DATE.isoformat()


def test_projects_drop_off_along_the_stages(pipeline):
    """Of 100 projects, most leads never sign; from signed on, each stage is reached by fewer."""
    _, report = pipeline
    reached = {s: sum(f[s] for f in report.funnel.values()) for s in ("lead", "signed", "registered",
                                                                      "construction", "producing")}
    assert reached["lead"] == report.projects == FIRMS // 20
    assert reached["lead"] > 2 * reached["signed"]
    assert reached["signed"] > reached["registered"] > reached["construction"] > reached["producing"] > 0
    dropped = report.dropped
    assert dropped and all(d.drop_reason for d in dropped)
    assert 0 < len(dropped) < report.projects


def test_some_projects_are_stalled_at_the_reference_date(pipeline):
    _, report = pipeline
    live = report.projects - len(report.dropped)
    assert report.stalled and len(report.stalled) < live
    assert all(s.overdue > 0 and s.owner for s in report.stalled)
    assert {s.stage for s in report.stalled} & {"signed", "registered", "construction"}
    medians = {(d["from"], d["to"]): d["median_days"] for d in report.durations}
    assert 10 < medians[("signed", "registered")] < 120  # days to months between stages
    assert 120 < medians[("construction", "producing")] < 720


def test_project_money_is_heavy_tailed(tmp_path):
    summary = generate_dataset(tmp_path, firms=20_000, seed=1)
    projects = read_dataset(tmp_path).projects
    assert len(projects) == summary["projects"] == 1000
    invest = sorted(p.investment for p in projects if p.investment is not None)
    assert 0.5 * len(projects) < len(invest) < len(projects)  # early leads often come without figures
    assert invest[-1] > 20 * invest[len(invest) // 2]
    big = [p for p in projects if p.expected_output is not None and p.expected_output >= 1e10]
    assert 1 <= len(big) <= 0.05 * len(projects)  # a few 百亿 projects
