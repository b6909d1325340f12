"""The rules as data: loading and validating rulesets, versions, source documents, citations, the
working-day calendar, and the standards the core ships."""
