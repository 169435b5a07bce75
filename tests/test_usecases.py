"""Use cases judged from the evidence an entry records: a change in the entry changes
the judgement."""

import yaml

from functools import lru_cache

from sokkit.catalog import load_taxonomy
from sokkit.catalog.models import Paper
from sokkit.catalog.usecases import UseCases, assess

from conftest import CATALOG, GOOD_PAPER

AUDIT = {"methods": {"npo": {"attacks": ["no_attack", "paraphrase", "relearn", "membership"],
                             "recovered_by": ["relearn"], "verdict": "suppression-like"},
                     "lazy": {"attacks": ["no_attack", "paraphrase", "relearn"],
                              "recovered_by": ["no_attack", "relearn"], "verdict": "not-forgotten"}}}


@lru_cache(maxsize=1)
def use_cases():
    taxonomy, _ = load_taxonomy(CATALOG)
    data = yaml.safe_load((CATALOG / "use-cases.yaml").read_text())
    return UseCases.model_validate(data, context={"taxonomy": taxonomy}), taxonomy


def paper(extra: str = "", **replace) -> Paper:
    text = GOOD_PAPER
    for old, new in replace.items():
        text = text.replace(old, new)
    data = yaml.safe_load(text + extra)
    return Paper.model_validate(data)


def status(p: Paper, use_case: str) -> str:
    cases, _ = use_cases()
    return assess(p, cases.use_cases[use_case], cases.properties, AUDIT).status


def test_observed_behaviour_decides_the_open_weight_release():
    untested = paper()
    assert status(untested, "open-weight-release") == "untested"
    suppressed = paper("observed: suppression-like\nevidence:\n  - {paper: other-2023-baseline, indicates: suppression-like, attack: relearning}\n")
    assert status(suppressed, "open-weight-release") == "fails"
    removed = paper("observed: removal-like\nevidence:\n  - {paper: other-2023-baseline, indicates: removal-like}\n"
                    "claims:\n  - {id: a, kind: forgetting-achieved, statement: It forgets., source: Abstract}\n"
                    "  - {id: b, kind: utility-preserved, statement: It keeps the rest., source: Abstract}\n")
    assert status(removed, "open-weight-release") == "meets"
    assert status(removed, "hosted-model") == "meets"


def test_a_method_that_leaves_the_weights_alone_fails_an_open_weight_release_by_construction():
    filt = paper("methods:\n  - {name: F, family: output-filtering, intention: suppression, level: output}\n"
                 "claims:\n  - {id: a, kind: forgetting-achieved, statement: It stops output., source: Abstract}\n"
                 "  - {id: b, kind: utility-preserved, statement: It keeps the rest., source: Abstract}\n")
    cases, _ = use_cases()
    result = assess(filt, cases.use_cases["open-weight-release"], cases.properties, AUDIT)
    assert result.status == "fails" and result.failing == ["resists-weight-attacks"]
    assert result.properties["resists-weight-attacks"].findings[0].whose == "construction"
    assert status(filt, "hosted-model") == "meets"


def test_the_toy_world_audit_counts_and_disagreement_with_the_authors_is_contested():
    claims = "claims:\n  - {id: a, kind: forgetting-achieved, statement: It forgets., source: Abstract}\n"
    audited_ok = paper("observed: untested\nevidence:\n  - {audit: npo, indicates: untested}\n" + claims)
    cases, _ = use_cases()
    erasure = assess(audited_ok, cases.use_cases["personal-data-erasure"], cases.properties, AUDIT)
    assert erasure.properties["stops-output"].status == "meets"
    assert erasure.properties["leaves-no-trace"].status == "meets"  # membership ran, did not recover
    lazy = paper("observed: untested\nevidence:\n  - {audit: lazy, indicates: untested}\n" + claims)
    assert assess(lazy, cases.use_cases["hosted-model"], cases.properties, AUDIT).properties["stops-output"].status == "contested"


def test_every_required_property_is_defined():
    cases, _ = use_cases()
    for name, case in cases.use_cases.items():
        assert set(case.requires) <= set(cases.properties), name
