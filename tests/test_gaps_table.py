"""The memory store's gap table (a push-down) must give the gap reports of the networkx reference, field for field.

``jobs.gap_report`` on a :class:`~chaingraph.model.GapSource` store computes the tables from
``store.gap_table(...)`` (:func:`chaingraph.analyses.gaps.gaps_from_table`); with ``tables_gaps`` off it
builds the gap context graph and runs :func:`~chaingraph.analyses.gaps.find_gaps`, the reference. Every
number, status, firm list, local share, confidence rule and warning must be the same, on tiny, jiashan, a
generated 10k-firm dataset and a corporate group whose parent chain leaves the context (where the
reference's ``group_of`` stops early, and the push-down must stop there too).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chaingraph import jobs
from chaingraph.errors import UnknownFirmError
from chaingraph.model import GapSource
from chaingraph.stores.memory import MemoryStore

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny"
JIASHAN = ROOT / "datasets" / "jiashan"


def both(store: MemoryStore, **kw):
    """``gap_report`` through the reference (the context graph) and through the gap table, as JSON text."""
    store.tables_gaps = False
    try:
        reference = jobs.gap_report(store, **kw)
    finally:
        del store.tables_gaps  # back to the class's True
    fast = jobs.gap_report(store, **kw)
    # JSON text compares every float to the last digit and the order of every list
    return json.dumps(reference, ensure_ascii=False, sort_keys=False), json.dumps(fast, ensure_ascii=False)


def check(store: MemoryStore, **kw) -> dict:
    reference, fast = both(store, **kw)
    assert fast == reference
    return json.loads(fast)


@pytest.fixture(scope="module")
def tiny():
    return MemoryStore.from_dataset(TINY)


@pytest.fixture(scope="module")
def jiashan():
    return MemoryStore.from_dataset(JIASHAN)


@pytest.fixture(scope="module")
def gen10k(tmp_path_factory):
    from chaingraph.generate import generate_dataset

    folder = tmp_path_factory.mktemp("gen") / "gen10k"
    generate_dataset(folder, firms=10_000, seed=3)
    return MemoryStore.from_dataset(folder)


def test_the_memory_store_is_a_gap_source(tiny):
    assert isinstance(tiny, GapSource) and tiny.tables_gaps


@pytest.mark.parametrize("kw", [
    {"anchor": "lanjun"},
    {},
    {"anchor": "lanjun", "depth": 0}, {"anchor": "lanjun", "depth": 1}, {"anchor": "lanjun", "depth": 5},
    {"anchor": "lanjun", "what_if": ["shsep"]},
    {"what_if": ["shsep", "shev"]},
    {"anchor": "lanjun", "min_confidence": 0.6},
    {"anchor": "lanjun", "confirmed": 0.9, "threshold": 0.9},
    {"anchor": "兰钧新能源", "region": "zj"},
])
def test_tiny(tiny, kw):
    check(tiny, **kw)


def test_tiny_by_hand(tiny):
    """The worked example (tests/data/tiny): cathode is weak (one local firm, jscathode, 75% of the value
    of the anchor's confirmed links is local: 300M of 400M), separator missing (shsep in Shanghai)."""
    data = check(tiny, anchor="lanjun", depth=1)
    rows = {s["id"]: (s["status"], s["local_share"], [f["id"] for f in s["local_firms"]]) for s in data["segments"]}
    assert rows["cathode"] == ("weak", 1.0, ["jscathode"])
    assert rows["separator"][0] == "missing"
    assert data["summary"]["local_supply_ratio"] == 0.75


def test_jiashan_each_anchor_and_the_region(jiashan):
    anchors = jiashan.anchors(jiashan.metadata()["home_region"])
    assert len(anchors) >= 2
    for a in anchors:
        check(jiashan, anchor=a)
        check(jiashan, anchor=a, depth=1, min_confidence=0.5, confirmed=0.8)
    data = check(jiashan)
    assert [r["anchor"]["id"] for r in data["anchors"]] == anchors and data["chains"]


def test_jiashan_what_if_and_another_region(jiashan):
    anchors = jiashan.anchors(None)
    others = [f for f in jiashan.dataset.firms.column("id").to_pylist() if f not in anchors][:5]
    check(jiashan, anchor=anchors[0], what_if=others)
    check(jiashan, what_if=others[:2])
    parent = next(r.parent for r in jiashan.dataset.regions if r.id == jiashan.metadata()["home_region"])
    check(jiashan, region=parent)
    check(jiashan, anchor=anchors[-1], region=parent, threshold=0.8)


def test_generated_10k(gen10k):
    home = gen10k.metadata()["home_region"]
    anchors = gen10k.anchors(home)
    for a in anchors:
        data = check(gen10k, anchor=a)
        assert data["segments"]
    far = [f for f in gen10k.dataset.firms.column("id").to_pylist()[:200] if f not in anchors][:20]
    check(gen10k, anchor=anchors[0], what_if=far, min_confidence=0.3)
    check(gen10k, what_if=far[:3], depth=1)
    check(gen10k, depth=3, confirmed=0.9)
    province = next(r.parent for r in gen10k.dataset.regions if r.id == home)
    check(gen10k, region=province)


FIRMS = """id,name,name_en,region,segments,anchor,output_value,lat,lon,source,parent
lanjun,兰钧新能源,Lanjun New Energy,js,cell,true,5000000000,30.84,120.93,invented,hold
jscathode,嘉善正极,Jiashan Cathode,dy,cathode,false,1000000000,,,invented,
shsep,上海隔膜,Shanghai Separator,sh,separator,false,2000000000,31.2,121.5,invented,
shev,上海汽车,Shanghai EV,sh,ev;pack,false,90000000000,,,invented,
hold,青山控股,Tsingshan,sh,,false,,,,invented,
reptsep,瑞浦隔膜,REPT Separator,sh,separator,false,,,,invented,hold
mid,中间公司,Middle Co,sh,,false,,,,invented,hold
deep,深层隔膜,Deep Separator,sh,separator,false,,,,invented,mid
"""
LINKS = """supplier,customer,segment,product,value,source,confidence
jscathode,lanjun,cathode,NCM cathode,300000000,invented,1
shsep,lanjun,separator,wet separator,100000000,invented,0.5
reptsep,lanjun,separator,separator,,a report,0.9
deep,lanjun,separator,separator,50000000,a report,0.9
deep,lanjun,,separator,60000000,a report,0.9
lanjun,shev,cell,cells,,invented,
"""


def test_groups_and_a_parent_outside_the_context(make_dataset):
    """lanjun's group is hold (its parent, added to the context). reptsep's parent is hold: in the group.
    deep's parent mid is no firm of the context (external, makes nothing, supplies no anchor), so on the
    context group_of(deep) stops at mid, and deep counts as an external supplier; the push-down agrees.
    Its unkeyed link counts for separator, the segment it makes."""
    store = MemoryStore.from_dataset(make_dataset(firms_csv=FIRMS, links_csv=LINKS))
    data = check(store, anchor="lanjun")
    sep = next(s for s in data["segments"] if s["id"] == "separator")
    assert [f["id"] for f in sep["anchor_suppliers"]["group"]] == ["reptsep"]
    assert [f["id"] for f in sep["anchor_suppliers"]["external"]] == ["deep", "shsep"]
    check(store, anchor="lanjun", what_if=["mid"])  # mid in the context now: deep joins the group
    after = json.loads(both(store, anchor="lanjun", what_if=["mid"])[1])
    assert [f["id"] for f in next(s for s in after["segments"] if s["id"] == "separator")
            ["anchor_suppliers"]["group"]] == ["deep", "reptsep"]
    check(store)


def test_unknown_firms_raise_the_same_error(tiny):
    for kw in ({"anchor": "nosuch"}, {"anchor": "lanjun", "what_if": ["nosuch"]}):
        with pytest.raises(UnknownFirmError):
            jobs.gap_report(tiny, **kw)


def test_gaps_never_imports_networkx():
    """The gaps command on a folder (a memory store) runs without importing networkx (0.25 s of start-up)."""
    code = ("import sys; from chaingraph.cli import cli\n"
            "try:\n    cli(['gaps', sys.argv[1], '--anchor', 'lanjun', '--silent', '--no-cache'])\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            "print('networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(TINY)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
