"""How far the intention audit's numbers move between runs that differ only in the
machine: the same code, the same shipped checkpoints and seeds, but other torch thread
counts and other CPU kernel sets (ATEN_CPU_CAPABILITY=avx2 or default makes torch use the
kernels an older CPU would get, so rounding differs as it would there).

    python benchmarks/audit_variation.py [--runs 2:native 1:native 2:avx2 1:default] [--seeds 3] [--keep DIR]

Runs the quick audit once per THREADS:CAPABILITY (two at a time), then writes
catalog/results/variation.json: each run's machine facts, and for every number a claim
can be judged on (each method's gap to the oracle under each attack, its forget and
retain accuracy) the largest difference between the runs. sokkit.claims.MACHINE_TOLERANCE
must be at least that largest difference; a test checks it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUN = """
import json, sys, torch
torch.set_num_threads(int(sys.argv[1]))
from reference_impls import METHODS
from reference_impls.audit import AuditSettings, run_audit
from reference_impls.toyworld import default_world_config
methods = json.loads(sys.argv[3])
result = run_audit(AuditSettings.make(methods, True, int(sys.argv[2])), default_world_config(), log=lambda m: None)
open(sys.argv[4], "w").write(json.dumps(result, default=str))
"""


def numbers(audit: dict) -> dict[str, float]:
    out = {}
    for name, row in [("oracle", audit["oracle"])] + list(audit["methods"].items()):
        out[f"{name}.forget_acc"] = row["forget_acc"]
        out[f"{name}.retain_acc"] = row["retain_acc"]
        for attack, value in row["attacks"].items():
            out[f"{name}.{attack}.gap"] = value["gap"]
    return out


def main() -> int:
    from sokkit.validate import load_catalog
    from sokkit.claims import checkable_claims

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", nargs="+", default=["2:native", "1:native", "2:avx2", "1:default"],
                        help="THREADS:CAPABILITY per run; capability 'native' leaves torch's choice, else "
                             "ATEN_CPU_CAPABILITY (avx2, avx512, default)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per method, as the committed audit")
    parser.add_argument("--keep", help="folder to keep each run's audit.json in")
    parser.add_argument("--out", default=str(ROOT / "catalog" / "results" / "variation.json"))
    args = parser.parse_args()
    catalog, _ = load_catalog(ROOT / "catalog")
    methods = sorted({c.claim.audit.method for c in checkable_claims(catalog)})
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sokkit-variation-"))
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    import os

    def start_run(run: str) -> subprocess.Popen:
        threads, capability = run.split(":")
        env = dict(os.environ)
        env.pop("ATEN_CPU_CAPABILITY", None)
        if capability != "native":
            env["ATEN_CPU_CAPABILITY"] = capability
        out = folder / f"audit-{threads}-{capability}.json"
        if out.exists():  # kept from an earlier invocation with --keep
            return subprocess.Popen([sys.executable, "-c", "pass"])
        return subprocess.Popen([sys.executable, "-c", RUN, threads, str(args.seeds), json.dumps(methods), str(out)],
                                cwd=ROOT, env=env)

    pending, running = list(args.runs), []
    while pending or running:
        while pending and len(running) < 2:
            running.append(start_run(pending.pop(0)))
        proc = running.pop(0)
        if proc.wait() != 0:
            print("an audit run failed", file=sys.stderr)
            return 1
    audits = {r: json.loads((folder / f"audit-{r.replace(':', '-')}.json").read_text()) for r in args.runs}
    values = {r: numbers(a) for r, a in audits.items()}
    first = values[args.runs[0]]
    diffs = {k: max(v[k] for v in values.values()) - min(v[k] for v in values.values()) for k in first}
    largest = sorted(diffs.items(), key=lambda kv: -kv[1])
    record = {
        "command": "python benchmarks/audit_variation.py " + " ".join(sys.argv[1:]),
        "what": "the same quick audit (shipped checkpoints, same seeds) at other torch thread counts and CPU kernel sets",
        "seeds": args.seeds, "methods": methods,
        "runs": [{"run": r, "machine": audits[r]["versions"], "wall_seconds": audits[r]["wall_seconds"]}
                 for r in args.runs],
        "largest_per_run": {r: max(abs(values[r][k] - first[k]) for k in first) for r in args.runs},
        "numbers_compared": len(diffs),
        "numbers_that_differ": sum(1 for d in diffs.values() if d > 1e-9),
        "max_abs_difference": largest[0][1],
        "largest": [{"number": k, "difference": d} for k, d in largest[:15]],
        "wall_seconds": time.perf_counter() - start,
    }
    Path(args.out).write_text(json.dumps(record, indent=2) + "\n")
    print(f"{record['numbers_that_differ']} of {len(diffs)} numbers differ; largest {largest[0][1]:.4f} "
          f"({largest[0][0]}); wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
