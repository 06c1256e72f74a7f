"""The job layer: every command settles its scope and context one way, so their answers agree."""
from __future__ import annotations

from pathlib import Path

import pytest

from chaingraph import jobs
from chaingraph.errors import ChainGraphError
from chaingraph.stores import open_store

JIASHAN = Path(__file__).resolve().parent.parent / "datasets" / "jiashan"


@pytest.fixture(scope="module")
def jiashan():
    store = open_store(str(JIASHAN))
    yield store
    store.close()


def _map_of_gaps(report):
    return {s["id"]: s["status"] for c in report["chains"] for s in c["segments"]}


def test_gaps_and_chain_map_report_one_region_map(jiashan, tmp_path):
    """``gaps`` without an anchor and ``html --chain-map`` draw the same statuses for every segment.

    They used to pick their contexts differently (a local context of the segments within depth against
    the two-step ranking context), and reported 6/2/41 against 10/2/37 covered/weak/missing on Jiashan.
    """
    report = jobs.gap_report(jiashan)
    page = jobs.html_report(jiashan, out=tmp_path / "map.html", chain_map=True)
    drawn = {sid: p["statusKey"] for sid, p in page.panel.items()}
    assert drawn == _map_of_gaps(report)
    totals = [sum(c[k] for c in report["chains"]) for k in ("covered", "weak", "missing")]
    assert sum(totals) == len(drawn) == 49


def test_gaps_and_chain_map_count_local_firms_one_way(jiashan, tmp_path):
    """The poster's box count is the gap table's ``local_firms`` (the anchors excluded) for every segment,
    and a segment made by an anchor says so apart: Jiashan's 集成电路封装测试 (ic-packaging) is made by the
    anchor GalaxyCore only, so the table says 0 and the box "本地 0 家 · 链主 1 家" (it said "本地 1 家")."""
    report = jobs.gap_report(jiashan)
    counted = {s["id"]: s["local_firms"] for c in report["chains"] for s in c["segments"]}
    page = jobs.html_report(jiashan, out=tmp_path / "map.html", chain_map=True, lang="zh")
    boxes = {n["id"]: n["count"] for n in page.nodes}
    assert {s: int(text.split()[1]) for s, text in boxes.items()} == counted
    assert boxes["ic-packaging"] == "本地 0 家 · 链主 1 家" and counted["ic-packaging"] == 0
    assert all(("链主" in text) == any(anchor for _, anchor in page_firms) for text, page_firms in
               ((n["count"], n["firms"]) for n in page.nodes))


def test_demo_writes_the_same_region_map(jiashan, tmp_path):
    import json

    jobs.run_demo(tmp_path, source=JIASHAN)
    demo = json.loads((tmp_path / "gaps-region.json").read_text(encoding="utf-8"))
    assert _map_of_gaps(demo) == _map_of_gaps(jobs.gap_report(jiashan))


def test_html_report_honours_region(tiny_path, tmp_path):
    """``--region`` picks the home region of the page: with Dayun town (inside the county) as home,
    the anchor (in the county, not the town) has no anchors of its own region, so the chain map fails
    with our error, and the firm graph of lanjun names the town in its subtitle."""
    store = open_store(str(tiny_path))
    try:
        with pytest.raises(ChainGraphError, match="no anchor firms in region 'dy'"):
            jobs.html_report(store, out=tmp_path / "m.html", chain_map=True, region="dy")
        page = jobs.html_report(store, anchor="lanjun", out=tmp_path / "f.html", region="dy")
        assert "大云镇" in page.subtitle
        default = jobs.html_report(store, anchor="lanjun", out=tmp_path / "g.html")
        assert "嘉善县" in default.subtitle and "大云镇" not in default.subtitle
        with pytest.raises(ChainGraphError, match="no region with id or name 'mars'"):
            jobs.html_report(store, anchor="lanjun", out=tmp_path / "h.html", region="mars")
    finally:
        store.close()


def test_unknown_anchor_is_our_error(tiny_path):
    store = open_store(str(tiny_path))
    try:
        with pytest.raises(ChainGraphError, match="nobody"):
            jobs.gap_report(store, anchor="nobody")
    finally:
        store.close()
