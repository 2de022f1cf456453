"""Debian's Chromium, as the book's PDF printer, benchmark and browser tests start it,
and the loopback server they read the built site from.

Flags for a machine with no network: no background calls home, no sandbox as root.
"""

import functools
import http.server
import threading
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# For tests: Chromium resolves no host name but 127.0.0.1; nothing leaves the machine.
# (Tests note each request with page.on("request") rather than page.route: a routed page
# has no HTTP cache, and every request would make a round trip through Python.)
ONLY_LOOPBACK = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request.

    Each response goes out at once, as from any web server (nginx's ``tcp_nodelay``):
    Python's server writes the headers and the body separately, and on a kept-open
    connection the kernel held the body back until the browser acknowledged the
    headers, which the browser delays by up to 40 ms."""

    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


def serve_folder(folder: Path, handler=QuietHandler):
    """Serve a folder on 127.0.0.1 (a free port) from a thread: (server, base URL).
    Stop it with ``server.shutdown()``."""
    handler = functools.partial(handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"
