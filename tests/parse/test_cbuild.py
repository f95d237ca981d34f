"""The C builder (qmoi.parse._cbuild) against the Python one, node for node.

Either the C builder returns exactly the tree the Python builder makes (values, kinds,
styles, tags, anchors, spans, key index, which nodes are shared), or it returns None and
parse_yaml falls back. Skipped where the extension is not built.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml as pyyaml
from hypothesis import given, settings
from hypothesis import strategies as st

import qmoi.parse.yaml as yaml_mod
from qmoi.parse import Mapping, Scalar, Sequence
from qmoi.parse.nodes import Node
from qmoi.parse.resolve import resolve_scalar
from qmoi.source import SourceFile, Span

try:
    from qmoi.parse import _cbuild
except ImportError:
    _cbuild = None  # type: ignore[assignment]

built = pytest.mark.skipif(
    _cbuild is None or yaml_mod._cbuild_build is None,
    reason="qmoi.parse._cbuild is not built (or QMOI_NO_CBUILD is set)",
)

CORPUS = Path("/work/shared/corpus")


def _shape(root: Node | None) -> object:
    """Everything a node holds, types included; a node met again (an alias) becomes a
    back-reference, so the sharing is compared too."""
    seen: dict[int, int] = {}

    def walk(node: Node) -> object:
        if id(node) in seen:
            return ("ref", seen[id(node)])
        seen[id(node)] = len(seen)
        span = node.span
        assert type(span) is Span and type(span.start) is int and type(span.end) is int
        head = (type(node).__name__, span.start, span.end, node.anchor, node.tag)
        if isinstance(node, Scalar):
            assert type(node.value) is str and type(node.style) is str
            return (*head, node.value, node.kind, node.style)
        if isinstance(node, Mapping):
            assert type(node.flow) is bool and type(node.pairs) is tuple
            pairs = tuple((walk(k), walk(v)) for k, v in node.pairs)
            assert node.index is not None
            index = [(k, seen.get(id(v))) for k, v in node.index.items()]
            return (*head, node.flow, pairs, index)
        assert type(node.flow) is bool and type(node.items) is tuple
        return (*head, node.flow, tuple(walk(item) for item in node.items))

    return None if root is None else walk(root)


def _compare(text: str) -> bool:
    """True when the C builder took the text (and then agreed with Python)."""
    source = SourceFile("w.yml", text)
    docs = yaml_mod._cbuild_build(source.text) if yaml_mod._cbuild_build else None
    if docs is None:
        return False
    expected = yaml_mod._parse_with_pyyaml(source)
    got = yaml_mod._result(source, docs, [])
    assert got.diagnostics == expected.diagnostics
    assert _shape(got.root) == _shape(expected.root)
    assert got.root == expected.root
    return True


def _corpus_texts() -> list[tuple[str, str]]:
    files = sorted(CORPUS.glob("workflows/*.y*ml")) + sorted(CORPUS.glob("actions/**/*.y*ml"))
    out = []
    for path in files:
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        try:
            out.append((path.name, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return out


@built
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_every_corpus_file_builds_the_same_tree_in_c() -> None:
    texts = _corpus_texts()
    taken = sum(_compare(text) for _, text in texts)
    # Measured: all 633 files (555 workflows, 78 actions) take the C path.
    assert len(texts) > 600
    assert taken == len(texts)


@built
def test_non_ascii_text_keeps_str_offsets() -> None:
    text = "name: café ☕\non:\n  push: {}\njobs:\n  😀: [ü, \"ß\"]\n  x: 'é'\n"
    assert _compare(text)
    root = yaml_mod.parse_yaml(SourceFile("w.yml", text)).root
    assert isinstance(root, Mapping)
    jobs = root.get("jobs")
    assert isinstance(jobs, Mapping)
    key, value = jobs.pairs[0]
    assert text[key.span.start : key.span.end] == "😀"
    assert isinstance(value, Sequence)
    assert text[value.span.start : value.span.end] == '[ü, "ß"]'


@built
@pytest.mark.parametrize("text", [
    "on: push\r\nname: x\r\njobs:\r\n  a:\r\n    runs-on: x\r\n",
    "a: &x {b: 1}\nc: *x\nd: &y [1, *x]\ne:\n  - *y\n  - *x\n",
    "base: &b [push]\non:\n  push: *b\nname: x\n",
    "k: !!int '3'\nl: ! 4\nm: !custom x\nn: !!str 5\no: !!float\np: !!bool yes\n",
    "a: |\n  one\n  two\nb: >-\n  three\n  four\nc: \"d\\te\"\nd: 'it''s'\n",
    "e:\nf: ~\ng: null\nh: 0x1F\ni: 0o17\nj: -.INF\nk: .NaN\nl: 1e5\nm: +1.\nn: .5\n",
    "on: push\n---\non: pull_request\n",
    "",
    "# only a comment\n",
    "- a\n- - b\n  - c\n- {d: e}\n",
    "? a\n: b\n",
    "a: b\n...\n",
])
def test_unusual_but_valid_text_builds_the_same_tree(text: str) -> None:
    assert _compare(text)


@built
@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",  # P102
    "? [k]\n: 1\n",  # P108
    "? {k: v}\n: 1\n",
    "a: &x [1]\n*x : 2\n",  # an alias to a sequence as a key
    "on: *nothing\n",  # P101
    "a: [" * 70 + "]" * 70 + "\n",  # P104
    "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
    + "".join(f"{c}: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 10)}]\n" for c in "bcdefgh"),
    "on: [push\n",  # a YAML error
    "a:\n\tb: 1\n",
    "a: \x07\n",  # a control character: libyaml's reader refuses it
])
def test_what_python_reports_falls_back(text: str) -> None:
    assert not _compare(text)
    assert yaml_mod.parse_yaml(SourceFile("w.yml", text)).diagnostics


@built
def test_a_lone_surrogate_is_left_to_the_python_path() -> None:
    assert _cbuild is not None
    assert _cbuild.build("a: \ud800\n") is None


@dataclass(frozen=True, slots=True)
class _Unknown:
    value: str
    extra: int


@built
def test_configure_refuses_a_class_whose_layout_it_does_not_know() -> None:
    assert _cbuild is not None
    with pytest.raises(TypeError, match="layout"):
        _cbuild.configure(Span, _Unknown, Mapping, Sequence, resolve_scalar,
                          type(Scalar("", Span(0, 0)).kind), 64, 8, 10_000)


def test_parse_yaml_falls_back_to_python_without_the_extension(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = "on: push\na: &x [1, 2]\nb: *x\nc: 1\nc: 2\n"
    with_c = yaml_mod.parse_yaml(SourceFile("w.yml", text))
    monkeypatch.setattr(yaml_mod, "_cbuild_build", None)
    without = yaml_mod.parse_yaml(SourceFile("w.yml", text))
    assert [d.code for d in without.diagnostics] == ["P102"]
    assert without == with_c
    assert yaml_mod.parse_yaml(SourceFile("w.yml", "on: [push\n")).diagnostics[0].code == "P101"


def test_an_unbuilt_or_disabled_extension_is_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import qmoi.parse

    monkeypatch.setitem(sys.modules, "qmoi.parse._cbuild", None)  # import now fails
    monkeypatch.delattr(qmoi.parse, "_cbuild", raising=False)
    assert yaml_mod._load_cbuild() is None
    monkeypatch.delitem(sys.modules, "qmoi.parse._cbuild")
    monkeypatch.setenv("QMOI_NO_CBUILD", "1")
    assert yaml_mod._load_cbuild() is None


def test_qmoi_no_cbuild_runs_the_python_builder_in_a_fresh_process() -> None:
    code = ("import qmoi.parse.yaml as y; from qmoi.source import SourceFile; "
            "r = y.parse_yaml(SourceFile('w.yml', 'on: push\\n')); "
            "print(y._cbuild_build is None, r.root.get('on').value)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "QMOI_NO_CBUILD": "1"}, check=True)
    assert out.stdout.split() == ["True", "push"]


# ---- generated YAML -------------------------------------------------------------------

_WORDS = st.text(alphabet="abcxyz-_ é😀", min_size=1, max_size=6).map(str.strip).filter(bool)
_SCALARS = _WORDS | st.sampled_from([
    "", "~", "null", "Null", "true", "FALSE", "yes", "on", "0", "-12", "+3", "0x1f", "0o17",
    "0o8", "1.5", "1.", ".5", "1e5", "1E-5", "-.inf", ".NaN", "+.nan", "1_000", "0x", ".",
    "-", "1e", "12:30", "3.0.1",
])
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_WORDS, inner, max_size=4),
    max_leaves=15,
)


@built
@settings(max_examples=150, deadline=None)
@given(_TREES, st.booleans(), st.sampled_from([None, "'", '"', "|", ">"]))
def test_dumped_trees_build_the_same_in_c(tree: object, flow: bool, style: str | None) -> None:
    text = pyyaml.safe_dump({"root": tree}, default_flow_style=flow, allow_unicode=True,
                            default_style=style)
    assert _compare(text)


_PLAIN = st.text(alphabet="0123456789+-.eExXoOabfinNtTrRuUlLsS~_ ", max_size=8)


@built
@settings(max_examples=400, deadline=None)
@given(_PLAIN, st.sampled_from(["", "!!int ", "!!str ", "! ", "!x ", "!!float "]))
def test_plain_scalars_get_the_kinds_resolve_scalar_gives(value: str, tag: str) -> None:
    _compare(f"k: {tag}{value}\nl: [{tag}{value}]\n")


_PIECES = st.sampled_from([
    "a", "b", ":", ": ", "- ", "\n", "\n  ", "\n    ", " ", "&x ", "&y ", "*x", "*y", "!!str ",
    "! ", "[", "]", "{", "}", ", ", "'q'", '"d"', "|\n  t\n", ">\n  f\n", "? ", "# c", "é", "1",
    "null", "---\n", "\r\n", "\t",
])


@built
@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_generated_fragments_build_the_same_or_fall_back(text: str) -> None:
    _compare(text)



@built
def test_pyyaml_is_imported_only_when_a_file_needs_the_python_builder() -> None:
    code = ("import sys, qmoi.parse.yaml as y; from qmoi.source import SourceFile; "
            "y.parse_yaml(SourceFile('w.yml', 'on: push\\n')); a = 'yaml' in sys.modules; "
            "y.parse_yaml(SourceFile('w.yml', 'on: [push\\n')); print(a, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ), check=True)
    assert out.stdout.split() == ["False", "True"]
