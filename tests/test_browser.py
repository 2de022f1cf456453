"""The built website in a real browser, page by page: offline, no console errors,
accessible (axe-core), charts fitted to a desktop and to a phone; the site's downloads,
search and light mode; print and the whole-book PDF. (Shared parts: browser_session.py.)
"""

import html
import json
import re
import shutil
import subprocess

import pytest

import browser_session as session
from browser_session import (
    ALL_DRAWN,
    AXE,
    CHAPTERS,
    CHART_PAGES,
    DESKTOP,
    PAGES,
    PHONE,
    SITE,
    check_charts_fill_their_column,
    check_fits_a_phone,
    open_solutions,
    run_axe,
)

# The shared fixtures, asked for by name.
browser, site_url, visit = session.browser, session.site_url, session.visit


def test_the_book_has_pages():
    assert "index.html" in PAGES and CHAPTERS and CHART_PAGES


def test_vendored_axe_is_the_current_series():
    version = json.loads((AXE / "version.json").read_text())
    assert version["version"].startswith("4.14.") and (AXE / "LICENSE").exists()


def test_a_request_off_the_site_is_refused_and_counted(visit):
    """The offline check cannot pass for want of looking."""
    visited = visit("book/glossary.html")
    outcome = visited.page.evaluate(
        """() => fetch('https://cdn.jsdelivr.net/npm/vega@6').then(
            () => 'loaded', () => 'refused')"""
    )
    assert outcome == "refused"
    assert visited.external == ["https://cdn.jsdelivr.net/npm/vega@6"]


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
    # The charts of the solutions, drawn in their narrower drop-downs once opened.
    if open_solutions(page):
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


# --- the site -------------------------------------------------------------------------


def test_front_door_redirects_with_the_tab_icon_to_a_light_only_page(visit):
    """index.html names the icon, so no browser asks for /favicon.ico (a 404); the
    page it opens is light, with no theme switch."""
    visited = visit("index.html")
    page = visited.page
    assert page.evaluate("document.documentElement.dataset.mode") == "light"
    assert page.locator(".theme-switch-button").count() == 0
    text = (SITE / "index.html").read_text(encoding="utf-8")
    icon = re.search(r'<link rel="icon" href="([^"]+)"', text)
    assert icon and (SITE / icon[1]).is_file()
    assert visited.page.url.endswith("/book/intro.html")
    assert not [url for url in visited.requests if url.endswith("/favicon.ico")]
    assert visited.console_errors == []


def test_built_html_has_no_thebe_scripts():
    """sphinx-thebe's end-of-page scripts are not written (lean_theme.py): the second
    stopped the parser and cost a layout of the whole page."""
    for path in PAGES:
        text = (SITE / path).read_text(encoding="utf-8")
        assert "x-thebe-config" not in text and "kernelName" not in text, path


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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_search_box_icon_leaves_the_query_readable(visit, viewport):
    """The magnifier sits before the query's first letter, not on it."""
    page = visit("search.html?q=Kazakhstan", viewport=viewport).page
    form = page.locator(".bd-search-container form.bd-search")
    icon = form.locator(".fa-magnifying-glass").bounding_box()
    text_starts = form.locator("input").evaluate(
        """input => input.getBoundingClientRect().left
            + parseFloat(getComputedStyle(input).paddingLeft)"""
    )
    assert icon["width"] > 0 and page.locator("input[name=q]").first.input_value()
    assert icon["x"] + icon["width"] <= text_starts, (icon, text_starts)


RUNTIME = ["/vega-book@", "/vega-tooltip@", "/egov-charts.js?"]
RESOURCE_OF = """names => names.map(name => performance.getEntriesByType('resource')
    .find(entry => entry.name.includes(name) && entry.responseEnd > 0)
    ?.transferSize ?? null)"""


def test_pages_without_charts_prefetch_the_chart_runtime(visit, site_url):
    """A reader coming from a page without charts (the teacher's guide) finds the chart
    runtime in the browser's cache when the next chapter opens."""
    page = visit("book/teachers_guide.html").page
    assert page.locator("figure.egov-chart").count() == 0
    page.wait_for_function(
        f"names => ({RESOURCE_OF})(names).every(size => size !== null)",
        arg=RUNTIME,
        timeout=10_000,
    )
    page.goto(site_url + "book/data_methods.html", wait_until="load")
    page.wait_for_function(ALL_DRAWN, timeout=20_000)
    assert page.locator("figure.egov-chart[data-rendered='true']").count() > 0
    assert page.evaluate(RESOURCE_OF, RUNTIME) == [0, 0, 0]  # 0 bytes: from the cache


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
