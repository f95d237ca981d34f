"""A run's folders on a node: attempts apart, stores linked where every job reaches them."""

from __future__ import annotations

from pathlib import Path

from qmoi.runners.ray.folders import node_run_dir


def test_the_coordinators_folders_are_the_stores_when_the_node_sees_them(
        tmp_path: Path) -> None:
    coordinator = tmp_path / "repo" / ".qmoi" / "runs" / "17"
    coordinator.mkdir(parents=True)
    node = tmp_path / "node"
    first = node_run_dir(node, "17", 1, coordinator, None)
    second = node_run_dir(node, "17", 2, coordinator, None)
    assert first != second and first.parent == second.parent
    assert (first / "artifacts").resolve() == (coordinator / "artifacts").resolve()
    assert (first.parent.parent / "cache").resolve() == (coordinator.parent.parent
                                                         / "cache").resolve()
    # What the executor derives from the run dir: the tool cache outlives the run.
    assert (first.parent.parent / "toolcache").resolve() == (node / "toolcache").resolve()


def test_a_shared_folder_wins_and_a_lone_node_keeps_its_own(tmp_path: Path) -> None:
    shared, node = tmp_path / "nfs", tmp_path / "node"
    unseen = tmp_path / "elsewhere" / "runs" / "5"
    run_dir = node_run_dir(node, "5", 1, unseen, shared)
    assert (run_dir / "artifacts").resolve() == (shared / "runs" / "5" / "artifacts").resolve()
    assert (run_dir.parent.parent / "cache").resolve() == (shared / "cache").resolve()
    alone = node_run_dir(tmp_path / "other", "5", 1, unseen, None)
    assert (alone / "artifacts").resolve() == (tmp_path / "other" / "5" / "artifacts").resolve()
    assert (alone / "artifacts").is_dir()
