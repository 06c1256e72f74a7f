"""The HTML pages in headless Chromium with the network off.

Needs Chromium and its chromedriver (Debian's ``chromium`` and
``chromium-driver``) and the ``selenium`` package. Without them the tests
skip and say why (``-rs`` in setup.cfg prints every skip reason), except in
CI (``CI`` set to anything but ``0``/``false``/``no``), where they fail.
Selenium is pointed at an explicit chromedriver and told to stay offline, so
selenium-manager never downloads a driver.

Why they once skipped silently: pytest prints only ``4 skipped`` unless asked
for reasons (``-rs``), and the check looked only at /usr/bin/chromium and
/usr/bin/chromedriver, so a machine with Chromium elsewhere on PATH, or a
Python without selenium, skipped them without a word.

Run as a script to rewrite the screenshots under docs/ or to time big pages::

    python tests/test_browser.py screenshots [DATASET]   # default datasets/jiashan, else tests/data/tiny
    python tests/test_browser.py measure [DATASET ...]
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_export_html import HAND_TARGETS, XSS, XSS_REASON, hand_graph, synthetic_graph  # noqa: E402

from chaingraph.exports.html import write_html  # noqa: E402
from chaingraph.exports.poster import write_chain_map  # noqa: E402
from chaingraph.model import new_graph  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _binary(env: str, names: tuple[str, ...]) -> Path:
    """``$env`` if set, else /usr/bin/NAME or NAME on PATH, for the first name found."""
    if os.environ.get(env):
        return Path(os.environ[env])
    for name in names:
        found = Path("/usr/bin") / name if (Path("/usr/bin") / name).exists() else shutil.which(name)
        if found:
            return Path(found)
    return Path("/usr/bin") / names[0]


CHROMIUM = _binary("CHAINGRAPH_CHROMIUM", ("chromium", "chromium-browser"))
CHROMEDRIVER = _binary("CHAINGRAPH_CHROMEDRIVER", ("chromedriver",))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         # A proxy that does not exist: even if the offline emulation failed, nothing could be fetched.
         "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
         "--window-size=1400,900", "--lang=zh-CN"]
# Records alerts instead of showing them, so a page that called alert() is caught, not blocked.
ALERT_SPY = "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"


def _missing() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    absent = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if absent:
        return (f"no {' and no '.join(absent)}: apt-get install chromium chromium-driver, or point "
                f"CHAINGRAPH_CHROMIUM / CHAINGRAPH_CHROMEDRIVER at them")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return f"no selenium in {sys.executable}: pip install -e '.[test]'"
    return None


def _in_ci() -> bool:
    """Whether ``CI`` says this is a CI run (CI services set ``CI=true``; ``CI=false`` is not one)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@contextmanager
def chromium(window: tuple[int, int] = (1400, 900)) -> Iterator[Any]:
    """A headless Chromium driven by Selenium, offline, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # selenium-manager must not go looking for (or download) a driver or a browser.
    os.environ["SE_OFFLINE"] = "true"
    os.environ["SE_AVOID_STATS"] = "true"
    profile = tempfile.mkdtemp(prefix="chaingraph-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--window-size={window[0]},{window[1]}")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                               {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ALERT_SPY})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def load(driver: Any, path: Path, *, timeout: float = 120.0) -> dict[str, Any]:
    """Open ``path``, wait until the network has drawn, and return what the page reports."""
    driver.get_log("browser")  # drop earlier messages
    driver.get_log("performance")
    t0 = time.perf_counter()
    driver.get(path.resolve().as_uri())
    while True:
        ready = driver.execute_script("return !!(window.chaingraph && window.chaingraph.ready)")
        if ready:
            break
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"{path} did not draw within {timeout} s")
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    info = driver.execute_script("""
        var s = window.chaingraph;
        if (!s.network) {  // the chain-map poster: HTML boxes, no vis-network
            return {nodes: s.segments.size, drawn: document.querySelectorAll('.seg').length, edges: 0,
                    readyAt: s.readyAt, drawnMs: s.drawnMs, physics: false, alerts: window.__alerts,
                    imgs: document.querySelectorAll('img').length};
        }
        return {nodes: s.nodes.length, drawn: s.network.body.nodeIndices.length,
                edges: s.edges.length, readyAt: s.readyAt, drawnMs: s.drawnMs,
                physics: !!s.network.physics.options.enabled, alerts: window.__alerts,
                imgs: document.querySelectorAll('img').length};""")
    info["wall_s"] = round(wall, 2)
    info["errors"] = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    info["requests"] = _requests(driver)
    return info


def _requests(driver: Any) -> list[str]:
    import json

    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return [u for u in urls if not u.startswith(("file:", "data:", "about:"))]


def hover(driver: Any, node: str) -> str:
    """Move the mouse onto ``node`` and return the tooltip's text."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    x, y = driver.execute_script("""
        var s = window.chaingraph, n = s.network, v = s.visId(arguments[0]);
        n.focus(v, {scale: 1.2, animation: false});
        var p = n.canvasToDOM(n.getPosition(v)); return [p.x, p.y];""", node)
    canvas = driver.find_element(By.CSS_SELECTOR, "#cg-graph canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                     int(y - size["height"] / 2)).perform()
    ActionChains(driver).move_by_offset(1, 1).perform()
    for _ in range(60):
        text = driver.execute_script("""
            var t = document.querySelector('div.vis-tooltip');
            return t && t.style.visibility !== 'hidden' ? t.textContent : '';""")
        if text:
            return str(text)
        time.sleep(0.05)
    return ""


def park_mouse(driver: Any) -> None:
    """Move the mouse to the graph's top-left corner, off every node, and let tooltips close."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = driver.find_element(By.CSS_SELECTOR, "#cg-graph canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(canvas, 5 - size["width"] // 2, 5 - size["height"] // 2
                                                     ).perform()
    time.sleep(0.3)


def click(driver: Any, node: str) -> str:
    """Click ``node`` and return the text of the side panel."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = driver.find_element(By.CSS_SELECTOR, "#cg-graph canvas")
    size = canvas.size
    park_mouse(driver)  # so an open tooltip cannot cover the node we click
    x, y = driver.execute_script("""
        var s = window.chaingraph, n = s.network, v = s.visId(arguments[0]);
        n.focus(v, {scale: Math.max(n.getScale(), 0.6), animation: false});
        var p = n.canvasToDOM(n.getPosition(v)); return [p.x, p.y];""", node)
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                     int(y - size["height"] / 2)).click().perform()
    return str(driver.execute_script("return document.getElementById('cg-panel').textContent"))


def _require_browser() -> None:
    """Return when the browser tests can run; else skip with the reason, or fail in CI."""
    reason = _missing()
    if reason:
        if _in_ci():
            pytest.fail(f"browser tests must run in CI (CI={os.environ['CI']}): {reason}")
        pytest.skip(f"browser tests need Chromium: {reason} (with CI=true this fails instead)")


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    _require_browser()
    with chromium() as d:
        yield d


def _clean(info: dict[str, Any]) -> None:
    assert info["errors"] == [], info["errors"]
    assert info["requests"] == [], info["requests"]
    assert info["alerts"] == [] and info["imgs"] == 0


@pytest.mark.browser
def test_firm_graph_offline_and_escaped(driver: Any, tmp_path: Path) -> None:
    out = tmp_path / "firm.html"
    page = write_html(hand_graph(), out, anchor="A", gaps=["separator", "ore"], targets=HAND_TARGETS)
    info = load(driver, out)
    _clean(info)
    assert info["nodes"] == info["drawn"] == len(page.nodes)
    assert info["edges"] == len(page.edges)
    assert XSS in hover(driver, "L1")
    panel = click(driver, "T")
    assert XSS_REASON in panel and "补链" in panel  # a target's reasons and score in the panel
    panel = click(driver, "L1")
    assert XSS in panel
    assert driver.execute_script("return document.querySelectorAll('img, #cg-panel script').length") == 0
    assert driver.execute_script("return window.__alerts") == []


def _boxes_apart(boxes: list[list[float]]) -> bool:
    return not any(a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
                   for i, a in enumerate(boxes) for b in boxes[i + 1:])


FIT_CHECK = """
    var s = window.chaingraph, n = s.network, c = document.getElementById('cg-graph');
    var W = c.clientWidth, H = c.clientHeight, out = [];
    s.nodes.forEach(function (x) {
        if (x.hidden) { return; }
        var b = n.getBoundingBox(x.id), p = n.canvasToDOM({x: b.left, y: b.top}), q = n.canvasToDOM({x: b.right, y: b.bottom});
        if (p.x < -1 || p.y < -1 || q.x > W + 1 || q.y > H + 1) { out.push(s.realId(x.id)); }
    });
    var cut = s.labelBoxes.filter(function (b) { return b[0] < 0 || b[1] < 0 || b[2] > W || b[3] > H; });
    return {outside: out, scale: n.getScale(), labels: s.labelBoxes, labelled: s.labelled, fonts: s.labelPx,
            cut: cut.length};"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_firm_graph_fits_and_labels_apart(driver: Any, tmp_path: Path, lang: str) -> None:
    """At the fitted zoom: every node inside the viewport, labels apart, each 12 px or more, the anchor labelled."""
    out = tmp_path / "big.html"
    write_html(synthetic_graph(400, segments=8), out, anchor="f0", depth=8, max_nodes=400, lang=lang)  # type: ignore[arg-type]
    _clean(load(driver, out))
    fit = driver.execute_script(FIT_CHECK)
    assert fit["outside"] == [] and fit["cut"] == 0
    assert _boxes_apart(fit["labels"]) and len(fit["labels"]) >= 8
    assert "f0" in fit["labelled"] and min(fit["fonts"]) >= 11.99
    # Zoomed in, names that had no room at the fitted zoom show, still apart.
    more = driver.execute_script("""var s = window.chaingraph; s.network.moveTo({scale: s.network.getScale() * 4});
        s.declutter(); return [s.labelled, s.labelBoxes];""")
    assert set(more[0]) - set(fit["labelled"]) and _boxes_apart(more[1])


@pytest.mark.browser
def test_long_name_does_not_wreck_fit(driver: Any, tmp_path: Path) -> None:
    """One 1,000-character name: the fitted zoom stays what it is without it (it was 0.066 before)."""
    scales = []
    for name in ("本地正极二", "长" * 1000):
        G = hand_graph()
        G.nodes["L2"]["name"] = name
        out = tmp_path / "long.html"
        write_html(G, out, anchor="A", gaps=["separator", "ore"], targets=HAND_TARGETS)
        _clean(load(driver, out))
        fit = driver.execute_script(FIT_CHECK)
        assert fit["outside"] == []
        scales.append(fit["scale"])
    assert scales[1] > 0.8 * scales[0] and scales[1] > 0.3, scales
    assert "长" * 1000 in click(driver, "L2")


@pytest.mark.browser
def test_prototype_ids_in_the_panel(driver: Any, tmp_path: Path) -> None:
    """Firm ids __proto__, constructor and toString are firms like any other: drawn, clickable, found."""
    G = nx.relabel_nodes(hand_graph(), {"L1": "__proto__", "L2": "constructor", "E1": "toString"})
    G.nodes["__proto__"]["name"] = "原型企业"
    out = tmp_path / "proto.html"
    page = write_html(G, out, anchor="A", gaps=["separator"], targets=HAND_TARGETS)
    info = load(driver, out)
    _clean(info)
    assert info["drawn"] == len(page.nodes)
    assert "原型企业" in click(driver, "__proto__")
    assert "id: constructor" in click(driver, "constructor")
    assert "id: toString" in click(driver, "toString")
    assert driver.execute_script("return window.chaingraph.search('__proto__')")[0] == "__proto__"
    assert driver.execute_script("return window.chaingraph.search('hasOwnProperty')") == []


def _jiashan_pages(tmp: Path) -> dict[str, Path]:
    from chaingraph.jobs import html_report
    from chaingraph.stores import open_store

    store = open_store(str(ROOT / "datasets" / "jiashan"))
    try:
        return {kind: html_report(store, anchor="lanjun" if kind == "firm" else None, out=tmp / f"{kind}.html",
                                  chain_map=kind == "chain", firm_map=kind == "map", date="2024-05-01").path
                for kind in ("firm", "map", "chain")}
    finally:
        store.close()


@pytest.fixture(scope="module")
def jiashan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _jiashan_pages(tmp_path_factory.mktemp("jiashan"))


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["firm", "map"])
def test_search_traditional_and_id(driver: Any, jiashan: dict[str, Path], kind: str) -> None:
    """兰钧 is found by 蘭鈞 (traditional), by lanjun (its id) and by ＬＡＮＪＵＮ (full width)."""
    _clean(load(driver, jiashan[kind]))
    for query in ("蘭鈞", "lanjun", "ＬＡＮＪＵＮ", "兰钧"):
        assert driver.execute_script("return window.chaingraph.search(arguments[0])", query)[0] == "lanjun", query
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "cg-search")
    box.clear()
    box.send_keys("蘭鈞\n")
    time.sleep(0.3)
    assert "兰钧新能源科技有限公司" in driver.find_element(By.ID, "cg-panel").text
    selected = driver.execute_script("var s = window.chaingraph; return s.network.getSelectedNodes().map(s.realId)")
    assert selected == ["lanjun"]


HIDDEN = """var s = window.chaingraph, out = [];
    s.nodes.forEach(function (n) { if (n.hidden) { out.push(s.realId(n.id)); } }); return out;"""


@pytest.mark.browser
def test_filters_and_legend_hide_groups(driver: Any, jiashan: dict[str, Path]) -> None:
    """The chain filter hides the firms of the other chains; a legend click hides its role; evidence hides firms."""
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from test_export_html import page_json

    data = page_json(jiashan["firm"])
    firms_ = {n["id"]: n for n in data["nodes"] if n["role"] not in ("segment-label",)}
    _clean(load(driver, jiashan["firm"]))
    assert driver.execute_script(HIDDEN) == []
    driver.find_element(By.CSS_SELECTOR, "#cg-filters summary").click()
    Select(driver.find_element(By.CSS_SELECTOR, "select[data-filter=chain]")).select_by_value("chain-ic")
    hidden = set(driver.execute_script(HIDDEN))
    assert {k for k, n in firms_.items() if n.get("chain") != "chain-ic"} <= hidden
    assert not {k for k, n in firms_.items() if n.get("chain") == "chain-ic"} & hidden
    Select(driver.find_element(By.CSS_SELECTOR, "select[data-filter=chain]")).select_by_value("")
    assert set(driver.execute_script(HIDDEN)) & set(firms_) == set()
    driver.find_element(By.CSS_SELECTOR, '#cg-legend li[data-group="role:external"]').click()
    hidden = set(driver.execute_script(HIDDEN))
    assert hidden & set(firms_) == {k for k, n in firms_.items() if n["role"] == "external"}
    driver.find_element(By.CSS_SELECTOR, '#cg-legend li[data-group="role:external"]').click()
    driver.execute_script("var c = document.getElementById('cg-conf'); c.value = '0.95';"
                          "c.dispatchEvent(new Event('input'));")
    hidden = set(driver.execute_script(HIDDEN))
    unsure = {k for k, n in firms_.items() if n["role"] in ("local", "external")
              and not (n.get("conf") is not None and n["conf"] >= 0.95)}
    assert unsure and hidden & set(firms_) == unsure, json.dumps(sorted(hidden ^ unsure))


@pytest.mark.browser
def test_aggregate_expands(driver: Any, tmp_path: Path) -> None:
    out = tmp_path / "agg.html"
    page = write_html(synthetic_graph(600), out, anchor="f0", depth=8, max_nodes=100)
    _clean(load(driver, out))
    agg = max((n for n in page.nodes if n["role"] == "aggregate"), key=lambda n: n["count"])
    before = driver.execute_script("return window.chaingraph.nodes.length")
    click(driver, agg["id"])
    after = driver.execute_script("return window.chaingraph.nodes.length")
    assert after == before - 1 + agg["count"]
    member = agg["members"][0][0]
    assert driver.execute_script("return !!window.chaingraph.visId(arguments[0])", member)


def _poster_check(driver: Any) -> dict[str, Any]:
    return driver.execute_script("""
        var boxes = [], small = [];
        document.querySelectorAll('.seg').forEach(function (b) {
            var r = b.getBoundingClientRect(); boxes.push([r.left, r.top, r.right, r.bottom]);
            b.querySelectorAll('*').forEach(function (e) {
                if (e.textContent && parseFloat(getComputedStyle(e).fontSize) < 12) { small.push(e.textContent); }
            });
            if (parseFloat(getComputedStyle(b).fontSize) < 12) { small.push(b.textContent); }
        });
        var bands = []; document.querySelectorAll('.chain').forEach(function (c) {
            bands.push(Array.from(c.querySelectorAll('.band>h3')).map(function (h) { return h.textContent; })); });
        return {boxes: boxes, small: small, bands: bands, feeds: window.chaingraph.feedCount()};""")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chain_map_poster(driver: Any, tmp_path: Path, lang: str) -> None:
    """Every chain has its three band headings; boxes apart; box text 12 px or more; click shows the panel."""
    out = tmp_path / "map.html"
    page = write_chain_map(hand_graph(), out, targets=HAND_TARGETS, lang=lang)  # type: ignore[arg-type]
    info = load(driver, out)
    _clean(info)
    assert info["drawn"] == len(page.nodes) == 5
    got = _poster_check(driver)
    heads = ["上游", "中游", "下游"] if lang == "zh" else ["Upstream", "Midstream", "Downstream"]
    assert got["bands"] == [heads]
    assert got["small"] == [] and _boxes_apart(got["boxes"])
    assert got["feeds"] == 4  # FEEDS inside the one chain, drawn light
    driver.execute_script("window.chaingraph.select('cathode')")
    panel = driver.find_element("id", "cg-panel").text
    assert (XSS if lang == "zh" else "L1 Co") in panel
    driver.execute_script("window.chaingraph.select('separator')")
    panel = driver.find_element("id", "cg-panel").text
    assert ("上海隔膜" if lang == "zh" else "T Co") in panel and XSS_REASON in panel
    png = driver.execute_script("return window.chaingraph.toPNG(1)")
    assert png.startswith("data:image/png;base64,") and len(png) > 5000
    assert driver.execute_script("return window.__alerts") == []


def template_graph(n_segments: int, *, chains: int = 1) -> nx.MultiDiGraph:
    """A generated template: ``chains`` chains of ``n_segments`` segments each, FEEDS from each segment to
    the next two and, every 25th, into the next chain; stages by thirds; every 7th segment has a local firm."""
    G = new_graph(name="t", title="Template", home_region="home")
    G.add_node("home", kind="region", name="本县", name_en="Home")
    for c in range(chains):
        G.add_node(f"c{c}", kind="chain", name=f"产业链{c}", name_en=f"Chain {c}")
        for i in range(n_segments):
            stage = ("upstream", "midstream", "downstream")[3 * i // n_segments]
            s = f"c{c}s{i}"
            G.add_node(s, kind="segment", name=f"环节{c}-{i}号材料与设备", name_en=f"Segment {c}-{i} materials",
                       chain=f"c{c}", stage=stage)
            for j in (i + 1, i + 2):
                if j < n_segments:
                    G.add_edge(s, f"c{c}s{j}", rel="FEEDS")
            if i % 25 == 0 and c + 1 < chains:
                G.add_edge(s, f"c{c + 1}s{i}", rel="FEEDS")
            if i % 7 == 0:
                G.add_node(f"f{s}", kind="firm", name=f"企业{s}", region="home", segments=(s,), anchor=i == 0)
    return G


@pytest.mark.browser
def test_chain_map_with_300_segments_per_chain(driver: Any, tmp_path: Path) -> None:
    """A 300-segment chain still reads: 12 px text, boxes apart; --chain keeps one chain of three."""
    out = tmp_path / "big.html"
    page = write_chain_map(template_graph(300, chains=3), out, chains=["c1"])
    assert len(page.nodes) == 300
    _clean(load(driver, out))
    got = _poster_check(driver)
    assert got["bands"] == [["上游", "中游", "下游"]]
    assert got["small"] == [] and _boxes_apart(got["boxes"])
    widths = [b[2] - b[0] for b in got["boxes"]]
    assert min(widths) >= 150
    # A feed across chains shows only on hover or selection: c0s0 feeds c1s0 in the next chain.
    out = tmp_path / "two.html"
    write_chain_map(template_graph(30, chains=2), out)
    _clean(load(driver, out))
    inside = driver.execute_script("return window.chaingraph.feedCount()")
    assert inside == 2 * (29 + 28)
    driver.execute_script("window.chaingraph.select('c0s0')")
    assert driver.execute_script("return window.chaingraph.feedCount()") == inside + 1


@pytest.mark.browser
def test_big_page_draws_fast_without_physics(driver: Any, tmp_path: Path) -> None:
    out = tmp_path / "big.html"
    page = write_html(synthetic_graph(2000), out, anchor="f0", depth=8, max_nodes=2000)
    info = load(driver, out, timeout=60)
    _clean(info)
    assert not info["physics"] and info["drawn"] == len(page.nodes)
    assert info["wall_s"] < 30


@pytest.mark.browser
def test_physics_on_request_settles(driver: Any, tmp_path: Path) -> None:
    out = tmp_path / "small.html"
    page = write_html(synthetic_graph(200), out, anchor="f0", depth=8, physics=True)
    assert page.physics
    info = load(driver, out, timeout=60)
    _clean(info)
    time.sleep(1)
    assert not driver.execute_script("return window.chaingraph.network.physics.options.enabled")


@pytest.mark.browser
def test_firm_map_offline(driver: Any, jiashan: dict[str, Path]) -> None:
    info = load(driver, jiashan["map"])
    _clean(info)
    fit = driver.execute_script(FIT_CHECK)
    assert fit["outside"] == [] and _boxes_apart(fit["labels"])
    # Firms of one park sit on a small spiral round its centre: focus (as the search does), then read.
    assert driver.execute_script("return window.chaingraph.focus('lanjun')")
    assert "兰钧新能源科技有限公司" in driver.find_element("id", "cg-panel").text


@pytest.mark.browser
def test_jiashan_chain_map(driver: Any, jiashan: dict[str, Path]) -> None:
    _clean(load(driver, jiashan["chain"]))
    got = _poster_check(driver)
    assert len(got["bands"]) == 3 and all(b == ["上游", "中游", "下游"] for b in got["bands"])
    assert got["small"] == [] and _boxes_apart(got["boxes"])


@pytest.mark.browser
def test_pipeline_page_draws_every_bar(driver: Any, tmp_path: Path) -> None:
    """Each funnel and quota bar of the pipeline page is drawn as wide as its share, a reached quota in
    its own colour (that bar once had no height and did not show)."""
    from chaingraph import jobs
    from chaingraph.exports.pipeline_html import pipeline_html
    from chaingraph.stores import open_store

    report = jobs.pipeline_report(open_store(str(ROOT / "tests" / "data" / "pipeline")), as_of="2023-12-31")
    out = tmp_path / "pipeline.html"
    out.write_text(pipeline_html(report, lang="en"), encoding="utf-8")
    driver.get(out.resolve().as_uri())
    bars = driver.execute_script("""return [...document.querySelectorAll('.bar')].map(b => {
        const f = b.firstElementChild.getBoundingClientRect(), o = b.getBoundingClientRect();
        return [f.width / o.width, f.height, b.firstElementChild.className]; });""")
    shares = [n / max(c.values()) for c in report.funnel.values() for n in c.values()]
    shares += [min(1.0, q.reached / q.target) for q in report.quotas if q.reached is not None]
    assert len(bars) == len(shares) and any(css == "done" for _, _, css in bars)
    for (width, height, css), share in zip(bars, shares):
        assert abs(width - share) < 0.01 and height >= 10, (width, height, css, share)


# --- skip or fail: these need no browser, so they run in the fast suite too ----------------------


@pytest.mark.parametrize("ci, outcome", [(None, "skip"), ("false", "skip"), ("0", "skip"),
                                         ("true", "fail"), ("1", "fail")])
def test_missing_browser_skips_with_reason_or_fails_in_ci(
    ci: str | None, outcome: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CHROMEDRIVER", tmp_path / "no-chromedriver")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected, match=r"no .*no-chromedriver: apt-get install chromium chromium-driver"):
        _require_browser()


@pytest.mark.browser  # a second pytest process costs seconds: run it with the browser tests
def test_skip_reason_is_printed(tmp_path: Path) -> None:
    """A plain pytest run (setup.cfg's options, no -r flag given) prints why a browser test skipped."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["CHAINGRAPH_CHROMEDRIVER"] = str(tmp_path / "no-chromedriver")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q",
                          f"{Path(__file__).resolve()}::test_firm_graph_offline_and_escaped"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SKIPPED [1]" in run.stdout and f"no {tmp_path / 'no-chromedriver'}" in run.stdout, run.stdout

# --- screenshots and timings (python tests/test_browser.py ...) ---------------------------------


def _demo_source(args: list[str]) -> str:
    if args:
        return args[0]
    jiashan = ROOT / "datasets" / "jiashan"
    return str(jiashan if (jiashan / "dataset.toml").exists() else ROOT / "tests" / "data" / "tiny")


def screenshots(source: str, out_dir: Path = ROOT / "docs") -> None:
    """Write docs/html-firm-graph.png, html-chain-map.png and html-firm-map.png from ``source`` (1400x900)."""
    from chaingraph.jobs import html_report
    from chaingraph.stores import open_store

    store = open_store(source)
    region = store.metadata()["home_region"]
    anchor = store.anchors(region)[0]
    tmp = Path(tempfile.mkdtemp(prefix="chaingraph-shots-"))
    pages = {"html-firm-graph.png": html_report(store, anchor=anchor, out=tmp / "firm.html", depth=2, targets=10),
             "html-chain-map.png": html_report(store, out=tmp / "map.html", chain_map=True, targets=10),
             "html-firm-map.png": html_report(store, out=tmp / "fmap.html", firm_map=True, targets=10)}
    with chromium((1400, 900)) as d:
        for name, page in pages.items():
            assert page.path is not None
            info = load(d, page.path)
            if page.kind == "chain":
                best = next((k for k, v in page.panel.items() if v["sections"][2][1]), next(iter(page.panel)))
                d.execute_script("window.chaingraph.select(arguments[0])", best)
            elif page.kind == "firm":
                best = next((n["id"] for n in page.nodes if n.get("role") == "target"), anchor)
                click(d, best)
                d.execute_script("var s = window.chaingraph; s.network.unselectAll(); s.fit();"
                                 "s.network.selectNodes([s.visId(arguments[0])])", best)
                park_mouse(d)
            else:
                # The home county and its parks: about 0.6 degrees across the view.
                d.execute_script("var s = window.chaingraph; s.focus(arguments[0]);"
                                 "s.network.moveTo({scale: 1.2, animation: false}); s.relayout()", anchor)
                park_mouse(d)
            time.sleep(0.5)
            d.save_screenshot(str(out_dir / name))
            print(name, {k: info[k] for k in ("nodes", "edges", "wall_s", "readyAt", "errors")})
    shutil.rmtree(tmp, ignore_errors=True)


def measure(sources: list[str]) -> None:
    from chaingraph.jobs import html_report
    from chaingraph.stores import open_store

    tmp = Path(tempfile.mkdtemp(prefix="chaingraph-measure-"))
    pages = []
    for i, source in enumerate(sources):
        store = open_store(source)
        region = store.metadata()["home_region"]
        anchor = store.anchors(region)[0]
        t0 = time.perf_counter()
        pages.append((f"{source} firm graph", html_report(store, anchor=anchor, out=tmp / f"f{i}.html",
                                                          max_nodes=5000), time.perf_counter() - t0))
        t0 = time.perf_counter()
        pages.append((f"{source} chain map", html_report(store, out=tmp / f"m{i}.html", chain_map=True),
                      time.perf_counter() - t0))
        store.close()
    t0 = time.perf_counter()
    out = tmp / "synthetic.html"
    pages.append(("synthetic 20,000 firms, aggregated above 2,000",
                  write_html(synthetic_graph(20000), out, anchor="f0", depth=8, max_nodes=2000),
                  time.perf_counter() - t0))
    with chromium() as d:
        for label, page, build in pages:
            assert page.path is not None
            info = load(d, page.path, timeout=300)
            size = page.path.stat().st_size / 1e6
            print(f"{label}: {len(page.nodes)} nodes, {len(page.edges)} edges, {size:.1f} MB, "
                  f"build {build:.2f} s, drawn at {info['readyAt'] / 1000:.2f} s after navigation "
                  f"(wall {info['wall_s']} s), physics {page.physics}, errors {len(info['errors'])}, "
                  f"requests {len(info['requests'])}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    cmd, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("screenshots", [])
    if cmd == "screenshots":
        screenshots(_demo_source(rest))
    elif cmd == "measure":
        measure(rest or [_demo_source([])])
    else:
        sys.exit(f"usage: {sys.argv[0]} screenshots [DATASET] | measure [DATASET ...]")
