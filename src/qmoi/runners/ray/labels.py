"""A job's placement on a Ray cluster: its ``runs-on`` labels as custom resources, next to
its CPU and memory request.

A runner node started with ``qmoi runner start --labels gpu`` offers the custom resource
``label:gpu`` in a large quantity; a job with ``runs-on: [self-hosted, gpu]`` asks for a tiny
amount of it, so Ray places the job only on nodes that carry the label while CPU and memory
(not the label) bound how many jobs a node runs at once. Labels match case-insensitively, as
GitHub's runner labels do:
https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/using-labels-with-self-hosted-runners
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LABEL_PREFIX = "label:"
GROUP_PREFIX = "group:"
# What a node offers of each of its labels, and what a job asks for: the ratio is how many
# jobs could share a label, far more than CPU or memory ever allow.
NODE_LABEL_AMOUNT = 10_000.0
JOB_LABEL_AMOUNT = 0.001

# Labels every QMOI runner node serves: QMOI runs jobs on Linux hosts, and ``ubuntu-*`` /
# ``self-hosted`` / ``linux`` name such a host (GitHub's default self-hosted labels are
# ``self-hosted``, the OS and the architecture).
_GENERIC = re.compile(r"(ubuntu-.*|self-hosted|linux)", re.IGNORECASE)
# Ray resource names must not hold spaces or commas (they are parsed from ``--resources``).
_SAFE = re.compile(r"[^a-z0-9._:/+-]")


@dataclass(frozen=True, slots=True)
class JobResources:
    """What one job asks of a node: CPUs (fractions allowed for jobs that mostly wait) and
    memory in bytes (``None``: no memory reservation)."""

    cpus: float = 1.0
    memory: int | None = None


def resource_name(label: str, prefix: str = LABEL_PREFIX) -> str:
    """The custom resource standing for a runner label."""
    return prefix + _SAFE.sub("_", label.strip().lower())


def is_generic(label: str) -> bool:
    return _GENERIC.fullmatch(label.strip()) is not None


def labels_of(value: Any) -> tuple[tuple[str, ...], str | None]:
    """Labels and runner group of an evaluated ``runs-on`` value: a label, a list of
    labels, or ``{group, labels}``."""
    if isinstance(value, dict):
        group = value.get("group")
        labels, _ = labels_of(value.get("labels"))
        return labels, None if group in (None, "") else str(group)
    if isinstance(value, list):
        return tuple(str(item) for item in value if item not in (None, "")), None
    if value in (None, ""):
        return (), None
    return (str(value),), None


def label_resources(labels: tuple[str, ...], group: str | None = None) -> dict[str, float]:
    """Custom resources for the labels a node must carry (generic labels need none)."""
    wanted = {resource_name(label): JOB_LABEL_AMOUNT for label in labels
              if not is_generic(label)}
    if group is not None:
        wanted[resource_name(group, GROUP_PREFIX)] = JOB_LABEL_AMOUNT
    return wanted


def node_resources(labels: list[str]) -> dict[str, float]:
    """The custom resources a runner node offers for its labels."""
    return {resource_name(label): NODE_LABEL_AMOUNT for label in labels if label.strip()}


def node_labels(resources: dict[str, Any]) -> list[str]:
    """The labels a node offers, read back from its resources."""
    return sorted(name[len(LABEL_PREFIX):] for name in resources
                  if name.startswith(LABEL_PREFIX))


def missing_labels(wanted: dict[str, float], offered: list[dict[str, Any]]) -> list[str]:
    """Labels (or groups) of ``wanted`` that no node of ``offered`` carries together."""
    names = [name for name in wanted if name.startswith((LABEL_PREFIX, GROUP_PREFIX))]
    if not names or any(all(name in node for name in names) for node in offered):
        return []
    absent = [name for name in names if not any(name in node for node in offered)]
    return sorted(name.partition(":")[2] for name in absent or names)
