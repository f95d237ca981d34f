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
      .github/workflows/legacy.yml:   # repository-relative; fnmatch patterns (`*` spans `/`)
        ignore: [deprecated-command]
    runners:                      # QCity's local runner pool (``qmoi run``)
      min: 1                      # worker processes kept alive
      max: 32                     # at most (default: from the machine's cores and memory)
      idle-timeout: 30            # seconds an idle worker above ``min`` lives
      heartbeat-timeout: 20       # seconds of silence after which a worker counts as hung
      retries: 2                  # new attempts for a job whose worker died
      memory: 8G                  # memory all jobs may reserve (default: the machine's)
      memory-headroom: 512M       # memory always left free
      pools: [local, gpu]         # pool names this machine serves (default: local)
      labels: {gpu: gpu}          # runs-on label → pool (ubuntu-*, self-hosted: local)
    qcity:
      jobs:                       # "<workflow file>/<job id>" (fnmatch patterns allowed)
        "ci.yml/build": {cpu: 2, memory: 1G, redundant: true}
    fixer:
      command: ./ai-fix.sh        # the manager's external fixer: failure JSON in, diff out

Sizes take a binary unit (``K``, ``M``, ``G``, ``T``, optionally followed by ``i``/``B``).

Which rules run is decided by :func:`choose_rules`: a command-line ``--select`` replaces the
file's choice entirely (the command line wins), a command-line ``--ignore`` always applies.
Whatever cannot be used is listed in ``Config.problems`` with its place in the file, and the
rest of the file still applies.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from qmoi.check.base import Rule
from qmoi.check.config_values import ConfigProblem as ConfigProblem
from qmoi.check.config_values import ValueReader
from qmoi.check.registry import all_rules
from qmoi.diagnostics import Diagnostic, Severity
from qmoi.parse import Mapping, Scalar, Sequence, parse_yaml
from qmoi.parse.nodes import Node, kind_name
from qmoi.source import SourceFile

CONFIG_PATH = ".github/qmoi.yml"
CONFIG_CODE = "Q902"
CONFIG_RULE = "invalid-config"
PINNING = ("none", "tag", "sha")
DEFAULT_TRUSTED = ("actions/*", "github/*")
_KEYS = {
    "": ("rules", "self-hosted-runner", "actions", "paths", "runners", "qcity", "fixer"),
    "rules": ("select", "ignore", "severity"),
    "runners": ("min", "max", "idle-timeout", "heartbeat-timeout", "retries", "memory",
                "memory-headroom", "pools", "labels"),
    "qcity": ("jobs",),
    "fixer": ("command",),
    "self-hosted-runner": ("labels",),
    "actions": ("pinning", "trusted"),
}


@dataclass(frozen=True, slots=True)
class JobResources:
    """``qcity.jobs."<workflow>/<job>"``: a job's resource request and redundancy."""

    pattern: str
    cpu: float | None = None
    memory: int | None = None  # bytes
    redundant: bool = False


@dataclass(frozen=True, slots=True)
class RunnersConfig:
    """The ``runners:`` section; None means "the pool's default"."""

    min: int | None = None
    max: int | None = None
    idle_timeout: float | None = None
    heartbeat_timeout: float | None = None
    retries: int | None = None
    memory: int | None = None
    memory_headroom: int | None = None
    pools: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Selection:
    """The rules named on the command line; they win over the configuration."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    """The settings of ``.github/qmoi.yml``, defaults where it is silent; ``problems`` lists what
    could not be used."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    self_hosted_labels: tuple[str, ...] = ()
    pinning: str = "none"
    trusted: tuple[str, ...] = DEFAULT_TRUSTED
    path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    runners: RunnersConfig = RunnersConfig()
    qcity_jobs: tuple[JobResources, ...] = ()
    fixer_command: str | None = None
    problems: tuple[ConfigProblem, ...] = field(default=(), compare=False)

    def ignored_for(self, path: str | None) -> tuple[str, ...]:
        """Rules ignored for ``path`` (repository-relative) by every matching ``paths:`` key."""
        if path is None:
            return ()
        return tuple(r for pattern, rules in self.path_ignores
                     if pattern == path or fnmatch.fnmatchcase(path, pattern) for r in rules)

    def severity_for(self, code: str, rule: str) -> Severity | None:
        """The configured severity of a finding: an exact name or code beats a code prefix,
        and a longer prefix beats a shorter one."""
        best, chosen = -1, None
        for key, level in self.severity:
            score = 1000 if key in (code, rule) else len(key) if code.startswith(key) else -1
            if score > best:
                best, chosen = score, Severity(level)
        return chosen


def named(rule: type[Rule], names: Iterable[str]) -> bool:
    """Whether ``names`` (codes, code prefixes or rule names) include ``rule``."""
    return any(rule.code.startswith(n) or rule.name == n for n in names)


def choose_rules(rules: Iterable[type[Rule]], config: Config, path: str | None,
                 selection: Selection | None = None) -> tuple[type[Rule], ...]:
    """The rules to run on the file at ``path``."""
    cli = selection or Selection()
    if cli.select:
        chosen = [r for r in rules if named(r, cli.select)]
    else:
        dropped = config.ignore + config.ignored_for(path)
        chosen = [r for r in rules if (not config.select or named(r, config.select))
                  and not named(r, dropped)]
    return tuple(r for r in chosen if not named(r, cli.ignore))


@lru_cache(maxsize=8)
def parse_config(text: str) -> Config:
    """The configuration in ``text``; unusable parts are listed in ``problems``."""
    result = parse_yaml(SourceFile(CONFIG_PATH, text))
    problems = [ConfigProblem(d.span, d.message) for d in result.diagnostics]
    root = result.root
    if root is None:
        return Config(problems=tuple(problems))
    if not isinstance(root, Mapping):
        problems.append(ConfigProblem(root.span, f"the configuration must be a mapping, "
                                                 f"not a {kind_name(root)}"))
        return Config(problems=tuple(problems))
    return _Reader(problems).read(root)


def check_config(source: SourceFile) -> list[Diagnostic]:
    """The configuration file as a lint target: YAML errors keep their own codes, every
    other problem is an ``invalid-config`` error."""
    result = parse_yaml(source)
    found = list(result.diagnostics)
    if result.root is None:
        return found
    # parse_config lists the YAML errors first; they are already in ``found``.
    for problem in parse_config(source.text).problems[len(found):]:
        found.append(Diagnostic(source.path, problem.span, CONFIG_CODE, CONFIG_RULE,
                                Severity.ERROR, problem.message))
    return sorted(found, key=Diagnostic.sort_key)


def _known(name: str) -> bool:
    return any(r.name == name or r.code.startswith(name) for r in all_rules())


class _Reader(ValueReader):
    """Reads the sections, collecting problems instead of failing on the first."""

    def section(self, root: Mapping, key: str) -> Mapping:
        node = root.get(key)
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return Mapping((), root.span)
        if not isinstance(node, Mapping):
            self.problem(node, f"{key} must be a mapping, not a {kind_name(node)}")
            return Mapping((), root.span)
        if key in _KEYS:
            self.keys(node, key)
        return node

    def keys(self, node: Mapping, where: str) -> None:
        allowed = _KEYS[where]
        for key, _ in node.pairs:
            if key.value not in allowed:
                place = f" in {where}" if where else ""
                self.problem(key, f'unknown key "{key.value}"{place}; expected one of '
                                  f'{", ".join(allowed)}')

    def rule_names(self, node: Node | None, what: str) -> tuple[str, ...]:
        names = self.strings(node, what)
        if names and node is not None:
            self.unknown_rules(node, names)
        return names

    def unknown_rules(self, node: Node, names: tuple[str, ...]) -> None:
        items = node.items if isinstance(node, Sequence) else ()
        for index, name in enumerate(names):
            if not _known(name):
                at = items[index] if index < len(items) else node
                self.problem(at, f'unknown rule "{name}": not a rule name, code or code prefix')

    def severity(self, node: Mapping) -> tuple[tuple[str, str], ...]:
        levels = tuple(s.value for s in Severity)
        found = []
        for key, value in node.pairs:
            if not _known(key.value):
                self.problem(key, f'unknown rule "{key.value}" in rules.severity')
            elif not isinstance(value, Scalar) or value.value not in levels:
                shown = value.value if isinstance(value, Scalar) else kind_name(value)
                self.problem(value, f'severity of "{key.value}" must be one of '
                                    f'{", ".join(levels)}, not "{shown}"')
            else:
                found.append((key.value, value.value))
        return tuple(found)

    def pinning(self, actions: Mapping) -> str:
        node = actions.get("pinning")
        if node is None:
            return "none"
        if isinstance(node, Scalar) and node.value in PINNING:
            return node.value
        shown = node.value if isinstance(node, Scalar) else kind_name(node)
        self.problem(node, f'actions.pinning must be one of {", ".join(PINNING)}, not "{shown}"')
        return "none"

    def paths(self, root: Mapping) -> tuple[tuple[str, tuple[str, ...]], ...]:
        paths = self.section(root, "paths")
        found = []
        for key, value in paths.pairs:
            if not isinstance(value, Mapping):
                self.problem(value, f'paths."{key.value}" must be a mapping with "ignore"')
                continue
            for inner, _ in value.pairs:
                if inner.value != "ignore":
                    self.problem(inner, f'unknown key "{inner.value}" in paths."{key.value}"; '
                                        "expected ignore")
            ignored = self.rule_names(value.get("ignore"), f'paths."{key.value}".ignore')
            found.append((key.value.removeprefix("./"), ignored))
        return tuple(found)

    def read(self, root: Mapping) -> Config:
        self.keys(root, "")
        rules, runners, actions = (self.section(root, k)
                                   for k in ("rules", "self-hosted-runner", "actions"))
        trusted = actions.get("trusted")
        severity = rules.get("severity")
        return Config(
            select=self.rule_names(rules.get("select"), "rules.select"),
            ignore=self.rule_names(rules.get("ignore"), "rules.ignore"),
            severity=self.severity(severity) if isinstance(severity, Mapping) else
            self.not_mapping(severity, "rules.severity"),
            self_hosted_labels=self.strings(runners.get("labels"), "self-hosted-runner.labels"),
            pinning=self.pinning(actions),
            trusted=DEFAULT_TRUSTED if trusted is None else
            self.strings(trusted, "actions.trusted"),
            path_ignores=self.paths(root),
            runners=self.runners(self.section(root, "runners")),
            qcity_jobs=self.qcity_jobs(self.section(root, "qcity")),
            fixer_command=self.fixer_command(self.section(root, "fixer")),
            problems=tuple(self.problems),
        )

    def not_mapping(self, node: Node | None, what: str) -> tuple[tuple[str, str], ...]:
        if node is not None and not (isinstance(node, Scalar) and node.is_null):
            self.problem(node, f"{what} must be a mapping of rule to severity")
        return ()

    # ------------------------------------------------------------------ runners / qcity

    def runners(self, node: Mapping) -> RunnersConfig:
        def whole(key: str) -> int | None:
            value = self.number(node.get(key), f"runners.{key}", whole=True)
            return None if value is None else int(value)

        def size(key: str) -> int | None:
            value = self.number(node.get(key), f"runners.{key}", size=True)
            return None if value is None else int(value)

        labels = node.get("labels")
        pairs: list[tuple[str, str]] = []
        if isinstance(labels, Mapping):
            for key, value in labels.pairs:
                if isinstance(value, Scalar) and value.value and not value.is_null:
                    pairs.append((key.value, value.value))
                else:
                    self.problem(value, f'runners.labels."{key.value}" must name a pool')
        elif labels is not None:
            self.problem(labels, "runners.labels must be a mapping of label to pool")
        return RunnersConfig(
            min=whole("min"), max=whole("max"),
            idle_timeout=self.number(node.get("idle-timeout"), "runners.idle-timeout"),
            heartbeat_timeout=self.number(node.get("heartbeat-timeout"),
                                          "runners.heartbeat-timeout"),
            retries=whole("retries"), memory=size("memory"),
            memory_headroom=size("memory-headroom"),
            pools=self.strings(node.get("pools"), "runners.pools"), labels=tuple(pairs))

    def fixer_command(self, node: Mapping) -> str | None:
        command = node.get("command")
        if command is None or (isinstance(command, Scalar) and command.is_null):
            return None
        if not isinstance(command, Scalar) or not command.value.strip():
            self.problem(command, "fixer.command must be a shell command")
            return None
        return command.value

    def qcity_jobs(self, node: Mapping) -> tuple[JobResources, ...]:
        jobs = node.get("jobs")
        if jobs is None or (isinstance(jobs, Scalar) and jobs.is_null):
            return ()
        if not isinstance(jobs, Mapping):
            self.problem(jobs, 'qcity.jobs must map "<workflow>/<job>" to {cpu, memory}')
            return ()
        return tuple(self.job_resources(key, value) for key, value in jobs.pairs)

    def job_resources(self, key: Scalar, value: Node) -> JobResources:
        where = f'qcity.jobs."{key.value}"'
        if not isinstance(value, Mapping):
            self.problem(value, f"{where} must be a mapping with cpu, memory or redundant")
            return JobResources(key.value)
        for inner, _ in value.pairs:
            if inner.value not in ("cpu", "memory", "redundant"):
                self.problem(inner, f'unknown key "{inner.value}" in {where}; expected one '
                                    "of cpu, memory, redundant")
        memory = self.number(value.get("memory"), f"{where}.memory", size=True)
        redundant = value.get("redundant")
        flag = redundant.as_bool() if isinstance(redundant, Scalar) else None
        if redundant is not None and flag is None:
            self.problem(redundant, f"{where}.redundant must be true or false")
        return JobResources(key.value, self.number(value.get("cpu"), f"{where}.cpu"),
                            None if memory is None else int(memory), bool(flag))
