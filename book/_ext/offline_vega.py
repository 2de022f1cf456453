"""Sphinx extension: the book's charts on the website, offline, light and fitted.

The notebooks' chart HTML (``egovbook/chart.html.j2``) works on its own: each chart
carries the chart runtime inline, its Vega-Lite specification with its rows, and CDN
addresses for Vega. On each page with charts, this extension rewrites that HTML for the
website:

* **Offline.** Vega (``vega-book``, a build without the transforms the book does not
  use) and vega-tooltip are served from ``_static/vega/`` (vendored in
  ``vega_vendor/vega/``, refreshed by ``make vendor``); a chart that needs a transform
  left out fails the build. A chart that asks for a version of Vega or Vega-Lite that
  is not vendored is reported as a warning, which ``-W`` turns into a failed build.
* **Compiled.** Each Vega-Lite specification is compiled to Vega at build time
  (vl-convert, offline), so readers never download Vega-Lite. The notebooks keep the
  Vega-Lite specifications, which students can read and change.
* **One runtime.** The inline copies of the runtime (``egov-charts.js`` and ``.css``)
  are removed; the page loads the one copy in ``_static``, cached across pages.
* **Shared data.** Each chart's rows move to data files under ``_static/egov-data/``,
  one file per column, named by the hash of its content: a column used by several
  charts, on this page or another, is downloaded once and then comes from the
  browser's cache. Columns are stored compactly (repeated values as a dictionary, runs
  as run lengths, decimals as whole numbers over one divisor, codes as fixed-width
  base-36 digits); the runtime rebuilds exactly the same rows. Data files are scripts,
  not JSON, so the site also works opened from disk (file://), where browsers refuse
  fetch().
* **Fitted.** Single and layered charts take the width of the text column (Vega's
  "fit-x" autosize); charts made of panels (facets, concatenations) get their panel
  widths from the runtime. Below ``NARROW`` pixels, legends go under the plot and
  titles wrap; a chart with panels side by side has a second, narrow version with one
  panel per row (``<script id="...-spec-narrow">``), written as its differences from
  the wide version (``spec_patch``). ``usermeta.egov`` tells the runtime what it may
  change.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

VENDOR_ROOT = Path(__file__).resolve().parent / "vega_vendor"
RUNTIME_DIR = Path(__file__).resolve().parents[1] / "egovbook"
RUNTIME_FILES = ("egov-charts.js", "egov-charts.css")
DATA_DIR = "egov-data"
NARROW = 560  # px: below this column width, legends go under the plot and panels stack
# A phone's plot: about 280 px of a 342-px column once the y axis is drawn, 220 px in a
# solution's drop-down, which is narrower. Text is estimated at 7 px a character (12-px
# labels and bold titles); the browser tests measure what is drawn.
NARROW_PLOT = 220
CHAR_WIDTH = 7.0
LEGEND_SYMBOL = 26  # px: a legend entry's symbol and the gap before its label
LEGEND_PADDING = 10  # px: Vega's default columnPadding
INLINE_LIMIT = (
    1024  # bytes: smaller columns stay in the page, larger ones go to data files
)

CDN_URL = re.compile(
    r"https://cdn\.jsdelivr\.net/npm/(?P<package>vega(?:-lite|-embed|-lib)?)"
    r"(?:@(?P<spec>[0-9][\w.\-]*))?"
)
# Altair's template lists vega-lib (the old name of vega) but never loads it.
ALIASES = {"vega-lib": "vega"}


def vendored_versions() -> dict[str, dict]:
    return json.loads(
        (VENDOR_ROOT / "vega" / "versions.json").read_text(encoding="utf-8")
    )


def matches(spec: str | None, version: str) -> bool:
    """npm-style: '6' matches 6.x.y, '6.4' matches 6.4.x, '6.4.1' only itself."""
    if not spec:
        return True
    return version.split(".")[: len(spec.split("."))] == spec.split(".")


def rewrite(
    body: str, relative_static: str, versions: dict[str, dict], page: str
) -> str:
    """Point CDN addresses of Vega libraries at the vendored files.

    Warn about versions that are not vendored."""

    def local(match: re.Match) -> str:
        package = ALIASES.get(match["package"], match["package"])
        entry = versions.get(package)
        if entry is None or not matches(match["spec"], entry["version"]):
            have = entry["version"] if entry else "none"
            logger.warning(
                "%s: a chart asks for %s@%s but the vendored version is %s; "
                "run `make vendor`",
                page,
                match["package"],
                match["spec"],
                have,
                type="offline_vega",
                location=page,
            )
            return match[0]
        return f"{relative_static}/vega/{entry['file']}"

    return CDN_URL.sub(local, body)


# --- the chart figure -----------------------------------------------------------------

FIGURE = re.compile(
    r'<figure class="egov-chart" id="(?P<id>egov-chart-[0-9a-f]+)-figure"'
    r"(?P<attrs>[^>]*)>"
    r"(?P<inner>.*?)</figure>",
    re.S,
)
SPEC_SCRIPT = re.compile(
    r'(<script type="application/json" id="(?P<id>egov-chart-[0-9a-f]+)-spec">)'
    r"(?P<spec>.*?)(</script>)",
    re.S,
)
RUNTIME_BLOCK = re.compile(r"<(style|script) data-egov-runtime>.*?</\1>\n?", re.S)
LIBRARIES = re.compile(r"\s*data-egov-libraries='(?P<urls>[^']*)'")


def dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def script_json(value) -> str:
    """JSON that can sit inside a <script> element."""
    return dumps(value).replace("</", "<\\/")


# --- responsive layout ----------------------------------------------------------------

LAYOUT_KEYS = ("facet", "vconcat", "hconcat", "concat", "repeat")


def kind(spec: dict) -> str:
    if any(key in spec for key in LAYOUT_KEYS):
        return "layout"
    return "fit" if ("mark" in spec or "layer" in spec) else "none"


def prepare_vega_lite(spec: dict) -> dict:
    """Single and layered charts fit their column's width ("fit-x" autosize)."""
    spec = copy.deepcopy(spec)
    if kind(spec) == "fit":
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def narrow_variant(spec: dict) -> dict | None:
    """The same chart with its panels one per row, for narrow columns.

    None if the chart already has one column."""
    spec = copy.deepcopy(spec)
    facet = spec.get("facet")
    if isinstance(facet, dict) and set(facet) == {"column"}:
        spec["facet"] = dict(facet["column"])
        spec["columns"] = 1
        # Stacked panels: a y-axis title longer than a panel's height would run into
        # the next panel.
        height = spec.get("spec", {}).get("height", 200)
        walk(spec.get("spec", {}), lambda node: wrap_axis_title(node, height))
        return spec
    if isinstance(facet, dict) and "field" in facet and spec.get("columns", 0) != 1:
        spec["columns"] = 1
        return spec
    if "hconcat" in spec:
        spec["vconcat"] = spec.pop("hconcat")
        return spec
    if "concat" in spec and spec.get("columns", 0) != 1:
        spec["columns"] = 1
        return spec
    return None


def two_lines(text: str) -> list[str]:
    """A title as two lines, broken at the space nearest its middle (one line if it
    has no space)."""
    words = text.split(" ")
    half = len(text) / 2
    split = min(
        range(1, len(words)),
        key=lambda i: abs(len(" ".join(words[:i])) - half),
        default=None,
    )
    return [" ".join(words[:split]), " ".join(words[split:])] if split else [text]


def wrap_axis_title(node: dict, height: float) -> None:
    """Split an encoding's y-axis title into two lines if longer than ``height``."""
    y = (
        node.get("y")
        if isinstance(node.get("y"), dict) and "field" in node.get("y", {})
        else None
    )
    if y is None or not isinstance(y.get("title"), str):
        return
    if len(y["title"]) * CHAR_WIDTH > height:
        y["title"] = two_lines(y["title"])


def legend_columns(labels: list[str] | None) -> int | None:
    """How many columns a legend laid out in a row needs to fit a phone's plot: None
    if all its entries fit in one row, 1 if its labels are not known before the data
    is."""
    if labels is None:
        return 1
    widths = [LEGEND_SYMBOL + len(label) * CHAR_WIDTH for label in labels]
    for columns in range(len(widths), 0, -1):
        # Vega sizes each column to its widest entry (gridAlign "each").
        width = sum(
            max(widths[start::columns]) for start in range(min(columns, len(widths)))
        ) + LEGEND_PADDING * (columns - 1)
        if width <= NARROW_PLOT:
            return None if columns == len(widths) else columns
    return 1


def title_fonts(vega: dict) -> tuple[str, str]:
    """CSS fonts of the title and subtitle, as Vega draws them with this config."""
    config = vega.get("config", {})
    style = config.get("style", {})
    title = {**config.get("title", {}), **style.get("group-title", {})}
    subtitle = {**style.get("group-subtitle", {})}
    family = title.get("font") or config.get("font") or "sans-serif"
    title_font = (
        f"{title.get('fontWeight', 'bold')} {title.get('fontSize', 13)}px {family}"
    )
    sub_family = (
        subtitle.get("font") or config.get("title", {}).get("subtitleFont") or family
    )
    sub_size = (
        subtitle.get("fontSize")
        or config.get("title", {}).get("subtitleFontSize")
        or 12
    )
    return title_font, f"normal {sub_size}px {sub_family}"


def walk(node, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            walk(value, visit)


WIDTH_SIGNAL = re.compile(r"^(width|child_width|childWidth|concat_\d+_width)$")


def make_responsive(vega: dict, chart_kind: str) -> dict:
    """Signals the runtime sets for the column width and where the chart reads them."""
    signals = vega.setdefault("signals", [])
    signals.insert(0, {"name": "egov_narrow", "value": False})
    meta: dict = {
        "fit": {"fit": "x", "layout": "layout"}.get(chart_kind, "none"),
        "narrow": NARROW,
    }

    title = vega.get("title")
    if isinstance(title, dict) and title.get("text"):
        title_font, subtitle_font = title_fonts(vega)
        for key, font, signal in (
            ("text", title_font, "egov_title"),
            ("subtitle", subtitle_font, "egov_subtitle"),
        ):
            lines = title.get(key)
            if not lines or isinstance(lines, dict):
                continue
            lines = lines if isinstance(lines, list) else [lines]
            signals.insert(1, {"name": signal, "value": lines})
            title[key] = {"signal": signal}
            meta["title" if key == "text" else "subtitle"] = {
                "lines": lines,
                "font": font,
            }

    default_orient = vega.get("config", {}).get("legend", {}).get("orient", "right")

    scales = {
        scale["name"]: scale
        for scale in vega.get("scales", [])
        if isinstance(scale, dict) and "name" in scale
    }

    def legends(node: dict) -> None:
        for legend in (
            node.get("legends", []) if isinstance(node.get("legends"), list) else []
        ):
            orient = legend.get("orient", default_orient)
            if orient in ("left", "right"):
                legend["orient"] = {"signal": f"egov_narrow ? 'bottom' : '{orient}'"}
            elif orient in ("top", "bottom"):
                # Entries in a row wider than a phone: fewer columns there. Vega
                # would otherwise draw them past the chart's right edge.
                scale = next(
                    (
                        scales.get(legend[channel])
                        for channel in ("fill", "stroke", "shape", "strokeDash")
                        if isinstance(legend.get(channel), str)
                    ),
                    None,
                )
                domain = (scale or {}).get("domain")
                labels = (
                    [str(label) for label in domain]
                    if isinstance(domain, list)
                    else None
                )
                columns = legend_columns(labels)
                wide = legend.get("columns", 0)
                if not isinstance(wide, int):  # a signal: the chart decides
                    continue
                if columns is not None and (not wide or columns < wide):
                    legend["columns"] = {"signal": f"egov_narrow ? {columns} : {wide}"}

    walk(vega, legends)

    def axes(node: dict) -> None:
        for axis in node.get("axes", []) if isinstance(node.get("axes"), list) else []:
            # Every edition labelled (labelOverlap false) fits a column, not a phone:
            # there, labels that would overlap are left out.
            if axis.get("labelOverlap") is False:
                axis["labelOverlap"] = {"signal": "egov_narrow ? 'greedy' : false"}
            # A title under (or over) the plot wider than a phone's plot goes on two
            # lines there; otherwise it runs off both sides of the chart.
            title = axis.get("title")
            if (
                axis.get("orient") in ("top", "bottom")
                and isinstance(title, str)
                and len(title) * CHAR_WIDTH > NARROW_PLOT
            ):
                lines = dumps(two_lines(title))
                axis["title"] = {"signal": f"egov_narrow ? {lines} : {dumps(title)}"}

    walk(vega, axes)

    if chart_kind == "layout":
        columns = vega.get("layout", {}).get("columns")
        meta["columns"] = columns if isinstance(columns, int) and columns > 0 else 1
        widths = []
        if isinstance(vega.get("width"), (int, float)):
            widths.append({"name": "width", "value": vega["width"]})
        for signal in signals:
            if (
                WIDTH_SIGNAL.match(signal["name"])
                and isinstance(signal.get("value"), (int, float))
                and set(signal) == {"name", "value"}
            ):
                widths.append({"name": signal["name"], "value": signal["value"]})
        meta["widths"] = widths
        if not widths:
            meta["fit"] = "none"
    vega.setdefault("usermeta", {})["egov"] = meta
    return vega


# --- data files -----------------------------------------------------------------------


def run_lengths(codes: list[int]) -> list[int]:
    out: list[int] = []
    for code in codes:
        if out and out[-2] == code:
            out[-1] += 1
        else:
            out += [code, 1]
    return out


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def fixed_width(numbers: list[int]) -> dict:
    """Whole numbers from 0 up as one string of base-36 digits, each number the same
    number of digits ("w"): [5, 40, 1295] is {"w": 2, "x": "0514zz"}."""
    width = 1
    while 36**width <= max(numbers, default=0):
        width += 1
    text = []
    for number in numbers:
        digits = ""
        for _ in range(width):
            number, digit = divmod(number, 36)
            digits = DIGITS[digit] + digits
        text.append(digits)
    return {"w": width, "x": "".join(text)}


def from_fixed_width(encoded: dict) -> list[int]:
    width, text = encoded["w"], encoded["x"]
    return [int(text[i : i + width], 36) for i in range(0, len(text), width)]


def scaled(values: list) -> dict | None:
    """Decimals as whole numbers and one divisor: [0.32079, 0.268, None] is divisor
    "s" 100000, offset "o" 26800 (the smallest) and the numbers minus the offset, plus
    one (0 for a null), in fixed width (``fixed_width``): four characters for a score
    instead of eight.

    Only for a column of numbers (and nulls), some with decimals, that comes back
    exactly as JavaScript reads it (where 1 and 1.0 are one number): n / s, with s a
    power of ten up to 10**22 and |n| < 2**53, is the same double in Python and in
    JavaScript (both exact, so the division is correctly rounded), and it must be the
    original value. Decoded, every number is a float."""
    numbers = [v for v in values if v is not None]
    if not numbers or not all(type(v) in (int, float) for v in numbers):
        return None  # text, booleans
    if not any(type(v) is float for v in numbers):
        return None  # whole numbers already
    if not all(v == v and abs(v) < 2**53 for v in numbers):
        return None  # NaN and infinities (no JSON text), numbers past exact doubles
    decimals = [None if v is None else Decimal(repr(float(v))) for v in values]
    places = max(max(0, -d.as_tuple().exponent) for d in decimals if d is not None)
    if places > 22:
        return None
    divisor = 10**places
    whole = [None if d is None else int(d.scaleb(places)) for d in decimals]
    for value, n in zip(values, whole):
        if n is not None and (
            abs(n) >= 2**53 or repr(n / divisor) != repr(float(value))
        ):
            return None
    offset = min(n for n in whole if n is not None)
    codes = [0 if n is None else n - offset + 1 for n in whole]
    return {"s": divisor, "o": offset, **fixed_width(codes)}


def encode_column(values: list) -> object:
    """The smallest of: the values; a dictionary and a code per row (in fixed width);
    a dictionary and runs; whole numbers and a divisor (``scaled``).

    Values are told apart by their JSON text, so 0 and 0.0, or 1 and true, stay
    distinct."""
    plain = values
    best, size = plain, len(dumps(plain))
    whole = scaled(values)
    if whole is not None and len(dumps(whole)) < size:
        best, size = whole, len(dumps(whole))
    keys = [dumps(v) for v in values]
    index: dict[str, int] = {}
    dictionary = []
    for key, value in zip(keys, values):
        if key not in index:
            index[key] = len(dictionary)
            dictionary.append(value)
    if len(dictionary) < len(values):
        codes = [index[key] for key in keys]
        for candidate in (
            {"d": dictionary, **fixed_width(codes)},
            {"d": dictionary, "r": run_lengths(codes)},
        ):
            if len(dumps(candidate)) < size:
                best, size = candidate, len(dumps(candidate))
    return best


def decode_column(encoded) -> list:
    """The inverse of encode_column (the runtime does the same in JavaScript)."""
    if isinstance(encoded, list):
        return encoded
    if "s" in encoded:
        divisor, offset = encoded["s"], encoded["o"]
        return [
            (code - 1 + offset) / divisor if code else None
            for code in from_fixed_width(encoded)
        ]
    if "x" in encoded:
        return [encoded["d"][code] for code in from_fixed_width(encoded)]
    out = []
    runs = encoded["r"]
    for code, count in zip(runs[::2], runs[1::2]):
        out += [encoded["d"][code]] * count
    return out


def rows_of(vega: dict, files: dict[str, str]) -> list[list[dict]]:
    """Each data entry's rows rebuilt from its columns (inline, or in ``files``: hash
    -> data file text), as the runtime does; for the tests."""
    out = []
    for entry in vega.get("data", []):
        if "egov" not in entry:
            continue
        columns = []
        for column in entry["egov"]["c"]:
            if isinstance(column, str):
                text = files[column]
                column = json.loads(text[text.index(",") + 1 : text.rindex(")")])
            columns.append(decode_column(column))
        out.append(
            [
                dict(zip(entry["egov"]["k"], values, strict=True))
                for values in zip(*columns, strict=True)
            ]
        )
    return out


def column_hash(encoded) -> str:
    return hashlib.sha256(dumps(encoded).encode("utf-8")).hexdigest()[:20]


def data_file(name: str, encoded) -> str:
    return f'egovCharts.column("{name}",{script_json(encoded)});\n'


def split_data(vega: dict, files: dict[str, str]) -> dict:
    """Move each data entry's rows to columns.

    Small columns stay inline, others go into ``files`` (hash -> text)."""
    for entry in vega.get("data", []):
        rows = entry.get("values")
        if (
            not isinstance(rows, list)
            or not rows
            or not all(isinstance(row, dict) for row in rows)
        ):
            continue
        names = list(rows[0])
        if any(list(row) != names for row in rows):
            continue  # rows with different columns stay as they are
        encoded_columns = []
        for name in names:
            encoded = encode_column([row[name] for row in rows])
            if len(dumps(encoded)) <= INLINE_LIMIT:
                encoded_columns.append(encoded)
            else:
                digest = column_hash(encoded)
                files[digest] = data_file(digest, encoded)
                encoded_columns.append(digest)
        del entry["values"]
        entry["egov"] = {"n": len(rows), "k": names, "c": encoded_columns}
    return vega


# --- narrow versions as differences ---------------------------------------------------


def spec_patch(old, new) -> dict | None:
    """What turns ``old`` into ``new``, or None if ``new`` is better written whole.

    For two objects: {"=": {key: new value}, "-": [removed keys], "~": {key: patch}}.
    For two lists: {"*": items}, one item per element of ``new``: a position in ``old``
    (that element as it is), [position, patch] (that element patched) or {"v": value}.
    Values are compared by their JSON text (so 1 and true differ)."""
    if isinstance(old, list) and isinstance(new, list):
        return {"*": [list_item(old, value) for value in new]}
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return None
    replaced = {key: new[key] for key in new if key not in old}
    removed = [key for key in old if key not in new]
    patched = {}
    for key in new:
        if key not in old or dumps(old[key]) == dumps(new[key]):
            continue
        sub = spec_patch(old[key], new[key])
        if sub is None or len(dumps(sub)) >= len(dumps(new[key])):
            replaced[key] = new[key]
        else:
            patched[key] = sub
    patch = {"=": replaced, "-": removed, "~": patched}
    return {key: value for key, value in patch.items() if value}


def list_item(old: list, value):
    """The shortest way to write ``value`` from the elements of ``old``."""
    text = dumps(value)
    best = {"v": value}
    for position, candidate in enumerate(old):
        if dumps(candidate) == text:
            return position
        sub = spec_patch(candidate, value)
        if sub is not None and len(dumps([position, sub])) < len(dumps(best)):
            best = [position, sub]
    return best


def apply_patch(old, patch: dict):
    """``new`` from ``old`` and ``spec_patch(old, new)`` (the runtime does the same in
    JavaScript); ``old`` is not changed."""
    if "*" in patch:
        return [
            old[item]
            if isinstance(item, int)
            else apply_patch(old[item[0]], item[1])
            if isinstance(item, list)
            else item["v"]
            for item in patch["*"]
        ]
    new = dict(old)
    for key in patch.get("-", []):
        del new[key]
    new.update(patch.get("=", {}))
    for key, sub in patch.get("~", {}).items():
        new[key] = apply_patch(new[key], sub)
    return new


# --- compile --------------------------------------------------------------------------


def compile_spec(spec: dict, page: str, chart: str) -> dict | None:
    """A chart's Vega-Lite spec, compiled to Vega and made responsive.

    None (and a warning) if it does not compile."""
    import vl_convert

    if "vega-lite" not in spec.get("$schema", "vega-lite"):
        return spec
    vega_lite = ".".join(vendored_versions()["vega-lite"]["version"].split(".")[:2])
    try:
        vega = vl_convert.vegalite_to_vega(
            prepare_vega_lite(spec), vl_version=vega_lite
        )
    except Exception as error:  # reported, and -W fails the build
        logger.warning(
            "%s: chart %s does not compile to Vega: %s",
            page,
            chart,
            error,
            type="offline_vega",
            location=page,
        )
        return None
    # Keep the text alternative where the page's scripts and readers expect it.
    vega["description"] = spec.get("description", "")
    missing = sorted(
        transform_types(vega) - set(vendored_versions()["vega-book"]["transforms"])
    )
    if missing:
        logger.warning(
            "%s: chart %s uses Vega transforms left out of vega-book (%s); "
            "add their module back in book/_ext/vendor_assets.py (LEFT_OUT) "
            "and run `make vendor`",
            page,
            chart,
            ", ".join(missing),
            type="offline_vega",
            location=page,
        )
    return make_responsive(vega, kind(spec))


def transform_types(vega: dict) -> set[str]:
    found: set[str] = set()

    def visit(node: dict) -> None:
        for transform in (
            node.get("transform", []) if isinstance(node.get("transform"), list) else []
        ):
            if isinstance(transform, dict) and "type" in transform:
                found.add(str(transform["type"]).lower())

    walk(vega, visit)
    return found


def compile_charts(body: str, page: str, files: dict[str, str] | None = None) -> str:
    """Each chart figure on a page, as the website serves it (see the module doc)."""
    files = {} if files is None else files
    versions = vendored_versions()

    def figure(match: re.Match) -> str:
        chart, attrs, inner = match["id"], match["attrs"], match["inner"]
        libraries = LIBRARIES.search(attrs)
        if libraries:
            rewrite(
                libraries["urls"], "_static", versions, page
            )  # only to report unvendored versions
            attrs = LIBRARIES.sub("", attrs)
        inner = RUNTIME_BLOCK.sub("", inner)
        if "<script" in SPEC_SCRIPT.sub("", inner) or "<style" in inner:
            logger.warning(
                "%s: chart %s was made by an older egovbook (inline scripts); "
                "re-run the notebook (make execute)",
                page,
                chart,
                type="offline_vega",
                location=page,
            )

        def spec(script: re.Match) -> str:
            vega_lite = json.loads(script["spec"].replace("<\\/", "</"))
            vega = compile_spec(vega_lite, page, chart)
            if vega is None:
                return script[0]
            out = script[1] + script_json(split_data(vega, files)) + script[4]
            narrow = (
                narrow_variant(vega_lite)
                if "vega-lite" in vega_lite.get("$schema", "")
                else None
            )
            narrow = compile_spec(narrow, page, chart) if narrow else None
            if narrow is not None:
                narrow = split_data(narrow, files)
                patch = spec_patch(vega, narrow)  # vega: split above
                if patch is not None and len(dumps(patch)) < len(dumps(narrow)):
                    narrow = {"egovPatch": patch}
                out += (
                    f'<script type="application/json" id="{chart}-spec-narrow">'
                    f"{script_json(narrow)}</script>"
                )
            return out

        inner = SPEC_SCRIPT.sub(spec, inner)
        return f'<figure class="egov-chart" id="{chart}-figure"{attrs}>{inner}</figure>'

    return FIGURE.sub(figure, body)


# --- Sphinx ---------------------------------------------------------------------------


def write_data_files(outdir: Path, files: dict[str, str]) -> None:
    folder = outdir / "_static" / DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for digest, text in files.items():
        target = folder / f"{digest}.js"
        if not target.exists():  # named by content: an existing file is the same file
            target.write_text(text, encoding="utf-8")


def strip_comments(source: str) -> str:
    """The runtime without its comments and indentation.

    The runtime is written with this in mind: comments start a line or follow code
    after two spaces; no string holds "/*" or "  //"."""
    source = re.sub(r"/\*.*?\*/\n?", "", source, flags=re.S)
    lines = []
    for line in source.splitlines():
        line = re.sub(r"  // .*$", "", line).strip()
        if line and not line.startswith("//"):
            lines.append(line)
    return "\n".join(lines) + "\n"


def on_builder_inited(app) -> None:
    app.config.html_static_path.append(str(VENDOR_ROOT))
    runtime = Path(app.doctreedir).parent / "egov-runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_FILES:
        text = (RUNTIME_DIR / name).read_text(encoding="utf-8")
        (runtime / name).write_text(strip_comments(text), encoding="utf-8")
    app.config.html_static_path.append(str(runtime))


def runtime_scripts() -> list[str]:
    """The chart runtime's scripts under _static, in the order they must run: Vega, the
    tooltips, then the book's runtime."""
    versions = vendored_versions()
    vega = [f"vega/{versions[name]['file']}" for name in ("vega-book", "vega-tooltip")]
    return [*vega, "egov-charts.js"]


def prefetch_links(context) -> str:
    """<link rel="prefetch"> for the chart runtime, at the very address (with Sphinx's
    ?v= checksum) that a page with charts loads it from."""
    from sphinx.builders.html._assets import _JavaScript

    links = []
    for name in runtime_scripts():
        tag = context["js_tag"](_JavaScript(f"_static/{name}"))
        src = re.search(r'src="([^"]+)"', tag).group(1)
        links.append(f'<link rel="prefetch" as="script" href="{src}">\n')
    return "".join(links)


def on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if 'class="egov-chart"' not in body:
        # Every chapter has charts: a page without them (the teacher's guide, the
        # glossary) lets the browser fetch the chart runtime once it is idle, so the
        # next chapter does not wait for it.
        if "js_tag" in context:
            context["metatags"] = context.get("metatags", "") + prefetch_links(context)
        return
    files: dict[str, str] = {}
    context["body"] = compile_charts(body, pagename, files)
    write_data_files(Path(app.outdir), files)
    # Deferred scripts are downloaded while the page is parsed and run in order once it
    # is: Vega, the runtime, then the page's data files, each handing its column to the
    # runtime, which draws the first chart as soon as its columns are in.
    for name in runtime_scripts():
        app.add_js_file(name, defer="defer")
    for digest in sorted(files):
        app.add_js_file(
            f"{DATA_DIR}/{digest}.js", defer="defer", **{"data-egov-column": digest}
        )
    app.add_css_file("egov-charts.css")


# The extensions that rewrite a page as it is written. Sphinx writes again only the
# pages whose sources changed, so after a change to this code it would leave the others
# as the old code made them: the environment's version is the code's hash, and a new
# hash makes Sphinx read and write every page again.
PAGE_WRITERS = ("offline_vega.py", "lean_theme.py", "css_trim.py", "course_pack.py")


def code_version() -> int:
    digest = hashlib.sha256()
    for name in PAGE_WRITERS:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return int(digest.hexdigest()[:12], 16)


def setup(app):
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context)
    return {
        "version": "2.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": code_version(),
    }
