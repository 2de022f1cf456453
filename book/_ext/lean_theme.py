"""Sphinx extension: trim the book theme to what this book uses, for speed, privacy
and access.

* sphinx-thebe (live code on a remote kernel) is not used: its scripts and styles are
  dropped (it also declared THEBE_JS_URL twice, an error in every page's console), and
  so are the two scripts it writes at the end of each page's text. The second of
  those stopped the parser at the end of the page and made the browser lay the whole
  page out once more before it ran.
* The theme's Font Awesome is a 1.5 MB script that turns <i> tags into SVG. The theme's
  stylesheet already carries Font Awesome's CSS and web fonts, which draw the same
  icons, so the script is dropped (see ``_templates/static/webpack-macros.html``).
* The book is light-only: ``_config.yml`` fixes the mode
  (``html_context.default_mode``) and ``_templates/theme-switcher.html`` removes the
  switcher, so charts, which are drawn for a white page, stay legible.
* sphinx-design's script and styles are dropped from pages that use none of its
  elements.
* Stylesheets are trimmed to the rules the built pages and scripts can use, and the
  icon fonts to the icons they show (``css_trim.py``); the untrimmed files are kept
  beside the site, in ``_build/egov-untrimmed/``, for the test that compares
  screenshots of both.
* In highlighted code, the spans whose colour is the code's own colour (names,
  punctuation, spaces: a third of a chapter's markup) are unwrapped; nothing looks
  different.
* Accessibility: the "Show code cell source" toggles (MyST-NB) carry the accessible
  name "Toggle hidden content", which does not contain their visible text (WCAG
  2.5.3); the label is removed, so the name is the visible text. Bibliography entries
  get a plain list-item role.
* Print: ``lean_static/print.css`` folds code, hides navigation and buttons.
* The site's front door (``index.html``) is a whole page that sends the reader to the
  first chapter, with the tab icon: sphinx-external-toc's one-line redirect names no
  icon, so browsers asked for ``/favicon.ico`` and logged a 404 while it redirected.
* Size: the templates' indentation is dropped from the written pages (a run of white
  space that starts a line becomes the line break alone), except inside ``<pre>``,
  ``<textarea>``, ``<script>`` and ``<style>``, where white space can matter; nothing
  looks different, as the browser shows any such run as one space at most.
* Speed: the theme's scripts are deferred, so they no longer stop the page being read
  while they download (all of them wait for the document anyway); only
  ``documentation_options.js`` and ``doctools.js`` run first, as the page's inline
  scripts and the search page's scripts use them.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import sys
from pathlib import Path

import sphinx_thebe

sys.path.insert(0, str(Path(__file__).resolve().parent))
import css_trim  # noqa: E402

STATIC = Path(__file__).resolve().parent / "lean_static"
DROPPED_SCRIPTS = ("sphinx-thebe", "THEBE_JS_URL", "kernelName")
DROPPED_STYLES = ("sphinx-thebe",)
TRIMMED_MARK = (
    "/* trimmed by book/_ext/lean_theme.py; "
    "the original is in _build/egov-untrimmed/ */\n"
)
UNTRIMMED = "egov-untrimmed"
NOT_TRIMMED = (
    "vega/",
    "lean-theme.css",
    "print.css",
    "egov-charts.css",
)  # not the theme's: the book's own
# Bootstrap 5's Tooltip, Dropdown and Collapse, as the theme uses them
BOOTSTRAP_CLASSES = {
    "show",
    "showing",
    "hiding",
    "fade",
    "tooltip",
    "tooltip-inner",
    "tooltip-arrow",
    "bs-tooltip-auto",
    "bs-tooltip-top",
    "bs-tooltip-bottom",
    "bs-tooltip-start",
    "bs-tooltip-end",
    "dropdown-menu",
    "dropdown-menu-end",
    "dropdown-menu-start",
    "dropup",
    "dropend",
    "dropstart",
    "dropup-center",
    "dropdown-center",
    "collapse",
    "collapsing",
    "collapsed",
    "collapse-horizontal",
}
SPHINX_DESIGN = ("design-tabs.js", "sphinx-design")


def _text(asset) -> str:
    body = getattr(asset, "attributes", {}).get("body", "") or ""
    return f"{asset} {getattr(asset, 'filename', '') or ''} {body}"


# --- code: unwrap spans that only repeat the code's own colour ------------------------


def plain_token_classes(style_name: str) -> set[str]:
    """Pygments classes whose whole style is the code block's own text colour."""
    from pygments.formatters import HtmlFormatter

    defs = HtmlFormatter(style=style_name).get_style_defs(".highlight").splitlines()
    base = next(
        (
            re.search(r"color: (#[0-9a-fA-F]+)", line)
            for line in defs
            if line.startswith(".highlight {")
        ),
        None,
    )
    if base is None:
        return set()
    plain = set()
    for line in defs:
        match = re.match(r"\.highlight \.(\w+) \{ color: (#[0-9a-fA-F]+) \}", line)
        if match and match[2].lower() == base[1].lower():
            plain.add(match[1])
    return plain


PRE = re.compile(r'(<div class="highlight[^"]*"><pre>)(.*?)(</pre>)', re.S)


def unwrap_plain_spans(body: str, classes: set[str]) -> str:
    if not classes:
        return body
    span = re.compile(
        r'<span class="(?:'
        + "|".join(sorted(map(re.escape, classes)))
        + r')">([^<]*)</span>'
    )
    return PRE.sub(lambda m: m[1] + span.sub(r"\1", m[2]) + m[3], body)


# --- Sphinx hooks ---------------------------------------------------------------------


def on_config_inited(app, config) -> None:
    config.html_static_path.append(str(STATIC))


def on_builder_inited(app) -> None:
    if app.builder.name == "singlehtml":
        # Sphinx looks up custom nodes' HTML writers under the builder's name before its
        # format: sphinx-exercise registers some for "singlehtml", which hides MyST-NB's
        # and others' registered for "html" (the code toggles then fail the single-page
        # build). Share them.
        handlers = app.registry.translation_handlers
        for node, visitors in handlers.get("html", {}).items():
            handlers.setdefault("singlehtml", {}).setdefault(node, visitors)
    for listener in list(app.events.listeners.get("doctree-resolved", [])):
        if listener.handler is sphinx_thebe.update_thebe_context:
            app.disconnect(listener.id)
    app.add_css_file("lean-theme.css")
    app.add_css_file("print.css", media="print")
    options = getattr(app.config, "html_theme_options", {}) or {}
    app.egov_plain_code = plain_token_classes(
        options.get("pygments_light_style", "a11y-high-contrast-light")
    )


# Run before the page is parsed: the page's inline scripts set fields of the first, and
# the search page's own scripts (searchtools.js) call the second's _ready().
EARLY_SCRIPTS = ("documentation_options.js", "doctools.js")


def defer_unless_needed_early(script) -> None:
    """Let the page be parsed while the theme's scripts download: they run after the
    parse, in their order (``defer``); all of them wait for the document to be ready."""
    attributes = getattr(script, "attributes", None)
    filename = str(getattr(script, "filename", "") or "")
    if attributes is None or not filename or "body" in attributes:
        return  # inline scripts cannot be deferred
    if filename.endswith(EARLY_SCRIPTS) or {"async", "defer"} & attributes.keys():
        return
    attributes["defer"] = "defer"


def on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"][:] = [
            s
            for s in context["script_files"]
            if not any(marker in _text(s) for marker in DROPPED_SCRIPTS)
        ]
        for script in context["script_files"]:
            defer_unless_needed_early(script)
    if "body" in context:
        body = context["body"]
        # docutils marks bibliography entries with the deprecated ARIA role
        # doc-biblioentry inside a role="list"; plain list items are what assistive
        # technology expects.
        body = body.replace('role="doc-biblioentry"', 'role="listitem"')
        # MyST-NB's code toggles: the visible text ("Show code cell source") is the
        # name.
        body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
        body = unwrap_plain_spans(body, getattr(app, "egov_plain_code", set()))
        # A heading's "#" link may go to the next line rather than past the edge of a
        # phone's screen.
        body = body.replace('<a class="headerlink"', '&#8203;<a class="headerlink"')
        context["body"] = body
    # sphinx-design's tabs script and styles, on pages with no sphinx-design element.
    unused = SPHINX_DESIGN if 'class="sd-' not in context.get("body", "") else ()
    if "script_files" in context and unused:
        context["script_files"][:] = [
            s
            for s in context["script_files"]
            if not any(marker in _text(s) for marker in unused)
        ]
    if "css_files" in context:
        context["css_files"][:] = [
            c
            for c in context["css_files"]
            if not any(marker in _text(c) for marker in DROPPED_STYLES + unused)
        ]


def trim_stylesheets(outdir: Path, untrimmed: Path) -> None:
    static = outdir / "_static"
    pages = [p for p in outdir.rglob("*.html") if static not in p.parents]
    # Words in the site's scripts count as used class names (scripts add classes),
    # except in Vega (its words are not the theme's classes) and Bootstrap, whose
    # components this book does not use but whose code names them all; the classes
    # Bootstrap adds at run time to the tooltips and the drop-down menu the theme uses
    # are listed in BOOTSTRAP_CLASSES.
    scripts = [
        p
        for p in static.rglob("*.js")
        if "egov-data" not in p.parts
        and "vega" not in p.parts
        and p.name != "bootstrap.js"
    ]
    sheets = sorted(
        p
        for p in static.rglob("*.css")
        if not any(
            p.relative_to(static).as_posix().startswith(skip) for skip in NOT_TRIMMED
        )
    )
    kept = {untrimmed / sheet.relative_to(outdir) for sheet in sheets}
    for stale in untrimmed.rglob("*.css") if untrimmed.exists() else []:
        if stale not in kept:
            stale.unlink()  # a sheet no longer trimmed (or gone)
    sources = {}
    for sheet in sheets:
        original = untrimmed / sheet.relative_to(outdir)
        text = sheet.read_text(encoding="utf-8")
        if not text.startswith(TRIMMED_MARK):  # a fresh original, as Sphinx copied it
            original.parent.mkdir(parents=True, exist_ok=True)
            original.write_text(text, encoding="utf-8")
        sources[sheet] = original.read_text(encoding="utf-8")
    used = css_trim.used_names(pages, scripts) | BOOTSTRAP_CLASSES
    key = hashlib.sha256(
        json.dumps([sorted(used), [sources[s] for s in sheets]]).encode()
    ).hexdigest()
    stamp = untrimmed / "trimmed.sha256"
    if (
        stamp.exists()
        and stamp.read_text() == key
        and all(s.read_text(encoding="utf-8").startswith(TRIMMED_MARK) for s in sheets)
    ):
        return  # nothing changed since the last trim
    trimmed = {
        sheet: css_trim.trim_css(source, used) for sheet, source in sources.items()
    }
    shutil.rmtree(
        static / "egov-fonts", ignore_errors=True
    )  # subsets of an earlier trim
    everything = "".join(trimmed.values())  # icons may be named by any sheet
    for sheet, text in trimmed.items():
        if "@font-face" in text and "fontawesome" in text:
            text = css_trim.subset_fonts(text, sheet, static, everything)
        sheet.write_text(TRIMMED_MARK + text, encoding="utf-8")
    stamp.write_text(key)


KEEP_WHITE_SPACE = re.compile(
    r"(<(pre|textarea|script|style)\b.*?</\2\s*>)|\n\s+", re.S | re.I
)


def collapse_white_space(html: str) -> str:
    """The page without the indentation of its lines (see the module doc)."""
    return KEEP_WHITE_SPACE.sub(lambda m: m[1] or "\n", html)


def collapse_pages(outdir: Path) -> None:
    static = outdir / "_static"
    for page in outdir.rglob("*.html"):
        if static in page.parents:
            continue
        text = page.read_text(encoding="utf-8")
        collapsed = collapse_white_space(text)
        if collapsed != text:
            page.write_text(collapsed, encoding="utf-8")


FRONT_DOOR = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="_static/{icon}">
<meta http-equiv="Refresh" content="0; url={first_page}">
</head>
<body><p><a href="{first_page}">{title}</a></p></body>
</html>
"""


def write_front_door(app, exception) -> None:
    """index.html, before sphinx-external-toc writes its redirect (it does not replace
    an existing one)."""
    if exception is not None or app.builder.name != "html":
        return
    first_page = f"{app.config.root_doc}.html"
    if first_page == "index.html":
        return
    icon = Path(app.config.html_favicon or "favicon.svg").name
    page = FRONT_DOOR.format(
        title=html.escape(app.config.html_title or app.config.project),
        icon=icon,
        first_page=first_page,
    )
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


def on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    # The theme writes its Font Awesome script to _static whether or not a page uses it;
    # remove it so nothing can load it.
    script = outdir / "_static" / "scripts" / "fontawesome.js"
    if script.exists():
        script.unlink()
    trim_stylesheets(outdir, Path(app.doctreedir).parent / UNTRIMMED / outdir.name)
    collapse_pages(outdir)


def setup(app):
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context)
    # After the theme's own build-finished step, which rewrites pygments.css.
    app.connect("build-finished", on_build_finished, priority=900)
    app.connect("build-finished", write_front_door, priority=100)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
