"""The built website's charts in a real browser: they follow the window, load their
data from shared cached files, work opened from disk, and work by touch and keyboard on
a phone; data tables, downloads, the explorer. (Shared parts: browser_session.py.)
"""

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest

import browser_session as session
from benchmark import GO_TO_LAST_CHART_AT_ONCE
from browser_session import (
    ALL_DRAWN,
    CHART_PAGES,
    DESKTOP,
    PHONE,
    SITE,
    chart_boxes,
    check_fits_a_phone,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import offline_vega  # noqa: E402

# The shared fixtures, asked for by name.
browser, site_url, visit = session.browser, session.site_url, session.visit


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


def test_pages_are_written_without_their_templates_indentation():
    """lean_theme.collapse_white_space ran on every page of the build (outside <pre>,
    <textarea>, <script> and <style>, no line starts with white space)."""
    keep = re.compile(r"<(pre|textarea|script|style)\b.*?</\1\s*>", re.S | re.I)
    pages = sorted(SITE.rglob("*.html"))
    assert len(pages) >= len(CHART_PAGES)
    for page in pages:
        if "_static" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"\n\s", keep.sub("<kept>", html)), page


def test_data_files_are_downloaded_once_and_decoded_exactly(visit):
    """The page lists its data files as deferred scripts, which start downloading while
    it is parsed; the runtime waits for those rather than asking for them again. It
    rebuilds each chart's rows from them (dictionaries, runs, whole numbers and a
    divisor, in base 36) to exactly the values the build encoded
    (offline_vega.rows_of): every row of every chart's CSV download is checked, on the
    page whose narrow chart version is also written as differences."""
    visited = visit("book/determinants.html")
    page = visited.page
    downloaded = [
        url.split("?")[0].rsplit("/", 1)[-1]
        for url in visited.requests
        if "/_static/egov-data/" in url
    ]
    named = page.eval_on_selector_all(
        "script[data-egov-column]",
        "tags => tags.map(t => t.dataset.egovColumn + '.js')",
    )
    assert len(named) >= 2
    assert sorted(downloaded) == sorted(named)
    assert visited.console_errors == []
    files = {
        path.stem: path.read_text(encoding="utf-8")
        for path in (SITE / "_static" / "egov-data").glob("*.js")
    }
    checked = 0
    for figure in page.locator("figure.egov-chart").all():
        spec_id = figure.get_attribute("id").replace("-figure", "-spec")
        spec = json.loads(page.locator(f"#{spec_id}").text_content())
        expected = [row for rows in offline_vega.rows_of(spec, files) for row in rows]
        with page.expect_download() as download:
            figure.get_by_role("button", name="Download data (CSV)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        header, *records = list(csv.reader(io.StringIO(text)))
        assert len(records) == len(expected)
        for record, row in zip(records, expected):
            for name, cell in zip(header, record):
                value = row.get(name)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    assert float(cell) == value, (spec_id, name, cell, value)
                else:  # JavaScript writes null as nothing and true as true
                    as_text = {None: "", True: "true", False: "false"}.get(value, value)
                    assert cell == as_text, (spec_id, name, cell, value)
        checked += len(records)
    assert checked > 4000  # the two charts of all countries and editions among them


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


@pytest.mark.parametrize("path", ["book/trajectory.html", "book/e_participation.html"])
def test_a_chart_the_reader_goes_to_is_drawn_before_those_out_of_sight(browser, path):
    """Charts out of sight are drawn when they come within a screen of the window, or
    when the browser is idle: a reader who goes straight to a chapter's last chart as
    the page opens gets it before the charts far above it, which are still all drawn
    without being scrolled to."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.add_init_script(GO_TO_LAST_CHART_AT_ONCE)
    page.goto((SITE / path).as_uri(), wait_until="domcontentloaded")
    charts = page.evaluate(
        "() => ({distant: egovJump.distant, wait: egovJump.waiting})"
    )
    assert charts["distant"], (
        f"{path}: no chart is far from its last; choose another page"
    )
    waiting = charts["wait"]
    assert waiting, (
        f"{path}: charts {charts['distant']} were drawn before the page responded"
    )
    page.wait_for_function(ALL_DRAWN, timeout=20_000)
    drawn_at = page.evaluate(
        "() => [...document.querySelectorAll('figure.egov-chart')]"
        ".map(f => [f.dataset.rendered, Number(f.dataset.renderedAt)])"
    )
    assert all(state == "true" for state, _ in drawn_at), drawn_at
    last = drawn_at[-1][1]
    assert all(drawn_at[i][1] > last for i in waiting), (
        f"{path}: charts {waiting} out of sight were drawn before the one the reader "
        f"went to: {drawn_at}"
    )
    context.close()


def svg_markup(figure) -> str:
    """A fingerprint of the chart's drawing (its length and a hash of its markup),
    computed in the page: a chart of every country is hundreds of KB of markup."""
    return figure.evaluate(
        """f => {
          const markup = f.querySelector('.egov-chart-view svg').innerHTML;
          let hash = 0;
          for (let i = 0; i < markup.length; i++) {
            hash = (Math.imul(hash, 31) + markup.charCodeAt(i)) | 0;
          }
          return markup.length + ':' + hash;
        }"""
    )


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
    # Each visible control focused in turn, in the page (one call, not three a
    # control). Not visible: what a closed <details> folds away (the data table's
    # region, tested below) and what is hidden (charts in folded answers).
    focus = controls.evaluate_all(
        """controls => controls.filter(e =>
            e.checkVisibility({visibilityProperty: true})
            && !e.closest('details:not([open]) > :not(summary)')).map(e => {
          e.focus();
          const s = getComputedStyle(e);
          return [e === document.activeElement, s.outlineStyle, s.outlineWidth];
        })"""
    )
    assert len(focus) >= 3
    for i, (focused, outline, width) in enumerate(focus):
        assert focused, f"{path}: control {i} takes no focus"
        assert outline != "none" and width != "0px", (
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
