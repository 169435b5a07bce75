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


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out '{out}' already exists and is not an empty folder; choose a new one")
    if not out.resolve().parent.is_dir():
        raise UsageError(f"--out '{out}': parent folder does not exist")


def _write_atomically(out: Path, write) -> None:
    """Write everything into a temporary sibling and move it into place: no half-written output."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.resolve().parent))
    try:
        write(tmp)
        if out.exists():
            out.rmdir()
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(f"cannot write the audit to '{out}': {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _publish(out: Path, write, files: str) -> int:
    """Write the reports atomically into `out`, show the summary, name what was written."""
    _write_atomically(out, write)
    print((out / "summary.md").read_text())
    print(f"sokkit audit: wrote {out}/{files}", file=sys.stderr)
    return EXIT_OK


TOY_ONLY = ("methods", "seeds", "oracles", "sequential", "workers")
CHECKPOINT_ONLY = ("base", "oracle", "forget", "retain", "holdout", "paraphrases")


def cmd_checkpoint_audit(args: argparse.Namespace) -> int:
    _import_reference_impls()
    given = [f"--{name}" for name in TOY_ONLY if getattr(args, name) not in (None, 0, [])]
    if given or args.quick:
        raise UsageError(f"{', '.join(given + (['--quick'] if args.quick else []))}: toy-world options; "
                         "with --model the audit attacks your checkpoints")
    if args.attack_steps < 1 or any(not 0 < lr < 1 for lr in args.attack_lrs):
        raise UsageError("--attack-steps must be at least 1 and every --attack-lrs value between 0 and 1")
    missing = [f"--{name}" for name in ("base", "forget", "retain") if not getattr(args, name)]
    if missing:
        raise UsageError(f"with --model, also give {', '.join(missing)} (see 'sokkit audit --help')")
    out = Path(args.out)
    resolved = {Path(p).resolve() for p in [args.model, args.base, *(args.oracle or [])]}
    if out.resolve() in resolved:
        raise UsageError(f"--out '{out}' is one of the input models; choose a new folder")
    _check_out(out)
    from reference_impls.checkpoint_audit import CheckpointData, audit_checkpoints, write_reports
    from reference_impls.config import ConfigError, Diverged

    log = (lambda msg: print(f"sokkit audit: {msg}", file=sys.stderr))
    try:
        data = CheckpointData.load(args.forget, args.retain, args.holdout, args.paraphrases)
        result = audit_checkpoints(args.model, args.base, args.oracle or [], data, dtype=args.dtype,
                                   score=args.score, grid=tuple((args.attack_steps, lr) for lr in args.attack_lrs),
                                   chat_template=args.chat_template, device_map=args.device_map, log=log)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    except Diverged as exc:
        print(f"sokkit audit: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return _publish(out, lambda folder: write_reports(result, folder), "audit.json, summary.md")


def cmd_audit(args: argparse.Namespace) -> int:
    if args.model:
        return cmd_checkpoint_audit(args)
    given = [f"--{name}" for name in CHECKPOINT_ONLY if getattr(args, name)]
    if given:
        raise UsageError(f"{', '.join(given)}: options of the checkpoint audit; give --model too")
    impls = _import_reference_impls()
    methods = []
    for name in args.methods or list(impls.METHODS):
        key = name.replace("-", "_")
        if key not in impls.METHODS:
            raise UsageError(f"unknown method '{name}' in --methods (allowed: {', '.join(impls.METHODS)})")
        methods.append(key)
    if args.seeds is not None and args.seeds < 2:
        raise UsageError(f"--seeds must be at least 2: the verdicts need a confidence interval over seeds "
                         f"(got {args.seeds})")
    from reference_impls.model_cache import ORACLE_SEEDS

    if args.oracles is not None and not 3 <= args.oracles <= len(ORACLE_SEEDS):
        raise UsageError(f"--oracles must be 3 to {len(ORACLE_SEEDS)}: each oracle is judged against the "
                         f"null of the others (got {args.oracles})")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {args.workers})")
    if args.sequential < 0:
        raise UsageError(f"--sequential must be 0 (off) or a number of requests (got {args.sequential})")
    out = Path(args.out)
    _check_out(out)
    world = _toy_world()
    if 2 * args.sequential > world.n_forget:
        raise UsageError(f"--sequential {args.sequential}: each request needs at least two people (relearning "
                         f"trains on some and scores the others), and the toy world has {world.n_forget} to forget")

    from reference_impls.audit import AuditSettings, run_audit, write_reports
    from reference_impls.config import ConfigError, Diverged

    settings = AuditSettings.make(methods, args.quick, args.seeds, args.sequential, args.oracles)
    log = (lambda msg: print(f"sokkit audit: {msg}", file=sys.stderr))
    try:
        result = run_audit(settings, world, log=log, workers=args.workers)
    except (ConfigError, Diverged) as exc:
        print(f"sokkit audit: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return _publish(out, lambda folder: write_reports(result, folder), "audit.json, summary.md, audit.png")


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
                                   "and judge them against the null of independent oracles; writes audit.json, "
                                   "summary.md and audit.png into --out.")
    p.add_argument("--methods", nargs="+", metavar="METHOD",
                   help="methods to audit (default: all): " + ", ".join(_method_names()))
    p.add_argument("--quick", action="store_true",
                   help="the attacker's small fine-tuning grid (2 budgets instead of 4)")
    p.add_argument("--seeds", type=int, help="number of seeds per method, at least 2 (default 3)")
    p.add_argument("--oracles", type=int, help="independent oracles for the null, 3 to 5 (default 5)")
    p.add_argument("--workers", type=int,
                   help="worker processes (default: one per core; the numbers do not depend on it)")
    p.add_argument("--sequential", type=int, default=0, metavar="K",
                   help="also apply K forget requests one after another and audit after each")
    g = p.add_argument_group("your own checkpoints (instead of the toy world)")
    g.add_argument("--model", metavar="DIR", help="the unlearned model: a local causal LM folder (config.json, "
                   "weights and tokenizer files)")
    g.add_argument("--base", metavar="DIR", help="the model it was unlearned from")
    g.add_argument("--oracle", metavar="DIR", action="append",
                   help="a model trained without the forget set (repeat for several; two or more give a null spread)")
    g.add_argument("--forget", metavar="F.jsonl", help='forget questions, one {"question": ..., "answer": ...} per line')
    g.add_argument("--retain", metavar="R.jsonl", help="retain questions (fine-tuning attack, ablation direction)")
    g.add_argument("--holdout", metavar="H.jsonl", help="never-trained questions (membership inference)")
    g.add_argument("--paraphrases", metavar="P.jsonl", help="paraphrased forget questions")
    g.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"],
                   help="dtype the models are loaded in (default float32)")
    g.add_argument("--score", default="prob", choices=["prob", "acc", "rouge", "contains"],
                   help="prob: the reference answer's probability (default); acc: the exact answer; "
                        "rouge: ROUGE-L recall of the generated answer; contains: the generation contains it")
    g.add_argument("--device-map", choices=["auto"],
                   help="auto: let accelerate spread each model over the GPUs (models larger than one GPU)")
    g.add_argument("--chat-template", action="store_true",
                   help="wrap each question in the base model's chat template (instruction-tuned models)")
    g.add_argument("--attack-steps", type=int, default=30, metavar="N",
                   help="steps of the relearning and fine-tuning attacks (default 30)")
    g.add_argument("--attack-lrs", type=float, nargs="+", default=[1e-5, 3e-5], metavar="LR",
                   help="learning rates the attacks try; the worst case counts (default 1e-5 3e-5)")
    p.add_argument("--out", required=True, help="folder for the reports (must not exist or be empty)")
    p.set_defaults(func=cmd_audit)
