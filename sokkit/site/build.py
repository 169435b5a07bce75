"""Build the static site: render pages, run `mkdocs build --strict`, swap into place.

The build happens in a temporary folder; the output folder is only replaced
once MkDocs has succeeded, so a failed build leaves the previous site intact.
"""

from __future__ import annotations

import glob
import html
import json
import os
import posixpath
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..catalog import Catalog
from ..catalog.results import FIGURE_FILE, results_dir
from ..catalog.yamlsafe import YamlError, load_yaml
from ..safe.files import UnsafeFile, atomic_write_text, copy_regular_tree, read_regular, replace_dir
from .history import added_dates
from .pages import NAV, NOT_IN_NAV, SEARCH_ENTRIES, render_pages
from .rawhook import split_raw


class SiteBuildError(Exception):
    pass


class UnsafeOutput(SiteBuildError):
    """--out names something a build must not replace: a usage error, not a failed build."""


# Written into every built site (and every temporary build folder), so that a later build
# knows the folder is its own to replace or to clean up.
MARKER = ".sokkit-site"
BUILD_PREFIX = ".sokkit-build-"
ALLOWED = "--out may name only an absent folder, an empty folder or a site sokkit built before"


def check_out(out: Path, protected: list[Path]) -> None:
    """Refuse an output path whose replacement could destroy anything but a previous site."""
    out = Path(os.path.abspath(out))
    cwd = Path.cwd().resolve()
    real = out.resolve()
    reason = None
    if cwd == real or cwd.is_relative_to(real):
        reason = "it is the current folder or a parent of it"
    for path in protected:
        path = Path(path).resolve()
        if reason is None and (real == path or path.is_relative_to(real) or real.is_relative_to(path)):
            reason = f"it is, contains or lies inside {path}"
    if reason is None:
        reason = _occupied(out)
    if reason:
        raise UnsafeOutput(f"refusing to replace '{out}': {reason}; {ALLOWED}")


def _occupied(out: Path) -> str | None:
    """Why the existing `out` is not ours to replace (None when absent, empty or a previous site)."""
    try:
        info = out.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"it cannot be inspected ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    try:
        names = set(os.listdir(out))
    except OSError as exc:
        return f"it cannot be listed ({exc.strerror or exc})"
    # Sites built before the marker existed are recognised by sokkit's own stylesheet.
    if not names or MARKER in names or (out / ASSETS_URL / "sokkit.css").is_file():
        return None
    return "it is a folder that holds files and no sokkit site marker"


def clean_stale_builds(parent: Path, name: str = "site") -> None:
    """Delete temporary folders left by killed builds (`.sokkit-build-*`, and the old site
    `.NAME.old.*` of an interrupted swap): our prefix, our marker, a dead pid."""
    for folder in [*parent.glob(BUILD_PREFIX + "*"), *parent.glob(f".{glob.escape(name)}.old.*")]:
        marker = folder / MARKER
        if folder.is_symlink() or not folder.is_dir() or marker.is_symlink() or not marker.is_file():
            continue
        try:
            pid = int(marker.read_text(encoding="utf-8").strip() or 0)
        except (OSError, ValueError):
            continue
        if pid <= 0 or not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def site_config(base_config: Path, docs_dir: Path, site_dir: Path, hand_written: list[str],
                rendered: set[str] | None = None) -> dict[str, Any]:
    """The MkDocs config for one build: the project's base config plus paths and navigation
    (without the entries of pages this catalog does not have, such as the guide without
    catalog/use-cases.yaml, when `rendered` names the generated pages)."""
    try:
        config = load_yaml(base_config).data
    except YamlError as exc:
        raise SiteBuildError(f"{exc.path}:{exc.line}: {exc.message}") from None
    if not isinstance(config, dict):
        raise SiteBuildError(f"{base_config}: expected a mapping")
    config = dict(config)
    config["docs_dir"] = str(docs_dir)
    config["site_dir"] = str(site_dir)
    config["strict"] = True
    project = [{Path(name).stem.replace("-", " ").capitalize(): name} for name in sorted(hand_written)]
    nav = [item for item in NAV if rendered is None or all(page in rendered for page in item.values())]
    config["nav"] = nav + ([{"Project": project}] if project else [])
    config["not_in_nav"] = "\n".join(NOT_IN_NAV) + "\n"
    config["extra_css"] = list(config.get("extra_css") or []) + [f"{ASSETS_URL}/sokkit.css"]
    config["extra_javascript"] = list(config.get("extra_javascript") or []) + [f"{ASSETS_URL}/sokkit-tables.js"]
    config["hooks"] = list(config.get("hooks") or []) + [str(Path(__file__).resolve().parent / "rawhook.py")]
    return config


ASSETS = Path(__file__).resolve().parent / "assets"
ASSETS_URL = "assets/sokkit"
_LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)(?:#[^"']*)?["']""")


def broken_links(site: Path, pages: list[Path] | None = None) -> list[str]:
    """Relative links and sources in the built HTML (or in `pages` of it) that point at nothing.

    Paths are resolved as strings against one listing of the site's files, so the check
    costs one walk of the site, not a file-system lookup per link."""
    files, folders = set(), set()
    for dirpath, dirnames, filenames in os.walk(site):
        rel = os.path.relpath(dirpath, site).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        folders.add(rel)
        files.update(f"{rel}/{name}" if rel else name for name in filenames)

    def exists(path: str) -> bool:
        path = path.strip("/")
        if path in ("", "."):
            return "index.html" in files
        return path in files or (path in folders and f"{path}/index.html" in files)

    broken = []
    for page in sorted(pages if pages is not None else site.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        here = posixpath.dirname(page.relative_to(site).as_posix())
        for target in sorted(set(_LINK.findall(text))):
            target = unquote(html.unescape(target).split("?", 1)[0])  # MkDocs writes 'my page' as my%20page
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
                continue
            resolved = target if target.startswith("/") else posixpath.join(here, target)
            resolved = posixpath.normpath(resolved)
            if resolved.startswith("..") or not exists(resolved):
                broken.append(f"{page.relative_to(site)} -> {target}")
    return broken


def write_generated(src: Path, raw: Path, rel: str, text: str) -> bool:
    """Write one generated file into the docs folder `src`; a page's raw HTML blocks go to
    `raw/<page>.json` for the hook (`rawhook`). Only files whose content changed are written,
    so that a later `mkdocs build --dirty` rebuilds just those (a page whose blocks changed is
    rewritten too, so that MkDocs sees it modified). True when something was written."""
    files = {src / rel: text}
    if rel.endswith(".md"):
        markdown, blocks = split_raw(text)
        files = {raw / f"{rel}.json": json.dumps(blocks, ensure_ascii=False), src / rel: markdown}
    written = False
    for path, content in files.items():
        if not written:
            try:
                if path.read_text(encoding="utf-8") == content:
                    continue
            except (FileNotFoundError, UnicodeDecodeError):
                pass
        # the docs folder is the build's own (a temporary folder, or serve's work folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written = True
    return written


def merge_search_entries(site: Path) -> list[dict] | None:
    """Append the paper entries (pages/search.py) to the search plugin's index, and drop the
    file that carried them; without the plugin's index there is nothing to append to.
    Returns the plugin's own entries (for `serve`, which keeps them between dirty builds)."""
    extra = site / SEARCH_ENTRIES
    if not extra.is_file():
        return None
    index_file = site / "search" / "search_index.json"
    plugin = None
    if index_file.is_file():
        index = json.loads(index_file.read_text(encoding="utf-8"))
        plugin = list(index["docs"])
        index["docs"].extend(json.loads(extra.read_text(encoding="utf-8")))
        index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    extra.unlink()
    return plugin


def build_site(catalog: Catalog, out: Path, docs_dir: Path = Path("docs"), config: Path = Path("mkdocs.yml")) -> None:
    """Render `catalog` and build the site into `out` atomically."""
    check_out(out, [catalog.root, docs_dir])
    out = Path(os.path.abspath(out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_builds(out.parent, out.name)
        work = Path(tempfile.mkdtemp(prefix=BUILD_PREFIX, dir=out.parent))
    except OSError as exc:
        raise UnsafeOutput(f"cannot write the site to '{out}': {exc.strerror or exc}") from None
    try:
        _build_in(work, catalog, out, docs_dir, config)
    except UnsafeFile as exc:
        raise SiteBuildError(str(exc)) from None
    except OSError as exc:
        raise SiteBuildError(f"{exc.filename or out}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build_in(work: Path, catalog: Catalog, out: Path, docs_dir: Path, config: Path) -> None:
    """Render into the temporary folder `work`, build with MkDocs, swap the result onto `out`."""
    (work / MARKER).write_text(f"{os.getpid()}\n", encoding="utf-8")
    src = work / "docs"
    src.mkdir()
    hand_written = []
    if docs_dir.is_dir():
        copied = copy_regular_tree(docs_dir, src)
        hand_written = [rel for rel in copied if "/" not in rel and rel.endswith(".md")]
    shutil.copytree(ASSETS, src / ASSETS_URL, dirs_exist_ok=False)
    figure = results_dir(catalog) / FIGURE_FILE
    if figure.exists() or figure.is_symlink():
        (src / "audit.png").write_bytes(read_regular(figure))
    raw = work / "raw"
    rendered = render_pages(catalog, added_dates(catalog.root))
    for rel, text in rendered.items():
        target = src / rel
        if target.exists():
            raise SiteBuildError(f"generated page '{rel}' would overwrite a file from {docs_dir}; rename that file")
        write_generated(src, raw, rel, text)
    site = work / "site"
    cfg = work / "mkdocs.yml"
    # JSON is valid YAML, and needs no YAML writer.
    cfg.write_text(json.dumps(site_config(config, src, site, hand_written, set(rendered)), indent=1), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(cfg)],
        capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOKKIT_RAW_DIR": str(raw)},
    )
    if result.returncode != 0:
        detail = [line for line in (result.stderr + result.stdout).splitlines() if "WARNING" in line or "ERROR" in line]
        raise SiteBuildError("mkdocs build failed:\n  " + "\n  ".join(detail[-20:] or ["(no message)"]))
    merge_search_entries(site)
    broken = broken_links(site)
    if broken:
        raise SiteBuildError(f"{len(broken)} broken link(s) in the built site:\n  " + "\n  ".join(broken[:20]))
    (site / MARKER).write_text("built by sokkit; 'sokkit build' may replace this folder\n", encoding="utf-8")
    check_out(out, [catalog.root, docs_dir])  # again: it may have changed during the build
    replace_dir(site, out, marker=MARKER)
