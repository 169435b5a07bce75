"""The `sokkit` command line: `parser` builds it from each part's commands module
(`catalog`, `contribute`, `graph`, `claims`, `site`, `impl`), which share `base`."""

from .parser import build_parser, main

__all__ = ["build_parser", "main"]
