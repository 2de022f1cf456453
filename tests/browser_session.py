"""The built website in a real browser: what tests/test_browser*.py share (the server,
the browser, one page load with what it asked for and logged, axe-core, chart sizes).
Three files, so that pytest-xdist can run them side by side.

Runs against the site in $EGOV_SITE, or _build/html (``make test`` builds it first),
served on 127.0.0.1, in Debian's Chromium driven by Playwright. Accessibility is checked
with the axe-core build vendored in tests/vendor/axe-core/ (``make vendor`` refreshes
it). Skipped, with the reason, where Chromium or the build is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chromium import CHROMIUM, CHROMIUM_ARGS, ONLY_LOOPBACK, serve_folder
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


@pytest.fixture(scope="module")
def site_url():
    server, base = serve_folder(SITE)
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, ONLY_LOOPBACK]
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
        self.requests: list[str] = []  # every address the page asked for
        self.console_errors: list[str] = []

        def note(request):
            self.requests.append(request.url)
            if not request.url.startswith((site_url, "data:", "blob:")):
                self.external.append(request.url)

        self.page.on("request", note)
        if route is not None:  # a test's own answer to some of the site's requests

            def answer(request_route):
                if not route(request_route):
                    request_route.continue_()

            self.page.route(f"{site_url}**", answer)
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
    check_chart_texts(page, path)


# Each chart in sight with the texts its drawing shows (labels Vega hid to avoid
# overlap are at opacity 0), as [figure, [text elements]].
DRAWN_TEXTS = """[...document.querySelectorAll('figure.egov-chart')]
  .filter(f => f.checkVisibility())
  .map(f => [f, [...f.querySelectorAll('.egov-chart-view svg text')]
    .filter(t => t.getAttribute('opacity') !== '0' && t.textContent.trim())])"""


# Pairs of texts of one chart in sight (axis labels, value labels, annotations, legend
# entries) that overlap by more than a pixel (labels Vega hid to avoid overlap, at
# opacity 0, do not count). Each text is the rectangle of its text as drawn, turned
# with it when it is angled; two rectangles overlap when no axis of either separates
# them (the separating axis test).
OVERLAPPING_TEXT = (
    """() => {
  const corners = t => {
    const b = t.getBBox(), m = t.getScreenCTM();
    const [x, y, X, Y] = [b.x, b.y, b.x + b.width, b.y + b.height];
    return [[x, y], [X, y], [X, Y], [x, Y]]
      .map(([u, v]) => new DOMPoint(u, v).matrixTransform(m));
  };
  const overlap = (p, q) => Math.min(...[p, q].flatMap(r => [0, 1].map(i => {
    const dx = r[i + 1].x - r[i].x, dy = r[i + 1].y - r[i].y, n = Math.hypot(dx, dy);
    const along = s => s.map(c => (c.x * dx + c.y * dy) / n);
    const [a, b] = [along(p), along(q)];
    return Math.min(Math.max(...a), Math.max(...b))
      - Math.max(Math.min(...a), Math.min(...b));
  })));
  const name = t => [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ')
    || t.textContent;
  return ("""
    + DRAWN_TEXTS
    + """).flatMap(([f, texts]) => {
    const labels = texts.map(t => [name(t), corners(t)]);
    return labels.flatMap(([a, p], i) => labels.slice(i + 1)
      .filter(([, q]) => overlap(p, q) > 1)
      .map(([b]) => `${f.id}: "${a}" and "${b}"`));
  });
}"""
)


# Text drawn past the edge of its chart's drawing, which cuts it off: a legend wider
# than the plot, an axis title wider than the chart. A pixel of slack for the
# difference between the font Vega measures and the one the browser draws.
TEXT_CUT_OFF = f"""() => ({DRAWN_TEXTS}).flatMap(([f, texts]) => {{
    const box = f.querySelector('.egov-chart-view svg').getBoundingClientRect();
    const slack = 1.5;
    return texts.map(t => [t.textContent, t.getBoundingClientRect()])
      .filter(([, r]) => r.width && (r.left < box.left - slack
        || r.right > box.right + slack || r.top < box.top - slack
        || r.bottom > box.bottom + slack))
      .map(([text, r]) => `${{f.id}}: "${{text}}" drawn from`
        + ` ${{Math.round(r.left - box.left)}} to ${{Math.round(r.right - box.left)}}`
        + ` px of ${{Math.round(box.width)}}`);
  }})"""


def check_chart_texts(page, path: str) -> None:
    """No text of a chart in sight runs past the chart's edge or overlaps another."""
    cut_off = page.evaluate(TEXT_CUT_OFF)
    assert cut_off == [], f"{path}: text runs past the chart's edge: {cut_off}"
    overlapping = page.evaluate(OVERLAPPING_TEXT)
    assert overlapping == [], f"{path}: texts of a chart overlap: {overlapping}"


def open_solutions(page) -> int:
    """Open every solution's drop-down (closed when the page loads), as a reader does by
    clicking its title, and wait until the charts inside are drawn; how many opened."""
    opened = page.evaluate(
        """() => {
        const closed = [...document.querySelectorAll('.solution.dropdown')]
            .filter(s => s.classList.contains('toggle-hidden'));
        closed.forEach(s => s.querySelector('button.toggle-button').click());
        return closed.length;
    }"""
    )
    page.wait_for_function(ALL_DRAWN, timeout=20_000)
    return opened


def check_fits_a_phone(page, path: str) -> None:
    """Nothing scrolls sideways; every chart, legend and control fits the screen, no
    text is cut off at a chart's edge, and no two texts of a chart overlap."""
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
    check_chart_texts(page, path)
