"""Sphinx extension: serve the Vega libraries from the book itself, never from a CDN.

Altair's chart HTML loads vega, vega-lite and vega-embed from cdn.jsdelivr.net. This
extension copies the vendored builds in ``vega_vendor/vega/`` (refreshed by
``make vendor``) into ``_static/vega/`` and, on each page that has a chart, rewrites those
URLs to the local files. A chart that asks for a version that is not vendored is reported
as a warning, which ``-W`` turns into a failed build.

It also compiles each chart's Vega-Lite specification to Vega at build time (with
vl-convert, offline), so readers' browsers need not download Vega-Lite (250 KB) at all.
The notebooks keep the Vega-Lite specifications, which students can read and change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

VENDOR_ROOT = Path(__file__).resolve().parent / "vega_vendor"
CDN_URL = re.compile(r"https://cdn\.jsdelivr\.net/npm/(?P<package>vega(?:-lite|-embed|-lib)?)(?:@(?P<spec>[0-9][\w.\-]*))?")
# Altair's template lists vega-lib (the old name of vega) but never loads it.
ALIASES = {"vega-lib": "vega"}


def vendored_versions() -> dict[str, dict]:
    return json.loads((VENDOR_ROOT / "vega" / "versions.json").read_text(encoding="utf-8"))


def matches(spec: str | None, version: str) -> bool:
    """npm-style: '6' matches 6.x.y, '6.4' matches 6.4.x, '6.4.1' only itself."""
    if not spec:
        return True
    return version.split(".")[: len(spec.split("."))] == spec.split(".")


def rewrite(body: str, relative_static: str, versions: dict[str, dict], page: str) -> str:
    def local(match: re.Match) -> str:
        package = ALIASES.get(match["package"], match["package"])
        entry = versions.get(package)
        if entry is None or not matches(match["spec"], entry["version"]):
            have = entry["version"] if entry else "none"
            logger.warning(
                "%s: a chart asks for %s@%s but the vendored version is %s; run `make vendor`",
                page, match["package"], match["spec"], have, type="offline_vega", location=page)
            return match[0]
        return f"{relative_static}/vega/{entry['file']}"

    return CDN_URL.sub(local, body)


SPEC_SCRIPT = re.compile(
    r'(<script type="application/json" id="(?P<id>egov-chart-[0-9a-f]+)-spec">)(?P<spec>.*?)(</script>)', re.S)
VEGA_LITE_MODE = '"mode": "vega-lite"'


def compile_charts(body: str, page: str) -> str:
    """Replace each chart's Vega-Lite spec by its Vega compilation, and tell vega-embed so."""
    import vl_convert

    vega_lite = ".".join(vendored_versions()["vega-lite"]["version"].split(".")[:2])

    def compiled(match: re.Match) -> str:
        spec = json.loads(match["spec"].replace("<\\/", "</"))
        try:
            vega = vl_convert.vegalite_to_vega(spec, vl_version=vega_lite)
        except Exception as error:  # reported, and -W fails the build
            logger.warning("%s: chart %s does not compile to Vega: %s", page, match["id"], error,
                           type="offline_vega", location=page)
            return match[0]
        # Keep the text alternative where the page's scripts and readers expect it.
        vega["description"] = spec.get("description", "")
        text = json.dumps(vega, separators=(",", ":")).replace("</", "<\\/")
        return match[1] + text + match[4]

    count = len(SPEC_SCRIPT.findall(body))
    body = SPEC_SCRIPT.sub(compiled, body)
    if body.count(VEGA_LITE_MODE) != count:
        logger.warning("%s: expected %d chart embed options, found %d", page, count, body.count(VEGA_LITE_MODE),
                       type="offline_vega", location=page)
    return body.replace(VEGA_LITE_MODE, '"mode": "vega"')


def on_config_inited(app, config) -> None:
    config.html_static_path.append(str(VENDOR_ROOT))


def on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if "cdn.jsdelivr.net/npm/vega" not in body:
        return
    static = context["pathto"]("_static", 1)
    context["body"] = rewrite(compile_charts(body, pagename), static, vendored_versions(), pagename)


def setup(app):
    app.connect("config-inited", on_config_inited)
    app.connect("html-page-context", on_html_page_context)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
