"""Build the typed :class:`Workflow` from a parsed root mapping. Never raises on bad input."""

from __future__ import annotations

from qmoi.model.build_common import build_concurrency, build_defaults, build_permissions
from qmoi.model.build_job import build_job
from qmoi.model.build_on import build_on
from qmoi.model.job import Job, ReusableCall
from qmoi.model.values import entry_map, mapping, scalar
from qmoi.model.workflow import Workflow
from qmoi.parse.nodes import Mapping, Node
from qmoi.source import SourceFile


def build_workflow(root: Mapping, source: SourceFile) -> Workflow:
    """The typed model of a workflow; a wrong-typed value becomes None / empty.

    Structural rules report wrong types; this keeps whatever is valid so later stages
    (checks, planner) can still work with it.
    """
    get = root.get
    on_node = get("on")
    form, triggers = build_on(on_node)
    return Workflow(
        source=source,
        root=root,
        name=scalar(get("name")),
        run_name=scalar(get("run-name")),
        on=triggers,
        on_form=form,
        on_node=on_node,
        permissions=build_permissions(get("permissions")),
        env=entry_map(get("env")),
        defaults=build_defaults(get("defaults")),
        concurrency=build_concurrency(get("concurrency")),
        jobs=_jobs(get("jobs")),
    )


def _jobs(node: Node | None) -> tuple[Job | ReusableCall, ...]:
    table = mapping(node)
    if table is None:
        return ()
    return tuple(build_job(key, value) for key, value in table.pairs)
