"""The action.yml builder for composite, JavaScript and Docker actions."""

from __future__ import annotations

import textwrap

from qmoi.model import Action, build_action
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping
from qmoi.source import SourceFile


def action(text: str) -> Action:
    source = SourceFile("action.yml", textwrap.dedent(text))
    root = parse_yaml(source).root
    assert isinstance(root, Mapping)
    return build_action(root, source)


def test_composite_action() -> None:
    a = action(
        """
        name: Setup
        description: Sets things up
        author: me
        inputs:
          Version:
            description: which
            required: true
            default: "1.0"
          old:
            deprecationMessage: use version
          bare:
        outputs:
          path:
            description: where
            value: ${{ steps.s.outputs.path }}
        runs:
          using: composite
          steps:
            - id: s
              run: echo path=x >> "$GITHUB_OUTPUT"
              shell: bash
            - uses: actions/cache@v4
              with: {path: x}
        branding:
          icon: box
          color: blue
        """
    )
    assert a.name is not None and a.name.value == "Setup"
    assert a.author is not None and a.description is not None
    assert [i.name for i in a.inputs] == ["Version", "old", "bare"]
    version = a.input("version")
    assert version is not None and version.is_required
    assert version.default is not None and version.default.value == "1.0"
    old = a.input("old")
    assert old is not None and old.deprecation_message is not None and not old.is_required
    assert [(o.name, o.value is not None) for o in a.outputs] == [("path", True)]
    assert a.runs is not None and a.runs.kind == "composite"
    assert [s.kind for s in a.runs.steps] == ["run", "uses"]
    assert a.branding is not None and a.branding.icon is not None
    assert a.branding.icon.value == "box"


def test_node_action() -> None:
    a = action(
        """
        name: JS
        runs:
          using: node20
          main: dist/index.js
          pre: dist/pre.js
          pre-if: runner.os == 'Linux'
          post: dist/post.js
          post-if: always()
        """
    )
    runs = a.runs
    assert runs is not None and runs.kind == "node"
    assert runs.main is not None and runs.main.value == "dist/index.js"
    assert runs.pre is not None and runs.post is not None
    assert runs.pre_if is not None and runs.post_if is not None
    assert runs.steps == () and runs.image is None


def test_docker_action() -> None:
    a = action(
        """
        name: D
        runs:
          using: docker
          image: Dockerfile
          entrypoint: /entry.sh
          pre-entrypoint: /pre.sh
          post-entrypoint: /post.sh
          args: [--x, "${{ inputs.y }}"]
          env: {A: b}
        """
    )
    runs = a.runs
    assert runs is not None and runs.kind == "docker"
    assert runs.image is not None and runs.image.value == "Dockerfile"
    assert [x.value for x in runs.args] == ["--x", "${{ inputs.y }}"]
    assert runs.env.names() == ("A",)
    assert runs.pre_entrypoint is not None and runs.post_entrypoint is not None


def test_unknown_using_and_wrong_types() -> None:
    a = action("name: x\ninputs: [a]\noutputs: 3\nruns: {using: node8}\nbranding: red\n")
    assert a.inputs == () and a.outputs == ()
    assert a.runs is not None and a.runs.kind is None
    assert a.branding is not None and a.branding.icon is None
    assert action("name: x\nruns: nope\n").runs is not None
    assert action("name: x\n").runs is None
