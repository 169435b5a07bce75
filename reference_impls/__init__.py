"""Reference implementations of LLM unlearning method classes, the toy world and the
intention audit. See reference_impls/README.md.

Each method is one module in `reference_impls/methods/` with `INTENTION`, a `Config`
dataclass and `unlearn(cfg, task) -> System`; run one with `sokkit run <method>` or
`python -m reference_impls.methods.<method>`. This top level imports no torch.
"""

# name -> the class's design intent (what it sets out to do, not what the audit finds)
METHODS = {
    "grad_ascent": "removal",
    "npo": "removal",
    "simnpo": "removal",
    "idk_dpo": "suppression",
    "rmu": "removal",
    "located_edit": "removal",
    "task_vector": "removal",
    "undial": "removal",
    "refusal_tuning": "suppression",
    "prompting": "suppression",
    "output_filter": "suppression",
    "undo": "removal",
    "sam_unlearn": "removal",
    "tar": "removal",
}


# The intention audit's attacks (see audit.py). Here, not in audit.py, so that the catalog
# validator can check claims' audit specs without importing torch.
ATTACKS = ["no_attack", "paraphrase", "relearn", "finetune", "probe", "logit_lens", "ablation",
           "quant8", "quant4", "membership", "membership_mink"]


def method_module(name: str):
    """The module of a method, accepting 'grad-ascent' as well as 'grad_ascent'."""
    import importlib

    key = name.replace("-", "_")
    if key not in METHODS:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.methods.{key}")
