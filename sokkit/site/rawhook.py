"""A MkDocs hook (`hooks:` in the generated config): puts generated raw HTML back into pages.

`site.build` lifts every raw HTML block out of the generated Markdown before MkDocs runs
(`split_raw`), leaving a comment `<!--sokkit:raw:N-->` in its place, and stores the blocks
as JSON beside the build (`$SOKKIT_RAW_DIR/<page>.md.json`). Python-Markdown would have passed
those blocks through unchanged anyway, but only after parsing every tag of them with its
pure-Python HTML parser, and the search plugin would have parsed them again: for the big
tables, the graph's data and the per-paper figures that was most of the build. This hook
runs after the theme has rendered the page (`on_post_page`), so neither sees them.
Plain stdlib: no MkDocs imports.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

PLACEHOLDER = re.compile(r"<!--sokkit:raw:(\d+)-->")
# Blocks that Markdown would pass through as raw HTML: a blank-line-separated block that
# starts with one of these tags (and ends with a tag).
_RAW_START = re.compile(r"<(div|table|ul|ol|p|figure|script)[\s>]")


def split_raw(text: str) -> tuple[str, list[str]]:
    """`text` with each raw HTML block replaced by a placeholder, and the blocks in order."""
    blocks: list[str] = []
    out = []
    for block in text.split("\n\n"):
        body = block.strip("\n")
        if _RAW_START.match(body) and body.endswith(">") and "<!--sokkit:raw:" not in body:
            out.append(f"<!--sokkit:raw:{len(blocks)}-->")
            blocks.append(body)
        else:
            out.append(block)
    return "\n\n".join(out), blocks


def join_raw(html: str, blocks: list[str]) -> str:
    return PLACEHOLDER.sub(lambda m: blocks[int(m.group(1))] if int(m.group(1)) < len(blocks) else m.group(0), html)


def on_post_page(output: str, page, config) -> str:
    folder = os.environ.get("SOKKIT_RAW_DIR")
    if not folder or "<!--sokkit:raw:" not in output:
        return output
    side = Path(folder) / (page.file.src_uri + ".json")
    if not side.is_file():
        return output
    return join_raw(output, json.loads(side.read_text(encoding="utf-8")))
