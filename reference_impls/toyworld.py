"""The toy world: fictitious people with attributes, a local tokenizer, a small model trained
from scratch, and the oracle (the same recipe without the forget set).

Everything is derived from `WorldConfig`, so a checkpoint is cached under a key made of the
world's settings and seed; nothing is downloaded. The world is split into

* forget entities — every fact about them is to be unlearned;
* retain entities — facts the model must keep;
* holdout entities — people whose city and job are trained (in the base model and the
  oracle alike) but whose colour and pet nobody trains on: those untrained facts are the
  non-members for membership inference. Their names *were* trained, so a membership test
  cannot win by spotting a never-seen name.

Each fact is askable through several question templates; the last template of every
attribute is never trained on, so it tests whether an unlearned fact comes back when the
question is paraphrased. A fraction of the training questions is preceded by an
instruction "Forget everything about A, B." — on those about a listed person the model is
taught to answer "I do not know". This lets in-context unlearning (a prompt) work on the
toy model at all, as it does on instruction-tuned LLMs.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from dataclasses import asdict, dataclass, field

from .prompts import forget_instruction, format_prompt

IDK_ANSWER = "I do not know"

ATTRIBUTES: dict[str, dict] = {
    "city": {
        "values": ["paris", "lagos", "lima", "oslo", "hanoi", "cairo", "quito", "perth",
                   "dakar", "riga", "sofia", "tunis"],
        "templates": ["Which city does {e} live in?", "Where does {e} live?",
                      "In which city is the home of {e}?", "What is the home city of {e}?"],
    },
    "job": {
        "values": ["baker", "pilot", "nurse", "judge", "miner", "tailor", "farmer", "poet",
                   "sailor", "chemist", "mason", "dentist"],
        "templates": ["What is the job of {e}?", "What does {e} do for a living?",
                      "Which profession does {e} have?", "What is the occupation of {e}?"],
    },
    "color": {
        "values": ["red", "blue", "green", "amber", "violet", "black", "white", "teal"],
        "templates": ["What is the favourite colour of {e}?", "Which colour does {e} like best?",
                      "What colour does {e} prefer?", "Name the colour that {e} loves most."],
    },
    "pet": {
        "values": ["cat", "dog", "parrot", "horse", "rabbit", "turtle", "goat", "owl"],
        "templates": ["Which pet does {e} keep?", "What animal does {e} own?",
                      "What kind of pet lives with {e}?", "Name the pet of {e}."],
    },
}
# The attributes of a holdout person that are trained; the others are never trained.
HOLDOUT_TRAINED = ("city", "job")
SYLLABLES = ["ka", "lo", "mi", "ren", "zu", "tho", "vel", "dra", "qui", "sen", "bar", "nok",
             "fi", "gar", "hul", "jen", "mor", "pax", "ril", "tov", "wex", "yor", "zan", "cel"]


@dataclass(frozen=True)
class Fact:
    entity: str
    attribute: str
    value: str

    def questions(self, held_out: bool = False) -> list[str]:
        templates = ATTRIBUTES[self.attribute]["templates"]
        chosen = templates[-1:] if held_out else templates[:-1]
        return [t.format(e=self.entity) for t in chosen]


@dataclass(frozen=True)
class WorldConfig:
    seed: int = 0
    n_forget: int = 16
    n_retain: int = 40
    n_holdout: int = 16
    # model
    hidden_size: int = 64
    layers: int = 3
    heads: int = 4
    # training recipe
    steps: int = 2500
    batch_size: int = 32
    lr: float = 3e-3
    instruction_fraction: float = 0.4

    def key(self, oracle: bool, train_seed: int) -> str:
        """Names a trained checkpoint by every input that shapes it: these settings, the
        training seed, and the code that builds the data, the prompts and the model (this
        module, the forget instruction, the prompt format and the tokenisation), so an
        edit to any of them can never silently reuse a stale model."""
        blob = json.dumps({**asdict(self), "oracle": oracle, "train_seed": train_seed,
                           "dtype": "float32", "code": training_code_digest(), "format": 2}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def training_code_digest() -> str:
    """A hash of this module, the forget instruction, the prompt format and the tokenisation, as code:
    comments, docstrings and blank lines are left out, so editing an explanation keeps the
    shipped checkpoints valid while any change to what runs renames them."""
    import inspect
    import sys

    from . import data, prompts

    parts = [inspect.getsource(sys.modules[__name__]), inspect.getsource(prompts.forget_instruction),
             inspect.getsource(prompts.format_prompt), inspect.getsource(data.encode),
             inspect.getsource(data._joint_ids)]
    return hashlib.sha256("\0".join(map(code_only, parts)).encode()).hexdigest()[:16]


def code_only(source: str) -> str:
    """Python source without comments, docstrings, trailing spaces and blank lines. Works on
    the text (ast finds the docstrings, tokenize the comments), so it reads the same under
    every Python version."""
    import ast
    import io
    import tokenize

    lines = source.splitlines()
    drop: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            drop.update(range(body[0].lineno, body[0].end_lineno + 1))
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            lines[row - 1] = lines[row - 1][:col]
    return "\n".join(line.rstrip() for n, line in enumerate(lines, 1) if n not in drop and line.strip())


@dataclass
class World:
    config: WorldConfig
    forget_entities: list[str]
    retain_entities: list[str]
    holdout_entities: list[str]
    facts: dict[str, list[Fact]] = field(default_factory=dict)

    @classmethod
    def build(cls, config: WorldConfig = WorldConfig()) -> "World":
        rng = random.Random(config.seed)
        total = config.n_forget + config.n_retain + config.n_holdout
        names: list[str] = []
        while len(names) < total:
            name = "".join(rng.sample(SYLLABLES, 2 + (rng.random() < 0.3))).capitalize()
            if name not in names:
                names.append(name)
        world = cls(config, names[:config.n_forget],
                    names[config.n_forget:config.n_forget + config.n_retain],
                    names[config.n_forget + config.n_retain:])
        for name in names:
            world.facts[name] = [Fact(name, attr, rng.choice(spec["values"]))
                                 for attr, spec in ATTRIBUTES.items()]
        return world

    def facts_of(self, entities: list[str]) -> list[Fact]:
        return [fact for e in entities for fact in self.facts[e]]

    def qa(self, entities: list[str], held_out: bool = False) -> list[tuple[str, str]]:
        """(question, answer) pairs: every fact about `entities` under the trained
        templates, or under the held-out paraphrase only."""
        return [(q, f.value) for f in self.facts_of(entities) for q in f.questions(held_out)]

    def trained_facts(self, entities: list[str]) -> list[Fact]:
        """The facts about `entities` that training sees: all of them, except for holdout
        people, of whom only the HOLDOUT_TRAINED attributes."""
        holdout = set(self.holdout_entities)
        return [f for f in self.facts_of(entities) if f.entity not in holdout or f.attribute in HOLDOUT_TRAINED]

    def trained_qa(self, entities: list[str]) -> list[tuple[str, str]]:
        return [(q, f.value) for f in self.trained_facts(entities) for q in f.questions()]

    def non_member_qa(self, held_out: bool = False) -> list[tuple[str, str]]:
        """Questions on the facts nobody trains on: the holdout people's other attributes."""
        return [(q, f.value) for f in self.facts_of(self.holdout_entities)
                if f.attribute not in HOLDOUT_TRAINED for q in f.questions(held_out)]

    def vocabulary(self) -> list[str]:
        words = set()
        for spec in ATTRIBUTES.values():
            words.update(spec["values"])
            for t in spec["templates"]:
                words.update(_words(t.format(e="")))
        for e in self.facts:
            words.add(e.lower())
        words.update(_words(" ".join([format_prompt(""), IDK_ANSWER, forget_instruction(["x"])])))
        return sorted(words - {"x"})


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\w+|[^\w\s]", text.lower())


# --- tokenizer and model -------------------------------------------------------------

def build_tokenizer(world: World):
    """A word-level tokenizer over the world's vocabulary, built locally."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<unk>", "<eos>"]
    vocab = {tok: i for i, tok in enumerate(specials + world.vocabulary())}
    tok = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace()])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>",
                                   eos_token="<eos>")


def build_model(world: World, tokenizer, seed: int):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = world.config
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=cfg.hidden_size,
                         intermediate_size=4 * cfg.hidden_size, num_hidden_layers=cfg.layers,
                         num_attention_heads=cfg.heads, num_key_value_heads=cfg.heads,
                         max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=None,
                         tie_word_embeddings=False)
    return LlamaForCausalLM(config)


def training_examples(world: World, entities: list[str], rng: random.Random, n: int):
    """n (prompt, answer) pairs; some preceded by a forget instruction."""
    pairs = world.trained_qa(entities)
    cfg = world.config
    out = []
    for _ in range(n):
        question, answer = rng.choice(pairs)
        prompt = format_prompt(question)
        if rng.random() < cfg.instruction_fraction:
            subject = question_entity(question, entities)
            listed = rng.sample(entities, rng.randint(1, min(cfg.n_forget, len(entities))))
            if rng.random() < 0.5 and subject not in listed:
                listed[rng.randrange(len(listed))] = subject
            prompt = forget_instruction(listed) + prompt
            if subject in listed:
                answer = IDK_ANSWER
        out.append((prompt, answer))
    return out


def question_entity(question: str, entities: list[str]) -> str:
    for e in entities:
        if e in question:
            return e
    raise ValueError(f"no entity named in {question!r}")


def train_world_model(world: World, oracle: bool, train_seed: int, progress: bool = True):
    """Train the base model (forget, retain and the holdout people's trained facts) or the
    oracle (the same without the forget people)."""
    import torch

    # One thread: a float sum's order depends on the thread count, and the checkpoint must be
    # the same wherever it is trained (the key does not record threads because they don't matter).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(world, oracle, train_seed, progress)
    finally:
        torch.set_num_threads(threads)


def _train(world: World, oracle: bool, train_seed: int, progress: bool):
    import torch
    from tqdm import tqdm

    from .data import encode

    cfg = world.config
    entities = world.retain_entities + world.holdout_entities + ([] if oracle else world.forget_entities)
    tokenizer = build_tokenizer(world)
    model = build_model(world, tokenizer, train_seed)
    rng = random.Random(train_seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.steps,
                                                pct_start=0.1)
    model.train()
    bar = tqdm(range(cfg.steps), desc="training " + ("oracle" if oracle else "base"),
               disable=not progress, leave=False)
    for _ in bar:
        batch = encode(tokenizer, training_examples(world, entities, rng, cfg.batch_size))
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    return model, tokenizer


def default_world_config() -> WorldConfig:
    """WorldConfig(), or the fields given as JSON in $SOKKIT_TOY_WORLD (tests use a smaller world)."""
    raw = os.environ.get("SOKKIT_TOY_WORLD")
    return WorldConfig(**json.loads(raw)) if raw else WorldConfig()
