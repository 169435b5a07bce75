"""Commands that read the catalog and report on it or write what derives from it: validate, export, stats, schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalog import load_taxonomy
from .base import EXIT_OK, EXIT_PROBLEMS, UsageError, catalog_arg, load, load_clean, report, write_output


def cmd_validate(args: argparse.Namespace) -> int:
    catalog, problems = load(args.catalog)
    report(problems, args.format) if (problems or args.format == "json") else None
    if any(p.severity == "error" for p in problems):
        return EXIT_PROBLEMS
    if args.format == "text":
        print(
            f"{args.catalog}: OK ({len(catalog.papers)} papers, {len(catalog.benchmarks)} benchmarks, "
            f"{len(catalog.metrics)} metrics)",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from ..export import export

    catalog = load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    write_output(export(catalog, args.format), args.output)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from ..safe.files import atomic_write_text
    from ..catalog.schema import drifted, render_schemas

    taxonomy, problems = load_taxonomy(args.catalog)
    if taxonomy is None:
        report(problems)
        return EXIT_PROBLEMS
    out = Path(args.out)
    if args.check:
        stale = drifted(out, taxonomy)
        for name in stale:
            print(f"{out / name}: out of date with the models and taxonomy; run 'sokkit schema'")
        return EXIT_PROBLEMS if stale else EXIT_OK
    try:
        for name, text in render_schemas(taxonomy).items():
            atomic_write_text(out / name, text)
            print(f"wrote {out / name}", file=sys.stderr)
    except OSError as exc:
        raise UsageError(f"cannot write schema files to '{out}': {exc.strerror or exc}") from None
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from ..stats import DEFAULT_REFERENCE, ReferenceError, catalog_stats, format_stats, read_reference

    catalog = load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    reference = None
    path = args.reference
    if path is None and DEFAULT_REFERENCE.is_file():
        path = DEFAULT_REFERENCE
    if path is not None and str(path) != "none":
        try:
            reference = read_reference(Path(path))
        except ReferenceError as exc:
            raise UsageError(str(exc)) from None
    stats = catalog_stats(catalog, reference)
    if args.save_coverage:
        if reference is None:
            raise UsageError("--save-coverage needs a reference list (--reference TSV)")
        from ..catalog.results import COVERAGE_FILE, results_dir
        from ..safe.files import atomic_write_text

        saved = {"reference": Path(path).name, **stats["reference_coverage"]}
        target = results_dir(catalog) / COVERAGE_FILE
        atomic_write_text(target, json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {target}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(stats, indent=2))
    else:
        sys.stdout.write(format_stats(stats))
    return EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("validate", help="check every catalog entry and report all problems",
                       description="Check the taxonomy, every entry and the links between entries. "
                                   "Exit 0 when clean, 1 when there are problems, 2 on usage errors.")
    catalog_arg(p, positional=True)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: one 'file:line: problem' per line; json: a list of problem objects")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export", help="export the catalog for other tools",
                       description="Export the papers of a valid catalog.")
    catalog_arg(p)
    p.add_argument("--format", choices=("json", "bibtex", "csl-json", "csv", "graphml"), default="json",
                   help="output format (default: json)")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="count papers by role, intention, family, year and review status",
                       description="Show where the catalog is thick and where it is thin, and how much of a "
                                   "reference list of papers it covers.")
    catalog_arg(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--reference", metavar="TSV",
                   help="reference list (TSV with arxiv and title columns) to measure coverage against; "
                        "default: ../shared/reference/llm-unlearning-papers.tsv when present; 'none' to skip")
    p.add_argument("--save-coverage", action="store_true",
                   help="also write the coverage into <catalog>/results/coverage.json, which the site's home "
                        "page shows (the reference list itself is not shipped)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("schema", help="write the JSON Schema of catalog entries and use cases into schema/",
                       description="Write paper, benchmark, metric and use-case (catalog/use-cases.yaml) JSON "
                                   "Schemas (with the taxonomy's ids as enums) for editors and tools.")
    catalog_arg(p)
    p.add_argument("--out", default="schema", help="folder for the schema files (default: schema)")
    p.add_argument("--check", action="store_true", help="only check that the committed files are up to date")
    p.set_defaults(func=cmd_schema)
