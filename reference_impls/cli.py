"""The command line of a method file: load the task (toy world or a local model with JSONL
data), refuse an unsafe --out, unlearn, report and save atomically."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import torch

from .config import CommonConfig, ConfigError, Diverged, parse_config
from .data import Task, chat_formatted, load_qa_jsonl
from .evaluation import System, evaluate
from .model_folder import check_model_folder
from .training import process_state


def load_task(cfg: CommonConfig) -> Task:
    torch.manual_seed(cfg.seed)
    if cfg.model == "toy" and cfg.chat_template:
        raise ConfigError("--chat-template is for local models: the toy world has its own prompt format")
    if cfg.model == "toy":
        from .model_cache import load_or_train
        from .toyworld import World, default_world_config

        try:
            world = World.build(default_world_config())
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"SOKKIT_TOY_WORLD is not a JSON object of WorldConfig fields: {exc}") from None
        model, tokenizer = load_or_train(world, progress=cfg.progress)
        return Task(model, tokenizer, world.qa(world.forget_entities), world.qa(world.retain_entities),
                    list(world.forget_entities))
    path = check_model_folder(cfg.model, "model")
    if not cfg.forget or not cfg.retain:
        raise ConfigError("with a local --model, give --forget and --retain JSONL files "
                          "(one {\"question\": ..., \"answer\": ...} object per line)")
    forget, retain = load_qa_jsonl(cfg.forget), load_qa_jsonl(cfg.retain)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        # --bf16 loads the weights in bf16 and puts them on the training device at once, so
        # the frozen reference copies the methods make are bf16 copies on that device too.
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16 if cfg.bf16 else torch.float32)
    except (OSError, ValueError, ImportError) as exc:
        raise ConfigError(f"cannot load a causal LM from '{path}': {str(exc).splitlines()[0]}") from None
    model.to(process_state().device)
    if cfg.chat_template:
        forget, retain = chat_formatted(tokenizer, forget, cfg.model), chat_formatted(tokenizer, retain, cfg.model)
    return Task(model, tokenizer, forget, retain, [], str(path))


def check_out(cfg: CommonConfig) -> None:
    """Refuse before any work: never overwrite the input model or an existing folder."""
    if not cfg.out:
        return
    out = Path(cfg.out).resolve()
    if cfg.model != "toy" and out == Path(cfg.model).resolve():
        raise ConfigError(f"--out '{cfg.out}' is the input model; choose a new folder")
    if out.exists():
        raise ConfigError(f"--out '{cfg.out}' already exists; choose a new folder (nothing is overwritten)")
    if not out.parent.is_dir():
        raise ConfigError(f"--out '{cfg.out}': parent folder '{out.parent}' does not exist")


def save_system(system: System, out: str, meta: dict) -> None:
    """Write model, tokenizer and unlearning.json into a temporary sibling, then rename."""
    target = Path(out).resolve()
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        system.model.save_pretrained(tmp)
        system.tokenizer.save_pretrained(tmp)
        (tmp / "unlearning.json").write_text(json.dumps({**meta, "wrapper": system.meta()}, indent=2))
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# Methods whose loop trains all weights through prepare_training and nothing else, so that
# LoRA adapters can stand in for the weights.
LORA_METHODS = ("grad_ascent", "npo", "simnpo", "idk_dpo", "refusal_tuning", "undial", "task_vector")


def memory_estimate(model) -> str:
    """A rough estimate before training: weights, gradients and AdamW's two moments (4× the
    weights for full training) plus one more copy per frozen reference model."""
    params = sum(p.numel() for p in model.parameters())
    size = params * next(model.parameters()).element_size()
    gib = size / 2**30
    return (f"memory estimate: {params / 1e6:.1f}M parameters, weights {gib:.2f} GiB; full training with "
            f"AdamW needs about {4 * gib:.2f} GiB per process, plus {gib:.2f} GiB per frozen reference model "
            f"(NPO, IDK-DPO, KL, RMU, UNDIAL), plus activations")


def run_method(module, argv: list[str] | None = None) -> int:
    """The command line of one method file: parse, unlearn, report, save (optional).

    Exit 0 on success, 1 when training diverged, 2 for usage errors."""
    spec = getattr(module, "__spec__", None)  # under `python -m`, __name__ is "__main__"
    name = (spec.name if spec is not None else module.__name__).rsplit(".", 1)[-1]
    doc = (module.__doc__ or "").strip().splitlines()[0]
    try:
        cfg = parse_config(module.Config, argv, f"sokkit run {name}", doc)
        if cfg.lora and name not in LORA_METHODS:
            raise ConfigError(f"--lora is not supported by {name} (it perturbs, routes or edits chosen weights); "
                              f"methods that take it: {', '.join(LORA_METHODS)}")
        check_out(cfg)
        task = load_task(cfg)
        if cfg.progress and process_state().is_main_process:
            print(memory_estimate(task.model), file=sys.stderr)
        before = evaluate(System(task.model, task.tokenizer), task.forget), \
            evaluate(System(task.model, task.tokenizer), task.retain)
        system = module.unlearn(cfg, task)
        after = evaluate(system, task.forget), evaluate(system, task.retain)
    except ConfigError as exc:
        print(f"sokkit run {name}: {exc}", file=sys.stderr)
        return 2
    except Diverged as exc:
        print(f"sokkit run {name}: {exc}", file=sys.stderr)
        return 1
    acc = process_state()
    if acc.is_main_process:
        print(f"{name} ({module.INTENTION}-intended) on {task.source}, seed {cfg.seed}, "
              f"{acc.num_processes} process(es)")
        print(f"  forget acc {before[0]['acc']:.3f} -> {after[0]['acc']:.3f}   "
              f"p(answer) {before[0]['prob']:.3f} -> {after[0]['prob']:.3f}")
        print(f"  retain acc {before[1]['acc']:.3f} -> {after[1]['acc']:.3f}   "
              f"p(answer) {before[1]['prob']:.3f} -> {after[1]['prob']:.3f}")
        if cfg.out:
            save_system(system, cfg.out, {"method": name, "intention": module.INTENTION,
                                          "config": dataclasses.asdict(cfg), "source": task.source})
            print(f"  saved to {cfg.out}")
    return 0
