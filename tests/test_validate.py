"""One test per kind of catalog mistake: each must name the file, the line and,
where there is a closed set, the allowed values."""

import json

import pytest

from sokkit.validate import load_catalog
from sokkit.cli import main

from conftest import GOOD_PAPER


def problems_of(mini):
    _, problems = load_catalog(mini.root)
    return problems


def only_problem(mini, file_fragment):
    problems = [p for p in problems_of(mini) if file_fragment in p.file]
    assert len(problems) == 1, [p.format() for p in problems]
    return problems[0]


def test_good_catalog_has_no_problems(mini):
    assert problems_of(mini) == []


def test_unknown_key_lists_allowed_keys_and_suggests(mini):
    mini.write("papers", "bad-2024-key", GOOD_PAPER.replace("year: 2024", "yaer: 2024\nyear: 2024"))
    p = only_problem(mini, "bad-2024-key")
    assert p.line == 4 and p.field == "yaer"
    assert "unknown key 'yaer'" in p.message
    assert "year" in p.allowed and "title" in p.allowed
    assert p.suggestion == "year"
    text = p.format()
    assert text.startswith(str(p.file) + ":4: yaer: unknown key 'yaer' (allowed: id, title, former_titles, authors")
    assert "did you mean 'year'?" in text


def test_unknown_taxonomy_value_lists_allowed_and_suggests(mini):
    mini.write("papers", "bad-2024-role", GOOD_PAPER.replace("roles: [method]", "roles:\n  - methd"))
    p = only_problem(mini, "bad-2024-role")
    assert (p.line, p.field) == (8, "roles[0]")
    assert "unknown role 'methd'" in p.message
    assert {"method", "attack", "benchmark", "survey"} <= set(p.allowed)
    assert p.suggestion == "method"


def test_unknown_technique_in_nested_method(mini):
    text = GOOD_PAPER.replace(
        "rationale:",
        "methods:\n  - name: GA\n    family: gradient-ascnet\n    intention: removal\n    level: parameters\nrationale:",
    )
    mini.write("papers", "bad-2024-family", text)
    p = only_problem(mini, "bad-2024-family")
    assert (p.line, p.field) == (12, "methods[0].family")
    assert p.suggestion == "gradient-ascent"


@pytest.mark.parametrize(
    "arxiv, fragment",
    [
        ('"2404.1234"', "is not an arXiv id"),
        ('"2413.01234"', "is not an arXiv id"),
        ('"2404.01234v2"', "drop the version suffix"),
        ("2404.01234", "must be quoted"),
    ],
)
def test_bad_arxiv_ids(mini, arxiv, fragment):
    mini.write("papers", "bad-2024-arxiv", GOOD_PAPER.replace('arxiv: "2404.01234"', f"arxiv: {arxiv}"))
    p = only_problem(mini, "bad-2024-arxiv")
    assert (p.line, p.field) == (6, "ids.arxiv")
    assert fragment in p.message


def test_old_and_four_digit_arxiv_ids_are_accepted(mini):
    mini.write("papers", "old-2007-style", GOOD_PAPER.replace('"2404.01234"', '"cs/0112017"').replace("A Method", "B Method"))
    mini.write("papers", "old-2014-style", GOOD_PAPER.replace('"2404.01234"', '"1412.6980"').replace("A Method", "C Method"))
    assert problems_of(mini) == []


def test_bad_doi_and_link_scheme(mini):
    text = GOOD_PAPER.replace('  arxiv: "2404.01234"', '  arxiv: "2404.01234"\n  doi: "https://doi.org/10.1/x"')
    text += "links:\n  paper: javascript:alert(1)\n"
    mini.write("papers", "bad-2024-links", text)
    messages = {p.field: p for p in problems_of(mini) if "bad-2024-links" in p.file}
    assert "not a valid DOI" in messages["ids.doi"].message
    assert messages["links.paper"].line == 20
    assert "http" in messages["links.paper"].message


def test_unknown_link_kind_lists_allowed(mini):
    mini.write("papers", "bad-2024-linkkind", GOOD_PAPER + "links:\n  githb: https://github.com/x/y\n")
    p = only_problem(mini, "bad-2024-linkkind")
    assert p.line == 19 and "unknown link 'githb'" in p.message
    assert "code" in p.allowed


def test_missing_required_key_names_parent_line(mini):
    mini.write("papers", "bad-2024-missing", GOOD_PAPER.replace("year: 2024\n", ""))
    p = only_problem(mini, "bad-2024-missing")
    assert p.field == "year" and "required key is missing" in p.message


def test_wrong_type(mini):
    mini.write("papers", "bad-2024-type", GOOD_PAPER.replace("authors: [Ada Lovelace, Alan Turing]", "authors: Ada Lovelace"))
    p = only_problem(mini, "bad-2024-type")
    assert (p.line, p.field) == (3, "authors") and "expected a list" in p.message


def test_year_out_of_range(mini):
    mini.write("papers", "bad-2024-year", GOOD_PAPER.replace("year: 2024", "year: 20245"))
    p = only_problem(mini, "bad-2024-year")
    assert p.line == 4 and "out of range" in p.message


def test_method_paper_needs_intention(mini):
    mini.write("papers", "bad-2024-intent", GOOD_PAPER.replace("intention: removal", "intention: null"))
    p = only_problem(mini, "bad-2024-intent")
    assert (p.line, p.field) == (8, "intention")
    assert "removal, suppression" in p.message


def test_non_method_paper_must_not_have_intention(mini):
    mini.write("papers", "other-2023-baseline", open(mini.root / "papers/other-2023-baseline.yaml").read().replace("intention: null", "intention: removal"))
    p = only_problem(mini, "other-2023-baseline")
    assert p.field == "intention" and "only method papers" in p.message


def test_observed_behaviour_needs_evidence(mini):
    mini.write("papers", "bad-2024-observed", GOOD_PAPER.replace("relations:", "observed: suppression-like\nrelations:"))
    p = only_problem(mini, "bad-2024-observed")
    assert p.field == "observed" and "needs evidence" in p.message


def test_relation_to_missing_paper_suggests_near_miss(mini):
    mini.write("papers", "bad-2024-target", GOOD_PAPER.replace("target: other-2023-baseline", "target: other-2023-baselin").replace("2404.01234", "2404.01235").replace("A Method", "Another Method"))
    p = only_problem(mini, "bad-2024-target")
    assert (p.line, p.field) == (14, "relations[0].target")
    assert "no paper with id 'other-2023-baselin'" in p.message
    assert p.suggestion == "other-2023-baseline"


def test_relation_to_invalid_entry_is_not_reported_twice(mini):
    # The target exists but is itself broken: only its own problem is reported.
    mini.write("papers", "other-2023-baseline", "title: [not, text]\n")
    problems = problems_of(mini)
    assert all("other-2023-baseline" in p.file for p in problems), [p.format() for p in problems]


@pytest.mark.parametrize(
    "change, label",
    [
        (lambda t: t.replace("A Method That Forgets", "Different"), "arXiv id"),
        (lambda t: t.replace('"2404.01234"', '"2404.09999"').replace("A Method That Forgets", "a method, that forgets!"), "title"),
    ],
)
def test_duplicate_papers_are_reported(mini, change, label):
    mini.write("papers", "zz-2024-copy", change(GOOD_PAPER))
    p = only_problem(mini, "zz-2024-copy")
    assert f"same {label} as" in p.message and "good-2024-method.yaml" in p.message


def test_duplicate_doi_is_case_insensitive(mini):
    text = GOOD_PAPER.replace('  arxiv: "2404.01234"', '  doi: "10.1000/ABC"')
    mini.write("papers", "good-2024-method", text)
    mini.write("papers", "zz-2024-copy", text.replace("10.1000/ABC", "10.1000/abc").replace("A Method That Forgets", "Other"))
    p = only_problem(mini, "zz-2024-copy")
    assert "same DOI" in p.message


def test_file_name_must_be_a_valid_id(mini):
    mini.write("papers", "Bad_Name", GOOD_PAPER)
    p = only_problem(mini, "Bad_Name")
    assert "not a valid id" in p.message and p.line == 1


def test_declared_id_must_match_file_name(mini):
    mini.write("papers", "good-2024-method", "id: good-2024-methodd\n" + GOOD_PAPER)
    p = only_problem(mini, "good-2024-method")
    assert p.field == "id" and "does not match the file name" in p.message and "good-2024-method" in p.allowed


def test_wrong_extension(mini):
    mini.write("papers", "good-2025-other", GOOD_PAPER, suffix=".yml")
    p = only_problem(mini, "good-2025-other.yml")
    assert "'.yaml' files" in p.message


def test_yaml_problems_are_reported_with_line(mini):
    mini.write("papers", "bad-2024-dup", GOOD_PAPER + "title: again\n")
    mini.write_bytes("papers", "bad-2024-bytes", b"title: \xff\n")
    mini.write("papers", "bad-2024-empty", "")
    mini.write("papers", "bad-2024-list", "- a\n- b\n")
    by_file = {p.file.rsplit("/", 1)[-1]: p for p in problems_of(mini)}
    assert by_file["bad-2024-dup.yaml"].line == 18 and "duplicate key 'title'" in by_file["bad-2024-dup.yaml"].message
    assert "UTF-8" in by_file["bad-2024-bytes.yaml"].message
    assert "empty" in by_file["bad-2024-empty.yaml"].message
    assert "expected a mapping" in by_file["bad-2024-list.yaml"].message


def test_broken_taxonomy_is_reported_and_entries_still_checked(mini):
    (mini.root / "taxonomy.yaml").write_text("axes:\n  intention: {}\n")
    mini.write("papers", "bad-2024-key", GOOD_PAPER.replace("year:", "yaer: 1\nyear:"))
    files = {p.file.rsplit("/", 1)[-1] for p in problems_of(mini)}
    assert files == {"taxonomy.yaml", "bad-2024-key.yaml"}


def test_benchmark_and_metric_references(mini):
    mini.write("benchmarks", "tofu", """\
        name: TOFU
        introduced_by: nobody-2024-x
        description: A benchmark.
        metrics: [forget-quality]
        review: {status: draft}
        """)
    mini.write("metrics", "forget-quality", """\
        name: Forget quality
        measures: forgeting
        direction: up
        definition: A p-value.
        benchmarks: [tofu]
        review: {status: draft}
        """)
    problems = {(p.file.rsplit("/", 1)[-1], p.field): p for p in problems_of(mini)}
    assert "no paper with id 'nobody-2024-x'" in problems[("tofu.yaml", "introduced_by")].message
    measures = problems[("forget-quality.yaml", "measures")]
    assert measures.suggestion == "forgetting" and measures.line == 2
    direction = problems[("forget-quality.yaml", "direction")]
    assert set(direction.allowed) == {"higher-is-better", "lower-is-better", "closer-to-reference"}


def test_every_problem_is_reported_in_one_run(mini, capsys):
    mini.write("papers", "bad-2024-a", GOOD_PAPER.replace("roles: [method]", "roles: [methd]").replace("2404.01234", "2404.01230").replace("A Method", "Method A"))
    mini.write("papers", "bad-2024-b", GOOD_PAPER.replace("year: 2024", "year: x").replace("2404.01234", "2404.01231").replace("A Method", "Method B"))
    mini.write("papers", "bad-2024-c", "a: 1\na: 2\n")
    assert main(["validate", str(mini.root)]) == 1
    out = capsys.readouterr()
    for name, line in (("bad-2024-a", 7), ("bad-2024-b", 4), ("bad-2024-c", 2)):
        assert f"{name}.yaml:{line}: " in out.out
    assert "3 problems in 3 files" in out.err
    assert "Traceback" not in out.out + out.err


def test_json_format(mini, capsys):
    mini.write("papers", "bad-2024-role", GOOD_PAPER.replace("roles: [method]", "roles: [methd]"))
    assert main(["validate", str(mini.root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0]["line"] == 7 and data[0]["suggestion"] == "method" and "method" in data[0]["allowed"]
    assert data[0]["file"].endswith("bad-2024-role.yaml")


def test_json_format_when_clean_is_an_empty_list(mini, capsys):
    assert main(["validate", str(mini.root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_draft_may_leave_classification_for_later_as_warnings(mini, capsys):
    draft = """\
        title: "Just The Facts"
        authors: [Ada Lovelace]
        year: 2024
        roles: [method]
        review: {status: draft}
        """
    mini.write("papers", "draft-2024-facts", draft)
    problems = [p for p in problems_of(mini) if "draft-2024-facts" in p.file]
    assert {p.field for p in problems} == {"intention", "technique", "rationale"}
    assert all(p.severity == "warning" and "before the entry leaves draft" in p.message for p in problems)
    assert main(["validate", str(mini.root)]) == 0
    out = capsys.readouterr()
    assert "warning: intention:" in out.out and "0 problems and 3 warnings" in out.err
    # the same entry past draft is an error
    mini.write("papers", "draft-2024-facts", draft.replace("{status: draft}", "{status: reviewed, checked: [arxiv-abstract]}"))
    assert {p.severity for p in problems_of(mini) if "draft-2024-facts" in p.file} == {"error"}


def test_paper_without_roles_is_an_error_past_draft(mini):
    mini.write("papers", "bad-2024-noroles", GOOD_PAPER.replace("roles: [method]\nintention: removal\n", "intention: null\n"))
    problems = [p for p in problems_of(mini) if "bad-2024-noroles" in p.file]
    assert [(p.field, p.severity) for p in problems] == [("roles", "error")]
