"""Steps of every kind and ``uses:`` reference parsing."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest

from qmoi.model import Job, Step, build_workflow, parse_action_ref
from qmoi.model.values import EMPTY
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping
from qmoi.source import SourceFile, Span

SPAN = Span(0, 0)


def steps(body: str) -> tuple[tuple[Step, ...], SourceFile]:
    text = "jobs:\n  j:\n    runs-on: x\n    steps:\n" + textwrap.indent(
        textwrap.dedent(body), "      "
    )
    source = SourceFile("w.yml", text)
    root = parse_yaml(source).root
    assert isinstance(root, Mapping)
    job = build_workflow(root, source).jobs[0]
    assert isinstance(job, Job)
    return job.steps, source


def test_step_kinds_and_fields() -> None:
    found, source = steps(
        """
        - uses: actions/checkout@v4
          with:
            fetch-depth: 0
        - name: Test
          id: test
          if: ${{ always() }}
          run: |
            pytest -q
            echo done
          shell: bash
          env: {CI: "1"}
          working-directory: app
          continue-on-error: true
          timeout-minutes: 5
        - uses: docker://alpine:3.20
        - uses: ./.github/actions/setup
        - name: neither
        - run: x
          uses: y/z@1
        - "not a mapping"
        - run: after
        """
    )
    assert [s.index for s in found] == [0, 1, 2, 3, 4, 5, 7]
    assert [s.kind for s in found] == ["uses", "run", "uses", "uses", None, None, "run"]
    checkout = found[0]
    assert checkout.action is not None and checkout.action.repository == "actions/checkout"
    fetch = checkout.with_.get("fetch-depth")
    assert fetch is not None and fetch.value == "0" and source.slice(fetch.span) == "0"
    test = found[1]
    assert test.id is not None and test.id.value == "test"
    assert test.if_ is not None and test.if_.value == "${{ always() }}"
    assert test.run is not None and test.run.value == "pytest -q\necho done\n"
    assert test.shell is not None and test.shell.value == "bash"
    assert test.env.names() == ("CI",)
    assert test.working_directory is not None and test.continue_on_error is not None
    assert test.continue_on_error.as_bool() is True
    assert test.timeout_minutes is not None and test.timeout_minutes.as_int() == 5
    assert test.display_name == "Test"
    assert found[2].action is not None and found[2].action.kind == "docker"
    assert found[3].action is not None and found[3].action.kind == "local"
    assert found[0].display_name == "Run actions/checkout@v4"
    assert found[6].display_name == "Run after"


@pytest.mark.parametrize(
    ("text", "kind", "owner", "repo", "path", "ref"),
    [
        ("actions/checkout@v4", "remote", "actions", "checkout", None, "v4"),
        ("github/codeql-action/init@v3", "remote", "github", "codeql-action", "init", "v3"),
        ("o/r/a/b/c@8f4b7f84864484a7bf31766abe9204da3cbe65b3", "remote", "o", "r", "a/b/c",
         "8f4b7f84864484a7bf31766abe9204da3cbe65b3"),
        ("o/r/.github/workflows/ci.yml@main", "remote", "o", "r", ".github/workflows/ci.yml",
         "main"),
        ("actions/checkout", "remote", "actions", "checkout", None, None),
        ("actions@v1", "remote", "actions", None, None, "v1"),
        ("a/b@c@d", "remote", "a", "b", None, None),
        ("a/b@", "remote", "a", "b", None, None),
        ("./.github/actions/x", "local", None, None, "./.github/actions/x", None),
        ("docker://ghcr.io/o/img:1", "docker", None, None, None, None),
    ],
)
def test_parse_action_ref(
    text: str, kind: str, owner: str | None, repo: str | None, path: str | None, ref: str | None
) -> None:
    parsed = parse_action_ref(text, SPAN)
    assert (parsed.kind, parsed.owner, parsed.repo, parsed.path, parsed.ref) == (
        kind, owner, repo, path, ref,
    )
    assert parsed.raw == text


def test_action_ref_validity_and_names() -> None:
    assert parse_action_ref("actions/checkout@v4", SPAN).is_valid
    assert not parse_action_ref("actions/checkout", SPAN).is_valid
    assert not parse_action_ref("a/b@c@d", SPAN).is_valid
    assert not parse_action_ref("docker://", SPAN).is_valid
    docker = parse_action_ref("docker://alpine:3", SPAN)
    assert docker.is_valid and docker.image == "alpine:3" and docker.name == "alpine:3"
    assert parse_action_ref("o/r/p@v", SPAN).name == "o/r/p"
    assert parse_action_ref("./x", SPAN).name == "./x"
    mixed = parse_action_ref("Actions/Checkout/Sub@v4", SPAN)
    assert (mixed.name, mixed.name_lower) == ("Actions/Checkout/Sub", "actions/checkout/sub")
    # The names are made from the fields: a copy with another repo names that repo, and
    # they take no part in equality.
    moved = replace(mixed, repo="Cache")
    assert (moved.name, moved.name_lower) == ("Actions/Cache/Sub", "actions/cache/sub")
    assert replace(moved, repo="Checkout") == mixed


def test_background_steps() -> None:
    found, _ = steps(
        """
        - id: server
          run: npm start
          background: true
        - wait: server
        - wait: [a, b]
        - wait-all:
        - cancel: server
        - parallel:
            - run: one
            - uses: o/r@v
        - run: x
          wait-all:
        """
    )
    kinds = [s.kind for s in found]
    assert kinds == ["run", "wait", "wait", "wait-all", "cancel", "parallel", None]
    assert found[0].is_background and not found[1].is_background
    assert [w.value for w in found[1].wait or ()] == ["server"]
    assert [w.value for w in found[2].wait or ()] == ["a", "b"]
    assert found[4].cancel is not None and found[4].cancel.value == "server"
    group = found[5].parallel
    assert group is not None and [(s.index, s.kind) for s in group] == [(0, "run"), (1, "uses")]


def test_a_step_reads_only_scalar_settings_as_scalars() -> None:
    (step,), _ = steps("- name: [a]\n  id: x\n  shell: {a: b}\n  run: echo\n")
    assert step.name is None and step.shell is None
    assert step.id is not None and step.id.value == "x"
    assert step.run is not None and step.run.value == "echo"


def test_a_step_without_env_or_with_shares_the_empty_map() -> None:
    (step,), _ = steps("- run: echo\n")
    assert step.env is EMPTY and step.with_ is EMPTY
    assert not step.wait_all and step.parallel is None and step.wait is None
