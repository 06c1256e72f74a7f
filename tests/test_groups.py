"""Corporate groups: an anchor's group members are never ordinary targets, and in-group supply is shown apart.

tests/data/tiny with two firms added: 青山控股 (tsingshan, Shanghai, makes ore) is the parent of lanjun, and
瑞浦隔膜 (reptsep, Shanghai, makes separator, parent tsingshan) supplies lanjun separator (confidence 0.9).

By hand: lanjun's group is tsingshan (the top of its parent chain), so tsingshan (ore, missing upstream at
distance 2) and reptsep (separator, missing upstream) are group members: listed under group expansion with
"与链主同属青山控股" and never ranked; the ranked targets stay shsep and shev, as in the worked example. In
the gap table separator has one external supplier (shsep) and one in-group supplier (reptsep): single
source (shsep alone), local share 0.0 from shsep's link only.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chaingraph import jobs
from chaingraph.cli import cli
from chaingraph.stores.memory import MemoryStore

FIRMS = """id,name,name_en,region,segments,anchor,output_value,lat,lon,source,parent
lanjun,兰钧新能源,Lanjun New Energy,js,cell,true,5000000000,30.84,120.93,invented,tsingshan
jscathode,嘉善正极,Jiashan Cathode,dy,cathode,false,1000000000,,,invented,
shsep,上海隔膜,Shanghai Separator,sh,separator,false,2000000000,31.2,121.5,invented,
shev,上海汽车,Shanghai EV,sh,ev;pack,false,90000000000,,,invented,
tsingshan,青山控股,Tsingshan,sh,ore,false,,,,invented,
reptsep,瑞浦隔膜,REPT Separator,sh,separator,false,,,,invented,tsingshan
"""
LINKS = """supplier,customer,segment,product,value,source,confidence
jscathode,lanjun,cathode,NCM cathode,300000000,invented,1
shsep,lanjun,separator,wet separator,100000000,invented,0.5
reptsep,lanjun,separator,separator,,a report,0.9
lanjun,shev,cell,cells,,invented,
"""


@pytest.fixture
def store(make_dataset):
    s = MemoryStore.from_dataset(make_dataset(firms_csv=FIRMS, links_csv=LINKS))
    yield s
    s.close()


def test_group_members_are_listed_apart(store):
    rep = jobs.target_report(store, top=None, lang="zh")
    assert [t.firm.id for t in rep.targets] == ["shsep", "shev"]
    assert [g.firm.id for g in rep.group] == ["reptsep", "tsingshan"]
    assert rep.group[0].reasons == ("与链主同属青山控股，可在集团内扩产隔膜",)
    data = rep.to_dict()["group"][0]
    assert data["relation"] == "group" and data["group"]["id"] == "tsingshan"
    plan = jobs.plan_report(store, budget=5)
    assert {p.target.firm.id for p in plan.picks} == {"shsep", "shev"}  # never a group member


def test_in_group_supply_does_not_count_as_sourcing(store):
    sep = next(s for s in jobs.gap_report(store, anchor="lanjun")["segments"] if s["id"] == "separator")
    assert [f["id"] for f in sep["anchor_suppliers"]["group"]] == ["reptsep"]
    assert [f["id"] for f in sep["anchor_suppliers"]["external"]] == ["shsep"]
    assert sep["single_source"] is True and sep["local_share"] == 0.0


def test_cli_json_marks_group(make_dataset):
    folder = str(make_dataset(firms_csv=FIRMS, links_csv=LINKS))
    out = CliRunner().invoke(cli, ["targets", folder, "--format", "json", "--silent", "--lang", "en"],
                             catch_exceptions=False).stdout
    group = json.loads(out)["group"]
    assert [(g["relation"], g["firm"]["id"]) for g in group] == [("group", "reptsep"), ("group", "tsingshan")]
    assert group[0]["reasons"] == ["in the same group as the anchor (Tsingshan): expansion within the group "
                                   "into Separator"]


def test_jiashan_galaxycore_parent_is_not_a_target():
    """格科微有限公司 (galaxycore-sh) is GalaxyCore's parent: group expansion, not target #3."""
    s = MemoryStore.from_dataset("datasets/jiashan")
    rep = jobs.target_report(s, anchors=["galaxycore"], top=None)
    assert "galaxycore-sh" not in {t.firm.id for t in rep.targets}
    assert [g.firm.id for g in rep.group] == ["galaxycore-sh"]
