"""Run by torchrun from test_reference_impls: shard a model with FSDP2 over gloo, take one
training step, gather it with training.unsharded and compare with the same step on an
unsharded copy. Each rank writes what it found to OUT/rank<N>.json."""

import json
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from torch.distributed.fsdp import fully_shard
from transformers import AutoModelForCausalLM

from reference_impls.training import is_sharded, unsharded


def sgd_step(model, ids):
    model(input_ids=ids, labels=ids).loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= 0.5 * p.grad
            p.grad = None


def main(model_dir: str, out: str) -> None:
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    ids = torch.tensor([[3, 5, 7, 9, 11, 13], [4, 6, 8, 10, 12, 14]])  # the same batch on every rank
    reference = AutoModelForCausalLM.from_pretrained(model_dir)
    sharded = AutoModelForCausalLM.from_pretrained(model_dir)
    for layer in sharded.model.layers:
        fully_shard(layer)
    fully_shard(sharded)
    sgd_step(reference, ids)
    sgd_step(sharded, ids)
    local = sharded.model.layers[0].self_attn.q_proj.weight.to_local().shape[0]
    plain = unsharded(sharded)
    ref_state = reference.state_dict()
    worst = max((plain.state_dict()[k] - v).abs().max().item() for k, v in ref_state.items())
    moved = max((ref_state[k] - v).abs().max().item()
                for k, v in AutoModelForCausalLM.from_pretrained(model_dir).state_dict().items())
    if rank == 0:
        plain.save_pretrained(Path(out) / "saved")
    Path(out, f"rank{rank}.json").write_text(json.dumps({
        "was_sharded": is_sharded(sharded), "plain_is_sharded": is_sharded(plain),
        "plain_class": type(plain).__name__, "local_rows": local,
        "full_rows": plain.model.layers[0].self_attn.q_proj.weight.shape[0],
        "keys_match": sorted(plain.state_dict()) == sorted(ref_state),
        "max_difference": worst, "step_moved_weights_by": moved}))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
