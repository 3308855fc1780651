"""An oracle chat-completions server: answers each prompt of the `prompts` config with that
row's gold `reference`, over real HTTP on 127.0.0.1 (a free port).

It exists to test the whole generative path (run, align, evaluate) and to measure the
runner, with no model: the oracle must score exactly 1.0 on every layer. A `script` per
(doc_id, task) makes it misbehave on purpose, one step per request (once the script is used
up, it answers the reference):

    ("status", 500)        reply with that HTTP status
    ("sleep", 2.0)         wait that long, then answer the reference (a client with a
                           shorter timeout has given up by then)
    ("content", "...")     answer this text instead of the reference
    ("transform", f)       answer f(reference)

With `refuse_structured`, a request carrying `response_format` gets HTTP 400.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = tuple[str, Any]


def messages_key(messages: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps([[m["role"], m["content"]] for m in messages], ensure_ascii=False)


@dataclass
class Seen:
    """What the server received (for tests): every request, in arrival order."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    authorization: list[str | None] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0  # most requests being answered at the same time
    lock: threading.Lock = field(default_factory=threading.Lock)


class OracleServer:
    def __init__(self, rows: Iterable[Mapping[str, Any]],
                 script: Mapping[tuple[str, str], list[Step]] | None = None, *,
                 refuse_structured: bool = False, delay: float = 0.0) -> None:
        self.by_messages = {messages_key(r["messages"]): r for r in rows}
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.refuse_structured = refuse_structured
        self.delay = delay
        self.seen = Seen()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> OracleServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> str:
        handler = _handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free one
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- answering ------------------------------------------------------------------------
    def next_step(self, doc_id: str, task: str) -> Step | None:
        """This request's step of the (doc_id, task) script (None: answer normally)."""
        with self.seen.lock:
            steps = self.script.get((doc_id, task), [])
            return steps.pop(0) if steps else None

    def answer(self, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.refuse_structured and "response_format" in body:
            return 400, {"error": {"message": "response_format is not supported",
                                   "type": "invalid_request_error"}}
        row = self.by_messages.get(messages_key(body.get("messages") or []))
        if row is None:
            return 400, {"error": {"message": "unknown prompt (not a row of the prompts config)"}}
        content = row["reference"] or ""
        step = self.next_step(row["doc_id"], row["task"])
        if step is not None:
            kind, value = step
            if kind == "sleep":
                time.sleep(float(value))
            elif kind == "status":
                return int(value), {"error": {"message": f"scripted HTTP {value}"}}
            elif kind == "content":
                content = str(value)
            elif kind == "transform":
                content = value(content)
        if self.delay:
            time.sleep(self.delay)
        return 200, {"id": "oracle", "object": "chat.completion", "created": 0,
                     "model": body.get("model"),
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": content}}],
                     "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def _handler(oracle: OracleServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every keep-alive response
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:  # keep test output clean
            return

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                body = {}
            seen = oracle.seen
            with seen.lock:
                seen.requests.append(body)
                seen.authorization.append(self.headers.get("Authorization"))
                seen.in_flight += 1
                seen.max_in_flight = max(seen.max_in_flight, seen.in_flight)
            try:
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    status, payload = 404, {"error": {"message": f"no route {self.path}"}}
                else:
                    status, payload = oracle.answer(body)
            finally:
                with seen.lock:
                    seen.in_flight -= 1
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout): nothing to answer

    return Handler


def main(argv: list[str] | None = None) -> int:
    """`python -m trisec.generative.oracle [RELEASE] [--delay S]`: serve a release's prompts
    in this process until interrupted; prints the base URL on the first line."""
    import argparse
    import sys

    import pyarrow.parquet as pq

    ap = argparse.ArgumentParser(description="oracle chat-completions server on 127.0.0.1")
    ap.add_argument("release", nargs="?", default="dataset")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = ap.parse_args(argv)
    from pathlib import Path

    rows = [r for p in sorted((Path(args.release) / "data" / "prompts").glob("*.parquet"))
            for r in pq.read_table(p).to_pylist()]
    server = OracleServer(rows, delay=args.delay)
    print(server.start(), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
