"""The forms of a chart that JupyterLab, GitHub and nbviewer can show without our
website.

A chart's output in a notebook carries, in one bundle:

- the website's figure (``CHART_MIME``): our HTML with its description, downloads and
  data table; only the book's build shows it (:mod:`egovbook.website`), other viewers
  ignore it;
- the chart compiled to Vega (``VEGA_MIME``), which JupyterLab's built-in Vega renderer
  draws, interactive, from its own files: no network, and no need to trust the
  notebook;
- a PNG, for viewers that run no scripts (GitHub, nbviewer, an untrusted notebook);
- a line of text naming the chart.

Both static forms are made offline by vl-convert, at a fixed width where the book's
chart fills its container (a file has no container). vl-convert takes more than half
of a chapter's run, so what it made is kept on disk (beside the data loader's cache,
:func:`egovbook.data.keep_cached`) under a hash of all it was given: running a chapter
again draws the same charts from the same data without converting them again, and a
chart whose data or design changed is converted afresh.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from importlib.metadata import version

import altair as alt
import vl_convert

from egovbook.data import keep_cached, read_cached

CHART_MIME = "application/vnd.egovbook.chart+html"
VEGA_MIME = "application/vnd.vega.v5+json"  # the Vega renderer built into JupyterLab 4
STATIC_WIDTH = 640  # px, the width of the book's text column
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
VL_CONVERT_VERSION = version("vl-convert-python")


def fixed_width(spec: dict) -> dict:
    """A copy of the spec with a number wherever the chart's width follows its
    container."""
    spec = copy.deepcopy(spec)
    views = [spec] + [
        view
        for key in ("layer", "hconcat", "vconcat", "concat")
        for view in spec.get(key, [])
    ]
    for view in views:
        if view.get("width") == "container":
            view["width"] = STATIC_WIDTH
    view_config = spec.get("config", {}).get("view", {})
    if view_config.get("continuousWidth") == "container":
        view_config["continuousWidth"] = STATIC_WIDTH
    return spec


def compiled_vega(spec: dict) -> dict:
    """The chart as a Vega specification, for JupyterLab's Vega renderer."""
    vega = vl_convert.vegalite_to_vega(fixed_width(spec), vl_version=VEGA_LITE_VERSION)
    # JupyterLab's renderer runs Vega 5; the compiled spec uses nothing newer.
    vega["$schema"] = "https://vega.github.io/schema/vega/v5.json"
    return vega


def static_png(spec: dict) -> str:
    """The chart as a PNG (base64), for viewers that run no scripts."""
    png = vl_convert.vegalite_to_png(
        fixed_width(spec), vl_version=VEGA_LITE_VERSION, scale=1
    )
    return base64.b64encode(png).decode("ascii")


STATIC_FORMS_KEPT = 96  # charts: the book has 29; each file 0.1-0.5 MB


def static_forms(spec: dict) -> tuple[dict, str]:
    """The chart's Vega and PNG, from the disk cache when vl-convert already made them
    from this very spec (with this vl-convert and Vega-Lite)."""
    made_from = json.dumps(
        [
            fixed_width(spec),
            VEGA_LITE_VERSION,
            VL_CONVERT_VERSION,
            STATIC_WIDTH,
        ],
        sort_keys=True,
    )
    key = hashlib.sha256(made_from.encode("utf-8")).hexdigest()
    stored = read_cached(f"{key}.chart")
    try:
        return stored["vega"], stored["png"]
    except (KeyError, TypeError):
        pass  # not made yet, or damaged: make it
    vega, png = compiled_vega(spec), static_png(spec)
    keep_cached(f"{key}.chart", {"vega": vega, "png": png}, STATIC_FORMS_KEPT)
    return vega, png


def bundle(spec: dict, website_html: str, text: str) -> dict:
    """Every form of one chart, for one notebook output."""
    vega, png = static_forms(spec)
    return {
        CHART_MIME: website_html,
        VEGA_MIME: vega,
        "image/png": png,
        "text/plain": text,
    }
