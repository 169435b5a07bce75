"""`sokkit serve`'s fast path: after a full build, an edit to catalog entries rebuilds only
what changed, in place, with MkDocs' dirty build run inside this process.

A work folder beside the site keeps the rendered docs (`docs/`, `raw/`) and a config whose
`site_dir` is the served site. On an edit, the catalog is loaded and checked as always;
then, first, only the pages of the edited papers and of the papers that show them (their
relations either way) are rendered and built, so the edited entry shows at once; then
every page is rendered again and only the files whose content changed are written and
rebuilt (listings, taxonomy, graph, downloads, search). MkDocs rebuilds a page when its
source is newer than its output, so the work folder's unchanged sources are dated back.
Docs or config edits, and anything unexpected, take the full, atomic build instead.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..catalog import Catalog
from ..catalog.results import FIGURE_FILE, results_dir
from ..safe.files import copy_regular_tree, read_regular
from .build import ASSETS, ASSETS_URL, MARKER, SiteBuildError, broken_links, site_config, write_generated
from .history import added_dates
from .markup import page_url
from .pages import SEARCH_ENTRIES, render_pages
from .pages import paper as paper_kind
from .pages.context import PAPERS_DIR, Site

WORK_PREFIX = ".sokkit-serve-"


class _Warnings(logging.Handler):
    """MkDocs' warnings during a dirty build (strict mode would count its own notice that the
    build is dirty, so strictness is enforced here instead)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "'dirty' build" not in message:
            self.messages.append(message)


class Incremental:
    def __init__(self, catalog: Catalog, out: Path, docs_dir: Path, config: Path):
        self.out, self.docs_dir, self.config = Path(os.path.abspath(out)), Path(docs_dir), Path(config)
        self.work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=self.out.parent))
        (self.work / MARKER).write_text(f"{os.getpid()}\n", encoding="utf-8")
        self.src, self.raw = self.work / "docs", self.work / "raw"
        self.src.mkdir()
        hand_written = []
        if self.docs_dir.is_dir():
            copied = copy_regular_tree(self.docs_dir, self.src)
            hand_written = [rel for rel in copied if "/" not in rel and rel.endswith(".md")]
        shutil.copytree(ASSETS, self.src / ASSETS_URL)
        figure = results_dir(catalog) / FIGURE_FILE
        if figure.exists() or figure.is_symlink():
            (self.src / "audit.png").write_bytes(read_regular(figure))
        self.pages = render_pages(catalog, added_dates(catalog.root))
        for rel, text in self.pages.items():
            write_generated(self.src, self.raw, rel, text)
        for path in self.src.rglob("*"):  # the site was built from exactly these: nothing is newer
            os.utime(path, (0, 0))
        cfg = site_config(self.config, self.src, self.out, hand_written)
        cfg["strict"] = False
        self.config_file = self.work / "mkdocs.yml"
        self.config_file.write_text(json.dumps(cfg, indent=1), encoding="utf-8")
        papers = {page_url(f"{PAPERS_DIR}/{pid}.md") for pid in catalog.papers}
        index = json.loads((self.out / "search" / "search_index.json").read_text(encoding="utf-8"))
        self.config_index = index["config"]
        self.plugin_docs = [d for d in index["docs"] if d["location"] not in papers]
        self.models = {pid: e.model for pid, e in catalog.papers.items()}

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    # --- one edit ---------------------------------------------------------------------------

    def update(self, catalog: Catalog) -> list[str]:
        """Rebuild after an edit to the catalog; returns what happened, one line per phase.
        Raises SiteBuildError when MkDocs warns or a link breaks (the caller rebuilds fully)."""
        if set(catalog.papers) == set(self.models):
            changed = {pid for pid, e in catalog.papers.items() if e.model != self.models[pid]}
        else:
            changed = None  # added or removed papers: every listing changes, go straight to phase two
        report = []
        if changed:
            start = time.perf_counter()
            site = Site(catalog)
            affected = set(changed)
            for pid in changed:
                for model in (self.models[pid], catalog.papers[pid].model):
                    affected.update(r.target for r in model.relations if r.target in catalog.papers)
                affected.update(source for _, source in site.incoming.get(pid, []))
            written = [rel for pid in sorted(affected)
                       if write_generated(self.src, self.raw, rel := f"{PAPERS_DIR}/{pid}.md",
                                          paper_kind.paper_page(site, catalog.papers[pid]))]
            self._build(written, search=None)
            report.append(f"updated {len(written)} paper page(s) in {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        pages = render_pages(catalog, added_dates(catalog.root))
        written = [rel for rel, text in pages.items() if write_generated(self.src, self.raw, rel, text)]
        for rel in set(self.pages) - set(pages):  # pages of removed entries
            (self.src / rel).unlink(missing_ok=True)
            (self.raw / f"{rel}.json").unlink(missing_ok=True)
            target = self.out / page_url(rel)
            shutil.rmtree(target, ignore_errors=True) if rel.endswith(".md") else target.unlink(missing_ok=True)
        self.pages = pages
        self.models = {pid: e.model for pid, e in catalog.papers.items()}
        self._build(written, search=pages[SEARCH_ENTRIES])
        report.append(f"rebuilt {len(written)} changed file(s) in {time.perf_counter() - start:.2f} s")
        return report

    def _build(self, written: list[str], search: str | None) -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        os.environ["SOKKIT_RAW_DIR"] = str(self.raw)
        os.environ["NO_MKDOCS_2_WARNING"] = "1"
        warnings = _Warnings()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(warnings)
        try:
            cfg = load_config(config_file=str(self.config_file))
            cfg.plugins.on_startup(command="build", dirty=True)
            try:
                build(cfg, dirty=True)
            finally:
                cfg.plugins.on_shutdown()
        except Exception as exc:  # MkDocs' own errors (Abort, ConfigurationError, ...)
            raise SiteBuildError(f"mkdocs build failed: {exc}") from None
        finally:
            logger.removeHandler(warnings)
        if warnings.messages:
            raise SiteBuildError("mkdocs build failed:\n  " + "\n  ".join(warnings.messages[-20:]))
        self._search(written, search)
        pages = [self.out / page_url(rel) / "index.html" if page_url(rel).endswith("/") or page_url(rel) == ""
                 else self.out / page_url(rel) for rel in written if rel.endswith(".md")]
        broken = broken_links(self.out, [p for p in pages if p.is_file()])
        if broken:
            raise SiteBuildError(f"{len(broken)} broken link(s) in the built site:\n  " + "\n  ".join(broken[:20]))

    def _search(self, written: list[str], search: str | None) -> None:
        """The plugin wrote an index of just the pages it rebuilt: put back the others', and
        the paper entries (the new ones with `search`, else the ones served now)."""
        index_file = self.out / "search" / "search_index.json"
        fresh = json.loads(index_file.read_text(encoding="utf-8"))["docs"] if index_file.is_file() else []
        rebuilt = {page_url(rel) for rel in written if rel.endswith(".md")}
        keep = [d for d in self.plugin_docs if d["location"].split("#", 1)[0] not in rebuilt]
        self.plugin_docs = keep + fresh
        extra = self.out / SEARCH_ENTRIES
        if search is not None:
            papers = json.loads(search)
        else:
            papers = self._papers_served
        extra.unlink(missing_ok=True)
        self._papers_served = papers
        index = {"config": self.config_index, "docs": self.plugin_docs + papers}
        index_file.parent.mkdir(parents=True, exist_ok=True)
        index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @property
    def _papers_served(self) -> list[dict]:
        return getattr(self, "_papers", None) or json.loads(self.pages[SEARCH_ENTRIES])

    @_papers_served.setter
    def _papers_served(self, value: list[dict]) -> None:
        self._papers = value
