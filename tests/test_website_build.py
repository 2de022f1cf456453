"""The website's build steps without a browser: charts compiled, made responsive and
given shared data files (offline_vega.py); stylesheets trimmed and code unwrapped
(css_trim.py, lean_theme.py). The browser suite (test_browser.py) checks the built site
itself."""

import json
import math
import re
import sys
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

import egovbook
from egovbook.notebook_output import CHART_MIME

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import css_trim  # noqa: E402
import lean_theme  # noqa: E402
import offline_vega  # noqa: E402


def figure_html(chart) -> str:
    return chart._repr_mimebundle_()[CHART_MIME]


def survey_like(rows: int = 60) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2003 + (i % 12) * 2 for i in range(rows)],
            "country": [f"Country {i % 7}" for i in range(rows)],
            "component": [("OSI", "TII", "HCI")[i % 3] for i in range(rows)],
            "value": [round(i / rows, 5) for i in range(rows)],
        }
    )


def line_chart():
    chart = (
        alt.Chart(survey_like())
        .mark_line()
        .encode(x="year:Q", y="value:Q", color="country:N")
    )
    return egovbook.finish(chart, "A line chart", description="Lines, one per country.")


def facet_chart():
    chart = (
        alt.Chart(survey_like())
        .mark_point()
        .encode(x="value:Q", y="year:Q")
        .properties(width=150)
    )
    chart = chart.facet(column=alt.Column("component:N", sort=["OSI", "TII", "HCI"]))
    return egovbook.finish(
        chart, "Three panels", description="One panel per component."
    )


def specs(html: str) -> dict[str, dict]:
    found = re.findall(
        r'<script type="application/json" id="(egov-chart-[0-9a-f]+-spec(?:-narrow)?)">'
        r"(.*?)</script>",
        html,
        re.S,
    )
    return {name: json.loads(text.replace("<\\/", "</")) for name, text in found}


def as_javascript_reads(values: list) -> list:
    """Numbers as JavaScript holds them, where 1 and 1.0 are one number."""
    return [float(v) if type(v) in (int, float) else v for v in values]


def test_columns_round_trip_exactly():
    columns = [
        [2003, 2003, 2003, 2004, 2004, 2005],
        ["Kazakhstan", "Uzbekistan", "Kazakhstan", "Kazakhstan", None, "Uzbekistan"],
        [0.0, -0.0, 0, 1, True, None],
        [0.1 + 0.2, 1e-7, 0.32078999999999996, math.pi, 2.5, 3],
        [0.1 + 0.2, 0.5, 0.25],  # 17 decimals: too many for whole numbers
        [0.32079, 0.268, 0, None, 0.9, 1.0, -0.5, 1, 1e-05]
        + [round(i * 0.01237, 5) for i in range(40)],  # scores: no value repeats
    ]
    for values in columns:
        encoded = offline_vega.encode_column(values)
        decoded = offline_vega.decode_column(json.loads(offline_vega.dumps(encoded)))
        if "s" in encoded:  # whole numbers and a divisor: JavaScript's view
            assert json.dumps(decoded) == json.dumps(as_javascript_reads(values))
        else:
            assert json.dumps(decoded) == json.dumps(values)
    scores = offline_vega.encode_column(columns[-1])
    assert scores["s"] == 100_000 and scores["o"] == -50_000  # -0.5, the smallest
    codes = offline_vega.from_fixed_width(scores)
    assert codes[:4] == [82080, 76801, 50001, 0]  # n - offset + 1; 0 for a null
    assert len(offline_vega.dumps(scores)) < len(offline_vega.dumps(columns[-1]))
    assert "s" not in offline_vega.encode_column(columns[-2])
    assert "s" not in offline_vega.encode_column([0.5, True, 0.25] * 9)
    assert offline_vega.fixed_width([5, 40, 1295]) == {"w": 2, "x": "0514zz"}
    assert offline_vega.from_fixed_width({"w": 2, "x": "0514zz"}) == [5, 40, 1295]
    countries = offline_vega.encode_column(columns[1] * 20)
    assert countries["w"] == 1 and countries["x"].startswith("010021")
    runs = offline_vega.encode_column([2003] * 200 + [2004] * 200)
    assert "r" in runs and len(offline_vega.dumps(runs)) < 40


def test_build_strips_the_inline_runtime_and_moves_rows_to_shared_files():
    html = figure_html(line_chart())
    assert (
        "data-egov-runtime" in html and "cdn.jsdelivr.net" in html
    )  # a notebook's chart works alone
    files: dict[str, str] = {}
    built = offline_vega.compile_charts(html, "page", files)
    assert (
        "data-egov-runtime" not in built
        and "cdn.jsdelivr.net" not in built
        and "<style" not in built
    )
    vega = specs(built)
    assert list(vega) == [next(iter(vega))]  # a line chart needs no narrow version
    spec = next(iter(vega.values()))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega/v")
    assert spec["description"] == "Lines, one per country."
    assert not any("values" in entry for entry in spec["data"])
    original = line_chart().to_dict()["datasets"]
    assert offline_vega.rows_of(spec, files) == list(original.values())
    assert (
        spec["usermeta"]["egov"]["fit"] == "x" and spec["autosize"]["type"] == "fit-x"
    )
    again: dict[str, str] = {}
    offline_vega.compile_charts(figure_html(line_chart()), "other page", again)
    assert (
        again.keys() == files.keys()
    )  # the same rows, the same files: cached across pages


def test_charts_with_panels_get_a_narrow_version_with_one_panel_per_row():
    files: dict[str, str] = {}
    vega = specs(offline_vega.compile_charts(figure_html(facet_chart()), "page", files))
    wide, patch = vega.values()
    # The narrow version is written as its differences from the wide one.
    assert list(patch) == ["egovPatch"]
    narrow = offline_vega.apply_patch(wide, patch["egovPatch"])
    assert len(offline_vega.dumps(patch)) < len(offline_vega.dumps(narrow)) / 2
    assert (
        wide["usermeta"]["egov"]["fit"] == narrow["usermeta"]["egov"]["fit"] == "layout"
    )
    assert narrow["layout"]["columns"] == 1
    assert {"name": "child_width", "value": 150} in narrow["usermeta"]["egov"]["widths"]
    assert offline_vega.rows_of(wide, files) == offline_vega.rows_of(narrow, files)


@pytest.mark.parametrize(
    "old, new",
    [
        ({"a": 1, "b": [1, 2, 3], "c": {"d": "x"}}, {"a": 1, "b": [1, 5, 3], "e": 2}),
        ({"a": [1, 2]}, {"a": [1, 2, 3]}),  # a list of another length
        ({"a": 1}, {"a": True}),  # equal in Python, not in JSON
        ({"a": {"b": {"c": [0, {"d": 1}]}}}, {"a": {"b": {"c": [0, {"d": 2}]}}}),
        ([{"x": 1}, "y"], [{"x": 1, "z": None}, "y"]),
        ([{"name": "a", "n": [1] * 50}, "b"], ["c", {"name": "a", "n": [1] * 49}, "b"]),
        ({"a": 1}, {"a": 1}),
    ],
)
def test_spec_patch_turns_the_old_version_into_the_new(old, new):
    before = json.dumps(old)
    patch = offline_vega.spec_patch(old, new)
    assert patch is not None
    rebuilt = offline_vega.apply_patch(old, json.loads(offline_vega.dumps(patch)))
    # Object keys may come back in another order, which a JSON object does not keep.
    assert json.dumps(rebuilt, sort_keys=True) == json.dumps(new, sort_keys=True)
    assert json.dumps(old) == before  # the old version is left as it was


def test_legends_and_titles_follow_the_width():
    spec = next(
        iter(
            specs(
                offline_vega.compile_charts(figure_html(line_chart()), "page")
            ).values()
        )
    )
    assert spec["title"]["text"] == {"signal": "egov_title"}
    assert spec["usermeta"]["egov"]["title"]["lines"] == ["A line chart"]
    assert spec["legends"][0]["orient"] == {
        "signal": "egov_narrow ? 'bottom' : 'right'"
    }
    assert spec["signals"][0] == {"name": "egov_narrow", "value": False}


def test_on_a_phone_long_axis_titles_wrap_and_wide_legends_get_columns():
    """Under the plot, a title wider than a phone's plot goes on two lines, and a legend
    in a row wider than the plot gets fewer columns; short ones are left alone."""
    names = ["Kazakhstan", "EGDI leader of the edition", "World median"]
    data = pd.DataFrame({"x": [0.1, 0.5, 0.9], "y": [1, 2, 3], "series": names})

    def chart(x_title, labels):
        drawn = (
            alt.Chart(data.assign(series=labels))
            .mark_point()
            .encode(
                x=alt.X("x:Q", title=x_title),
                y="y:Q",
                color=alt.Color(
                    "series:N",
                    scale=alt.Scale(domain=labels),
                    legend=alt.Legend(orient="top"),
                ),
            )
        )
        html = figure_html(egovbook.finish(drawn, "Chart", description="Points."))
        return next(iter(specs(offline_vega.compile_charts(html, "page")).values()))

    long_title = "E-Government Development Index (EGDI) (index, 0 to 1)"
    wide = chart(long_title, names)
    bottom = next(a for a in wide["axes"] if a["orient"] == "bottom" and "title" in a)
    assert bottom["title"] == {
        "signal": 'egov_narrow ? ["E-Government Development",'
        '"Index (EGDI) (index, 0 to 1)"] : "' + long_title + '"'
    }
    # Estimated at 7 px a character, no two of these fit side by side in 220 px.
    assert wide["legends"][0]["columns"] == {"signal": "egov_narrow ? 1 : 0"}

    short = chart("Survey edition", ["OSI", "TII", "HCI"])
    bottom = next(a for a in short["axes"] if a["orient"] == "bottom" and "title" in a)
    assert bottom["title"] == "Survey edition"
    assert "columns" not in short["legends"][0]


@pytest.mark.parametrize(
    "labels, columns",
    [
        (["OSI", "TII", "HCI"], None),
        (["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Uzbekistan"], 2),
        (
            [
                "Kazakhstan",
                "Central Asia mean",
                "World mean",
                "Country from the drop-down",
            ],
            1,
        ),
        (None, 1),  # labels known only from the data
    ],
)
def test_legend_columns_on_a_phone(labels, columns):
    assert offline_vega.legend_columns(labels) == columns


def test_a_transform_left_out_of_vega_book_fails_the_build(monkeypatch):
    warnings = []
    monkeypatch.setattr(
        offline_vega.logger, "warning", lambda *args, **kw: warnings.append(args)
    )
    chart = alt.Chart(survey_like()).mark_point().encode(x="year:Q", y="value:Q")
    chart = egovbook.finish(
        chart + chart.transform_loess("year", "value").mark_line(),
        "Smoothed",
        description="A loess line.",
    )
    offline_vega.compile_charts(figure_html(chart), "page")
    assert any(
        "left out of vega-book" in str(w[0]) and "loess" in str(w[3:]) for w in warnings
    )


def test_strip_comments_keeps_the_runtime_working():
    source = (offline_vega.RUNTIME_DIR / "egov-charts.js").read_text(encoding="utf-8")
    stripped = offline_vega.strip_comments(source)
    assert len(stripped) < 0.8 * len(source)
    assert (
        "window.egovCharts = {" in stripped
        and "egov-data/" in stripped
        and "/*" not in stripped
    )


@pytest.mark.parametrize(
    "selector,kept",
    [
        (".used", True),
        (".unused", False),
        (".used .unused", False),
        ("#used-id", True),
        ("#gone", False),
        ("a:not(.unused)", True),
        ("html[data-theme=dark] .used", False),
        ("html[data-theme=light] .used", True),
        ("div > p", True),
        (".used::before", True),
        (":is(.unused, .used) p", True),
    ],
)
def test_trimming_keeps_only_rules_that_can_match(selector, kept):
    used = {"used", "used-id"}
    css = css_trim.trim_css(f"{selector}{{color:red}}", used)
    assert (selector.replace(" ", "") in css.replace(" ", "")) is kept


def test_trimming_keeps_media_queries_and_escapes_icons():
    css = css_trim.trim_css(
        "@media (max-width:600px){.used{color:red}.gone{color:blue}}"
        '.fa-x:before{content:"\\f002"}',
        {"used", "fa-x"},
    )
    assert "@media" in css and ".used" in css and ".gone" not in css
    assert '"\\f002 "' in css and css.isascii()
    assert css_trim.CODEPOINT.findall(css) == ["f002"]


def test_names_come_from_pages_and_scripts(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<div class="a b" id="c"></div><span class=\'d\'></span>', encoding="utf-8"
    )
    script = tmp_path / "s.js"
    script.write_text('el.classList.add("shown-later")', encoding="utf-8")
    assert {"a", "b", "c", "d", "shown-later"} <= css_trim.used_names([page], [script])


def test_white_space_is_collapsed_except_where_it_can_matter():
    page = (
        "<div>\n    <p>Two\n      words</p>\n\n  <pre>a\n    b</pre>\n"
        "  <script>\n  let x = 1;\n</script>\n  <textarea>\n  t</textarea>\n</div>"
    )
    assert lean_theme.collapse_white_space(page) == (
        "<div>\n<p>Two\nwords</p>\n<pre>a\n    b</pre>\n"
        "<script>\n  let x = 1;\n</script>\n<textarea>\n  t</textarea>\n</div>"
    )


def test_code_spans_in_the_code_colour_are_unwrapped():
    plain = lean_theme.plain_token_classes("a11y-high-contrast-light")
    assert {"n", "p"} <= plain and "s2" not in plain and "k" not in plain
    body = (
        '<div class="highlight-ipython3 notranslate"><div class="highlight"><pre>'
        '<span class="n">x</span><span class="o">=</span>'
        '<span class="s2">&quot;a&quot;</span></pre></div></div>'
        '<p><span class="n">prose</span></p>'
    )
    out = lean_theme.unwrap_plain_spans(body, plain)
    assert '<pre>x<span class="o">=</span><span class="s2">' in out
    assert '<p><span class="n">prose</span></p>' in out  # only inside highlighted code
