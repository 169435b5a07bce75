"""`sokkit verify`: the catalog's claims against the intention audit (sokkit.claims.verify)."""

from __future__ import annotations

import argparse
import sys

from .base import EXIT_OK, EXIT_PROBLEMS, UsageError, catalog_arg, load_clean


def cmd_verify(args: argparse.Namespace) -> int:
    from ..claims.verify import VerifyError, summary_lines, verify

    catalog = load_clean(args.catalog)
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


def register(sub) -> None:
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
    catalog_arg(p)
    p.set_defaults(func=cmd_verify)
