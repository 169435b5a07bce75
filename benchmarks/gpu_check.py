"""The GPU check: one short, prepared run on an accelerator, written to a results file.

    python benchmarks/gpu_check.py --out benchmarks/results/gpu_check.json          # on the GPU machine
    python benchmarks/gpu_check.py --tiny --device cpu --out /tmp/gpu_check.json    # the same code, tiny, on a CPU

What it measures, on a random-initialised Llama of about 100M parameters (hidden 768, 12
layers, vocabulary 32,000) in bf16, built here (nothing is downloaded):

1. the time of an NPO step against a plain fine-tuning step on the same batches (the ratio),
   each the median over `--steps` after one warm-up step, synchronised on the device;
2. peak device memory of each;
3. the checkpoint audit end to end: the base model, an NPO-unlearned copy and a second
   random initialisation as a stand-in oracle, saved with save_pretrained and audited with
   `audit_checkpoints` (the verdict means nothing on random weights; the run proves the path
   works in bf16 on the device, and its wall time is recorded).

The results file holds the figures, the command, the versions and the device.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="results file (JSON) to write")
    p.add_argument("--device", default="auto", help="cuda, cpu or auto (cuda when available)")
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"], help="weights' dtype")
    p.add_argument("--steps", type=int, default=10, help="timed steps per kind, after one warm-up step")
    p.add_argument("--batch-size", type=int, default=8, help="forget rows per step (and as many retain rows)")
    p.add_argument("--tiny", action="store_true", help="a tiny model (hidden 32, 2 layers) to check the script itself")
    return p.parse_args(argv)


WORDS = [f"w{i}" for i in range(400)]


def tokenizer():
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(["<pad>", "<unk>", "</s>", "Question", ":", "Answer", "what", "is", "item",
                                         "?"] + WORDS)}
    tok = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", eos_token="</s>")


def model(tok, tiny: bool, seed: int):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    size = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2) if tiny else \
        dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12)
    return LlamaForCausalLM(LlamaConfig(vocab_size=500 if tiny else 32000, max_position_embeddings=128,
                                        num_key_value_heads=size["num_attention_heads"], pad_token_id=0,
                                        eos_token_id=2, bos_token_id=None, **size))


def pairs(start: int, n: int):
    return [(f"what is item {WORDS[i % 400]} ?", WORDS[(7 * i + 3) % 400]) for i in range(start, start + n)]


def timed_steps(kind: str, base, tok, forget, retain, args, device):
    """Median step time and peak memory of `kind` (npo or finetune) via the real method code."""
    import copy

    import torch

    from reference_impls import training
    from reference_impls.data import Task
    from reference_impls.methods import npo

    times: list[float] = []
    real_step = training.step

    def timing_step(*a, **kw):
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter())
        real_step(*a, **kw)

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    work = copy.deepcopy(base).to(device)
    if kind == "npo":
        npo.step = timing_step
        try:
            cfg = npo.Config(steps=args.steps + 2, batch_size=args.batch_size, lr=1e-5, progress=False,
                             bf16=args.dtype == "bfloat16" and device.type == "cuda", max_loss=1e6)
            system = npo.unlearn(cfg, Task(work, tok, forget, retain))
        finally:
            npo.step = real_step
        unlearned = system.model
    else:
        from reference_impls import attacks

        attacks.step = timing_step
        try:
            unlearned = attacks.finetune_copy(work, tok, forget + retain, args.steps + 2, 1e-5, 0)
        finally:
            attacks.step = real_step
    gaps = [b - a for a, b in zip(times[1:], times[2:])]
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None
    return statistics.median(gaps), peak, unlearned


def main(argv=None) -> int:
    import torch

    from reference_impls.audit import versions
    from reference_impls.checkpoint_audit import CheckpointData, audit_checkpoints

    args = parse_args(argv)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    dtype = getattr(torch, args.dtype)
    tok = tokenizer()
    base = model(tok, args.tiny, 0).to(dtype)
    forget, retain = pairs(0, 64), pairs(1000, 64)
    out: dict = {"command": "python " + " ".join([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
                 "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
                 "dtype": args.dtype, "parameters": sum(p.numel() for p in base.parameters()),
                 "versions": versions(), "date": time.strftime("%Y-%m-%d")}
    npo_step, npo_peak, unlearned = timed_steps("npo", base, tok, forget, retain, args, device)
    ft_step, ft_peak, _ = timed_steps("finetune", base, tok, forget, retain, args, device)
    out.update(npo_step_s=npo_step, finetune_step_s=ft_step, ratio=npo_step / ft_step,
               npo_peak_mib=npo_peak, finetune_peak_mib=ft_peak)
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for name, m in (("base", base), ("unlearned", unlearned), ("oracle", model(tok, args.tiny, 1).to(dtype))):
            m.save_pretrained(Path(tmp) / name)
            tok.save_pretrained(Path(tmp) / name)
            folders[name] = str(Path(tmp) / name)
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        for name, rows in (("forget", forget), ("retain", retain), ("holdout", pairs(2000, 64))):
            (data_dir / f"{name}.jsonl").write_text(
                "".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in rows))
        start = time.perf_counter()
        result = audit_checkpoints(folders["unlearned"], folders["base"], [folders["oracle"]],
                                   CheckpointData.load(*(str(data_dir / f"{n}.jsonl")
                                                         for n in ("forget", "retain", "holdout"))),
                                   grid=((5, 1e-4),), dtype=args.dtype, log=lambda _m: None)
        out.update(audit_seconds=time.perf_counter() - start, audit_verdict=result["verdict"],
                   audit_attacks=sorted(result["values"]["model"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
