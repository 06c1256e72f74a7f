"""Issue 12, item 4: targets state each anchor's gap, severity counts only the anchors of the stated
direction, proximity is neutral for coarsely located firms, and local or in-group firms are never targets.

The dataset (tiny's regions; chain li with segments x -> y -> z, no weights):

* anchors A (makes z), B and C (make x), all in js (Jiashan county) with coordinates;
* Y makes y, in sh (Shanghai, level province) at its own coordinates 31.2, 121.5: precision coordinates;
* W makes y, in cn (China, level country), no coordinates: precision country;
* V makes y, in sh without coordinates but with ``precision = city``: Shanghai's centre counts;
* L makes y, in sh without coordinates: precision province.

For A, y is upstream at distance 1 and x upstream at 2; for B and C, y is downstream at 1 and z downstream
at 2 (A is an anchor analysed, so it is no local firm of z). No local firm makes y: missing everywhere.
N = 3 anchors. Upstream: base 1.0, n = 1 (A): 1.0 x 2/4 = 0.5. Downstream: base 0.8, n = 2 (B, C):
0.8 x 3/4 = 0.6. So y is stated missing downstream for B and C, with severity 0.6 (the old rule said
"missing upstream" for all three and 1.0 x 4/4 = 1.0).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chaingraph.analyses.targets import haversine_km, rank_targets
from chaingraph.cli import cli
from chaingraph.model import COARSE_DISTANCE
from chaingraph.stores.memory import MemoryStore

SEGMENTS = """id,chain,name,name_en,stage
x,li,甲,X,upstream
y,li,乙,Y,midstream
z,li,丙,Z,downstream
"""
SEGMENT_LINKS = "from,to,weight\nx,y,\ny,z,\n"
FIRMS = """id,name,name_en,region,segments,anchor,lat,lon,source,precision
A,甲厂,A Co,js,z,true,30.84,120.93,invented,
B,乙厂,B Co,js,x,true,30.84,120.93,invented,
C,丙厂,C Co,js,x,true,30.84,120.93,invented,
Y,乙材料,Y Co,sh,y,false,31.2,121.5,invented,
W,全国乙材料,W Co,cn,y,false,,,invented,
V,上海乙材料,V Co,sh,y,false,,,invented,city
L,上海乙厂,L Co,sh,y,false,,,invented,
"""
LINKS = "supplier,customer,segment,product,value,source,confidence\n"


@pytest.fixture
def folder(make_dataset):
    return make_dataset(segments_csv=SEGMENTS, segment_links_csv=SEGMENT_LINKS, firms_csv=FIRMS,
                        links_csv=LINKS)


def targets_json(folder, *args):
    result = CliRunner().invoke(cli, ["targets", str(folder), "--top", "0", "--format", "json", "--lang", "en",
                                      "--silent", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {t["firm"]["id"]: t for t in json.loads(result.stdout)["targets"]}


def test_each_anchor_gap_is_listed_and_severity_counts_the_stated_direction(folder):
    """Y's segment y is listed as missing downstream for B and C (severity 0.6), and ``gaps`` holds all
    three anchors with their own direction; the reason names B and C, not A."""
    t = targets_json(folder)["Y"]
    assert [(s["id"], s["status"], s["direction"], s["anchors"]) for s in t["segments"]] == [
        ("y", "missing", "downstream", ["B", "C"])]
    assert t["gaps"] == [
        {"anchor": "A", "segment": "y", "direction": "upstream", "status": "missing"},
        {"anchor": "B", "segment": "y", "direction": "downstream", "status": "missing"},
        {"anchor": "C", "segment": "y", "direction": "downstream", "status": "missing"},
    ]
    assert t["components"]["gap_severity"] == 0.6
    assert "extends B Co, C Co downstream into Y" in t["reasons"]
    assert not any("A Co" in r and "Y" in r and "upstream" in r for r in t["reasons"])


def test_proximity_follows_location_precision(folder):
    """Y (own coordinates, 31.2, 121.5) is d1 = 67.47 km from the anchors at 30.84, 120.93: 1 / (1 + d1/100).
    V has no coordinates but precision city: Shanghai's centre 31.23, 121.47 is d2 = 67.29 km away.
    W (country) and L (Shanghai, a province-level region, no precision given) are located only coarsely:
    proximity 0.5 and no "km" in their reasons."""
    got = targets_json(folder)
    d1 = haversine_km(31.2, 121.5, 30.84, 120.93)
    d2 = haversine_km(31.23, 121.47, 30.84, 120.93)
    assert got["Y"]["components"]["proximity"] == round(1 / (1 + d1 / 100), 4) == 0.5971
    assert got["V"]["components"]["proximity"] == round(1 / (1 + d2 / 100), 4) == 0.5978
    for f in ("W", "L"):
        assert got[f]["components"]["proximity"] == 0.5
        assert not any("km" in r for r in got[f]["reasons"])
        assert "located only to" in got[f]["reasons"][-1]
    assert "province" in got["L"]["reasons"][-1] and "country" in got["W"]["reasons"][-1]


def test_memory_push_down_counts_precision_as_the_reference(folder):
    """MemoryStore.candidates gives W and L the distance COARSE_DISTANCE (-1), V Shanghai's 67.29 km, as
    the networkx reference does; the ranked scores agree."""
    store = MemoryStore.from_dataset(folder)
    try:
        gaps = {"x": ["A"], "y": ["A", "B", "C"], "z": ["B", "C"]}
        table = store.candidates(anchors=["A", "B", "C"], gaps=gaps, region="js")
        dist = dict(zip(table.ids, table.distance))
        assert dist["W"] == dist["L"] == COARSE_DISTANCE
        assert dist["V"] == pytest.approx(haversine_km(31.23, 121.47, 30.84, 120.93))
        G = store.whole_graph()
        ref = rank_targets(G, ["A", "B", "C"], region="js", top=None)
        pushed = rank_targets(G, ["A", "B", "C"], region="js", top=None, source=store)
        assert [(t.firm.id, t.score) for t in ref] == [(t.firm.id, t.score) for t in pushed]
        assert {t.firm.id: t.components["proximity"] for t in ref}["W"] == 0.5
    finally:
        store.close()


TINY_GROUP_FIRMS = """id,name,name_en,region,segments,anchor,output_value,lat,lon,source,parent
lanjun,兰钧新能源,Lanjun New Energy,js,cell,true,5000000000,30.84,120.93,invented,tsingshan
galaxy,格科微,GalaxyCore,js,chip,true,,30.84,120.93,invented,
jscathode,嘉善正极,Jiashan Cathode,dy,cathode,false,1000000000,,,invented,
shsep,上海隔膜,Shanghai Separator,sh,separator,false,2000000000,31.2,121.5,invented,
shev,上海汽车,Shanghai EV,sh,ev;pack,false,90000000000,,,invented,
tsingshan,青山控股,Tsingshan,sh,ore,false,,,,invented,
reptsep,瑞浦隔膜,REPT Separator,sh,separator;wafer,false,,,,invented,tsingshan
wafer1,晶圆厂,Wafer Fab,sh,wafer,false,,,,invented,
"""
TINY_GROUP_SEGMENTS = """id,chain,name,name_en,stage
ore,li,锂矿,Lithium ore,upstream
cathode,li,正极材料,Cathode,upstream
separator,li,隔膜,Separator,upstream
cell,li,电芯,Cell,midstream
pack,li,电池包,Pack,downstream
ev,li,电动汽车,EV,downstream
wafer,li,晶圆,Wafer,upstream
chip,li,芯片,Chip,midstream
"""
TINY_GROUP_FEEDS = "from,to,weight\nore,cathode,0.6\ncathode,cell,0.4\nseparator,cell,0.1\ncell,pack,0.7\n" \
                   "pack,ev,0.3\nwafer,chip,\n"


def test_local_and_home_group_firms_are_never_targets(make_dataset):
    """tiny with a second anchor, galaxy (makes chip; wafer feeds chip), and reptsep (Tsingshan group, like
    lanjun) making separator and wafer. Asked about galaxy alone, reptsep still is no target: it is in
    the group of lanjun, an anchor of the home region; wafer1 is. jscathode (local, in dy inside js) is
    never a target, for either anchor or both; tsingshan and reptsep appear only under group expansion."""
    folder = make_dataset(firms_csv=TINY_GROUP_FIRMS, segments_csv=TINY_GROUP_SEGMENTS,
                          segment_links_csv=TINY_GROUP_FEEDS)
    for args in ((), ("--anchor", "galaxy"), ("--anchor", "lanjun")):
        result = CliRunner().invoke(cli, ["targets", str(folder), "--top", "0", "--format", "json", "--silent",
                                          *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        ids = {t["firm"]["id"] for t in data["targets"]}
        assert ids.isdisjoint({"jscathode", "reptsep", "tsingshan", "lanjun", "galaxy"}), args
        assert {g["firm"]["id"] for g in data["group"]} <= {"reptsep", "tsingshan"}
    assert ids == {"shsep", "shev"}
    galaxy = CliRunner().invoke(cli, ["targets", str(folder), "--anchor", "galaxy", "--format", "json",
                                      "--silent"], catch_exceptions=False)
    assert [t["firm"]["id"] for t in json.loads(galaxy.stdout)["targets"]] == ["wafer1"]
    plan = CliRunner().invoke(cli, ["plan", str(folder), "--budget", "5", "--format", "json", "--silent"],
                              catch_exceptions=False)
    picks = {p["firm"]["id"] for p in json.loads(plan.stdout)["picks"]}
    assert picks == {"shsep", "shev", "wafer1"}
