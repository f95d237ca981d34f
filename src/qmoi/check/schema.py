"""A declarative schema of workflow and action-metadata syntax, as data.

Each ``Spec`` says which YAML types a value may have, whether a ``${{ }}`` string may
stand in for a non-string type, which child keys a mapping allows (and which are
required), what free-keyed children and sequence items look like, and whether an
empty value is rejected. ``qmoi.check.schema_walk`` checks a document against it in
one pass; the structural rules (S101–S104) report what that walk finds.

Sources: GitHub's parser schema, actions/runner ``src/Sdk/WorkflowParser/workflow-v1.0.json``
(https://github.com/actions/runner/blob/main/src/Sdk/WorkflowParser/workflow-v1.0.json),
and the workflow syntax page
(https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax).
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from types import MappingProxyType


class T:
    """YAML value types a key accepts, as bit flags (plain ints: the walk tests them
    on every node, and ``enum.IntFlag`` arithmetic is several times slower)."""

    STR = 1
    BOOL = 2
    NUM = 4
    NULL = 8
    MAP = 16
    SEQ = 32
    SCALAR = STR | BOOL | NUM | NULL
    ANY = SCALAR | MAP | SEQ


@dataclass(frozen=True, slots=True)
class Spec:
    """What one value may look like.

    ``expr``: a ``${{ }}`` string is accepted for any allowed type here *and below*,
    mirroring the runner's template reader, where a definition's allowed contexts are
    inherited by everything nested in it. ``keys``: the known child keys of a mapping.
    ``extra``: the spec of any other key (``None`` = other keys are unknown).
    ``loose``: GitHub tolerates unknown keys here, so they are only a warning.
    """

    types: int
    expr: bool = False
    keys: MappingABC[str, Key] = field(default_factory=lambda: _NO_KEYS)
    extra: Spec | None = None
    items: Spec | None = None
    nonempty: bool = False
    loose: bool = False
    # How messages name a value under a free key ('job "{key}"') or a sequence item
    # ('step {index}'); the label of the *parent* spec is used for its children.
    label: str = ""

    required: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        needed = tuple(name for name, key in self.keys.items() if key.required)
        object.__setattr__(self, "required", needed)


@dataclass(frozen=True, slots=True)
class Key:
    """A key a mapping allows: the spec its value must meet, and whether GitHub requires it."""

    spec: Spec
    required: bool = False


_NO_KEYS: MappingABC[str, Key] = MappingProxyType({})


def known_keys(**specs: Spec | Key) -> MappingABC[str, Key]:
    """Keyword names use ``_`` for ``-`` (``timeout_minutes`` → ``timeout-minutes``)."""
    return raw_keys({name.replace("_", "-"): s for name, s in specs.items()})


def raw_keys(specs: MappingABC[str, Spec | Key]) -> MappingABC[str, Key]:
    """For key names that keep their underscores (event names)."""
    return MappingProxyType({n: s if isinstance(s, Key) else Key(s) for n, s in specs.items()})


def required(spec: Spec) -> Key:
    return Key(spec, required=True)


def mapping(
    known: MappingABC[str, Key], *, expr: bool = False, nonempty: bool = False,
    loose: bool = False, types: int = T.MAP, items: Spec | None = None, label: str = "",
) -> Spec:
    """A mapping with a fixed set of keys (``types`` adds the other forms a key accepts)."""
    return Spec(types | T.MAP, expr, known, None, items, nonempty, loose, label)


def free_mapping(
    values: Spec, *, label: str = "", expr: bool = False, nonempty: bool = False,
    types: int = T.MAP,
) -> Spec:
    """A mapping whose keys are the user's (``env``, ``with``, ``outputs``, …)."""
    return Spec(types | T.MAP, expr, _NO_KEYS, values, None, nonempty, label=label)


def sequence(
    items: Spec, *, expr: bool = False, nonempty: bool = False, label: str = ""
) -> Spec:
    return Spec(T.SEQ, expr, items=items, nonempty=nonempty, label=label)


ANY = Spec(T.ANY)
# GitHub's schema "string": a number, boolean or null there is read as its text, so
# the walker accepts every scalar where STR is allowed (null only if not ``nonempty``).
STRING = Spec(T.STR)
NONEMPTY_STRING = Spec(T.STR, nonempty=True)
BOOLEAN = Spec(T.BOOL)
NUMBER = Spec(T.NUM)
STRING_LIST = sequence(NONEMPTY_STRING)
STRING_OR_LIST = Spec(T.STR | T.SEQ, items=NONEMPTY_STRING, nonempty=True)
ENV = free_mapping(STRING, expr=True)
