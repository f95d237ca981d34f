"""QMOI: keep GitHub Actions workflows healthy."""

__version__ = "0.1.0"
