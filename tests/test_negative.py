"""The negative corpus: entries every release must reject (like SchemaStore's negative
test files). Each file in tests/negative/ says on its first line why it is wrong."""

import shutil
from pathlib import Path

import pytest

from sokkit.validate import load_catalog

NEGATIVE = Path(__file__).resolve().parent / "negative"
CASES = sorted(NEGATIVE.glob("*.yaml"))


def test_the_corpus_is_there(mini):
    assert len(CASES) >= 10
    # The base the cases are edited from is valid, so each case fails for its own defect.
    _, problems = load_catalog(mini.root)
    assert problems == []


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_negative_entry_is_rejected(mini, case):
    (mini.root / "papers" / "good-2024-method.yaml").unlink()  # the corpus is built from it: no duplicate to trip on
    shutil.copy(case, mini.root / "papers" / case.name)
    _, problems = load_catalog(mini.root)
    errors = [p for p in problems if p.severity == "error" and Path(p.file).name == case.name]
    assert errors, f"{case.name} was accepted; it must be rejected: {case.read_text().splitlines()[0]}"
