"""The `sokkit` command line.

Exit codes: 0 success, 1 the catalog has problems (or a check failed),
2 usage errors (bad options, missing folders, unwritable output).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .catalog import Catalog, CatalogNotFound, load_catalog, load_taxonomy
from .problems import Problem, to_json

DEFAULT_CATALOG = Path("catalog")
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _load(catalog_dir: Path) -> tuple[Catalog, list[Problem]]:
    try:
        return load_catalog(catalog_dir)
    except CatalogNotFound as exc:
        raise UsageError(f"{exc} (pass the catalog folder, e.g. 'sokkit validate catalog')") from None


def _report(problems: list[Problem], fmt: str = "text") -> None:
    if fmt == "json":
        print(to_json(problems))
        return
    for problem in problems:
        print(problem.format())
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({p.file for p in problems})
    summary = f"{errors} problem{'s' * (errors != 1)}"
    if warnings:
        summary += f" and {warnings} warning{'s' * (warnings != 1)}"
    print(f"{summary} in {files} file{'s' * (files != 1)}", file=sys.stderr)


def _write_output(text: str, out: str | None) -> None:
    if out is None or out == "-":
        sys.stdout.write(text)
        return
    import os
    import stat

    from .fsutil import atomic_write_text

    try:
        info = os.stat(out)
    except OSError:
        info = None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        with open(out, "w", encoding="utf-8") as handle:  # /dev/stdout, a pipe: write into it, never replace it
            handle.write(text)
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(f"cannot write '{out}': it is not a regular file")
    if info is not None and not info.st_mode & 0o222:
        raise UsageError(f"'{out}' is read-only; make it writable or choose another file")
    try:
        atomic_write_text(out, text)
    except OSError as exc:
        raise UsageError(f"cannot write '{out}': {exc.strerror or exc}") from None
    print(f"wrote {out}", file=sys.stderr)


def _load_clean(catalog_dir: Path) -> Catalog | None:
    catalog, problems = _load(catalog_dir)
    if any(p.severity == "error" for p in problems):
        _report(problems)
        print("fix the problems above first (see 'sokkit validate')", file=sys.stderr)
        return None
    return catalog


# --- commands ---------------------------------------------------------------------

def cmd_validate(args: argparse.Namespace) -> int:
    catalog, problems = _load(args.catalog)
    _report(problems, args.format) if (problems or args.format == "json") else None
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
    from .export import EXPORTERS

    catalog = _load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    _write_output(EXPORTERS[args.format](catalog), args.output)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .fsutil import atomic_write_text
    from .schema import drifted, render_schemas

    taxonomy, problems = load_taxonomy(args.catalog)
    if taxonomy is None:
        _report(problems)
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

    from .stats import DEFAULT_REFERENCE, ReferenceError, catalog_stats, format_stats, read_reference

    catalog = _load_clean(args.catalog)
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
    if args.format == "json":
        print(json.dumps(stats, indent=2))
    else:
        sys.stdout.write(format_stats(stats))
    return EXIT_OK


def _papers_dir(catalog_dir: Path) -> Path:
    if not Path(catalog_dir).is_dir():
        raise UsageError(f"catalog folder '{catalog_dir}' does not exist")
    return Path(catalog_dir) / "papers"


def cmd_new(args: argparse.Namespace) -> int:
    from .models import id_problem
    from .scaffold import template, write_new_file

    if id_problem(args.id):
        raise UsageError(id_problem(args.id))
    papers_dir = _papers_dir(args.catalog)
    taxonomy, problems = load_taxonomy(args.catalog)
    if taxonomy is None:
        _report(problems)
        return EXIT_PROBLEMS
    path = papers_dir / f"{args.id}.yaml"
    try:
        write_new_file(path, template(args.id, taxonomy))
    except FileExistsError:
        raise UsageError(f"{path} already exists; choose another id") from None
    print(f"created {path}: fill it in, then run 'sokkit validate' and 'sokkit fmt'", file=sys.stderr)
    return EXIT_OK


def _write_drafts(papers_dir: Path, drafts: list[tuple[str, "object"]], dry_run: bool) -> None:
    """Write every draft or none: render all, write them into a temporary folder, then link
    each into place without replacing anything, undoing the links made if one fails."""
    import shutil
    import tempfile

    from .scaffold import draft_text, link_new_file

    paths = [(papers_dir / f"{entry_id}.yaml", draft_text(paper)) for entry_id, paper in drafts]
    if dry_run:
        for path, _ in paths:
            print(f"would create {path}")
        return
    if not paths:
        return
    try:
        papers_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".sokkit-drafts-", dir=papers_dir))
    except OSError as exc:
        raise UsageError(f"cannot write drafts into '{papers_dir}': {exc.strerror or exc}") from None
    made: list[Path] = []
    try:
        for path, text in paths:
            (staging / path.name).write_text(text, encoding="utf-8")
        for path, _ in paths:
            link_new_file(staging / path.name, path)
            made.append(path)
    except BaseException as exc:
        for path in made:
            path.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise UsageError(f"{exc.filename} already exists; nothing written") from None
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write drafts into '{papers_dir}': {exc.strerror or exc}; nothing written") from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for path in made:
        print(f"created {path}")


def cmd_add(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from .arxiv import ArxivError, lookup
    from .models import Paper, id_problem
    from .scaffold import DuplicateIndex, derive_id, unused_id

    if args.id is not None and id_problem(args.id):  # before the network, and before any path is built from it
        raise UsageError(id_problem(args.id))
    catalog = _load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    try:
        record = lookup(args.reference)
    except ArxivError as exc:
        print(f"sokkit add: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    notes = ["Facts from the arXiv API; classify it and write summary and rationale in your own words."]
    if record.journal_ref:
        notes.append(f"arXiv journal reference: {record.journal_ref} (set venue once confirmed).")
    if record.comment:
        notes.append(f"arXiv comment: {record.comment}")
    data = {
        "title": record.title, "authors": record.authors, "year": record.year,
        "ids": {"arxiv": record.arxiv_id, **({"doi": record.doi} if record.doi else {})},
        "links": {"paper": f"https://arxiv.org/abs/{record.arxiv_id}"},
        "roles": args.role or [],
        "review": {"status": "draft", "checked": ["arxiv-abstract"], "note": " ".join(notes)[:5000]},
    }
    try:
        paper = Paper.model_validate(data, context={"taxonomy": catalog.taxonomy})
    except ValidationError as exc:  # e.g. an author arXiv lists as "Smith, J., Jr."
        first = exc.errors()[0]
        print(f"sokkit add: arXiv's record does not make a valid entry ({'.'.join(map(str, first['loc']))}: "
              f"{first['msg']}); write it with 'sokkit new' instead", file=sys.stderr)
        return EXIT_PROBLEMS
    duplicate = DuplicateIndex.of(catalog).find(paper)
    if duplicate:
        print(f"sokkit add: already in the catalog as {duplicate[0]} (same {duplicate[1]}); nothing written", file=sys.stderr)
        return EXIT_PROBLEMS
    entry_id = args.id or unused_id(derive_id(record.authors, record.year, record.title), set(catalog.papers))
    if args.id and args.id in catalog.papers:
        raise UsageError(f"id '{args.id}' is taken; choose another")
    _write_drafts(_papers_dir(args.catalog), [(entry_id, paper)], args.dry_run)
    return EXIT_OK


def cmd_import_bib(args: argparse.Namespace) -> int:
    from .bibimport import parse_bibtex
    from .scaffold import DuplicateIndex, derive_id, unused_id
    from .yamlsafe import YamlError, decode_utf8

    catalog = _load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    try:
        text = decode_utf8(Path(args.bibfile).read_bytes(), args.bibfile)
    except OSError as exc:
        raise UsageError(f"cannot read '{args.bibfile}': {exc.strerror or exc}") from None
    except YamlError as exc:
        print(f"{exc.path}:{exc.line}: {exc.message}")
        return EXIT_PROBLEMS
    result = parse_bibtex(text, Path(args.bibfile).name)
    for problem in result.problems:
        print(f"{args.bibfile}:{problem.line}: {problem.message}")
    index = DuplicateIndex.of(catalog)
    taken = set(catalog.papers)
    drafts = []
    skipped = 0
    for entry in result.entries:
        duplicate = index.find(entry.paper)
        if duplicate:
            print(f"{args.bibfile}:{entry.line}: @{{{entry.key}}} is already in the catalog as {duplicate[0]} "
                  f"(same {duplicate[1]}); skipped")
            skipped += 1
            continue
        entry_id = unused_id(derive_id(entry.paper.authors, entry.paper.year, entry.paper.title), taken)
        taken.add(entry_id)
        index.add(entry_id, entry.paper)
        drafts.append((entry_id, entry.paper))
    _write_drafts(_papers_dir(args.catalog), drafts, args.dry_run)
    verb = "would create" if args.dry_run else "created"
    print(f"{verb} {len(drafts)} draft entr{'y' if len(drafts) == 1 else 'ies'}; {skipped} duplicate(s) skipped; "
          f"{len(result.problems)} block(s) not imported", file=sys.stderr)
    return EXIT_PROBLEMS if result.problems else EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from .entryfmt import extra_comments, format_entry

    catalog, problems = _load(args.catalog)
    errors = [p for p in problems if p.severity == "error"]
    bad_files = {p.file for p in errors}
    if errors:
        _report(errors)
    selected = {Path(p).resolve() for p in args.paths} if args.paths else None
    status = EXIT_PROBLEMS if errors else EXIT_OK
    changed = 0
    for kind in ("papers", "benchmarks", "metrics"):
        for entry in catalog.entries(kind).values():
            if entry.path in bad_files or (selected is not None and Path(entry.path).resolve() not in selected):
                continue
            current = Path(entry.path).read_text(encoding="utf-8")
            wanted = format_entry(entry.model, kind)
            if current == wanted:
                continue
            comments = extra_comments(current)
            if args.check:
                print(f"{entry.path}: not formatted (run 'sokkit fmt')")
                changed += 1
                continue
            if comments and not args.drop_comments:
                print(f"{entry.path}:{comments[0]}: left alone: it has comments (line{'s' * (len(comments) > 1)} "
                      f"{', '.join(map(str, comments))}) that formatting would drop; remove them or pass --drop-comments")
                status = EXIT_PROBLEMS
                continue
            from .fsutil import atomic_write_text

            try:
                atomic_write_text(entry.path, wanted)
            except OSError as exc:  # a read-only folder: say so, and go on with the others
                print(f"{entry.path}: left alone: cannot write it ({exc.strerror or exc})")
                status = EXIT_USAGE
                continue
            print(f"formatted {entry.path}", file=sys.stderr)
    if args.check and changed:
        status = EXIT_PROBLEMS
    return status


def cmd_graph(args: argparse.Namespace) -> int:
    import json

    from . import graph as g

    catalog = _load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    network = g.build_graph(catalog)
    title = lambda node: network.nodes[node].get("title", node)  # noqa: E731
    try:
        if args.query == "neighbours":
            rows = [{"direction": d, "type": t, "id": n, "title": title(n)} for d, t, n in g.neighbours(network, args.id)]
            lines = [f"{'->' if r['direction'] == 'out' else '<-'} {r['type']:<15} {r['id']}  {r['title']}" for r in rows]
        elif args.query == "lineage":
            rows = [{"distance": d, "id": n, "title": title(n)} for d, n in g.lineage(network, args.id)]
            lines = [f"{'  ' * (r['distance'] - 1)}builds on {r['id']}  {r['title']}" for r in rows]
        elif args.query == "attacked-by":
            rows = [{"id": n, "how": how, "title": title(n)} for n, how in g.attacked_by(network, catalog, args.id)]
            lines = [f"{r['id']} ({r['how']})  {r['title']}" for r in rows]
        elif args.query == "path":
            rows = [{"id": n, "title": title(n)} for n in g.shortest_path(network, args.source, args.target)]
            lines = [f"{i}. {r['id']}  {r['title']}" for i, r in enumerate(rows)] or ["no path"]
        else:
            rows = [{"id": n, "pagerank": round(score, 5), "title": title(n)} for n, score in g.central(network, args.top)]
            lines = [f"{r['pagerank']:.4f}  {r['id']}  {r['title']}" for r in rows]
    except g.UnknownNode as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print("\n".join(lines) if lines else "(none)")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from .verify import VerifyError, summary_lines, verify

    catalog = _load_clean(args.catalog)
    if catalog is None:
        return EXIT_PROBLEMS
    try:
        import reference_impls  # noqa: F401  (needs torch and transformers: the 'impl' extra)
    except ImportError as exc:
        raise UsageError(f"the reference implementations cannot be imported ({exc}); install the 'impl' extra") from None
    argv = ["verify", *args.ids] + (["--quick"] if args.quick else []) + (["--check"] if args.check else [])
    try:
        result, drift = verify(catalog, args.ids, quick=args.quick, seeds=args.seeds, rerun=args.rerun,
                               check=args.check, argv=argv, log=lambda m: print(m, file=sys.stderr))
    except VerifyError as exc:
        raise UsageError(str(exc)) from None
    print("\n".join(summary_lines(result)))
    if args.check:
        for line in drift:
            print(f"drift: {line}")
        print("agrees with the committed results" if not drift else
              f"{len(drift)} claim(s) disagree with the committed results", file=sys.stderr)
        return EXIT_PROBLEMS if drift else EXIT_OK
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from .site import SiteBuildError, UnsafeOutput, build_site, check_out

    try:
        check_out(Path(args.out), [args.catalog, Path(args.docs)])
    except UnsafeOutput as exc:
        raise UsageError(str(exc)) from None
    catalog = _load_clean(args.catalog)
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
    from .site import serve

    return serve(
        args.catalog, Path(args.out), docs_dir=Path(args.docs), config=Path(args.config),
        host=args.host, port=args.port,
    )


# --- parser ------------------------------------------------------------------------

def _catalog_arg(parser: argparse.ArgumentParser, positional: bool = False) -> None:
    if positional:
        parser.add_argument("catalog", nargs="?", type=Path, default=DEFAULT_CATALOG,
                            help="catalog folder (default: catalog)")
    else:
        parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG,
                            help="catalog folder (default: catalog)")


def _site_args(parser: argparse.ArgumentParser) -> None:
    _catalog_arg(parser)
    parser.add_argument("--out", default="site", help="folder for the built site (default: site)")
    parser.add_argument("--docs", default="docs", help="hand-written pages to include (default: docs)")
    parser.add_argument("--config", default="mkdocs.yml", help="base MkDocs configuration (default: mkdocs.yml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sokkit",
        description="A knowledge base of LLM machine unlearning, organised by intention (removal vs suppression).",
    )
    parser.add_argument("--version", action="version", version=f"sokkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check every catalog entry and report all problems",
                       description="Check the taxonomy, every entry and the links between entries. "
                                   "Exit 0 when clean, 1 when there are problems, 2 on usage errors.")
    _catalog_arg(p, positional=True)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: one 'file:line: problem' per line; json: a list of problem objects")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export", help="export the catalog for other tools",
                       description="Export the papers of a valid catalog.")
    _catalog_arg(p)
    p.add_argument("--format", choices=("json", "bibtex", "csl-json", "csv", "graphml"), default="json",
                   help="output format (default: json)")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="count papers by role, intention, family, year and review status",
                       description="Show where the catalog is thick and where it is thin, and how much of a "
                                   "reference list of papers it covers.")
    _catalog_arg(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--reference", metavar="TSV",
                   help="reference list (TSV with arxiv and title columns) to measure coverage against; "
                        "default: ../shared/reference/llm-unlearning-papers.tsv when present; 'none' to skip")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("schema", help="write the JSON Schema of catalog entries into schema/",
                       description="Write paper, benchmark and metric JSON Schemas (with the taxonomy's "
                                   "ids as enums) for editors and tools.")
    _catalog_arg(p)
    p.add_argument("--out", default="schema", help="folder for the schema files (default: schema)")
    p.add_argument("--check", action="store_true", help="only check that the committed files are up to date")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("new", help="scaffold a commented paper entry with every field",
                       description="Create catalog/papers/ID.yaml from a template that lists every field and "
                                   "its allowed values. Refuses to overwrite an existing entry.")
    p.add_argument("id", help="the new entry's id, e.g. zhang-2024-npo")
    _catalog_arg(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("add", help="create a draft entry from a paper's arXiv record",
                       description="Fetch title, authors, year and DOI from the arXiv API and write a draft "
                                   "entry. Refuses papers already in the catalog. Needs the network.")
    p.add_argument("reference", help="arXiv id or URL, e.g. 2404.05868 or https://arxiv.org/abs/2404.05868")
    p.add_argument("--role", action="append", metavar="ROLE", help="the paper's role (repeatable), e.g. method")
    p.add_argument("--id", help="entry id (default: <first author>-<year>-<keyword>)")
    p.add_argument("--dry-run", action="store_true", help="show what would be created, write nothing")
    _catalog_arg(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("import-bib", help="create draft entries from a BibTeX file",
                       description="Turn the entries of a .bib file into draft catalog entries. Blocks that "
                                   "cannot be parsed are reported with their line; papers already in the "
                                   "catalog (same arXiv id, DOI or title) are reported and skipped.")
    p.add_argument("bibfile", help="the .bib file")
    p.add_argument("--dry-run", action="store_true", help="show what would be created, write nothing")
    _catalog_arg(p)
    p.set_defaults(func=cmd_import_bib)

    p = sub.add_parser("fmt", help="normalise the formatting of entries",
                       description="Rewrite entries in canonical form (key order, quoting, folding) so that "
                                   "pull-request diffs stay small. Idempotent; never changes an entry's data.")
    p.add_argument("paths", nargs="*", help="entry files to format (default: every entry of the catalog)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if any entry is not formatted")
    p.add_argument("--drop-comments", action="store_true", help="format files even if their comments are lost")
    _catalog_arg(p)
    p.set_defaults(func=cmd_fmt)

    p = sub.add_parser("graph", help="query the graph of papers and relations",
                       description="Neighbours, lineage (what a method builds on, transitively), what attacked "
                                   "a method, shortest paths, and the most central papers.")
    queries = p.add_subparsers(dest="query", metavar="QUERY", required=True)
    q = queries.add_parser("neighbours", help="every relation into and out of a paper")
    q.add_argument("id", help="paper id")
    q = queries.add_parser("lineage", help="what a paper builds on, transitively")
    q.add_argument("id", help="paper id")
    q = queries.add_parser("attacked-by", help="papers that attack a method or are its evidence")
    q.add_argument("id", help="paper id")
    q = queries.add_parser("path", help="the shortest chain of relations between two papers")
    q.add_argument("source", help="paper id")
    q.add_argument("target", help="paper id")
    q = queries.add_parser("central", help="papers ranked by PageRank over relations")
    q.add_argument("--top", type=int, default=10, help="how many to show (default: 10)")
    for q in queries.choices.values():
        _catalog_arg(q)
        q.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("verify", help="check the catalog's claims against the intention audit on the toy world",
                       description="Run the audits that claims' audit specs need (reusing committed results with "
                                   "identical settings) and record for each claim whether the toy world reproduces "
                                   "it, in catalog/results/. Needs the 'impl' extra (torch).")
    p.add_argument("ids", nargs="*", help="paper ids or paper:claim ids (default: every claim with an audit spec)")
    p.add_argument("--quick", action="store_true", help="the quick audit settings (fewer steps; minutes on a CPU)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per method (default: 3)")
    p.add_argument("--rerun", action="store_true", help="run the audit even if committed results have the same settings")
    p.add_argument("--check", action="store_true",
                   help="check that the committed statuses follow from the committed audit, rerun it with the committed "
                        "settings and exit 1 on a disagreement (any change on the machine that made the results; a "
                        "reproduced/not-reproduced contradiction elsewhere); writes nothing")
    _catalog_arg(p)
    p.set_defaults(func=cmd_verify)

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
    from .impl_cli import register_impl_commands
    register_impl_commands(sub)
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
