"""Debian's Chromium, as the book's PDF printer, benchmark and browser tests start it.

Flags for a machine with no network: no background calls home, no sandbox as root.
"""

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
