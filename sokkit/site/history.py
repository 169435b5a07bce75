"""When each paper entered the catalog, read from the repository's history: the date of
the commit that added its file. Feeds the site's "recently added" list and Atom feed.
Outside a git checkout (a tarball, a shallow copy without history) it answers with what
it can find, possibly nothing; it never fails a build."""

from __future__ import annotations

import subprocess
from pathlib import Path


def added_dates(catalog_root: Path) -> dict[str, str]:
    """{paper id: ISO date-time of the commit that first added catalog/papers/<id>.yaml}."""
    papers = catalog_root / "papers"
    try:
        out = subprocess.run(
            ["git", "-C", str(catalog_root), "log", "--diff-filter=A", "--format=%x00%cI", "--name-only",
             "--relative", "--", "papers"],
            capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if out.returncode != 0 or not papers.is_dir():
        return {}
    dates: dict[str, str] = {}
    when = ""
    for line in out.stdout.splitlines():
        if line.startswith("\0"):
            when = line[1:].strip()
        elif line.endswith(".yaml") and when:
            # git log lists newest first; the last date seen for a file is when it was first added
            dates[Path(line).stem] = when
    return dates
