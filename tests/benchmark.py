"""Benchmark the website: our build against the default Jupyter Book configuration.

Both are built from the same files in the same run, then every chapter page is loaded
in Chromium on loopback, served like a static host (``Cache-Control: max-age=600``,
connections kept open across requests):

* cold: bytes and requests of a first visit with an empty cache, until every chart is
  drawn;
* next: bytes of the same page right after the page before it in the book, what a
  reader pays for turning a page (files the page before loaded come from the HTTP
  cache);
* ready, first chart, last chart and all charts: milliseconds from navigation until
  the page responds (DOMContentLoaded), until the charts in the first screen are
  drawn, until the last chart is drawn for a reader who scrolls straight to it once the
  page responds (a separate load), and until every chart is drawn with no scrolling;
* phone: at 390 x 844, whether the page scrolls sideways and how many charts are drawn
  wider than the screen.

Figures are medians of --runs loads (timings and bytes; the phone check is one load).
Then the floor: each chapter with charts once more with the theme's stylesheets and
scripts taken out (the text, the chart runtime, Vega and the data stay), what drawing
the charts alone costs on this machine, whatever the theme does.
It then times the clean build, the no-op rebuild and, unless --skip-tests, the test
suite, and the first ``load_survey()`` in a fresh Python process, with an empty and with
a filled table cache (``--load-only`` for that alone; ``--load-book`` to time another
checkout's ``book/``). Run it with ``make benchmark``; it prints figures and asserts
nothing. Targets
(issue 10): cold <= 1.0 MB (1024 KB), next <= 250 KB, first screen's charts <= 400 ms,
all <= 800 ms.

The default build loads Vega from cdn.jsdelivr.net. There is no network here, so the
benchmark serves those URLs from the vendored files (book/_ext/vega_vendor/) at
loopback speed: the default configuration is measured as if its CDN were as fast as
our own server.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VENDOR = ROOT / "book" / "_ext" / "vega_vendor" / "vega"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from chromium import CHROMIUM, CHROMIUM_ARGS, QuietHandler, serve_folder  # noqa: E402

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ALL_DRAWN = (
    "() => [...document.querySelectorAll('figure.egov-chart')]"
    ".every(f => f.dataset.rendered)"
)
TIMES = """() => {
  const figures = [...document.querySelectorAll('figure.egov-chart')];
  const drawn = f => Number(f.dataset.renderedAt || 0);
  const first = figures.filter(f => {
    const r = f.getBoundingClientRect();
    return r.top < innerHeight && r.bottom > 0;
  });
  return {
    all: Math.max(0, ...figures.map(drawn)),
    first: first.length
      ? Math.max(...first.map(drawn))
      : Math.min(...figures.map(drawn)),
    first_in_screen: first.length > 0,
  };
}"""
READY = """() => Math.round(
  performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)"""
# A reader who goes straight to the page's last chart the moment the page is parsed
# (DOMContentLoaded), whatever the speed of the script driving the browser: an init
# script. It notes the chart (egovJump.target) and the charts more than a screen away
# that are then neither drawn nor queued (egovJump.waiting), which must wait for it.
GO_TO_LAST_CHART_AT_ONCE = """document.addEventListener('DOMContentLoaded', () => {
  const figures = [...document.querySelectorAll('figure.egov-chart')];
  if (!figures.length) return;
  figures.at(-1).scrollIntoView();
  const far = f => {
    const box = f.getBoundingClientRect();
    return box.bottom < -innerHeight || box.top > 2 * innerHeight;
  };
  const distant = figures.slice(0, -1).flatMap((f, i) => (far(f) ? [i] : []));
  const untouched = i => !figures[i].dataset.rendered && !figures[i].egovQueued;
  window.egovJump = {
    target: figures.at(-1), distant, waiting: distant.filter(untouched),
  };
});"""
TARGET_DRAWN = "() => window.egovJump.target.dataset.rendered"
TARGET_DRAWN_AT = "() => Number(window.egovJump.target.dataset.renderedAt)"
PHONE_CHECK = """() => ({
  sideways: document.documentElement.scrollWidth > innerWidth,
  wide: [...document.querySelectorAll('figure.egov-chart')].filter(f => {
    const svg = f.querySelector('svg');
    return svg && f.checkVisibility()
      && parseFloat(svg.getAttribute('width')) > innerWidth;
  }).length,
  charts: [...document.querySelectorAll('figure.egov-chart')]
    .filter(f => f.checkVisibility()).length,
})"""

DEFAULT_CONFIG = """\
# The default Jupyter Book configuration, plus only what the book needs to build.
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
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # Work-tree files not yet committed are part of the book being measured too.
    changed = subprocess.run(
        ["git", "ls-files", "--others", "--modified", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in changed:
        source = ROOT / name
        if source.is_file() and not name.startswith(("_build", ".venv")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def timed_build(book: Path, clean: bool) -> float:
    """Seconds to build the book: `clean` as on a new machine (everything built, and
    the caches of checked tables and converted charts empty), else a rebuild with
    nothing changed."""
    args = [str(BIN / "jupyter-book"), "build", str(book), "--builder", "html"]
    args += ["--all"] if clean else []
    env = dict(os.environ)
    if clean:
        env["EGOVBOOK_CACHE"] = str(book / "_build" / "empty-cache")
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if not (book / "_build" / "html" / "index.html").exists():
        sys.exit(
            f"build failed in {book}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return time.perf_counter() - start


class StaticHostHandler(QuietHandler):
    """A static host: files may be cached for ten minutes (as GitHub Pages allows), and
    connections are kept open between requests (HTTP/1.1), as every host does."""

    protocol_version = "HTTP/1.1"

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


def serve(folder: Path):
    return serve_folder(folder, StaticHostHandler)


def cdn_file(url: str) -> Path | None:
    versions = json.loads((VENDOR / "versions.json").read_text())
    for package in ("vega-embed", "vega-lite", "vega"):
        if f"/npm/{package}@" in url or url.endswith(f"/npm/{package}"):
            return VENDOR / versions[package]["file"]
    return None


def open_context(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)

    def from_vendor(route):
        local = cdn_file(route.request.url)
        if local is None:
            route.abort()
        else:
            route.fulfill(
                body=local.read_bytes(),
                content_type="application/javascript",
                headers={"Cache-Control": "max-age=600"},
            )

    # Only requests that leave the site go through Python (a routed request costs
    # milliseconds, which would blur the timings): the CDN is served from the vendored
    # files, anything else remote is refused.
    context.route("https://cdn.jsdelivr.net/**", from_vendor)
    context.route("https://unpkg.com/**", lambda route: route.abort())
    return context


def load(page, url: str) -> dict:
    """Load a page until its charts are drawn; what it transferred and when charts
    appeared.

    Bytes are what came over the network for each address (Chromium's
    encodedDataLength: headers and body)."""
    sent: dict[str, int] = {}
    addresses: dict[str, str] = {}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: addresses.__setitem__(
            event["requestId"], event["request"]["url"]
        ),
    )

    def finished(event):
        address = addresses.get(event["requestId"], event["requestId"])
        sent[address] = sent.get(address, 0) + int(event.get("encodedDataLength", 0))

    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    times = {"all": None, "first": None, "first_in_screen": False}
    if page.locator("figure.egov-chart").count():
        page.wait_for_function(ALL_DRAWN, timeout=30_000)
        times = page.evaluate(TIMES)
    times["ready"] = page.evaluate(READY)
    page.wait_for_timeout(500)  # late requests (fonts, icons) are counted too
    cdp.detach()
    return {
        "urls": sent,
        "bytes": sum(sent.values()),
        "requests": len(sent),
        **times,
        "charts": page.locator("figure.egov-chart").count(),
    }


def reach_last_chart(page, url: str) -> float | None:
    """Milliseconds from navigation until the page's last chart is drawn, for a reader
    who scrolls to it as soon as the page responds (DOMContentLoaded): what a link to a
    chart, or a quick scroll, waits for."""
    page.add_init_script(GO_TO_LAST_CHART_AT_ONCE)
    page.goto(url, wait_until="domcontentloaded")
    if not page.locator("figure.egov-chart").count():
        return None
    page.wait_for_function(TARGET_DRAWN, timeout=30_000)
    return page.evaluate(TARGET_DRAWN_AT)


def compressed(urls, base: str, site: Path) -> int:
    """What a host that compresses (as static hosts do) would send for the site's
    files."""
    total = 0
    for address in urls:
        if address.startswith(base):
            path = site / address[len(base) :].split("?")[0].split("#")[0]
            if path.is_file():
                total += len(gzip.compress(path.read_bytes(), compresslevel=6))
    return total


def turn_page(browser, base: str, before: str, path: str) -> dict:
    """A reader turning the page: `before` read, then `path` opened in the same browser,
    whose HTTP cache keeps what `before` loaded. No request is routed (routing turns
    Playwright's cache off), so only a site with no CDN can be measured so."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(base + before, wait_until="load")
    if page.locator("figure.egov-chart").count():
        page.wait_for_function(ALL_DRAWN, timeout=30_000)
    page.wait_for_timeout(1000)  # the reader reads; idle-time prefetches complete
    result = load(page, base + path)
    context.close()
    return result


# What the floor keeps: the chart runtime, Vega and the data files, and the charts'
# specifications. Every other script and stylesheet (the theme's, and the book's small
# fixes to it) goes.
CHART_PARTS = ("/vega/", "egov-charts.", "egov-data/")
TAG = re.compile(r"<link\b[^>]*>|<script\b([^>]*)>.*?</script>", re.DOTALL)


def charts_alone(html: str) -> str:
    """A page without the theme: every stylesheet, preload and script dropped but the
    charts' own (CHART_PARTS) and their specifications (JSON)."""

    def keep(match: re.Match) -> str:
        tag = match.group(0)
        if tag.startswith("<link") and "stylesheet" not in tag and "preload" not in tag:
            return tag
        if any(part in tag.split(">")[0] for part in CHART_PARTS):
            return tag
        if match.group(1) is not None and "application/json" in match.group(1):
            return tag
        return ""

    return TAG.sub(keep, html)


def floor(browser, site: Path, pages: list[str], runs: int) -> dict:
    """Cold loads of each chapter with charts, the theme taken out, measured as the
    pages themselves are (load()): (ready, all) ms."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "site"
        shutil.copytree(site, bare)
        for path in pages:
            page_file = bare / path
            page_file.write_text(charts_alone(page_file.read_text(encoding="utf-8")))
        server, base = serve(bare)
        for path in pages:
            loads = []
            for _ in range(runs):
                context = open_context(browser)
                loads.append(load(context.new_page(), base + path))
                context.close()
            results[path] = tuple(
                statistics.median(result[key] for result in loads)
                for key in ("ready", "all")
            )
        server.shutdown()
    return results


def measure(
    browser, base: str, site: Path, pages: list[str], runs: int, turn: bool = False
) -> dict:
    """Cold loads of every page; the next page's bytes are those of the addresses the
    page before it in the book did not load (a browser's HTTP cache keeps those: the
    site and the CDN send them with max-age). Playwright turns the HTTP cache off once
    requests are routed, as the default build's CDN requests must be, so the cache is
    applied here, by address."""
    results, loads = {}, {}
    for path in pages:
        cold = []
        for _ in range(runs):
            context = open_context(browser)
            cold.append(load(context.new_page(), base + path))
            context.close()
        loads[path] = cold
        reached = []
        for _ in range(runs):
            context = open_context(browser)
            reached.append(reach_last_chart(context.new_page(), base + path))
            context.close()
        context = open_context(browser, PHONE)
        page = context.new_page()
        load(page, base + path)
        phone = page.evaluate(PHONE_CHECK)
        context.close()

        def median(key):
            values = [r[key] for r in cold if r[key] is not None]
            return statistics.median(values) if values else None

        results[path] = {
            "bytes": median("bytes"),
            "requests": median("requests"),
            "gzip": compressed(cold[0]["urls"], base, site),
            "ready": median("ready"),
            "first": median("first"),
            "all": median("all"),
            "reached": statistics.median(reached) if None not in reached else None,
            "first_in_screen": cold[0]["first_in_screen"],
            "charts": cold[0]["charts"],
            "phone": phone,
            "next": None,
        }
    for before, path in zip(pages, pages[1:]):
        seen = set(loads[before][0]["urls"])
        results[path]["next"] = statistics.median(
            sum(size for address, size in r["urls"].items() if address not in seen)
            for r in loads[path]
        )
        if turn:
            turned = [turn_page(browser, base, before, path) for _ in range(runs)]
            results[path]["turned"] = {
                key: statistics.median(r[key] for r in turned)
                if all(r[key] is not None for r in turned)
                else None
                for key in ("bytes", "first", "all")
            }
    return results


def reading_order(site: Path) -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    files += [chapter["file"] for chapter in toc.get("chapters", [])]
    return [f"{name}.html" for name in files if (site / f"{name}.html").exists()]


def kb(value) -> str:
    return "-" if value is None else f"{value / 1024:.0f}"


def ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def phone_text(result: dict) -> str:
    phone = result["phone"]
    sideways = "scrolls sideways" if phone["sideways"] else "fits"
    return f"{sideways}, {phone['wide']}/{phone['charts']} charts too wide"


def report(results: dict, pages: list[str], runs: int) -> None:
    print(
        f"\nPage loads: median of {runs} runs, cold cache unless 'next', loopback. "
        "Targets: cold <= 1024 KB, next <= 250 KB, first-screen charts <= 400 ms, "
        "all <= 800 ms."
    )
    print(
        "'ready' is DOMContentLoaded (the page scrolls and responds); 'first' the "
        "charts in the first screen (* if none there: the first chart drawn); 'last' "
        "the last chart drawn for a reader who scrolls to it at 'ready'; 'all' every "
        "chart drawn with no scrolling (ours: charts out of sight are drawn as they "
        "come near, or in idle time).\n"
    )
    columns = "next KB | ready ms | first ms | last ms | all ms | phone (390 px)"
    header = (
        f"| page | charts | ours: cold KB, requests | {columns} "
        f"| default: cold KB, requests | {columns} | ours gzip KB |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for path in pages:
        row = [
            path.removeprefix("book/").removesuffix(".html"),
            str(results["ours"][path]["charts"]),
        ]
        for name in ("ours", "default"):
            r = results[name][path]
            star = "" if r["first_in_screen"] or r["first"] is None else "*"
            row += [
                f"{kb(r['bytes'])}, {r['requests']:.0f}",
                kb(r["next"]),
                ms(r["ready"]),
                ms(r["first"]) + star,
                ms(r["reached"]),
                ms(r["all"]),
                phone_text(r),
            ]
        row.append(kb(results["ours"][path]["gzip"]))
        print("| " + " | ".join(row) + " |")
    print(
        "\nTurning the page (ours): each page opened right after the one before it, "
        "in the same browser with its HTTP cache on.\n"
    )
    print("| page | KB transferred | first chart ms | all charts ms |")
    print("|---|---|---|---|")
    for path in pages:
        turned = results["ours"][path].get("turned")
        if turned:
            print(
                f"| {path.removeprefix('book/').removesuffix('.html')} "
                f"| {kb(turned['bytes'])} | {ms(turned['first'])} "
                f"| {ms(turned['all'])} |"
            )


def report_floor(ours: dict, bare: dict, runs: int) -> None:
    print(
        f"\nThe floor: the same pages, cold, without the theme's stylesheets and "
        f"scripts (median of {runs}): what the charts alone take here.\n"
    )
    print("| page | charts | ours: all ms | charts alone: ready ms | all ms |")
    print("|---|---|---|---|---|")
    for path, (ready, all_drawn) in bare.items():
        print(
            f"| {path.removeprefix('book/').removesuffix('.html')} "
            f"| {ours[path]['charts']} | {ms(ours[path]['all'])} "
            f"| {ms(ready)} | {ms(all_drawn)} |"
        )


FIRST_LOAD = """\
import time
import egovbook.data
start = time.perf_counter()
egovbook.data.load_survey()
print(time.perf_counter() - start)
"""


def load_times(book: Path, runs: int) -> dict[str, list[float]]:
    """Seconds of the first load_survey() in fresh processes (the import not counted):
    with an empty table cache (what a first run pays) and with the cache a previous
    process left (every later kernel)."""
    times: dict[str, list[float]] = {"empty cache": [], "filled cache": []}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            for state in times:
                folder = Path(tmp) / (
                    f"empty-{run}" if state == "empty cache" else "kept"
                )
                result = subprocess.run(
                    [sys.executable, "-c", FIRST_LOAD],
                    cwd=book,
                    env={**os.environ, "EGOVBOOK_CACHE": str(folder)},
                    capture_output=True,
                    text=True,
                    check=True,
                )
                times[state].append(float(result.stdout))
    return times


def report_loads(times: dict[str, list[float]], book: Path) -> None:
    print(f"\nload_survey(), first call in a fresh process ({book}):")
    for state, values in times.items():
        print(
            f"  {state:12}: median {statistics.median(values):.3f} s, "
            f"range {min(values):.3f}-{max(values):.3f} s ({len(values)} runs)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--skip-tests", action="store_true", help="do not time the test suite"
    )
    parser.add_argument(
        "--sites",
        nargs=2,
        metavar=("OURS", "DEFAULT"),
        type=Path,
        help="measure two sites already built (skips the builds)",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="only time load_survey()"
    )
    parser.add_argument(
        "--load-book",
        type=Path,
        default=ROOT / "book",
        help="the book/ folder whose egovbook is timed (default: this one)",
    )
    args = parser.parse_args()
    loads = load_times(args.load_book.resolve(), args.runs)
    if args.load_only:
        report_loads(loads, args.load_book)
        return 0
    from playwright.sync_api import sync_playwright

    builds = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.sites:
            sites = dict(zip(("ours", "default"), args.sites, strict=True))
        else:
            sites = {}
            for name in ("ours", "default"):
                book = Path(tmp) / name
                copy_book(book)
                if name == "default":
                    (book / "_config.yml").write_text(DEFAULT_CONFIG, encoding="utf-8")
                clean = timed_build(book, clean=True)
                noop = timed_build(book, clean=False)
                builds[name] = (clean, noop)
                sites[name] = book / "_build" / "html"
        pages = [p for p in reading_order(sites["ours"]) if p.startswith("book/")]
        results = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            for name in ("ours", "default"):
                server, base = serve(sites[name])
                results[name] = measure(
                    browser, base, sites[name], pages, args.runs, turn=name == "ours"
                )
                server.shutdown()
            with_charts = [p for p in pages if results["ours"][p]["charts"]]
            bare = floor(browser, sites["ours"], with_charts, args.runs)
            browser.close()

    report(results, pages, args.runs)
    report_floor(results["ours"], bare, args.runs)
    report_loads(loads, args.load_book)
    print()
    for name, (clean, noop) in builds.items():
        print(
            f"{name:8} clean build with execution: {clean:6.1f} s; "
            f"no-op rebuild: {noop:5.1f} s"
        )
    if not args.skip_tests:
        # The README's command, on the book ``make benchmark`` has just built.
        start = time.perf_counter()
        result = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True)
        outcome = "passed" if result.returncode == 0 else "FAILED"
        print(
            f"make test (book already built): {time.perf_counter() - start:.0f} s, "
            f"{outcome}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
