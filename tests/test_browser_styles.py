"""The trimmed stylesheets change nothing visible: screenshots of pages with the trimmed
and the untrimmed styles are compared pixel by pixel. (Shared parts:
browser_session.py.)
"""

from urllib.parse import urlparse

import pytest

import browser_session as session
from browser_session import (
    DESKTOP,
    PHONE,
    UNTRIMMED,
)

# The shared fixtures, asked for by name.
browser, site_url, visit = session.browser, session.site_url, session.visit


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
