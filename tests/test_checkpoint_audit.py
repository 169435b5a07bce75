"""The audit of your own checkpoints (`sokkit audit --model ...`) on models built offline:
the small toy world's base model and oracles saved as ordinary Hugging Face folders, and
random-initialised tiny Llama and GPT-2 models with a SentencePiece-style tokenizer
trained here. Verdicts known by construction; clear errors; nothing written on failure."""

from __future__ import annotations

import json
import shutil

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from sokkit.cli import main  # noqa: E402

SMALL_WORLD = {"n_forget": 6, "n_retain": 18, "n_holdout": 6, "steps": 800, "layers": 2,
               "instruction_fraction": 0.2}  # the other audit tests' world: the cached models are shared
TOY_ATTACK = ["--score", "acc", "--attack-steps", "20", "--attack-lrs", "1e-3", "3e-3"]


def write_jsonl(path, pairs):
    path.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in pairs))
    return str(path)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """Folders of the small world's base model and three oracles, and its JSONL files."""
    from reference_impls.model_cache import load_or_train
    from reference_impls.toyworld import World, WorldConfig

    world = World.build(WorldConfig(**SMALL_WORLD))
    root = tmp_path_factory.mktemp("toy")
    folders = {}
    for role, oracle, seed in (("base", False, 0), ("oracle0", True, 0), ("oracle1", True, 1), ("oracle2", True, 2)):
        model, tok = load_or_train(world, oracle=oracle, train_seed=seed, progress=False)
        model.save_pretrained(root / role)
        tok.save_pretrained(root / role)
        folders[role] = str(root / role)
    data = {"forget": write_jsonl(root / "forget.jsonl", world.qa(world.forget_entities)),
            "retain": write_jsonl(root / "retain.jsonl", world.qa(world.retain_entities)),
            "holdout": write_jsonl(root / "holdout.jsonl", world.non_member_qa())}
    return folders, data, root


def audit(tmp_path, model, base, oracles, data, *extra):
    out = tmp_path / "report"
    argv = ["audit", "--model", model, "--base", base, "--forget", data["forget"], "--retain", data["retain"],
            "--holdout", data["holdout"], *[x for o in oracles for x in ("--oracle", o)], *TOY_ATTACK, *extra,
            "--out", str(out)]
    return main(argv), out


def test_an_oracle_audited_against_the_other_oracles_is_removal_like(toy, tmp_path):
    folders, data, _ = toy
    code, out = audit(tmp_path, folders["oracle2"], folders["base"], [folders["oracle0"], folders["oracle1"]], data)
    assert code == 0
    result = json.loads((out / "audit.json").read_text())
    assert result["verdict"] == "removal-like", result["judged"]
    assert "spread is the null" in result["settings"]["evidence"]
    assert "removal-like" in (out / "summary.md").read_text()


def test_the_base_model_audited_as_unlearned_is_not_forgotten(toy, tmp_path):
    folders, data, _ = toy
    code, out = audit(tmp_path, folders["base"], folders["base"], [folders["oracle0"]], data)
    assert code == 0
    result = json.loads((out / "audit.json").read_text())
    assert result["verdict"] == "not-forgotten"
    assert "one oracle" in result["settings"]["evidence"]


def test_refusal_tuning_is_suppression_like_and_without_an_oracle_it_is_never_removal_like(toy, tmp_path):
    """Refusal tuning teaches the model to say "I do not know" to the forget questions:
    by construction the facts are still in the weights, and fine-tuning brings them back."""
    folders, data, root = toy
    unlearned = tmp_path / "refused"
    assert main(["run", "refusal_tuning", "--model", folders["base"], "--forget", data["forget"],
                 "--retain", data["retain"], "--steps", "60", "--no-progress", "--out", str(unlearned)]) == 0
    code, out = audit(tmp_path, str(unlearned), folders["base"],
                      [folders["oracle0"], folders["oracle1"], folders["oracle2"]], data)
    assert code == 0
    result = json.loads((out / "audit.json").read_text())
    assert result["values"]["model"]["no_attack"] < 0.2
    assert result["verdict"] == "suppression-like", result["judged"]
    assert result["judged"]["relearn"]["outcome"] == "beyond"
    shutil.rmtree(out)
    code, out = audit(tmp_path, str(unlearned), folders["base"], [], data)
    result = json.loads((out / "audit.json").read_text())
    assert code == 0 and result["verdict"] == "suppression-like (no oracle)"
    assert "no oracle" in result["settings"]["evidence"]


def test_a_folder_without_tokenizer_files_is_refused_and_nothing_is_written(toy, tmp_path, capsys):
    folders, data, _ = toy
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(f"{folders['base']}/{name}", bare / name)
    code, out = audit(tmp_path, str(bare), folders["base"], [], data)
    assert code == 2
    assert "has no tokenizer files" in capsys.readouterr().err
    assert not out.exists() and sorted(p.name for p in bare.iterdir()) == ["config.json", "model.safetensors"]


def test_models_with_different_vocabularies_are_refused(toy, tmp_path, capsys):
    folders, data, _ = toy
    other = tiny_model(tmp_path / "gpt2", "gpt2")
    code, out = audit(tmp_path, str(other), folders["base"], [], data)
    assert code == 2 and "different vocabularies" in capsys.readouterr().err
    assert not out.exists()


def test_malformed_jsonl_names_file_and_line(toy, tmp_path, capsys):
    folders, data, _ = toy
    bad = tmp_path / "forget.jsonl"
    bad.write_text('{"question": "q", "answer": "a"}\n{"question": "q"\n')
    code, out = audit(tmp_path, folders["oracle0"], folders["base"], [], {**data, "forget": str(bad)})
    assert code == 2 and f"{bad}:2: not valid JSON" in capsys.readouterr().err
    assert not out.exists()


def test_the_report_never_goes_into_an_input_model(toy, tmp_path, capsys):
    folders, data, _ = toy
    before = sorted(p.name for p in __import__("pathlib").Path(folders["oracle0"]).iterdir())
    assert main(["audit", "--model", folders["oracle0"], "--base", folders["base"], "--forget", data["forget"],
                 "--retain", data["retain"], "--out", folders["oracle0"]]) == 2
    assert "one of the input models" in capsys.readouterr().err
    assert sorted(p.name for p in __import__("pathlib").Path(folders["oracle0"]).iterdir()) == before


def test_toy_options_and_checkpoint_options_do_not_mix(toy, tmp_path, capsys):
    folders, data, _ = toy
    assert main(["audit", "--model", folders["base"], "--base", folders["base"], "--forget", data["forget"],
                 "--retain", data["retain"], "--seeds", "3", "--out", str(tmp_path / "x")]) == 2
    assert "toy-world options" in capsys.readouterr().err
    assert main(["audit", "--base", folders["base"], "--out", str(tmp_path / "x")]) == 2
    assert "give --model too" in capsys.readouterr().err
    assert main(["audit", "--model", folders["base"], "--out", str(tmp_path / "x")]) == 2
    assert "also give --base, --forget, --retain" in capsys.readouterr().err


# --- tiny real architectures with a SentencePiece-style tokenizer ------------------------------

CORPUS = ["Question: Where does Alice live?\nAnswer: Paris", "Question: What is the job of Bob?\nAnswer: baker",
          "Question: Which pet does Carol keep?\nAnswer: a small grey cat", "I do not know"] * 20


def sentencepiece_style_tokenizer():
    """A Unigram tokenizer with a Metaspace pre-tokenizer ('▁' marks a word start), the
    scheme of Llama's SentencePiece tokenizers, trained here on a few lines."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    tok.train_from_iterator(CORPUS, trainers.UnigramTrainer(vocab_size=120, special_tokens=["<pad>", "<unk>", "</s>"],
                                                            unk_token="<unk>"))
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", eos_token="</s>")


def tiny_model(folder, kind: str):
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    tok = sentencepiece_style_tokenizer()
    torch.manual_seed(0)
    if kind == "gpt2":
        model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_embd=32, n_layer=2, n_head=2, n_positions=128,
                                           eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id))
    else:
        model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                                             num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                                             max_position_embeddings=128, eos_token_id=tok.eos_token_id,
                                             pad_token_id=tok.pad_token_id, bos_token_id=None))
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def test_prompt_and_answer_are_tokenised_together_with_the_end_of_sequence_token():
    """Tokenised together and split by offsets, the labelled tokens are exactly the answer's
    tokens in the text as the model reads it (a SentencePiece tokenizer tokenising the
    answer apart may start it with a spurious word-start marker), followed by EOS."""
    from reference_impls.data import IGNORE, encode

    tok = sentencepiece_style_tokenizer()
    prompt, answer = "Question: Which pet does Carol keep?\nAnswer:", "a small grey cat"
    batch = encode(tok, [(prompt, answer)])
    ids, labels = batch["input_ids"][0].tolist(), batch["labels"][0].tolist()
    whole = tok(prompt + " " + answer)["input_ids"]
    assert ids == whole + [tok.eos_token_id]
    answer_ids = [i for i, lab in zip(ids, labels) if lab != IGNORE]
    assert tok.decode(answer_ids[:-1]).strip() == answer and answer_ids[-1] == tok.eos_token_id
    assert labels[:len(ids) - len(answer_ids)] == [IGNORE] * (len(ids) - len(answer_ids))


def test_quantization_covers_gpt2_conv1d(tmp_path):
    from transformers import AutoModelForCausalLM
    from transformers.pytorch_utils import Conv1D

    from reference_impls.attacks import quantized_copy

    model = AutoModelForCausalLM.from_pretrained(tiny_model(tmp_path / "g", "gpt2"))
    q = quantized_copy(model, 4)
    convs = [(n, m) for n, m in q.named_modules() if isinstance(m, Conv1D)]
    assert convs
    original = dict(model.named_modules())
    for name, module in convs:
        w, w0 = module.weight, original[name].weight
        assert not torch.equal(w, w0)
        scale = w0.abs().amax(dim=0, keepdim=True) / 7  # per output channel: weight is [in, out]
        assert torch.allclose(w / scale, (w / scale).round(), atol=1e-4)  # on the 4-bit grid
        assert ((w / scale).round().abs() <= 7).all()


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_a_method_and_the_checkpoint_audit_run_on_tiny_real_architectures(tmp_path, kind):
    base = tiny_model(tmp_path / "base", kind)
    pairs = [("Where does Alice live?", "Paris"), ("What is the job of Bob?", "baker"),
             ("Which pet does Carol keep?", "a small grey cat"), ("Where does Bob live?", "Paris")]
    forget = write_jsonl(tmp_path / "forget.jsonl", pairs[:2] * 2)
    retain = write_jsonl(tmp_path / "retain.jsonl", pairs[2:])
    assert main(["run", "npo", "--model", str(base), "--forget", forget, "--retain", retain, "--steps", "2",
                 "--no-progress", "--out", str(tmp_path / "npo")]) == 0
    out = tmp_path / "report"
    extra = ["--score", "rouge"] if kind == "gpt2" else ["--device-map", "auto"]
    assert main(["audit", "--model", str(tmp_path / "npo"), "--base", str(base), "--oracle", str(base),
                 "--forget", forget, "--retain", retain, "--attack-steps", "2", *extra, "--out", str(out)]) == 0
    result = json.loads((out / "audit.json").read_text())
    assert set(result["values"]["model"]) >= {"no_attack", "relearn", "finetune", "quant8", "quant4", "logit_lens",
                                              "ablation"}
    assert result["verdict"] in ("not-forgotten", "suppression-like", "removal-like", "inconclusive")


def test_the_gpu_check_script_runs_end_to_end_in_its_tiny_cpu_mode(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    out = tmp_path / "gpu_check.json"
    run = subprocess.run([sys.executable, "benchmarks/gpu_check.py", "--tiny", "--device", "cpu", "--steps", "3",
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["ratio"] > 0 and result["device"] == "cpu" and result["dtype"] == "bfloat16"
    assert {"no_attack", "relearn", "quant4"} <= set(result["audit_attacks"])


def test_lora_trains_adapters_and_saves_a_plain_model(tmp_path, capsys):
    """--lora R: only low-rank adapters train, they are merged at the end, and the saved
    folder is an ordinary model of the base architecture with changed weights."""
    from transformers import AutoModelForCausalLM

    pytest.importorskip("peft")
    base = tiny_model(tmp_path / "base", "llama")
    pairs = [("Where does Alice live?", "Paris"), ("What is the job of Bob?", "baker")]
    forget = write_jsonl(tmp_path / "forget.jsonl", pairs)
    retain = write_jsonl(tmp_path / "retain.jsonl", [("Which pet does Carol keep?", "a small grey cat")])
    assert main(["run", "npo", "--model", str(base), "--forget", forget, "--retain", retain, "--steps", "3",
                 "--lr", "1e-2", "--lora", "4", "--no-progress", "--out", str(tmp_path / "lora")]) == 0
    before = AutoModelForCausalLM.from_pretrained(base)
    after = AutoModelForCausalLM.from_pretrained(tmp_path / "lora")
    assert type(after) is type(before)
    names = dict(after.named_parameters())
    assert not any("lora" in n for n in names)
    changed = [n for n, p in before.named_parameters() if not torch.equal(p, names[n])]
    assert changed and all("proj" in n for n in changed)  # the linear layers moved; embeddings and norms did not
    assert main(["run", "rmu", "--model", str(base), "--forget", forget, "--retain", retain, "--lora", "4",
                 "--out", str(tmp_path / "x")]) == 2
    assert "--lora is not supported by rmu" in capsys.readouterr().err


@pytest.mark.parametrize("reference, generated, recall", [
    ("a small grey cat", "a small grey cat", 1.0),
    ("a small grey cat", "It is a grey cat, small", 0.75),   # LCS "a grey cat": order matters
    ("Paris", "I do not know", 0.0),
    ("Paris", "paris!", 1.0),                                 # lower-cased words, punctuation ignored
])
def test_rouge_l_recall(reference, generated, recall):
    from reference_impls.evaluation import rouge_l_recall

    assert rouge_l_recall(reference, generated) == pytest.approx(recall)


@pytest.mark.parametrize("reference, generated, expected", [
    ("a small grey cat", "It is a small grey cat.", True),
    ("a small grey cat", "a small cat, grey", False),   # the words must be adjacent and in order
    ("Paris", "parisian", False),                        # whole words
    ("Paris", "I think PARIS", True),
])
def test_generation_contains_the_answer(reference, generated, expected):
    from reference_impls.evaluation import contains_answer

    assert contains_answer(reference, generated) is expected


def test_rouge_scoring_tells_the_base_model_from_an_oracle(toy, tmp_path):
    """Generated answers: the base model reproduces the forget answers, an oracle does not,
    and the output filter's refusals score 0."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from reference_impls.data import load_qa_jsonl
    from reference_impls.evaluation import System, evaluate

    folders, data, _ = toy
    forget = load_qa_jsonl(data["forget"])[:24]
    scores = {}
    for role in ("base", "oracle0"):
        model = AutoModelForCausalLM.from_pretrained(folders[role])
        tok = AutoTokenizer.from_pretrained(folders[role])
        result = evaluate(System(model, tok), forget, with_rouge=True)
        scores[role] = result["rouge"]
        assert 0.0 <= result["contains"] <= 1.0 and (result["contains"] > 0.9) == (role == "base")
        if role == "base":
            blocked = System(model, tok, blocked_terms=[q.split(" ")[-1].rstrip("?") for q, _ in forget])
            assert evaluate(blocked, forget, with_rouge=True)["rouge"] == 0.0
    assert scores["base"] > 0.9 and scores["oracle0"] < 0.4


@pytest.mark.parametrize("name, kind", [("ddp-8gpu", "MULTI_GPU"), ("fsdp-8gpu", "FSDP")])
def test_the_shipped_accelerate_configs_parse(name, kind):
    from accelerate.commands.config.config_args import ClusterConfig

    from conftest import ROOT

    config = ClusterConfig.from_yaml_file(str(ROOT / "reference_impls" / "accelerate" / f"{name}.yaml"))
    assert config.distributed_type.name == kind and config.num_processes == 8
    assert config.mixed_precision == "bf16"
    if kind == "FSDP":  # FSDP2: the version whose shards training.unsharded is tested on
        assert config.fsdp_config["fsdp_version"] == 2


@pytest.mark.parametrize("method", ["grad_ascent", "npo", "simnpo", "idk_dpo", "rmu", "located_edit", "task_vector",
                                    "undial", "refusal_tuning", "undo", "sam_unlearn", "tar"])
def test_every_training_method_trains_bf16_weights_with_bf16_references_on_the_training_device(
        tmp_path, monkeypatch, method):
    """--bf16 on a local model: the weights are loaded in bf16, every frozen reference the
    method makes is a bf16 copy on the training device, and the saved result is bf16."""
    from transformers import AutoModelForCausalLM

    from reference_impls import training

    base = tiny_model(tmp_path / "base", "llama")
    pairs = [("Where does Alice live?", "Paris"), ("What is the job of Bob?", "baker")]
    forget = write_jsonl(tmp_path / "forget.jsonl", pairs)
    retain = write_jsonl(tmp_path / "retain.jsonl", [("Which pet does Carol keep?", "a small grey cat")])
    references = []
    real = training.frozen_copy

    def recording(model, device=None):
        ref = real(model, device)
        references.append(next(ref.parameters()))
        return ref

    monkeypatch.setattr(training, "frozen_copy", recording)
    import importlib

    module = importlib.import_module(f"reference_impls.methods.{method}")
    if hasattr(module, "frozen_copy"):
        monkeypatch.setattr(module, "frozen_copy", recording)
    extra = {"undo": ["--base-steps", "2"], "tar": ["--inner-steps", "1"]}.get(method, [])
    assert main(["run", method, "--model", str(base), "--forget", forget, "--retain", retain, "--steps", "2",
                 "--bf16", "--no-progress", *extra, "--out", str(tmp_path / "out")]) == 0
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert all(p.dtype == torch.bfloat16 and p.device.type == device.type for p in references), \
        [(p.dtype, p.device) for p in references]
    saved = AutoModelForCausalLM.from_pretrained(tmp_path / "out")
    assert next(saved.parameters()).dtype == torch.bfloat16


CHAT_TEMPLATE = ("{% for m in messages %}<|user|> {{ m['content'] }}{% endfor %}"
                 "{% if add_generation_prompt %} <|assistant|>{% endif %}")


def test_chat_template_wraps_the_questions_for_methods_and_the_audit(tmp_path, capsys):
    from reference_impls.data import as_prompts, chat_formatted, encode
    from transformers import AutoTokenizer

    base = tiny_model(tmp_path / "base", "llama")
    plain = AutoTokenizer.from_pretrained(base)
    pairs = [("Where does Alice live?", "Paris"), ("What is the job of Bob?", "baker")]
    forget = write_jsonl(tmp_path / "forget.jsonl", pairs)
    retain = write_jsonl(tmp_path / "retain.jsonl", [("Which pet does Carol keep?", "a small grey cat")])
    # without a template in the tokenizer: a clear error, nothing written
    assert main(["run", "npo", "--model", str(base), "--forget", forget, "--retain", retain, "--chat-template",
                 "--out", str(tmp_path / "x")]) == 2
    assert "has no chat template" in capsys.readouterr().err and not (tmp_path / "x").exists()
    plain.chat_template = CHAT_TEMPLATE
    plain.save_pretrained(base)
    tok = AutoTokenizer.from_pretrained(base)
    wrapped = chat_formatted(tok, pairs, str(base))
    assert as_prompts(wrapped)[0][0] == "<|user|> Where does Alice live? <|assistant|>"
    assert as_prompts(pairs)[0][0] == "Question: Where does Alice live?\nAnswer:"
    batch = encode(tok, as_prompts(wrapped))
    text = tok.decode(batch["input_ids"][0][batch["attention_mask"][0].bool()])  # '|' is not in this tiny vocabulary
    assert text.index("user") < text.index("Alice") < text.index("assistant") < text.index("Paris")
    assert main(["run", "npo", "--model", str(base), "--forget", forget, "--retain", retain, "--chat-template",
                 "--steps", "2", "--no-progress", "--out", str(tmp_path / "npo")]) == 0
    out = tmp_path / "report"
    assert main(["audit", "--model", str(tmp_path / "npo"), "--base", str(base), "--forget", forget,
                 "--retain", retain, "--chat-template", "--attack-steps", "2", "--out", str(out)]) == 0
    assert json.loads((out / "audit.json").read_text())["settings"]["chat_template"] is True
    # labels survive the chat formatting: the probe is still there
    lines = lambda rows: "".join(json.dumps({"question": q, "answer": a, "label": a}) + "\n" for q, a in rows)  # noqa: E731
    (tmp_path / "forget-l.jsonl").write_text(lines(pairs))
    (tmp_path / "retain-l.jsonl").write_text(lines([("Which pet does Carol keep?", "cat"), ("Where does Bob live?", "Rome"),
                                                    ("Which pet does Dan keep?", "dog"), ("Where does Eve live?", "Rome"),
                                                    ("Which pet does Fay keep?", "cat")]))
    assert main(["audit", "--model", str(tmp_path / "npo"), "--base", str(base), "--forget", str(tmp_path / "forget-l.jsonl"),
                 "--retain", str(tmp_path / "retain-l.jsonl"), "--chat-template", "--attack-steps", "2",
                 "--out", str(tmp_path / "labelled")]) == 0
    assert "probe" in json.loads((tmp_path / "labelled" / "audit.json").read_text())["values"]["model"]


def test_runs_of_either_precision_can_follow_each_other_in_one_process():
    """accelerate's process-wide state refuses a second precision; a single process that
    runs a bf16 method after an fp32 one (a test run, a notebook) must still work."""
    from reference_impls.config import CommonConfig
    from reference_impls.training import new_accelerator

    assert new_accelerator(CommonConfig(bf16=False)).mixed_precision == "no"
    assert new_accelerator(CommonConfig(bf16=True)).mixed_precision == "bf16"
    assert new_accelerator(CommonConfig(bf16=False)).mixed_precision == "no"


def test_labelled_lines_add_a_probe_and_a_bad_label_names_file_and_line(toy, tmp_path, capsys):
    """With a "label" on every forget and retain line (here the fact's value), a linear
    probe reads the forget labels off the hidden states: well for the base model, near
    chance for an oracle; without labels there is no probe."""
    folders, data, _ = toy

    def labelled(name):
        rows = [json.loads(line) for line in open(data[name])]
        path = tmp_path / f"{name}-labelled.jsonl"
        path.write_text("".join(json.dumps({**r, "label": r["answer"]}) + "\n" for r in rows))
        return str(path)

    with_labels = {**data, "forget": labelled("forget"), "retain": labelled("retain")}
    code, out = audit(tmp_path, folders["base"], folders["base"], [folders["oracle0"], folders["oracle1"]], with_labels)
    assert code == 0
    values = json.loads((out / "audit.json").read_text())["values"]
    assert values["model"]["probe"] > 0.6 and values["oracle-0"]["probe"] < values["model"]["probe"] - 0.3
    shutil.rmtree(out)
    code, out = audit(tmp_path, folders["base"], folders["base"], [folders["oracle0"]], data)
    assert code == 0 and "probe" not in json.loads((out / "audit.json").read_text())["values"]["model"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q1", "answer": "a", "label": "x"}\n{"question": "q2", "answer": "b", "label": 3}\n')
    (tmp_path / "b").mkdir()
    code, out2 = audit(tmp_path / "b", folders["base"], folders["base"], [], {**data, "forget": str(bad)})
    assert code == 2 and f"{bad}:2: 'label' must be a non-empty string" in capsys.readouterr().err
