"""Per-method optimisation-step time (as a ratio to a plain fine-tuning step) and peak
memory of the reference implementations, on the toy world.

    python benchmarks/impl_step_time.py                       # every method class, defaults below
    python benchmarks/impl_step_time.py --methods npo rmu --steps 40 --rounds 5

How a step is timed, without re-implementing any loss: every method file imports
`step` (backward, clipping, optimizer step) from `training.py` and calls it once per loop
iteration. In a worker process this script replaces the module's `step` name with a
wrapper that calls the real one and records the time, then runs the method's own
`unlearn(cfg, task)` with its own default `Config` (only `steps`, `progress` and
`max_loss` changed). The time between two consecutive steps is one whole iteration:
drawing and tokenising the batch, the forward pass(es), the loss, backward and the
optimizer step. The first `--warmup` iterations are dropped.

The baseline is a plain fine-tuning step written with the same helpers (`encode`,
`token_nll`, `check_loss`, `step`) on the same batches the methods draw
(`forget_retain_batches`, `--batch-size` forget rows + as many retain rows, same seed):
cross-entropy on the answers, nothing else. A second baseline row trains on the forget
rows of that batch only (half as many rows), to show how much of a ratio is rows, not
method. Each worker alternates `--rounds` times between a fresh copy of the base model
under the method and a fresh copy under the baseline, and the ratio is the median method
step over the median baseline step, both measured in that same process.

Memory: each method runs in its own subprocess; `ru_maxrss` is read just before the
first `unlearn` and after it, so the peak and its increase belong to that method alone.
Whether a method holds a frozen reference model is read off the code, too: the worker
counts calls to `training.frozen_copy`. Methods whose `unlearn` never calls `step`
(prompting, output filter) are listed as having no training step.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- hyper-parameters / options ----------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--methods", nargs="*", default=None,
                   help="rows to run (default: the baselines and every method in reference_impls.METHODS; "
                        "grad_ascent is run once per regularizer as grad_ascent:none/graddiff/kl)")
    p.add_argument("--steps", type=int, default=30, help="timed steps per round, after the warm-up")
    p.add_argument("--warmup", type=int, default=5, help="steps per round dropped before timing")
    p.add_argument("--rounds", type=int, default=5,
                   help="method/baseline alternations per worker (each on a fresh copy of the base model)")
    p.add_argument("--batch-size", type=int, default=16,
                   help="forget examples per step (and as many retain examples), for every method and the baseline")
    p.add_argument("--seed", type=int, default=0, help="seed of the methods' batches and random directions")
    p.add_argument("--threads", type=int, default=1,
                   help="torch intra-op threads in each worker (1: steadier timings on a shared 2-core machine)")
    p.add_argument("--one-model-target", type=float, default=1.3, help="target ratio for one-model methods")
    p.add_argument("--reference-target", type=float, default=1.7,
                   help="target ratio for methods with a frozen reference model")
    p.add_argument("--json", default="", help="also write the raw results to this file")
    p.add_argument("--worker", default="", help=argparse.SUPPRESS)  # internal: measure one row, print JSON
    return p.parse_args(argv)


BASELINE = "finetune"             # CE on the answers of the whole batch (forget + retain rows)
BASELINE_FORGET = "finetune:forget"  # CE on the forget rows of that batch only


def default_rows() -> list[str]:
    from reference_impls import METHODS

    rows = [BASELINE, BASELINE_FORGET]
    for name in METHODS:
        rows += [f"grad_ascent:{r}" for r in ("none", "graddiff", "kl")] if name == "grad_ascent" else [name]
    return rows


# --- the worker: one row, one process --------------------------------------------------------

def load_task(seed: int):
    """The toy world's cached base model and its forget/retain QA, as `load_task` builds them."""
    import torch

    from reference_impls.data import Task
    from reference_impls.model_cache import load_or_train
    from reference_impls.toyworld import World, default_world_config

    torch.manual_seed(seed)
    world = World.build(default_world_config())
    model, tokenizer = load_or_train(world, oracle=False, train_seed=0, progress=False)
    return Task(model, tokenizer, world.qa(world.forget_entities), world.qa(world.retain_entities),
                list(world.forget_entities))


class StepClock:
    """Wraps `training.step`: calls it, then records the time."""

    def __init__(self, real_step):
        self.real_step, self.stamps = real_step, []

    def __call__(self, *args, **kwargs):
        self.real_step(*args, **kwargs)
        self.stamps.append(time.perf_counter())

    def step_times(self, warmup: int) -> list[float]:
        gaps = [b - a for a, b in zip(self.stamps, self.stamps[1:])]
        return gaps[warmup:]


def finetune(cfg, task, clock: StepClock, forget_only: bool) -> None:
    """A plain fine-tuning loop: cross-entropy on the answers of the methods' batches."""
    from reference_impls.data import encode, forget_retain_batches
    from reference_impls.losses import token_nll
    from reference_impls.training import batch_seed, check_loss, prepare_training

    acc, model, optimizer = prepare_training(cfg, task.model)
    batches = forget_retain_batches(task.forget, task.retain, cfg.batch_size, batch_seed(cfg))
    for i in range(cfg.steps):
        pairs, n_forget = next(batches)
        batch = encode(task.tokenizer, pairs[:n_forget] if forget_only else pairs, acc.device)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        loss = token_nll(logits, batch["labels"])
        check_loss(loss, i, cfg, "finetune")
        clock(acc, model, optimizer, loss, cfg)


def run_once(row: str, args, task) -> dict:
    """Run one row on `task` for warmup + steps steps; the step times and the models it held."""
    from reference_impls import config, method_module, training

    n = args.warmup + args.steps + 1  # gaps between n stamps: warmup + steps timed gaps
    clock = StepClock(training.step)
    start = time.perf_counter()
    if row in (BASELINE, BASELINE_FORGET):
        cfg = config.CommonConfig(steps=n, batch_size=args.batch_size, seed=args.seed, progress=False)
        finetune(cfg, task, clock, forget_only=row == BASELINE_FORGET)
        refs = 0
    else:
        name, _, regularizer = row.partition(":")
        module = method_module(name)
        cfg = module.Config(steps=n, batch_size=args.batch_size, seed=args.seed, progress=False,
                            max_loss=float("inf"))  # timing only: let plain ascent run on
        if regularizer:
            cfg.regularizer = regularizer
        copies = []
        real_copy = module.__dict__.get("frozen_copy")
        patched = {"step": clock}
        if real_copy is not None:
            patched["frozen_copy"] = lambda *a, **k: copies.append(1) or real_copy(*a, **k)
        saved = {k: module.__dict__.get(k) for k in patched}
        module.__dict__.update(patched)
        try:
            module.unlearn(cfg, task)
        finally:
            for k, v in saved.items():
                if v is None:
                    module.__dict__.pop(k, None)
                else:
                    module.__dict__[k] = v
        refs = len(copies)
    first = clock.stamps[0] - start if clock.stamps else None
    return {"times": clock.step_times(args.warmup), "steps_called": len(clock.stamps),
            "reference_models": refs, "before_first_step_s": first}


def worker(args) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    row = args.worker
    task = load_task(args.seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    first = run_once(row, args, task)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"row": row, "rss_before_mb": rss_before / 1024, "rss_peak_mb": rss_after / 1024,
              "rss_increase_mb": (rss_after - rss_before) / 1024,
              "reference_models": first["reference_models"],
              "before_first_step_s": first["before_first_step_s"],
              "trains": first["steps_called"] > 0}
    if not result["trains"]:
        return result
    method_times, base_times = list(first["times"]), []
    for r in range(args.rounds):
        if r > 0:
            method_times += run_once(row, args, load_task(args.seed))["times"]
        base_times += run_once(BASELINE, args, load_task(args.seed))["times"]
    m, b = statistics.median(method_times), statistics.median(base_times)
    result.update(step_ms=m * 1e3, baseline_step_ms=b * 1e3, ratio=m / b,
                  step_ms_iqr=_iqr(method_times) * 1e3, n_steps=len(method_times))
    return result


def _iqr(xs: list[float]) -> float:
    q = statistics.quantiles(xs, n=4)
    return q[2] - q[0]


# --- the driver ---------------------------------------------------------------------------------

def run_worker_process(row: str, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", row,
           "--steps", str(args.steps), "--warmup", str(args.warmup), "--rounds", str(args.rounds),
           "--batch-size", str(args.batch_size), "--seed", str(args.seed), "--threads", str(args.threads)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"worker for {row} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def versions() -> str:
    import accelerate
    import torch
    import transformers

    return (f"python {platform.python_version()}, torch {torch.__version__}, transformers "
            f"{transformers.__version__}, accelerate {accelerate.__version__}")


def table(results: list[dict], args) -> str:
    lines = ["| method | frozen reference models | step (ms) | IQR (ms) | fine-tune step (ms) | ratio | target | "
             "meets target | before first step (s) | peak RSS (MB) | RSS increase (MB) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
    for r in results:
        mem = f"{r['rss_peak_mb']:.0f} | {r['rss_increase_mb']:.1f}"
        if not r["trains"]:
            lines.append(f"| {r['row']} | 0 | no training step | | | | | | | {mem} |")
            continue
        if r["row"] in (BASELINE, BASELINE_FORGET):
            target, meets = "—", "baseline" if r["row"] == BASELINE else "—"
        else:
            t = args.reference_target if r["reference_models"] else args.one_model_target
            target, meets = f"≤ {t:g}", "yes" if r["ratio"] <= t else "**no**"
        lines.append(f"| {r['row']} | {r['reference_models']} | {r['step_ms']:.1f} | {r['step_ms_iqr']:.1f} | "
                     f"{r['baseline_step_ms']:.1f} | {r['ratio']:.2f} | {target} | {meets} | "
                     f"{r['before_first_step_s']:.2f} | {mem} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    rows = args.methods or default_rows()
    print(f"{versions()}, torch threads per worker {args.threads}, seed {args.seed}, batch "
          f"{args.batch_size} forget + {args.batch_size} retain rows, {args.warmup} warm-up + {args.steps} timed "
          f"steps x {args.rounds} rounds", flush=True)
    results, start = [], time.perf_counter()
    for row in rows:
        r = run_worker_process(row, args)
        results.append(r)
        what = f"{r['step_ms']:.1f} ms, ratio {r['ratio']:.2f}" if r["trains"] else "no training step"
        print(f"  {row:<22} {what}, peak RSS {r['rss_peak_mb']:.0f} MB (+{r['rss_increase_mb']:.1f})", flush=True)
    print(f"wall time {time.perf_counter() - start:.0f} s\n")
    print(table(results, args))
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "versions": versions(), "results": results},
                                              indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
