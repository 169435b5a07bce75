"""Reference implementations: losses against hand-computed values, a smoke run of every
method on a small toy world, and the `sokkit run` command line."""

from __future__ import annotations

import copy
import json
import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from reference_impls import METHODS, method_module  # noqa: E402
from reference_impls.config import parse_config  # noqa: E402
from reference_impls.data import IGNORE, Task, encode  # noqa: E402
from reference_impls.evaluation import System, evaluate  # noqa: E402
from reference_impls.losses import kl_divergence, sequence_logprobs, token_nll  # noqa: E402

# A smaller world than the default so the suite trains it in well under a minute per model.
SMALL_WORLD = {"n_forget": 6, "n_retain": 18, "n_holdout": 6, "steps": 800, "layers": 2,
               "instruction_fraction": 0.2}


def logits_from_probs(rows):
    """[1, T, V] logits whose softmax is exactly the given probabilities."""
    return torch.log(torch.tensor([rows], dtype=torch.float64))


# --- losses against hand-computed values --------------------------------------------------

def test_sequence_logprobs_counts_only_answer_tokens():
    # positions 0..3; label at position t is predicted by the logits at t-1
    probs = [[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [1 / 3, 1 / 3, 1 / 3]]
    labels = torch.tensor([[IGNORE, IGNORE, 1, 2]])  # prompt, prompt, answer, answer
    got = sequence_logprobs(logits_from_probs(probs), labels).item()
    assert got == pytest.approx(math.log(0.8) + math.log(0.6))
    # padding after the answer changes nothing
    padded = logits_from_probs(probs + [[0.9, 0.05, 0.05]])
    got_padded = sequence_logprobs(padded, torch.tensor([[IGNORE, IGNORE, 1, 2, IGNORE]])).item()
    assert got_padded == pytest.approx(got)


def test_token_nll_is_the_mean_over_answer_tokens_and_positive():
    probs = [[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]
    labels = torch.tensor([[IGNORE, 1, 2]])
    got = token_nll(logits_from_probs(probs), labels).item()
    assert got == pytest.approx(-(math.log(0.25) + math.log(0.1)) / 2)  # p(1) at t=0, p(2) at t=1
    assert got > 0


def test_kl_direction_is_reference_to_model():
    p = logits_from_probs([[0.5, 0.5], [0.5, 0.5]])
    q = logits_from_probs([[0.9, 0.1], [0.9, 0.1]])
    labels = torch.tensor([[IGNORE, 0]])  # one answer position (logits at t=0)
    forward = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)  # KL(p‖q) = 0.5108
    reverse = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)  # KL(q‖p) = 0.3681
    got = kl_divergence(p, q, labels).item()
    assert got == pytest.approx(forward)
    assert got != pytest.approx(reverse)
    assert kl_divergence(p, p, labels).item() == pytest.approx(0.0, abs=1e-12)


def test_npo_loss_value_and_gradient_sign():
    from reference_impls.methods.npo import npo_loss

    logp = torch.tensor([-1.0], requires_grad=True)
    loss = npo_loss(logp, torch.tensor([-2.0]), beta=1.0)
    assert loss.item() == pytest.approx(-2 * math.log(1 / (1 + math.exp(1.0))))  # −2 log σ(−1) = 2.6265
    loss.backward()
    assert logp.grad.item() > 0  # descending the loss lowers log π(y|x)


def test_npo_works_on_sequence_logprobs_not_tokens():
    from reference_impls.methods.npo import npo_loss

    # two answers with the same total log-prob but different lengths get the same loss
    short = npo_loss(torch.tensor([-2.0]), torch.tensor([-1.0]), 0.5)
    long_ = npo_loss(torch.tensor([-1.0 - 1.0]), torch.tensor([-0.5 - 0.5]), 0.5)
    assert short.item() == pytest.approx(long_.item())


def test_simnpo_normalises_by_length_and_has_no_reference():
    from reference_impls.methods.simnpo import simnpo_loss

    got = simnpo_loss(torch.tensor([-2.0]), torch.tensor([2]), beta=1.0, gamma=0.0).item()
    assert got == pytest.approx(-2 * math.log(1 / (1 + math.exp(-1.0))))  # −2 log σ(1) = 0.6265
    with_margin = simnpo_loss(torch.tensor([-2.0]), torch.tensor([2]), beta=1.0, gamma=1.0).item()
    assert with_margin > got


def test_dpo_prefers_the_winner():
    from reference_impls.methods.idk_dpo import dpo_loss

    got = dpo_loss(torch.tensor([-1.0]), torch.tensor([-2.0]), torch.tensor([-3.0]), torch.tensor([-1.0]), 0.5)
    assert got.item() == pytest.approx(-math.log(1 / (1 + math.exp(-0.5 * (1.0 - (-2.0))))))
    win = torch.tensor([-1.0], requires_grad=True)
    dpo_loss(win, torch.tensor([-1.0]), torch.tensor([-1.0]), torch.tensor([-1.0]), 0.5).backward()
    assert win.grad.item() < 0  # descending raises log π(idk|x)


def test_undial_lowers_only_the_answer_logit():
    from reference_impls.methods.undial import adjusted_teacher

    logits = torch.zeros(1, 3, 4)
    labels = torch.tensor([[IGNORE, 2, IGNORE]])
    adjusted = adjusted_teacher(logits, labels, gamma=5.0)
    expected = torch.zeros(1, 3, 4)
    expected[0, 0, 2] = -5.0  # position 0 predicts the answer token 2
    assert torch.equal(adjusted, expected)


def test_rmu_mse_ignores_padding():
    from reference_impls.methods.rmu import masked_mse

    h = torch.tensor([[[1.0, 1.0], [100.0, 100.0]]])
    target = torch.zeros_like(h)
    assert masked_mse(h, target, torch.tensor([[1, 0]])).item() == pytest.approx(1.0)


def test_quantization_rounds_to_the_grid():
    from reference_impls.attacks import quantized_copy

    model = torch.nn.Sequential(torch.nn.Linear(8, 4))
    q4 = quantized_copy(model, 4)
    w = q4[0].weight
    scale = model[0].weight.abs().amax(1, keepdim=True) / 7
    assert torch.allclose(w / scale, (w / scale).round(), atol=1e-4)
    assert (w - model[0].weight).abs().max() <= scale.max() / 2 + 1e-6
    assert torch.allclose(quantized_copy(model, 8)[0].weight, model[0].weight, atol=scale.max().item() / 16)


def test_reference_impls_imports_run_one_way():
    """No import circle inside reference_impls; the shared modules and the toy world never
    import a method, the attacks, the audit or the command line; nothing imports the site."""
    import ast

    from conftest import ROOT

    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (ROOT / "reference_impls").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in targets:
                assert target == "sokkit" or not target.startswith("sokkit."), (name, target)
                if target in modules and target != name:
                    deps.add(target)
    low = {f"reference_impls.{m}" for m in ("config", "prompts", "data", "losses", "evaluation", "training",
                                            "toyworld")}
    high = {m for m in modules if m.startswith("reference_impls.methods")} | \
        {f"reference_impls.{m}" for m in ("attacks", "audit", "cli")}
    for name in low:
        assert not graph[name] & high, (name, graph[name] & high)
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import circle: " + " -> ".join(path + (name,))
        if name not in done:
            for dep in graph[name]:
                visit(dep, path + (name,))
            done.add(name)

    for name in graph:
        visit(name, ())


# --- the toy world and every method -------------------------------------------------------

@pytest.fixture(scope="module")
def small_world():
    from reference_impls.model_cache import load_or_train
    from reference_impls.toyworld import World, WorldConfig

    world = World.build(WorldConfig(**SMALL_WORLD))
    model, tokenizer = load_or_train(world, progress=False)
    return world, model, tokenizer


def test_encode_masks_prompt_and_padding(small_world):
    _, _, tok = small_world
    batch = encode(tok, [("Question: Where does Kalo live?\nAnswer:", "paris"),
                         ("Question: x?\nAnswer:", "I do not know")])
    labels, mask = batch["labels"], batch["attention_mask"]
    answer_ids = tok(" I do not know", add_special_tokens=False)["input_ids"]
    assert tok.unk_token_id not in answer_ids  # every word of the refusal is in the vocabulary
    assert labels[1][labels[1] != IGNORE].tolist() == answer_ids + [tok.eos_token_id]  # the answer, then EOS
    assert (labels[0] != IGNORE).sum() == 2
    assert (labels[mask == 0] == IGNORE).all()


def test_world_is_deterministic_and_the_base_model_recalls_it(small_world):
    from reference_impls.toyworld import World, WorldConfig

    world, model, tok = small_world
    again = World.build(WorldConfig(**SMALL_WORLD))
    assert again.facts == world.facts
    system = System(model, tok)
    assert evaluate(system, world.qa(world.forget_entities + world.retain_entities))["acc"] >= 0.95
    # holdout people: their trained attributes are recalled, the others were never trained
    assert evaluate(system, world.trained_qa(world.holdout_entities))["acc"] >= 0.95
    assert evaluate(system, world.non_member_qa())["acc"] < 0.5


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_runs(small_world, name):
    world, model, tok = small_world
    module = method_module(name)
    cfg = module.Config(steps=4, batch_size=8, progress=False)
    task = Task(copy.deepcopy(model), tok, world.qa(world.forget_entities), world.qa(world.retain_entities),
                list(world.forget_entities))
    before = {k: v.clone() for k, v in task.model.state_dict().items()}
    system = module.unlearn(cfg, task)
    after = system.model.state_dict()
    changed = any(not torch.equal(before[k], after[k]) for k in before)
    assert changed == (name not in ("prompting", "output_filter"))
    result = evaluate(system, world.qa(world.forget_entities))
    assert 0.0 <= result["acc"] <= 1.0 and math.isfinite(result["prob"])


def test_default_methods_forget_on_the_toy_world(small_world):
    """With its default settings, NPO lowers forget accuracy and keeps retain accuracy."""
    world, model, tok = small_world
    module = method_module("npo")
    task = Task(copy.deepcopy(model), tok, world.qa(world.forget_entities), world.qa(world.retain_entities))
    system = module.unlearn(module.Config(progress=False), task)
    assert evaluate(system, task.forget)["acc"] < 0.5
    assert evaluate(system, task.retain)["acc"] > 0.9


def test_located_edit_changes_only_located_columns(small_world):
    world, model, tok = small_world
    module = method_module("located_edit")
    task = Task(copy.deepcopy(model), tok, world.qa(world.forget_entities), world.qa(world.retain_entities))
    cfg = module.Config(steps=3, neurons=10, progress=False)
    system = module.unlearn(cfg, task)
    changed_columns = 0
    for old, new in zip(module.output_projections(model), module.output_projections(system.model)):
        changed_columns += (old.weight != new.weight).any(0).sum().item()
    assert 0 < changed_columns <= 10
    for (name, a), b in zip(model.named_parameters(), system.model.parameters()):
        if "down_proj" not in name:
            assert torch.equal(a, b), name


def test_config_parser_builds_flags_from_dataclass():
    cfg = parse_config(method_module("grad_ascent").Config, ["--regularizer", "kl", "--steps", "3", "--no-progress"],
                       "x", "x")
    assert (cfg.regularizer, cfg.steps, cfg.progress) == ("kl", 3, False)


# --- command line -------------------------------------------------------------------------

@pytest.fixture
def small_env(monkeypatch, small_world):
    monkeypatch.setenv("SOKKIT_TOY_WORLD", json.dumps(SMALL_WORLD))
    return small_world


def test_cli_method_list_matches_the_package():
    from sokkit.cli.impl import _method_names

    assert _method_names() == list(METHODS)


def test_run_saves_and_never_overwrites(small_env, tmp_path, capsys):
    from sokkit.cli import main

    out = tmp_path / "unlearned"
    assert main(["run", "simnpo", "--steps", "3", "--no-progress", "--out", str(out)]) == 0
    assert (out / "config.json").is_file() and (out / "unlearning.json").is_file()
    meta = json.loads((out / "unlearning.json").read_text())
    assert meta["method"] == "simnpo" and meta["intention"] == "removal"
    stamp = (out / "model.safetensors").stat().st_mtime_ns
    assert main(["run", "simnpo", "--steps", "3", "--no-progress", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "model.safetensors").stat().st_mtime_ns == stamp


def test_run_on_a_local_model_with_jsonl(small_env, tmp_path, capsys):
    from sokkit.cli import main

    world, model, tok = small_env
    model_dir = tmp_path / "model"
    model.save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    forget, retain = tmp_path / "forget.jsonl", tmp_path / "retain.jsonl"
    forget.write_text("\n".join(json.dumps({"question": q, "answer": a}) for q, a in world.qa(world.forget_entities)))
    retain.write_text("\n".join(json.dumps({"question": q, "answer": a}) for q, a in world.qa(world.retain_entities)))
    out = tmp_path / "out"
    args = ["run", "npo", "--model", str(model_dir), "--forget", str(forget), "--retain", str(retain),
            "--steps", "2", "--no-progress"]
    assert main(args + ["--out", str(out)]) == 0
    assert (out / "config.json").is_file()
    # the input model is never the output
    assert main(args + ["--out", str(model_dir)]) == 2
    assert "is the input model" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "answer": "a"}\n{"question": 3}\n')
    assert main(["run", "npo", "--model", str(model_dir), "--forget", str(bad), "--retain", str(retain)]) == 2
    assert f"{bad}:2:" in capsys.readouterr().err


def test_run_stops_on_divergence_and_writes_nothing(small_env, tmp_path, capsys):
    from sokkit.cli import main

    out = tmp_path / "diverged"
    code = main(["run", "grad_ascent", "--regularizer", "none", "--lr", "50", "--steps", "30",
                 "--max-loss", "100", "--no-progress", "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "loss became" in err and "lower --lr" in err
    assert not out.exists()
    assert not list(tmp_path.glob(".diverged.tmp-*"))


def test_run_rejects_unknown_method(capsys):
    from sokkit.cli import main

    assert main(["run", "no-such-method"]) == 2
    assert "allowed: grad_ascent" in capsys.readouterr().err


def test_two_process_accelerate_launch(small_env, tmp_path):
    """The training loop runs unchanged with two CPU processes (DDP over gloo). torchrun is the
    launcher `accelerate launch` uses for several processes; on CPU, `accelerate launch --cpu`
    itself needs MPI for more than one process."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    launcher = Path(sys.executable).parent / "torchrun"
    if not launcher.exists():
        pytest.skip("torchrun not installed")
    out = tmp_path / "ddp"
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([str(launcher), "--nproc_per_node", "2", "-m", "reference_impls.methods.npo",
                           "--steps", "3", "--no-progress", "--out", str(out)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "npo (removal-intended) on toy, seed 0, 2 process(es)" in proc.stdout
    assert (out / "config.json").is_file()


def test_fsdp_shards_are_gathered_into_a_plain_model(tmp_path):
    """Under FSDP each process holds only shards; `training.unsharded` gathers the full
    weights on every process into a plain model. Two CPU processes shard a tiny Llama with
    FSDP2 over gloo, take one step, gather, and must match the same step taken unsharded.
    (accelerate itself refuses FSDP without an accelerator, so this checks the gathering,
    not an `accelerate launch` with the FSDP config.)"""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from test_checkpoint_audit import tiny_model
    from transformers import AutoModelForCausalLM

    root = Path(__file__).resolve().parent.parent
    launcher = Path(sys.executable).parent / "torchrun"
    if not launcher.exists():
        pytest.skip("torchrun not installed")
    model_dir = tiny_model(tmp_path / "base", "llama")
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([str(launcher), "--nproc_per_node", "2", str(root / "tests/distributed/fsdp_gather.py"),
                           str(model_dir), str(tmp_path)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for rank in (0, 1):
        found = json.loads((tmp_path / f"rank{rank}.json").read_text())
        assert found["was_sharded"] and not found["plain_is_sharded"]
        assert found["plain_class"] == "LlamaForCausalLM" and found["keys_match"]
        assert found["local_rows"] * 2 == found["full_rows"]  # each process held half of the rows
        assert found["step_moved_weights_by"] > 1e-3  # the step changed the weights ...
        assert found["max_difference"] < 1e-5  # ... and the gathered model has the same change
    saved = AutoModelForCausalLM.from_pretrained(tmp_path / "saved")
    assert type(saved).__name__ == "LlamaForCausalLM"


def test_unsharded_returns_an_unsharded_model_as_it_is():
    from reference_impls.training import is_sharded, unsharded

    model = torch.nn.Linear(2, 2)
    assert not is_sharded(model) and unsharded(model) is model
