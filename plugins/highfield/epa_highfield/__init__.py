"""Highfield Assessment: its rules for the epa platform, from its End-Point Assessment Kit for ST0071 (v1.3, CSS v5.0).

The rules are data (`rules/*.yaml`, one file per standard and document
version); this module only registers them. Every hook not implemented here
takes the core's default, because this body's rules are data the defaults read.
"""

from pathlib import Path

import epa

# The rules beside this module: importlib.resources.files(__package__) / "rules" is the same folder for an
# installed package, and importing importlib.resources would add a few milliseconds to every start of epa.
RULES = Path(__file__).parent / "rules"
NAME = "Highfield Assessment"


@epa.hookimpl
def register_body() -> epa.Body:
    return epa.Body(id="highfield", name=NAME, rulesets=epa.load_rulesets(RULES))
