"""Training Qualifications UK (TQUK): its rules for the epa platform, from its ST0071
Standard Specification (V1.2, updated 09 Dec 2024).

The rules are data (`rules/*.yaml`, one file per standard and document
version); this module only registers them. Every hook not implemented here
takes the core's default, because this body's rules are data the defaults read.
"""

from pathlib import Path

import epa

# The rules beside this module: importlib.resources.files(__package__) / "rules" is the same folder for an
# installed package, and importing importlib.resources would add a few milliseconds to every start of epa.
RULES = Path(__file__).parent / "rules"
NAME = "Training Qualifications UK (TQUK)"


@epa.hookimpl
def register_body() -> epa.Body:
    return epa.Body(id="tqual", name=NAME, rulesets=epa.load_rulesets(RULES))
