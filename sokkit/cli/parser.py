"""The `sokkit` command line.

Exit codes: 0 success, 1 the catalog has problems (or a check failed),
2 usage errors (bad options, missing folders, unwritable output).
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from . import catalog, claims, contribute, graph, impl, site
from .base import EXIT_USAGE, UsageError

# Every part's commands, in the order `sokkit --help` lists them; each module has `register(sub)`.
COMMAND_MODULES = (catalog, contribute, graph, claims, site, impl)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sokkit",
        description="A knowledge base of LLM machine unlearning, organised by intention (removal vs suppression).",
    )
    parser.add_argument("--version", action="version", version=f"sokkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"sokkit {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        # The environment refused something (a read-only folder, a full disk): a sentence, not a traceback.
        where = f"'{exc.filename}'" if exc.filename else "a file"
        print(f"sokkit {args.command}: cannot write or read {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
