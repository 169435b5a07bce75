"""The built site in a real, headless Chromium (Debian's chromium + chromedriver).

`.ci/run` installs the browser when it is missing; elsewhere these tests are skipped
when it is absent. Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from sokkit.validate import load_catalog

from conftest import CATALOG, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = ROOT / "test-artifacts" / "browser"

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed")


@pytest.fixture(scope="module")
def site_url(shipped_site):
    handler = functools.partial(QuietHandler, directory=str(shipped_site.site))
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


def graph_data(browser, key):
    return browser.execute_script(f"return document.getElementById('sokkit-graph').dataset.{key}")


def test_graph_renders_every_node(browser, site_url):
    browser.get(site_url + "graph/")
    wait(browser, lambda b: b.execute_script("return document.getElementById('sokkit-graph').dataset.ready === 'true'"))
    print(f"\ngraph first draw: {graph_data(browser, 'readyMs')} ms after navigation start")
    # its own layout: the graph takes the window's width, no sidebars
    width = browser.execute_script("return document.getElementById('sokkit-graph').getBoundingClientRect().width")
    assert width > 0.85 * browser.execute_script("return window.innerWidth")
    labelled = browser.execute_script("return window.sokkitGraph.nodes('.top').length")
    assert labelled == 30
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


def test_graph_focus_highlights_exactly_the_neighbours(browser, site_url):
    import networkx as nx
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from sokkit.graph import build_graph

    browser.get(site_url + "graph/")
    wait(browser, lambda b: b.execute_script("return document.getElementById('sokkit-graph').dataset.ready === 'true'"))
    catalog = load_catalog(CATALOG)[0]
    graph = nx.Graph(build_graph(catalog))
    paper = "zhang-2024-npo"
    field = browser.find_element(By.ID, "sokkit-graph-search")
    field.send_keys(catalog.papers[paper].model.title, Keys.ENTER)
    wait(browser, lambda b: b.execute_script("return document.getElementById('sokkit-graph').dataset.focused") == paper)
    print(f"\ngraph focus on {paper}: {graph_data(browser, 'focusMs')} ms")
    near = set(browser.execute_script("return window.sokkitGraph.nodes('.sokkit-near').map(n => n.id())"))
    assert near == set(graph.neighbors(paper)) and len(near) > 3
    assert browser.execute_script("return window.sokkitGraph.nodes('.sokkit-focus').map(n => n.id())") == [paper]
    faded, total = browser.execute_script("const cy = window.sokkitGraph; return [cy.nodes('.dimmed').length, cy.nodes().length]")
    assert faded == total - len(near) - 1
    # the panel lists the neighbours as links, their titles as text
    links = browser.find_elements(By.CSS_SELECTOR, "#sokkit-graph-info li a")
    assert len(links) == len(near)
    # an unchecked relation type leaves its neighbours out of the focus
    browser.execute_script("document.querySelector(\"input[data-relation='uses_benchmark']\").click()")
    near_now = set(browser.execute_script("return window.sokkitGraph.nodes('.sokkit-near').map(n => n.id())"))
    assert near_now == {n for n in near if not n.startswith("benchmark:")}
    shot(browser, "graph-focus")
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
    # columns: the pick checkbox, paper, year, intention, ...
    assert all(r.find_elements(By.TAG_NAME, "td")[3].text == "Suppression" for r in rows)
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


def search_for(browser, site_url, query):
    from selenium.webdriver.common.by import By

    browser.get(site_url)
    browser.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    field = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    field.send_keys(query)
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item")]


def test_search_finds_a_paper_by_surname_and_by_former_title(browser, site_url):
    # a co-author's surname (the fourth of seven authors) and words only in a former title
    found = search_for(browser, site_url, "Meneguzzo")
    assert any("Quantization-Robust LLM Unlearning via Low-Rank Adaptation" in t for t in found), found
    shot(browser, "search-author")
    found = search_for(browser, site_url, "Deliberate Imagination")
    assert any(t.startswith("UNDIAL") for t in found), found
    shot(browser, "search-former-title")


def test_paper_page_shows_bibtex(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "papers/zhang-2024-npo/")
    code = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, "pre code"))
    assert "zhang2024negative" in code and "eprint = {2404.05868}" in code
    shot(browser, "paper-page")


def test_paper_page_draws_its_neighbourhood(browser, site_url):
    from selenium.webdriver.common.by import By

    from sokkit.site.pages.context import Site
    from sokkit.site.pages.neighbourhood import SHOWN, neighbours

    paper = "zhang-2024-npo"
    groups = neighbours(Site(load_catalog(CATALOG)[0]), paper)
    browser.get(site_url + f"papers/{paper}/")
    figure = browser.find_element(By.CSS_SELECTOR, "figure.sokkit-neighbourhood")
    browser.execute_script("arguments[0].scrollIntoView(true)", figure)
    links = figure.find_elements(By.CSS_SELECTOR, "svg a")
    assert len(links) == sum(min(SHOWN, len(items)) for items in groups.values()) > 3
    heads = [e.text for e in figure.find_elements(By.CSS_SELECTOR, "text.sokkit-nb-head")]
    assert heads == [f"{name} ({len(groups[name])})" for name in ("Builds on", "Evaluated on", "Built on by", "Attacked by")
                     if groups[name]]
    # drawn at build time: the figure is in the served HTML, not made by a script
    assert "sokkit-neighbourhood" in browser.execute_script("return document.documentElement.outerHTML")
    svg = figure.find_element(By.TAG_NAME, "svg").rect
    assert svg["width"] > 300 and svg["x"] + svg["width"] <= browser.execute_script("return window.innerWidth")
    shot(browser, "paper-neighbourhood")
    target = browser.execute_script("return new URL(arguments[0].getAttribute('href'), location.href).href", links[0])
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", links[0])
    wait(browser, lambda b: b.current_url == target)
    assert browser.find_element(By.TAG_NAME, "h1").text


def test_pick_papers_in_a_table_and_compare_them(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "papers/")
    browser.execute_script("localStorage.clear()")
    browser.get(site_url + "papers/")
    for pid in ("zhang-2024-npo", "li-2024-wmdp"):
        box = browser.find_element(By.CSS_SELECTOR, f"tr[data-id='{pid}'] input[data-pick]")
        browser.execute_script("arguments[0].click()", box)
    # the picks survive moving to another page with a table
    browser.get(site_url + "taxonomy/intention/removal/")
    bar = wait(browser, lambda b: [e for e in b.find_elements(By.CSS_SELECTOR, ".sokkit-pickbar") if e.is_displayed()])[0]
    assert "2 papers picked" in bar.text
    href = bar.find_element(By.TAG_NAME, "a").get_attribute("href")
    assert href.endswith("compare/?ids=zhang-2024-npo,li-2024-wmdp")
    browser.get(href + ",no-such-paper,hostile-2024-entry")
    wait(browser, lambda b: b.execute_script("return document.getElementById('sokkit-compare').dataset.ready") == "true")
    table = browser.find_element(By.CSS_SELECTOR, "table.sokkit-compare-table")
    heads = [th.text for th in table.find_elements(By.CSS_SELECTOR, "th")]
    assert heads == ["Paper", "Authors, year, venue", "Roles", "Intention", "Observed behaviour", "Evidence", "Methods",
                     "Technique", "Targets", "Benchmarks", "Claims", "Relations"]
    first_row = table.find_elements(By.CSS_SELECTOR, "tr")[0].find_elements(By.TAG_NAME, "td")
    assert [td.get_attribute("data-id") for td in first_row] == ["zhang-2024-npo", "li-2024-wmdp", "hostile-2024-entry"]
    assert first_row[0].text.startswith("Negative Preference Optimization")
    assert "Hostile <img src=x" in first_row[2].text  # contributed text stays text
    claims = table.find_elements(By.CSS_SELECTOR, "tr")[10].text
    assert "toy-world audit:" in claims
    assert "Not in the catalog: no-such-paper" in browser.find_element(By.ID, "sokkit-compare-status").text
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in urls if not u.startswith(site_url)] == []
    assert any(u.endswith("downloads/catalog.json") for u in urls)
    shot(browser, "compare")
    assert_inert(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#sokkit-compare img, #sokkit-compare script") == []


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


# Every table on the page fits: either the whole table lies inside the article, or it sits in
# its own horizontal scroll box (overflow-x auto/scroll) that lies inside the article; no
# cell's content is wider than the cell (nothing spills or is cut), and the page itself never
# scrolls sideways. With `must_fit`, the named tables must fit without scrolling at all.
TABLE_FIT = """
const article = document.querySelector('article.md-content__inner') || document.body;
const right = article.getBoundingClientRect().right + 1, left = article.getBoundingClientRect().left - 1;
const problems = [];
const mustFit = arguments[0] ? Array.from(document.querySelectorAll(arguments[0])) : [];
document.querySelectorAll('article table').forEach((t, i) => {
  let box = t;
  while (box && box !== article && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
  const scrolls = box && box !== article;
  const outer = (scrolls ? box : t).getBoundingClientRect();
  if (outer.right > right || outer.left < left) problems.push(`table ${i} reaches ${outer.left}..${outer.right}, article ${left}..${right}`);
  if (mustFit.includes(t) && scrolls && box.scrollWidth > box.clientWidth + 1)
    problems.push(`table ${i} needs scrolling: ${box.scrollWidth} > ${box.clientWidth}`);
  t.querySelectorAll('th, td').forEach((c, j) => {
    if (c.scrollWidth > c.clientWidth + 1) problems.push(`table ${i} cell ${j} '${c.textContent.slice(0, 30)}' ${c.scrollWidth} > ${c.clientWidth}`);
  });
});
const width = arguments[1];  // a phone's layout viewport grows to fit whatever overflows
if (window.innerWidth !== width || document.documentElement.scrollWidth > width + 1)
  problems.push(`page scrolls sideways: ${window.innerWidth}, ${document.documentElement.scrollWidth} > ${width}`);
return problems;
"""
TABLE_PAGES = ("", "papers/", "papers/zhang-2024-npo/", "compare/gradient-ascent/", "benchmarks/", "claims/",
               "taxonomy/intention/removal/", "benchmarks/wmdp/")


@pytest.mark.parametrize("width,height,name", [(1400, 1000, "desktop"), (390, 844, "phone")])
def test_no_table_column_is_cut(browser, site_url, width, height, name):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": name == "phone"})
    try:
        for path in TABLE_PAGES:
            browser.get(site_url + path)
            # at desktop width the papers table uses the page's width and needs no scrolling
            must_fit = "table.sokkit-table" if name == "desktop" and path == "papers/" else ""
            problems = browser.execute_script(TABLE_FIT, must_fit, width)
            assert problems == [], f"{path or 'home'} at {width}px: {problems[:5]}"
        browser.get(site_url + "papers/")
        shot(browser, f"papers-{name}")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# axe-core comes from npm and is injected by the test only; the site never ships it.
# `.ci/run` installs it and sets SOKKIT_REQUIRE_AXE=1, so there a missing copy fails.
AXE = Path(os.environ.get("SOKKIT_AXE_DIR") or ROOT / "test-artifacts" / "node") / "node_modules" / "axe-core" / "axe.min.js"
AXE_PAGES = ("", "papers/", "papers/zhang-2024-npo/", "graph/", "compare/?ids=zhang-2024-npo,li-2024-wmdp,no-such-paper")


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script, checked before the site is built, so a skip costs nothing."""
    if not AXE.is_file():
        if os.environ.get("SOKKIT_REQUIRE_AXE") == "1":
            pytest.fail(f"axe-core is required (SOKKIT_REQUIRE_AXE=1) but {AXE} is missing")
        pytest.skip(f"axe-core not installed: npm install axe-core@4 --prefix {AXE.parents[2]} (or set SOKKIT_AXE_DIR)")
    return AXE.read_text(encoding="utf-8")


def test_no_serious_accessibility_violations(axe_source, shipped_site, browser, site_url):
    assert not [p for p in shipped_site.site.rglob("*") if "axe" in p.name.lower()], "axe-core must not ship in the site"
    source = axe_source
    browser.set_script_timeout(120)
    report = {}
    for path in AXE_PAGES:
        browser.get(site_url + path)
        if path.startswith("graph/"):
            wait(browser, lambda b: b.execute_script("return document.getElementById('sokkit-graph').dataset.ready === 'true'"))
        if path.startswith("compare/"):
            wait(browser, lambda b: b.execute_script("return document.getElementById('sokkit-compare').dataset.ready") == "true")
        browser.execute_script(source)
        violations = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => "
            "({id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0].target.join(' ')}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: 0, target: String(e)}]));")
        report[path or "home"] = violations
        print(f"\naxe {path or 'home'}: " + (", ".join(f"{v['id']} ({v['impact']}, {v['nodes']})" for v in violations) or "none"))
    serious = {page: [v for v in found if v["impact"] in ("serious", "critical")] for page, found in report.items()}
    assert all(not found for found in serious.values()), serious
