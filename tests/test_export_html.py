"""Offline HTML pages: escaping, no network URL, node counts, the node cap."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import networkx as nx
import pytest

from chaingraph.errors import UnknownFirmError
from chaingraph.exports.html import page_data, write_html
from chaingraph.exports.poster import chain_map_data, write_chain_map
from chaingraph.model import new_graph

XSS = "<img src=x onerror=alert(1)>"
XSS_REASON = "</script><script>alert(2)</script>"

# A URL the page would *load*: src/href attributes, CSS url()/@import, or JS fetches of http(s).
LOADED_URL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import"""
                        r"""|fetch\(\s*["']https?:|XMLHttpRequest""", re.I)


def hand_graph() -> nx.MultiDiGraph:
    """One chain ore -> cathode -> cell -> pack around the anchor A (cell) in county js.

    Local: A (anchor), L1 (cathode, also named with an XSS string), L2 (cathode).
    External: E1 (cathode, in sh), T (separator, in sh; the target), P (pack, in sh).
    Links: L1 -> A, E1 -> A, A -> P, T -> L2.
    Separator feeds cell and has no local firm: a gap; ore has none either.
    """
    G = new_graph(name="hand", title="Hand <b>graph</b>", home_region="js", currency="CNY")
    for r, name, parent in [("cn", "中国", None), ("js", "嘉善县", "cn"), ("dy", "大云镇", "js"), ("sh", "上海市", "cn")]:
        G.add_node(r, kind="region", name=name, name_en=r.upper(), parent=parent, level="county")
        if parent:
            G.add_edge(r, parent, rel="PART_OF")
    G.add_node("li", kind="chain", name="锂电池", name_en="Lithium battery")
    for s, stage in [("ore", "upstream"), ("cathode", "upstream"), ("separator", "upstream"),
                     ("cell", "midstream"), ("pack", "downstream")]:
        G.add_node(s, kind="segment", name=f"{s}段", name_en=s, chain="li", stage=stage)
        G.add_edge(s, "li", rel="PART_OF")
    for u, v in [("ore", "cathode"), ("cathode", "cell"), ("separator", "cell"), ("cell", "pack")]:
        G.add_edge(u, v, rel="FEEDS", weight=0.5)

    def firm(i: str, name: str, region: str, seg: str, value: float, anchor: bool = False) -> None:
        G.add_node(i, kind="firm", name=name, name_en=f"{i} Co", region=region, segments=(seg,), anchor=anchor,
                   output_value=value, employees=None, listed=None, credit_code=None, lat=None, lon=None,
                   source="test")

    firm("A", "锚点电芯", "js", "cell", 5e9, anchor=True)
    firm("L1", XSS, "dy", "cathode", 1e9)
    firm("L2", "本地正极二", "js", "cathode", 2e8)
    firm("E1", "外地正极", "sh", "cathode", 3e9)
    firm("T", "上海隔膜", "sh", "separator", 2e9)
    firm("P", "上海整车", "sh", "pack", 9e10)
    G.add_edge("L1", "A", key="cathode", rel="SUPPLIES", value=3e8)
    G.add_edge("E1", "A", key="cathode", rel="SUPPLIES", value=1e8)
    G.add_edge("A", "P", key="cell", rel="SUPPLIES", value=None)
    G.add_edge("T", "L2", key="separator", rel="SUPPLIES", value=5e7)
    return G


HAND_TARGETS = [{"firm": "T", "score": 0.8, "reasons": [XSS_REASON, "补链"], "anchors": ["A"],
                 "segments": ["separator"]}]


def synthetic_graph(n_firms: int, *, seed: int = 1, segments: int = 8) -> nx.MultiDiGraph:
    """``n_firms`` firms on a linear chain of ``segments`` segments, the anchor in the middle one.

    Half the firms are local; each firm supplies two firms of the next segment.
    """
    rng = random.Random(seed)
    G = new_graph(name="synthetic", title="Synthetic", home_region="home")
    G.add_node("home", kind="region", name="本县", name_en="Home")
    G.add_node("away", kind="region", name="外地", name_en="Away")
    G.add_node("c", kind="chain", name="链", name_en="Chain")
    segs = [f"s{i}" for i in range(segments)]
    for i, s in enumerate(segs):
        stage = "upstream" if i < segments // 2 else "midstream" if i == segments // 2 else "downstream"
        G.add_node(s, kind="segment", name=f"环节{i}", name_en=f"segment {i}", chain="c", stage=stage)
        if i:
            G.add_edge(segs[i - 1], s, rel="FEEDS")
    by_seg: dict[str, list[str]] = {s: [] for s in segs}
    mid = segs[segments // 2]
    for i in range(n_firms):
        seg = mid if i == 0 else rng.choice(segs)
        f = f"f{i}"
        G.add_node(f, kind="firm", name=f"企业{i}", name_en=f"Firm {i}", region="home" if i % 2 == 0 else "away",
                   segments=(seg,), anchor=i == 0, output_value=float(rng.randint(1, 10_000)) * 1e5,
                   employees=None, listed=None, credit_code=None, lat=None, lon=None, source=None)
        by_seg[seg].append(f)
    for i, s in enumerate(segs[:-1]):
        nxt = by_seg[segs[i + 1]]
        for f in by_seg[s]:
            for c in rng.sample(nxt, min(2, len(nxt))):
                if c != f:
                    G.add_edge(f, c, key=s, rel="SUPPLIES", value=float(rng.randint(1, 100)) * 1e6)
    return G


def page_json(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', text, re.S)
    assert m
    return json.loads(m.group(1))


@pytest.fixture
def hand_page(tmp_path: Path) -> Path:
    out = tmp_path / "firm.html"
    write_html(hand_graph(), out, anchor="A", gaps=["separator", "ore"], targets=HAND_TARGETS, depth=2,
               date="2024-05-01")
    return out


def test_no_loaded_url(hand_page: Path, tmp_path: Path) -> None:
    text = hand_page.read_text(encoding="utf-8")
    assert not LOADED_URL.search(text)
    # Only the SVG namespace (an identifier, never fetched) may look like a URL.
    assert set(re.findall(r"https?://[^\s\"'<>)]*", text)) <= {"http://www.w3.org/2000/svg"}
    out = tmp_path / "map.html"
    write_chain_map(hand_graph(), out, targets=HAND_TARGETS)
    assert not LOADED_URL.search(out.read_text(encoding="utf-8"))


def test_names_are_escaped(hand_page: Path) -> None:
    text = hand_page.read_text(encoding="utf-8")
    assert XSS not in text
    assert "<img" not in text
    assert "alert(2)" in text and "</script><script>alert(2)" not in text
    assert "Hand <b>graph</b>" not in text and "Hand &lt;b&gt;graph&lt;/b&gt;" in text
    data = page_json(hand_page)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["L1"]["tip"][0] == f"{XSS} / L1 Co"
    assert any(XSS_REASON in line for _, lines in nodes["T"]["info"]["sections"] for line in lines)
    # The label is cut to the display length; the full name is in the panel and the search.
    assert nodes["L1"]["label"] == "<img src=x onerror=aler…" and nodes["L1"]["full"] == XSS
    # Tooltips reach vis-network as DOM elements built with textContent, never as HTML strings.
    assert "textContent" in text and not any("title" in n for n in data["nodes"])


def test_hand_graph_nodes_and_edges(hand_page: Path) -> None:
    """Roles: A anchor, T target, L1 (in 大云镇, inside 嘉善) and L2 local, E1 and P external; two gaps."""
    data = page_json(hand_page)
    by_role: dict[str, set[str]] = {}
    for n in data["nodes"]:
        by_role.setdefault(n["role"], set()).add(n["id"])
    assert by_role["anchor"] == {"A"}
    assert by_role["target"] == {"T"}
    assert by_role["local"] == {"L1", "L2"}
    assert by_role["external"] == {"E1", "P"}
    assert by_role["gap"] == {"gap:separator", "gap:ore"}
    assert data["firmCount"] == 6
    edges = {(e["from"], e["to"], e["role"]) for e in data["edges"]}
    assert edges == {("L1", "A", "supplies"), ("E1", "A", "supplies"), ("A", "P", "supplies"),
                     ("T", "L2", "supplies"), ("T", "A", "serves")}
    serves = [e for e in data["edges"] if e["role"] == "serves"]
    assert serves[0]["dashes"]
    widths = {(e["from"], e["to"]): e["width"] for e in data["edges"] if e["role"] == "supplies"}
    assert widths[("L1", "A")] > widths[("E1", "A")] > widths[("T", "L2")] and widths[("A", "P")] == 1.0
    # Supply lines are grey, as the legend says.
    assert {e["color"]["color"] for e in data["edges"] if e["role"] == "supplies"} == {"#8a9ba8"}
    # Upstream left of the anchor, downstream right of it.
    x = {n["id"]: n["x"] for n in data["nodes"]}
    assert x["gap:ore"] < x["L1"] < x["A"] < x["P"]
    assert x["L1"] == x["E1"] == x["T"]
    shapes = {n["id"]: n["shape"] for n in data["nodes"]}
    assert (shapes["A"], shapes["L2"], shapes["E1"], shapes["T"], shapes["gap:ore"]) == (
        "diamond", "dot", "square", "star", "triangleDown")


def test_legend_is_what_is_drawn(hand_page: Path) -> None:
    """One key per role, chain and edge kind drawn, with counts; each names the group a click hides."""
    page = page_data(hand_graph(), anchor="A", gaps=["separator", "ore"], targets=HAND_TARGETS, lang="en")
    assert [(k["label"], k["group"]) for k in page.legend] == [
        ("anchor (1)", "role:anchor"), ("target (1)", "role:target"), ("local firm (2)", "role:local"),
        ("external firm (2)", "role:external"), ("gap segment (no local firm) (2)", "role:gap"),
        ("Lithium battery (6)", "chain:li"), ("supplies (width = value)", "edge:supplies"),
        ("target → anchor it would serve", "edge:serves")]
    text = hand_page.read_text(encoding="utf-8")
    assert text.count('data-group="') == 8


def test_chain_colours_are_distinct() -> None:
    """Two chains get hues far apart; the segments of one chain get shades of its hue."""
    import colorsys

    from chaingraph.exports._page import chain_palette

    G = hand_graph()
    G.add_node("ic", kind="chain", name="集成电路")
    G.add_node("wafer", kind="segment", name="晶圆", chain="ic", stage="midstream")
    chains, segs = chain_palette(G)

    def hue(c: str) -> float:
        r, g, b = (int(c[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return colorsys.rgb_to_hls(r, g, b)[0] * 360

    assert abs(hue(chains["li"]) - hue(chains["ic"])) > 90
    assert all(abs(hue(segs[s]) - hue(chains["li"])) <= 6 for s in ("ore", "cathode", "cell", "pack"))
    assert len({segs[s] for s in ("ore", "cathode", "separator", "cell", "pack")}) == 5


def test_title_and_legend(hand_page: Path) -> None:
    text = hand_page.read_text(encoding="utf-8")
    assert "锚点电芯" in text and "嘉善县" in text and "2024-05-01" in text
    assert "图例" in text and "招商目标" in text


def test_english(tmp_path: Path) -> None:
    page = write_html(hand_graph(), tmp_path / "en.html", anchor="A", gaps=["separator"], lang="en")
    labels = {n["id"]: n["label"] for n in page.nodes}
    assert labels["E1"] == "E1 Co" and labels["gap:separator"] == "gap: separator"
    assert "Legend" in (tmp_path / "en.html").read_text(encoding="utf-8")


def test_unknown_anchor(tmp_path: Path) -> None:
    with pytest.raises(UnknownFirmError):
        write_html(hand_graph(), tmp_path / "x.html", anchor="nope")
    assert not (tmp_path / "x.html").exists()


def test_cap_aggregates_the_rest() -> None:
    """Above max_nodes the rest go into one node per segment and side, and the page says so.

    Ranked: A (anchor), T (target), then the partners by value traded: L1 (3e8), E1 (1e8), P (none),
    then L2. With max_nodes=3: A, T, L1 one by one; E1 -> agg:external:cathode, P -> agg:external:pack,
    L2 -> agg:local:cathode.
    """
    page = page_data(hand_graph(), anchor="A", targets=HAND_TARGETS, max_nodes=3, lang="en")
    one_by_one = {n["id"] for n in page.nodes if n["role"] in ("anchor", "target", "local", "external")}
    assert one_by_one == {"A", "T", "L1"}
    aggs = {n["id"]: [m[0] for m in n["members"]] for n in page.nodes if n["role"] == "aggregate"}
    assert aggs == {"agg:external:cathode": ["E1"], "agg:external:pack": ["P"], "agg:local:cathode": ["L2"]}
    assert page.left_out == {"partner": 2, "local": 1}
    assert page.notices[0].startswith("6 firms; 3 drawn one by one (limit 3), the other 1 local firms, 2 direct")
    assert "3 nodes, one per segment and side" in page.notices[0] and page.notices[0].endswith("by output value.")
    # The aggregate's own links come along for expanding it: E1 -> A and L2 <- T.
    links = {n["id"]: n["links"] for n in page.nodes if n["role"] == "aggregate"}
    assert links["agg:external:cathode"] == [["E1", "A", None]]
    assert links["agg:local:cathode"] == [["T", "L2", None]]


def test_cap_rule_without_output_values() -> None:
    """No firm has an output value: the page says it ranks by supply links, never "by output"."""
    G = hand_graph()
    for f in ("A", "L1", "L2", "E1", "T", "P"):
        G.nodes[f]["output_value"] = None
    page = page_data(G, anchor="A", max_nodes=2, lang="en")
    assert "number of supply links" in page.notices[0] and "by output" not in " ".join(page.notices)


def test_cap_message_in_page(tmp_path: Path) -> None:
    out = tmp_path / "cap.html"
    page = write_html(synthetic_graph(600), out, anchor="f0", depth=8, max_nodes=250, lang="zh")
    assert page.firm_count == 250 and page.total_firms == 600
    assert sum(n.get("count", 0) for n in page.nodes) == 350
    text = out.read_text(encoding="utf-8")
    assert "共 600 家企业；单独显示 250 家（上限 250）" in text
    assert page.physics is False


@pytest.mark.parametrize("n", [1, 50, 2000])
def test_node_counts(n: int) -> None:
    page = page_data(synthetic_graph(n), anchor="f0", depth=8, max_nodes=5000)
    firm_nodes = [x for x in page.nodes if x["role"] in ("anchor", "local", "external", "target")]
    assert len(firm_nodes) == n == page.firm_count
    assert page.physics is False  # the layout is computed; physics would push labels into each other
    assert len({(x["x"], x["y"]) for x in page.nodes}) == len(page.nodes)  # no two nodes on one spot


def test_long_name_is_cut() -> None:
    """A 1,000-character name is cut to the display length on the drawing, whole in the panel."""
    G = hand_graph()
    G.nodes["L2"]["name"] = "长" * 1000
    page = page_data(G, anchor="A", targets=HAND_TARGETS)
    node = next(n for n in page.nodes if n["id"] == "L2")
    assert node["label"] == "长" * 11 + "…" and len(node["full"]) == 1000
    assert page.panel["L2"]["title"].startswith("长" * 1000)


def test_search_keys() -> None:
    """Each node carries its folded id and names; the page carries the traditional forms of its characters."""
    G = hand_graph()
    G.nodes["A"].update(name="兰钧新能源科技有限公司", name_en="Lanjun New Energy")
    page = page_data(G, anchor="A", targets=HAND_TARGETS)
    node = next(n for n in page.nodes if n["id"] == "A")
    assert node["key"] == "a|兰钧新能源科技有限公司|lanjunnewenergy"
    assert page.extra["fold"]["蘭"] == "兰" and page.extra["fold"]["鈞"] == "钧"


def test_chain_map(tmp_path: Path) -> None:
    """Bands by stage; in a band, feed order (ore feeds cathode; separator is a side input of cell)."""
    G = hand_graph()
    out = tmp_path / "map.html"
    page = write_chain_map(G, out, targets=HAND_TARGETS, status={"cathode": "weak"}, date="2024-05-01")
    status = {k: v["statusKey"] for k, v in page.panel.items()}
    assert status == {"ore": "missing", "cathode": "weak", "separator": "missing", "cell": "covered",
                      "pack": "missing"}
    assert page.extra["chains"][0]["bands"] == {"upstream": ["ore", "cathode", "separator"],
                                               "midstream": ["cell"], "downstream": ["pack"]}
    sections = dict((k, v) for k, v in page.panel["separator"]["sections"])
    assert sections["推荐招商目标"][0].startswith("上海隔膜 (上海市) · 评分 0.8")
    assert [line.split(" — ")[0] for line in page.panel["cathode"]["sections"][0][1]] == [XSS, "本地正极二"]
    boxes = {n["id"]: n for n in page.nodes}
    assert (boxes["cell"]["name"], boxes["cell"]["count"], boxes["cell"]["firms"]) == (
        "cell段", "本地 0 家 · 链主 1 家", [["锚点电芯", True]])
    text = out.read_text(encoding="utf-8")
    assert "<img" not in text and "产业链图谱" in text and XSS not in text


def test_chain_map_limited_to_chains() -> None:
    G = hand_graph()
    G.add_node("ic", kind="chain", name="集成电路")
    G.add_node("wafer", kind="segment", name="晶圆", chain="ic", stage="midstream")
    assert {n["id"] for n in chain_map_data(G, chains=["ic"]).nodes} == {"wafer"}
    assert len(chain_map_data(G).nodes) == 6


def test_chain_map_takes_region_gap_report() -> None:
    from chaingraph.analyses.gaps import find_region_gaps

    G = hand_graph()
    report = find_region_gaps(G, ["A"], region="js", depth=1)
    page = chain_map_data(G, status=report)
    assert page.panel["separator"]["statusKey"] == "missing"
    assert page.panel["cell"]["statusKey"] == "covered"
    # The gap per anchor: separator is one FEEDS step upstream of A's segment.
    assert dict(page.panel["separator"]["sections"])["各链主的缺口"] == ["锚点电芯: 缺失 · 上游 1"]


def test_chain_map_english_labels() -> None:
    """The segment box in English: name, local count, anchors; band headings Upstream/Midstream/Downstream."""
    page = chain_map_data(hand_graph(), lang="en", date="2024-05-01")
    boxes = {n["id"]: n for n in page.nodes}
    assert (boxes["cell"]["name"], boxes["cell"]["count"], boxes["cell"]["firms"]) == (
        "cell", "local firms: 0 · anchors: 1", [["A Co", True]])
    assert page.panel["cell"]["sub"] == "Lithium battery · Midstream · status: covered"
    assert page.extra["stages"] == [["upstream", "Upstream"], ["midstream", "Midstream"],
                                    ["downstream", "Downstream"]]
    assert page.subtitle == "Hand <b>graph</b> · chain map · region: JS · generated 2024-05-01"


def test_page_labels_in_both_languages() -> None:
    """Every page label (``page.*`` in i18n.TEXT) exists in zh and en with the same placeholders."""
    from string import Formatter

    from chaingraph.i18n import TEXT

    def fields(s: str) -> set[str]:
        return {f for _, f, _, _ in Formatter().parse(s) if f}

    zh = {k: v for k, v in TEXT["zh"].items() if k.startswith("page.")}
    en = {k: v for k, v in TEXT["en"].items() if k.startswith("page.")}
    assert zh.keys() == en.keys() and "page.legend" in zh
    assert {k: fields(v) for k, v in zh.items()} == {k: fields(v) for k, v in en.items()}


def test_templates_are_package_data(hand_page: Path) -> None:
    """Each file in exports/templates is listed in setup.cfg's package_data, and the page inlines them."""
    import configparser
    import fnmatch
    from importlib import resources

    cfg = configparser.ConfigParser()
    cfg.read(Path(__file__).parent.parent / "setup.cfg", encoding="utf-8")
    patterns = [p.strip() for p in cfg["options.package_data"]["chaingraph.exports.templates"].split(",")]
    assert "chaingraph.exports.templates" in cfg["options"]["packages"].split()
    folder = resources.files("chaingraph.exports.templates")
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.endswith((".py", ".pyc")))
    assert names == ["page.css", "page.html", "page.js", "poster.css", "poster.html", "poster.js"]
    assert all(any(fnmatch.fnmatch(n, p) for p in patterns) for n in names)
    text = hand_page.read_text(encoding="utf-8")
    for name in ("page.css", "page.js"):
        assert folder.joinpath(name).read_text(encoding="utf-8") in text
    assert "{" not in text[:text.index("<style>")]  # every placeholder of the skeleton was filled


def test_unnamed_node_shows_its_id() -> None:
    """model.display_name's rule: the language's name, the other one, then the id (never a blank)."""
    G = hand_graph()
    G.nodes["L2"].update(name="", name_en=None)
    page = page_data(G, anchor="A", targets=HAND_TARGETS, lang="en")
    tips = {(e["from"], e["to"]): e["tip"] for e in page.edges}
    assert tips[("T", "L2")][0] == "T Co → L2"
    panel = chain_map_data(G, lang="en").panel
    assert [f.split(" — ")[0] for f in panel["cathode"]["sections"][0][1]] == ["L1 Co", "L2"]


def test_firm_map(tmp_path: Path) -> None:
    """Firms by coordinates: own ones filled, by region hollow; a line from the target to its anchor."""
    from chaingraph.exports.firm_map import write_firm_map

    G = hand_graph()
    for r, lat, lon in [("js", 30.84, 120.92), ("dy", 30.79, 120.95), ("sh", 31.23, 121.47)]:
        G.nodes[r].update(lat=lat, lon=lon)
    G.nodes["A"].update(lat=30.86, lon=120.94)
    page = write_firm_map(G, tmp_path / "m.html", targets=HAND_TARGETS, lang="en")
    nodes = {n["id"]: n for n in page.nodes}
    assert set(nodes) == {"A", "L1", "L2", "T"}  # local firms, the anchor and the target
    assert {k: (n["role"], n["color"]["background"] == "#ffffff") for k, n in nodes.items()} == {
        "A": ("anchor", False), "L1": ("local", True), "L2": ("local", True), "T": ("target", True)}
    assert nodes["A"]["y"] < nodes["L1"]["y"]  # north is up: A (30.86) above L1 (Dayun, 30.79)
    assert [(e["from"], e["to"]) for e in page.edges] == [("T", "A")]
    assert page.extra["basemap"]["circles"][0][:3] == [0.0, 0.0, 30.0]  # the home county at the origin
    assert not LOADED_URL.search((tmp_path / "m.html").read_text(encoding="utf-8"))


def test_cli_chain_and_map(tmp_path: Path) -> None:
    """``html --chain-map --chain NAME`` keeps that chain; ``--map`` writes the firm map; an unknown chain is exit 1."""
    from click.testing import CliRunner

    from chaingraph.cli import cli

    data = Path(__file__).parent.parent / "datasets" / "jiashan"
    run = CliRunner().invoke(cli, ["html", str(data), "--chain-map", "--chain", "锂电池(新能源)产业链", "--chain",
                                   "chain-ic", "-o", str(tmp_path / "c.html"), "--lang", "en"],
                             catch_exceptions=False)
    assert run.exit_code == 0, run.output
    chains = [c["id"] for c in page_json(tmp_path / "c.html")["chains"]]
    assert sorted(chains) == ["chain-ic", "chain-li"]
    run = CliRunner().invoke(cli, ["html", str(data), "--map", "-o", str(tmp_path / "m.html"), "--lang", "en"],
                             catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert page_json(tmp_path / "m.html")["kind"] == "map"
    run = CliRunner().invoke(cli, ["html", str(data), "--chain-map", "--chain", "nope", "-o", str(tmp_path / "x.html"),
                                   "--lang", "en"])
    assert run.exit_code == 1 and "no chain with id or name 'nope'" in run.output
    assert not (tmp_path / "x.html").exists()
