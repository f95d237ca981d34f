"""The workflow builder: every ``on:`` form, job kinds, needs, runs-on, settings, bad types."""

from __future__ import annotations

import dataclasses
import textwrap

from qmoi.model import Job, ReusableCall, Workflow, build_workflow
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping
from qmoi.source import SourceFile


def wf(text: str) -> Workflow:
    source = SourceFile("w.yml", textwrap.dedent(text))
    root = parse_yaml(source).root
    assert isinstance(root, Mapping)
    return build_workflow(root, source)


def job(workflow: Workflow, job_id: str) -> Job:
    found = workflow.job(job_id)
    assert isinstance(found, Job)
    return found


def test_on_string_form() -> None:
    w = wf("on: push\njobs: {}\n")
    assert w.on_form == "string"
    assert w.event_names == ("push",)
    trigger = w.on[0]
    assert w.source.slice(trigger.span) == "push"
    assert trigger.branches is None and trigger.types is None


def test_on_list_form() -> None:
    w = wf("on: [push, pull_request]\njobs: {}\n")
    assert w.on_form == "list"
    assert w.event_names == ("push", "pull_request")
    assert w.source.slice(w.on[1].span) == "pull_request"


def test_on_mapping_form_with_filters() -> None:
    w = wf(
        """
        on:
          push:
            branches: [main, 'releases/**']
            tags-ignore: v*
            paths-ignore: []
          pull_request:
            types: [opened, labeled]
            branches-ignore:
              - wip
          workflow_dispatch:
        jobs: {}
        """
    )
    assert w.on_form == "mapping"
    push = w.event("push")
    assert push is not None
    assert [b.value for b in push.branches or ()] == ["main", "releases/**"]
    assert [t.value for t in push.tags_ignore or ()] == ["v*"]
    assert push.paths_ignore == ()  # written but empty: not the same as absent
    assert push.paths is None and push.tags is None
    pr = w.event("pull_request")
    assert pr is not None and pr.type_names == ("opened", "labeled")
    assert [b.value for b in pr.branches_ignore or ()] == ["wip"]
    dispatch = w.event("workflow_dispatch")
    assert dispatch is not None and dispatch.inputs == () and dispatch.config is not None


def test_schedule_and_workflow_run() -> None:
    w = wf(
        """
        on:
          schedule:
            - cron: '0 3 * * 1'
            - cron: "*/15 * * * *"
            - not-a-cron: 1
          workflow_run:
            workflows: [CI]
            types: completed
            branches: main
        jobs: {}
        """
    )
    schedule = w.event("schedule")
    assert schedule is not None
    assert [c.value for c in schedule.cron] == ["0 3 * * 1", "*/15 * * * *"]
    run = w.event("workflow_run")
    assert run is not None
    assert [x.value for x in run.workflows or ()] == ["CI"]
    assert run.type_names == ("completed",)
    assert [b.value for b in run.branches or ()] == ["main"]


def test_dispatch_and_call_inputs_outputs_secrets() -> None:
    w = wf(
        """
        on:
          workflow_dispatch:
            inputs:
              level:
                description: Log level
                required: true
                default: warning
                type: choice
                options: [info, warning]
              flag:
                type: boolean
          workflow_call:
            inputs:
              n: {type: number, default: 3}
            outputs:
              out:
                description: result
                value: ${{ jobs.a.outputs.x }}
            secrets:
              token:
                required: true
              other:
        jobs: {}
        """
    )
    dispatch = w.event("workflow_dispatch")
    assert dispatch is not None
    level = dispatch.input("level")
    assert level is not None and level.is_required and level.type_name == "choice"
    assert [o.value for o in level.options or ()] == ["info", "warning"]
    flag = dispatch.input("flag")
    assert flag is not None and not flag.is_required and flag.options is None
    call = w.event("workflow_call")
    assert call is not None and w.is_reusable
    n = call.input("n")
    assert n is not None and n.default is not None and w.source.slice(n.default.span) == "3"
    assert [(o.name, o.value.value if o.value else None) for o in call.outputs] == [
        ("out", "${{ jobs.a.outputs.x }}")
    ]
    assert [(s.name, s.is_required) for s in call.secrets] == [("token", True), ("other", False)]


def test_missing_and_null_on() -> None:
    assert wf("jobs: {}\n").on_form == "missing"
    w = wf("on:\njobs: {}\n")
    assert w.on_form == "string" and w.on == ()


def test_top_level_settings() -> None:
    w = wf(
        """
        name: CI
        run-name: Deploy by @${{ github.actor }}
        permissions:
          contents: read
          id-token: write
        env:
          A: 1
          B: ${{ github.sha }}
          C:
        defaults:
          run:
            shell: bash
            working-directory: src
        concurrency:
          group: ci-${{ github.ref }}
          cancel-in-progress: true
        jobs: {}
        """
    )
    assert w.name is not None and w.name.value == "CI"
    assert w.run_name is not None and "github.actor" in w.run_name.value
    assert w.permissions is not None and w.permissions.is_mapping
    assert w.permissions.level("contents") == "read"
    assert w.permissions.level("id-token") == "write"
    assert w.permissions.level("issues") is None
    assert w.env.names() == ("A", "B", "C")
    c = w.env.get("C")
    assert c is not None and c.value == ""
    a = w.env.get("A")
    assert a is not None and a.value == "1" and w.source.slice(a.span) == "1"
    assert w.defaults is not None and w.defaults.shell is not None
    assert w.defaults.shell.value == "bash"
    assert w.defaults.working_directory is not None
    assert w.concurrency is not None and w.concurrency.cancels_in_progress is True
    assert w.concurrency.group is not None and w.concurrency.group.value.startswith("ci-")


def test_shorthand_permissions_and_concurrency_and_env_expression() -> None:
    w = wf(
        """
        permissions: read-all
        concurrency: deploy
        env: ${{ fromJSON(vars.ENV) }}
        jobs: {}
        """
    )
    assert w.permissions is not None and not w.permissions.is_mapping
    assert w.permissions.shorthand is not None and w.permissions.shorthand.value == "read-all"
    assert w.concurrency is not None and w.concurrency.group is not None
    assert w.concurrency.group.value == "deploy" and w.concurrency.cancel_in_progress is None
    assert w.env.expression is not None and len(w.env) == 0


def test_jobs_in_file_order_with_kinds() -> None:
    w = wf(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps: [{run: make}]
          call:
            uses: octo/repo/.github/workflows/ci.yml@v1
            with: {x: 1}
            secrets: inherit
          local:
            uses: ./.github/workflows/lint.yml
            secrets:
              token: ${{ secrets.T }}
          broken: 42
        """
    )
    assert [j.id for j in w.jobs] == ["build", "call", "local", "broken"]
    assert isinstance(w.jobs[0], Job) and isinstance(w.jobs[3], Job)
    call = w.jobs[1]
    assert isinstance(call, ReusableCall) and call.secrets_inherit and len(call.secrets) == 0
    assert call.workflow is not None and call.workflow.kind == "remote"
    assert call.workflow.path == ".github/workflows/ci.yml" and call.workflow.ref == "v1"
    assert call.with_.names() == ("x",)
    local = w.jobs[2]
    assert isinstance(local, ReusableCall) and not local.secrets_inherit
    assert local.workflow is not None and local.workflow.kind == "local"
    assert local.secrets.names() == ("token",)
    broken = w.jobs[3]
    assert broken.runs_on is None and broken.steps == ()
    assert w.source.slice(broken.id_span) == "broken"


def test_job_lookup_is_case_insensitive() -> None:
    w = wf("jobs:\n  Build:\n    runs-on: x\n")
    assert w.job("build") is w.job("BUILD") is w.jobs[0]
    assert w.job("nope") is None


def test_needs_forms() -> None:
    w = wf(
        """
        jobs:
          a: {runs-on: x}
          b: {runs-on: x, needs: a}
          c: {runs-on: x, needs: [a, b]}
          d: {runs-on: x, needs: {oops: 1}}
        """
    )
    b, c, d = job(w, "b"), job(w, "c"), job(w, "d")
    assert [n.id for n in b.needs] == ["a"]
    assert w.source.slice(b.needs[0].span) == "a"
    assert [ref_id for ref_id, _ in c.needs] == ["a", "b"]
    assert d.needs == ()


def test_runs_on_forms() -> None:
    w = wf(
        """
        jobs:
          label: {runs-on: ubuntu-latest}
          labels: {runs-on: [self-hosted, linux, "${{ matrix.arch }}"]}
          expr: {runs-on: "${{ matrix.os }}"}
          group:
            runs-on:
              group: big
              labels: [gpu]
          grouponly: {runs-on: {group: small}}
          wrong: {runs-on: 3}
        """
    )
    label = job(w, "label").runs_on
    assert label is not None and label.label_names == ("ubuntu-latest",)
    labels = job(w, "labels").runs_on
    assert labels is not None and len(labels.labels) == 3 and labels.expression is None
    expr = job(w, "expr").runs_on
    assert expr is not None and expr.labels == () and expr.expression is not None
    group = job(w, "group").runs_on
    assert group is not None and group.group is not None and group.group.value == "big"
    assert group.label_names == ("gpu",)
    grouponly = job(w, "grouponly").runs_on
    assert grouponly is not None and grouponly.label_names == ()
    wrong = job(w, "wrong").runs_on
    assert wrong is not None and wrong.label_names == ("3",)


def test_job_settings() -> None:
    w = wf(
        """
        jobs:
          j:
            name: Build ${{ matrix.os }}
            runs-on: x
            if: github.event_name == 'push'
            environment:
              name: prod
              url: ${{ steps.d.outputs.url }}
            container:
              image: node:20
              credentials: {username: u, password: "${{ secrets.P }}"}
              env: {NODE_ENV: test}
              ports: [80, "8080:80"]
              volumes: [/data]
              options: --cpus 1
            services:
              db: postgres:16
              redis:
                image: redis
                ports: [6379]
            outputs:
              url: ${{ steps.d.outputs.url }}
            timeout-minutes: 30
            continue-on-error: ${{ matrix.experimental }}
            concurrency: j-${{ github.ref }}
            permissions: {}
            defaults: {run: {shell: pwsh}}
            strategy:
              fail-fast: false
              max-parallel: 2
              matrix:
                os: [a, b]
        """
    )
    j = job(w, "j")
    assert j.display_name == "Build ${{ matrix.os }}"
    assert j.if_ is not None and j.if_.value == "github.event_name == 'push'"
    assert j.environment is not None and j.environment.name is not None
    assert j.environment.name.value == "prod" and j.environment.url is not None
    c = j.container
    assert c is not None and c.image is not None and c.image.value == "node:20"
    assert c.credentials is not None and c.credentials.username is not None
    assert c.env.names() == ("NODE_ENV",)
    assert [p.value for p in c.ports] == ["80", "8080:80"]
    assert [v.value for v in c.volumes] == ["/data"]
    assert c.options is not None and c.options.value == "--cpus 1"
    assert [(s.name, s.container.image.value if s.container.image else None)
            for s in j.services] == [("db", "postgres:16"), ("redis", "redis")]
    assert j.outputs.names() == ("url",)
    assert j.timeout_minutes is not None and j.timeout_minutes.as_int() == 30
    assert j.continue_on_error is not None and "matrix" in j.continue_on_error.value
    assert j.concurrency is not None and j.concurrency.group is not None
    assert j.permissions is not None and j.permissions.is_mapping and j.permissions.scopes == ()
    assert j.defaults is not None and j.defaults.shell is not None
    assert j.strategy is not None and j.strategy.fail_fast is not None
    assert j.strategy.fail_fast.as_bool() is False
    assert j.strategy.max_parallel is not None and j.strategy.max_parallel.as_int() == 2


def test_environment_string_and_container_string() -> None:
    w = wf("jobs:\n  j:\n    environment: staging\n    container: alpine\n")
    j = job(w, "j")
    assert j.environment is not None and j.environment.name is not None
    assert j.environment.name.value == "staging" and j.environment.url is None
    assert j.container is not None and j.container.image is not None
    assert j.container.image.value == "alpine"


def test_matrix_model() -> None:
    w = wf(
        """
        jobs:
          j:
            strategy:
              matrix:
                python: ['3.10', 3.12]
                os: ${{ fromJSON(inputs.oses) }}
                include:
                  - python: '3.13'
                    experimental: true
                  - 42
                exclude: ${{ fromJSON(inputs.skip) }}
        """
    )
    matrix = job(w, "j").matrix
    assert matrix is not None and not matrix.is_static
    assert not matrix.is_static  # remembered, and the same answer
    assert matrix == dataclasses.replace(matrix)  # what is remembered is not compared
    assert [(row.key.value, [v.span for v in row.values] != []) for row in matrix.rows] == [
        ("python", True)
    ]
    key, values = matrix.rows[0]
    assert key.value == "python" and len(values) == 2
    assert [k.value for k, _ in matrix.row_expressions] == ["os"]
    assert len(matrix.include) == 1 and matrix.include_expression is None
    assert matrix.exclude == () and matrix.exclude_expression is not None


def test_whole_matrix_expression_and_static_to_json() -> None:
    w = wf(
        """
        jobs:
          a: {strategy: {matrix: "${{ fromJSON(needs.x.outputs.m) }}"}}
          b: {strategy: {matrix: {v: [1, 2.5, true, null, x]}}}
        """
    )
    a = job(w, "a").matrix
    assert a is not None and a.expression is not None and a.rows == ()
    b = job(w, "b").matrix
    assert b is not None and b.is_static
    assert b.to_json() == {"v": [1, 2.5, True, None, "x"]}


def test_wrong_types_become_none_or_empty() -> None:
    w = wf(
        """
        name: [not, a, string]
        on: 5
        permissions: [x]
        env: [x]
        defaults: nope
        concurrency: {group: [x]}
        jobs:
          j:
            runs-on: {labels: {a: 1}}
            steps: {not: a list}
            strategy: 3
            services: [x]
            outputs: str
            needs: [[a]]
        """
    )
    assert w.name is None
    assert w.event_names == ("5",)  # a scalar `on:` names an event; rules judge it
    assert w.permissions is not None and w.permissions.shorthand is None
    assert w.permissions.scopes == ()
    assert len(w.env) == 0 and w.env.expression is None
    assert w.defaults is not None and w.defaults.shell is None
    assert w.concurrency is not None and w.concurrency.group is None
    j = job(w, "j")
    assert j.runs_on is not None and j.runs_on.labels == ()
    assert j.steps == () and j.services == () and len(j.outputs) == 0 and j.needs == ()
    assert j.strategy is not None and j.strategy.matrix is None


def test_non_mapping_jobs_value() -> None:
    assert wf("jobs: [a, b]\n").jobs == ()
    assert wf("on: push\n").jobs == ()
