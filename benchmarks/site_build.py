"""Site build time, page weight and graph-page load time.

    python benchmarks/site_build.py                    # the shipped catalog and a 2,000-paper synthetic one
    python benchmarks/site_build.py --synthetic 1000 --repeat 1

For each catalog: wall time of `build_site` (render + mkdocs build --strict + link
check), the number of HTML pages and total bytes of the built site, the size of the
graph page, and, in headless Chromium (Debian's chromium + chromedriver), the time
from navigation start until the graph has drawn every node.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from catalog_scale import make_catalog  # noqa: E402

from sokkit.validate import load_catalog  # noqa: E402
from sokkit.site import build_site  # noqa: E402
from sokkit.catalog.yamlsafe import load_yaml  # noqa: E402


BROWSER = True


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def graph_load_seconds(site: Path, repeat: int) -> list[tuple[float, float]]:
    """(time to first draw from navigation start, time to focus a paper), per page load."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    with tempfile.TemporaryDirectory() as profile:
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                     f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
        times = []
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/graph/"
            for _ in range(repeat):
                driver.get("about:blank")
                driver.get(url)
                WebDriverWait(driver, 120).until(
                    lambda d: d.execute_script("return document.getElementById('sokkit-graph').dataset.ready === 'true'"))
                # from navigation start until the graph script marked itself drawn
                drawn = float(driver.execute_script("return document.getElementById('sokkit-graph').dataset.readyMs"))
                # focus the best-connected paper, as the search box does: highlight, fit, redraw
                driver.execute_script(
                    "const cy = window.sokkitGraph; const n = cy.nodes('[kind = \"paper\"]').max(x => x.degree()).ele;"
                    "window.sokkitGraphFocus(n.id());")
                WebDriverWait(driver, 120, poll_frequency=0.01).until(
                    lambda d: d.execute_script("return document.getElementById('sokkit-graph').dataset.focused"))
                # measured in the page: from the call until the focused graph has been drawn
                focus = float(driver.execute_script("return document.getElementById('sokkit-graph').dataset.focusMs")) / 1000.0
                times.append((drawn / 1000.0, focus))
        finally:
            driver.quit()
            server.shutdown()
    return times


def floor_seconds(pages: int) -> float:
    """The floor: a plain mkdocs-material build (the project's mkdocs.yml: theme, search plugin,
    Markdown extensions) of `pages` simple pages kept out of the nav, plus a home page."""
    import json
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        docs = tmp / "docs"
        (docs / "p").mkdir(parents=True)
        (docs / "index.md").write_text("# Home\n\nThe floor of the site benchmark.\n", encoding="utf-8")
        for i in range(pages):
            (docs / "p" / f"page-{i}.md").write_text(f"# Page {i}\n\nA simple page, number {i}, with one paragraph.\n",
                                                     encoding="utf-8")
        config = load_yaml(ROOT / "mkdocs.yml").data
        config.update(docs_dir=str(docs), site_dir=str(tmp / "site"), nav=[{"Home": "index.md"}], not_in_nav="/p/*.md\n")
        (tmp / "mkdocs.yml").write_text(json.dumps(config), encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp / "mkdocs.yml")], check=True,
                       capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        return time.perf_counter() - start


def measure(name: str, catalog_dir: Path, repeat: int, floor: bool = False) -> None:
    catalog, problems = load_catalog(catalog_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SystemExit(f"{name}: catalog has problems: {errors[0].format()}")
    with tempfile.TemporaryDirectory() as tmp:
        builds, floors = [], []
        site = None
        for i in range(repeat):  # alternately, so both see the same machine
            # into a fresh folder, as the floor: deleting the previous site (swapped out by a
            # rebuild) is not build work, and is left out of the timing
            if site is not None:
                shutil.rmtree(site)
            site = Path(tmp) / f"site-{i}"
            start = time.perf_counter()
            build_site(catalog, site, docs_dir=ROOT / "docs", config=ROOT / "mkdocs.yml")
            builds.append(time.perf_counter() - start)
            if floor:
                floors.append(floor_seconds(len(catalog.papers)))
        pages = list(site.rglob("*.html"))
        total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        graph = (site / "graph" / "index.html").stat().st_size
        loads = (graph_load_seconds(site, repeat) if BROWSER and shutil.which("chromium") and shutil.which("chromedriver")
                 else [])
    load = f"{statistics.median(t for t, _ in loads):.2f}" if loads else "n/a"
    focus = f"{statistics.median(f for _, f in loads):.2f}" if loads else "n/a"
    print(f"{name:<22} {len(catalog.papers):>6} {statistics.median(builds):>8.1f} {len(pages):>6} "
          f"{total / 1e6:>9.1f} {graph / 1e6:>9.2f} {load:>9} {focus:>9}")
    if floors:
        ratio = statistics.median(b / f for b, f in zip(builds, floors))
        print(f"{'':<22} floor: plain mkdocs-material, {len(catalog.papers)} simple pages out of the nav: "
              f"{statistics.median(floors):.1f} s; build / floor {ratio:.2f} (per pair: "
              + ", ".join(f"{b / f:.2f}" for b, f in zip(builds, floors)) + ")")


def serve_seconds(papers: int, seed: int, repeat: int) -> None:
    """`sokkit serve` at `papers` papers: the full first build, then edits of one entry's title;
    for each, the time from the edit until the served page shows the new title (the serve loop's
    poll interval, the catalog check and the rebuild of that page), and until every page is
    current again."""
    from sokkit.site.serve import POLL_SECONDS, Rebuilder

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalog"
        make_catalog(root, papers, seed)
        rebuilder = Rebuilder(root, Path(tmp) / "site", ROOT / "docs", ROOT / "mkdocs.yml")
        start = time.perf_counter()
        assert rebuilder.rebuild()
        print(f"serve, {papers} papers: first (full) build {time.perf_counter() - start:.1f} s; poll every {POLL_SECONDS} s")
        entry = sorted((root / "papers").glob("*.yaml"))[papers // 2]
        page = Path(tmp) / "site" / "papers" / entry.stem / "index.html"
        shown, done = [], []
        try:
            for i in range(repeat):
                text = entry.read_text(encoding="utf-8")
                new = f"Edited title number {i}"
                entry.write_text(re.sub(r'^title: .*$', f'title: "{new}"', text, count=1, flags=re.M), encoding="utf-8")
                edited = time.perf_counter()
                time.sleep(POLL_SECONDS / 2)  # on average an edit waits half a poll interval
                finished = threading.Event()
                worker = threading.Thread(target=lambda: (rebuilder.poll(), finished.set()))
                worker.start()
                while not finished.is_set():
                    if new in page.read_text(encoding="utf-8", errors="replace"):
                        shown.append(time.perf_counter() - edited)
                        break
                    time.sleep(0.01)
                worker.join()
                if len(shown) <= i:
                    shown.append(time.perf_counter() - edited)
                done.append(time.perf_counter() - edited)
        finally:
            rebuilder.close()
        print(f"serve, {papers} papers: edited entry shown after {statistics.median(shown):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in shown)}); every page current after {statistics.median(done):.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=2000, help="papers in the synthetic catalog (0 to skip)")
    parser.add_argument("--repeat", type=int, default=3, help="builds and page loads per catalog (median reported)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic catalog")
    parser.add_argument("--synthetic-only", action="store_true", help="skip the shipped catalog")
    parser.add_argument("--serve", type=int, default=1000, help="papers in the `sokkit serve` edit test (0 to skip)")
    parser.add_argument("--no-browser", action="store_true", help="skip the graph timings in Chromium")
    args = parser.parse_args()
    global BROWSER
    BROWSER = not args.no_browser
    import mkdocs
    import yaml

    print(f"python {platform.python_version()}, mkdocs {mkdocs.__version__}, PyYAML {yaml.__version__}, "
          f"{platform.machine()}, seed {args.seed}, median of {args.repeat}")
    print(f"{'catalog':<22} {'papers':>6} {'build s':>8} {'pages':>6} {'site MB':>9} {'graph MB':>9} {'graph s':>9} {'focus s':>9}")
    if not args.synthetic_only:
        measure("shipped catalog", ROOT / "catalog", args.repeat)
    if args.synthetic:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "catalog"
            make_catalog(root, args.synthetic, args.seed)
            measure(f"synthetic {args.synthetic}", root, args.repeat, floor=True)
    if args.serve:
        serve_seconds(args.serve, args.seed, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
