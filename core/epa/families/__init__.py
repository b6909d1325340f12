"""One module per rule family (issue 18): each states its family's rule once, decides it (what the cohort engine
needs, fast), explains it (the cited sentence, built only when asked) and, where the engine compiles, gives it its
predicate or expression. The default hooks (``epa.defaults``) and the engine (``epa.engine``, ``epa.graders``)
delegate to these; there is no second copy."""
