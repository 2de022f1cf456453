"""The book's chart theme, its Altair renderer, and the chart builders chapters share.

Importing :mod:`egovbook` registers and enables both the theme and the renderer, so a
chapter only imports what it uses. Every chart must carry a title, a source line and a
text alternative (``description``); :func:`finish` sets all three, and the renderer
refuses a chart without a description.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

import altair as alt
import jinja2
import pandas as pd

from . import notebook_output
from .paths import EDITIONS

# --- colours: the Okabe-Ito palette, safe for the common colour-vision deficiencies ---
# Prose names each colour by these names ("vermillion", never "orange" for Kazakhstan).
VERMILLION = "#D55E00"
BLUE = "#0072B2"
BLUISH_GREEN = "#009E73"
REDDISH_PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
ORANGE = "#E69F00"
BLACK = "#000000"
GREY = "#8c8c8c"

KAZAKHSTAN = "KAZ"
HIGHLIGHT = VERMILLION  # Kazakhstan (or the chosen country), in every chart of the book
COMPARISON = BLUE  # the country or group it is compared with
CONTEXT = GREY  # all other countries, when they are context
CENTRAL_ASIA = ("KAZ", "UZB", "KGZ", "TJK", "TKM")
CENTRAL_ASIA_COLOURS = {
    "Kazakhstan": HIGHLIGHT,
    "Uzbekistan": BLUE,
    "Kyrgyzstan": BLUISH_GREEN,
    "Tajikistan": REDDISH_PURPLE,
    "Turkmenistan": SKY_BLUE,
}
INDEX_COLOURS = {
    "OSI": BLUE,
    "TII": BLUISH_GREEN,
    "HCI": REDDISH_PURPLE,
    "EPI": ORANGE,
    "EGDI": BLACK,
}

# Readers see these names; the data uses the short column names.
INDEX_NAMES = {
    "egdi": "E-Government Development Index (EGDI)",
    "osi": "Online Service Index (OSI)",
    "tii": "Telecommunication Infrastructure Index (TII)",
    "hci": "Human Capital Index (HCI)",
    "epi": "E-Participation Index (EPI)",
}
INDEX_SHORT = {column: column.upper() for column in INDEX_NAMES}
UNIT = "index, 0 to 1"

UN_SOURCE = "Source: UN E-Government Survey 2003-2024 (UN DESA), via data/egdi.csv"
PAPER_SOURCE = "Source: Amagoh & Soltys (2019), Tables 1-3, via data/paper/"


# --- theme ----------------------------------------------------------------------------


@alt.theme.register("egovbook", enable=True)
def egovbook_theme() -> alt.theme.ThemeConfig:
    font = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
    return {
        "config": {
            "font": font,
            # No ARIA attributes on marks and axes: the drawing is one image named by
            # the chart's description (egov-charts.js), with the data table beside it,
            # so screen readers never reach the marks, and the thousands of labels would
            # only cost time to draw.
            "aria": False,
            "mark": {"aria": False},
            "view": {"continuousWidth": 520, "continuousHeight": 300, "stroke": None},
            "title": {
                "anchor": "start",
                "fontSize": 15,
                "subtitleFontSize": 12,
                "subtitleColor": "#4d4d4d",
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleColor": "#333333",
                "labelColor": "#333333",
                "gridColor": "#e6e6e6",
                "domainColor": "#8c8c8c",
            },
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "right"},
            "range": {
                "category": list(CENTRAL_ASIA_COLOURS.values()) + [ORANGE, BLACK]
            },
            "line": {"strokeWidth": 2},
            "point": {"size": 45, "filled": True},
        }
    }


def finish(
    chart: alt.TopLevelMixin,
    title: str,
    subtitle: str | list[str] | None = None,
    *,
    description: str,
    source: str = UN_SOURCE,
) -> alt.TopLevelMixin:
    """Give a chart its title, a subtitle ending with the source line, and its text
    alternative."""
    lines = (
        []
        if subtitle is None
        else ([subtitle] if isinstance(subtitle, str) else list(subtitle))
    )
    return chart.properties(
        title=alt.Title(title, subtitle=lines + [source]),
        description=description,
    )


# --- renderer: stable ids so stored notebook outputs are reproducible -----------------


class ChartWithoutDescription(ValueError):
    """Every chart in the book needs a text alternative."""


def chart_id(spec: dict) -> str:
    """An id derived from the chart itself: a re-run notebook gives the same HTML."""
    digest = hashlib.sha256(
        json.dumps(spec, sort_keys=True).encode("utf-8")
    ).hexdigest()
    return f"egov-chart-{digest[:16]}"


# The chart figure (chart.html.j2) carries the book's chart runtime (egov-charts.js and
# .css) inline, so a chart works on its own in a notebook. The website serves that
# runtime once, from _static, and the build moves each chart's rows to cached data files
# (book/_ext/offline_vega.py).
CHART_TEMPLATE = jinja2.Template(
    (Path(__file__).with_name("chart.html.j2")).read_text(encoding="utf-8")
)
CHART_RUNTIME_JS = (
    Path(__file__).with_name("egov-charts.js").read_text(encoding="utf-8")
)
CHART_RUNTIME_CSS = (
    Path(__file__).with_name("egov-charts.css").read_text(encoding="utf-8")
)


def chart_title(spec: dict) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text or "Chart")


def render(spec: dict, **metadata) -> dict:
    """Altair renderer: the chart, its description, downloads and a data table, with a
    stable id."""
    if not spec.get("description"):
        raise ChartWithoutDescription(
            "this chart has no description (its text alternative); "
            "build it with egovbook.finish(...)"
        )
    output_div = chart_id(spec)
    title = chart_title(spec)
    body = CHART_TEMPLATE.render(
        output_div=output_div,
        spec=json.dumps(spec, separators=(",", ":")).replace("</", "<\\/"),
        runtime_js=CHART_RUNTIME_JS,
        runtime_css=CHART_RUNTIME_CSS,
        description=html.escape(spec["description"]),
        title=html.escape(title),
        base_url="https://cdn.jsdelivr.net/npm",
        vega_version=alt.VEGA_VERSION.lstrip("v"),
        vegalite_version=alt.VEGALITE_VERSION.lstrip("v"),
    )
    return notebook_output.bundle(spec, body, f"<chart {output_div}: {title}>")


alt.renderers.register("egovbook", render)
alt.renderers.enable("egovbook")


# --- controls -------------------------------------------------------------------------


def edition_picker(default: int = 2024, name: str = "edition") -> alt.Parameter:
    """A drop-down of the twelve survey editions."""
    return alt.param(
        name=name,
        value=default,
        bind=alt.binding_select(options=list(EDITIONS), name="Survey edition "),
    )


def country_picker(
    survey: pd.DataFrame, default: str = "Kazakhstan", name: str = "country"
) -> alt.Parameter:
    """A drop-down of all 193 countries, by current UN name."""
    names = sorted(survey["country"].unique())
    return alt.param(
        name=name,
        value=default,
        bind=alt.binding_select(options=names, name="Country "),
    )


# Every edition labelled: angled, so the close early editions (2003-2005) do not
# collide.
YEAR_AXIS = alt.Axis(
    values=list(EDITIONS),
    format="d",
    labelAngle=-45,
    labelOverlap=False,
    title="Survey edition",
)


def year_x() -> alt.X:
    """Editions on a true time scale: the gaps (2005-2008, then two-yearly) show."""
    return alt.X(
        "year:Q", axis=YEAR_AXIS, scale=alt.Scale(domain=[min(EDITIONS), max(EDITIONS)])
    )


def two_line_labels(characters: int = 22) -> str:
    """An axis's labelExpr: a label longer than `characters` breaks onto two lines at
    its last space before that length (a label with no such space stays whole), so
    labels leave each other and the plot room on a phone."""
    space = f"lastindexof(slice(datum.label, 0, {characters}), ' ')"
    first = f"slice(datum.label, 0, {space})"
    rest = f"slice(datum.label, {space} + 1)"
    return (
        f"length(datum.label) > {characters} && {space} > 0"
        f" ? [{first}, {rest}] : datum.label"
    )


def category_axis(**options) -> alt.Axis:
    """An axis of a few categories, its labels level and any longer than ten
    characters on two lines ("Only indirectly"), so they stay apart on a phone."""
    return alt.Axis(labelAngle=0, labelExpr=two_line_labels(10), **options)


def index_y(column: str, title: str | None = None, **scale) -> alt.Y:
    return alt.Y(
        f"{column}:Q",
        title=title or f"{INDEX_NAMES[column]} ({UNIT})",
        scale=index_scale(**scale),
    )


def index_tooltip(column: str) -> alt.Tooltip:
    return alt.Tooltip(f"{column}:Q", title=INDEX_SHORT[column], format=".4f")


# --- the book's chart vocabulary: one name for each idiom used in several charts ------

FADED = 0.15  # opacity of what a selection leaves out


def edition_tooltip() -> alt.Tooltip:
    """The survey edition, as every tooltip shows it."""
    return alt.Tooltip("year:Q", title="Edition")


def index_scale(**options) -> alt.Scale:
    """The 0-to-1 scale of every UN index, so charts of scores are comparable."""
    return alt.Scale(domain=[0, 1], **options)


def legend_pick(field: str, name: str) -> alt.Parameter:
    """Click a legend entry to pick out its series (shift-click for several)."""
    return alt.selection_point(name=name, fields=[field], bind="legend")


def faded_unless(selection: alt.Parameter, opacity: float = 1) -> dict:
    """Full opacity for what the selection picks, faded for the rest."""
    return alt.condition(selection, alt.value(opacity), alt.value(FADED))


# --- shaping helpers ------------------------------------------------------------------


def central_asia(survey: pd.DataFrame) -> pd.DataFrame:
    """The five Central Asian countries (UNU-EGOV sub-region), Kazakhstan first."""
    rows = survey[survey["iso3"].isin(CENTRAL_ASIA)].copy()
    rows["order"] = rows["iso3"].map({code: i for i, code in enumerate(CENTRAL_ASIA)})
    return rows.sort_values(["order", "year"]).drop(columns="order")


def long_components(
    frame: pd.DataFrame,
    columns=("osi", "tii", "hci"),
    id_columns=("year", "iso3", "country"),
):
    """One row per country, edition and index: the shape Altair wants for a colour
    legend."""
    long = frame.melt(
        id_vars=list(id_columns),
        value_vars=list(columns),
        var_name="column",
        value_name="value",
    )
    long["index"] = long["column"].map(INDEX_SHORT)
    long["index_name"] = long["column"].map(INDEX_NAMES)
    return long.dropna(subset=["value"]).drop(columns="column")


def group_means(
    survey: pd.DataFrame, column: str, iso3: str = KAZAKHSTAN
) -> pd.DataFrame:
    """A country's value next to the mean of its sub-region, its region and the world,
    per edition.

    Means are over assessed countries only, so unassessed countries do not count as
    zeros.
    """
    country = survey[survey["iso3"] == iso3].iloc[0]
    assessed = survey[survey["assessed"]]
    groups = {
        country["country"]: survey[survey["iso3"] == iso3],
        f"{country['subregion']} mean": assessed[
            assessed["subregion"] == country["subregion"]
        ],
        f"{country['region']} mean": assessed[assessed["region"] == country["region"]],
        "World mean": assessed,
    }
    parts = []
    for label, rows in groups.items():
        summary = rows.groupby("year", as_index=False).agg(
            value=(column, "mean"), countries=(column, "count")
        )
        summary["group"] = label
        parts.append(summary)
    return pd.concat(parts, ignore_index=True)


# --- chart builders used in more than one chapter -------------------------------------


def country_against_groups(
    survey: pd.DataFrame, column: str, iso3: str = KAZAKHSTAN
) -> alt.Chart:
    """A country's index over the editions against its sub-region, region and world
    means.

    Click a legend entry to pick out one line.
    """
    data = group_means(survey, column, iso3)
    name = data["group"].iloc[0]
    groups = list(dict.fromkeys(data["group"]))
    pick = legend_pick("group", name="group_pick")
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=year_x(),
            y=index_y("value", INDEX_NAMES[column] + f" ({UNIT})"),
            color=alt.Color(
                "group:N",
                title=None,
                sort=groups,
                scale=alt.Scale(
                    domain=groups, range=[HIGHLIGHT, BLUE, BLUISH_GREEN, BLACK]
                ),
            ),
            strokeDash=alt.condition(
                f"datum.group === '{name}'", alt.value([1, 0]), alt.value([5, 3])
            ),
            opacity=faded_unless(pick),
            tooltip=[
                alt.Tooltip("group:N", title="Series"),
                edition_tooltip(),
                alt.Tooltip("value:Q", title=INDEX_SHORT[column], format=".4f"),
                alt.Tooltip("countries:Q", title="Countries averaged"),
            ],
        )
        .add_params(pick)
    )
    return chart


def edition_scatter(
    survey: pd.DataFrame,
    x: str,
    y: str,
    default_edition: int = 2024,
    iso3: str = KAZAKHSTAN,
) -> alt.LayerChart:
    """All assessed countries in one edition (chosen from a drop-down), the chosen
    country in the highlight colour, with its path across the editions as a faint
    trail."""
    columns = ["year", "iso3", "country", "region", x, y]
    data = survey[survey["assessed"]][list(dict.fromkeys(columns))].dropna()
    edition = edition_picker(default_edition)
    base = alt.Chart(data).encode(
        x=alt.X(
            f"{x}:Q",
            title=f"{INDEX_NAMES[x]} ({UNIT})",
            scale=index_scale(),
            # Ticks 0.1 apart on a wide plot, 0.2 apart on a phone's (Vega's default,
            # one every 40 px, crowds "0.9" against "1.0" there).
            axis=alt.Axis(tickCount=alt.ExprRef("ceil(width / 60)")),
        ),
        y=index_y(y),
        tooltip=[
            alt.Tooltip("country:N", title="Country"),
            alt.Tooltip("region:N", title="Region"),
            edition_tooltip(),
            index_tooltip(x),
            index_tooltip(y),
        ],
    )
    others = (
        base.mark_circle(size=40, opacity=0.45, color=CONTEXT)
        .transform_filter((alt.datum.year == edition) & (alt.datum.iso3 != iso3))
        .add_params(edition)
    )
    trail = (
        base.mark_line(color=HIGHLIGHT, opacity=0.35, strokeDash=[4, 3])
        .encode(order="year:Q")
        .transform_filter(alt.datum.iso3 == iso3)
    )
    chosen = (alt.datum.year == edition) & (alt.datum.iso3 == iso3)
    mark = base.mark_point(
        size=140, filled=True, color=HIGHLIGHT, stroke="black", strokeWidth=1
    ).transform_filter(chosen)
    # The name to the right of the dot, or to its left in the right quarter of the
    # plot, where it would run past the chart's edge.
    labels = [
        base.mark_text(align=align, dx=dx, dy=-9, fontWeight="bold", color=HIGHLIGHT)
        .encode(text="country:N")
        .transform_filter(chosen & side)
        for align, dx, side in (
            ("left", 9, alt.datum[x] < 0.75),
            ("right", -9, alt.datum[x] >= 0.75),
        )
    ]
    return alt.layer(others, trail, mark, *labels)


# --- the country explorer -------------------------------------------------------------

EXPLORER_INDICATORS = {
    "EGDI": "egdi",
    "Online Service Index": "osi",
    "Telecommunication Infrastructure Index": "tii",
    "Human Capital Index": "hci",
    "E-Participation Index": "epi",
    "Global EGDI rank": "egdi_rank",
}
EXPLORER_GROUPS = {
    "Sub-region": "subregion",
    "Region": "region",
    "Income group (2018)": "income_group",
}


def explorer_table(survey: pd.DataFrame) -> pd.DataFrame:
    """One row per country and edition with every indicator: the explorer's data.

    Names and groups are not repeated here for each edition; the chart looks them up
    in the 193-row countries table, which keeps the page light.
    """
    return survey[["year", "iso3"] + list(EXPLORER_INDICATORS.values())]


def country_explorer(
    survey: pd.DataFrame,
    countries: pd.DataFrame,
    default_country: str = "Uzbekistan",
    default_indicator: str = "EGDI",
    default_group: str = "Sub-region",
) -> alt.LayerChart:
    """Any country against Kazakhstan and the mean of the chosen country's group, for
    one indicator.

    Three drop-downs: the country, the indicator (or the global rank) and the comparison
    group (the country's sub-region, region or income group). Everything is computed in
    the browser from one table, so the static website needs no server.
    """
    data = explorer_table(survey)
    country_groups = countries[
        ["iso3", "country", "region", "subregion", "income_group"]
    ]
    country = alt.param(
        name="country",
        value=default_country,
        bind=alt.binding_select(
            options=sorted(country_groups["country"]), name="Country "
        ),
    )
    indicator = alt.param(
        name="indicator",
        value=default_indicator,
        bind=alt.binding_select(options=list(EXPLORER_INDICATORS), name="Indicator "),
    )
    grouping = alt.param(
        name="grouping",
        value=default_group,
        bind=alt.binding_select(
            options=list(EXPLORER_GROUPS), name="Compare with its "
        ),
    )

    pick_value = " : ".join(
        f"indicator == '{label}' ? datum.{column}"
        for label, column in EXPLORER_INDICATORS.items()
    )
    pick_group = " : ".join(
        f"grouping == '{label}' ? datum.{column}"
        for label, column in EXPLORER_GROUPS.items()
    )
    is_rank = "indicator == 'Global EGDI rank'"

    base = (
        alt.Chart(data)
        .transform_lookup(
            lookup="iso3",
            from_=alt.LookupData(
                country_groups, key="iso3", fields=list(country_groups.columns[1:])
            ),
        )
        .transform_calculate(
            value=f"{pick_value} : null",
            group=f"{pick_group} : null",
            is_chosen="datum.country == country ? 1 : 0",
        )
        .transform_joinaggregate(
            # The chosen country's row, found once, tells every row which group to
            # compare with.
            chosen="argmax(is_chosen)",
        )
        .transform_calculate(chosen_group="datum.chosen.group")
    )

    countries_layer = base.transform_filter(
        "datum.country == country || datum.iso3 == 'KAZ'"
    ).transform_calculate(series="datum.country")
    group_layer = (
        base.transform_filter(
            "datum.group == datum.chosen_group && isValid(datum.value)"
        )
        .transform_aggregate(
            value="mean(value)",
            countries="valid(value)",
            groupby=["year", "chosen_group"],
        )
        .transform_calculate(series="'Mean of ' + datum.chosen_group", iso3="'GROUP'")
    )

    y = alt.Y(
        "value:Q",
        title="Chosen indicator (index 0 to 1; for the rank, 1 = best)",
        scale=alt.Scale(reverse=alt.ExprRef(is_rank), zero=False, nice=True),
    )
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        edition_tooltip(),
        alt.Tooltip("value:Q", title="Value", format=".4~f"),
    ]
    # Lines are labelled at their 2024 end instead of a legend, whose entries would
    # change with every choice.
    chosen = countries_layer.transform_filter("datum.iso3 != 'KAZ'")
    kazakhstan = countries_layer.transform_filter("datum.iso3 == 'KAZ'")
    latest = f"datum.year == {max(EDITIONS)}"

    def line(colour, **style):
        return dict(
            point=alt.OverlayMarkDef(color=colour, size=40), color=colour, **style
        )

    country_line = chosen.mark_line(**line(COMPARISON)).encode(
        x=year_x(), y=y, tooltip=tooltip
    )
    kazakhstan_line = kazakhstan.mark_line(**line(HIGHLIGHT)).encode(
        x=year_x(), y=y, tooltip=tooltip
    )
    group_line = group_layer.mark_line(**line(BLACK, strokeDash=[5, 3])).encode(
        x=year_x(),
        y=y,
        tooltip=tooltip + [alt.Tooltip("countries:Q", title="Countries averaged")],
    )
    labels = alt.layer(
        chosen.transform_filter(latest)
        .mark_text(align="left", dx=8, dy=10, color=COMPARISON, fontWeight="bold")
        .encode(x=year_x(), y=y, text="series:N"),
        kazakhstan.transform_filter(latest)
        .mark_text(align="left", dx=8, dy=-8, color=HIGHLIGHT, fontWeight="bold")
        .encode(x=year_x(), y=y, text="series:N"),
        group_layer.transform_filter(latest)
        .mark_text(align="left", dx=8, color=BLACK)
        .encode(x=year_x(), y=y, text="series:N"),
    )
    return alt.layer(group_line, country_line, kazakhstan_line, labels).add_params(
        country, indicator, grouping
    )
