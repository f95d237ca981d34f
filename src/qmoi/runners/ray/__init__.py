"""QCity on a Ray cluster: the Ray backend of ``qmoi.schedule.Runner``.

Ray is an optional extra, so this package's own import needs nothing from it; import
``qmoi.runners.ray.runner`` (``RayRunner``, ``RayOptions``) and ``qmoi.runners.ray.cluster``
(``connect``, ``list_nodes``, ``start_command``) after :func:`require_ray`.
"""

from __future__ import annotations

import importlib.util

from qmoi.errors import UsageError

INSTALL_HINT = "Ray is not installed; install it with: pip install 'qmoi[ray]'"


def ray_available() -> bool:
    return importlib.util.find_spec("ray") is not None


def require_ray() -> None:
    """Raise a usage error (exit 2) saying how to install Ray when it is missing."""
    if not ray_available():
        raise UsageError(INSTALL_HINT)


__all__ = ["INSTALL_HINT", "ray_available", "require_ray"]
