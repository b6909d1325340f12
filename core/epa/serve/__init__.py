"""``epa serve``: the command line's answers over HTTP, for providers' and awarding bodies' systems and regulators'
scripts that cannot call a command per apprentice.

An ASGI application (:mod:`epa.serve.app`, on Starlette) served by uvicorn. Every endpoint answers with exactly the
JSON the matching command prints with ``--format json`` for the same input on standard input, through the same
functions (:mod:`epa.answers`); decisions carry the digest of the rules in force (:mod:`epa.serve.decisions`);
errors are RFC 9457 problem details carrying the command line's message, JSON path and hint
(:mod:`epa.serve.problems`); ``GET /openapi.json`` is built from the JSON Schemas the command line validates
against (:mod:`epa.serve.openapi`).

Nothing here is imported by any other command: ``epa --version`` and ``epa compare`` never pay for it.
"""
