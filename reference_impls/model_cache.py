"""Where the toy world's trained models live: the cache, the checkpoints the repository
ships, and training on first use. Kept apart from toyworld.py because the checkpoint key
hashes that module's code (whatever shapes a model), and nothing here shapes one."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from .toyworld import World, default_world_config, train_world_model


def cache_dir() -> Path:
    env = os.environ.get("SOKKIT_CACHE")
    root = Path(env) if env else Path(__file__).resolve().parent.parent / ".cache" / "sokkit"
    root.mkdir(parents=True, exist_ok=True)
    ignore = root / ".gitignore"
    if not env and not ignore.exists():
        # The cache lives inside the repository by default; keep it out of git.
        ignore.write_text("*\n")
    return root


SHIPPED_DIR = Path(__file__).resolve().parent / "checkpoints"


def checkpoint_name(world: World, oracle: bool, train_seed: int) -> str:
    return f"toy-{'oracle' if oracle else 'base'}-{world.config.key(oracle, train_seed)}"


def shipped_checkpoint(world: World, oracle: bool, train_seed: int) -> Path | None:
    """The committed checkpoint for exactly this world and code, if the repository has one.
    Training is not bit-reproducible across CPUs, so the audit's committed results are
    only comparable when everyone attacks the same weights; $SOKKIT_TRAIN_FROM_SCRATCH=1
    ignores them."""
    if os.environ.get("SOKKIT_TRAIN_FROM_SCRATCH") == "1":
        return None
    path = SHIPPED_DIR / checkpoint_name(world, oracle, train_seed)
    return path if (path / "config.json").is_file() else None


def load_or_train(world: World, oracle: bool = False, train_seed: int = 0, progress: bool = True):
    """The shipped or cached toy model for this world, training (and caching) it on first use."""
    import shutil
    import tempfile

    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

    path = shipped_checkpoint(world, oracle, train_seed) or cache_dir() / checkpoint_name(world, oracle, train_seed)
    if (path / "config.json").exists():
        model = AutoModelForCausalLM.from_pretrained(path)
        model.eval()
        return model, PreTrainedTokenizerFast.from_pretrained(path)
    model, tokenizer = train_world_model(world, oracle, train_seed, progress)
    tmp = Path(tempfile.mkdtemp(prefix=path.name + ".tmp-", dir=path.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "world.json").write_text(json.dumps({**asdict(world.config), "oracle": oracle,
                                                    "train_seed": train_seed, "trained_on": machine_facts()},
                                                   indent=2))
        os.replace(tmp, path) if not path.exists() else shutil.rmtree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return model, tokenizer


def machine_facts() -> dict:
    """What decides the floats of a CPU run: processor, the kernel set torch picked,
    threads and versions. Results compare exactly only between equal records."""
    import platform

    import torch
    import transformers

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "machine": platform.machine(), "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "threads": torch.get_num_threads(), "python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__}


# The independent oracles (training seeds) whose spread is the audit's null.
ORACLE_SEEDS = (0, 1, 2, 3, 4)


def shipped_models() -> tuple[tuple[bool, int], ...]:
    """(oracle, train seed) of every checkpoint the repository ships: the base model and
    the oracles."""
    return ((False, 0),) + tuple((True, s) for s in ORACLE_SEEDS)


def ship_checkpoints(world: World) -> list[Path]:
    """Copy the cached base model and oracles into SHIPPED_DIR, for committing; trains
    whatever is not cached yet."""
    import shutil

    SHIPPED_DIR.mkdir(exist_ok=True)
    out = []
    for oracle, seed in shipped_models():
        load_or_train(world, oracle, seed, progress=False)
        name = checkpoint_name(world, oracle, seed)
        target = SHIPPED_DIR / name
        if not target.exists():
            shutil.copytree(cache_dir() / name, target)
        out.append(target)
    return out


if __name__ == "__main__":
    # python -m reference_impls.model_cache ship  — refresh the committed checkpoints
    import sys

    if sys.argv[1:] != ["ship"]:
        raise SystemExit("usage: python -m reference_impls.model_cache ship")
    for p in ship_checkpoints(World.build(default_world_config())):
        print(p)
