"""Read one ``jobs.<id>`` entry into a :class:`Job` or a :class:`ReusableCall`."""

from __future__ import annotations

from qmoi.model.build_common import (
    build_concurrency,
    build_defaults,
    build_needs,
    build_permissions,
    build_steps,
)
from qmoi.model.job import (
    Container,
    Credentials,
    Environment,
    Job,
    Matrix,
    MatrixRow,
    ReusableCall,
    RunsOn,
    Service,
    Strategy,
)
from qmoi.model.step import parse_action_ref
from qmoi.model.values import entry_map, expression_of, mapping, scalar, scalars, sequence
from qmoi.parse.nodes import Mapping, Node, Scalar


def build_job(key: Scalar, node: Node) -> Job | ReusableCall:
    """A job with ``uses:`` is a reusable-workflow call; anything else is a normal job."""
    table = mapping(node)
    if table is None:
        return Job(key.value, key.span, key, node)
    if table.get("uses") is not None:
        return _reusable_call(key, table)
    return _normal_job(key, table)


def _normal_job(key: Scalar, table: Mapping) -> Job:
    # The parser's key index, looked up directly: ~15 keys per job, most absent.
    get = table.index.get if table.index is not None else table.get
    return Job(
        id=key.value,
        id_span=key.span,
        key=key,
        node=table,
        name=scalar(get("name")),
        runs_on=build_runs_on(get("runs-on")),
        needs=build_needs(get("needs")),
        if_=scalar(get("if")),
        strategy=build_strategy(get("strategy")),
        container=build_container(get("container")),
        services=build_services(get("services")),
        environment=build_environment(get("environment")),
        env=entry_map(get("env")),
        defaults=build_defaults(get("defaults")),
        outputs=entry_map(get("outputs")),
        timeout_minutes=scalar(get("timeout-minutes")),
        continue_on_error=scalar(get("continue-on-error")),
        concurrency=build_concurrency(get("concurrency")),
        permissions=build_permissions(get("permissions")),
        steps=build_steps(get("steps")),
    )


def _reusable_call(key: Scalar, table: Mapping) -> ReusableCall:
    get = table.get
    uses = scalar(get("uses"))
    secrets_node = get("secrets")
    inherit = isinstance(secrets_node, Scalar) and secrets_node.value == "inherit"
    return ReusableCall(
        id=key.value,
        id_span=key.span,
        key=key,
        node=table,
        uses=uses,
        workflow=None if uses is None else parse_action_ref(uses.value, uses.span),
        name=scalar(get("name")),
        with_=entry_map(get("with")),
        secrets=entry_map(None if inherit else secrets_node),
        secrets_inherit=inherit,
        needs=build_needs(get("needs")),
        if_=scalar(get("if")),
        strategy=build_strategy(get("strategy")),
        permissions=build_permissions(get("permissions")),
        concurrency=build_concurrency(get("concurrency")),
    )


def build_runs_on(node: Node | None) -> RunsOn | None:
    """``runs-on``: a label, a list of labels, ``{group, labels}`` or one expression.

    https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idruns-on
    """
    if node is None:
        return None
    expression = expression_of(node)
    if expression is not None:
        return RunsOn(node, expression=expression)
    table = mapping(node)
    if table is None:
        return RunsOn(node, labels=scalars(node))
    return RunsOn(node, labels=scalars(table.get("labels")), group=scalar(table.get("group")))


def build_strategy(node: Node | None) -> Strategy | None:
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Strategy(node)
    matrix_node = table.get("matrix")
    return Strategy(
        node,
        matrix=None if matrix_node is None else build_matrix(matrix_node),
        fail_fast=scalar(table.get("fail-fast")),
        max_parallel=scalar(table.get("max-parallel")),
    )


def build_matrix(node: Node) -> Matrix:
    expression = expression_of(node)
    table = mapping(node)
    if table is None:
        return Matrix(node, expression=expression)
    rows: list[MatrixRow] = []
    dynamic: list[tuple[Scalar, Scalar]] = []
    for key, value in table.pairs:
        if key.value in ("include", "exclude"):
            continue
        row_expression = expression_of(value)
        if row_expression is not None:
            dynamic.append((key, row_expression))
        else:
            items = sequence(value)
            rows.append(MatrixRow(key, () if items is None else items.items))
    include, exclude = table.get("include"), table.get("exclude")
    return Matrix(
        node,
        rows=tuple(rows),
        row_expressions=tuple(dynamic),
        include=_mappings(include),
        exclude=_mappings(exclude),
        include_expression=expression_of(include),
        exclude_expression=expression_of(exclude),
    )


def _mappings(node: Node | None) -> tuple[Mapping, ...]:
    items = sequence(node)
    if items is None:
        return ()
    return tuple(item for item in items.items if isinstance(item, Mapping))


def build_container(node: Node | None) -> Container | None:
    """A container: ``image`` string shorthand or the full mapping."""
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Container(node, image=scalar(node))
    get = table.get
    return Container(
        node,
        image=scalar(get("image")),
        credentials=_credentials(get("credentials")),
        env=entry_map(get("env")),
        ports=scalars(get("ports")),
        volumes=scalars(get("volumes")),
        options=scalar(get("options")),
        entrypoint=scalar(get("entrypoint")),
        command=scalar(get("command")),
    )


def _credentials(node: Node | None) -> Credentials | None:
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Credentials(node)
    return Credentials(node, scalar(table.get("username")), scalar(table.get("password")))


def build_services(node: Node | None) -> tuple[Service, ...]:
    table = mapping(node)
    if table is None:
        return ()
    services: list[Service] = []
    for key, value in table.pairs:
        container = build_container(value)
        if container is not None:
            services.append(Service(key.value, key.span, key, container))
    return tuple(services)


def build_environment(node: Node | None) -> Environment | None:
    if node is None:
        return None
    table = mapping(node)
    if table is None:
        return Environment(node, name=scalar(node))
    return Environment(node, scalar(table.get("name")), scalar(table.get("url")))
