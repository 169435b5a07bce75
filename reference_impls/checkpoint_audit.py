"""The intention audit of your own checkpoints: an unlearned model, the model it was
unlearned from, and optionally oracles (models trained without the forget set, such as
TOFU's published retain models), all local Hugging Face causal LMs.

The attacks are the toy-world audit's (`attacks.py`), fed from JSONL files instead of the
toy world:

| attack          | data it needs                | number reported                                  |
|-----------------|------------------------------|--------------------------------------------------|
| no_attack       | forget                       | forget score                                     |
| paraphrase      | paraphrases (optional)       | forget score on the paraphrased questions         |
| relearn         | forget                       | best score on the second half of the forget lines after fine-tuning on the first half, over the grid |
| finetune        | retain                       | best forget score after fine-tuning on retain, over the grid |
| probe           | forget and retain with a "label" on every line | linear-probe accuracy on the forget labels (trained on 3/4 of retain, layer chosen on the rest) |
| logit_lens      | forget                       | best intermediate layer's first-token accuracy    |
| ablation        | forget, retain               | forget score with the forget-vs-retain direction projected out |
| quant8/4        | forget                       | forget score after round-to-nearest quantization  |
| membership      | forget, holdout (optional)   | loss-based AUC, forget vs holdout                 |
| membership_mink | forget, holdout (optional)   | Min-K%++ AUC, forget vs holdout                   |

The score is `acc` (the exact reference answer under greedy decoding, teacher-forced),
`prob` (the reference answer's probability), `rouge` (ROUGE-L recall of the greedy
generation against the reference answer, on lower-cased words) or `contains` (whether the
generation contains the reference answer), chosen with `--score`;
long free-text answers are better served by `prob` or `rouge`. Relearning trains on the first half of the forget lines and
scores the second half, so keep the lines about one subject together in the file.

**With oracles** each attack is judged as in the toy-world audit (`verdicts.py`): the
unlearned model's value (±RESOLUTION) against the oracles' null band. With two or more
oracles the band is their prediction interval; with one, whose spread between retrains is
unknown, the band is its value ±RESOLUTION — weaker evidence, and the report says so.
**Without an oracle** nothing says what a model that never saw the forget set would score,
so the audit reports how much of what was forgotten each attack restores relative to the
base model, `(attacked − unlearned) / (base − unlearned)`, and whether it lifts the forget
score beyond the unattacked value by more than RESOLUTION twice over; its verdicts are
`suppression-like (no oracle)` or `no recovery found (no oracle)`, never removal-like.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from .config import ConfigError
from .data import QA, chat_formatted, jsonl_rows, load_qa_jsonl, qa_pairs
from .model_folder import check_model_folder
from .verdicts import (FORGETTING_CHECKS, RESOLUTION, TWO_SIDED, AttackJudgement, Band, Range, Recovery,
                       attack_outcome, overall_verdict)

DTYPES = ("float32", "bfloat16", "float16")
SCORES = ("acc", "prob", "rouge", "contains")


@dataclasses.dataclass
class CheckpointData:
    forget: list[QA]
    retain: list[QA]
    holdout: list[QA] | None = None
    paraphrases: list[QA] | None = None
    # Optional "label" of each forget and retain line (e.g. the attribute value): when every
    # line has one, a linear probe is trained on the retain labels and tested on the forget ones.
    forget_labels: list[str] | None = None
    retain_labels: list[str] | None = None

    @classmethod
    def load(cls, forget: str, retain: str, holdout: str | None = None,
             paraphrases: str | None = None) -> "CheckpointData":
        forget_rows, retain_rows = jsonl_rows(forget), jsonl_rows(retain)  # each file is read once
        data = cls(qa_pairs(forget, forget_rows), qa_pairs(retain, retain_rows),
                   load_qa_jsonl(holdout) if holdout else None, load_qa_jsonl(paraphrases) if paraphrases else None,
                   labels_of(forget, forget_rows), labels_of(retain, retain_rows))
        if len(data.forget) < 2:
            raise ConfigError(f"{forget}: relearning needs at least two forget lines (it trains on the first "
                              f"half and scores the second); found {len(data.forget)}")
        return data

    def probe_sets(self) -> tuple[list, list, list] | None:
        """(train, validation, test) as (pair, class) rows, or None when the labels do not
        allow a probe (every line labelled, at least two retain labels, four retain lines).
        A forget label no retain line has is class -1, which the probe never predicts: such
        lines count as wrong for every model alike."""
        if not self.forget_labels or not self.retain_labels:
            return None
        classes = sorted(set(self.retain_labels))
        if len(classes) < 2 or len(self.retain) < 4:
            return None
        index = {c: i for i, c in enumerate(classes)}
        cut = len(self.retain) * 3 // 4
        retain = list(zip(self.retain, (index[x] for x in self.retain_labels)))
        forget = [(pair, index.get(x, -1)) for pair, x in zip(self.forget, self.forget_labels)]
        return retain[:cut], retain[cut:], forget


def labels_of(path: str, rows: list[tuple[int, dict]]) -> list[str] | None:
    """The "label" of every row (rows already checked by qa_pairs), or None when any row has
    none; a label that is not a string names file and line."""
    labels = []
    for n, row in rows:
        label = row.get("label")
        if label is None:
            return None
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(f"{path}:{n}: 'label' must be a non-empty string (the line's class for the probe)")
        labels.append(label)
    return labels


def load_checkpoint(path: str, role: str, dtype: str = "float32", device_map: str | None = None,
                    tokenizer=None):
    """(model, tokenizer) from a local folder, with a clear error for each way it can fail
    (the tokenizer is loaded unless it is given).
    `device_map="auto"` lets accelerate place the layers over every GPU (and the CPU) for a
    model larger than one GPU; otherwise the model goes whole onto the GPU when there is one."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = check_model_folder(path, role)
    if dtype not in DTYPES:
        raise ConfigError(f"--dtype {dtype!r} is not allowed (allowed: {', '.join(DTYPES)})")
    try:
        if tokenizer is None:
            tokenizer = AutoTokenizer.from_pretrained(folder)
        extra = {"device_map": device_map} if device_map else {}
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=getattr(torch, dtype), **extra)
    except (OSError, ValueError, ImportError) as exc:
        raise ConfigError(f"cannot load --{role} '{path}': {str(exc).splitlines()[0]}") from None
    if torch.cuda.is_available() and not device_map:
        model = model.to("cuda")
    model.eval()
    return model, tokenizer


def check_same_vocabulary(tokenizers: dict[str, object]) -> None:
    """Every model must read the questions as the same tokens."""
    (first, reference), *rest = tokenizers.items()
    vocab = reference.get_vocab()
    for name, tok in rest:
        if tok.get_vocab() != vocab:
            raise ConfigError(f"--{name.split('-')[0]} and --{first} have different vocabularies ({len(tok)} vs "
                              f"{len(reference)} tokens); the audit compares models that read the same tokens")


def attack_checkpoint(model, tokenizer, data: CheckpointData, grid, seed: int, score: str) -> dict:
    """Every attack the data allows on one model: {attack: value}."""
    from .attacks import (ablation_accuracy, last_prompt_states, linear_probe_accuracy, logit_lens_accuracy,
                          membership_auc, min_k_membership_auc, quantized_copy, worst_case_finetune)
    from .evaluation import System, metric_of

    half = len(data.forget) // 2
    part_a, part_b = data.forget[:half], data.forget[half:]
    out = {"no_attack": metric_of(System(model, tokenizer), data.forget, score)}
    if data.paraphrases:
        out["paraphrase"] = metric_of(System(model, tokenizer), data.paraphrases, score)
    out["relearn"] = worst_case_finetune(model, tokenizer, part_a, part_b, grid, seed, score)
    out["finetune"] = worst_case_finetune(model, tokenizer, data.retain, data.forget, grid, seed, score)
    out["logit_lens"] = logit_lens_accuracy(model, tokenizer, data.forget)
    out["ablation"] = ablation_accuracy(model, tokenizer, data.forget, data.retain, score)
    for bits in (8, 4):
        quantized = quantized_copy(model, bits)
        out[f"quant{bits}"] = metric_of(System(quantized, tokenizer), data.forget, score)
        del quantized
    sets = data.probe_sets()
    if sets:
        states = lambda rows: (last_prompt_states(model, tokenizer, [p for p, _ in rows]), [y for _, y in rows])  # noqa: E731
        train, valid, test = (states(rows) for rows in sets)
        out["probe"], _, _ = linear_probe_accuracy(train, valid, test, len(set(data.retain_labels)), seed)
    if data.holdout:
        out["membership"] = membership_auc(model, tokenizer, data.forget, data.holdout)
        out["membership_mink"] = min_k_membership_auc(model, tokenizer, data.forget, data.holdout)
    return out


def judge_with_oracles(model: dict, oracles: list[dict], base: dict) -> tuple[str, dict]:
    judged = {}
    for attack, value in model.items():
        values = [o[attack] for o in oracles]
        null = Band.of(values) if len(values) >= 2 else Band(values[0], values[0] - RESOLUTION,
                                                             values[0] + RESOLUTION, 1)
        mine = Range.of([value])
        judged[attack] = AttackJudgement(attack, attack_outcome(mine, null, attack in TWO_SIDED), mine, null,
                                         Recovery.of(mine, base[attack], null))
    outcomes = {a: j.outcome for a, j in judged.items()}
    if not any(a in outcomes for a in FORGETTING_CHECKS):
        raise ConfigError("internal: no forgetting check was run")
    return overall_verdict(outcomes), {a: j.as_dict() for a, j in judged.items()}


def judge_without_oracle(model: dict, base: dict) -> tuple[str, dict]:
    """How much each attack restores relative to the base model (see the module docstring)."""
    plain = model["no_attack"]
    judged = {}
    for attack, value in model.items():
        if attack in FORGETTING_CHECKS or attack in TWO_SIDED:
            judged[attack] = {"attack": attack, "value": value, "base": base[attack], "restores": None}
            continue
        span = base[attack] - plain
        restored = (value - plain) / span if abs(span) > RESOLUTION else None
        judged[attack] = {"attack": attack, "value": value, "base": base[attack], "restored_fraction": restored,
                          "restores": value - plain > 2 * RESOLUTION}
    hit = [a for a, j in judged.items() if j.get("restores")]
    return ("suppression-like (no oracle)" if hit else "no recovery found (no oracle)"), judged


def audit_checkpoints(model_path: str, base_path: str, oracle_paths: list[str], data: CheckpointData,
                      grid=((30, 1e-5), (30, 3e-5)), seed: int = 0, dtype: str = "float32", score: str = "prob",
                      chat_template: bool = False, device_map: str | None = None, log=print) -> dict:
    """Attack the unlearned model, the base model and every oracle; judge; return the report."""
    import torch

    from .audit import versions

    if score not in SCORES:
        raise ConfigError(f"--score {score!r} is not allowed (allowed: {', '.join(SCORES)})")
    start = time.perf_counter()
    paths = {"model": model_path, "base": base_path, **{f"oracle-{i}": p for i, p in enumerate(oracle_paths)}}
    from transformers import AutoTokenizer

    tokenizers = {}
    for role, path in paths.items():  # check every folder before any attack runs
        folder = check_model_folder(path, "oracle" if role.startswith("oracle") else role)
        try:
            tokenizers[role] = AutoTokenizer.from_pretrained(folder)
        except (OSError, ValueError, ImportError) as exc:
            raise ConfigError(f"cannot load the tokenizer of '{path}': {str(exc).splitlines()[0]}") from None
    check_same_vocabulary(tokenizers)
    if chat_template:  # the same prompts for every model: the base model's template
        wrap = lambda pairs: chat_formatted(tokenizers["base"], pairs, base_path) if pairs else pairs  # noqa: E731
        # replace keeps the labels: the probe's classes do not depend on the prompt format
        data = dataclasses.replace(data, forget=wrap(data.forget), retain=wrap(data.retain),
                                   holdout=wrap(data.holdout), paraphrases=wrap(data.paraphrases))
    values = {}
    for role, path in paths.items():
        model, tok = load_checkpoint(path, "oracle" if role.startswith("oracle") else role, dtype, device_map,
                                     tokenizers[role])
        torch.manual_seed(seed)
        values[role] = attack_checkpoint(model, tok, data, grid, seed, score)
        log(f"{role} attacked ({path})")
        del model
    oracles = [values[r] for r in paths if r.startswith("oracle")]
    if oracles:
        verdict, judged = judge_with_oracles(values["model"], oracles, values["base"])
        evidence = ("oracles: their spread is the null" if len(oracles) >= 2 else
                    "one oracle: the null band is its value ±RESOLUTION (no spread between retrains is known)")
    else:
        verdict, judged = judge_without_oracle(values["model"], values["base"])
        evidence = "no oracle: recovery relative to the base model only (weaker evidence)"
    return {
        "kind": "checkpoint",
        "models": paths,
        "data": {"forget": len(data.forget), "retain": len(data.retain),
                 "holdout": len(data.holdout or []), "paraphrases": len(data.paraphrases or [])},
        "settings": {"grid": [list(g) for g in grid], "seed": seed, "dtype": dtype, "score": score,
                     "chat_template": chat_template, "device_map": device_map,
                     "resolution": RESOLUTION, "evidence": evidence},
        "values": values,
        "judged": judged,
        "verdict": verdict,
        "versions": versions(),
        "wall_seconds": time.perf_counter() - start,
    }


def markdown_summary(result: dict) -> str:
    attacks = list(result["values"]["model"])
    roles = list(result["values"])
    lines = [f"# Intention audit of a checkpoint\n",
             f"Verdict: **{result['verdict']}** ({result['settings']['evidence']}).\n",
             f"Models: " + "; ".join(f"{r} `{p}`" for r, p in result["models"].items()) + ".\n",
             f"Score `{result['settings']['score']}`, dtype {result['settings']['dtype']}, fine-tuning grid "
             f"{result['settings']['grid']}, seed {result['settings']['seed']}; data {result['data']}; wall time "
             f"{result['wall_seconds']:.0f}s.\n",
             "| attack | " + " | ".join(roles) + " | outcome |", "| --- |" + " --- |" * (len(roles) + 1)]
    for a in attacks:
        j = result["judged"].get(a, {})
        outcome = j.get("outcome") or ("restores" if j.get("restores") else "—")
        lines.append(f"| {a} | " + " | ".join(f"{result['values'][r][a]:.3f}" for r in roles) + f" | {outcome} |")
    return "\n".join(lines) + "\n"


def write_reports(result: dict, folder) -> None:
    import json

    folder = Path(folder)
    (folder / "audit.json").write_text(json.dumps(result, indent=2, default=str))
    (folder / "summary.md").write_text(markdown_summary(result))

