"""QMOI's per-repository configuration, ``.github/qmoi.yml``.

Read from the document's ``Project`` (the caller reads the file), so rules stay free of I/O::

    rules:
      select: [S, X]              # codes, code prefixes or rule names
      ignore: [unpinned-action]
      severity: {unknown-key: warning}
    self-hosted-runner:
      labels: [gpu, linux-large]  # extra runner labels that are not GitHub-hosted
    actions:
      pinning: none | tag | sha   # how third-party actions must be pinned (default: none)
      trusted: [actions/*, github/*]  # owners or owner/repo exempt from the pinning policy
    paths:
      .github/workflows/legacy.yml:
        ignore: [deprecated-command]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qmoi.parse import Mapping, Scalar, Sequence, parse_yaml
from qmoi.source import SourceFile

CONFIG_PATH = ".github/qmoi.yml"
PINNING = ("none", "tag", "sha")
DEFAULT_TRUSTED = ("actions/*", "github/*")


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    self_hosted_labels: tuple[str, ...] = ()
    pinning: str = "none"
    trusted: tuple[str, ...] = DEFAULT_TRUSTED
    path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    problems: tuple[str, ...] = field(default=(), compare=False)

    def ignored_for(self, path: str | None) -> tuple[str, ...]:
        if path is None:
            return ()
        return tuple(r for p, rules in self.path_ignores if p == path for r in rules)


def _strings(node: object) -> tuple[str, ...]:
    if isinstance(node, Sequence):
        return tuple(i.value for i in node.items if isinstance(i, Scalar))
    if isinstance(node, Scalar) and not node.is_null:
        return tuple(part.strip() for part in node.value.split(",") if part.strip())
    return ()


def _section(root: Mapping, key: str) -> Mapping:
    node = root.get(key)
    return node if isinstance(node, Mapping) else Mapping((), root.span)


def parse_config(text: str) -> Config:
    """The configuration in ``text``; unusable parts are listed in ``problems``."""
    result = parse_yaml(SourceFile(CONFIG_PATH, text))
    if not isinstance(result.root, Mapping):
        return Config(problems=("the file is not a YAML mapping",))
    root = result.root
    rules, runners, actions = (_section(root, k)
                               for k in ("rules", "self-hosted-runner", "actions"))
    severity = _section(rules, "severity")
    pinning_node = actions.get("pinning")
    pinning = pinning_node.value if isinstance(pinning_node, Scalar) else "none"
    problems: list[str] = []
    if pinning not in PINNING:
        problems.append(f'actions.pinning must be one of {", ".join(PINNING)}, not "{pinning}"')
        pinning = "none"
    paths = _section(root, "paths")
    path_ignores = tuple((k.value, _strings(v.get("ignore")))
                         for k, v in paths.pairs if isinstance(v, Mapping))
    trusted = _strings(actions.get("trusted")) if actions.get("trusted") is not None else None
    return Config(
        select=_strings(rules.get("select")),
        ignore=_strings(rules.get("ignore")),
        severity=tuple((k.value, v.value) for k, v in severity.pairs if isinstance(v, Scalar)),
        self_hosted_labels=_strings(runners.get("labels")),
        pinning=pinning,
        trusted=trusted if trusted is not None else DEFAULT_TRUSTED,
        path_ignores=path_ignores,
        problems=tuple(problems),
    )
