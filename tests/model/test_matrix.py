"""Matrix expansion against every example of GitHub's matrix documentation.

Docs page: https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
(its examples live in github/docs data/reusables/actions/jobs/{single-dimension-matrix,
multi-dimension-matrix, matrix-expand-with-include, matrix-add-with-include, matrix-include,
matrix-exclude, matrix-used-twice}.md), plus gha-semantics.md §3.8 and the examples in the
runner's MatrixBuilder.cs doc comments.
"""

from __future__ import annotations

import pytest

from qmoi.model.matrix import (
    MAX_LEGS,
    display_name,
    expand_matrix,
    format_number,
    loose_equals,
    to_number,
)
from qmoi.model.values import JSON


def legs(matrix: dict[str, JSON]) -> list[dict[str, JSON]]:
    expansion = expand_matrix(matrix)
    assert expansion.errors == ()
    return [leg.matrix for leg in expansion]


def test_single_dimension() -> None:
    assert legs({"version": [10, 12, 14]}) == [{"version": 10}, {"version": 12}, {"version": 14}]


def test_multi_dimension_last_key_varies_fastest() -> None:
    got = legs({"os": ["ubuntu-22.04", "ubuntu-20.04"], "version": [10, 12, 14]})
    assert got == [
        {"os": "ubuntu-22.04", "version": 10},
        {"os": "ubuntu-22.04", "version": 12},
        {"os": "ubuntu-22.04", "version": 14},
        {"os": "ubuntu-20.04", "version": 10},
        {"os": "ubuntu-20.04", "version": 12},
        {"os": "ubuntu-20.04", "version": 14},
    ]


def test_vector_of_objects() -> None:
    env = "NODE_OPTIONS=--openssl-legacy-provider"
    node: list[JSON] = [{"version": 14}, {"version": 20, "env": env}]
    expansion = expand_matrix({"os": ["ubuntu-latest", "macos-latest"], "node": node})
    assert [leg.matrix for leg in expansion] == [
        {"os": "ubuntu-latest", "node": {"version": 14}},
        {"os": "ubuntu-latest", "node": {"version": 20, "env": env}},
        {"os": "macos-latest", "node": {"version": 14}},
        {"os": "macos-latest", "node": {"version": 20, "env": env}},
    ]
    # Objects are shown by their leaf values, depth-first.
    assert expansion.legs[1].display_name("test") == f"test (ubuntu-latest, 20, {env})"


def test_expand_with_include_adds_npm_to_one_leg() -> None:
    got = legs(
        {
            "os": ["windows-latest", "ubuntu-latest"],
            "node": [12, 14, 16],
            "include": [{"os": "windows-latest", "node": 16, "npm": 6}],
        }
    )
    assert len(got) == 6
    assert [g for g in got if "npm" in g] == [{"os": "windows-latest", "node": 16, "npm": 6}]


def test_add_with_include_creates_a_new_leg() -> None:
    expansion = expand_matrix(
        {
            "os": ["macos-latest", "windows-latest", "ubuntu-latest"],
            "version": [12, 14, 16],
            "include": [{"os": "windows-latest", "version": 17}],
        }
    )
    assert len(expansion) == 10
    last = expansion.legs[-1]
    assert last.matrix == {"os": "windows-latest", "version": 17} and last.added


def test_include_only() -> None:
    got = legs(
        {
            "include": [
                {"site": "production", "datacenter": "site-a"},
                {"site": "staging", "datacenter": "site-b"},
            ]
        }
    )
    assert got == [
        {"site": "production", "datacenter": "site-a"},
        {"site": "staging", "datacenter": "site-b"},
    ]


def test_include_fruit_animal_example() -> None:
    got = legs(
        {
            "fruit": ["apple", "pear"],
            "animal": ["cat", "dog"],
            "include": [
                {"color": "green"},
                {"color": "pink", "animal": "cat"},
                {"fruit": "apple", "shape": "circle"},
                {"fruit": "banana"},
                {"fruit": "banana", "animal": "cat"},
            ],
        }
    )
    assert got == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"},
    ]


def test_include_perl_example_makes_seven_jobs() -> None:
    got = legs(
        {
            "os": ["ubuntu-latest"],
            "perl": ["5.16", "5.20", "5.26", "5.30", "latest"],
            "include": [
                {"os": "macos-latest", "perl": "5.26"},
                {"os": "macos-latest", "perl": "latest"},
            ],
        }
    )
    assert len(got) == 7
    assert got[-2:] == [
        {"os": "macos-latest", "perl": "5.26"},
        {"os": "macos-latest", "perl": "latest"},
    ]


def test_exclude_partial_matches_make_nine_jobs() -> None:
    got = legs(
        {
            "os": ["macos-latest", "windows-latest"],
            "version": [12, 14, 16],
            "environment": ["staging", "production"],
            "exclude": [
                {"os": "macos-latest", "version": 12, "environment": "production"},
                {"os": "windows-latest", "version": 16},
            ],
        }
    )
    assert len(got) == 9
    assert {"os": "macos-latest", "version": 12, "environment": "production"} not in got
    assert not [g for g in got if g["os"] == "windows-latest" and g["version"] == 16]


def test_include_after_exclude_can_add_back() -> None:
    got = legs(
        {
            "os": ["a", "b"],
            "exclude": [{"os": "b"}],
            "include": [{"os": "b"}],
        }
    )
    assert got == [{"os": "a"}, {"os": "b"}]


def test_matrix_from_evaluated_context() -> None:
    # matrix-used-twice.md: color: ${{ fromJSON(needs.define-matrix.outputs.colors) }},
    # where the output is ["red", "green", "blue"]; the planner evaluates, then expands.
    assert legs({"color": ["red", "green", "blue"]}) == [
        {"color": "red"}, {"color": "green"}, {"color": "blue"},
    ]


def test_runner_matrix_builder_examples() -> None:
    base: dict[str, JSON] = {"arch": ["x64", "x86"], "os": ["linux", "windows"]}
    assert legs(base) == [
        {"arch": "x64", "os": "linux"}, {"arch": "x64", "os": "windows"},
        {"arch": "x86", "os": "linux"}, {"arch": "x86", "os": "windows"},
    ]
    assert legs({**base, "exclude": [{"arch": "x86", "os": "linux"}]}) == [
        {"arch": "x64", "os": "linux"}, {"arch": "x64", "os": "windows"},
        {"arch": "x86", "os": "windows"},
    ]
    published = legs({**base, "include": [{"arch": "x64", "os": "linux", "publish": True}]})
    assert published[0] == {"arch": "x64", "os": "linux", "publish": True}
    assert len(published) == 4
    assert legs({**base, "include": [{"arch": "x64"}, {"os": "macos"}]})[-1] == {"os": "macos"}


def test_include_never_overwrites_original_values_but_overwrites_extras() -> None:
    got = legs(
        {
            "os": ["a"],
            "include": [
                {"color": "green"},
                {"color": "pink"},
                {"os": "a", "size": 1},
                {"os": "b", "size": 2},
            ],
        }
    )
    assert got == [{"os": "a", "color": "pink", "size": 1}, {"os": "b", "size": 2}]


def test_filters_compare_loosely_and_case_insensitively() -> None:
    got = legs(
        {
            "os": ["MacOS-Latest", "ubuntu"],
            "version": [12, 14],
            "exclude": [{"os": "macos-latest", "version": "12"}],
            "include": [{"OS": "UBUNTU", "extra": True}],
        }
    )
    assert {"os": "MacOS-Latest", "version": 12} not in got
    assert [g for g in got if g.get("extra")] == [
        {"os": "ubuntu", "version": 12, "extra": True},
        {"os": "ubuntu", "version": 14, "extra": True},
    ]


def test_nested_exclude_matches_leaf_by_leaf() -> None:
    got = legs(
        {
            "node": [{"version": 14, "npm": 6}, {"version": 20, "npm": 10}],
            "exclude": [{"node": {"version": 14}}],
        }
    )
    assert got == [{"node": {"version": 20, "npm": 10}}]


def test_display_names() -> None:
    expansion = expand_matrix(
        {
            "python": [3.10, "3.12"],
            "os": ["ubuntu-latest"],
            "flag": [True],
            "empty": [None, ""],
            "include": [{"python": "3.12", "extra": "x"}, {"python": "pypy", "os": "mac"}],
        }
    )
    names = [leg.display_name("build") for leg in expansion]
    assert names == [
        "build (3.1, ubuntu-latest, true)",  # YAML 3.10 is the number 3.1
        "build (3.1, ubuntu-latest, true)",
        "build (3.12, ubuntu-latest, true)",  # include extras are not shown
        "build (3.12, ubuntu-latest, true)",
        "build (pypy, mac)",  # an added combination shows all its values
    ]
    assert display_name("build", ()) == "build"
    assert display_name("Test ${{ matrix.os }}", ("a",)) == "Test ${{ matrix.os }}"
    long = display_name("j", tuple("x" * 20 for _ in range(6)))
    assert len(long) == 100 and long.endswith("...")


def test_errors_are_reported_and_bad_entries_skipped() -> None:
    assert expand_matrix({}).errors
    empty = expand_matrix({"os": [], "v": [1]})
    assert "does not contain any values" in empty.errors[0] and len(empty) == 1
    assert expand_matrix({"os": "x", "include": [{"a": 1}]}).errors
    unknown = expand_matrix({"os": ["a"], "exclude": [{"arch": "x"}]})
    assert "does not match any key" in unknown.errors[0]
    blank = expand_matrix({"os": ["a"], "include": [{}], "exclude": [{}]})
    assert len(blank.errors) == 2 and len(blank) == 1
    big = expand_matrix({"a": list(range(17)), "b": list(range(16))})
    assert len(big) == 272 > MAX_LEGS and "more than" in big.errors[0]


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ("abc", "ABC", True),
        (1, "1.0", True),
        (1, "1", True),
        ("1", True, True),
        ("true", True, False),
        (None, 0, True),
        (None, "", True),
        (None, None, True),
        (0.0, "0x0", True),
        (8, "0o10", True),
        ("", 0, True),
        ("x", 0, False),
        ([1], [1], False),
        ({}, {}, False),
        ([1], "1", False),
        (float("nan"), float("nan"), False),
    ],
)
def test_loose_equals(left: JSON, right: JSON, equal: bool) -> None:
    assert loose_equals(left, right) is equal
    assert loose_equals(right, left) is equal


def test_number_helpers() -> None:
    assert format_number(3.10) == "3.1"
    assert format_number(12.0) == "12"
    assert format_number(-0.0) == "0"
    assert format_number(1e21) == "1E+21"
    assert format_number(0.1 + 0.2) == "0.3"
    assert to_number(" 42 ") == 42.0 and to_number("1_000") != to_number("1_000")
    assert to_number("-Infinity") == float("-inf")
