"""The built site in a real, headless Chromium (Debian's chromium + chromedriver).

`.ci/run` installs the browser when it is missing; elsewhere these tests are skipped
when it is absent. Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from sokkit.validate import load_catalog
from sokkit.site import build_site

from conftest import CATALOG, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = ROOT / "test-artifacts" / "browser"

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed")

HOSTILE = """\
# yaml-language-server: $schema=../../schema/paper.schema.json
title: "Hostile <img src=x onerror=\\"window.__pwned=1\\"> </title><script>window.__pwned=2</script>"
authors: ["<script>window.__pwned=3</script>"]
year: 2024
ids:
  arxiv: "2412.99991"
roles: [method]
intention: suppression
technique: [in-context]
summary: "[click](javascript:window.__pwned=4) {: onclick=\\"window.__pwned=5\\"} <svg onload=window.__pwned=6>"
rationale: "<iframe src=javascript:window.__pwned=7></iframe>"
review:
  status: reviewed
  checked: [arxiv-abstract]
"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    catalog_dir = root / "catalog"
    shutil.copytree(CATALOG, catalog_dir)
    (catalog_dir / "papers" / "hostile-2024-entry.yaml").write_text(HOSTILE, encoding="utf-8")
    catalog, problems = load_catalog(catalog_dir)
    assert [p for p in problems if p.severity == "error"] == []
    site = root / "site"
    build_site(catalog, site, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait(browser, condition, timeout=30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def shot(browser, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def assert_inert(browser):
    from selenium.common.exceptions import NoAlertPresentException

    assert browser.execute_script("return window.__pwned === undefined"), "hostile script ran"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018


def test_graph_renders_every_node(browser, site_url):
    browser.get(site_url + "graph/")
    wait(browser, lambda b: b.execute_script("return document.getElementById('sokkit-graph').dataset.ready === 'true'"))
    nodes = browser.execute_script("return window.sokkitGraph.nodes().length")
    papers = len(load_catalog(CATALOG)[0].papers) + 1
    assert nodes >= papers
    rendered = browser.execute_script("return window.sokkitGraph.nodes().filter(n => n.renderedPosition().x > 0).length")
    assert rendered > 0
    # filtering by relation type hides edges
    browser.execute_script("document.querySelector(\"input[data-relation='evaluates_on']\").click()")
    hidden = browser.execute_script("return window.sokkitGraph.edges().filter(e => e.style('display') === 'none').length")
    assert hidden > 0
    shot(browser, "graph")
    assert_inert(browser)


def test_filter_narrows_the_papers_table(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(site_url + "papers/")
    table = wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "table[data-sokkit-table]"))
    visible = lambda: [r for r in table.find_elements(By.CSS_SELECTOR, "tbody tr") if r.is_displayed()]  # noqa: E731
    total = len(visible())
    select = Select(browser.find_element(By.CSS_SELECTOR, "select[aria-label='Filter by Intention']"))
    select.select_by_visible_text("Suppression")
    rows = visible()
    assert 0 < len(rows) < total
    assert all(r.find_elements(By.TAG_NAME, "td")[2].text == "Suppression" for r in rows)
    box = browser.find_element(By.CSS_SELECTOR, "input.sokkit-filter-text")
    box.send_keys("in-context unlearning")
    assert 0 < len(visible()) < len(rows)
    shot(browser, "papers-filtered")
    assert_inert(browser)


def test_search_finds_a_paper_offline(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url)
    browser.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    field = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    field.send_keys("Negative Preference Optimization")
    result = wait(browser, lambda b: [e for e in b.find_elements(By.CSS_SELECTOR, ".md-search-result__item")
                                      if "Negative Preference Optimization" in e.text])
    assert result
    shot(browser, "search")


def test_paper_page_shows_bibtex(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "papers/zhang-2024-npo/")
    code = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, "pre code"))
    assert "zhang2024negative" in code and "eprint = {2404.05868}" in code
    shot(browser, "paper-page")


def test_hostile_entry_executes_nothing(browser, site_url):
    from selenium.webdriver.common.by import By

    for path in ("papers/hostile-2024-entry/", "papers/", "", "taxonomy/technique/in-context/", "compare/in-context/"):
        browser.get(site_url + path)
        assert_inert(browser)
        assert browser.find_elements(By.CSS_SELECTOR, "img[src='x'], iframe, svg[onload]") == []
    browser.get(site_url + "papers/hostile-2024-entry/")
    assert "Hostile <img src=x" in browser.find_element(By.TAG_NAME, "h1").text
    shot(browser, "hostile-entry")


def test_pages_load_nothing_from_the_network(browser, site_url):
    for path in ("", "graph/", "papers/", "papers/li-2024-wmdp/", "timeline/"):
        browser.get(site_url + path)
        urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        outside = [u for u in urls if not u.startswith(site_url)]
        assert outside == [], f"{path or 'home'} requested {outside}"
