"""Reading and validating dataset folders: the tiny dataset by hand, the variants that must give the same
graph, and one broken variant per validation rule with the exact ``FILE:LINE: message (hint)`` line."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from chaingraph.datasets import (
    FIRM_SCHEMA,
    HEADER_ALIASES,
    LINK_SCHEMA,
    read_dataset,
)
from chaingraph.errors import ChainGraphError, DatasetError, DatasetErrors
from chaingraph.model import validate_graph
from chaingraph.stores import graph_from_dataset

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny"
FIRMS = (TINY / "firms.csv").read_text(encoding="utf-8")
LINKS = (TINY / "links.csv").read_text(encoding="utf-8")
REGIONS = (TINY / "regions.csv").read_text(encoding="utf-8")
SEGMENTS = (TINY / "segments.csv").read_text(encoding="utf-8")
SEGMENT_LINKS = (TINY / "segment_links.csv").read_text(encoding="utf-8")
CHAINS = (TINY / "chains.csv").read_text(encoding="utf-8")
TOML = (TINY / "dataset.toml").read_text(encoding="utf-8")


def problems(folder: Path, **kwargs) -> list[str]:
    """The problem lines of reading ``folder``, with the folder prefix left out."""
    with pytest.raises(DatasetErrors) as info:
        read_dataset(folder, **kwargs)
    lines = str(info.value).splitlines()
    assert lines == [str(p) for p in info.value.problems]
    prefix = f"{folder}/"
    assert all(line.startswith(prefix) for line in lines), lines
    return [line[len(prefix):] for line in lines]


def graph_key(G):
    """Nodes and edges with their data, without the graph metadata (source, load time)."""
    return sorted(G.nodes(data=True)), sorted(G.edges(keys=True, data=True))


# -- the tiny dataset, by hand ------------------------------------------------------------------------


def test_tiny_reads():
    ds = read_dataset(TINY)
    assert ds.meta["name"] == "tiny"
    assert ds.meta["home_region"] == "js"
    assert ds.meta["currency"] == "CNY"
    assert ds.meta["sources"] == ["invented for the test suite"]
    assert [r.id for r in ds.regions] == ["cn", "zj", "jx", "js", "dy", "sh"]
    assert [(r.id, r.parent, r.level) for r in ds.regions[3:5]] == [
        ("js", "jx", "county"), ("dy", "js", "town")]
    assert ds.regions[0].parent is None
    assert [(c.id, c.name, c.name_en) for c in ds.chains] == [("li", "锂电池", "Lithium battery")]
    assert [(s.id, s.stage) for s in ds.segments] == [
        ("ore", "upstream"), ("cathode", "upstream"), ("separator", "upstream"),
        ("cell", "midstream"), ("pack", "downstream"), ("ev", "downstream")]
    assert [(sl.source, sl.target, sl.weight) for sl in ds.segment_links] == [
        ("ore", "cathode", 0.6), ("cathode", "cell", 0.4), ("separator", "cell", 0.1),
        ("cell", "pack", 0.7), ("pack", "ev", 0.3)]
    assert ds.firms.schema == FIRM_SCHEMA
    assert ds.links.schema == LINK_SCHEMA
    assert ds.extra_columns == []


def test_tiny_firm_rows():
    firms = read_dataset(TINY).firms.to_pylist()
    assert firms[0] == {
        "id": "lanjun", "name": "兰钧新能源", "name_en": "Lanjun New Energy", "region": "js",
        "segments": ["cell"], "anchor": True, "output_value": 5e9, "employees": 2000, "listed": False,
        "credit_code": None, "lat": 30.84, "lon": 120.93, "source": "invented", "extra": None,
        "aliases": [], "parent": None,
    }
    assert [f["segments"] for f in firms] == [["cell"], ["cathode"], ["separator"], ["ev", "pack"]]
    assert [f["anchor"] for f in firms] == [True, False, False, False]
    assert [f["listed"] for f in firms] == [False, False, True, True]
    assert firms[1]["lat"] is None and firms[1]["lon"] is None


def test_tiny_link_rows():
    """Every source is 'invented', so every link is illustrative (issue 12); the empty confidence of the
    third takes the illustrative default, 0.3."""
    links = read_dataset(TINY).links.to_pylist()
    assert links == [
        {"supplier": "jscathode", "customer": "lanjun", "segment": "cathode", "product": "NCM cathode",
         "value": 3e8, "source": "invented", "confidence": 1.0, "evidence": "illustrative"},
        {"supplier": "shsep", "customer": "lanjun", "segment": "separator", "product": "wet separator",
         "value": 1e8, "source": "invented", "confidence": 0.5, "evidence": "illustrative"},
        {"supplier": "lanjun", "customer": "shev", "segment": "cell", "product": "cells",
         "value": None, "source": "invented", "confidence": 0.3, "evidence": "illustrative"},
    ]


def test_graph_from_dataset_tiny():
    G = graph_from_dataset(TINY)
    validate_graph(G)
    assert G.graph["name"] == "tiny" and G.graph["source"] == str(TINY)
    assert "loaded_at" in G.graph and "chaingraph_version" in G.graph
    kinds = {}
    for _, d in G.nodes(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    assert kinds == {"region": 6, "chain": 1, "segment": 6, "firm": 4}
    rels = sorted((u, v, k) for u, v, k in G.edges(keys=True))
    assert [e for e in rels if e[2] not in ("PART_OF", "FEEDS")] == [
        ("jscathode", "lanjun", "cathode"), ("lanjun", "shev", "cell"), ("shsep", "lanjun", "separator")]
    assert G.nodes["shev"]["segments"] == ("ev", "pack")
    assert G.nodes["lanjun"]["extra"] == {}
    assert G.has_edge("dy", "js", "PART_OF") and G.has_edge("cell", "li", "PART_OF")
    assert G.edges["cathode", "cell", "FEEDS"]["weight"] == 0.4


def test_header_aliases_are_one_table():
    # every alias maps to one column in each file it could be used in
    assert "企業名稱" in HEADER_ALIASES["name"] and "企业名称" in HEADER_ALIASES["name"]
    assert "供应商" in HEADER_ALIASES["supplier"]


# -- variants that must give the same graph as tiny ---------------------------------------------------

VARIANTS = sorted(p.name for p in DATA.glob("firms_*.csv"))


def test_variants_exist():
    assert set(VARIANTS) >= {
        "firms_utf8_bom.csv", "firms_gbk.csv", "firms_gb18030_crlf.csv", "firms_crlf.csv",
        "firms_fullwidth.csv",
        "firms_quoted.csv", "firms_zh_simplified.csv", "firms_zh_traditional.csv"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_gives_the_tiny_graph(variant, make_dataset):
    folder = make_dataset(firms_csv=(DATA / variant).read_bytes())
    assert graph_key(graph_from_dataset(folder)) == graph_key(graph_from_dataset(TINY))


def test_gbk_variant_is_not_utf8():
    raw = (DATA / "firms_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk") == FIRMS


def test_encoding_option(make_dataset):
    folder = make_dataset(firms_csv=(DATA / "firms_gbk.csv").read_bytes(),
                          links_csv=LINKS.encode("gbk"), regions_csv=REGIONS.encode("gbk"),
                          segments_csv=SEGMENTS.encode("gbk"), chains_csv=CHAINS.encode("gbk"))
    assert graph_key(graph_from_dataset(folder, encoding="gbk")) == graph_key(graph_from_dataset(TINY))
    assert problems(folder, encoding="utf-8")[0].startswith(
        "chains.csv:2: cannot read the file as utf-8: 'utf-8' codec can't decode byte")


def test_unknown_encoding(make_dataset):
    assert problems(make_dataset(), encoding="klingon")[0] == (
        "chains.csv: cannot read the file as klingon: unknown encoding: klingon "
        "(check --encoding, or leave it out to detect)")


def test_whole_folder_in_chinese_headers(make_dataset):
    folder = make_dataset(
        firms_csv=(DATA / "firms_zh_traditional.csv").read_bytes(),
        links_csv=LINKS.replace("supplier,customer,segment,product,value,source,confidence",
                                "供應商,客戶,環節,產品,金額,來源,置信度"),
        regions_csv=REGIONS.replace("id,name,name_en,parent,level,lat,lon", "编号,名称,英文名称,上级,级别,纬度,经度"),
        segments_csv=SEGMENTS.replace("id,chain,name,name_en,stage", "編號,產業鏈,名稱,英文名稱,階段"),
        segment_links_csv=SEGMENT_LINKS.replace("from,to,weight", "上游环节,下游环节,权重"),
        chains_csv=CHAINS.replace("id,name,name_en", "代码,名称,英文名"),
    )
    assert graph_key(graph_from_dataset(folder)) == graph_key(graph_from_dataset(TINY))


def test_levels_and_stages_in_chinese(make_dataset):
    regions = (REGIONS.replace(",country,", ",国家,").replace(",province,", ",省,").replace(",city,", ",市,")
               .replace(",county,", ",縣,").replace(",town,", ",镇,"))
    segments = SEGMENTS.replace(",upstream", ",上游").replace(",midstream", ",中游").replace(",downstream", ",下游")
    assert regions != REGIONS and segments != SEGMENTS
    folder = make_dataset(regions_csv=regions, segments_csv=segments)
    assert graph_key(graph_from_dataset(folder)) == graph_key(graph_from_dataset(TINY))
    bad = make_dataset(name="bad", segments_csv=SEGMENTS.replace(",upstream", ",上上游", 1))
    assert problems(bad)[0] == ("segments.csv:2: unknown stage '上上游' "
                                "(use upstream, midstream or downstream)")


def test_extra_columns_are_kept(make_dataset):
    folder = make_dataset(firms_csv=FIRMS.replace("source\n", "source,Note,备注\n", 1)
                          .replace("invented\n", "invented,,\n")
                          .replace("30.84,120.93,invented,,", '30.84,120.93,invented,"a ""big"", one",链主'))
    ds = read_dataset(folder)
    assert ds.extra_columns == ["Note", "备注"]
    G = graph_from_dataset(folder)
    assert G.nodes["lanjun"]["extra"] == {"Note": 'a "big", one', "备注": "链主"}
    assert G.nodes["shev"]["extra"] == {}


@pytest.mark.parametrize("cell", ['a "q" \\ b', "two\nlines", "tab\there", "中文 é \u2028"])
def test_extra_column_json_escapes_like_json_dumps(make_dataset, cell):
    quoted = '"' + cell.replace('"', '""') + '"'
    folder = make_dataset(firms_csv="id,name,region,segments,z,a\n"
                                    f"x,某企业,js,,{quoted},\ny,另一家,js,,,1\n", links_csv=None)
    G = graph_from_dataset(folder)
    assert G.nodes["x"]["extra"] == {"z": cell.strip()}
    assert G.nodes["y"]["extra"] == {"a": "1"}
    assert read_dataset(folder).firms.column("extra").to_pylist() == [
        json.dumps({"z": cell.strip()}, ensure_ascii=False), '{"a": "1"}']


def test_optional_files_may_be_missing(make_dataset):
    ds = read_dataset(make_dataset(links_csv=None, segment_links_csv=None))
    assert ds.links.num_rows == 0 and ds.links.schema == LINK_SCHEMA
    assert ds.segment_links == []
    assert ds.firms.num_rows == 4


def test_segment_named_twice_counts_once(make_dataset):
    folder = make_dataset(firms_csv=FIRMS.replace(",ev;pack,", ',"ev; pack ;ev,,pack|",'))
    assert graph_key(graph_from_dataset(folder)) == graph_key(graph_from_dataset(TINY))


def test_header_only_tables(make_dataset):
    ds = read_dataset(make_dataset(links_csv="supplier,customer\n"))
    assert ds.links.num_rows == 0


def test_blank_lines_and_no_final_newline(make_dataset):
    folder = make_dataset(firms_csv=FIRMS.replace("\njscathode", "\n\n\njscathode").rstrip("\n"))
    assert graph_key(graph_from_dataset(folder)) == graph_key(graph_from_dataset(TINY))


def test_lone_cr_line_endings(make_dataset):
    folder = make_dataset(firms_csv=FIRMS.replace("\n", "\r"))
    assert graph_key(graph_from_dataset(folder)) == graph_key(graph_from_dataset(TINY))


def test_dataset_toml_defaults(make_dataset):
    ds = read_dataset(make_dataset(dataset_toml='name = "t"\nhome_region = "js"\nsources = "one"\n'))
    assert ds.meta == {"name": "t", "home_region": "js", "currency": "CNY", "sources": ["one"]}


# -- one broken variant per rule -------------------------------------------------------------------

HINT_FIRM = "(use an id from firms.csv)"
BROKEN = {
    "missing firms.csv": (
        {"firms_csv": None},
        ["firms.csv: missing file (columns: id,name,region,segments,name_en,anchor,output_value,employees,"
         "listed,credit_code,lat,lon,source,aliases,parent (see docs/dataset-format.md))"]),
    "missing dataset.toml": (
        {"dataset_toml": None},
        ["dataset.toml: missing file (every dataset needs dataset.toml with name and home_region)"]),
    "missing required column": (
        {"firms_csv": FIRMS.replace("region,segments", "where,segments", 1)},
        ["firms.csv:1: missing required column 'region' (add a column named region (or 地区/地區/所在地))"]),
    "column twice": (
        {"chains_csv": "id,name,名称\nli,锂电池,锂电池\n"},
        ["chains.csv:1: column 'name' appears twice (as 'name' and '名称') (delete or rename one of them)"]),
    "duplicate id": (
        {"firms_csv": FIRMS + "lanjun,兰钧二,,js,,,,,,,,,\n"},
        ["firms.csv:6: duplicate id 'lanjun', first on line 2 "
         "(ids must be unique; merge or rename the rows)"]),
    "unknown region": (
        {"firms_csv": FIRMS.replace(",dy,cathode", ",dz,cathode")},
        ["firms.csv:3: unknown region 'dz' (use an id from regions.csv)"]),
    "unknown parent region": (
        {"regions_csv": REGIONS.replace("sh,上海市,Shanghai,cn", "sh,上海市,Shanghai,cx")},
        ["regions.csv:7: unknown parent region 'cx' (use an id from regions.csv, or leave it empty)"]),
    "unknown home region": (
        {"dataset_toml": TOML.replace('home_region = "js"', 'home_region = "jiashan"')},
        ["dataset.toml: home_region 'jiashan' is not in regions.csv (use an id from regions.csv)"]),
    "unknown chain": (
        {"segments_csv": SEGMENTS.replace("pack,li,", "pack,lii,")},
        ["segments.csv:6: unknown chain 'lii' (use an id from chains.csv)"]),
    "unknown segment of a firm": (
        {"firms_csv": FIRMS.replace(",ev;pack,", ",ev;pak,")},
        ["firms.csv:5: unknown segment 'pak' (use ids from segments.csv, separated by ';')"]),
    "unknown segment of a link": (
        {"links_csv": LINKS.replace("lanjun,shev,cell", "lanjun,shev,cells")},
        ["links.csv:4: unknown segment 'cells' (use an id from segments.csv, or leave it empty)"]),
    "unknown segment in segment_links": (
        {"segment_links_csv": SEGMENT_LINKS + "anode,cell,0.2\n"},
        ["segment_links.csv:7: unknown segment 'anode' (use an id from segments.csv)"]),
    "unknown firm": (
        {"links_csv": LINKS.replace("shsep,lanjun", "shsepp,lanjun")},
        [f"links.csv:3: unknown firm 'shsepp' {HINT_FIRM}"]),
    "self link": (
        {"links_csv": LINKS + "shev,shev,ev,,,,\n"},
        ["links.csv:5: firm 'shev' supplies itself (delete the row)"]),
    "segment feeds itself": (
        {"segment_links_csv": SEGMENT_LINKS + "ev,ev,\n"},
        ["segment_links.csv:7: segment 'ev' feeds itself (delete the row)"]),
    "duplicate segment link": (
        {"segment_links_csv": SEGMENT_LINKS + "ore,cathode,\n"},
        ["segment_links.csv:7: duplicate segment link 'ore -> cathode', first on line 2 "
         "(keep one row per pair of segments)"]),
    "region tree cycle": (
        {"regions_csv": REGIONS.replace("cn,中国,China,,", "cn,中国,China,dy,")},
        ["regions.csv:2: the region tree has a cycle: cn > dy > js > jx > zj > cn "
         "(a region cannot be inside itself; fix one parent)"]),
    "region is its own parent": (
        {"regions_csv": REGIONS.replace("sh,上海市,Shanghai,cn", "sh,上海市,Shanghai,sh")},
        ["regions.csv:7: the region tree has a cycle: sh > sh "
         "(a region cannot be inside itself; fix one parent)"]),
    "unparseable number": (
        {"firms_csv": FIRMS.replace("1000000000,300", "lots,300")},
        ["firms.csv:3: output_value 'lots' is not a number (write digits, e.g. 1200000 or 1.2e6)"]),
    "not a whole number": (
        {"firms_csv": FIRMS.replace("1000000000,300", "1000000000,300.5")},
        ["firms.csv:3: employees '300.5' is not a whole number (write a whole number)"]),
    "number too large": (
        {"links_csv": LINKS.replace("300000000", "1e999")},
        ["links.csv:2: value '1e999' is too large (check the digits and the unit)"]),
    "unparseable boolean": (
        {"firms_csv": FIRMS.replace("cathode,false", "cathode,maybe")},
        ["firms.csv:3: anchor 'maybe' is not true or false "
         "(write true or false; yes/no, 1/0 and 是/否 also work)"]),
    "unparseable coordinate": (
        {"firms_csv": FIRMS.replace("30.84,120.93", "30°50'N,120.93")},
        ["firms.csv:2: lat \"30°50'N\" is not a number (write digits, e.g. 1200000 or 1.2e6)"]),
    "lat out of range": (
        {"firms_csv": FIRMS.replace("30.84,120.93", "-90.5,120.93")},
        ["firms.csv:2: lat '-90.5' is below -90 (lat cannot be less than -90)"]),
    "lon out of range": (
        {"regions_csv": REGIONS.replace("35.0,103.0", "35.0,181")},
        ["regions.csv:2: lon '181' is above 180 (lon cannot be more than 180)"]),
    "negative value": (
        {"links_csv": LINKS.replace("100000000", "-100000000")},
        ["links.csv:3: value '-100000000' is below 0 (value cannot be less than 0)"]),
    "confidence above 1": (
        {"links_csv": LINKS.replace("invented,0.5", "invented,50%")},
        ["links.csv:3: confidence '50%' is not a number (write digits, e.g. 1200000 or 1.2e6)"]),
    "confidence out of 0-1": (
        {"links_csv": LINKS.replace("invented,0.5", "invented,1.5")},
        ["links.csv:3: confidence '1.5' is above 1 (confidence cannot be more than 1)"]),
    "weight out of 0-1": (
        {"segment_links_csv": SEGMENT_LINKS.replace("0.6", "-0.1")},
        ["segment_links.csv:2: weight '-0.1' is below 0 (weight cannot be less than 0)"]),
    "unknown level": (
        {"regions_csv": REGIONS.replace("town", "village")},
        ["regions.csv:6: unknown level 'village' (use one of country, province, city, county, town, park)"]),
    "unknown stage": (
        {"segments_csv": SEGMENTS.replace("Pack,downstream", "Pack,down")},
        ["segments.csv:6: unknown stage 'down' (use upstream, midstream or downstream)"]),
    "duplicate link": (
        {"links_csv": LINKS + "jscathode,lanjun,cathode,more cathode,5,invented,1\n"},
        ["links.csv:5: duplicate link jscathode -> lanjun (cathode), first on line 2 "
         "(merge the rows, adding their values)"]),
    "empty required cell": (
        {"firms_csv": FIRMS.replace("jscathode,嘉善正极", "jscathode,  ")},
        ["firms.csv:3: empty name (fill in the name)"]),
    "empty id": (
        {"chains_csv": CHAINS + ",钠电池,\n"},
        ["chains.csv:3: empty id (fill in the id)"]),
    "empty link end": (
        {"links_csv": LINKS + ",lanjun,,,,,\n"},
        ["links.csv:5: empty supplier (fill in the supplier)"]),
    "wrong number of cells": (
        {"firms_csv": FIRMS.replace("dy,cathode,false", "dy,cathode,x,false")},
        ["firms.csv:3: expected 13 cells, found 14 "
         "(check for a stray or missing comma, or quote cells that contain commas)"]),
    "undecodable bytes": (
        {"firms_csv": FIRMS.encode() + b"x,\xff\xfe,js,,,,,,,,,,\n"},
        ["firms.csv:6: byte 0xff is neither UTF-8 nor GB18030/GBK "
         "(save the file as UTF-8 CSV, or pass --encoding)"]),
    "undecodable byte in a GBK file": (
        {"firms_csv": b"\n".join([FIRMS.encode("gbk").rstrip(b"\n"), b"x,\x80,js,,,,,,,,,,\n"])},
        ["firms.csv:6: byte 0x80 is neither UTF-8 nor GB18030/GBK "
         "(save the file as UTF-8 CSV, or pass --encoding)"]),
    "empty file": (
        {"links_csv": ""},
        ["links.csv:1: the file is empty (the first line must be the header: supplier,customer)"]),
    "unclosed quote": (
        {"links_csv": LINKS + 'shev,lanjun,,"oops,,,\nshsep,shev,,,,,\n'},
        ["links.csv:5: expected 7 cells, found 4 in the row on lines 5-6 "
         "(check the quotes (one may be unclosed) and the commas)"]),
    "bad TOML": (
        {"dataset_toml": 'name = "tiny\nhome_region = "js"\n'},
        ["dataset.toml:1: cannot parse TOML: Illegal character '\\n' (at line 1, column 13) "
         "(check quotes and '=' signs)"]),
    "TOML not UTF-8": (
        {"dataset_toml": 'name = "嘉善"\nhome_region = "js"\n'.encode("gbk")},
        ["dataset.toml: dataset.toml is not UTF-8 (save it as UTF-8)"]),
    "TOML without home_region": (
        {"dataset_toml": 'name = "tiny"\n'},
        ["dataset.toml: missing home_region (add a line like home_region = \"...\")"]),
    "TOML value of the wrong type": (
        {"dataset_toml": 'name = 5\nhome_region = "js"\n'},
        ["dataset.toml: name must be text, not 5 (write name = \"...\" in quotes)"]),
    "id clash across kinds": (
        {"chains_csv": CHAINS + "sh,上海链,\n"},
        ["chains.csv:3: id 'sh' is also a region id "
         "(ids must be unique across regions, chains, segments and firms; rename one)"]),
    "firm id clashes with a segment id": (
        {"firms_csv": FIRMS + "cell,电芯厂,,js,cell,,,,,,,,\n"},
        ["firms.csv:6: id 'cell' is also a segment id "
         "(ids must be unique across regions, chains, segments and firms; rename one)"]),
}


@pytest.mark.parametrize("rule", list(BROKEN))
def test_broken_variant(rule, make_dataset):
    files, expected = BROKEN[rule]
    assert problems(make_dataset(**files)) == expected


def test_a_broken_file_does_not_make_references_into_it_unknown(make_dataset):
    # links.csv names firms from a firms.csv that failed: only the firms.csv problem is reported
    folder = make_dataset(firms_csv=FIRMS.replace("dy,cathode,false", "dy,cathode,x,false"))
    assert problems(folder) == [
        "firms.csv:3: expected 13 cells, found 14 "
        "(check for a stray or missing comma, or quote cells that contain commas)"]


def test_rows_after_a_bad_row_are_still_checked(make_dataset):
    folder = make_dataset(firms_csv=FIRMS.replace("dy,cathode,false", "dy,cathode,x,false")
                          .replace("sh,separator,false", "sh,separator,perhaps"))
    assert problems(folder) == [
        "firms.csv:3: expected 13 cells, found 14 "
        "(check for a stray or missing comma, or quote cells that contain commas)",
        "firms.csv:4: anchor 'perhaps' is not true or false "
        "(write true or false; yes/no, 1/0 and 是/否 also work)"]


def test_every_problem_is_reported_in_file_and_line_order(make_dataset):
    folder = make_dataset(
        firms_csv=FIRMS.replace("5000000000,2000", "5000000000,-1").replace(",dy,cathode", ",dz,cathode"),
        links_csv=LINKS + "shev,shev,,,,,\n",
        chains_csv=None,
    )
    assert problems(folder) == [
        "chains.csv: missing file (columns: id,name,name_en (see docs/dataset-format.md))",
        "firms.csv:2: employees '-1' is below 0 (employees cannot be less than 0)",
        "firms.csv:3: unknown region 'dz' (use an id from regions.csv)",
        "links.csv:5: firm 'shev' supplies itself (delete the row)",
    ]


def test_line_numbers_after_quoted_newlines(make_dataset):
    # firms_quoted.csv has rows over two lines and a blank line: shev starts on line 8
    quoted = (DATA / "firms_quoted.csv").read_text(encoding="utf-8")
    folder = make_dataset(firms_csv=quoted.replace(",sh,\"ev,", ",shh,\"ev,"))
    assert problems(folder) == ["firms.csv:8: unknown region 'shh' (use an id from regions.csv)"]


def test_wrong_width_of_a_row_over_two_lines(make_dataset):
    quoted = (DATA / "firms_quoted.csv").read_text(encoding="utf-8")
    folder = make_dataset(firms_csv=quoted.replace("jscathode,嘉善正极", "jscathode,嘉善正极,x"))
    assert problems(folder) == ["firms.csv:4: expected 13 cells, found 14 in the row on lines 4-5 "
                                "(check the quotes (one may be unclosed) and the commas)"]


def test_line_numbers_after_blank_lines(make_dataset):
    folder = make_dataset(firms_csv=FIRMS.replace("\nshsep", "\n\n\nshsep").replace(",sh,sep", ",zz,sep"))
    assert problems(folder) == ["firms.csv:6: unknown region 'zz' (use an id from regions.csv)"]


def test_line_numbers_with_lone_cr_and_a_bad_row(make_dataset):
    # old Mac line ends take the csv-module path
    firms = FIRMS.replace("dy,cathode,false", "dy,cathode,x,false").replace("\n", "\r")
    folder = make_dataset(firms_csv=firms)
    assert problems(folder) == [
        "firms.csv:3: expected 13 cells, found 14 "
        "(check for a stray or missing comma, or quote cells that contain commas)"]


def test_line_numbers_with_a_stray_quote_and_a_blank_line(make_dataset):
    # a quote inside an unquoted cell defeats the quote counting, so the csv module finds the lines
    links = (LINKS.replace("NCM cathode", 'NCM 5" cathode').replace("\nshsep", "\n\nshsep")
             .replace("lanjun,shev,cell", "lanjun,shev,cel"))
    assert problems(make_dataset(links_csv=links)) == [
        "links.csv:5: unknown segment 'cel' (use an id from segments.csv, or leave it empty)"]


def test_many_bad_rows_are_summarised(make_dataset):
    lines = problems(make_dataset(links_csv=LINKS + "a,b\n" * 52))
    assert len(lines) == 51
    assert lines[-1] == "links.csv:55: ... and 2 more rows like: expected cells"


def test_many_problems_of_one_kind_are_summarised(make_dataset):
    rows = "".join(f"f{i},企业{i},,nowhere,,,,,,,,,\n" for i in range(60))
    lines = problems(make_dataset(firms_csv=FIRMS + rows))
    assert len(lines) == 51
    assert lines[0] == "firms.csv:6: unknown region 'nowhere' (use an id from regions.csv)"
    assert lines[49] == "firms.csv:55: unknown region 'nowhere' (use an id from regions.csv)"
    assert lines[50] == "firms.csv:56: ... and 10 more rows like: unknown region …"


def test_rules_sharing_a_message_count_together(make_dataset):
    # unknown suppliers and unknown customers share "unknown firm": 30 + 30 rows give 50 lines and a summary
    rows = "".join(f"ghost{i},lanjun,,,,,\nshev,ghost{i}b,,,,,\n" for i in range(30))
    lines = problems(make_dataset(links_csv=LINKS + rows))
    assert len(lines) == 51
    # all 30 suppliers (lines 5, 7 ... 63) and the first 20 customers (6 ... 44) are listed
    assert "links.csv:46: ... and 10 more rows like: unknown firm …" in lines
    assert lines[-1] == "links.csv:63: unknown firm 'ghost29' (use an id from firms.csv)"


def test_many_duplicate_ids_are_summarised(make_dataset):
    lines = problems(make_dataset(chains_csv=CHAINS + "li,锂电池,\n" * 53))
    assert len(lines) == 51
    assert lines[-1] == "chains.csv:53: ... and 3 more rows like: duplicate id"


def test_many_duplicate_links_are_summarised(make_dataset):
    rows = "jscathode,lanjun,cathode,,,,\n" * 55
    lines = problems(make_dataset(links_csv=LINKS + rows))
    assert len(lines) == 51
    assert lines[0] == ("links.csv:5: duplicate link jscathode -> lanjun (cathode), first on line 2 "
                        "(merge the rows, adding their values)")
    assert lines[-1] == "links.csv:55: ... and 5 more rows like: duplicate link"


def test_not_a_folder(tmp_path):
    with pytest.raises(DatasetErrors) as info:
        read_dataset(tmp_path / "nope")
    assert str(info.value) == f"{tmp_path / 'nope'}: no such folder " \
                              "(give the folder that holds dataset.toml and firms.csv)"
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetErrors, match="not a dataset folder"):
        read_dataset(tmp_path / "file")


def test_dataset_errors_are_chaingraph_errors(make_dataset):
    with pytest.raises(DatasetErrors) as info:
        read_dataset(make_dataset(firms_csv=None))
    err = info.value
    assert isinstance(err, DatasetError) and isinstance(err, ChainGraphError) and isinstance(err, ValueError)
    assert err.file.endswith("firms.csv") and err.line == 0 and err.hint.startswith("columns:")


def test_a_broken_dataset_gives_no_graph(make_dataset):
    with pytest.raises(DatasetErrors):
        graph_from_dataset(make_dataset(links_csv=LINKS + "a,b,,,,,\n"))


def test_progress_is_called_per_file():
    calls = []
    read_dataset(TINY, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (1, 8) and calls[-1] == (8, 8)  # dataset.toml and seven CSV files


def test_firm_table_types_with_nulls(make_dataset):
    ds = read_dataset(make_dataset(firms_csv="id,name,region,segments\nx,某企业,js,\n", links_csv=None))
    assert ds.firms.to_pylist() == [{
        "id": "x", "name": "某企业", "name_en": None, "region": "js", "segments": [], "anchor": False,
        "output_value": None, "employees": None, "listed": None, "credit_code": None, "lat": None,
        "lon": None,
        "source": None, "extra": None, "aliases": [], "parent": None}]
    assert isinstance(ds.firms.column("segments").type, pa.ListType)
