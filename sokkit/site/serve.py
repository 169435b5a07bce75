"""`sokkit serve`: build, serve the site over HTTP, and rebuild when the sources change."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from ..catalog import CatalogNotFound
from ..validate import load_catalog
from .build import SiteBuildError, UnsafeOutput, build_site, check_out
from .incremental import Incremental


def _fingerprint(paths: list[Path]) -> tuple[tuple[str, float, int], ...]:
    # lstat, and tolerate files that vanish mid-scan: the watcher must outlive any edit.
    found = []
    for root in paths:
        candidates = [root]
        if root.is_dir():
            try:
                candidates = list(root.rglob("*"))
            except OSError:
                candidates = []
        for p in candidates:
            try:
                info = p.lstat()
            except OSError:
                continue
            found.append((str(p), info.st_mtime, info.st_size))
    return tuple(sorted(found))


POLL_SECONDS = 0.25  # how often the sources are checked for edits


class Rebuilder:
    """Rebuilds the site when any watched file changes; a broken change keeps the old site.

    The first build, and any edit to the docs or the config, is a full, atomic build; an edit
    to the catalog alone is rebuilt in place by `Incremental` (only what changed)."""

    def __init__(self, catalog_dir: Path, out: Path, docs_dir: Path, config: Path, incremental: bool = True):
        self.catalog_dir, self.out, self.docs_dir, self.config = Path(catalog_dir), Path(out), Path(docs_dir), Path(config)
        self.watched = [self.catalog_dir, self.docs_dir, self.config]
        self.seen: tuple = ()
        self.seen_other: tuple = ()
        self.use_incremental = incremental
        self.incremental: Incremental | None = None

    def close(self) -> None:
        if self.incremental is not None:
            self.incremental.close()
            self.incremental = None

    def _load(self):
        try:
            catalog, problems = load_catalog(self.catalog_dir)
        except CatalogNotFound as exc:  # moved or deleted while serving: keep serving, keep watching
            print(f"not rebuilt: {exc}; still serving the previous build", file=sys.stderr)
            return None
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            for problem in errors:
                print(problem.format(), file=sys.stderr)
            print("not rebuilt: fix the problems above; still serving the previous build", file=sys.stderr)
            return None
        return catalog

    def update(self) -> bool:
        """Rebuild in place after an edit to the catalog only; a full build if that fails."""
        self.seen, self.seen_other = _fingerprint(self.watched), _fingerprint(self.watched[1:])
        catalog = self._load()
        if catalog is None:
            return False
        try:
            for line in self.incremental.update(catalog):
                print(line, file=sys.stderr)
        except (SiteBuildError, OSError, ValueError, KeyError) as exc:
            print(f"incremental rebuild failed ({exc}); rebuilding everything", file=sys.stderr)
            return self.rebuild()
        return True

    def rebuild(self) -> bool:
        self.close()
        self.seen, self.seen_other = _fingerprint(self.watched), _fingerprint(self.watched[1:])
        catalog = self._load()
        if catalog is None:
            return False
        try:
            build_site(catalog, self.out, self.docs_dir, self.config)
        except SiteBuildError as exc:
            print(f"not rebuilt: {exc}", file=sys.stderr)
            return False
        print(f"built {self.out}", file=sys.stderr)
        if self.use_incremental:
            try:
                self.incremental = Incremental(catalog, self.out, self.docs_dir, self.config)
            except (SiteBuildError, OSError, ValueError, KeyError) as exc:
                print(f"edits will rebuild everything: {exc}", file=sys.stderr)
        return True

    def poll(self) -> bool | None:
        """Rebuild if something changed since the last build: True/False, or None if unchanged."""
        if _fingerprint(self.watched) == self.seen:
            return None
        if self.incremental is not None and _fingerprint(self.watched[1:]) == self.seen_other:
            return self.update()
        return self.rebuild()


def serve(catalog_dir: Path, out: Path, docs_dir: Path, config: Path, host: str, port: int) -> int:
    """Build, serve `out` over HTTP, and rebuild whenever the sources change."""
    if not 0 <= port <= 65535:
        print(f"sokkit serve: --port {port} is not a port number (0 to 65535)", file=sys.stderr)
        return 2
    try:
        check_out(out, [catalog_dir, docs_dir])
    except UnsafeOutput as exc:
        print(f"sokkit serve: {exc}", file=sys.stderr)
        return 2
    rebuilder = Rebuilder(catalog_dir, out, docs_dir, config)
    if not rebuilder.rebuild() and not Path(out).is_dir():
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(Path(out).resolve()))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        print(f"sokkit serve: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving http://{host}:{port}/ (Ctrl-C to stop); watching {catalog_dir}, {docs_dir} and {config}", file=sys.stderr)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            rebuilder.poll()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        rebuilder.close()
    return 0
