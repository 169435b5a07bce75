"""The intention audit: does an unlearned model behave like removal or like suppression?

For the base model, the oracle (an independent retrain without the forget set) and each
method, the audit measures forget/retain accuracy and attacks the model:

| attack      | what the attacker does                                  | number reported                 |
|-------------|---------------------------------------------------------|---------------------------------|
| no_attack   | asks the forget questions                              | forget accuracy                 |
| paraphrase  | asks with a held-out question template                  | forget accuracy                 |
| relearn     | fine-tunes on half the forget people (part A)           | accuracy on the other half (B)  |
| finetune    | fine-tunes on unrelated (retain) data                   | forget accuracy                 |
| probe       | linear probe on hidden states, trained on retain facts  | probe accuracy on forget facts  |
| quant8/4    | round-to-nearest 8-/4-bit weights                        | forget accuracy                 |
| membership  | loss-based membership inference, forget vs never-seen   | AUC                             |

`no_attack` and `paraphrase` go through the deployed system (prompt prefix, filter);
the other attacks hold the weights, so they see the bare model. A result is compared with
the *reference oracle* (the oracle trained with seed 0) under the same attack and seed:

    gap = metric(method, attacked) − metric(reference oracle, attacked)

A method is `suppression-like` when for some attack the mean gap over seeds exceeds the
threshold in THRESHOLDS (the attacked model knows measurably more than exact unlearning
would), and `removal-like` otherwise. The audited oracle row is a retrain with another
seed, so its verdict is a real check of the thresholds, not a comparison with itself.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import statistics
import time

import torch

from . import ATTACKS, METHODS, THRESHOLDS, method_module
from .attacks import attack_all
from .data import Task
from .evaluation import System, evaluate
from .toyworld import World, WorldConfig, checkpoint_name, load_or_train, machine_facts, shipped_checkpoint

# The models every audit attacks, as (role, oracle, train seed): the ones that are shipped.
AUDIT_MODELS = (("base", False, 0), ("reference_oracle", True, 0), ("oracle", True, 1))


@dataclasses.dataclass
class AuditSettings:
    methods: list[str]
    seeds: int = 2
    quick: bool = True
    attack_steps: int = 30
    attack_lr: float = 1e-3
    sequential: int = 0

    @classmethod
    def make(cls, methods, quick: bool, seeds: int | None, sequential: int = 0) -> "AuditSettings":
        return cls(list(methods), seeds if seeds else (2 if quick else 3), quick,
                   30 if quick else 60, 1e-3, sequential)


# --- the audit -------------------------------------------------------------------------------

def _mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def summarise(intention, per_seed: list[dict], oracle_per_seed: list[dict]) -> dict:
    """Means, spreads, gaps to the oracle and the verdict of one row."""
    attacks, recovered = {}, []
    for name in ATTACKS:
        values = [s["attacks"][name] for s in per_seed]
        gaps = [v - o["attacks"][name] for v, o in zip(values, oracle_per_seed)]
        mean, std = _mean_std(values)
        gap, gap_std = _mean_std(gaps)
        hit = gap > THRESHOLDS[name]
        recovered += [name] if hit else []
        attacks[name] = {"metric": "auc" if name == "membership" else "accuracy", "mean": mean, "std": std,
                         "per_seed": values, "oracle_mean": _mean_std([o["attacks"][name] for o in oracle_per_seed])[0],
                         "gap": gap, "gap_std": gap_std, "threshold": THRESHOLDS[name], "recovered": hit}
    row = {"intention": intention}
    for key in ("forget_acc", "forget_prob", "retain_acc", "retain_prob"):
        row[key], row[key + "_std"] = _mean_std([s[key] for s in per_seed])
    row["attacks"] = attacks
    row["recovered_by"] = recovered
    row["verdict"] = "suppression-like" if recovered else "removal-like"
    return row


def measure(system: System, world: World, forgotten: list[str], settings, seed: int) -> dict:
    f = evaluate(system, world.qa(forgotten))
    r = evaluate(system, world.qa(world.retain_entities))
    return {"forget_acc": f["acc"], "forget_prob": f["prob"], "retain_acc": r["acc"], "retain_prob": r["prob"],
            "attacks": attack_all(system, world, forgotten, settings.attack_steps,
                                  settings.attack_lr, seed)}


def unlearn_with(name: str, model, tokenizer, world: World, forget_entities: list[str],
                 wrapper_entities: list[str], seed: int) -> tuple[System, float]:
    module = method_module(name)
    cfg = module.Config(seed=seed, progress=False)
    task = Task(copy.deepcopy(model), tokenizer, world.qa(forget_entities), world.qa(world.retain_entities),
                list(wrapper_entities))
    torch.manual_seed(seed)
    start = time.perf_counter()
    system = module.unlearn(cfg, task)
    return system, time.perf_counter() - start


def versions() -> dict:
    import accelerate

    from sokkit import __version__

    return {**machine_facts(), "accelerate": accelerate.__version__, "sokkit": __version__}


def settings_record(settings: AuditSettings, world_config: WorldConfig) -> dict:
    """Everything that determines an audit's numbers, as recorded in audit.json; two audits
    with equal records (methods aside) give the same numbers for the same method."""
    return {**dataclasses.asdict(settings), "world": dataclasses.asdict(world_config),
            "attacks": ATTACKS, "thresholds": THRESHOLDS,
            "verdict_rule": "suppression-like if, for any attack, the mean over seeds of "
                            "(metric of the attacked model − metric of the attacked reference oracle) "
                            "exceeds the attack's threshold; removal-like otherwise",
            "reference_oracle": "oracle retrained without the forget set, train seed 0",
            "audited_oracle": "an independent retrain, train seed 1"}


def run_audit(settings: AuditSettings, world_config: WorldConfig = WorldConfig(), log=print) -> dict:
    start = time.perf_counter()
    world = World.build(world_config)
    base, tok = load_or_train(world, oracle=False, train_seed=0, progress=False)
    ref_oracle, _ = load_or_train(world, oracle=True, train_seed=0, progress=False)
    oracle, _ = load_or_train(world, oracle=True, train_seed=1, progress=False)
    models = {name: "shipped" if shipped_checkpoint(world, o, s) else "trained here"
              for name, o, s in AUDIT_MODELS}
    log(f"models ready ({time.perf_counter() - start:.0f}s; {', '.join(f'{k}: {v}' for k, v in models.items())})")
    seeds = list(range(settings.seeds))
    forgotten = world.forget_entities
    rows: dict[str, list[dict]] = {"reference_oracle": [], "base": [], "oracle": []}
    rows.update({m: [] for m in settings.methods})
    timings: dict[str, list[float]] = {m: [] for m in settings.methods}
    for seed in seeds:
        rows["reference_oracle"].append(measure(System(ref_oracle, tok), world, forgotten, settings, seed))
        rows["base"].append(measure(System(base, tok), world, forgotten, settings, seed))
        rows["oracle"].append(measure(System(oracle, tok), world, forgotten, settings, seed))
        for name in settings.methods:
            system, seconds = unlearn_with(name, base, tok, world, forgotten, forgotten, seed)
            timings[name].append(seconds)
            rows[name].append(measure(system, world, forgotten, settings, seed))
            log(f"seed {seed}: {name} done (forget acc {rows[name][-1]['forget_acc']:.2f})")
    ref = rows["reference_oracle"]
    result = {
        "settings": settings_record(settings, world_config),
        "seeds": seeds,
        "versions": versions(),
        "models": {name: {"checkpoint": checkpoint_name(world, o, s), "source": models[name]}
                   for name, o, s in AUDIT_MODELS},
        "base": summarise(None, rows["base"], ref),
        "oracle": summarise("removal", rows["oracle"], ref),
        "methods": {m: {**summarise(METHODS[m], rows[m], ref), "unlearn_seconds": _mean_std(timings[m])[0]}
                    for m in settings.methods},
    }
    if settings.sequential:
        result["sequential"] = run_sequential(settings, world, base, ref_oracle, tok, log)
    result["wall_seconds"] = time.perf_counter() - start
    return result


def run_sequential(settings: AuditSettings, world: World, base, ref_oracle, tok, log) -> dict:
    """K forget requests one after another (seed 0): after each, forgetting so far,
    retained utility and every attack, against the oracle that never saw any of them.
    (The oracle trained without all forget people is exact for every prefix of requests:
    it never saw the people forgotten so far, and only they are scored.)"""
    k = settings.sequential
    people = world.forget_entities
    requests = [people[i::k] for i in range(k)]
    out = {}
    for name in settings.methods:
        model, steps_out, done = base, [], []
        for i, request in enumerate(requests, 1):
            done = done + request
            system, _ = unlearn_with(name, model, tok, world, request, done, 0)
            model = system.model
            m = measure(system, world, done, settings, 0)
            o = measure(System(ref_oracle, tok), world, done, settings, 0)
            row = summarise(METHODS[name], [m], [o])
            steps_out.append({"request": i, "forgotten": list(done), "forget_acc": row["forget_acc"],
                              "retain_acc": row["retain_acc"],
                              "attacks": {a: v["mean"] for a, v in row["attacks"].items()},
                              "verdict": row["verdict"]})
        out[name] = steps_out
        log(f"sequential: {name} done")
    return out


# --- reports -------------------------------------------------------------------------------

def markdown_summary(result: dict) -> str:
    lines = ["| model | intention | forget acc | retain acc | attacks that recover (gap to oracle) | verdict |",
             "| --- | --- | --- | --- | --- | --- |"]
    rows = [("base", result["base"]), ("oracle", result["oracle"])] + list(result["methods"].items())
    for name, row in rows:
        recovered = ", ".join(f"{a} (+{row['attacks'][a]['gap']:.2f}±{row['attacks'][a]['gap_std']:.2f})"
                              for a in row["recovered_by"]) or "none"
        lines.append(f"| {name} | {row['intention'] or '—'} | {row['forget_acc']:.2f}±{row['forget_acc_std']:.2f} "
                     f"| {row['retain_acc']:.2f}±{row['retain_acc_std']:.2f} | {recovered} | {row['verdict']} |")
    s = result["settings"]
    head = (f"# Intention audit\n\nSeeds {result['seeds']}, quick={s['quick']}, attack steps {s['attack_steps']}, "
            f"thresholds {THRESHOLDS['relearn']} (accuracy and AUC gaps); versions "
            f"{', '.join(f'{k} {v}' for k, v in result['versions'].items())}; wall time "
            f"{result.get('wall_seconds', float('nan')):.0f}s.\n\n")
    attack_lines = ["", "Mean attacked metric per attack (oracle in the header):", "",
                    "| model | " + " | ".join(ATTACKS) + " |", "| --- |" + " --- |" * len(ATTACKS),
                    "| *reference oracle* | " + " | ".join(f"{result['oracle']['attacks'][a]['oracle_mean']:.2f}"
                                                      for a in ATTACKS) + " |"]
    for name, row in rows:
        attack_lines.append(f"| {name} | " + " | ".join(f"{row['attacks'][a]['mean']:.2f}" for a in ATTACKS) + " |")
    seq = []
    if "sequential" in result:
        seq = ["", "Sequential unlearning (forget acc / retain acc / verdict after each request):", ""]
        for name, steps_ in result["sequential"].items():
            seq.append(f"- {name}: " + "; ".join(f"#{s_['request']} {s_['forget_acc']:.2f}/{s_['retain_acc']:.2f}/"
                                                f"{s_['verdict']}" for s_ in steps_))
    return head + "\n".join(lines + attack_lines + seq) + "\n"


def figure(result: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [("base", result["base"]), ("oracle", result["oracle"])] + list(result["methods"].items())
    fig, ax = plt.subplots(figsize=(max(8, 0.9 * len(rows)), 4.5))
    width = 0.8 / len(ATTACKS)
    for j, attack in enumerate(ATTACKS):
        xs = [i + j * width for i in range(len(rows))]
        ax.bar(xs, [r["attacks"][attack]["gap"] for _, r in rows], width,
               yerr=[r["attacks"][attack]["gap_std"] for _, r in rows], label=attack)
    ax.axhline(THRESHOLDS["relearn"], color="k", linestyle="--", linewidth=1, label="threshold")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(rows))])
    ax.set_xticklabels([f"{n}\n{r['verdict'].split('-')[0]}" for n, r in rows], fontsize=8)
    ax.set_ylabel("attacked metric − attacked oracle")
    ax.set_title("Intention audit: knowledge recovered beyond exact unlearning")
    ax.legend(fontsize=7, ncol=4)
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
