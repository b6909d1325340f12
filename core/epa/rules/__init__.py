"""The rules: loading and validating rulesets, versions, source documents, citations, the working-day calendar,
the standards the core ships, and one module per rule family (grading, combination, history, windows, gateway,
deadlines, tolerances), each stating its rule once for deciding, explaining and the compiled engine."""
