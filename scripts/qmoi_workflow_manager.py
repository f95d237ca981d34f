#!/usr/bin/env python3
"""The QMOI manager as a script: the same core as ``qmoi manager`` (``qmoi.manager.main``).

    scripts/qmoi_workflow_manager.py [REPO] [--once] [--fix off|safe|unsafe] [--commit]
        [--max-attempts N] [--event NAME] [--stats PATH] [--backoff S] [--plain]
"""

from __future__ import annotations

import sys

from qmoi.manager import main

if __name__ == "__main__":
    sys.exit(main())
