"""The chart renderer and theme: stable output, text alternatives, offline libraries."""

import copy
import json
import sys
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

import egovbook
from egovbook import charts
from egovbook.notebook_output import CHART_MIME, VEGA_MIME, fixed_width

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import offline_vega  # noqa: E402


def small_chart(title="A chart", description="A bar for each of two values."):
    data = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    return egovbook.finish(
        alt.Chart(data).mark_bar().encode(x="x:N", y="y:Q"),
        title,
        description=description,
    )


def test_same_chart_same_html():
    first = small_chart()._repr_mimebundle_()[CHART_MIME]
    second = small_chart()._repr_mimebundle_()[CHART_MIME]
    assert first == second
    assert "altair-viz-" not in first


def test_different_charts_get_different_ids():
    first = small_chart(title="One")._repr_mimebundle_()[CHART_MIME]
    second = small_chart(title="Two")._repr_mimebundle_()[CHART_MIME]
    assert charts.chart_id(small_chart(title="One").to_dict()) in first
    assert charts.chart_id(small_chart(title="One").to_dict()) not in second


def test_chart_without_description_is_refused():
    data = pd.DataFrame({"x": [1]})
    with pytest.raises(charts.ChartWithoutDescription):
        alt.Chart(data).mark_point().encode(x="x:Q")._repr_mimebundle_()


def test_finish_adds_title_source_and_description():
    spec = small_chart().to_dict()
    assert spec["title"]["text"] == "A chart"
    assert spec["title"]["subtitle"][-1] == charts.UN_SOURCE
    assert spec["description"] == "A bar for each of two values."
    html = small_chart()._repr_mimebundle_()[CHART_MIME]
    assert "A bar for each of two values." in html


def test_group_means_skip_unassessed_countries():
    survey = egovbook.load_survey()
    means = charts.group_means(survey, "egdi")
    world_2003 = means[(means.group == "World mean") & (means.year == 2003)].iloc[0]
    assessed = survey[(survey.year == 2003) & survey.assessed]
    assert world_2003["countries"] == len(assessed)
    assert world_2003["value"] == pytest.approx(assessed["egdi"].mean())


# --- the offline extension ------------------------------------------------------------

VERSIONS = offline_vega.vendored_versions()


def test_vendored_files_exist_with_licences():
    vendor = offline_vega.VENDOR_ROOT / "vega"
    for entry in VERSIONS.values():
        assert (vendor / entry["file"]).stat().st_size > 10_000
        assert (vendor / entry["file"].replace(".min.js", ".LICENSE")).exists()


def test_altair_asks_for_the_vendored_versions():
    assert offline_vega.matches(
        alt.VEGA_VERSION.lstrip("v"), VERSIONS["vega"]["version"]
    )
    assert offline_vega.matches(
        alt.VEGALITE_VERSION.lstrip("v"), VERSIONS["vega-lite"]["version"]
    )
    assert offline_vega.matches(
        alt.VEGAEMBED_VERSION.lstrip("v"), VERSIONS["vega-embed"]["version"]
    )


def test_rewrite_points_cdn_urls_at_local_files():
    html = small_chart()._repr_mimebundle_()[CHART_MIME]
    assert "cdn.jsdelivr.net" in html
    rewritten = offline_vega.rewrite(html, "../_static", VERSIONS, "page")
    assert "cdn.jsdelivr.net" not in rewritten
    assert f"../_static/vega/{VERSIONS['vega-lite']['file']}" in rewritten


def test_unvendored_version_is_reported(monkeypatch):
    warnings = []
    monkeypatch.setattr(
        offline_vega.logger, "warning", lambda *args, **kw: warnings.append(args)
    )
    body = '"https://cdn.jsdelivr.net/npm/vega-lite@5.2.0?noext"'
    assert offline_vega.rewrite(body, "_static", VERSIONS, "chapter") == body
    assert warnings and "vega-lite" in warnings[0][1:] and "5.2.0" in warnings[0][1:]


def test_build_compiles_charts_to_vega():
    html = small_chart()._repr_mimebundle_()[CHART_MIME]
    compiled = offline_vega.compile_charts(html, "page")
    spec = json.loads(
        offline_vega.SPEC_SCRIPT.search(compiled)["spec"].replace("<\\/", "</")
    )
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega/v")
    assert "marks" in spec and spec["description"] == "A bar for each of two values."


def test_notebook_bundle_has_vega_and_png():
    bundle = small_chart()._repr_mimebundle_()
    assert set(bundle) == {CHART_MIME, VEGA_MIME, "image/png", "text/plain"}
    vega = bundle[VEGA_MIME]
    assert vega["description"] == "A bar for each of two values."
    assert any(entry.get("values") for entry in vega["data"]), (
        "the rows travel with the chart"
    )
    import base64

    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_bound_drop_downs_survive_compilation_to_vega():
    data = pd.DataFrame({"year": [2022, 2024], "y": [1, 2]})
    edition = egovbook.edition_picker()
    chart = egovbook.finish(
        alt.Chart(data).mark_bar().encode(x="year:O", y="y:Q").add_params(edition),
        "Bars",
        description="Two bars, one per edition.",
    )
    vega = chart._repr_mimebundle_()[VEGA_MIME]
    signals = {s["name"]: s for s in vega["signals"]}
    assert signals["edition"]["bind"]["input"] == "select"


def test_static_forms_get_a_fixed_width():
    spec = {"width": "container", "layer": [{"width": "container"}], "mark": "bar"}
    fixed = fixed_width(spec)
    assert (
        fixed["width"] == fixed["layer"][0]["width"] == 640
        and spec["width"] == "container"
    )


def test_static_forms_are_converted_once_and_kept_exactly(tmp_path, monkeypatch):
    """vl-convert's Vega and PNG are kept on disk by a hash of what it was given: a
    re-run gets exactly what a fresh conversion gives, without converting; a chart with
    other data is converted afresh; a damaged file is converted again."""
    from egovbook import notebook_output

    monkeypatch.setenv("EGOVBOOK_CACHE", str(tmp_path))
    converted = []
    for name in ("compiled_vega", "static_png"):
        real = getattr(notebook_output, name)

        def counting(spec, real=real, name=name):
            converted.append(name)
            return real(spec)

        monkeypatch.setattr(notebook_output, name, counting)
    spec = small_chart().to_dict()
    first = notebook_output.static_forms(spec)
    again = notebook_output.static_forms(spec)
    assert converted == ["compiled_vega", "static_png"], "converted twice"
    fresh = (notebook_output.compiled_vega(spec), notebook_output.static_png(spec))
    assert first == again == fresh
    assert len(list(tmp_path.glob("*.chart"))) == 1

    other = copy.deepcopy(spec)
    other["datasets"][next(iter(other["datasets"]))][0]["y"] = 3
    converted.clear()
    assert notebook_output.static_forms(other)[0] != first[0]
    assert converted == ["compiled_vega", "static_png"]

    for stored in tmp_path.glob("*.chart"):
        stored.write_text("{not json", encoding="utf-8")
    converted.clear()
    assert notebook_output.static_forms(spec) == fresh
    assert converted == ["compiled_vega", "static_png"]


def test_static_forms_are_not_kept_when_the_cache_is_off(tmp_path, monkeypatch):
    from egovbook import notebook_output

    monkeypatch.setenv("EGOVBOOK_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    notebook_output.static_forms(small_chart().to_dict())
    assert list(tmp_path.rglob("*.chart")) == []
