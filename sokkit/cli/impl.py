"""The `sokkit run` and `sokkit audit` commands (reference implementations).

torch and the reference implementations are imported inside the commands, so the rest of
the command line works without the `impl` extra installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .base import UsageError

EXIT_OK, EXIT_FAILED = 0, 1


def _import_reference_impls():
    """reference_impls sits next to the sokkit package in the repository."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise UsageError("the reference implementations need torch: run 'make setup' "
                         "(or pip install -e '.[impl]')") from None
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path and (Path(root) / "reference_impls").is_dir():
        sys.path.insert(0, root)
    import reference_impls

    return reference_impls


def _method_names() -> list[str]:
    # reference_impls' top level imports no torch, so --help works without it.
    from reference_impls import METHODS

    return list(METHODS)


def _toy_world():
    from reference_impls.toyworld import default_world_config

    try:
        return default_world_config()
    except (ValueError, TypeError) as exc:
        raise UsageError(f"SOKKIT_TOY_WORLD is not a JSON object of WorldConfig fields: {exc}") from None


def cmd_run(args: argparse.Namespace) -> int:
    impls = _import_reference_impls()
    try:
        module = impls.method_module(args.method)
    except KeyError:
        raise UsageError(f"unknown method '{args.method}' (allowed: {', '.join(impls.METHODS)})") from None
    from reference_impls.cli import run_method

    return run_method(module, args.method_args)


def cmd_audit(args: argparse.Namespace) -> int:
    impls = _import_reference_impls()
    methods = []
    for name in args.methods or list(impls.METHODS):
        key = name.replace("-", "_")
        if key not in impls.METHODS:
            raise UsageError(f"unknown method '{name}' in --methods (allowed: {', '.join(impls.METHODS)})")
        methods.append(key)
    if args.seeds is not None and args.seeds < 1:
        raise UsageError(f"--seeds must be at least 1 (got {args.seeds})")
    if args.sequential < 0:
        raise UsageError(f"--sequential must be 0 (off) or a number of requests (got {args.sequential})")
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out '{out}' already exists and is not an empty folder; choose a new one")
    if not out.resolve().parent.is_dir():
        raise UsageError(f"--out '{out}': parent folder does not exist")
    world = _toy_world()
    if args.sequential > world.n_forget:
        raise UsageError(f"--sequential {args.sequential} exceeds the {world.n_forget} forget people of the toy world")

    from reference_impls.audit import AuditSettings, run_audit, write_reports
    from reference_impls.config import ConfigError, Diverged

    settings = AuditSettings.make(methods, args.quick, args.seeds, args.sequential)
    log = (lambda msg: print(f"sokkit audit: {msg}", file=sys.stderr))
    try:
        result = run_audit(settings, world, log=log)
    except (ConfigError, Diverged) as exc:
        print(f"sokkit audit: {exc}", file=sys.stderr)
        return EXIT_FAILED
    # Write everything into a temporary sibling and move it into place: no half-written output.
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.resolve().parent))
    try:
        write_reports(result, tmp)
        if out.exists():
            out.rmdir()
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(f"cannot write the audit to '{out}': {exc.strerror or exc}") from None
    print((out / "summary.md").read_text())
    print(f"sokkit audit: wrote {out}/audit.json, summary.md, audit.png", file=sys.stderr)
    return EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("run", help="run one reference unlearning method",
                       description="Run one reference implementation (on the toy world by default, or on a "
                                   "local AutoModelForCausalLM with --model, --forget, --retain). Options after "
                                   "the method name go to the method; see 'sokkit run METHOD --help'. "
                                   "Exit 0 on success, 1 when training diverged, 2 on usage errors.")
    p.add_argument("method", metavar="METHOD", help="one of: " + ", ".join(_method_names()))
    p.add_argument("method_args", nargs=argparse.REMAINDER, help="options of the method")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("audit", help="the intention audit: removal-like or suppression-like?",
                       description="Unlearn the toy world's forget set with each method, attack the results "
                                   "and compare with the attacked oracle; writes audit.json, summary.md and "
                                   "audit.png into --out.")
    p.add_argument("--methods", nargs="+", metavar="METHOD",
                   help="methods to audit (default: all): " + ", ".join(_method_names()))
    p.add_argument("--quick", action="store_true", help="fewer attack steps and 2 seeds (default 3 seeds)")
    p.add_argument("--seeds", type=int, help="number of seeds (unlearning and attack randomness)")
    p.add_argument("--sequential", type=int, default=0, metavar="K",
                   help="also apply K forget requests one after another and audit after each")
    p.add_argument("--out", required=True, help="folder for the reports (must not exist or be empty)")
    p.set_defaults(func=cmd_audit)
