"""Commands that create and format entries: new, add, import-bib, fmt (sokkit.contribute)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalog import load_taxonomy
from .base import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, catalog_arg, load, load_clean, report


def _papers_dir(catalog_dir: Path) -> Path:
    if not Path(catalog_dir).is_dir():
        raise UsageError(f"catalog folder '{catalog_dir}' does not exist")
    return Path(catalog_dir) / "papers"


def cmd_new(args: argparse.Namespace) -> int:
    from ..catalog.models import id_problem
    from ..contribute.scaffold import template, write_new_file

    if id_problem(args.id):
        raise UsageError(id_problem(args.id))
    papers_dir = _papers_dir(args.catalog)
    taxonomy, problems = load_taxonomy(args.catalog)
    if taxonomy is None:
        report(problems)
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

    from ..contribute.scaffold import draft_text, link_new_file

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

    from ..contribute.arxiv import ArxivError, lookup
    from ..catalog.models import Paper, id_problem
    from ..contribute.scaffold import DuplicateIndex, derive_id, unused_id

    if args.id is not None and id_problem(args.id):  # before the network, and before any path is built from it
        raise UsageError(id_problem(args.id))
    catalog = load_clean(args.catalog)
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
    from ..contribute.bibimport import parse_bibtex
    from ..contribute.scaffold import DuplicateIndex, derive_id, unused_id
    from ..catalog.yamlsafe import YamlError, decode_utf8

    catalog = load_clean(args.catalog)
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
    from ..contribute.entryfmt import extra_comments, format_entry

    catalog, problems = load(args.catalog)
    errors = [p for p in problems if p.severity == "error"]
    bad_files = {p.file for p in errors}
    if errors:
        report(errors)
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
            from ..safe.files import atomic_write_text

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


def register(sub) -> None:
    p = sub.add_parser("new", help="scaffold a commented paper entry with every field",
                       description="Create catalog/papers/ID.yaml from a template that lists every field and "
                                   "its allowed values. Refuses to overwrite an existing entry.")
    p.add_argument("id", help="the new entry's id, e.g. zhang-2024-npo")
    catalog_arg(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("add", help="create a draft entry from a paper's arXiv record",
                       description="Fetch title, authors, year and DOI from the arXiv API and write a draft "
                                   "entry. Refuses papers already in the catalog. Needs the network.")
    p.add_argument("reference", help="arXiv id or URL, e.g. 2404.05868 or https://arxiv.org/abs/2404.05868")
    p.add_argument("--role", action="append", metavar="ROLE", help="the paper's role (repeatable), e.g. method")
    p.add_argument("--id", help="entry id (default: <first author>-<year>-<keyword>)")
    p.add_argument("--dry-run", action="store_true", help="show what would be created, write nothing")
    catalog_arg(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("import-bib", help="create draft entries from a BibTeX file",
                       description="Turn the entries of a .bib file into draft catalog entries. Blocks that "
                                   "cannot be parsed are reported with their line; papers already in the "
                                   "catalog (same arXiv id, DOI or title) are reported and skipped.")
    p.add_argument("bibfile", help="the .bib file")
    p.add_argument("--dry-run", action="store_true", help="show what would be created, write nothing")
    catalog_arg(p)
    p.set_defaults(func=cmd_import_bib)

    p = sub.add_parser("fmt", help="normalise the formatting of entries",
                       description="Rewrite entries in canonical form (key order, quoting, folding) so that "
                                   "pull-request diffs stay small. Idempotent; never changes an entry's data.")
    p.add_argument("paths", nargs="*", help="entry files to format (default: every entry of the catalog)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if any entry is not formatted")
    p.add_argument("--drop-comments", action="store_true", help="format files even if their comments are lost")
    catalog_arg(p)
    p.set_defaults(func=cmd_fmt)
