"""Reading the workflows to run: files or folders (``-W``), checked first so a broken file
stops the run with the same located messages ``qmoi lint`` prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qmoi.diagnostics import Diagnostic, Located, Severity
from qmoi.discover import WORKFLOW_DIR, resolve_targets
from qmoi.errors import QmoiError, UsageError
from qmoi.model import Workflow, build_workflow
from qmoi.parse import Mapping, parse_yaml, read_source
from qmoi.plan.checkcache import CleanCache
from qmoi.source import SourceFile


class WorkflowError(QmoiError):
    """A workflow with errors; the message holds one ``path:line:col: message [rule]``
    line per error."""


@dataclass(frozen=True, slots=True)
class LoadedWorkflow:
    """``display`` is the path shown to users; ``repo_path`` the path inside the repository
    (``.github/workflows/ci.yml``), used for ``github.workflow_ref``."""

    path: Path
    display: str
    repo_path: str
    workflow: Workflow

    @property
    def name(self) -> str:
        """``name:`` of the workflow, else its path (as GitHub shows ``github.workflow``)."""
        written = self.workflow.name
        return written.value if written is not None and written.value else self.repo_path


def _repo_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


# What GitHub itself refuses when it loads a workflow: the structure (S) and the triggers
# (E). Opinions such as security or outdated-action rules never stop a run.
_REFUSED_BY_GITHUB = ("S", "E")


def _refused(source: SourceFile) -> list[Diagnostic]:
    # The checker (and its rules) load only for a text not known clean: a repeated run
    # does not pay for importing them.
    from qmoi.check import check_source, select_rules

    found = check_source(source, "workflow", select_rules(_REFUSED_BY_GITHUB))
    # A crashing rule is QMOI's bug, not the workflow's: it must not block the run.
    return [d for d in found if d.severity is Severity.ERROR
            and not d.message.startswith("internal error in rule")]


def load_workflow(path: Path, display: str, root: Path,
                  cache: CleanCache | None = None) -> LoadedWorkflow:
    source, problems = read_source(path, display)
    errors = list(problems)
    if not errors and (cache is None or not cache.known_clean(source.text)):
        errors = _refused(source)
        if not errors and cache is not None:
            cache.add(source.text)
    if errors:
        lines = []
        for diagnostic in errors:
            at = Located.of(diagnostic, source)
            lines.append(f"{diagnostic.path}:{at.line}:{at.column}: {diagnostic.message} "
                         f"[{diagnostic.rule}]")
        raise WorkflowError("the workflow has errors:\n" + "\n".join(lines))
    root_node = parse_yaml(source).root
    assert isinstance(root_node, Mapping)  # check_source reported anything else
    return LoadedWorkflow(path, display, _repo_path(path, root),
                          build_workflow(root_node, source))


def load_workflows(given: list[Path], cwd: Path, root: Path,
                   cache_dir: Path | None = None) -> list[LoadedWorkflow]:
    """The workflows named by ``-W`` (files or folders), default the repository's
    ``.github/workflows``. Action metadata files in a folder are left out. With
    ``cache_dir``, files already found clean are not checked again."""
    paths = given or [root / WORKFLOW_DIR]
    if not given and not paths[0].is_dir():
        raise UsageError(f"no {WORKFLOW_DIR}/ folder in {root}; name workflows with -W")
    targets = [t for t in resolve_targets(paths, cwd) if t.kind == "workflow"]
    if not targets:
        raise UsageError("no workflow files found in " + ", ".join(map(str, paths)))
    cache = None if cache_dir is None else CleanCache(cache_dir / "run-check.json")
    loaded = [load_workflow(t.path, t.display, root, cache) for t in targets]
    if cache is not None:
        cache.save()
    return loaded
