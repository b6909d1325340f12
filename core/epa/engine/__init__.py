"""Deciding and explaining: the compiled cohort engine, the code it writes, the explained hook-by-hook path and
what explaining remembers, all reading the rule families in ``epa.rules``."""
