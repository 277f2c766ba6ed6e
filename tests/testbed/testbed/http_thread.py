"""An HTTP server on 127.0.0.1, on a free port, served from a daemon thread of this process."""

from __future__ import annotations

import http.server
import threading


class ThreadedHttpServer:
    """Base of the bed's small HTTP services: subclasses give ``handler()``, this runs it."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.requests: list[str] = []
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1] if self._server else 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self):
        self._server = http.server.ThreadingHTTPServer((self.host, 0), self.handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
