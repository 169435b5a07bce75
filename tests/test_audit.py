"""The intention audit: the controls hold (oracle removal-like; prompting and the output
filter suppression-like), audit.json has the promised structure, and the command line
writes its reports atomically."""

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
    settings = AuditSettings(methods=["prompting", "output_filter"], seeds=2, quick=True, attack_steps=20,
                             sequential=2)
    return run_audit(settings, WorldConfig(**SMALL_WORLD), log=lambda _msg: None)


def test_oracle_comes_out_removal_like(controls):
    assert controls["oracle"]["verdict"] == "removal-like", controls["oracle"]["recovered_by"]


def test_weight_preserving_methods_come_out_suppression_like(controls):
    for name in ("prompting", "output_filter"):
        row = controls["methods"][name]
        assert row["verdict"] == "suppression-like"
        # the weights are the base model's, so an attacker holding them relearns everything
        assert row["attacks"]["finetune"]["gap"] > 0.5


def test_base_model_is_not_removal_like(controls):
    assert controls["base"]["verdict"] == "suppression-like"
    assert controls["base"]["forget_acc"] > 0.9


def test_output_filter_blocks_without_attack(controls):
    assert controls["methods"]["output_filter"]["forget_acc"] == 0.0
    assert controls["methods"]["output_filter"]["retain_acc"] > 0.9


def test_audit_json_structure(controls):
    assert set(controls) >= {"settings", "seeds", "versions", "base", "oracle", "methods"}
    assert controls["seeds"] == [0, 1]
    assert {"torch", "transformers", "python"} <= set(controls["versions"])
    for row in [controls["base"], controls["oracle"], *controls["methods"].values()]:
        assert {"intention", "forget_acc", "retain_acc", "attacks", "verdict"} <= set(row)
        assert set(row["attacks"]) == set(ATTACKS)
        for attack in row["attacks"].values():
            assert len(attack["per_seed"]) == 2
            assert {"mean", "std", "gap", "threshold", "recovered"} <= set(attack)
    assert controls["methods"]["prompting"]["intention"] == "suppression"


def test_sequential_reports_after_each_request(controls):
    steps = controls["sequential"]["output_filter"]
    assert [s["request"] for s in steps] == [1, 2]
    assert len(steps[0]["forgotten"]) == 3 and len(steps[1]["forgotten"]) == 6
    assert all(s["forget_acc"] == 0.0 for s in steps)


def test_audit_command_writes_reports(monkeypatch, tmp_path, controls, capsys):
    from sokkit.cli import main

    monkeypatch.setenv("SOKKIT_TOY_WORLD", json.dumps(SMALL_WORLD))
    out = tmp_path / "audit"
    assert main(["audit", "--methods", "output_filter", "--quick", "--seeds", "1", "--out", str(out)]) == 0
    data = json.loads((out / "audit.json").read_text())
    assert list(data["methods"]) == ["output_filter"]
    assert (out / "summary.md").read_text().startswith("# Intention audit")
    assert (out / "audit.png").stat().st_size > 1000
    assert main(["audit", "--methods", "output_filter", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--methods", "nope"], "unknown method 'nope'"),
    (["--seeds", "0"], "--seeds must be at least 1"),
    (["--sequential", "99"], "exceeds"),
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
from reference_impls.toyworld import World, WorldConfig, checkpoint_name
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
])
def test_an_edit_to_what_shapes_the_model_changes_the_checkpoint_key(tmp_path, edit):
    assert _key_after_edit(tmp_path / "a") != _key_after_edit(tmp_path / "b", edit)


@pytest.mark.parametrize("edit", [
    ("toyworld.py", "# --- tokenizer and model", "# --- the tokenizer and the model"),  # a comment
    ("toyworld.py", '"""A word-level tokenizer over the world\'s vocabulary, built locally."""',
     '"""A word-level tokenizer, built here."""'),  # a docstring
    ("prompts.py", "def format_prompt(question: str) -> str:\n", "def format_prompt(question: str) -> str:  # Q/A\n"),
])
def test_a_comment_or_docstring_edit_keeps_the_checkpoint_key(tmp_path, edit):
    assert _key_after_edit(tmp_path / "a") == _key_after_edit(tmp_path / "b", edit)


def test_the_shipped_checkpoints_match_the_current_code():
    """Everyone audits the same weights: the committed base model and oracles are found for
    the default world (a stale name means the code changed: run `python -m
    reference_impls.toyworld ship` and commit the new checkpoints with new results)."""
    from reference_impls.toyworld import World, shipped_checkpoint

    world = World.build(WorldConfig())
    for oracle, seed in ((False, 0), (True, 0), (True, 1)):
        path = shipped_checkpoint(world, oracle, seed)
        assert path is not None, (oracle, seed)
        assert json.loads((path / "world.json").read_text())["trained_on"]["cpu_capability"]
