"""Kept for those used to it: the rules checker is ``epa check-rules``, installed with epa; this runs it.

Usage: python tools/check_rules.py [--sources DIR] [--limit N] RULES.yaml [...]   (as `epa check-rules --help`)
"""

from __future__ import annotations

import sys

from epa.cli import main

if __name__ == "__main__":
    main(["check-rules", *sys.argv[1:]])
