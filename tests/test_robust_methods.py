"""The methods that aim at robust removal (UNDO, sharpness-aware unlearning, TAR) and the two
defects fixed with them (task-vector negation over tied weights, located_edit's mask device).

Each method runs a short schedule on the small toy world (its loss stays finite, forget
accuracy falls) and its core mechanism is checked on its own: SAM's perturbed gradient
differs from the plain one and the weights come back bit-identical; UNDO's student is the
teacher at α = 0 and moves linearly towards a fresh initialisation as α grows; TAR's
simulated attack changes the attacker only, never the outer model."""

from __future__ import annotations

import copy
import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from reference_impls import METHODS, method_module  # noqa: E402
from reference_impls.data import Task, as_prompts, encode  # noqa: E402
from reference_impls.evaluation import System, evaluate  # noqa: E402
from reference_impls.training import new_accelerator  # noqa: E402

# Same as tests/test_reference_impls.py, so the cached models are shared.
SMALL_WORLD = {"n_forget": 6, "n_retain": 18, "n_holdout": 6, "steps": 800, "layers": 2,
               "instruction_fraction": 0.2}
ROBUST = ("undo", "sam_unlearn", "tar")


@pytest.fixture(scope="module")
def small_world():
    from reference_impls.model_cache import load_or_train
    from reference_impls.toyworld import World, WorldConfig

    world = World.build(WorldConfig(**SMALL_WORLD))
    model, tokenizer = load_or_train(world, progress=False)
    return world, model, tokenizer


def make_task(small_world) -> Task:
    world, model, tok = small_world
    return Task(copy.deepcopy(model), tok, world.qa(world.forget_entities), world.qa(world.retain_entities),
                list(world.forget_entities))


def test_registered_as_removal_intended():
    for name in ROBUST:
        assert METHODS[name] == "removal"
        module = method_module(name)
        assert module.INTENTION == "removal" and hasattr(module, "Config") and hasattr(module, "unlearn")


# --- each method runs and forgets (short schedules; cost on 2 cores: ~10-20 s each) -------------

SHORT = {
    "undo": dict(base_steps=30, steps=60, alpha=0.3),
    "sam_unlearn": dict(steps=30),
    "tar": dict(base_method="none", steps=10, inner_steps=2, lr=2e-3),
}


@pytest.mark.parametrize("name", ROBUST)
def test_short_run_forgets_with_a_finite_loss(small_world, name):
    module = method_module(name)
    task = make_task(small_world)
    before = evaluate(System(task.model, task.tokenizer), task.forget)
    # check_loss inside every loop raises Diverged on a non-finite loss, so finishing means finite losses
    system = module.unlearn(module.Config(progress=False, batch_size=8, **SHORT[name]), task)
    after = evaluate(system, task.forget)
    assert math.isfinite(after["prob"])
    assert before["acc"] > 0.95
    assert after["acc"] < before["acc"] - 0.2, (name, after)
    assert all(torch.isfinite(p).all() for p in system.model.parameters())


# --- SAM: the perturbed step --------------------------------------------------------------

def forget_loss_fn(module, cfg, model, ref, tok, pairs):
    batch = encode(tok, as_prompts(pairs))
    return lambda: module.forget_objective(cfg, model, ref, batch)


@pytest.mark.parametrize("objective", ["npo", "ga"])
def test_sam_gradient_is_taken_at_the_perturbed_weights_and_the_weights_are_restored(small_world, objective):
    from reference_impls.training import frozen_copy

    module = method_module("sam_unlearn")
    world, model, tok = small_world
    model = copy.deepcopy(model).train()
    ref = frozen_copy(model)
    cfg = module.Config(objective=objective, progress=False)
    acc = new_accelerator(cfg)
    params = list(model.parameters())
    pairs = world.qa(world.forget_entities)[:8]
    theta = [p.detach().clone() for p in params]

    def grads(rho):
        for p in params:
            p.grad = None
        loss = module.sharpness_aware_grad(acc, model, params, forget_loss_fn(module, cfg, model, ref, tok, pairs), rho)
        assert math.isfinite(loss.item())
        return [p.grad.clone() for p in params if p.grad is not None]

    plain = grads(0.0)
    direct = forget_loss_fn(module, cfg, model, ref, tok, pairs)()
    for p in params:
        p.grad = None
    direct.backward()
    assert all(torch.allclose(a, p.grad, atol=1e-6) for a, p in zip(plain, params))  # ρ = 0: the plain gradient
    smoothed = grads(cfg.rho)
    assert all(torch.equal(p, t) for p, t in zip(params, theta))  # θ restored exactly, not θ + ε − ε
    diff = sum((a - b).norm() ** 2 for a, b in zip(plain, smoothed)).sqrt()
    assert diff > 1e-3 * sum(a.norm() ** 2 for a in plain).sqrt()


def test_sam_ascent_moves_by_rho_along_the_gradient():
    module = method_module("sam_unlearn")
    params = [torch.nn.Parameter(torch.tensor([1.0, 2.0])), torch.nn.Parameter(torch.tensor([0.0]))]
    params[0].grad, params[1].grad = torch.tensor([3.0, 0.0]), torch.tensor([4.0])  # ‖g‖ = 5
    saved = module.ascend(params, 0.5)
    assert torch.allclose(params[0].data, torch.tensor([1.3, 2.0])) and torch.allclose(params[1].data, torch.tensor([0.4]))
    module.restore(params, saved)
    assert torch.equal(params[0].data, torch.tensor([1.0, 2.0])) and torch.equal(params[1].data, torch.tensor([0.0]))


# --- UNDO: the noised student -----------------------------------------------------------------

def flat(model) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_undo_student_is_the_teacher_at_alpha_zero_and_moves_towards_a_fresh_init(small_world):
    module = method_module("undo")
    _, teacher, _ = small_world
    t = flat(teacher)
    assert torch.equal(flat(module.noised_copy(teacher, 0.0, seed=0)), t)
    fresh = flat(module.noised_copy(teacher, 1.0, seed=0))
    half = flat(module.noised_copy(teacher, 0.5, seed=0))
    assert (half - t).norm() > 0.1 * t.norm()  # starts away from the teacher
    assert torch.allclose(half, 0.5 * t + 0.5 * fresh, atol=1e-6)  # (1 − α)·θ_T + α·θ_init
    assert torch.equal(flat(module.noised_copy(teacher, 0.5, seed=0)), half)  # seeded: same on every process
    assert not torch.equal(flat(module.noised_copy(teacher, 0.5, seed=1)), half)
    assert torch.equal(flat(teacher), t)  # the teacher is untouched
    with pytest.raises(Exception, match="alpha"):
        module.noised_copy(teacher, 1.5, seed=0)


# --- TAR: the simulated attack ------------------------------------------------------------------

def test_tar_attack_changes_only_the_attacker_and_returns_a_tr_gradient(small_world):
    from reference_impls.data import forget_retain_batches

    module = method_module("tar")
    world, model, tok = small_world
    model = copy.deepcopy(model).train()
    attacker = copy.deepcopy(model)
    with torch.no_grad():  # the attacker is reset from the model, whatever it held before
        for p in attacker.parameters():
            p.add_(1.0)
    cfg = module.Config(inner_steps=3, progress=False)
    forget = world.qa(world.forget_entities)
    before = [p.detach().clone() for p in model.parameters()]
    tr_batch = encode(tok, as_prompts(forget[:8]))
    grads = module.simulate_attack(attacker, model, tok, forget_retain_batches(forget, forget, 8, 0), tr_batch,
                                   cfg, torch.device("cpu"))
    assert all(torch.equal(p, b) for p, b in zip(model.parameters(), before))
    assert all(p.grad is None for p in model.parameters())
    moved = [(a - b).abs().max().item() for a, b in zip(attacker.parameters(), before)]
    assert max(moved) > 0 and max(moved) < 0.1  # the attack ran from the model's weights, not from +1
    assert len(grads) == len(before) and all(torch.isfinite(g).all() for g in grads)
    assert sum(g.norm() for g in grads) > 0


def test_answer_entropy_counts_only_answer_positions():
    from reference_impls.data import IGNORE

    module = method_module("tar")
    logits = torch.log(torch.tensor([[[0.5, 0.5], [1.0 - 1e-9, 1e-9], [0.5, 0.5]]]))
    labels = torch.tensor([[IGNORE, 0, IGNORE]])  # one answer position, predicted by the logits at t = 0
    assert module.answer_entropy(logits, labels).item() == pytest.approx(math.log(2))


# --- defect: task-vector negation over tied weights -----------------------------------------------

def tied_model(tokenizer):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                         bos_token_id=None, tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    assert model.lm_head.weight is model.model.embed_tokens.weight
    assert len(model.state_dict()) == len(list(model.named_parameters())) + 1  # state_dict lists it twice
    return model


def test_task_vector_negation_lands_at_theta0_minus_alpha_tau_for_every_parameter(small_world, monkeypatch):
    module = method_module("task_vector")
    world, _, tok = small_world
    model = tied_model(tok)
    theta0 = {k: p.detach().clone() for k, p in model.named_parameters()}
    finetuned = {}
    real_finish = module.finish

    def recording_finish(acc, m):  # θ_ft, just before the negation
        m = real_finish(acc, m)
        finetuned.update({k: p.detach().clone() for k, p in m.named_parameters()})
        return m

    monkeypatch.setattr(module, "finish", recording_finish)
    cfg = module.Config(steps=3, batch_size=8, progress=False)
    task = Task(model, tok, world.qa(world.forget_entities), world.qa(world.retain_entities))
    system = module.unlearn(cfg, task)
    assert system.model.lm_head.weight is system.model.model.embed_tokens.weight
    for name, p in system.model.named_parameters():
        tau = finetuned[name] - theta0[name]
        assert torch.allclose(p, theta0[name] - cfg.alpha * tau, atol=1e-6), name
    tau = finetuned["model.embed_tokens.weight"] - theta0["model.embed_tokens.weight"]
    assert tau.abs().max() > 0  # the tied embedding was trained, so the check above had something to see


# --- defect: located_edit's gradient mask on the model's device ------------------------------------

def test_located_edit_mask_is_on_the_weights_device_and_follows_the_gradient(small_world):
    module = method_module("located_edit")
    _, model, _ = small_world
    model = copy.deepcopy(model)
    projections = module.output_projections(model)
    chosen = torch.zeros(len(projections), projections[0].weight.shape[1], dtype=torch.bool)
    chosen[:, :3] = True
    masks = module.neuron_masks(model, chosen)
    for (weight, keep), proj in zip(masks, projections):
        assert weight is proj.weight
        assert keep.device == weight.device and keep.dtype == weight.dtype
        assert keep.shape == (1, weight.shape[1]) and keep.sum() == 3
    hook = module.KeepNeurons(masks[0][1])
    grad = torch.ones_like(masks[0][0])
    assert torch.equal(hook(grad), grad * masks[0][1])
    # a weight moved after the hook was made (accelerate's prepare, .to("cuda")): the mask follows
    moved = hook(torch.ones(masks[0][0].shape, device="meta"))
    assert moved.device.type == "meta" and hook.keep.device.type == "meta"


def test_located_edit_still_touches_only_located_columns(small_world):
    module = method_module("located_edit")
    task = make_task(small_world)
    original = copy.deepcopy(task.model)
    system = module.unlearn(module.Config(steps=3, neurons=10, progress=False), task)
    changed = sum((a.weight != b.weight).any(0).sum().item()
                  for a, b in zip(module.output_projections(original), module.output_projections(system.model)))
    assert 0 < changed <= 10
    # the hooks are removed: later training (an attack) is not masked
    assert not any(getattr(p, "_backward_hooks", None) for p in system.model.parameters())


# --- command line -----------------------------------------------------------------------------

def test_sokkit_run_knows_the_new_methods(small_world, monkeypatch, capsys):
    import json

    from sokkit.cli import main

    monkeypatch.setenv("SOKKIT_TOY_WORLD", json.dumps(SMALL_WORLD))
    assert main(["run", "sam_unlearn", "--steps", "2", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "sam_unlearn (removal-intended)" in out and "forget acc" in out
    assert main(["run", "undo", "--alpha", "2", "--base-steps", "1", "--steps", "1", "--no-progress"]) == 2
    assert "alpha" in capsys.readouterr().err
