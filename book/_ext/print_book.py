"""The whole book as one PDF, printed offline by Chromium from one page (``make book``).

1. The single page is assembled from the HTML build: every page's article, in the order
   of ``_toc.yml``, under the head of the home page (the theme's styles, the print
   stylesheet, Vega and the chart runtime). A second Sphinx build (``--builder
   singlehtml``) would execute every notebook again; this takes seconds and prints
   exactly what the website shows.
2. It is served on 127.0.0.1 and opened in Debian's Chromium (Playwright) at the width
   of an A4 page's text, so every chart is drawn for the printed column; the print
   stylesheet (book/_ext/lean_static/print.css) folds code and hides buttons; each
   chapter starts a page.
3. ``page.pdf`` writes a tagged PDF with an outline; charts are SVG, so they stay vector
   drawings. The PDF lands in the HTML site as ``book.pdf`` (linked under the
   navigation).

Usage: python book/_ext/print_book.py [--path-output DIR]
(DIR is the same as for the HTML build)
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from pathlib import Path

from chromium import CHROMIUM, CHROMIUM_ARGS, serve_folder

ROOT = Path(__file__).resolve().parents[2]
A4_TEXT_WIDTH = 680  # px: 210 mm less 2 x 15 mm margins (print.css), at 96 px per inch
FOOTER = (
    '<div style="font-size:8pt;width:100%;text-align:center;color:#444">'
    'E-Government in Kazakhstan, page <span class="pageNumber"></span> '
    'of <span class="totalPages"></span></div>'
)


def toc_pages(root: Path) -> list[str]:
    """The book's pages in reading order, from _toc.yml."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def collect(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            collect(entry.get("sections"))
            collect(entry.get("chapters"))

    for part in toc.get("parts", []):
        collect(part.get("chapters"))
    collect(toc.get("chapters"))
    return pages


ARTICLE = re.compile(r'<article class="bd-article">(.*?)</article>', re.S)
HEAD = re.compile(r"<head>(.*?)</head>", re.S)
# Theme scripts that expect the website's navigation; the print needs only the charts
# and toggles.
SKIPPED_SCRIPTS = re.compile(
    r'<script[^>]*src="[^"]*(?:bootstrap|pydata-sphinx-theme|sphinx-book-theme|'
    r"copybutton|clipboard|doctools|sphinx_highlight|design-tabs)"
    r'[^"]*"[^>]*></script>\s*'
)


def single_page(site: Path, pages: list[str]) -> str:
    """One HTML page holding every page's article; it must sit in the pages' folder
    (book/)."""
    folders = {str(Path(page).parent) for page in pages}
    if len(folders) != 1:
        sys.exit(
            f"print_book: pages in several folders ({sorted(folders)}); "
            "the single page needs one"
        )
    head = HEAD.search((site / f"{pages[0]}.html").read_text(encoding="utf-8"))[1]
    head = SKIPPED_SCRIPTS.sub("", head)
    head = re.sub(
        r"<title>.*?</title>",
        "<title>E-Government in Kazakhstan (the whole book)</title>",
        head,
        flags=re.S,
    )
    chapters = []
    for page in pages:
        html = (site / f"{page}.html").read_text(encoding="utf-8")
        article = ARTICLE.search(html)
        if article is None:
            sys.exit(
                f'print_book: {page}.html has no <article class="bd-article">; '
                "did the theme change?"
            )
        chapters.append(
            f'<section class="egov-chapter" data-page="{page}">{article[1]}</section>'
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en" data-content_root="../" data-theme="light" data-mode="light">'
        f"<head>{head}</head>\n"
        '<body class="egov-print-book"><main class="bd-article">'
        + "\n".join(chapters)
        + "</main></body></html>\n"
    )


def print_pdf(site: Path, page_path: str, target: Path) -> int:
    from playwright.sync_api import sync_playwright

    server, base = serve_folder(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": A4_TEXT_WIDTH, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((base, "data:", "blob:"))
                    else route.abort()
                ),
            )
            page.emulate_media(media="print")
            page.goto(base + page_path, wait_until="load")
            charts = page.locator("figure.egov-chart").count()
            page.wait_for_function(
                "() => [...document.querySelectorAll('figure.egov-chart')]"
                ".every(f => f.dataset.rendered)",
                timeout=120_000,
            )
            failed = page.locator("figure.egov-chart[data-rendered='error']").count()
            if failed or errors:
                sys.exit(
                    f"print_book: {failed} chart(s) failed to draw; "
                    f"page errors: {errors}"
                )
            page.wait_for_timeout(300)
            target.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(target),
                prefer_css_page_size=True,
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
            )
            browser.close()
    finally:
        server.shutdown()
    return charts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--path-output",
        type=Path,
        default=ROOT,
        help="as given to the HTML build (default: .)",
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(
            f"print_book: {CHROMIUM} is missing (apt-get install chromium): "
            "no book.pdf this time"
        )
        return 0
    start = time.perf_counter()
    site = args.path_output.resolve() / "_build" / "html"
    if not (site / "index.html").exists():
        sys.exit(f"print_book: no HTML build in {site}; build the book first")
    pages = toc_pages(ROOT)
    single = site / Path(pages[0]).parent / "egov-print-book.html"
    text = single_page(site, pages)
    target = site / "book.pdf"
    # What the PDF is printed from: the single page and the static files it loads. If
    # neither changed since the last print, the PDF stands (a no-op rebuild is quick).
    source = hashlib.sha256(text.encode("utf-8"))
    for path in sorted((site / "_static").rglob("*")):
        if path.is_file():
            source.update(
                path.relative_to(site).as_posix().encode() + path.read_bytes()
            )
    stamp = site.parent / "book-pdf.sha256"
    if target.exists() and stamp.exists() and stamp.read_text() == source.hexdigest():
        print(f"print_book: {target} is up to date")
        return 0
    single.write_text(text, encoding="utf-8")
    try:
        charts = print_pdf(site, single.relative_to(site).as_posix(), target)
    finally:
        single.unlink()
    stamp.write_text(source.hexdigest())
    print(
        f"print_book: {target} ({target.stat().st_size / 1e6:.1f} MB, "
        f"{len(pages)} pages of the website, "
        f"{charts} charts) in {time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
