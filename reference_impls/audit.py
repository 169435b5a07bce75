"""The intention audit: does an unlearned model behave like removal or like suppression?

For the base model, several independent oracles (retrains without the forget set, one per
training seed) and each method, the audit measures forget and retain accuracy and attacks
the model:

| attack          | what the attacker does                                        | number reported                    |
|-----------------|---------------------------------------------------------------|------------------------------------|
| no_attack       | asks the forget questions                                     | forget accuracy                    |
| paraphrase      | asks with a held-out question template                        | forget accuracy                    |
| relearn         | fine-tunes on half the forget people (part A), over a grid    | best accuracy on the other half (B) |
| finetune        | fine-tunes on unrelated (retain) data, over a grid            | best forget accuracy               |
| probe           | linear probes on hidden states (layer chosen on retain people) | probe accuracy on forget facts     |
| logit_lens      | reads intermediate layers through the output head             | best layer's first-token accuracy  |
| ablation        | projects out the forget-vs-retain direction at every layer    | forget accuracy                    |
| quant8/4        | round-to-nearest 8-/4-bit weights (Linear and Conv1D)          | forget accuracy                    |
| membership      | loss-based membership inference, forget vs untrained facts    | AUC                                |
| membership_mink | Min-K%++ membership inference, same sets                       | AUC                                |

`no_attack` and `paraphrase` go through the deployed system (prompt prefix, filter) and
are *forgetting checks*; the other attacks hold the weights, so they see the bare model.
The non-members of membership inference are facts of people whose names were trained.

Every number is judged against the **null** of the oracles (`verdicts.py`): the spread of
the same attack on independent retrains. Per attack the outcome is beyond / within /
inconclusive at 95%, with a recovery score (0 as good as retraining, 1 as if nothing was
unlearned); per model the verdict is not-forgotten, suppression-like, removal-like or
inconclusive. Each oracle is itself judged against the null of the others
(leave-one-out), which checks the rule: every oracle should come out removal-like.

Each (model, seed) job runs on one thread, in a pool of worker processes: the numbers do
not depend on how many cores the machine has, only the wall time does. The pool starts
its workers with `spawn`, so a script that calls `run_audit` with more than one worker
needs the usual `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import statistics
import time

from . import ATTACKS, METHODS, method_module
from .attacks import attack_all
from .data import Task
from .model_cache import ORACLE_SEEDS, checkpoint_name, load_or_train, machine_facts, shipped_checkpoint
from .toyworld import World, WorldConfig
from .verdicts import (CONFIDENCE, FORGETTING_CHECKS, RESOLUTION, TWO_SIDED, VERDICTS, judge_attack, judge_model,
                       overall_verdict, rule_text)

# The attacker's fine-tuning budgets, (steps, learning rate): the worst case counts.
QUICK_GRID = ((30, 1e-3), (30, 3e-3))
FULL_GRID = ((30, 1e-3), (30, 3e-3), (100, 1e-3), (100, 3e-3))
METRICS = {a: ("auc" if a in TWO_SIDED else "accuracy") for a in ATTACKS}


@dataclasses.dataclass
class AuditSettings:
    methods: list[str]
    seeds: int = 3
    quick: bool = True
    grid: tuple = QUICK_GRID
    oracles: int = len(ORACLE_SEEDS)
    sequential: int = 0

    @classmethod
    def make(cls, methods, quick: bool, seeds: int | None = None, sequential: int = 0,
             oracles: int | None = None) -> "AuditSettings":
        return cls(list(methods), seeds or 3, quick, QUICK_GRID if quick else FULL_GRID,
                   oracles or len(ORACLE_SEEDS), sequential)

    def check(self) -> None:
        from .config import ConfigError

        if self.seeds < 2:
            raise ConfigError(f"the audit needs at least 2 seeds for a confidence interval (got {self.seeds})")
        if not 3 <= self.oracles <= len(ORACLE_SEEDS):
            raise ConfigError(f"the audit needs 3 to {len(ORACLE_SEEDS)} oracles (each oracle is judged "
                              f"against the null of the others; got {self.oracles})")


# --- one job: a model under every attack ------------------------------------------------------

def measure(system, world: World, forgotten: list[str], grid, seed: int) -> dict:
    from .evaluation import evaluate

    f = evaluate(system, world.qa(forgotten))
    r = evaluate(system, world.qa(world.retain_entities))
    rp = evaluate(system, world.qa(world.retain_entities, held_out=True))
    return {"forget_acc": f["acc"], "forget_prob": f["prob"], "retain_acc": r["acc"], "retain_prob": r["prob"],
            "retain_paraphrase_acc": rp["acc"], "attacks": attack_all(system, world, forgotten, grid, seed)}


# The forget set the methods' default step counts were set on (8 people × 4 facts × 3
# questions). The audit keeps each default's budget in passes over the forget set: a
# method's steps are scaled by (forget questions / this), so that doubling the forget set
# does not halve how often a method sees each forget question. Fixed before any audit of
# the larger world was run; never adjusted per method.
DEFAULTS_FORGET_QUESTIONS = 96


def audit_config(module, seed: int, forget_questions: int):
    """A method's default Config for the audit, its step budget scaled to the forget set."""
    cfg = module.Config(seed=seed, progress=False)
    scale = max(1.0, forget_questions / DEFAULTS_FORGET_QUESTIONS)
    if scale > 1 and hasattr(cfg, "steps"):
        cfg.steps = round(cfg.steps * scale)
        if getattr(cfg, "base_steps", None) == 0:  # UNDO: its base method's default, scaled likewise
            cfg.base_steps = round(method_module(cfg.base_method).Config().steps * scale)
    return cfg


def unlearn_with(name: str, model, tokenizer, world: World, forget_entities: list[str],
                 wrapper_entities: list[str], seed: int):
    import torch

    module = method_module(name)
    cfg = audit_config(module, seed, len(world.qa(forget_entities)))
    task = Task(copy.deepcopy(model), tokenizer, world.qa(forget_entities), world.qa(world.retain_entities),
                list(wrapper_entities))
    torch.manual_seed(seed)
    start = time.perf_counter()
    system = module.unlearn(cfg, task)
    return system, time.perf_counter() - start


def run_job(job: tuple, world_config: WorldConfig, grid) -> dict:
    """('base', seed) | ('oracle', train seed) | ('method', name, seed) -> measurements.
    One thread, so the numbers are the same on every machine with the same kernels."""
    import torch
    from transformers.utils import logging as hf_logging

    from .evaluation import System

    torch.set_num_threads(1)
    hf_logging.disable_progress_bar()  # one "Loading weights" bar per job is noise in the log
    world = World.build(world_config)
    kind = job[0]
    if kind == "oracle":
        model, tok = load_or_train(world, oracle=True, train_seed=job[1], progress=False)
        return measure(System(model, tok), world, world.forget_entities, grid, job[1])
    base, tok = load_or_train(world, oracle=False, train_seed=0, progress=False)
    if kind == "base":
        return measure(System(base, tok), world, world.forget_entities, grid, job[1])
    system, seconds = unlearn_with(job[1], base, tok, world, world.forget_entities, world.forget_entities, job[2])
    return {**measure(system, world, world.forget_entities, grid, job[2]), "unlearn_seconds": seconds}


def run_jobs(jobs: list[tuple], world_config: WorldConfig, grid, workers: int, log) -> dict[tuple, dict]:
    """Every job, in a pool of `workers` processes (in this process when 1)."""
    results: dict[tuple, dict] = {}
    if workers <= 1:
        for job in jobs:
            results[job] = run_job(job, world_config, grid)
            log(f"{_job_name(job)} done")
        return results
    import concurrent.futures
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")  # fork after torch has run threads can hang
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        futures = {pool.submit(run_job, job, world_config, grid): job for job in jobs}
        for future in concurrent.futures.as_completed(futures):
            job = futures[future]
            results[job] = future.result()
            log(f"{_job_name(job)} done")
    return results


def _job_name(job: tuple) -> str:
    return {"oracle": f"oracle (train seed {job[1]})", "base": f"base model (seed {job[1]})"}.get(
        job[0], f"{job[1] if len(job) > 1 else ''} (seed {job[-1]})")


def default_workers() -> int:
    """$SOKKIT_AUDIT_WORKERS, or one per core the process may use."""
    env = os.environ.get("SOKKIT_AUDIT_WORKERS")
    if env:
        return max(1, int(env))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# --- judging ---------------------------------------------------------------------------------

def _mean_std(values: list[float]) -> tuple[float, float]:
    values = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return float("nan"), float("nan")
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def _plain_metrics(per_seed: list[dict]) -> dict:
    row = {}
    for key in ("forget_acc", "forget_prob", "retain_acc", "retain_prob", "retain_paraphrase_acc"):
        row[key], row[key + "_std"] = _mean_std([s[key] for s in per_seed])
    return row


def _attack_record(name: str, values: list[float], oracle_values: list[float], judged) -> dict:
    mean, std = _mean_std(values)
    oracle_mean = statistics.fmean(oracle_values)
    gaps = [v - oracle_mean for v in values]
    return {"metric": METRICS[name], "mean": mean, "std": std, "per_seed": values,
            "oracle_mean": oracle_mean, "oracle_values": oracle_values,
            "gap": mean - oracle_mean, "gap_std": _mean_std(gaps)[1], **judged.as_dict()}


def summarise(intention, per_seed: list[dict], oracles: list[dict], base: list[dict]) -> dict:
    """One model's row: plain metrics, every attack judged against the oracles' null, and the
    verdict."""
    per_attack = {a: ([s["attacks"][a] for s in per_seed], [o["attacks"][a] for o in oracles],
                      [b["attacks"][a] for b in base]) for a in ATTACKS}
    verdict, judged = judge_model(per_attack)
    row = {"intention": intention, **_plain_metrics(per_seed)}
    row["attacks"] = {a: _attack_record(a, per_attack[a][0], per_attack[a][1], judged[a]) for a in ATTACKS}
    row["not_forgotten_by"] = [a for a in FORGETTING_CHECKS if judged[a].outcome == "beyond"]
    row["recovered_by"] = [a for a in ATTACKS if a not in FORGETTING_CHECKS and judged[a].outcome == "beyond"]
    row["inconclusive_on"] = [a for a in ATTACKS if judged[a].outcome == "inconclusive"]
    row["verdict"] = verdict
    return row


def summarise_oracles(oracles: list[dict], seeds: list[int], base: list[dict]) -> dict:
    """The oracles' row: their mean metrics, and each oracle judged against the null of the
    others (leave-one-out): its one value against their prediction band for one more retrain,
    which is what that band is for. The row's verdict is the least removal-like of theirs."""
    row = {"intention": "removal", **_plain_metrics(oracles)}
    row["attacks"] = {}
    for a in ATTACKS:
        values = [o["attacks"][a] for o in oracles]
        mean, std = _mean_std(values)
        row["attacks"][a] = {"metric": METRICS[a], "mean": mean, "std": std, "per_oracle": values,
                             "oracle_mean": mean, "gap": 0.0, "gap_std": std}
    per_oracle = []
    for i, seed in enumerate(seeds):
        others = oracles[:i] + oracles[i + 1:]
        outcomes = {a: judge_attack(a, [oracles[i]["attacks"][a]], [o["attacks"][a] for o in others],
                                    [b["attacks"][a] for b in base], single=True).outcome for a in ATTACKS}
        per_oracle.append({"train_seed": seed, "verdict": overall_verdict(outcomes),
                           "beyond": [a for a, o in outcomes.items() if o == "beyond"],
                           "inconclusive_on": [a for a, o in outcomes.items() if o == "inconclusive"]})
    order = ("not-forgotten", "suppression-like", "inconclusive", "removal-like")
    row["per_oracle"] = per_oracle
    row["verdict"] = min((p["verdict"] for p in per_oracle), key=order.index)
    row["recovered_by"] = sorted({a for p in per_oracle for a in p["beyond"]} - set(FORGETTING_CHECKS))
    row["not_forgotten_by"] = sorted({a for p in per_oracle for a in p["beyond"]} & set(FORGETTING_CHECKS))
    return row


# --- the audit -------------------------------------------------------------------------------

def versions() -> dict:
    import accelerate

    from sokkit import __version__

    return {**machine_facts(), "threads_per_job": 1, "accelerate": accelerate.__version__, "sokkit": __version__}


def settings_record(settings: AuditSettings, world_config: WorldConfig) -> dict:
    """Everything that determines an audit's numbers, as recorded in audit.json; two audits
    with equal records (methods aside) give the same numbers for the same method."""
    record = dataclasses.asdict(settings)
    record["grid"] = [list(g) for g in settings.grid]
    return {**record, "world": dataclasses.asdict(world_config), "attacks": ATTACKS,
            "oracle_seeds": list(ORACLE_SEEDS[:settings.oracles]), "confidence": CONFIDENCE,
            "resolution": RESOLUTION, "two_sided": list(TWO_SIDED), "forgetting_checks": list(FORGETTING_CHECKS),
            "verdicts": list(VERDICTS), "verdict_rule": rule_text(),
            "method_budget": f"default steps × forget questions / {DEFAULTS_FORGET_QUESTIONS} (at least the default)"}


def audit_models(settings: AuditSettings) -> tuple[tuple[str, bool, int], ...]:
    """The checkpoints an audit attacks, as (role, oracle, train seed)."""
    return (("base", False, 0),) + tuple((f"oracle-{s}", True, s) for s in ORACLE_SEEDS[:settings.oracles])


def run_audit(settings: AuditSettings, world_config: WorldConfig = WorldConfig(), log=print,
              workers: int | None = None) -> dict:
    settings.check()
    start = time.perf_counter()
    world = World.build(world_config)
    models = {}
    for role, oracle, seed in audit_models(settings):  # train (and cache) what is missing, once
        load_or_train(world, oracle=oracle, train_seed=seed, progress=False)
        models[role] = {"checkpoint": checkpoint_name(world, oracle, seed),
                        "source": "shipped" if shipped_checkpoint(world, oracle, seed) else "cache"}
    log(f"models ready ({time.perf_counter() - start:.0f}s)")
    seeds = list(range(settings.seeds))
    oracle_seeds = list(ORACLE_SEEDS[:settings.oracles])
    jobs = [("oracle", s) for s in oracle_seeds] + [("base", s) for s in seeds]
    jobs += [("method", m, s) for m in settings.methods for s in seeds]
    done = run_jobs(jobs, world_config, settings.grid, workers or default_workers(), log)
    oracles = [done[("oracle", s)] for s in oracle_seeds]
    base = [done[("base", s)] for s in seeds]
    methods = {}
    for m in settings.methods:
        runs = [done[("method", m, s)] for s in seeds]
        methods[m] = {**summarise(METHODS[m], runs, oracles, base),
                      "unlearn_seconds": _mean_std([r["unlearn_seconds"] for r in runs])[0]}
    result = {
        "settings": settings_record(settings, world_config),
        "seeds": seeds,
        "versions": versions(),
        "models": models,
        "base": summarise(None, base, oracles, base),
        "oracle": summarise_oracles(oracles, oracle_seeds, base),
        "methods": methods,
    }
    if settings.sequential:
        result["sequential"] = run_sequential(settings, world, oracles, base, log)
    result["wall_seconds"] = time.perf_counter() - start
    return result


def run_sequential(settings: AuditSettings, world: World, oracles: list[dict], base_rows: list[dict], log) -> dict:
    """K forget requests one after another, for every seed, audited after each request
    against the oracles restricted to the people forgotten so far. (An oracle trained
    without all forget people is exact for every prefix of requests: it never saw any of
    them, and only the people forgotten so far are scored.) Relearning needs two people, so
    each request has at least two. Per request: means and spreads over seeds, every
    attack's outcome and the verdict, by the same rule as the one-shot audit."""
    import torch

    from .config import ConfigError
    from .evaluation import System

    torch.set_num_threads(1)
    k = settings.sequential
    people = world.forget_entities
    if len(people) < 2 * k:
        raise ConfigError(f"--sequential {k}: each request needs at least two people, and the world has "
                          f"{len(people)} to forget")
    requests = [people[i::k] for i in range(k)]
    base_model, tok = load_or_train(world, oracle=False, train_seed=0, progress=False)
    oracle_seeds = ORACLE_SEEDS[:settings.oracles]
    oracle_models = [load_or_train(world, oracle=True, train_seed=s, progress=False)[0] for s in oracle_seeds]
    seeds = list(range(settings.seeds))
    # the oracles and the base model do not depend on the method: measure them once per request
    prefixes = [sum(requests[:i], []) for i in range(1, k + 1)]
    reference = {}
    for i, forgotten in enumerate(prefixes, 1):
        reference[i] = ([measure(System(om, tok), world, forgotten, settings.grid, s)
                         for om, s in zip(oracle_models, oracle_seeds)],
                        [measure(System(base_model, tok), world, forgotten, settings.grid, 0)])
    out = {}
    for name in settings.methods:
        per_seed: dict[int, list[dict]] = {i: [] for i in range(1, k + 1)}
        for seed in seeds:
            model = base_model
            for i, (request, forgotten) in enumerate(zip(requests, prefixes), 1):
                system, _ = unlearn_with(name, model, tok, world, request, forgotten, seed)
                model = system.model
                per_seed[i].append(measure(system, world, forgotten, settings.grid, seed))
        steps_out = []
        for i, forgotten in enumerate(prefixes, 1):
            o, b = reference[i]
            runs = per_seed[i]
            verdict, judged = judge_model({a: ([r["attacks"][a] for r in runs], [x["attacks"][a] for x in o],
                                               [b[0]["attacks"][a]]) for a in ATTACKS})
            plain = _plain_metrics(runs)
            steps_out.append({"request": i, "forgotten": list(forgotten),
                              "forget_acc": plain["forget_acc"], "forget_acc_std": plain["forget_acc_std"],
                              "retain_acc": plain["retain_acc"], "retain_acc_std": plain["retain_acc_std"],
                              "attacks": {a: [r["attacks"][a] for r in runs] for a in ATTACKS},
                              "outcomes": {a: j.outcome for a, j in judged.items()}, "verdict": verdict})
        out[name] = steps_out
        log(f"sequential: {name} done")
    return out


# --- reports -------------------------------------------------------------------------------

def _rows(result: dict) -> list[tuple[str, dict]]:
    return [("base", result["base"]), ("oracles", result["oracle"])] + list(result["methods"].items())


def _fmt_recovery(record: dict) -> str:
    rec = record.get("recovery") or {}
    if rec.get("score") is None:
        return "n/a"
    return f"{rec['score']:.2f} [{rec['low']:.2f}, {rec['high']:.2f}]"


def markdown_summary(result: dict) -> str:
    s = result["settings"]
    head = (f"# Intention audit\n\nSeeds {result['seeds']}; oracles (train seeds) {s['oracle_seeds']}; "
            f"quick={s['quick']}; attacker's fine-tuning grid (steps, lr) {s['grid']}; versions "
            f"{', '.join(f'{k} {v}' for k, v in result['versions'].items())}; wall time "
            f"{result.get('wall_seconds', float('nan')):.0f}s.\n\n**Rule.** {s['verdict_rule']}\n\n")
    lines = ["| model | intention | forget acc | retain acc | retain acc (paraphrased) | not forgotten on | "
             "recovered beyond the null by | verdict |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, row in _rows(result):
        lines.append(f"| {name} | {row['intention'] or '—'} | {row['forget_acc']:.2f}±{row['forget_acc_std']:.2f} "
                     f"| {row['retain_acc']:.2f}±{row['retain_acc_std']:.2f} "
                     f"| {row['retain_paraphrase_acc']:.2f}±{row['retain_paraphrase_acc_std']:.2f} "
                     f"| {', '.join(row['not_forgotten_by']) or '—'} | {', '.join(row['recovered_by']) or 'none'} "
                     f"| {row['verdict']} |")
    oracle = result["oracle"]
    loo = ["", "Each oracle against the null of the others: " + "; ".join(
        f"train seed {p['train_seed']}: {p['verdict']}" + (f" (beyond on {', '.join(p['beyond'])})" if p["beyond"] else "")
        for p in oracle["per_oracle"]) + "."]
    rec = ["", "Recovery score per attack, 0 = as good as retraining, 1 = as if nothing was unlearned "
               f"({s['confidence']:.0%} interval; n/a where the attack does not separate base and oracles):", "",
           "| model | " + " | ".join(ATTACKS) + " |", "| --- |" + " --- |" * len(ATTACKS)]
    for name, row in [("base", result["base"])] + list(result["methods"].items()):
        rec.append(f"| {name} | " + " | ".join(_fmt_recovery(row["attacks"][a]) for a in ATTACKS) + " |")
    raw = ["", "Mean attacked metric per attack (accuracies; membership: AUC):", "",
           "| model | " + " | ".join(ATTACKS) + " |", "| --- |" + " --- |" * len(ATTACKS)]
    for name, row in _rows(result):
        raw.append(f"| {name} | " + " | ".join(f"{row['attacks'][a]['mean']:.2f}" for a in ATTACKS) + " |")
    seq = []
    if "sequential" in result:
        seq = ["", f"Sequential unlearning over seeds {result['seeds']} (forget acc ± spread / retain acc / "
                   "verdict after each request):", ""]
        for name, steps_ in result["sequential"].items():
            seq.append(f"- {name}: " + "; ".join(f"#{s_['request']} {s_['forget_acc']:.2f}±{s_['forget_acc_std']:.2f}/"
                                                f"{s_['retain_acc']:.2f}/{s_['verdict']}" for s_ in steps_))
    return head + "\n".join(lines + loo + rec + raw + seq) + "\n"


def figure(result: dict, path) -> None:
    """A method × attack heat map of recovery scores; cells whose outcome is within the null
    are hatched, and the verdict is on each row."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rows = [("base", result["base"])] + list(result["methods"].items())
    grid = np.full((len(rows), len(ATTACKS)), np.nan)
    for i, (_, row) in enumerate(rows):
        for j, a in enumerate(ATTACKS):
            score = (row["attacks"][a].get("recovery") or {}).get("score")
            if score is not None:
                grid[i, j] = score
    fig, ax = plt.subplots(figsize=(1.0 * len(ATTACKS) + 3, 0.45 * len(rows) + 1.8))
    image = ax.imshow(np.clip(grid, -0.2, 1.2), cmap="magma_r", vmin=-0.2, vmax=1.2, aspect="auto")
    for i, (_, row) in enumerate(rows):
        for j, a in enumerate(ATTACKS):
            outcome = row["attacks"][a].get("outcome", "")
            text = "n/a" if np.isnan(grid[i, j]) else f"{grid[i, j]:.2f}"
            mark = {"beyond": "▲", "inconclusive": "?", "within": ""}.get(outcome, "")
            ax.text(j, i, text + mark, ha="center", va="center", fontsize=7,
                    color="white" if not np.isnan(grid[i, j]) and grid[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(ATTACKS)))
    ax.set_xticklabels(ATTACKS, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{n} — {r['verdict']}" for n, r in rows], fontsize=8)
    ax.set_title("Recovery score (0 = retrain, 1 = nothing unlearned); ▲ beyond the oracles' null, ? inconclusive",
                 fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.03)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_reports(result: dict, folder) -> None:
    from pathlib import Path

    folder = Path(folder)
    (folder / "audit.json").write_text(json.dumps(result, indent=2, default=_json_default))
    (folder / "summary.md").write_text(markdown_summary(result))
    figure(result, folder / "audit.png")


def _json_default(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(type(value))
