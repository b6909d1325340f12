"""Gateway Qualifications: its rules for the epa platform, from its ST0071 EPA Standard
Specification (V1.1, May 2024; V1.0, January 2024, as its change log describes it).

The rules are data (`rules/*.yaml`, one file per standard and document
version); this module only registers them. Every hook not implemented here
takes the core's default, because this body's rules are data the defaults read.
"""

from pathlib import Path

import epa

# The rules beside this module: importlib.resources.files(__package__) / "rules" is the same folder for an
# installed package, and importing importlib.resources would add a few milliseconds to every start of epa.
RULES = Path(__file__).parent / "rules"
NAME = "Gateway Qualifications"


@epa.hookimpl
def register_body() -> epa.Body:
    return epa.Body(id="gateway_quals", name=NAME, rulesets=epa.load_rulesets(RULES))
