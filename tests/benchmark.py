"""Benchmark the website: our build against the default Jupyter Book configuration of the same book.

Prints, side by side, for every chapter page: bytes transferred, number of requests and
milliseconds until all charts are drawn (median of --runs page loads, each in a fresh
browser context with an empty cache), then the clean build time, the no-op rebuild
time and the test suite's time. Run it with ``make benchmark``; it prints figures and
asserts nothing (targets: page <= 1.2 MB, charts drawn <= 400 ms, no-op rebuild <= 3 s,
clean build <= 60 s).

The default build loads Vega from cdn.jsdelivr.net. There is no network here, so the
benchmark serves those URLs from the same vendored files at loopback speed: the default
configuration is measured as if its CDN were as fast as our own server.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VENDOR = ROOT / "book" / "_ext" / "vega_vendor" / "vega"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

DEFAULT_CONFIG = """# The default Jupyter Book configuration, plus only what the book needs to build.
title: "E-Government in Kazakhstan"
only_build_toc_files: true
exclude_patterns: [_build, .venv, data, tests, README.md]
execute:
  execute_notebooks: force
bibtex_bibfiles: [book/references.bib]
sphinx:
  extra_extensions: [sphinx_exercise]
"""


def copy_book(target: Path) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # Work-tree chapters not yet committed are part of the book being measured too.
    for notebook in (ROOT / "book").glob("*.ipynb"):
        shutil.copy2(notebook, target / "book" / notebook.name)
    shutil.copy2(ROOT / "_toc.yml", target / "_toc.yml")


def timed_build(book: Path, clean: bool) -> float:
    args = [str(BIN / "jupyter-book"), "build", str(book), "--builder", "html"] + (["--all"] if clean else [])
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"build failed in {book}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def cdn_file(url: str) -> Path | None:
    versions = json.loads((VENDOR / "versions.json").read_text())
    for package in ("vega-embed", "vega-lite", "vega"):
        if f"/npm/{package}@" in url or url.endswith(f"/npm/{package}"):
            return VENDOR / versions[package]["file"]
    return None


def measure_page(browser, url: str, runs: int) -> dict:
    sizes, counts, drawn, compressed = [], [], [], []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        transferred = {"bytes": 0, "requests": 0, "gzip": 0}

        def from_vendor(route):
            local = cdn_file(route.request.url)
            if local is None:
                route.abort()
            else:
                route.fulfill(body=local.read_bytes(), content_type="application/javascript")

        def on_finished(request):
            try:
                sizes_ = request.sizes()
                transferred["bytes"] += sizes_["responseBodySize"] + sizes_["responseHeadersSize"]
            except Exception:  # a request the page aborted has no sizes
                pass
            transferred["requests"] += 1

        def on_response(response):
            # What a host that compresses (as static hosts do) would send for the same body.
            try:
                transferred["gzip"] += len(gzip.compress(response.body(), compresslevel=6))
            except Exception:
                pass

        # Only requests that leave the site go through Python (a routed request costs
        # milliseconds, which would blur the timings): the CDN is served from the vendored
        # files, anything else remote is refused.
        page.route("https://cdn.jsdelivr.net/**", from_vendor)
        page.route("https://unpkg.com/**", lambda route: route.abort())
        page.on("requestfinished", on_finished)
        page.on("response", on_response)
        page.goto(url, wait_until="load")
        charts = page.locator("figure.egov-chart").count()
        if charts:
            page.wait_for_function(
                "() => [...document.querySelectorAll('figure.egov-chart')].every(f => f.dataset.rendered)",
                timeout=20_000)
            drawn.append(max(int(v or 0) for v in page.eval_on_selector_all(
                "figure.egov-chart", "fs => fs.map(f => f.dataset.renderedAt)")))
        page.wait_for_timeout(500)  # late requests (fonts, icons) are counted too
        sizes.append(transferred["bytes"])
        compressed.append(transferred["gzip"])
        counts.append(transferred["requests"])
        context.close()
    return {"bytes": statistics.median(sizes), "gzip": statistics.median(compressed),
            "requests": statistics.median(counts),
            "drawn_ms": statistics.median(drawn) if drawn else None, "charts": charts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("ours", "default"):
            book = Path(tmp) / name
            copy_book(book)
            if name == "default":
                (book / "_config.yml").write_text(DEFAULT_CONFIG, encoding="utf-8")
            clean = timed_build(book, clean=True)
            noop = timed_build(book, clean=False)
            results[name] = {"clean": clean, "noop": noop, "site": book / "_build" / "html"}

        pages = sorted(str(p.relative_to(results["ours"]["site"]))
                       for p in (results["ours"]["site"] / "book").glob("*.html"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name in ("ours", "default"):
                server, base = serve(results[name]["site"])
                results[name]["pages"] = {page: measure_page(browser, base + page, args.runs) for page in pages}
                server.shutdown()
            browser.close()

    print(f"\nPage loads: median of {args.runs} runs, cold cache, loopback. Targets: <= 1.2 MB, charts drawn <= 400 ms.\n")
    print(f"{'page':34} {'charts':>6} | {'ours KB':>8} {'req':>4} {'drawn ms':>9} | {'default KB':>10} {'req':>4} "
          f"{'drawn ms':>9} | {'ours gzip KB':>12}")
    print("-" * 113)
    for page in pages:
        ours, default = results["ours"]["pages"][page], results["default"]["pages"][page]
        def fmt(r):
            drawn = "-" if r["drawn_ms"] is None else f"{r['drawn_ms']:.0f}"
            return f"{r['bytes'] / 1024:>8.0f} {r['requests']:>4.0f} {drawn:>9}"
        print(f"{page:34} {ours['charts']:>6} | {fmt(ours)} | {fmt(default).rjust(25)} | {ours['gzip'] / 1024:>12.0f}")
    print()
    for name in ("ours", "default"):
        print(f"{name:8} clean build with execution: {results[name]['clean']:6.1f} s (target <= 60 s); "
              f"no-op rebuild: {results[name]['noop']:5.1f} s (target <= 3 s)")
    if not args.skip_tests:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT, capture_output=True)
        print(f"test suite (pytest, book already built): {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
