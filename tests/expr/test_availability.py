"""Context and function availability per key: the table of the reference §2
(docs "Context availability" and the runner's workflow schema)."""

from __future__ import annotations

import pytest

from qmoi.expr.availability import CONTEXTS, availability, known_keys

_STEP = "github needs strategy matrix job runner env vars secrets steps inputs"
CASES = [
    ("run-name", "github inputs vars", ""),
    ("concurrency", "github inputs vars", ""),
    ("env", "github secrets inputs vars", ""),
    ("on.workflow_call.inputs.<inputs_id>.default", "github inputs vars", ""),
    ("on.workflow_call.outputs.<output_id>.value", "github jobs vars inputs", ""),
    ("jobs.<job_id>.if", "github needs vars inputs", "always cancelled success failure"),
    ("jobs.<job_id>.strategy", "github needs vars inputs", ""),
    ("jobs.<job_id>.runs-on", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.name", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.environment", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.timeout-minutes", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.container", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.services", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.concurrency", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.continue-on-error", "github needs strategy matrix vars inputs", ""),
    ("jobs.<job_id>.env", "github needs strategy matrix vars secrets inputs", ""),
    ("jobs.<job_id>.defaults.run", "github needs strategy matrix env vars inputs", ""),
    ("jobs.<job_id>.container.credentials",
     "github needs strategy matrix env vars secrets inputs", ""),
    ("jobs.<job_id>.services.<service_id>.credentials",
     "github needs strategy matrix env vars secrets inputs", ""),
    ("jobs.<job_id>.container.env.<env_id>",
     "github needs strategy matrix job runner env vars secrets inputs", ""),
    ("jobs.<job_id>.services.<service_id>.env.<env_id>",
     "github needs strategy matrix job runner env vars secrets inputs", ""),
    ("jobs.<job_id>.environment.url",
     "github needs strategy matrix job runner env vars steps inputs", ""),
    ("jobs.<job_id>.outputs.<output_id>", _STEP, ""),
    ("jobs.<job_id>.with.<with_id>", "github needs strategy matrix inputs vars", ""),
    ("jobs.<job_id>.secrets.<secrets_id>",
     "github needs strategy matrix secrets inputs vars", ""),
    ("jobs.<job_id>.steps.if",
     "github needs strategy matrix job runner env vars steps inputs",
     "always cancelled success failure hashfiles"),
    *((f"jobs.<job_id>.steps.{key}", _STEP, "hashfiles") for key in (
        "name", "env", "with", "run", "working-directory", "continue-on-error",
        "timeout-minutes")),
    ("runs.steps", "github inputs strategy matrix steps job runner env", "hashfiles"),
    ("outputs.<output_id>.value", "github inputs strategy matrix steps job runner env", ""),
    ("inputs.<input_id>.default", "github strategy matrix job runner", "hashfiles"),
    ("runs.env", "inputs", ""),
]


@pytest.mark.parametrize(("key", "contexts", "functions"), CASES, ids=[c[0] for c in CASES])
def test_availability_matches_the_reference(key: str, contexts: str, functions: str) -> None:
    found = availability(key)
    assert found.contexts == frozenset(contexts.split())
    assert found.functions == frozenset(functions.split())


def test_secrets_are_never_available_in_if() -> None:
    for key in known_keys():
        if key.endswith("if"):
            assert not availability(key).allows_context("secrets"), key


def test_every_key_names_only_real_contexts_and_ordinary_functions_are_everywhere() -> None:
    for key in known_keys():
        found = availability(key)
        assert found.contexts <= CONTEXTS
        assert found.allows_function("format") and found.allows_function("toJSON")
    assert not availability("jobs.<job_id>.runs-on").allows_function("hashFiles")
    assert availability("jobs.<job_id>.steps.run").allows_function("HASHFILES")


def test_unknown_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        availability("jobs.<job_id>.permissions")
