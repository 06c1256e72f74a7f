"""Evidence: every link counts by its confidence, weak links can be left out, and reasons say how sure they are.

The dataset is tests/data/tiny with links.csv rewritten (anchor lanjun makes cell; separator is a missing
upstream gap; shsep (Shanghai) makes separator, shev (Shanghai) makes pack and ev):

====================  ========  ==========  ============  ========================================
link                  segment   confidence  evidence      why
====================  ========  ==========  ============  ========================================
jscathode -> lanjun   cathode   (empty)     reported      a source is cited: default 0.9
shsep -> lanjun       separator 0.05        derived       given: inferred from industry relations
shsep -> jscathode    separator (empty)     survey        given kind, default confidence 0.7
lanjun -> shev        cell      (empty)     unknown       no source: default 0.5
====================  ========  ==========  ============  ========================================

By hand: shsep's supplies_anchor is 0.05 (was 1 before weighing); its local tie with jscathode counts 0.7,
the largest tie among candidates, so local_ties is 0.7 / 0.7 = 1. In the gap table the only separator
supplier (0.05) is unconfirmed (< 0.5): the confirmed suppliers are none, local share null, not single
source. With --min-confidence 0.1 the shsep -> lanjun link is gone: supplies_anchor 0, no unconfirmed
supplier, and the cathode link (0.9) alone gives a local supply ratio of 1.0.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chaingraph import jobs
from chaingraph.cli import cli
from chaingraph.datasets import read_dataset
from chaingraph.model import EVIDENCE_CONFIDENCE
from chaingraph.stores.memory import MemoryStore

LINKS = """supplier,customer,segment,product,value,source,confidence,evidence
jscathode,lanjun,cathode,NCM cathode,300000000,https://example.org/annual-report,,
shsep,lanjun,separator,wet separator,,industry table,0.05,推断
shsep,jscathode,separator,film,,,,survey
lanjun,shev,cell,cells,,,,
"""


@pytest.fixture
def folder(make_dataset):
    return make_dataset(links_csv=LINKS)


def test_evidence_defaults(folder):
    """Kinds come from the cell (English or Chinese) or the source rule; empty confidences from the table."""
    links = read_dataset(folder).links.to_pylist()
    assert [(r["evidence"], r["confidence"]) for r in links] == [
        ("reported", 0.9), ("derived", 0.05), ("survey", 0.7), ("unknown", 0.5)]
    assert EVIDENCE_CONFIDENCE["reported"] == 0.9


def test_jiashan_illustrative_links_are_marked_by_the_source_rule():
    """Jiashan's links.csv has no evidence column: the 'illustrative' sources make 383 illustrative links."""
    links = read_dataset("datasets/jiashan").links
    kinds = links.column("evidence").to_pylist()
    sources = links.column("source").to_pylist()
    assert kinds.count("illustrative") == sum(1 for s in sources if s == "illustrative") == 383
    assert set(kinds) == {"illustrative", "reported"}


def test_components_weigh_links_by_confidence(folder):
    store = MemoryStore.from_dataset(folder)
    rep = jobs.target_report(store, top=None, lang="zh")
    shsep = next(t for t in rep.targets if t.firm.id == "shsep")
    assert shsep.components["supplies_anchor"] == 0.05
    assert shsep.components["local_ties"] == 1.0
    assert shsep.reasons[0] == "可能向兰钧新能源供应隔膜（按产业关系推断，可信度0.05）"
    assert shsep.evidence == ({"component": "supplies_anchor", "anchor": "lanjun", "segments": ["separator"],
                               "evidence": "derived", "confidence": 0.05, "confirmed": False},)
    # the push-down and the networkx reference agree on the weighted counts
    ref = jobs.target_report(_NoPushDown(store), top=None, lang="zh")
    assert [(t.firm.id, t.components) for t in ref.targets] == [(t.firm.id, t.components) for t in rep.targets]


def test_gap_table_splits_confirmed_and_unconfirmed(folder):
    store = MemoryStore.from_dataset(folder)
    sep = _segment(jobs.gap_report(store, anchor="lanjun"), "separator")
    assert sep["anchor_suppliers"]["external"] == [] and sep["local_share"] is None
    assert [f["id"] for f in sep["anchor_suppliers"]["unconfirmed"]] == ["shsep"]
    assert sep["single_source"] is False
    loose = _segment(jobs.gap_report(store, anchor="lanjun", confirmed=0.01), "separator")
    assert [f["id"] for f in loose["anchor_suppliers"]["external"]] == ["shsep"] and loose["single_source"]


def test_min_confidence_drops_weak_links(folder):
    args = ["targets", str(folder), "--format", "json", "--silent", "--min-confidence", "0.1", "--lang", "en"]
    data = json.loads(CliRunner().invoke(cli, args, catch_exceptions=False).stdout)
    shsep = next(t for t in data["targets"] if t["firm"]["id"] == "shsep")
    assert shsep["components"]["supplies_anchor"] == 0 and shsep["evidence"] == []
    store = MemoryStore.from_dataset(folder)
    rep = jobs.gap_report(store, anchor="lanjun", min_confidence=0.1)
    assert _segment(rep, "separator")["anchor_suppliers"]["unconfirmed"] == []
    assert rep["summary"]["local_supply_ratio"] == 1.0


def _segment(report, sid):
    return next(s for s in report["segments"] if s["id"] == sid)


class _NoPushDown:
    """The store, minus its candidate counting: ranking then reads the context with networkx."""

    counts_candidates = False

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        if name == "candidates":
            raise AttributeError(name)
        return getattr(self._store, name)
