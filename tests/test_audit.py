"""The intention audit: the controls hold (every independent oracle removal-like against the
others; prompting and the output filter suppression-like; the base model not-forgotten),
audit.json has the promised structure, and the command line writes its reports atomically."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from reference_impls.audit import ATTACKS, AuditSettings, run_audit  # noqa: E402
from reference_impls.toyworld import WorldConfig  # noqa: E402

SMALL_WORLD = {"n_forget": 6, "n_retain": 18, "n_holdout": 6, "steps": 800, "layers": 2,
               "instruction_fraction": 0.2}  # same as test_reference_impls: the cached models are shared


@pytest.fixture(scope="module")
def controls():
    settings = AuditSettings(methods=["prompting", "output_filter"], seeds=2, quick=True, grid=((20, 1e-3),),
                             oracles=3, sequential=2)
    # two worker processes: the pool is what the command line uses
    return run_audit(settings, WorldConfig(**SMALL_WORLD), log=lambda _msg: None, workers=2)


def test_every_oracle_is_removal_like_against_the_others(controls):
    per_oracle = controls["oracle"]["per_oracle"]
    assert [p["train_seed"] for p in per_oracle] == [0, 1, 2]
    assert all(p["verdict"] == "removal-like" for p in per_oracle), per_oracle
    assert controls["oracle"]["verdict"] == "removal-like"


def test_weight_preserving_methods_are_never_removal_like(controls):
    """The output filter forgets as deployed, and an attacker holding its weights (the base
    model's) gets everything back: suppression-like. A prompt is weaker: on this small world
    it leaves part of the facts answerable, so it may be not-forgotten, but never removal-like."""
    row = controls["methods"]["output_filter"]
    assert row["verdict"] == "suppression-like", row["recovered_by"]
    assert row["not_forgotten_by"] == []
    prompting = controls["methods"]["prompting"]
    if prompting["verdict"] == "not-forgotten":
        assert prompting["not_forgotten_by"] and prompting["forget_acc"] > prompting["attacks"]["no_attack"]["null"]["high"] - 1e-9
    else:
        assert prompting["verdict"] == "suppression-like"
    for row in (controls["methods"]["output_filter"], prompting):
        finetune = row["attacks"]["finetune"]
        assert finetune["outcome"] == "beyond"
        assert finetune["recovery"]["score"] > 0.8


def test_the_base_model_is_not_forgotten_not_suppression(controls):
    assert controls["base"]["verdict"] == "not-forgotten"
    assert "no_attack" in controls["base"]["not_forgotten_by"]
    assert controls["base"]["forget_acc"] > 0.9


def test_output_filter_blocks_without_attack(controls):
    assert controls["methods"]["output_filter"]["forget_acc"] == 0.0
    assert controls["methods"]["output_filter"]["retain_acc"] > 0.9


def test_audit_json_structure(controls):
    assert set(controls) >= {"settings", "seeds", "versions", "base", "oracle", "methods", "models"}
    assert controls["seeds"] == [0, 1]
    assert controls["settings"]["oracle_seeds"] == [0, 1, 2]
    assert "null" in controls["settings"]["verdict_rule"]
    assert {"torch", "transformers", "python", "threads_per_job"} <= set(controls["versions"])
    assert set(controls["models"]) == {"base", "oracle-0", "oracle-1", "oracle-2"}
    for row in [controls["base"], *controls["methods"].values()]:
        assert {"intention", "forget_acc", "retain_acc", "retain_paraphrase_acc", "attacks", "verdict"} <= set(row)
        assert set(row["attacks"]) == set(ATTACKS)
        for attack in row["attacks"].values():
            assert len(attack["per_seed"]) == 2 and len(attack["oracle_values"]) == 3
            assert attack["outcome"] in ("beyond", "within", "inconclusive")
            assert attack["null"]["low"] <= attack["null"]["mean"] <= attack["null"]["high"]
            assert attack["model"]["low"] <= attack["model"]["mean"] <= attack["model"]["high"]
    assert controls["methods"]["prompting"]["intention"] == "suppression"


def test_sequential_reports_after_each_request(controls):
    steps = controls["sequential"]["output_filter"]
    assert [s["request"] for s in steps] == [1, 2]
    assert len(steps[0]["forgotten"]) == 3 and len(steps[1]["forgotten"]) == 6
    assert all(s["forget_acc"] == 0.0 and s["forget_acc_std"] == 0.0 for s in steps)
    assert all(len(values) == 2 for s in steps for values in s["attacks"].values())  # one per seed
    assert all(s["verdict"] in ("suppression-like", "inconclusive") for s in steps)


def test_the_reports_render(controls, tmp_path):
    from reference_impls.audit import write_reports

    write_reports(controls, tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert "Recovery score per attack" in summary and "train seed 2: removal-like" in summary
    assert (tmp_path / "audit.png").stat().st_size > 1000


def test_audit_command_writes_reports(monkeypatch, tmp_path, controls, capsys):
    from sokkit.cli import main

    monkeypatch.setenv("SOKKIT_TOY_WORLD", json.dumps(SMALL_WORLD))
    monkeypatch.setenv("SOKKIT_AUDIT_WORKERS", "1")
    out = tmp_path / "audit"
    assert main(["audit", "--methods", "output_filter", "--quick", "--seeds", "2", "--oracles", "3",
                 "--out", str(out)]) == 0
    data = json.loads((out / "audit.json").read_text())
    assert list(data["methods"]) == ["output_filter"]
    assert (out / "summary.md").read_text().startswith("# Intention audit")
    assert (out / "audit.png").stat().st_size > 1000
    assert main(["audit", "--methods", "output_filter", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--methods", "nope"], "unknown method 'nope'"),
    (["--seeds", "1"], "--seeds must be at least 2"),
    (["--oracles", "2"], "--oracles must be 3 to 5"),
    (["--oracles", "9"], "--oracles must be 3 to 5"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--sequential", "4"], "each request needs at least two people"),
])
def test_audit_command_rejects_bad_options(monkeypatch, tmp_path, capsys, argv, message):
    from sokkit.cli import main

    monkeypatch.setenv("SOKKIT_TOY_WORLD", json.dumps(SMALL_WORLD))
    assert main(["audit", *argv, "--out", str(tmp_path / "x")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --- the checkpoint key and the shipped checkpoints -------------------------------------------

KEY_OF_DEFAULT_BASE = """
import sys; sys.path.insert(0, sys.argv[1])
from reference_impls.model_cache import checkpoint_name
from reference_impls.toyworld import World, WorldConfig
print(checkpoint_name(World.build(WorldConfig()), False, 0))
"""


def _key_after_edit(tmp_path, edit=None) -> str:
    import shutil
    import subprocess
    import sys

    from conftest import ROOT

    copy = tmp_path / "tree"
    shutil.copytree(ROOT / "reference_impls", copy / "reference_impls",
                    ignore=shutil.ignore_patterns("checkpoints", "__pycache__"))
    if edit:
        path, old, new = edit
        text = (copy / "reference_impls" / path).read_text()
        assert old in text
        (copy / "reference_impls" / path).write_text(text.replace(old, new, 1))
    out = subprocess.run([sys.executable, "-c", KEY_OF_DEFAULT_BASE, str(copy)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize("edit", [
    ("toyworld.py", "Which city does {e} live in?", "Which town does {e} live in?"),   # a question template
    ("prompts.py", 'return f"Forget everything about', 'return f"Please forget everything about'),  # the instruction
    ("prompts.py", 'return f"Question: {question}\\nAnswer:"', 'return f"Q: {question}\\nA:"'),  # the prompt format
    ("data.py", "ids = ids + [eos]", "ids = ids"),  # the tokenisation (no end-of-sequence token)
    ("toyworld.py", 'HOLDOUT_TRAINED = ("city", "job")', 'HOLDOUT_TRAINED = ("city",)'),  # what is trained
])
def test_an_edit_to_what_shapes_the_model_changes_the_checkpoint_key(tmp_path, edit):
    assert _key_after_edit(tmp_path / "a") != _key_after_edit(tmp_path / "b", edit)


@pytest.mark.parametrize("edit", [
    ("toyworld.py", "# --- tokenizer and model", "# --- the tokenizer and the model"),  # a comment
    ("toyworld.py", '"""A word-level tokenizer over the world\'s vocabulary, built locally."""',
     '"""A word-level tokenizer, built here."""'),  # a docstring
    ("prompts.py", "def format_prompt(question: str) -> str:\n", "def format_prompt(question: str) -> str:  # Q/A\n"),
    ("model_cache.py", "def checkpoint_name(", "def checkpoint_name_of(world, oracle, seed):\n    return 0\n\n\ndef checkpoint_name("),
])
def test_a_comment_or_docstring_edit_keeps_the_checkpoint_key(tmp_path, edit):
    assert _key_after_edit(tmp_path / "a") == _key_after_edit(tmp_path / "b", edit)


def test_the_shipped_checkpoints_match_the_current_code():
    """Everyone audits the same weights: the committed base model and oracles are found for
    the default world (a stale name means the code changed: run `python -m
    reference_impls.model_cache ship` and commit the new checkpoints with new results)."""
    from reference_impls.model_cache import shipped_checkpoint, shipped_models
    from reference_impls.toyworld import World

    world = World.build(WorldConfig())
    assert len(shipped_models()) >= 6  # the base model and at least five oracles
    for oracle, seed in shipped_models():
        path = shipped_checkpoint(world, oracle, seed)
        assert path is not None, (oracle, seed)
        assert json.loads((path / "world.json").read_text())["trained_on"]["cpu_capability"]
