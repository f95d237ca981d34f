"""The optional C extension; everything else about the package is in pyproject.toml.

``qmoi.parse._cbuild`` (libyaml events straight into nodes, issue 4) needs a C compiler and
libyaml's headers (Debian: libyaml-dev). Without them the build prints a warning and goes
on, and qmoi parses with PyYAML alone: same results, slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "qmoi.parse._cbuild",
            sources=["src/qmoi/parse/_cbuild.c"],
            libraries=["yaml"],
            optional=True,
        )
    ],
)
