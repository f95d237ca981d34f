"""Filter patterns and event filters, checked against every example GitHub documents.

Sources:
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax, sections
- "Filter pattern cheat sheet" (#filter-pattern-cheat-sheet)
- on.push.<branches|tags|branches-ignore|tags-ignore> (its four examples)
- on.<pull_request|pull_request_target>.<branches|branches-ignore> (its three examples)
- on.<push|pull_request|pull_request_target>.<paths|paths-ignore> and "Git diff comparisons"
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmoi.errors import QmoiError, UsageError
from qmoi.model.filters import (
    MAX_CHANGED_FILES,
    EventFilters,
    FilterConfigError,
    FilterPatternError,
    branch_matches,
    compile_pattern,
    conflicting_keys,
    match_filters,
    negative_only,
    paths_match,
    tag_matches,
)

# "Patterns to match branches and tags" and "Patterns to match file paths" tables.
CHEAT_SHEET = [
    (["feature/*"], ["feature/my-branch", "feature/your-branch"]),
    (["feature/**"],
     ["feature/beta-a/my-branch", "feature/your-branch", "feature/mona/the/octocat"]),
    (["main", "releases/mona-the-octocat"], ["main", "releases/mona-the-octocat"]),
    (["*"], ["main", "releases", "README.md", "server.rb"]),
    (["**"], ["all/the/branches", "every/tag", "all/the/files.md"]),
    (["*feature"], ["mona-feature", "feature", "ver-10-feature"]),
    (["v2*"], ["v2", "v2.0", "v2.9"]),
    (["v[12].[0-9]+.[0-9]+"], ["v1.10.1", "v2.0.0"]),
    (["*.jsx?"], ["page.js", "page.jsx"]),
    (["*.js"], ["app.js", "index.js"]),
    (["**.js"], ["index.js", "js/index.js", "src/js/app.js"]),
    (["docs/*"], ["docs/README.md", "docs/file.txt"]),
    (["docs/**"], ["docs/README.md", "docs/mona/octocat.txt"]),
    (["docs/**/*.md"], ["docs/README.md", "docs/mona/hello-world.md", "docs/a/markdown/file.md"]),
    (["**/docs/**"], ["docs/hello.md", "dir/docs/my-file.txt", "space/docs/plan/space.doc"]),
    (["**/README.md"], ["README.md", "js/README.md"]),
    (["**/*src/**"], ["a/src/app.js", "my-src/code/js/app.js"]),
    (["**/*-post.md"], ["my-post.md", "path/their-post.md"]),
    (["**/migrate-*.sql"], ["migrate-10909.sql", "db/migrate-v1.0.sql", "db/sept/migrate-v1.sql"]),
    (["*.md", "!README.md"], ["hello.md"]),
    (["*.md", "!README.md", "README*"], ["hello.md", "README.md", "README.doc"]),
]

CHEAT_SHEET_MISSES = [
    (["*.md", "!README.md"], ["README.md", "docs/hello.md"]),  # "Does not match"
    (["feature/*"], ["feature/a/b", "feature"]),
    (["*"], ["releases/10", "a/b.rb"]),
    (["*.js"], ["js/index.js"]),
    (["docs/*"], ["docs/mona/octocat.txt"]),
    (["*.jsx?"], ["page.jsxx", "page.j"]),
    (["v[12].[0-9]+.[0-9]+"], ["v3.0.0", "v1.0", "v1x0x0"]),
]


@pytest.mark.parametrize(("patterns", "values"), CHEAT_SHEET)
def test_cheat_sheet_examples_match(patterns: list[str], values: list[str]) -> None:
    for value in values:
        assert match_filters(patterns, value), value


@pytest.mark.parametrize(("patterns", "values"), CHEAT_SHEET_MISSES)
def test_cheat_sheet_non_matches(patterns: list[str], values: list[str]) -> None:
    for value in values:
        assert not match_filters(patterns, value), value


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("a+b", "aaab", True),
        ("a+b", "b", False),
        ("ab?c", "ac", True),
        ("[CB]at", "Cat", True),  # cheat sheet: `[CB]at` matches `Cat` or `Bat`
        ("[CB]at", "Bat", True),
        ("[CB]at", "Hat", False),
        ("[1-2]00", "100", True),  # cheat sheet: `[1-2]00` matches `100` and `200`
        ("[1-2]00", "200", True),
        ("[1-2]00", "300", False),
        ("[0-9a-z]", "q", True),
        ("[0-9a-z]", "Q", False),
        ("[0-9]+", "2024", True),
        ("\\*", "*", True),  # escaping makes a special character literal
        ("\\*", "x", False),
        ("\\!file", "!file", True),
        ("a!b", "a!b", True),  # `!` is special only first
        ("!!a", "!a", True),  # negated pattern whose body is the literal `!a`
        ("escape\\\\backslash", "escape\\backslash", True),
        (".yml", "fyml", False),  # `.` is literal, not a regex wildcard
        ("a**/b", "ab", False),  # only a whole `**/` segment may match no directory
        ("a**/b", "ax/y/b", True),
        ("**/?", "x/", True),  # `/?` keeps `**` a plain `.*`
        ("x]", "x]", True),
        ("Main", "main", False),  # case-sensitive
    ],
)
def test_pattern_semantics(pattern: str, value: str, expected: bool) -> None:
    compiled = compile_pattern(pattern)
    assert compiled.matches(value) is expected


def test_negation_is_recorded_and_compilation_is_cached() -> None:
    pattern = compile_pattern("!docs/**")
    assert pattern.negated and pattern.text == "!docs/**"
    assert pattern.matches("docs/a.md")
    assert compile_pattern("!docs/**") is pattern


@pytest.mark.parametrize(
    ("pattern", "offset", "needle"),
    [
        ("", 0, "empty"),
        ("!", 0, "followed"),
        ("?abc", 0, "nothing before"),
        ("+abc", 0, "nothing before"),
        ("!+abc", 1, "nothing before"),
        ("a*?", 2, "cannot follow"),
        ("a**+", 3, "cannot follow"),
        ("ab?+", 3, "cannot follow"),
        ("release/v[0-9", 9, "never closed"),
        ("a[]b", 1, "matches nothing"),
        ("v[a-]", 2, "no end"),
        ("v[9-0]", 2, "bad range"),
        ("v[a-Z]", 2, "bad range"),
        ("v[0-z]", 2, "bad range"),
        ("v[a.b]", 3, "cannot appear"),
        ("v[-a]", 2, "cannot appear"),
        ("trailing\\", 8, "escapes nothing"),
    ],
)
def test_invalid_patterns_report_the_offset(pattern: str, offset: int, needle: str) -> None:
    with pytest.raises(FilterPatternError) as caught:
        compile_pattern(pattern)
    assert caught.value.offset == offset
    assert needle in caught.value.message
    assert isinstance(caught.value, QmoiError)


def test_ordering_last_match_wins() -> None:
    # workflow-syntax: "A matching positive pattern after a negative match will include ... again"
    patterns = ["releases/**", "!releases/**-alpha"]
    assert match_filters(patterns, "releases/10")
    assert match_filters(patterns, "releases/beta/mona")
    assert not match_filters(patterns, "releases/10-alpha")
    assert not match_filters(patterns, "releases/beta/3-alpha")
    assert match_filters([*patterns, "releases/10-*"], "releases/10-alpha")


def test_negative_only_lists_select_nothing() -> None:
    # "If you define a branch with the `!` character, you must also define at least one branch
    # without the `!` character."
    assert not match_filters(["!main"], "feature")
    assert not match_filters(["!main"], "main")
    assert negative_only(["!main", "!dev"])
    assert not negative_only(["!main", "dev"])
    assert not negative_only([])


def test_match_filters_accepts_compiled_patterns() -> None:
    assert match_filters([compile_pattern("*.md"), "!README.md"], "a.md")


# --------------------------------------------------------------------------- branches / tags


def test_push_branches_and_tags_example() -> None:
    # "Example: Including branches and tags"
    f = EventFilters(branches=("main", "mona/octocat", "releases/**"), tags=("v2", "v1.*"))
    for ref in ("refs/heads/main", "refs/heads/mona/octocat", "refs/heads/releases/10",
                "refs/tags/v2", "refs/tags/v1.9.1"):
        assert f.push_ref_matches(ref), ref
    for ref in ("refs/heads/dev", "refs/tags/v3", "refs/tags/v2.1"):
        assert not f.push_ref_matches(ref), ref


def test_push_branches_ignore_and_tags_ignore_example() -> None:
    # "Example: Excluding branches and tags"
    f = EventFilters(
        branches_ignore=("mona/octocat", "releases/**-alpha"), tags_ignore=("v2", "v1.*")
    )
    for ref in ("refs/heads/mona/octocat", "refs/heads/releases/beta/3-alpha", "refs/tags/v2",
                "refs/tags/v1.9"):
        assert not f.push_ref_matches(ref), ref
    for ref in ("refs/heads/main", "refs/heads/releases/beta", "refs/tags/v3"):
        assert f.push_ref_matches(ref), ref


def test_only_branch_filters_block_tag_pushes_and_vice_versa() -> None:
    # "If you define only tags/tags-ignore or only branches/branches-ignore, the workflow won't
    # run for events affecting the undefined Git ref."
    branches_only = EventFilters(branches=("**",))
    assert branches_only.push_ref_matches("refs/heads/x")
    assert not branches_only.push_ref_matches("refs/tags/v1")
    ignore_only = EventFilters(branches_ignore=("dev",))
    assert not ignore_only.push_ref_matches("refs/tags/v1")
    tags_only = EventFilters(tags=("v*",))
    assert tags_only.push_ref_matches("refs/tags/v1")
    assert not tags_only.push_ref_matches("refs/heads/main")
    neither = EventFilters(paths=("src/**",))
    assert neither.push_ref_matches("refs/heads/main")
    assert neither.push_ref_matches("refs/tags/v1")


def test_vuejs_idiom_negative_only_tags_blocks_every_tag() -> None:
    # The corpus's vuejs/core ci.yml writes `branches: ['**']` and `tags: ['!**']`.
    f = EventFilters(branches=("**",), tags=("!**",))
    assert f.push_ref_matches("refs/heads/main")
    assert not f.push_ref_matches("refs/tags/v3.4.0")


def test_push_ref_must_be_a_branch_or_tag() -> None:
    with pytest.raises(UsageError):
        EventFilters().push_ref_matches("refs/pull/1/merge")


def test_pull_request_branch_examples() -> None:
    include = EventFilters(branches=("main", "mona/octocat", "releases/**"))
    assert include.pull_request_matches("releases/10", None)
    assert not include.pull_request_matches("dev", None)
    exclude = EventFilters(branches_ignore=("mona/octocat", "releases/**-alpha"))
    assert not exclude.pull_request_matches("releases/beta/3-alpha", None)
    assert exclude.pull_request_matches("main", None)
    both = EventFilters(branches=("releases/**", "!releases/**-alpha"))
    assert both.pull_request_matches("releases/beta/mona", None)
    assert not both.pull_request_matches("releases/10-alpha", None)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: branch_matches(["a"], ["b"], "a"), "'branches' and 'branches-ignore'"),
        (lambda: tag_matches(["a"], ["b"], "a"), "'tags' and 'tags-ignore'"),
        (lambda: paths_match(["a"], ["b"], ["a"]), "'paths' and 'paths-ignore'"),
    ],
)
def test_include_and_ignore_together_is_an_error(call: Callable[[], bool], message: str) -> None:
    with pytest.raises(FilterConfigError, match=message):
        call()


def test_conflicting_keys_for_lint() -> None:
    keys = ["branches", "tags-ignore", "branches-ignore", "paths", "paths-ignore", "types"]
    assert conflicting_keys(keys) == [("branches", "branches-ignore"), ("paths", "paths-ignore")]
    assert conflicting_keys(["tags", "paths"]) == []


def test_absent_filters_let_everything_through() -> None:
    assert branch_matches(None, None, "anything/at/all")
    assert tag_matches(None, None, "v1")
    assert paths_match(None, None, [])


# --------------------------------------------------------------------------- paths


def test_paths_any_file_matching_runs() -> None:
    # "If at least one path matches a pattern in the `paths` filter, the workflow runs."
    assert paths_match(["**.js"], None, ["README.md", "src/app.js"])
    assert not paths_match(["**.js"], None, ["README.md", "docs/x.md"])


def test_paths_ignore_skips_only_when_every_file_is_ignored() -> None:
    # "When all the path names match patterns in `paths-ignore`, the workflow will not run."
    assert not paths_match(None, ["docs/**"], ["docs/a.md", "docs/b/c.md"])
    assert paths_match(None, ["docs/**"], ["docs/a.md", "src/main.c"])


def test_paths_include_and_exclude_example() -> None:
    paths = ["sub-project/**", "!sub-project/docs/**"]
    assert paths_match(paths, None, ["sub-project/index.js"])
    assert paths_match(paths, None, ["sub-project/src/index.js"])
    assert not paths_match(paths, None, ["sub-project/docs/readme.md"])


def test_paths_ignore_honours_later_negations() -> None:
    ignore = ["docs/**", "!docs/important.md"]
    assert paths_match(None, ignore, ["docs/important.md"])
    assert not paths_match(None, ignore, ["docs/other.md"])


def test_no_changed_files_means_no_run_and_no_diff_means_run() -> None:
    # "If there are no files changed, the workflow will not run." / "If you push more than
    # 1,000 commits, or if GitHub does not generate the diff ..., the workflow will always run."
    assert not paths_match(["**"], None, [])
    assert not paths_match(None, ["docs/**"], [])
    assert paths_match(["src/**"], None, None)
    assert paths_match(["src/**"], None, ["docs/a.md"], commit_count=1001)
    assert not paths_match(["src/**"], None, ["docs/a.md"], commit_count=1000)


def test_only_the_first_300_files_count() -> None:
    # "Diffs are limited to 300 files."
    files = [f"docs/{n}.md" for n in range(MAX_CHANGED_FILES)] + ["src/late.c"]
    assert not paths_match(["src/**"], None, files)
    assert not paths_match(None, ["docs/**"], files)
    assert paths_match(["src/**"], None, files[-MAX_CHANGED_FILES:])


def test_push_combines_ref_and_paths_but_not_for_tags() -> None:
    # "the workflow will only run when both filters are satisfied" / "Path filters are not
    # evaluated for pushes of tags."
    f = EventFilters(branches=("main",), tags=("v*",), paths=("src/**",))
    assert f.push_matches("refs/heads/main", ["src/a.c"])
    assert not f.push_matches("refs/heads/main", ["docs/a.md"])
    assert not f.push_matches("refs/heads/dev", ["src/a.c"])
    assert f.push_matches("refs/tags/v1", [])
    assert not f.push_matches("refs/tags/x1", ["src/a.c"])


def test_pull_request_combines_branch_and_paths() -> None:
    f = EventFilters(branches=("main",), paths_ignore=("docs/**",))
    assert f.pull_request_matches("main", ["src/a.c"])
    assert not f.pull_request_matches("main", ["docs/a.md"])
    assert not f.pull_request_matches("dev", ["src/a.c"])


def test_every_filter_pattern_in_the_corpus_compiles(shared: object) -> None:
    from pathlib import Path

    import yaml  # PyYAML only collects the patterns here

    root = Path(str(shared)) / "corpus" / "workflows"
    count = 0
    for path in sorted(root.iterdir()):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CBaseLoader)
        except yaml.YAMLError:
            continue
        on = data.get("on") if isinstance(data, dict) else None
        for config in (on or {}).values() if isinstance(on, dict) else ():
            if not isinstance(config, dict):
                continue
            for key in ("branches", "branches-ignore", "tags", "tags-ignore", "paths",
                        "paths-ignore"):
                value = config.get(key)
                for pattern in [value] if isinstance(value, str) else value or []:
                    compile_pattern(pattern)
                    count += 1
    assert count > 1000


# --------------------------------------------------------------------------- properties

SPECIAL = set("*?+[\\")


@given(st.text(max_size=40))
def test_compile_never_raises_anything_else(text: str) -> None:
    try:
        pattern = compile_pattern(text)
    except FilterPatternError as error:
        assert 0 <= error.offset <= max(len(text) - 1, 0)
    else:
        pattern.matches(text)


@given(st.text(alphabet=st.characters(blacklist_characters="*?+[\\"), min_size=1, max_size=30)
       .filter(lambda s: not s.startswith("!")), st.text(max_size=30))
def test_plain_pattern_matches_exactly_itself(text: str, other: str) -> None:
    pattern = compile_pattern(text)
    assert pattern.matches(text)
    assert pattern.matches(other) is (other == text)
    assert not pattern.matches(text + "x")


@given(st.lists(st.sampled_from(["a/**", "!a/b*", "*.md", "!**/x.md", "b+", "[ab]?c"]),
                max_size=6),
       st.sampled_from(["a/b.md", "a/x.md", "x.md", "bbb", "c", "ac", "a/c/d"]))
def test_last_matching_pattern_decides(patterns: list[str], value: str) -> None:
    matching = [p for p in patterns if compile_pattern(p).matches(value)]
    expected = bool(matching) and not matching[-1].startswith("!")
    assert match_filters(patterns, value) is expected
