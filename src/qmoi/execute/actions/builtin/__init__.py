"""Built-in offline versions of the most used ``actions/*`` actions, registered by name
(any ref of them: ``actions/checkout@v4``, ``@v3``, ``@<sha>``…)."""

from __future__ import annotations

from qmoi.execute.actions.builtin.artifacts import DownloadArtifact, UploadArtifact
from qmoi.execute.actions.builtin.cache import CacheAction, CacheRestore, CacheSave
from qmoi.execute.actions.builtin.checkout import CheckoutStep
from qmoi.execute.actions.builtin.setup import SetupGo, SetupJava, SetupNode, SetupPython
from qmoi.execute.factory import Factory, Matcher, named

BUILTINS: dict[str, Factory] = {
    "actions/checkout": CheckoutStep,
    "actions/setup-python": SetupPython,
    "actions/setup-node": SetupNode,
    "actions/setup-go": SetupGo,
    "actions/setup-java": SetupJava,
    "actions/cache": CacheAction,
    "actions/cache/restore": CacheRestore,
    "actions/cache/save": CacheSave,
    "actions/upload-artifact": UploadArtifact,
    "actions/download-artifact": DownloadArtifact,
}


def builtin_actions() -> list[tuple[Matcher, Factory]]:
    return [(named(name), factory) for name, factory in BUILTINS.items()]
