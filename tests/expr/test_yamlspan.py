"""Offsets inside a scalar's value map to the exact place in the YAML file, per style."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.expr import ExpressionError, parse_template
from qmoi.expr.yamlspan import offset_table, value_offset_to_source, value_span_to_source
from qmoi.parse import Scalar, parse_yaml
from qmoi.source import SourceFile, Span


def scalars(text: str) -> tuple[SourceFile, dict[str, Scalar]]:
    source = SourceFile("w.yml", text)
    root = parse_yaml(source).root
    assert root is not None and hasattr(root, "pairs")
    found = {}
    for key, value in root.pairs:  # type: ignore[union-attr]
        assert isinstance(value, Scalar)
        found[key.value] = value
    return source, found


def at(text: str, key: str, needle: str) -> tuple[int, int]:
    """(source offset found by the mapper, expected offset) for ``needle`` in the value."""
    source, found = scalars(text)
    scalar = found[key]
    offset = scalar.value.index(needle)
    return value_offset_to_source(scalar, source, offset), text.index(needle)


def test_plain_single_line() -> None:
    mapped, expected = at("run: echo ${{ github.sha }}\n", "run", "github")
    assert mapped == expected


def test_plain_multi_line_with_folding() -> None:
    text = "run: echo a\n  ${{ github.sha }}\n\n    and ${{ env.X }}\n"
    assert at(text, "run", "github")[0] == at(text, "run", "github")[1]
    assert at(text, "run", "env.X")[0] == text.index("env.X")


def test_single_quoted_with_doubled_quotes_and_folding() -> None:
    text = "if: '${{ github.ref == ''x'' &&\n  matrix.os }}'\n"
    source, found = scalars(text)
    scalar = found["if"]
    assert scalar.value == "${{ github.ref == 'x' && matrix.os }}"
    assert value_offset_to_source(scalar, source, scalar.value.index("matrix")) == \
        text.index("matrix")
    # the unescaped quote maps to the first of the doubled pair
    assert text[value_offset_to_source(scalar, source, scalar.value.index("'x"))] == "'"
    assert value_offset_to_source(scalar, source, scalar.value.index("x'")) == text.index("x''")


def test_double_quoted_with_escapes_and_escaped_line_break() -> None:
    text = 'name: "a\\tb \\"q\\" \\u00e9 ${{ github.\\\n    actor }}"\n'
    source, found = scalars(text)
    scalar = found["name"]
    assert scalar.value == 'a\tb "q" é ${{ github.actor }}'
    table = offset_table(scalar, source)
    assert text[table[scalar.value.index("\t")]:][:2] == "\\t"
    assert text[table[scalar.value.index("é")]:][:6] == "\\u00e9"
    assert table[scalar.value.index("actor")] == text.index("actor")
    assert table[scalar.value.index("github")] == text.index("github")


@pytest.mark.parametrize("indicator", ["|", "|-", "|+", "|2"])
def test_literal_block(indicator: str) -> None:
    text = f"run: {indicator}\n  echo one\n\n    echo ${{{{ matrix.os }}}}\n  done\nnext: 1\n"
    mapped, expected = at(text, "run", "matrix")
    assert mapped == expected
    assert at(text, "run", "done")[0] == text.index("done")


@pytest.mark.parametrize("indicator", [">", ">-", ">+"])
def test_folded_block(indicator: str) -> None:
    text = (f"body: {indicator}\n  first line\n  ${{{{ github.actor }}}}\n\n"
            "    more ${{ x }}\n  end\n")
    assert at(text, "body", "github")[0] == text.index("github")
    assert at(text, "body", "x }}")[0] == text.index("x }}")
    assert at(text, "body", "end")[0] == text.index("end")


def test_anchor_and_tag_are_skipped() -> None:
    text = "a: &anchor !!str 'v ${{ x }}'\n"
    assert at(text, "a", "x }}")[0] == text.index("x }}")


def test_crlf_line_endings() -> None:
    text = "run: |\r\n  echo\r\n  ${{ github.sha }}\r\n"
    assert at(text, "run", "github")[0] == text.index("github")


def test_an_expression_error_lands_on_the_files_line_and_column() -> None:
    text = "jobs:\n  x:\n    steps:\n      - run: |\n          echo hi\n" \
           "          echo ${{ github.sha == = 1 }}\n"
    source = SourceFile("w.yml", text)
    root = parse_yaml(source).root
    step = root.get("jobs").get("x").get("steps").items[0]  # type: ignore[union-attr]
    scalar = step.get("run")
    assert isinstance(scalar, Scalar)
    with pytest.raises(ExpressionError) as info:
        parse_template(scalar.value)
    assert info.value.span is not None
    where = value_span_to_source(scalar, source, info.value.span)
    position = source.position(where.start)
    assert (position.line, position.column) == (6, 34)
    assert source.slice(where) == "="


def test_span_mapping_covers_the_full_range() -> None:
    text = "k: 'ab''cd'\n"
    source, found = scalars(text)
    assert value_span_to_source(found["k"], source, Span(0, 5)) == Span(4, 10)
    assert value_span_to_source(found["k"], source, Span(2, 2)) == Span(6, 6)
    assert value_offset_to_source(found["k"], source, 5) >= 10


def _from_table(scalar: Scalar, source: SourceFile, span: Span) -> Span:
    """value_span_to_source as the offset table alone gives it (no verbatim shortcut)."""
    table = offset_table(scalar, source)
    last = len(table) - 1
    start = table[max(0, min(span.start, last))]
    if span.end <= span.start:
        return Span(start, start)
    return Span(start, max(start, table[max(0, min(span.end - 1, last))] + 1))


_VALUES = st.text(alphabet=st.sampled_from(list("ab ${}'\"\\#:é-")), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(_VALUES, st.sampled_from(["plain", "'", '"', "&a ", "!!str "]),
       st.integers(-2, 14), st.integers(-2, 14))
def test_verbatim_values_map_as_the_offset_table_does(value: str, how: str, a: int,
                                                      b: int) -> None:
    """Values written character for character skip the table: same spans either way."""
    import yaml

    if how == "plain":
        written = value
    elif how in ("'", '"'):
        written = yaml.safe_dump(value, default_style=how, width=1000).split("\n...")[0]
        written = written.rstrip("\n")
    else:
        written = how + yaml.safe_dump(value, width=1000).split("\n...")[0].rstrip("\n")
    text = f"k: {written}\n"
    result = parse_yaml(SourceFile("w.yml", text))
    if result.root is None or not hasattr(result.root, "pairs"):
        return
    scalar = result.root.pairs[0][1]  # type: ignore[union-attr]
    if not isinstance(scalar, Scalar) or not scalar.value:
        return
    source = SourceFile("w.yml", text)
    span = Span(max(0, min(a, b)), max(0, a, b))
    assert value_span_to_source(scalar, source, span) == _from_table(scalar, source, span)
    assert value_offset_to_source(scalar, source, a) == offset_table(scalar, source)[
        max(0, min(a, len(scalar.value)))]


def test_verbatim_shortcut_is_taken_only_for_unchanged_text() -> None:
    from qmoi.expr.yamlspan import _verbatim

    source, found = scalars("a: x ${{ y }}\nb: 'it''s'\nc: \"t\\tx\"\nd: &n v\ne: '${{ z }}'\n")
    assert _verbatim(found["a"], source.text) == 3
    assert _verbatim(found["b"], source.text) is None
    assert _verbatim(found["c"], source.text) is None
    assert _verbatim(found["d"], source.text) is None
    assert _verbatim(found["e"], source.text) == source.text.index("${{ z")
