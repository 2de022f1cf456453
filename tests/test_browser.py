"""The built website in a real browser: offline, no console errors, accessible, charts drawn and interactive.

Runs against _build/html (``make test`` builds it first), served on 127.0.0.1, in Debian's
Chromium driven by Playwright. Skipped, with the reason, where Chromium or the build is missing.
"""
from __future__ import annotations

import csv
import functools
import http.server
import io
import threading
from pathlib import Path

import pytest

from egovbook.paths import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SITE = REPO_ROOT / "_build" / "html"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Flags for a machine with no network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium); browser tests skipped",
                allow_module_level=True)
if not (SITE / "index.html").exists():
    pytest.skip("the book is not built; run `make book` (make test does it first)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

PAGES = sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html") if "_static" not in p.parts)
CHAPTERS = [p for p in PAGES if p.startswith("book/")]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """One page load: what left the site, what the console said, and the page itself."""

    def __init__(self, browser, site_url: str, path: str):
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.external: list[str] = []
        self.console_errors: list[str] = []

        def route(route):
            if route.request.url.startswith(site_url) or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                self.external.append(route.request.url)
                route.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.goto(site_url + path, wait_until="load")
        if 'http-equiv="Refresh"' in (SITE / path.split("?")[0]).read_text(encoding="utf-8"):
            # The site's index page only redirects to the introduction; follow it.
            self.page.wait_for_url("**/book/intro.html")
            self.page.wait_for_load_state("load")
        charts = self.page.locator("figure.egov-chart")
        if charts.count():
            self.page.wait_for_function(
                "() => [...document.querySelectorAll('figure.egov-chart')].every(f => f.dataset.rendered)",
                timeout=15_000)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site_url):
    opened = []

    def open_page(path):
        opened.append(Visit(browser, site_url, path))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def test_the_book_has_pages():
    assert "index.html" in PAGES and CHAPTERS


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_clean_and_accessible(visit, path):
    page = visit(path)
    assert page.external == [], f"{path} asked for resources outside the site"
    assert page.console_errors == [], f"{path} logged console errors"
    results = Axe().run(page.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "preload": False})
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    assert violations == [], f"{path}: axe violations"


@pytest.mark.parametrize("path", CHAPTERS)
def test_every_chart_is_drawn(visit, path):
    page = visit(path).page
    figures = page.locator("figure.egov-chart")
    for i in range(figures.count()):
        figure = figures.nth(i)
        assert figure.get_attribute("data-rendered") == "true", f"chart {i} on {path} failed to draw"
        marks = figure.locator(".egov-chart-view svg .mark-symbol path, .egov-chart-view svg .mark-rect path,"
                               ".egov-chart-view svg .mark-line path, .egov-chart-view svg .mark-area path,"
                               ".egov-chart-view svg .mark-rule line, .egov-chart-view svg .mark-tick line,"
                               ".egov-chart-view svg .mark-text text")
        assert marks.count() > 0, f"chart {i} on {path} has no marks"


def test_chapters_with_charts_exist():
    with_charts = [p for p in CHAPTERS if "egov-chart" in (SITE / p).read_text(encoding="utf-8")]
    assert with_charts, "no page of the book has a chart"


def svg_markup(figure) -> str:
    return figure.locator(".egov-chart-view svg").first.inner_html()


def charts_with_selects(page):
    figures = page.locator("figure.egov-chart")
    return [figures.nth(i) for i in range(figures.count())
            if figures.nth(i).locator(".vega-bindings select").count()]


@pytest.mark.parametrize("path", CHAPTERS)
def test_drop_downs_change_what_is_drawn(visit, path):
    page = visit(path).page
    for figure in charts_with_selects(page):
        select = figure.locator(".vega-bindings select").first
        current = select.evaluate("s => s.selectedIndex")
        other = 1 if current == 0 else 0
        before = svg_markup(figure)
        select.select_option(index=other)
        page.wait_for_timeout(150)
        assert svg_markup(figure) != before, f"{path}: choosing option {other} of {select.get_attribute('name')!r} did not change the chart"


@pytest.mark.parametrize("path", CHAPTERS)
def test_drop_downs_work_from_the_keyboard(visit, path):
    page = visit(path).page
    for figure in charts_with_selects(page)[:1]:
        select = figure.locator(".vega-bindings select").first
        before_value, before_svg = select.input_value(), svg_markup(figure)
        select.focus()
        assert page.evaluate("document.activeElement.tagName") == "SELECT"
        page.keyboard.press("ArrowDown" if select.evaluate("s => s.selectedIndex < s.options.length - 1") else "ArrowUp")
        page.wait_for_timeout(150)
        assert select.input_value() != before_value
        assert svg_markup(figure) != before_svg


def first_chart_page():
    for path in CHAPTERS:
        if "egov-chart" in (SITE / path).read_text(encoding="utf-8"):
            return path
    pytest.skip("no chart pages")


def test_data_table_and_csv_download_hold_the_chart_rows(visit):
    page = visit(first_chart_page()).page
    figure = page.locator("figure.egov-chart").first
    figure.locator("details summary").click()
    rows = figure.locator(".egov-chart-table tbody tr")
    assert rows.count() > 0
    with page.expect_download() as download:
        figure.get_by_role("button", name="Download data (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text)))
    header = figure.locator(".egov-chart-table thead th").all_inner_texts()
    assert records[0] == header
    assert len(records) - 1 == rows.count()


@pytest.mark.parametrize("image_format,magic", [("PNG", b"\x89PNG"), ("SVG", b"<svg")])
def test_chart_image_downloads(visit, image_format, magic):
    page = visit(first_chart_page()).page
    figure = page.locator("figure.egov-chart").first
    with page.expect_download() as download:
        figure.get_by_role("button", name=f"Download chart ({image_format})").click()
    assert Path(download.value.path()).read_bytes().lstrip()[:4] == magic


def test_pages_are_light_only(visit):
    page = visit("index.html").page
    assert page.evaluate("document.documentElement.dataset.mode") == "light"
    assert page.locator(".theme-switch-button").count() == 0


def test_built_html_names_no_cdn():
    for path in PAGES:
        text = (SITE / path).read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "unpkg.com" not in text, path


def svg_texts(figure) -> list[str]:
    return figure.evaluate("f => [...f.querySelectorAll('.egov-chart-view svg text')].map(t => t.textContent)")


def test_explorer_country_choice_changes_the_data_drawn(visit):
    page = visit("book/explorer.html").page
    figure = page.locator("figure.egov-chart").first
    select = figure.locator(".vega-bindings select[name='country']")
    assert select.locator("option").count() == 193
    labels_before = svg_texts(figure)
    before = svg_markup(figure)
    select.select_option(label="Mongolia")
    page.wait_for_timeout(200)
    labels_after = svg_texts(figure)
    assert svg_markup(figure) != before
    assert "Mongolia" in labels_after and "Mongolia" not in labels_before
    assert "Mean of Eastern Asia" in labels_after  # Mongolia's sub-region


def test_data_package_and_notebook_downloads(visit, site_url):
    page = visit("book/teachers_guide.html").page
    with page.expect_download() as download:
        page.get_by_role("link", name="data-package.zip").click()
    import zipfile
    with zipfile.ZipFile(download.value.path()) as archive:
        names = archive.namelist()
    assert "data/datapackage.json" in names and "data/egdi.csv" in names
    response = page.request.get(site_url + "_sources/book/explorer.ipynb")
    assert response.ok and response.json()["nbformat"] == 4


def test_search_finds_pages(visit):
    """The search index is loaded only by the search page (layout.html override); search still works."""
    page = visit("search.html?q=participation").page
    page.wait_for_selector("#search-results li", timeout=10_000)
    assert page.locator("#search-results li").count() >= 3
