"""scripts/gen_action_data.py: file names → action names, metadata extraction, and the
committed data matching what the script generates from the shared corpus."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from qmoi.data import action_majors, bundled_actions, runtime_status

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_action_data.py"
COMMITTED = Path(__file__).resolve().parents[2] / "src" / "qmoi" / "data" / "actions.json"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_action_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_action_data"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("filename", "name"), [
    ("actions__checkout__action.yml", "actions/checkout"),
    ("actions__cache__restore__action.yml", "actions/cache/restore"),
    ("r-lib__actions__setup-r-dependencies__action.yaml", "r-lib/actions/setup-r-dependencies"),
    ("PyO3__pyo3__.github__actions__fetch-merge-base__action.yml",
     "pyo3/pyo3/.github/actions/fetch-merge-base"),
    ("action.yml", None),
    ("lonely__action.yml", None),
    ("a____action.yml", None),
    ("owner__repo__README.md", None),
])
def test_action_name(gen: ModuleType, filename: str, name: str | None) -> None:
    assert gen.action_name(filename) == name


def test_describe_keeps_required_defaults_deprecations_outputs_and_runtime(
        gen: ModuleType) -> None:
    text = (
        "name: x\ndescription: y\n"
        "inputs:\n"
        "  token: {required: true}\n"
        "  level: {default: '3', deprecationMessage: use verbosity}\n"
        "  filter: {default: null}\n"
        "outputs:\n  b: {description: b}\n  a: {description: a}\n"
        "runs: {using: node24, main: index.js}\n"
    )
    assert gen.describe(text, "x.yml") == {
        "inputs": {
            "token": {"required": True, "default": None, "deprecationMessage": None},
            "level": {"required": False, "default": "3", "deprecationMessage": "use verbosity"},
            "filter": {"required": False, "default": None, "deprecationMessage": None},
        },
        "outputs": ["a", "b"],
        "using": "node24",
    }
    assert gen.describe("- not a mapping\n", "x.yml") is None


def test_main_writes_the_folder_and_reports_a_bad_folder(
        gen: ModuleType, tmp_path: Path) -> None:
    folder = tmp_path / "actions"
    folder.mkdir()
    (folder / "octo__hello__action.yml").write_text(
        "inputs: {who: {required: true}}\nruns: {using: docker, image: Dockerfile}\n")
    (folder / "notes.txt").write_text("ignored")
    out = tmp_path / "actions.json"
    assert gen.main([str(folder), "-o", str(out)]) == 0
    data = json.loads(out.read_text())["actions"]
    assert list(data) == ["octo/hello"]
    assert data["octo/hello"]["using"] == "docker"
    assert data["octo/hello"]["major"] is None
    assert gen.main([str(tmp_path / "missing"), "-o", str(out)]) == 2


def test_committed_data_is_what_the_script_generates(gen: ModuleType, shared: Path) -> None:
    generated = gen.generate(shared / "corpus" / "actions")
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == generated


def test_loaded_data_is_consistent() -> None:
    actions = bundled_actions()
    assert len(actions) > 70
    checkout = actions["actions/checkout"]
    assert checkout.input("FETCH-DEPTH") is not None  # input names fold case
    statuses = runtime_status()
    for repository, table in action_majors().items():
        assert table.major(table.current) is not None, repository
        current = table.major(table.current)
        assert current is not None and statuses[current.runtime or ""] == "supported"
        assert not current.shutdown
        numbers = [m.number for m in table.majors]
        assert numbers == sorted(set(numbers)), repository
        for tag in table.shas.values():
            assert table.major(tag.split(".")[0]) is not None, (repository, tag)
        if table.paired_with is not None:
            assert action_majors()[table.paired_with.lower()].paired_with == table.repository
