"""Expression engine benchmark (plain Python; prints results).

1. Throughput: compile one realistic expression once, evaluate it 100,000 times.
2. Corpus: parse every ``${{ }}`` (and every bare ``if:``) in the shared corpus workflows,
   cold (empty parse caches) and again warm.
3. Corpus: the linter's full expression pass (parse, type-check with each key's contexts,
   availability, conditions) over every workflow, as ``qmoi lint`` runs it.

Usage: python bench/expr_bench.py [CORPUS_DIR]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from qmoi.check.base import Context, Document
from qmoi.check.expr_util import expression_findings
from qmoi.check.rules.expression_syntax import ExpressionSyntax
from qmoi.expr import ExpressionError, compile_expression, parse_expression, parse_template
from qmoi.expr.parser import _parse_cached
from qmoi.expr.template import _template_cached
from qmoi.parse import Mapping, Node, Scalar, Sequence, parse_yaml
from qmoi.parse.reader import decode_source

EXPRESSION = ("github.event_name == 'push' && startsWith(github.ref, 'refs/tags/') "
              "|| contains(github.event.pull_request.labels.*.name, 'deploy') "
              "&& format('{0}-{1}', matrix.os, matrix.node) != ''")
CONTEXTS = {
    "github": {"event_name": "pull_request", "ref": "refs/pull/1/merge",
               "event": {"pull_request": {"labels": [{"name": "bug"}, {"name": "Deploy"}]}}},
    "matrix": {"os": "ubuntu-latest", "node": 20},
}
DEFAULT_CORPUS = Path("/work/shared/corpus/workflows")


def throughput(runs: int = 100_000) -> None:
    compiled = compile_expression(parse_expression(EXPRESSION))
    assert compiled.evaluate(CONTEXTS) is True
    start = time.perf_counter()
    for _ in range(runs):
        compiled.evaluate(CONTEXTS)
    elapsed = time.perf_counter() - start
    print(f"evaluate: {runs} runs in {elapsed:.3f} s = {runs / elapsed:,.0f} evals/s "
          f"({elapsed / runs * 1e6:.2f} us each)")


def _scalars(node: Node | None, key: str = "") -> list[tuple[str, Scalar]]:
    found: list[tuple[str, Scalar]] = []
    stack: list[tuple[str, Node | None]] = [(key, node)]
    seen: set[int] = set()
    while stack:
        name, current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, Scalar):
            found.append((name, current))
        elif isinstance(current, Mapping):
            stack.extend((k.value, v) for k, v in current.pairs)
        elif isinstance(current, Sequence):
            stack.extend((name, item) for item in current.items)
    return found


def corpus(directory: Path) -> None:
    texts: list[tuple[str, bool]] = []
    for path in sorted(directory.glob("*.y*ml")):
        source, _ = decode_source(path.read_bytes(), str(path))
        root = parse_yaml(source).root
        for key, scalar in _scalars(root):
            if "${{" in scalar.value:
                texts.append((scalar.value, True))
            elif key in ("if", "pre-if", "post-if") and scalar.value.strip():
                texts.append((scalar.value, False))
    _parse_cached.cache_clear()
    _template_cached.cache_clear()
    for label in ("cold", "warm"):
        _parse_all(texts, directory, label)


def _parse_all(texts: list[tuple[str, bool]], directory: Path, label: str) -> None:
    count, failures = 0, []
    start = time.perf_counter()
    for text, is_template in texts:
        try:
            if is_template:
                count += len(parse_template(text).expressions)
            else:
                parse_expression(text)
                count += 1
        except ExpressionError as error:
            failures.append((text, error))
    elapsed = time.perf_counter() - start
    files = len(list(directory.glob("*.y*ml")))
    each = elapsed / max(count, 1) * 1e6
    print(f"corpus ({label}): {count} expressions in {len(texts)} values from {files} "
          f"workflows parsed in {elapsed * 1000:.1f} ms ({each:.1f} us each); "
          f"{len(failures)} values rejected")
    for text, error in failures[:10]:
        print(f"  rejected: {text[:70]!r}: {error.message}")


def typed(directory: Path) -> None:
    """Parse and type every expression as the linter does: one shared pass per document
    (availability and context types per key, conditions), YAML parsed beforehand."""
    documents = []
    for path in sorted(directory.glob("*.y*ml")):
        source = decode_source(path.read_bytes(), str(path))[0]
        root = parse_yaml(source).root
        if isinstance(root, Mapping):
            documents.append(Document(source, root))
    for label in ("cold", "warm"):
        if label == "cold":
            _parse_cached.cache_clear()
            _template_cached.cache_clear()
        start = time.perf_counter()
        findings = sum(len(expression_findings(Context(document, ExpressionSyntax(), {})))
                       for document in documents)
        elapsed = time.perf_counter() - start
        print(f"corpus typed ({label}): every expression of {len(documents)} workflows "
              f"parsed and type-checked in {elapsed * 1000:.1f} ms ({findings} findings)")


def main() -> None:
    throughput()
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    if directory.is_dir():
        corpus(directory)
        typed(directory)
    else:
        print(f"corpus: {directory} not found, skipped")


if __name__ == "__main__":
    main()
