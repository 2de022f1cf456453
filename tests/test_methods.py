"""data/methods.csv, the survey's changes of method: valid, sourced, true of the data.

Every row must pass Frictionless against its schema, cite only keys that exist in
book/references.bib, and, where its evidence includes the data, pass the check it
names when that check is recomputed from data/egdi.csv. Every number in an
observation is written as ``[min|max|mean INDEX edition = value]`` and recomputed
here too, so no number in the table is typed without being tested.
"""

import csv
import re

import pandas as pd
import pytest
from frictionless import Package
from pybtex.database import parse_file

from egovbook.paths import DATA_DIR, DATAPACKAGE, EDITIONS, REPO_ROOT

METHODS = DATA_DIR / "methods.csv"
BIBLIOGRAPHY = REPO_ROOT / "book" / "references.bib"
# The UN data publish five decimals; a sum of three rounded values and a rounded total
# can differ by a few units in the last place, never by more than this.
TOLERANCE = 1e-4
STATISTIC = re.compile(
    r"\[(min|max|mean) (EGDI|OSI|TII|HCI|EPI) (\d{4}) = (\d+\.\d+)\]"
)


def _rows() -> list[dict]:
    with METHODS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _rows()


@pytest.fixture(scope="module")
def assessed() -> pd.DataFrame:
    survey = pd.read_csv(DATA_DIR / "egdi.csv")
    return survey[survey["assessed"]]


def _editions(row: dict) -> list[int]:
    """The editions a row covers: its year to its until_year, or to the last one."""
    last = int(row["until_year"]) if row["until_year"] else EDITIONS[-1]
    return [year for year in EDITIONS if int(row["year"]) <= year <= last]


def _neighbour(year: int, step: int) -> int | None:
    position = EDITIONS.index(year) + step
    return EDITIONS[position] if 0 <= position < len(EDITIONS) else None


def _share_fitting(
    assessed: pd.DataFrame, year: int, weights: tuple[float, float, float]
) -> float:
    """Share of an edition's assessed countries whose EGDI these weights reproduce."""
    edition = assessed[assessed["year"] == year]
    fitted = (
        weights[0] * edition["osi"]
        + weights[1] * edition["tii"]
        + weights[2] * edition["hci"]
    )
    return float(((fitted - edition["egdi"]).abs() <= TOLERANCE).mean())


def _spans_0_to_1(assessed: pd.DataFrame, year: int, column: str) -> bool:
    values = assessed.loc[assessed["year"] == year, column]
    return values.min() == 0 and values.max() == 1


def _world_mean(assessed: pd.DataFrame, year: int, column: str) -> float:
    return float(assessed.loc[assessed["year"] == year, column].mean())


def test_methods_table_passes_frictionless_against_its_schema():
    resource = Package(str(DATAPACKAGE)).get_resource("methods")
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


def test_every_field_of_the_methods_schema_is_described_and_sourced():
    schema = Package(str(DATAPACKAGE)).get_resource("methods").schema
    assert schema.primary_key == ["id"]
    for field in schema.fields:
        assert field.description and field.to_dict().get("source"), field.name
    names = [field.name for field in schema.fields]
    with METHODS.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == names


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_every_source_key_exists_in_the_bibliography(row):
    keys = set(parse_file(str(BIBLIOGRAPHY)).entries.keys())
    missing = [key for key in row["source_key"].split(";") if key not in keys]
    assert not missing, (
        f"methods.csv row {row['id']}, column source_key: "
        f"{missing} not in {BIBLIOGRAPHY.name}"
    )


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_evidence_check_and_observation_agree(row):
    from_data = row["evidence"] in ("data", "source and data")
    assert from_data == (row["check"] != "none"), (
        row["id"],
        "a data row needs a check, a source-only row none",
    )
    assert from_data == bool(row["observation"]), (
        row["id"],
        "a data row says what the data show",
    )
    assert row["id"].startswith(f"{row['year']}-{row['component']}-"), row["id"]


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r["observation"]], ids=lambda r: r["id"]
)
def test_every_number_in_an_observation_holds_in_the_data(row, assessed):
    text = row["observation"]
    claims = STATISTIC.findall(text)
    assert not re.search(r"\d\.\d", STATISTIC.sub("", text)), (
        f"methods.csv row {row['id']}: a number outside the "
        "[statistic INDEX edition = value] form"
    )
    for statistic, index, year, value in claims:
        decimals = len(value.split(".")[1])
        series = assessed.loc[assessed["year"] == int(year), index.lower()]
        actual = round(float(getattr(series, statistic)()), decimals)
        assert actual == float(value), (
            f"methods.csv row {row['id']}: {statistic} {index} {year} "
            f"is {actual}, not {value}"
        )


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r["check"] != "none"], ids=lambda r: r["id"]
)
def test_each_row_check_holds_in_the_data(row, assessed):
    column, first = row["component"], int(row["year"])
    before, editions = _neighbour(first, -1), _editions(row)
    check = row["check"]
    if check == "range_0_1":
        assert all(_spans_0_to_1(assessed, year, column) for year in editions), row[
            "id"
        ]
        assert before is None or not _spans_0_to_1(assessed, before, column), row["id"]
    elif check == "equal_weights":
        thirds = (1 / 3, 1 / 3, 1 / 3)
        assert all(_share_fitting(assessed, year, thirds) == 1 for year in editions), (
            row["id"]
        )
        assert before is None or _share_fitting(assessed, before, thirds) < 0.5, row[
            "id"
        ]
    elif check == "weights_034_033_033":
        weighted, thirds = (0.34, 0.33, 0.33), (1 / 3, 1 / 3, 1 / 3)
        for year in editions:
            assert _share_fitting(assessed, year, weighted) >= 0.95, (row["id"], year)
            assert _share_fitting(assessed, year, thirds) <= 0.05, (row["id"], year)
        after = _neighbour(editions[-1], 1)
        assert after is None or _share_fitting(assessed, after, weighted) < 0.5, row[
            "id"
        ]
    elif check in ("mean_falls", "mean_first_fall"):
        assert _world_mean(assessed, first, column) < _world_mean(
            assessed, before, column
        ), row["id"]
        if check == "mean_first_fall":
            earlier = [year for year in EDITIONS if year < first]
            means = [_world_mean(assessed, year, column) for year in earlier]
            assert all(a <= b for a, b in zip(means[:-1], means[1:], strict=True)), row[
                "id"
            ]
    else:
        pytest.fail(f"methods.csv row {row['id']}: unknown check {check!r}")


def test_the_2012_rescaling_is_the_break_the_issue_describes(assessed):
    """In 2010 the top TII and the lowest HCI were not 1 and 0; from 2012 they are."""
    ids = {row["id"] for row in ROWS}
    assert {"2012-tii-rescaled", "2012-hci-rescaled", "2012-egdi-equal-weights"} <= ids
    for column in ("tii", "hci"):
        assert not _spans_0_to_1(assessed, 2010, column)
        assert all(
            _spans_0_to_1(assessed, year, column) for year in EDITIONS if year >= 2012
        )
