"""Jobs: normal jobs and reusable-workflow calls, with their strategy, runner and containers.

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobs
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from qmoi.model.common import Concurrency, Defaults, NeedsRef, Permissions
from qmoi.model.step import ActionRef, Step
from qmoi.model.values import EMPTY, JSON, EntryMap, contains_expression, to_json
from qmoi.parse.nodes import Mapping, Node, Scalar
from qmoi.source import Span


class MatrixRow(NamedTuple):
    """One matrix variable and its values, e.g. ``os: [ubuntu-latest, windows-latest]``."""

    key: Scalar
    values: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    """``strategy.matrix`` as written.

    ``rows`` are the variables whose value is a list; a variable given by an expression
    (``os: ${{ fromJSON(…) }}``) is in ``row_expressions``; ``expression`` is set when the
    whole matrix is one expression. Expansion is :mod:`qmoi.model.matrix`'s job.
    """

    node: Node
    rows: tuple[MatrixRow, ...] = ()
    row_expressions: tuple[tuple[Scalar, Scalar], ...] = ()
    include: tuple[Mapping, ...] = ()
    exclude: tuple[Mapping, ...] = ()
    include_expression: Scalar | None = None
    exclude_expression: Scalar | None = None
    expression: Scalar | None = None
    # is_static, found on first use: two matrix rules ask, and it walks the whole matrix.
    _static: bool | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def is_static(self) -> bool:
        """Whether it can be expanded without evaluating anything (no ``${{ }}`` anywhere)."""
        static = self._static
        if static is None:
            static = not _has_expression(self.node)
            object.__setattr__(self, "_static", static)
        return static

    def to_json(self) -> dict[str, JSON] | None:
        """The matrix as a plain dict (for :func:`qmoi.model.matrix.expand_matrix`)."""
        value = to_json(self.node)
        return value if isinstance(value, dict) else None

    def key(self, name: str) -> MatrixRow | None:
        for row in self.rows:
            if row.key.value == name:
                return row
        return None


def _has_expression(node: Node) -> bool:
    stack: list[Node] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, Scalar):
            if contains_expression(current.value):
                return True
        elif isinstance(current, Mapping):
            stack.extend(v for _, v in current.pairs)
        else:
            stack.extend(current.items)
    return False


@dataclass(frozen=True, slots=True)
class Strategy:
    """A job's ``strategy``: the matrix, and how its legs fail and run side by side."""

    node: Node
    matrix: Matrix | None = None
    fail_fast: Scalar | None = None
    max_parallel: Scalar | None = None

    @property
    def span(self) -> Span:
        return self.node.span


@dataclass(frozen=True, slots=True)
class RunsOn:
    """``runs-on:`` — labels, a runner ``group`` (with optional labels) or one expression."""

    node: Node
    labels: tuple[Scalar, ...] = ()
    group: Scalar | None = None
    expression: Scalar | None = None

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.value for label in self.labels)


@dataclass(frozen=True, slots=True)
class Credentials:
    """The registry login of a job's container or a service (``credentials``)."""

    node: Node
    username: Scalar | None = None
    password: Scalar | None = None


@dataclass(frozen=True, slots=True)
class Container:
    """A job container or a service container (``image`` may be an expression)."""

    node: Node
    image: Scalar | None = None
    credentials: Credentials | None = None
    env: EntryMap = EMPTY
    ports: tuple[Scalar, ...] = ()
    volumes: tuple[Scalar, ...] = ()
    options: Scalar | None = None
    # services only: what the container runs instead of its image's ENTRYPOINT / CMD
    entrypoint: Scalar | None = None
    command: Scalar | None = None

    @property
    def span(self) -> Span:
        return self.node.span


@dataclass(frozen=True, slots=True)
class Service:
    """One entry of ``services:``: its name (the host name on the job network) and container."""

    name: str
    name_span: Span
    key: Scalar
    container: Container


@dataclass(frozen=True, slots=True)
class Environment:
    """``environment:`` — a name, or ``{name, url}``."""

    node: Node
    name: Scalar | None = None
    url: Scalar | None = None

    @property
    def span(self) -> Span:
        return self.node.span


@dataclass(frozen=True, slots=True)
class Job:
    """A job that runs steps on a runner. ``node`` is the job's value as written (normally a
    mapping; anything else leaves every setting empty)."""

    id: str
    id_span: Span
    key: Scalar
    node: Node
    name: Scalar | None = None
    runs_on: RunsOn | None = None
    needs: tuple[NeedsRef, ...] = ()
    if_: Scalar | None = None
    strategy: Strategy | None = None
    container: Container | None = None
    services: tuple[Service, ...] = ()
    environment: Environment | None = None
    env: EntryMap = EMPTY
    defaults: Defaults | None = None
    outputs: EntryMap = EMPTY
    timeout_minutes: Scalar | None = None
    continue_on_error: Scalar | None = None
    concurrency: Concurrency | None = None
    permissions: Permissions | None = None
    steps: tuple[Step, ...] = ()

    @property
    def span(self) -> Span:
        return self.key.span.cover(self.node.span)

    @property
    def display_name(self) -> str:
        """``name:`` when set (raw, expressions unevaluated), else the job id."""
        return self.name.value if self.name is not None and self.name.value else self.id

    @property
    def matrix(self) -> Matrix | None:
        return None if self.strategy is None else self.strategy.matrix


@dataclass(frozen=True, slots=True)
class ReusableCall:
    """A job that calls a reusable workflow (``uses:`` at job level).

    https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
    ``secrets_inherit`` is True for ``secrets: inherit``; otherwise ``secrets`` holds the map.
    """

    id: str
    id_span: Span
    key: Scalar
    node: Node
    uses: Scalar | None = None
    workflow: ActionRef | None = None
    name: Scalar | None = None
    with_: EntryMap = EMPTY
    secrets: EntryMap = EMPTY
    secrets_inherit: bool = False
    needs: tuple[NeedsRef, ...] = ()
    if_: Scalar | None = None
    strategy: Strategy | None = None
    permissions: Permissions | None = None
    concurrency: Concurrency | None = None

    @property
    def span(self) -> Span:
        return self.key.span.cover(self.node.span)

    @property
    def display_name(self) -> str:
        return self.name.value if self.name is not None and self.name.value else self.id

    @property
    def matrix(self) -> Matrix | None:
        return None if self.strategy is None else self.strategy.matrix
