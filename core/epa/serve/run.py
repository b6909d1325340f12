"""Starting the server: ``epa serve``'s options to uvicorn, on a socket bound here (so that ``--port 0`` can say
which port it got, and a port in use is a clear error), stopping on SIGTERM or Ctrl-C once the requests in flight
are answered."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import sys
from typing import Any

import attrs

from epa import interrupts
from epa.errors import InputError
from epa.serve.settings import DEFAULT_CONNECTIONS, ENV, GRACE, Settings


def run(host: str, port: int, workers: int, settings: Settings, fit_connections: bool = False) -> None:
    """``fit_connections``: --max-connections was not given, so its default may be lowered to what the process's
    limit of open files allows (a value the user gave is met or refused, never lowered)."""
    import uvicorn

    connections = _descriptors(settings.max_connections, fit_connections)
    fewer = connections < settings.max_connections
    settings = attrs.evolve(settings, max_connections=connections)
    options: dict[str, Any] = {"log_level": "warning", "access_log": False, "timeout_graceful_shutdown": GRACE,
               "http": _http(), "lifespan": "on",
               "ws": "none"}  # (no endpoint is a WebSocket: a request asking to upgrade is answered as HTTP/1.1)
    if workers > 1:
        if port == 0:
            raise InputError("--port 0 goes with one worker: give a port for --workers", hint="e.g. --port 8000")
        os.environ[ENV] = settings.to_env()  # each worker process builds its own application from these
        _bound(host, port).close()  # a port in use said as one worker says it, not as uvicorn's error after ours
        _said(host, port, workers, connections if fewer else None)
        _quiet_signals()
        uvicorn.run("epa.serve.app:create_app", factory=True, host=host, port=port, workers=workers, **options)
        return
    from epa.serve.app import create_app

    app = create_app(settings)  # the bodies loaded, and any plugin failure said, before the port is taken
    sock = _bound(host, port)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    _stopping(server)  # before the start-up line: a stop sent once it is read is met, however soon
    _said(host, sock.getsockname()[1], workers, connections if fewer else None)
    server.run(sockets=[sock])


SPARE = 64  # file descriptors besides connections: the listening socket, the decision log, a workbook's reading...


def _descriptors(connections: int, fit: bool) -> int:
    """The connections the process may hold: make sure it may open a file descriptor for each connection it holds,
    and for as many refused ones lingering (epa.serve.heads), with SPARE besides: the soft limit is raised towards
    the hard one where it is lower (Linux's usual 1,024). Where the hard limit is lower still, a default (``fit``)
    is lowered to what it allows; a --max-connections the user gave is refused, not met by accept() failing."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if fit and hard != resource.RLIM_INFINITY and hard < 2 * connections + SPARE:
        connections = max(1, (hard - SPARE) // 2)
    needed = 2 * connections + SPARE
    if soft != resource.RLIM_INFINITY and soft < needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        except (ValueError, OSError):
            asked = "epa serve" if fit else f"--max-connections {connections}"
            raise InputError(f"{asked} needs {needed} file descriptors; this process may open {soft} (at most "
                             f"{hard}: ulimit -n)", hint="raise the limit (ulimit -n) before starting the server"
                             + ("" if fit else ", or give a smaller --max-connections")) from None
    return connections


def _http() -> Any:
    try:
        import httptools  # noqa: F401  (uvicorn's faster HTTP parser: about 1.5x the requests a second)
    except ImportError:
        return _protocol("h11")
    return _protocol("httptools")


def _protocol(name: str) -> Any:
    """uvicorn's HTTP protocol ``name``, bounded as epa serves (--max-connections; a request's head, its size and
    the time it takes to arrive), under either parser alike."""
    if name == "h11":
        from epa.serve.crowd import CountedH11

        return CountedH11
    from epa.serve.heads import BoundedHead

    return BoundedHead


def _bound(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="--port 0 takes any free port" if port else None) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _said(host: str, port: int, workers: int, fewer: int | None = None) -> None:
    """The start-up line; ``fewer``: the connections a worker holds, where the open-files limit lowered the default."""
    shown = f"[{host}]" if ":" in host else host
    lowered = "" if fewer is None else (f"; at most {fewer} connection{'s' if fewer > 1 else ''} a worker, not "
                                        f"{DEFAULT_CONNECTIONS}: the open-files limit (ulimit -n) allows no more")
    print(f"epa serve: listening on http://{shown}:{port} ({workers} worker{'s' if workers > 1 else ''}){lowered}; "
          f"API at /openapi.json, read it at /docs; Ctrl-C or SIGTERM stops", file=sys.stderr, flush=True)
    if not _loopback(host):
        print(f"epa serve: {host} is reachable beyond this machine: anyone who can reach it can ask it",
              file=sys.stderr, flush=True)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _stopping(server: Any) -> None:
    """SIGINT and SIGTERM stop ``server`` as uvicorn's own handlers do (its ``should_exit``: the requests in flight
    answered), from before the start-up line is printed until uvicorn puts in its handlers as it starts serving,
    and again after it puts these back (where it raises the signal again for them: see _quiet_signals). A no-op
    there dropped a SIGTERM sent on reading the line while the server was still starting (on a loaded machine, a
    while): the server served on, never stopped."""
    def stop(signum: int, frame: Any) -> None:
        server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    interrupts.hang_up_as_before()  # (uvicorn does not answer SIGHUP: it ends the server as it always has)


def _quiet_signals() -> None:
    """uvicorn answers SIGINT and SIGTERM itself (a graceful stop), then raises the signal again for the handler
    before it: the command line's would turn a graceful stop into exit 130, so none is left to hear it."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    interrupts.hang_up_as_before()  # (uvicorn does not answer SIGHUP: it ends the server as it always has)
