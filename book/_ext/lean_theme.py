"""Sphinx extension: trim the book theme to what this book uses, for speed, privacy and access.

* sphinx-thebe (live code on a remote kernel) is not used: its scripts and styles are
  dropped. It also declared THEBE_JS_URL twice, an error in every page's console.
* The theme's Font Awesome is a 1.5 MB script that turns <i> tags into SVG. The theme's
  stylesheet already carries Font Awesome's CSS and web fonts, which draw the same
  icons, so the script is dropped (see ``_templates/static/webpack-macros.html``).
* The book is light-only: ``_config.yml`` fixes the mode (``html_context.default_mode``)
  and ``_templates/theme-switcher.html`` removes the switcher, so charts, which are drawn
  for a white page, stay legible.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "lean_static"
DROPPED_SCRIPTS = ("sphinx-thebe", "THEBE_JS_URL", "kernelName")
DROPPED_STYLES = ("sphinx-thebe",)


def _text(asset) -> str:
    body = getattr(asset, "attributes", {}).get("body", "") or ""
    return f"{asset} {getattr(asset, 'filename', '') or ''} {body}"


def on_config_inited(app, config) -> None:
    config.html_static_path.append(str(STATIC))


def on_builder_inited(app) -> None:
    app.add_css_file("lean-theme.css")


def on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"]
                                   if not any(marker in _text(s) for marker in DROPPED_SCRIPTS)]
    # docutils marks bibliography entries with the deprecated ARIA role doc-biblioentry
    # inside a role="list"; plain list items are what assistive technology expects.
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
    if "css_files" in context:
        context["css_files"] = [c for c in context["css_files"]
                                if not any(marker in _text(c) for marker in DROPPED_STYLES)]


def on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    # The theme writes its Font Awesome script to _static whether or not a page uses it;
    # remove it so nothing can load it.
    script = Path(app.outdir) / "_static" / "scripts" / "fontawesome.js"
    if script.exists():
        script.unlink()


def setup(app):
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
