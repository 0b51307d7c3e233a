"""TEST DOUBLE of Marquez's OpenLineage endpoint. It is NOT Marquez.

It implements only what an OpenLineage HTTP transport needs from Marquez:
``POST /api/v1/lineage`` with a JSON RunEvent answers ``201`` and the event is kept,
in memory and (optionally) appended to a JSON-lines file. Each event is checked against Marquez
0.51.1's rules by the same function the Marquez image double uses (``check_lineage_event`` in
tests/doubles/marquez/image/usr/src/app/marquez_double.py: 422 for a missing required field, 400 for a
bad namespace, 500 for JSON Marquez cannot read); a refused event is counted in ``rejected`` and not
kept (gzip bodies are accepted, as the transport can compress);
no namespaces, datasets or lineage graph are built. One read-back is served, as Marquez's
``GET /api/v1/namespaces/{ns}/jobs/{job}``: 200 with ``{"namespace", "name"}`` once an event for that
job arrived, else 404 (real Marquez returns a full Job object; callers must read only these two keys). Marquez cannot run on the test
machines, so real Airflow is pointed at this double and the tests read back what arrived.

Test-only endpoints (not Marquez API):
  ``GET /_double/events``  -> ``{"events": [...], "rejected": N}`` in arrival order
  ``DELETE /_double/events`` -> forget everything received

If ``api_key`` is given, a POST without ``Authorization: Bearer <api_key>`` gets 401
and is counted in ``rejected`` (the shape of the transport's ``api_key`` auth).

Binds to 127.0.0.1 only. Library use::

    with OpenLineageReceiverDouble() as receiver:   # free port
        ...  # point the transport at receiver.url
        receiver.events()

CLI use (foreground until SIGTERM/SIGINT)::

    python tests/doubles/openlineage_receiver.py --port 0 --events-file ev.jsonl --port-file port
"""

from __future__ import annotations

import argparse
import gzip
import json
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "marquez" / "image" / "usr" / "src" / "app"))
from marquez_double import check_lineage_event  # noqa: E402  (stdlib only at import time)

LINEAGE_PATH = "/api/v1/lineage"
EVENTS_PATH = "/_double/events"
MAX_BODY = 16 * 1024 * 1024  # an OpenLineage event is a few kB; refuse anything absurd


class OpenLineageReceiverDouble:
    """Threaded HTTP receiver for OpenLineage events (a test double, not Marquez)."""

    def __init__(self, port: int = 0, events_file: str | Path | None = None, api_key: str | None = None):
        self._events: list[dict] = []
        self._rejected = 0
        self._lock = threading.Lock()
        self._events_file = Path(events_file) if events_file else None
        self._api_key = api_key
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- public API -------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL, as the transport's ``url`` (the endpoint path is separate)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OpenLineageReceiverDouble:
        self._thread = threading.Thread(target=self._server.serve_forever, name="ol-receiver-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def events(self) -> list[dict]:
        with self._lock:
            return list(self._events)

    @property
    def rejected(self) -> int:
        with self._lock:
            return self._rejected

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._rejected = 0

    def __enter__(self) -> OpenLineageReceiverDouble:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- internals --------------------------------------------------------
    def _store(self, event: dict) -> None:
        with self._lock:
            self._events.append(event)
            if self._events_file:
                with self._events_file.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(event, sort_keys=True) + "\n")

    def _handler_class(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "OpenLineageReceiverDouble/1"

            def log_message(self, fmt, *args):  # keep test output quiet
                pass

            def _reply(self, code: int, body: dict | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802 (http.server naming)
                if self.path.split("?", 1)[0] != LINEAGE_PATH:
                    return self._reply(404, {"error": f"only POST {LINEAGE_PATH} exists here"})
                if double._api_key is not None and self.headers.get("Authorization") != f"Bearer {double._api_key}":
                    with double._lock:
                        double._rejected += 1
                    return self._reply(401, {"error": "missing or wrong API key"})
                length = int(self.headers.get("Content-Length") or 0)
                if length <= 0 or length > MAX_BODY:
                    return self._reply(400, {"error": "body required (and below 16 MiB)"})
                raw = self.rfile.read(length)
                try:
                    if self.headers.get("Content-Encoding", "").lower() == "gzip":
                        raw = gzip.decompress(raw)
                    event = json.loads(raw)
                except (OSError, ValueError) as exc:
                    return self._reply(400, {"error": f"not JSON: {exc}"})
                if not isinstance(event, dict):
                    return self._reply(400, {"error": "event must be a JSON object"})
                status, body, _row = check_lineage_event(raw)
                if status != 201:
                    with double._lock:
                        double._rejected += 1
                    sys.stderr.write(f"openlineage receiver double: refused with {status} as Marquez 0.51.1 would: "
                                     f"{body}\n")
                    return self._reply(status, body)
                double._store(event)
                return self._reply(201)

            def do_GET(self):  # noqa: N802
                path = self.path.split("?", 1)[0]
                parts = path.split("/")
                if len(parts) == 7 and parts[1:4] == ["api", "v1", "namespaces"] and parts[5] == "jobs":
                    namespace, name = urllib.parse.unquote(parts[4]), urllib.parse.unquote(parts[6])
                    if any((e.get("job") or {}).get("namespace") == namespace and e["job"].get("name") == name
                           for e in double.events()):
                        return self._reply(200, {"namespace": namespace, "name": name})
                    return self._reply(404, {"code": 404, "message": f"Job '{name}' not found"})
                if path != EVENTS_PATH:
                    return self._reply(404, {"error": f"this double only serves GET {EVENTS_PATH} and jobs/{{job}}"})
                return self._reply(200, {"events": double.events(), "rejected": double.rejected})

            def do_DELETE(self):  # noqa: N802
                if self.path.split("?", 1)[0] != EVENTS_PATH:
                    return self._reply(404, {"error": "not found"})
                double.clear()
                return self._reply(204)

        return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="OpenLineage receiver TEST DOUBLE (not Marquez), 127.0.0.1 only")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = pick a free one)")
    parser.add_argument("--events-file", help="append every received event to this JSON-lines file")
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--api-key", help="require 'Authorization: Bearer KEY' on POST")
    args = parser.parse_args(argv)

    receiver = OpenLineageReceiverDouble(args.port, args.events_file, args.api_key)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    receiver.start()
    if args.port_file:
        Path(args.port_file).write_text(f"{receiver.port}\n")
    print(f"openlineage receiver double listening on {receiver.url}{LINEAGE_PATH}", flush=True)
    stop.wait()
    receiver.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
