"""A local model folder as given on the command line (`--model`, `--base`, `--oracle`):
checked before anything is loaded, so a wrong folder gets a message saying what is missing
instead of a loader's traceback."""

from __future__ import annotations

from pathlib import Path

from .config import ConfigError

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json")


def check_model_folder(path: str, option: str) -> Path:
    """The folder, if it holds config.json and tokenizer files; ConfigError otherwise."""
    folder = Path(path)
    if not folder.is_dir() or not (folder / "config.json").is_file():
        raise ConfigError(f"--{option} '{path}' is not a folder with config.json (a local causal LM saved "
                          f"with save_pretrained)")
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ConfigError(f"--{option} '{path}' has no tokenizer files (expected one of {', '.join(TOKENIZER_FILES)}); "
                          f"save the tokenizer into the folder with tokenizer.save_pretrained")
    return folder
