"""`sokkit build` and `sokkit serve` (sokkit.site)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .base import EXIT_OK, EXIT_PROBLEMS, UsageError, catalog_arg, load_clean


def cmd_build(args: argparse.Namespace) -> int:
    from ..site import SiteBuildError, UnsafeOutput, build_site, check_out

    try:
        check_out(Path(args.out), [args.catalog, Path(args.docs)])
    except UnsafeOutput as exc:
        raise UsageError(str(exc)) from None
    catalog = load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    try:
        build_site(catalog, Path(args.out), docs_dir=Path(args.docs), config=Path(args.config))
    except UnsafeOutput as exc:
        raise UsageError(str(exc)) from None
    except SiteBuildError as exc:
        print(f"sokkit build: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"built site in {args.out}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from ..site import serve

    return serve(
        args.catalog, Path(args.out), docs_dir=Path(args.docs), config=Path(args.config),
        host=args.host, port=args.port,
    )


def _site_args(parser: argparse.ArgumentParser) -> None:
    catalog_arg(parser)
    parser.add_argument("--out", default="site", help="folder for the built site (default: site)")
    parser.add_argument("--docs", default="docs", help="hand-written pages to include (default: docs)")
    parser.add_argument("--config", default="mkdocs.yml", help="base MkDocs configuration (default: mkdocs.yml)")


def register(sub) -> None:
    p = sub.add_parser("build", help="build the static site from the catalog",
                       description="Render the catalog to Markdown and build it with MkDocs into --out, atomically.")
    _site_args(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", help="build the site and serve it, rebuilding when the catalog changes",
                       description="Build the site, serve it on a local port and rebuild on every change "
                                   "to the catalog or docs.")
    _site_args(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.set_defaults(func=cmd_serve)
