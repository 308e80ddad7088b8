"""The plumbing shared by the fake GitHub and Kubernetes API servers: an HTTP/1.1 server on
127.0.0.1:<ephemeral port> in a thread (optionally TLS), which records every request (method, path,
query, headers, body) and can answer the next requests with injected failures before routing.
Subclasses implement `route(request) -> Reply`.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class RecordedRequest:
    method: str
    target: str  # as sent: raw path and query
    path: str  # raw path (percent-encoding kept)
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    client_certificate_subject: str | None = None  # CN of a verified TLS client certificate

    @property
    def segments(self) -> list[str]:
        """Path segments, each percent-decoded on its own (so an encoded '/' stays inside one)."""
        return [unquote(part) for part in self.path.strip("/").split("/")] if self.path.strip("/") else []

    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    status: int
    body: object = None  # dict/list: sent as JSON; bytes/str: sent as is; None: empty
    headers: dict[str, str] = field(default_factory=dict)


class RecordingServer:
    """Start with `start()` or a `with` block; `stop()` shuts the server down and joins its thread."""

    default_headers: dict[str, str] = {}

    def __init__(self, ssl_context: ssl.SSLContext | None = None):
        self.requests: list[RecordedRequest] = []
        self.lock = threading.RLock()
        self._injected: deque[Reply] = deque()
        self._ssl_context = ssl_context
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _dispatch(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                subject = None
                if isinstance(self.connection, ssl.SSLSocket):
                    certificate = self.connection.getpeercert()
                    if certificate:
                        subject = dict(item[0] for item in certificate.get("subject", ())).get("commonName")
                request = RecordedRequest(
                    method=self.command, target=self.path, path=split.path,
                    query=parse_qs(split.query, keep_blank_values=True),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=body, client_certificate_subject=subject)
                with fake.lock:
                    fake.requests.append(request)
                    reply = fake._injected.popleft() if fake._injected else None
                    if reply is None:
                        reply = fake.route(request)
                self._send(reply)

            def _send(self, reply: Reply):
                if isinstance(reply.body, (dict, list)):
                    data = json.dumps(reply.body).encode()
                    content_type = "application/json; charset=utf-8"
                elif reply.body is None:
                    data, content_type = b"", None
                else:
                    data = reply.body.encode() if isinstance(reply.body, str) else reply.body
                    content_type = "text/plain; charset=utf-8"
                self.send_response(reply.status)
                headers = {**fake.default_headers, **reply.headers}
                if content_type and not any(name.lower() == "content-type" for name in headers):
                    headers["Content-Type"] = content_type
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch  # noqa: N815 (http.server API)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self._ssl_context is not None:
            self._server.socket = self._ssl_context.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if self._ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- recording and failure injection

    def inject(self, reply: Reply, count: int = 1):
        """The next `count` requests (recorded as usual) get `reply` instead of being routed."""
        with self.lock:
            self._injected.extend([reply] * count)

    def clear_requests(self):
        with self.lock:
            self.requests.clear()

    def mutating_requests(self) -> list[RecordedRequest]:
        """Everything but GET: what an idempotent second apply must not send."""
        with self.lock:
            return [request for request in self.requests if request.method != "GET"]

    def route(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError
