"""Firm identity: names typed the way people type them find the one firm they mean, or say why not.

The dataset is tiny (tests/data/tiny) with firms.csv rewritten: lanjun carries the alias 兰钧 and the
registered name 兰钧新能源科技有限公司; two firms are both called 东方明珠 (an old and a new company,
in different regions); 格科微电子(浙江)有限公司 is written with ASCII brackets.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from chaingraph import jobs
from chaingraph.cli import cli
from chaingraph.errors import AmbiguousNameError, UnknownFirmError, UnknownNameError
from chaingraph.names import Entry, NameIndex, normalise
from chaingraph.stores.memory import MemoryStore

FIRMS = """id,name,name_en,region,segments,anchor,output_value,aliases
lanjun,兰钧新能源科技有限公司,"Lanjun New Energy Technology Co., Ltd.",js,cell,true,5000000000,兰钧;BatteroTech
jscathode,嘉善正极,Jiashan Cathode,dy,cathode,false,1000000000,
shsep,上海隔膜,Shanghai Separator,sh,separator,false,2000000000,
shev,上海汽车,Shanghai EV,sh,ev;pack,false,90000000000,
pearl-old,东方明珠,Oriental Pearl (old),sh,,false,,
pearl-new,東方明珠,Oriental Pearl,js,pack,false,,
gc,格科微电子(浙江)有限公司,GalaxyCore Zhejiang,js,cathode,false,,
"""


@pytest.fixture
def store(make_dataset):
    s = MemoryStore.from_dataset(make_dataset(firms_csv=FIRMS))
    yield s
    s.close()


@pytest.mark.parametrize("query", [
    "lanjun", "LANJUN", " Lanjun ",  # the id, in any case and with spaces
    "兰钧新能源科技有限公司", "兰钧新能源科技",  # with and without the legal suffix
    "蘭鈞新能源科技有限公司",  # traditional characters
    "兰钧",  # an alias
    "Lanjun New Energy Technology Co Ltd",  # English, suffix written differently
])
def test_every_way_of_writing_lanjun_finds_it(store, query):
    """Each query normalises to the id, the name or the alias of lanjun: an exact match."""
    assert store.resolve_firm(query) == "lanjun"


def test_full_width_brackets_as_registered(store):
    """格科微电子（浙江）有限公司 with full-width brackets: NFKC folds them to the file's ASCII ones."""
    assert store.resolve_firm("格科微电子（浙江）有限公司") == "gc"


def test_a_unique_prefix_is_accepted_and_logged(store, caplog):
    """兰钧新能源 is a prefix of lanjun's normalised name only (兰钧新能源科技): taken, and logged."""
    caplog.set_level("INFO", logger="chaingraph.names")
    assert store.resolve_firm("兰钧新能源") == "lanjun"
    found = [r.name_match for r in caplog.records if hasattr(r, "name_match")]
    assert [(m.id, m.how) for m in found] == [("lanjun", "prefix")]


def test_the_full_name_finds_a_firm_filed_under_its_short_name(store):
    """The file holds 上海隔膜; 上海隔膜科技有限公司 normalises to 上海隔膜科技, which contains it."""
    assert store.resolve_firm("上海隔膜科技有限公司") == "shsep"


def test_two_firms_with_one_name_are_never_taken_silently(store):
    """东方明珠 and 東方明珠 normalise alike: the error lists both, with id, name and region."""
    with pytest.raises(AmbiguousNameError) as info:
        store.resolve_firm("东方明珠")
    assert [c[0] for c in info.value.candidates] == ["pearl-new", "pearl-old"]
    assert "pearl-new (東方明珠, 嘉善县)" in str(info.value)
    assert "pearl-old (东方明珠, 上海市)" in str(info.value)
    assert store.resolve_firm("pearl-old") == "pearl-old"  # the id settles it


def test_no_match_offers_close_names(store):
    """兰均新能源 (one character wrong) matches nothing; rapidfuzz offers lanjun first."""
    with pytest.raises(UnknownFirmError) as info:
        store.resolve_firm("兰均新能源")
    assert info.value.matches[0] == "兰钧新能源科技有限公司 (lanjun)"


def test_chains_and_regions_by_name(store):
    """--chain 锂电池 (the chain's name), --quota 锂电池=1 and --region 嘉善县 resolve to their ids."""
    rep = jobs.target_report(store, chain="锂电池", top=None)
    assert {s.chain for t in rep.targets for s in t.segments} == {"li"}
    plan = jobs.plan_report(store, budget=1, quotas={"锂电池": 1})
    assert plan.quotas == {"li": 1}
    assert jobs.gap_report(store, anchor="兰钧", region="嘉善县")["region"]["id"] == "js"
    with pytest.raises(UnknownNameError, match="no chain with id or name '光伏'"):
        jobs.target_report(store, chain="光伏")


def test_cli_echoes_a_partial_match_and_lists_ambiguity(make_dataset):
    """The CLI says on stderr what a prefix was taken as; an ambiguous name exits 1 listing both firms."""
    folder = str(make_dataset(firms_csv=FIRMS))
    ok = CliRunner().invoke(cli, ["gaps", folder, "--anchor", "兰钧新能源", "--lang", "en", "--silent",
                                  "--format", "json"], catch_exceptions=False)
    assert ok.exit_code == 0
    assert "'兰钧新能源' taken as 兰钧新能源科技有限公司 (lanjun), a prefix match" in ok.stderr
    bad = CliRunner().invoke(cli, ["gaps", folder, "--anchor", "东方明珠", "--silent", "--lang", "en"])
    assert bad.exit_code == 1
    assert "'东方明珠' matches 2 firms: pearl-new (東方明珠, 嘉善县); pearl-old (东方明珠, 上海市)" in bad.output


def test_normalise_and_index_without_a_store():
    """The rule on plain entries: an alias shared by two entries is ambiguous, a unique prefix is not."""
    assert normalise("ＲＥＰＴ　Battero Co., Ltd.") == "reptbattero"
    idx = NameIndex([Entry("a", "甲公司", aliases=("同名",)), Entry("b", "乙公司", aliases=("同名",))])
    with pytest.raises(AmbiguousNameError):
        idx.match("同名")
    assert idx.match("甲公").id == "a"  # a one-character query is too short to match a part
