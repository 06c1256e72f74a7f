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

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_export_html import HAND_TARGETS, XSS, XSS_REASON, hand_graph, synthetic_graph  # noqa: E402

from chaingraph.exports.html import write_chain_map, write_html  # noqa: E402

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
        var n = window.chaingraph.network; n.focus(arguments[0], {scale: 1.2, animation: false});
        var p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]); return [p.x, p.y];""", node)
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
        var n = window.chaingraph.network;
        n.focus(arguments[0], {scale: Math.max(n.getScale(), 0.6), animation: false});
        var p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]); return [p.x, p.y];""", node)
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
    tip = hover(driver, "L1")
    assert XSS in tip
    tip = hover(driver, "T")
    assert XSS_REASON in tip
    panel = click(driver, "L1")
    assert XSS in panel
    assert driver.execute_script("return document.querySelectorAll('img, #cg-panel script').length") == 0
    assert driver.execute_script("return window.__alerts") == []


@pytest.mark.browser
def test_chain_map_offline_and_clickable(driver: Any, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    page = write_chain_map(hand_graph(), out, targets=HAND_TARGETS)
    info = load(driver, out)
    _clean(info)
    assert info["nodes"] == info["drawn"] == len(page.nodes)
    panel = click(driver, "cathode")
    assert XSS in panel and "本地正极二" in panel
    panel = click(driver, "separator")
    assert "上海隔膜" in panel and XSS_REASON in panel
    assert driver.execute_script("return window.__alerts") == []


@pytest.mark.browser
def test_big_page_draws_fast_without_physics(driver: Any, tmp_path: Path) -> None:
    out = tmp_path / "big.html"
    page = write_html(synthetic_graph(2000), out, anchor="f0", depth=8, max_nodes=2000)
    info = load(driver, out, timeout=60)
    _clean(info)
    assert not info["physics"] and info["drawn"] == len(page.nodes)
    assert info["wall_s"] < 30


@pytest.mark.browser
def test_small_page_with_physics_settles(driver: Any, tmp_path: Path) -> None:
    out = tmp_path / "small.html"
    page = write_html(synthetic_graph(200), out, anchor="f0", depth=8)
    assert page.physics
    info = load(driver, out, timeout=60)
    _clean(info)
    assert info["drawn"] == len(page.nodes) and not info["physics"]  # switched off once stable



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
                          f"{Path(__file__).resolve()}::test_chain_map_offline_and_clickable"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SKIPPED [1]" in run.stdout and f"no {tmp_path / 'no-chromedriver'}" in run.stdout, run.stdout

# --- screenshots and timings (python tests/test_browser.py ...) ---------------------------------


def _demo_source(args: list[str]) -> str:
    if args:
        return args[0]
    jiashan = ROOT / "datasets" / "jiashan"
    return str(jiashan if (jiashan / "dataset.toml").exists() else ROOT / "tests" / "data" / "tiny")


def screenshots(source: str, out_dir: Path = ROOT / "docs") -> None:  # noqa: C901
    from chaingraph.jobs import html_report
    from chaingraph.stores import open_store

    store = open_store(source)
    region = store.metadata()["home_region"]
    anchor = store.anchors(region)[0]
    tmp = Path(tempfile.mkdtemp(prefix="chaingraph-shots-"))
    firm = html_report(store, anchor=anchor, out=tmp / "firm.html", depth=2, targets=10)
    cmap = html_report(store, out=tmp / "map.html", chain_map=True, targets=10)
    with chromium((1600, 1000)) as d:
        for page, name in ((firm, "html-firm-graph.png"), (cmap, "html-chain-map.png")):
            assert page.path is not None
            info = load(d, page.path)
            time.sleep(0.5)
            if page.kind == "firm":
                best = next((n["id"] for n in page.nodes if n.get("role") == "target"), anchor)
            else:
                best = next((k for k, v in page.panel.items() if v["targets"]), next(iter(page.panel)))
            click(d, best)
            d.execute_script("var n = window.chaingraph.network; n.unselectAll(); n.fit({animation: false})")
            park_mouse(d)
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
    pages.append(("synthetic 5,000 firms", write_html(synthetic_graph(5000), out, anchor="f0", depth=8,
                                                      max_nodes=5000), time.perf_counter() - t0))
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
