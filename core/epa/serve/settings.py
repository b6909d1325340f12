"""What ``epa serve``'s options set, handed to each worker process as JSON in an environment variable."""

from __future__ import annotations

import json
import os

import attrs

ENV = "EPA_SERVE_SETTINGS"  # how `epa serve --workers N` hands the settings to uvicorn's worker processes

MIB = 1024 * 1024
DEFAULT_CONNECTIONS = 1000  # --max-connections unless given (lowered to what the open-files limit allows)
GRACE = 4.0  # seconds the requests in flight get after SIGTERM (uvicorn's timeout_graceful_shutdown): within 5 s
# of which a batch in flight may go on grading for the first (one that ends within them is answered whole), leaving
# the rest for its last rows and closing line to reach the client
FINISHING = GRACE / 2
# and past this, a batch's output still not taken by its client is cut off (said in one line), before uvicorn's
# grace would cancel it with a traceback
CUT_OFF = GRACE - 0.5


@attrs.frozen
class Settings:
    max_body: int = 16 * MIB  # bytes of a request body: a record is a few KB, as documents.MAX_BYTES for files
    max_batch_body: int = 64 * MIB  # bytes of a cohort POSTed to /batch, held in memory while it is graded
    batch_seconds: float = 300.0  # a batch still grading after this long is stopped, its output ending in an error
    decision_log: str | None = None  # a file the server appends a JSON line to per decision
    log_identities: bool = False  # write apprentice ids in the decision log as they are, not masked
    # whole answers remembered (0: none), keyed by the request and the rules digest: a provider's system asks about
    # the same apprentice again (a page shown twice); 1,000 compare answers of four bodies are about 35 MB
    memo: int = 1000
    # connections held at once in each worker process; one past them is answered 503 and closed (epa.serve.heads)
    max_connections: int = DEFAULT_CONNECTIONS
    bodies: tuple[str, ...] | None = None  # --bodies: only these (ids, names or acronyms)

    def to_env(self) -> str:
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_env(cls) -> Settings:
        text = os.environ.get(ENV)
        if not text:
            return cls()
        data = json.loads(text)
        if data.get("bodies") is not None:
            data["bodies"] = tuple(data["bodies"])
        return cls(**data)
