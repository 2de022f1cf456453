"""The built website in a real browser: offline, no console errors, accessible, charts
drawn, fitted to a phone and to a desktop, interactive by mouse and keyboard, printable.

Runs against the site in $EGOV_SITE, or _build/html (``make test`` builds it first),
served on 127.0.0.1, in Debian's Chromium driven by Playwright. Accessibility is checked
with the axe-core build vendored in tests/vendor/axe-core/ (``make vendor`` refreshes
it). Skipped, with the reason, where Chromium or the build is missing.
"""

from __future__ import annotations

import csv
import functools
import html
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chromium import CHROMIUM, CHROMIUM_ARGS
from egovbook.paths import REPO_ROOT

SITE = Path(os.environ.get("EGOV_SITE", REPO_ROOT / "_build" / "html")).resolve()
# Stylesheets and fonts as the theme ships them (book/_ext/lean_theme.py keeps them
# there).
UNTRIMMED = SITE.parent / "egov-untrimmed" / SITE.name
AXE = REPO_ROOT / "tests" / "vendor" / "axe-core"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium); "
        "browser tests skipped",
        allow_module_level=True,
    )
if not (SITE / "index.html").exists():
    pytest.skip(
        f"the book is not built in {SITE}; run `make book` (make test does it first)",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")

PAGES = sorted(
    str(p.relative_to(SITE))
    for p in SITE.rglob("*.html")
    if "_static" not in p.parts and "reports" not in p.parts
)
CHAPTERS = [p for p in PAGES if p.startswith("book/")]
CHART_PAGES = [
    p
    for p in CHAPTERS
    if 'class="egov-chart"' in (SITE / p).read_text(encoding="utf-8")
]
ALL_DRAWN = (
    "() => [...document.querySelectorAll('figure.egov-chart')]"
    ".every(f => f.dataset.rendered)"
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Visit:
    """One page load: what left the site, what the console said, and the page itself."""

    def __init__(
        self, browser, site_url: str, path: str, viewport: dict = DESKTOP, route=None
    ):
        self.context = browser.new_context(accept_downloads=True, viewport=viewport)
        self.page = self.context.new_page()
        self.external: list[str] = []
        self.console_errors: list[str] = []

        def guard(request_route):
            url = request_route.request.url
            if url.startswith(site_url) or url.startswith(("data:", "blob:")):
                if route is None or not route(request_route):
                    request_route.continue_()
            else:
                self.external.append(url)
                request_route.abort()

        self.page.route("**/*", guard)
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.goto(site_url + path, wait_until="load")
        if 'http-equiv="Refresh"' in (SITE / path.split("?")[0]).read_text(
            encoding="utf-8"
        ):
            # The site's index page only redirects to the introduction; follow it.
            self.page.wait_for_url("**/book/intro.html")
            self.page.wait_for_load_state("load")
        if self.page.locator("figure.egov-chart").count():
            self.page.wait_for_function(ALL_DRAWN, timeout=20_000)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site_url):
    opened = []

    def open_page(path, **options):
        opened.append(Visit(browser, site_url, path, **options))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def run_axe(page) -> dict:
    page.add_script_tag(path=str(AXE / "axe.min.js"))
    return page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        }).then(r => ({
            version: axe.version,
            violations: r.violations.map(
                v => [v.id, v.nodes.slice(0, 3).map(n => n.target)]
            ),
        }))""",
        WCAG_TAGS,
    )


def test_the_book_has_pages():
    assert "index.html" in PAGES and CHAPTERS and CHART_PAGES


def test_vendored_axe_is_the_current_series():
    version = json.loads((AXE / "version.json").read_text())
    assert version["version"].startswith("4.14.") and (AXE / "LICENSE").exists()


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_clean_accessible_and_fits_any_screen(visit, path):
    """Every page: nothing from outside the site, no console error, no axe-core
    violation; its charts drawn at the text column's width on a desktop; then, the
    window narrowed to a phone's 390 px, the charts redrawn to fit and nothing
    scrolling sideways."""
    visited = visit(path)
    page = visited.page
    assert visited.external == [], f"{path} asked for resources outside the site"
    assert visited.console_errors == [], f"{path} logged console errors"
    result = run_axe(page)
    assert result["version"].startswith("4.14.")
    assert result["violations"] == [], (
        f"{path}: axe-core {result['version']} violations"
    )
    check_charts_fill_their_column(page, path)
    page.set_viewport_size(PHONE)
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.egov-chart')]"
        ".every(f => !f.checkVisibility()"
        " || f.querySelector('svg')"
        " && parseFloat(f.querySelector('svg').getAttribute('width'))"
        " <= f.querySelector('.egov-chart-view').getBoundingClientRect().width + 1)",
        timeout=10_000,
    )
    check_fits_a_phone(page, path)
    assert visited.console_errors == [], f"{path} logged console errors once narrowed"


def test_code_toggles_are_named_by_their_visible_text(visit):
    """No aria-label overrides a code toggle's own words, so its name is what it shows.
    (text_content, not inner_text: a toggle inside a folded answer has no rendered
    text.)"""
    page = visit(CHART_PAGES[0]).page
    summaries = page.locator("details.hide > summary")
    assert summaries.count() > 0
    for i in range(summaries.count()):
        summary = summaries.nth(i)
        assert summary.get_attribute("aria-label") is None
        assert summary.text_content().strip().startswith("Show code cell")


# --- charts ---------------------------------------------------------------------------

CHART_MARKS = (
    ".egov-chart-view svg .mark-symbol path, .egov-chart-view svg .mark-rect path,"
    ".egov-chart-view svg .mark-line path, .egov-chart-view svg .mark-area path,"
    ".egov-chart-view svg .mark-rule line, .egov-chart-view svg .mark-tick line,"
    ".egov-chart-view svg .mark-text text"
)


CHART_BOXES = """() => [...document.querySelectorAll('figure.egov-chart')].map(f => {
    const svg = f.querySelector('.egov-chart-view svg');
    const view = f.querySelector('.egov-chart-view');
    const right = [...f.querySelectorAll(
        '.egov-chart-view svg, .vega-bindings, .vega-bind select, '
        + '.egov-chart-tools button, summary'
    )].map(e => e.getBoundingClientRect().right);
    return {
        id: f.id,
        rendered: f.dataset.rendered,
        visible: f.checkVisibility(),
        column: view.getBoundingClientRect().width,
        drawing: svg ? svg.getBoundingClientRect().width : 0,
        natural: svg ? parseFloat(svg.getAttribute('width')) : 0,
        right: Math.max(...right),
        fit: f.egovChart && f.egovChart.meta ? f.egovChart.meta.fit : null,
    };
})"""


def chart_boxes(page) -> list[dict]:
    """Sizes of the charts in sight (not those folded away, in an answer for
    example)."""
    return [box for box in page.evaluate(CHART_BOXES) if box["visible"]]


def check_charts_fill_their_column(page, path: str) -> None:
    figures = page.locator("figure.egov-chart")
    for i in range(figures.count()):
        assert figures.nth(i).get_attribute("data-rendered") == "true", (
            f"chart {i} on {path} failed to draw"
        )
        assert figures.nth(i).locator(CHART_MARKS).count() > 0, (
            f"chart {i} on {path} has no marks"
        )
    for box in chart_boxes(page):
        # Drawn for its column: neither wider (then the browser would shrink its text)
        # nor, for charts that fit, narrower.
        assert box["natural"] <= box["column"] + 1, (
            f"{path}: {box['id']} is wider than its column"
        )
        if box["fit"] in ("x", "layout"):
            assert box["natural"] >= 0.95 * box["column"], (
                f"{path}: {box['id']} does not use its column's width"
            )


def check_fits_a_phone(page, path: str) -> None:
    """Nothing scrolls sideways; every chart, legend and control fits the screen."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"{path} scrolls sideways"
    )
    for box in chart_boxes(page):
        assert box["rendered"] == "true"
        assert box["natural"] <= box["column"] + 1, (
            f"{path}: {box['id']} is drawn wider than the screen"
        )
        assert box["right"] <= width, f"{path}: {box['id']} runs off the screen"


def test_charts_follow_the_window_and_keep_their_choices(visit):
    visited = visit("book/explorer.html")
    page = visited.page
    figure = page.locator("figure.egov-chart").first
    figure.locator(".vega-bindings select[name='country']").select_option(
        label="Mongolia"
    )
    page.wait_for_timeout(200)
    wide = chart_boxes(page)[0]
    page.set_viewport_size(PHONE)
    page.wait_for_function(
        "() => { const s = document.querySelector("
        "'figure.egov-chart .egov-chart-view svg');"
        " return s && parseFloat(s.getAttribute('width')) <= 360; }",
        timeout=5_000,
    )
    narrow = chart_boxes(page)[0]
    assert narrow["natural"] < wide["natural"] and narrow["right"] <= PHONE["width"]
    assert (
        figure.locator(".vega-bindings select[name='country']").input_value()
        == "Mongolia"
    )
    assert "Mongolia" in svg_texts(figure)
    assert visited.console_errors == []


def test_data_come_from_shared_cached_files():
    """Charts name their rows' columns by content hash; pages share columns instead of
    repeating rows."""
    references: dict[str, set[str]] = {}
    for path in CHART_PAGES:
        html = (SITE / path).read_text(encoding="utf-8")
        for digest in re.findall(r'"([0-9a-f]{20})"', html):
            references.setdefault(digest, set()).add(path)
        assert '"values":[{' not in html, f"{path} still embeds rows"
    assert references
    for digest in references:
        assert (SITE / "_static" / "egov-data" / f"{digest}.js").exists()
    assert any(len(pages) > 1 for pages in references.values()), (
        "no column is shared between pages"
    )


def test_site_works_opened_from_disk(browser):
    """Opened as files (file://), the charts still draw: data files are scripts, not
    fetched."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((SITE / CHART_PAGES[0]).as_uri(), wait_until="load")
    page.wait_for_function(ALL_DRAWN, timeout=20_000)
    assert (
        page.locator("figure.egov-chart[data-rendered='true']").count()
        == page.locator("figure.egov-chart").count()
    )
    assert errors == []
    context.close()


def svg_markup(figure) -> str:
    return figure.locator(".egov-chart-view svg").first.inner_html()


def svg_texts(figure) -> list[str]:
    return figure.evaluate(
        "f => [...f.querySelectorAll('.egov-chart-view svg text')]"
        ".map(t => t.textContent)"
    )


def charts_with_selects(page):
    figures = page.locator("figure.egov-chart")
    return [
        figures.nth(i)
        for i in range(figures.count())
        if figures.nth(i).locator(".vega-bindings select").count()
    ]


@pytest.mark.parametrize("path", CHART_PAGES)
def test_charts_on_a_phone_work_by_touch_and_keyboard(visit, path):
    """Opened on a phone (390 px): the charts fit from the start; every drop-down
    changes what is drawn; every control of every chart takes the keyboard's focus,
    visibly; drop-downs change the chart with the arrow keys; legends that pick out a
    series have buttons doing the same; the data table is reached and scrolled from the
    keyboard."""
    visited = visit(path, viewport=PHONE)
    page = visited.page
    assert visited.console_errors == [], f"{path} logged console errors on a phone"
    check_fits_a_phone(page, path)
    for figure in charts_with_selects(page):
        if not figure.is_visible():
            continue
        select = figure.locator(".vega-bindings select").first
        current = select.evaluate("s => s.selectedIndex")
        other = 1 if current == 0 else 0
        before = svg_markup(figure)
        select.select_option(index=other)
        page.wait_for_timeout(150)
        assert svg_markup(figure) != before, (
            f"{path}: option {other} of {select.get_attribute('name')!r} "
            "did not change the chart"
        )
    controls = page.locator(
        "figure.egov-chart select, figure.egov-chart button, "
        "figure.egov-chart summary, figure.egov-chart [tabindex='0']"
    )
    for i in range(controls.count()):
        control = controls.nth(i)
        if not control.is_visible():
            # The data table's region, inside its closed <details>: tested below.
            continue
        control.focus()
        assert control.evaluate("e => e === document.activeElement"), (
            f"{path}: control {i} takes no focus"
        )
        style = control.evaluate(
            "e => { const s = getComputedStyle(e);"
            " return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert style[0] != "none" and style[1] != "0px", (
            f"{path}: control {i} shows no focus"
        )
    for figure in [f for f in charts_with_selects(page) if f.is_visible()][:1]:
        select = figure.locator(".vega-bindings select").first
        before_value, before_svg = select.input_value(), svg_markup(figure)
        select.focus()
        page.keyboard.press(
            "ArrowDown"
            if select.evaluate("s => s.selectedIndex < s.options.length - 1")
            else "ArrowUp"
        )
        page.wait_for_timeout(150)
        assert select.input_value() != before_value
        assert svg_markup(figure) != before_svg
    table = page.locator("figure.egov-chart details.egov-chart-data").first
    table.locator("summary").focus()
    page.keyboard.press("Enter")
    region = table.locator("[role='region']")
    region.locator("table").wait_for()
    region.focus()
    assert region.evaluate(
        "e => e === document.activeElement"
        " && getComputedStyle(e).outlineStyle !== 'none'"
    )
    keys = page.locator("figure.egov-chart .egov-chart-keys")
    for i in range(keys.count()):
        group = keys.nth(i)
        figure = group.locator("xpath=ancestor::figure[1]")
        if not figure.is_visible():
            # A chart folded away (in an answer): its keys are reached once unfolded.
            continue
        first = group.locator("button").first
        page.locator("body").focus()
        assert group.bounding_box()["width"] <= 1  # out of sight until focused
        before = svg_markup(figure)
        first.focus()
        assert group.bounding_box()["width"] > 10  # in sight when focused
        page.keyboard.press("Enter")
        page.wait_for_timeout(150)
        assert svg_markup(figure) != before, (
            f"{path}: the keyboard legend of chart {i} changed nothing"
        )
        group.locator("button", has_text="Show all").focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(150)


def test_data_table_and_csv_download_hold_the_chart_rows(visit):
    page = visit(CHART_PAGES[0]).page
    figure = page.locator("figure.egov-chart").first
    figure.locator("details summary").click()
    rows = figure.locator(".egov-chart-table tbody tr")
    rows.first.wait_for()
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
    page = visit(CHART_PAGES[0]).page
    figure = page.locator("figure.egov-chart").first
    with page.expect_download() as download:
        figure.get_by_role("button", name=f"Download chart ({image_format})").click()
    assert Path(download.value.path()).read_bytes().lstrip()[:4] == magic


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


# --- the site -------------------------------------------------------------------------


def test_pages_are_light_only(visit):
    page = visit("index.html").page
    assert page.evaluate("document.documentElement.dataset.mode") == "light"
    assert page.locator(".theme-switch-button").count() == 0


def test_built_html_names_no_cdn():
    for path in PAGES:
        text = (SITE / path).read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "unpkg.com" not in text, path


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
    """The search index is loaded only by the search page (layout.html override);
    search still works."""
    page = visit("search.html?q=participation").page
    page.wait_for_selector("#search-results li", timeout=10_000)
    assert page.locator("#search-results li").count() >= 3


def untrimmed_route(route) -> bool:
    """Serve the theme's stylesheets and fonts as shipped, not the trimmed ones."""
    relative = urlparse(route.request.url).path.lstrip("/")
    original = UNTRIMMED / relative
    if original.is_file():
        route.fulfill(path=str(original), headers={"Content-Type": "text/css"})
        return True
    return False


PIXEL_DIFFERENCE = """async ([a, b]) => {
  const load = s => new Promise(r => { const i = new Image(); i.onload = () => r(i);
                                        i.src = 'data:image/png;base64,' + s; });
  const [x, y] = [await load(a), await load(b)];
  if (x.width !== y.width || x.height !== y.height) return -1;
  const pixels = i => {
    const c = new OffscreenCanvas(i.width, i.height), g = c.getContext('2d');
    g.drawImage(i, 0, 0);
    return g.getImageData(0, 0, i.width, i.height).data;
  };
  const [p, q] = [pixels(x), pixels(y)];
  let n = 0;
  for (let k = 0; k < p.length; k += 4) {
    if (p[k] !== q[k] || p[k + 1] !== q[k + 1] || p[k + 2] !== q[k + 2]) n++;
  }
  return n / (p.length / 4);
}"""


@pytest.mark.skipif(
    not UNTRIMMED.exists(), reason="no untrimmed stylesheets beside the site"
)
@pytest.mark.parametrize(
    "path,viewport,action",
    [
        ("book/intro.html", DESKTOP, None),
        ("book/determinants.html", PHONE, None),
        ("book/glossary.html", DESKTOP, None),
        ("book/trajectory.html", DESKTOP, "menu"),
        ("book/benefits.html", PHONE, "sidebar"),
        ("search.html?q=index", DESKTOP, None),
    ],
)
def test_trimmed_stylesheets_change_nothing_visible(visit, path, viewport, action):
    """The trimmed theme (book/_ext/css_trim.py) draws the same pixels as the theme as
    shipped, but for anti-aliasing noise."""
    import base64

    shots = []
    for route in (None, untrimmed_route):
        page = visit(path, viewport=viewport, route=route).page
        page.wait_for_timeout(300)
        if path.startswith("search.html"):
            page.wait_for_selector("#search-results li", timeout=10_000)
            page.wait_for_timeout(500)
        if action == "menu":  # the download menu (a Bootstrap drop-down) and a tooltip
            page.locator(".dropdown-download-buttons .dropdown-toggle").click()
            page.locator(".btn-fullscreen-button").first.hover()
            page.wait_for_selector(".tooltip.show", timeout=5_000)
            page.wait_for_timeout(800)  # the tooltip's fade-in, over
        if action == "sidebar":
            page.locator("button.primary-toggle:visible").first.click()
            page.wait_for_timeout(600)
        shot = page.screenshot(full_page=action is None, animations="disabled")
        shots.append(base64.b64encode(shot).decode("ascii"))
    different = page.evaluate(PIXEL_DIFFERENCE, shots)
    # Two loads of the same page differ by up to about 0.005 % of their pixels
    # (anti-aliasing of charts and underlines); anything the trimming changed would be
    # far more.
    assert 0 <= different <= 1e-4, (
        f"{path}: {different:.4%} of the pixels differ, trimmed or not"
    )


# --- print ----------------------------------------------------------------------------


def test_print_shows_text_and_charts_only(visit):
    page = visit("book/determinants.html", viewport={"width": 700, "height": 1000}).page
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => [
            '.bd-header', '.bd-sidebar-primary', '.bd-sidebar-secondary',
            '.prev-next-area', 'details.hide.above-input', '.egov-chart-tools',
            '.egov-chart-data',
        ].map(s => [
            s,
            [...document.querySelectorAll(s)].every(
                e => getComputedStyle(e).display === 'none'
            ),
        ])"""
    )
    assert all(ok for _, ok in hidden), hidden
    figure = page.locator("figure.egov-chart").first
    assert figure.evaluate("f => getComputedStyle(f).breakInside") == "avoid"
    assert figure.locator("svg").evaluate("s => getComputedStyle(s).display") != "none"


BOOK_PDF = SITE / "book.pdf"


@pytest.mark.skipif(
    not BOOK_PDF.exists(), reason="no book.pdf in the site (make book makes it)"
)
def test_whole_book_pdf_is_linked_and_has_every_chapter_and_chart(visit):
    page = visit("book/intro.html").page
    link = page.locator("a[href$='book.pdf']").first
    assert link.count() == 1 and link.is_visible()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        [pdftotext, "-layout", str(BOOK_PDF), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = re.sub(r"\s+", " ", text)
    for path in CHAPTERS:
        title = re.search(
            r"<title>(.*?)</title>", (SITE / path).read_text(encoding="utf-8"), re.S
        )
        chapter = html.unescape(title[1]).split(" \u2014 ")[0].strip()
        assert chapter[:40] in text, f"the PDF lacks the chapter {chapter!r}"
    from bs4 import BeautifulSoup

    titles = []
    for path in CHART_PAGES:
        soup = BeautifulSoup((SITE / path).read_text(encoding="utf-8"), "html.parser")
        for figure in soup.select("figure.egov-chart"):
            if figure.find_parent(class_="solution"):
                continue  # answers stay folded on paper
            region = figure.select_one("[role=region]")
            titles.append(region["aria-label"].removeprefix("Data table for: "))
    assert text.count("Chart description:") == len(titles)
    # Every chart's title is text in the PDF: the charts are vector drawings, not
    # pictures.
    missing = [t for t in titles if re.sub(r"\s+", " ", t)[:25] not in text]
    assert not missing, f"charts whose titles are not text in the PDF: {missing}"
