"""MyST-NB plugin: the book's website shows each chart as our own figure.

A chart's notebook output carries several forms (:mod:`egovbook.notebook_output`). The
book's build picks the website's figure, registered through the
``myst_nb.mime_renderers`` entry point in ``pyproject.toml``, and writes it into the
page exactly as MyST-NB writes HTML outputs, so the site's scripts and styles find it as
before.
"""

from __future__ import annotations

from docutils import nodes

from .notebook_output import CHART_MIME, VEGA_MIME


class ChartOutput:
    """Render the website form of a chart; leave every other output to MyST-NB."""

    # Before any other form of the chart, for every builder (html, singlehtml for the
    # PDF). The chart's Vega form is for JupyterLab: known to the build, ranked below
    # the figure.
    mime_priority_overrides = [("*", CHART_MIME, 1), ("*", VEGA_MIME, 100)]

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if data.mime_type == VEGA_MIME:
            # MyST-NB renders every form of an output, then keeps the first in priority;
            # the Vega form is never kept, so it needs no nodes.
            return []
        if data.mime_type != CHART_MIME or inline:
            return None
        return [
            nodes.raw(text=data.content, format="html", classes=["output", "text_html"])
        ]
