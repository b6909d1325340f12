"""Deciding and explaining: the compiled cohort engine, the explained hook-by-hook path, and the rules
the default hooks apply (gateway, timeline, resits)."""
