from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.parse import (
    MAX_FILE_BYTES,
    Mapping,
    Scalar,
    ScalarKind,
    Sequence,
    decode_source,
    parse_yaml,
)
from qmoi.source import SourceFile


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_yaml(SourceFile("w.yml", text))


def codes(text: str) -> list[str]:
    return [d.code for d in parse(text).diagnostics]


def test_on_key_stays_a_string_and_scalars_are_typed_as_yaml_1_2() -> None:
    root = parse("on: push\nyes: no\nx: true\nn: 3\nf: 1.5\nz: ~\nq: 'true'\n").root
    assert isinstance(root, Mapping)
    assert list(root.keys()) == ["on", "yes", "x", "n", "f", "z", "q"]
    kinds = {k.value: v.kind for k, v in root.pairs if isinstance(v, Scalar)}
    assert kinds == {
        "on": ScalarKind.STR, "yes": ScalarKind.STR, "x": ScalarKind.BOOL, "n": ScalarKind.INT,
        "f": ScalarKind.FLOAT, "z": ScalarKind.NULL, "q": ScalarKind.STR,
    }


def test_spans_are_exact_offsets_including_non_ascii() -> None:
    text = "name: héllo wörld\njobs:\n  build:\n    steps: [a, 'b']\n"
    root = parse(text).root
    assert isinstance(root, Mapping)
    name = root.get("name")
    assert isinstance(name, Scalar)
    assert text[name.span.start : name.span.end] == "héllo wörld"
    jobs = root.get("jobs")
    assert isinstance(jobs, Mapping)
    build = jobs.get("build")
    assert isinstance(build, Mapping)
    steps = build.get("steps")
    assert isinstance(steps, Sequence)
    assert text[steps.span.start : steps.span.end] == "[a, 'b']"
    assert text[steps.items[1].span.start : steps.items[1].span.end] == "'b'"


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    text = "on: push\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n"
    result = parse(text)
    (diag,) = result.diagnostics
    assert diag.code == "P102"
    source = SourceFile("w.yml", text)
    pos = source.position(diag.span.start)
    assert (pos.line, pos.column) == (5, 5)
    assert "first defined at line 4, column 5" in diag.message


def test_aliases_resolve_to_the_anchored_node() -> None:
    root = parse("a: &x {k: v}\nb: *x\n").root
    assert isinstance(root, Mapping)
    assert root.get("a") is root.get("b")


HOSTILE = {
    "alias bomb": "a: &a ['x','x','x','x','x','x','x','x','x']\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
    ),
    "deep flow nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep block nesting": "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)),
    "tab indentation": "on: push\njobs:\n\tbuild:\n\t\truns-on: x\n",
    "unterminated double quote": 'on: push\nname: "never closed\n',
    "unterminated single quote": "on: push\nname: 'never closed\n",
    "unterminated flow": "on: [push, pull_request\n",
    "undefined alias": "on: *nothing\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_becomes_a_located_diagnostic_quickly(name: str) -> None:
    text = HOSTILE[name]
    started = time.perf_counter()
    result = parse(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert result.root is None
    assert result.diagnostics
    diag = result.diagnostics[-1]
    assert diag.severity.value == "error"
    assert 0 <= diag.span.start <= len(text)


def test_specific_hostile_codes() -> None:
    assert codes(HOSTILE["alias bomb"])[-1] == "P103"
    assert codes(HOSTILE["deep flow nesting"])[-1] == "P104"
    assert codes(HOSTILE["tab indentation"])[-1] == "P107"
    assert codes(HOSTILE["unterminated double quote"])[-1] == "P109"


def test_non_utf8_is_reported_with_its_position() -> None:
    source, found = decode_source(b"on: push\nname: caf\xe9\n", "w.yml")
    (diag,) = found
    assert diag.code == "P106"
    pos = source.position(diag.span.start)
    assert (pos.line, pos.column) == (2, 10)


def test_oversized_files_are_refused() -> None:
    _, found = decode_source(b"#" * (MAX_FILE_BYTES + 1), "w.yml")
    assert [d.code for d in found] == ["P105"]


def test_bom_is_dropped_and_crlf_is_kept_in_offsets() -> None:
    source, found = decode_source(b"\xef\xbb\xbfon: push\r\nname: x\r\n", "w.yml")
    assert not found
    root = parse_yaml(source).root
    assert isinstance(root, Mapping)
    name = root.get("name")
    assert isinstance(name, Scalar)
    assert source.text[name.span.start : name.span.end] == "x"
    assert source.position(name.span.start).line == 2


def test_multiple_documents_are_reported() -> None:
    assert "P110" in codes("on: push\n---\non: pull_request\n")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}'\"&*!|>#%@`,?\\é\r")), max_size=80))
def test_parse_never_raises(text: str) -> None:
    result = parse(text)
    for diag in result.diagnostics:
        assert 0 <= diag.span.start <= diag.span.end <= len(text)


def test_block_mapping_ending_in_an_alias_ends_at_the_alias() -> None:
    text = "base: &b [push]\non:\n  push: *b\nname: x\n"
    root = parse(text).root
    assert isinstance(root, Mapping)
    on = root.get("on")
    assert isinstance(on, Mapping)
    assert text[on.span.start : on.span.end] == "push: *b"


def test_scalars_filled_slot_by_slot_equal_constructed_ones() -> None:
    """The builder fills Scalar and Span slots directly (for speed): the nodes must be
    indistinguishable from constructed ones — equal, hashable, frozen."""
    import dataclasses

    from qmoi.source import Span

    text = "a: 'x'\nb: 12\nc: &k !!str on\nd: ~\n"
    root = parse_yaml(SourceFile("t.yml", text)).root
    assert isinstance(root, Mapping)
    expected = [
        Scalar("x", Span(3, 6), ScalarKind.STR, "'"),
        Scalar("12", Span(10, 12), ScalarKind.INT),
        Scalar("on", Span(16, 27), ScalarKind.STR, "", "tag:yaml.org,2002:str", "k"),
        Scalar("~", Span(31, 32), ScalarKind.NULL),
    ]
    values = [v for _, v in root.pairs]
    assert values == expected
    assert [hash(v) for v in values] == [hash(v) for v in expected]
    assert [k.span for k, _ in root.pairs] == [Span(0, 1), Span(7, 8), Span(13, 14),
                                                Span(28, 29)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        values[0].value = "y"  # type: ignore[misc]


def test_collections_built_as_shells_are_real_frozen_nodes() -> None:
    import dataclasses

    from qmoi.source import Span

    root = parse("a: [x, y]\nb: {c: d}\n").root
    assert isinstance(root, Mapping)
    seq, flow_map = root.get("a"), root.get("b")
    assert type(seq) is Sequence and type(flow_map) is Mapping and type(root) is Mapping
    assert seq == Sequence((Scalar("x", Span(4, 5)), Scalar("y", Span(7, 8))), Span(3, 9), True)
    assert flow_map.get("c") == Scalar("d", Span(17, 18))
    assert hash(seq) == hash(Sequence(seq.items, Span(3, 9), True))
    with pytest.raises(dataclasses.FrozenInstanceError):
        root.flow = True  # type: ignore[misc]


def test_non_scalar_and_repeated_keys_keep_every_pair_in_order() -> None:
    result = parse("? [k]\n: 1\na: 2\nb: 3\na: 4\n")
    assert [d.code for d in result.diagnostics] == ["P108", "P102"]
    root = result.root
    assert isinstance(root, Mapping)
    assert [(k.value, v.value) for k, v in root.pairs if isinstance(v, Scalar)] == [
        ("a", "2"), ("b", "3"), ("a", "4")]
    value = root.get("a")
    assert isinstance(value, Scalar) and value.value == "4"


def _plain(node: object) -> object:
    if isinstance(node, Mapping):
        assert node.index == {k.value: v for k, v in node.pairs}
        return {k.value: _plain(v) for k, v in node.pairs}
    if isinstance(node, Sequence):
        return [_plain(item) for item in node.items]
    assert isinstance(node, Scalar)
    return node.value


_WORDS = st.text(alphabet="abcxyz-_ é", min_size=1, max_size=6).map(str.strip).filter(bool)
_TREES = st.recursive(
    _WORDS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_WORDS, inner, max_size=4),
    max_leaves=15,
)


@settings(max_examples=100, deadline=None)
@given(_TREES, st.booleans())
def test_built_tree_matches_pyyaml_and_spans_cover_the_text(tree: object, flow: bool) -> None:
    import yaml

    text = yaml.safe_dump({"root": tree}, default_flow_style=flow, allow_unicode=True)
    root = parse(text).root
    assert isinstance(root, Mapping)
    assert _plain(root) == yaml.safe_load(text)
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        assert isinstance(node, Scalar | Mapping | Sequence)
        assert 0 <= node.span.start <= node.span.end <= len(text)
        written = text[node.span.start : node.span.end]
        if isinstance(node, Scalar):
            assert "\n" in written or written.strip("'") == node.value  # a long line may wrap
        elif isinstance(node, Mapping):
            stack.extend(v for pair in node.pairs for v in pair)
        else:
            stack.extend(node.items)
