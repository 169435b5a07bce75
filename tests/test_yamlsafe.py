import pytest

from sokkit.catalog.yamlsafe import MAX_DEPTH, YamlError, decode_utf8, load_yaml, parse_yaml


def test_plain_scalars_are_typed_and_quoted_ones_stay_text():
    doc = parse_yaml('a: 1\nb: "1"\nc: true\nd: null\ne: 1.5\nf: text\n')
    assert doc.data == {"a": 1, "b": "1", "c": True, "d": None, "e": 1.5, "f": "text"}


def test_lines_are_kept_for_keys_and_items():
    doc = parse_yaml("title: x\nroles:\n  - method\n  - attack\nids:\n  arxiv: '2401.00001'\n")
    assert doc.line_of(("title",)) == 1
    assert doc.line_of(("roles", 1)) == 4
    assert doc.line_of(("ids", "arxiv")) == 6
    # A location that does not exist falls back to its nearest existing parent.
    assert doc.line_of(("ids", "doi")) == 5


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first set at line 1)"),
        ("a: !!python/object:os.system x\n", 1, "YAML tags"),
        ("a: !custom x\n", 1, "YAML tags"),
        ("a: &anchor x\nb: *anchor\n", 1, "anchors"),
        ("a: [1, 2]\nb: *nope\n", 2, "aliases (*nope)"),
        ("a: 1\n---\nb: 2\n", 2, "only one YAML document"),
        ("? [a, b]\n: 1\n", 1, "a key must be a plain value"),
        ("a: b: c\n", 1, "invalid YAML"),
        ("a:\n  - x\n - y\n", 3, "invalid YAML"),
        ("", 1, "empty"),
        ("# only a comment\n", 1, "empty"),
    ],
)
def test_refused_yaml_names_the_line(text, line, fragment):
    with pytest.raises(YamlError) as info:
        parse_yaml(text, "f.yaml")
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value).startswith(f"f.yaml:{line}: ")


def test_alias_bomb_is_refused_before_expansion():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)
    )
    with pytest.raises(YamlError, match="anchors"):
        parse_yaml(bomb)


def test_deep_nesting_is_refused():
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    with pytest.raises(YamlError, match="nesting deeper"):
        parse_yaml(text)


def test_non_utf8_names_the_line_of_the_bad_byte():
    with pytest.raises(YamlError) as info:
        decode_utf8(b"title: ok\nauthors: [Jos\xe9]\n", "x.yaml")
    assert info.value.line == 2
    assert "not valid UTF-8" in info.value.message


def test_utf8_bom_is_accepted():
    assert decode_utf8("\ufefftitle: x\n".encode(), "x") == "title: x\n"


def test_load_yaml_refuses_empty_and_missing_files(tmp_path):
    empty = tmp_path / "e.yaml"
    empty.write_text("  \n\n")
    with pytest.raises(YamlError, match="empty"):
        load_yaml(empty)
    with pytest.raises(YamlError, match="cannot read"):
        load_yaml(tmp_path / "missing.yaml")


def test_impossible_date_is_an_error_not_a_crash():
    with pytest.raises(YamlError, match="invalid YAML value"):
        parse_yaml("added: 2024-02-30\n")
