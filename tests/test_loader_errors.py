"""Malformed data stops the notebooks with a message naming the file, row and column.

Every broken copy is also handed to Frictionless itself, so the schema in
data/datapackage.json and the loader cannot drift apart: what the loader rejects,
`frictionless validate` rejects too, at the same row and column. The survey's rules
across rows are the loader's own; Frictionless is expected to accept those copies.
"""

import json
from dataclasses import dataclass

import frictionless
import pytest

from egovbook import DataError, load_survey
from egovbook.data import MAX_REPORTED, load_table
from egovbook.paths import DATA_DIR, EDITIONS, MEMBER_STATES


def lines(path):
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def row_of(path, prefix):
    """The 1-based line number (header = 1) of the first line starting with prefix."""
    return next(
        i for i, line in enumerate(lines(path), start=1) if line.startswith(prefix)
    )


def edit_line(path, prefix, old, new):
    """Replace old by new in the first line starting with prefix; return its row."""
    text = lines(path)
    number = row_of(path, prefix)
    assert old in text[number - 1]
    text[number - 1] = text[number - 1].replace(old, new, 1)
    path.write_text("".join(text), encoding="utf-8")
    return number


@dataclass
class Broken:
    """An accident in one line of data/egdi.csv, and what the loader must say."""

    name: str
    prefix: str  # the line to edit starts with this
    old: str
    new: str
    column: str | None
    says: str
    frictionless_too: bool = True  # False for the survey's rules across rows


BROKEN_CELLS = [
    Broken(
        "letter O for zero",
        "2018,KAZ,",
        ",0.86810,",
        ",0.8681O,",
        "osi",
        "'0.8681O' is not a number",
    ),
    Broken(
        "index above one",
        "2024,KAZ,",
        ",0.92353,",
        ",1.92353,",
        "tii",
        "1.92353 is above the maximum 1",
    ),
    Broken(
        "negative index",
        "2024,KAZ,",
        ",0.84930,",
        ",-0.84930,",
        "epi",
        "-0.84930 is below the minimum 0",
    ),
    Broken(
        "rank with decimals",
        "2024,KAZ,",
        ",24,",
        ",24.5,",
        "egdi_rank",
        "'24.5' is not a whole number",
    ),
    Broken(
        "yes for true",
        "2024,KAZ,",
        ",true,",
        ",yes,",
        "assessed",
        "'yes' is not one of ['true', 'false']",
    ),
    Broken(
        "misspelt region",
        "2024,KAZ,",
        ",Asia,",
        ",Asai,",
        "region",
        "'Asai' is not one of the allowed values (Africa, Americas, Asia",
    ),
    Broken(
        "edition that does not exist",
        "2024,KAZ,",
        "2024,",
        "2025,",
        "year",
        "'2025' is not one of the allowed values (2003, 2004",
    ),
    Broken(
        "lower-case code",
        "2024,KAZ,",
        ",KAZ,",
        ",kaz,",
        "iso3",
        "'kaz' does not match the pattern ^[A-Z]{3}$",
    ),
    Broken(
        "empty country name",
        "2024,KAZ,",
        ",Kazakhstan,",
        ",,",
        "country",
        "value is required but empty",
    ),
    Broken(
        "unknown country code",
        "2012,KGZ,",
        "2012,KGZ,",
        "2012,KGX,",
        "iso3",
        "'KGX' is not listed in countries.csv (column 'iso3')",
    ),
    Broken(
        "extra field",
        "2020,KAZ,",
        ",26",
        ",26,extra",
        None,
        "has 14 fields, the header has 13",
    ),
    Broken(
        "missing field",
        "2020,KAZ,",
        ",0.88100,26",
        ",0.88100",
        None,
        "has 12 fields, the header has 13",
    ),
    Broken(
        "score for an unassessed country",
        "2003,MNE,",
        "false,,,",
        "false,,0.00000,",
        "egdi",
        "a country marked assessed=false must have an empty EGDI, not a score",
        frictionless_too=False,
    ),
    Broken(
        "assessed country without a score",
        "2024,KAZ,",
        ",0.90093,",
        ",,",
        "egdi",
        "an assessed country needs an EGDI value",
        frictionless_too=False,
    ),
    Broken(
        "EPI without its rank",
        "2024,KAZ,",
        ",0.84930,27",
        ",0.84930,",
        "epi_rank",
        "missing although the EPI is given",
        frictionless_too=False,
    ),
]


def assert_names(message, file, row, column):
    assert file in message, message
    assert f"row {row}" in message, message
    if column is not None:
        assert f"column '{column}'" in message, message


def resources_to_validate(package, data_dir) -> list[str] | None:
    """The resources whose files differ from data/, with those whose foreign keys point
    into them; None (all of them) if the descriptor changed, a file is gone or nothing
    changed."""
    descriptor = "datapackage.json"
    if (data_dir / descriptor).read_bytes() != (DATA_DIR / descriptor).read_bytes():
        return None
    changed = set()
    for resource in package.resources:
        copy = data_dir / resource.path
        if not copy.exists():
            return None
        if copy.read_bytes() != (DATA_DIR / resource.path).read_bytes():
            changed.add(resource.name)
    pointing_in = {
        resource.name
        for resource in package.resources
        for key in resource.schema.to_descriptor().get("foreignKeys", [])
        if key["reference"].get("resource") in changed
    }
    return sorted(changed | pointing_in) or None


def frictionless_verdict(data_dir):
    """Frictionless's verdict on the copy, and the (row, column) of each error.

    Only what the test changed is validated (each resource is about half a second; the
    untouched ones are data/'s own, which test_clean_data_loads validates whole)."""
    package = frictionless.Package(str(data_dir / "datapackage.json"))
    names = resources_to_validate(package, data_dir)
    if names is None:
        reports = [package.validate()]
    else:
        reports = [package.validate(name=name) for name in names]
    errors = [e for report in reports for task in report.tasks for e in task.errors]
    found = []
    for error in errors:
        columns = getattr(error, "field_names", [getattr(error, "field_name", None)])
        found += [(getattr(error, "row_number", None), column) for column in columns]
    return all(report.valid for report in reports), found


@pytest.mark.parametrize("case", BROKEN_CELLS, ids=[case.name for case in BROKEN_CELLS])
def test_broken_cell_is_named(data_copy, case):
    row = edit_line(data_copy / "egdi.csv", case.prefix, case.old, case.new)
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(str(error.value), "egdi.csv", row, case.column)
    assert case.says in str(error.value)


@pytest.mark.parametrize("case", BROKEN_CELLS, ids=[case.name for case in BROKEN_CELLS])
def test_frictionless_agrees(data_copy, case):
    row = edit_line(data_copy / "egdi.csv", case.prefix, case.old, case.new)
    valid, found = frictionless_verdict(data_copy)
    if not case.frictionless_too:
        assert valid, found
        return
    assert not valid
    assert row in {error_row for error_row, _ in found}, found
    if case.column is not None:
        assert (row, case.column) in found, found


def test_clean_data_loads(data_copy):
    survey = load_survey(data_copy)
    assert len(survey) == len(EDITIONS) * MEMBER_STATES
    assert (
        str(survey["egdi_rank"].dtype) == "Int64" and survey["assessed"].dtype == bool
    )
    assert frictionless_verdict(data_copy) == (True, [])


# --- whole-file accidents: each breaks the copy, returns what the message must say --


def replace_once(data_dir, old, new):
    path = data_dir / "egdi.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8"
    )


def rename_a_column(data_dir):
    replace_once(data_dir, ",osi,", ",online_service,")
    return 1, "osi", "required column is missing from the header"


def swap_two_columns(data_dir):
    replace_once(data_dir, "egdi,osi", "osi,egdi")
    return 1, "egdi", "keep the columns in the order datapackage.json lists them"


def duplicate_a_row(data_dir):
    path = data_dir / "egdi.csv"
    text = lines(path)
    first, second = row_of(path, "2016,KAZ,"), row_of(path, "2016,KEN,")
    # Kenya's row replaced by a second Kazakhstan row
    text[second - 1] = text[first - 1]
    path.write_text("".join(text), encoding="utf-8")
    return second, "year, iso3", f"duplicate (2016, KAZ): the same as row {first}"


def blank_line(data_dir):
    path = data_dir / "egdi.csv"
    text = lines(path)
    text.insert(10, "\n")
    path.write_text("".join(text), encoding="utf-8")
    return 11, None, "the row is empty"


def drop_an_edition(data_dir):
    path = data_dir / "egdi.csv"
    first_2010 = row_of(path, "2010,")
    path.write_text(
        "".join(line for line in lines(path) if not line.startswith("2010,")),
        encoding="utf-8",
    )
    return first_2010, "year", f"edition 2010 has 0 rows, expected {MEMBER_STATES}"


def save_as_latin1(data_dir):
    path = data_dir / "egdi.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(
        text.encode("utf-8").replace("Türkiye".encode(), "Türkiye".encode("latin-1"))
    )
    first_turkey = next(
        i for i, line in enumerate(text.splitlines(), start=1) if ",TUR," in line
    )
    return first_turkey, "country", "byte 0xfc is not UTF-8"


def empty_the_file(data_dir):
    (data_dir / "egdi.csv").write_text("", encoding="utf-8")
    return 1, None, "the file is empty"


WHOLE_FILE = [
    (rename_a_column, True),
    (swap_two_columns, True),
    (duplicate_a_row, True),
    (blank_line, True),
    (drop_an_edition, False),
    (save_as_latin1, True),
    (empty_the_file, True),
]


@pytest.mark.parametrize(
    "accident,frictionless_too",
    WHOLE_FILE,
    ids=[accident.__name__ for accident, _ in WHOLE_FILE],
)
def test_whole_file_accident_is_named(data_copy, accident, frictionless_too):
    row, column, says = accident(data_copy)
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(str(error.value), "egdi.csv", row, column)
    assert says in str(error.value)
    valid, found = frictionless_verdict(data_copy)
    assert valid != frictionless_too, found


def test_header_only_file(data_copy):
    path = data_copy / "paper" / "table3.csv"
    path.write_text(lines(path)[0], encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_table("paper-table3", data_copy)
    assert_names(str(error.value), "table3.csv", 2, None)
    assert "no data rows" in str(error.value)


def test_many_problems_are_counted_not_flooded(data_copy):
    path = data_copy / "egdi.csv"
    original = path.read_text(encoding="utf-8")
    broken = original.count(
        "Asia,Central Asia,true"
    )  # every assessed Central Asian row
    path.write_text(
        original.replace("Asia,Central Asia,true", "Asia,Central Asia,yes"),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert len(error.value.problems) == MAX_REPORTED < broken
    assert f"and {broken - MAX_REPORTED} more problem(s)" in str(error.value)


# --- a field type and a constraint the book's tables do not use yet --------------


def add_events_table(data_dir, rows):
    """Add to the copy a small table with a date column and a minimum length."""
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"].append(
        {
            "name": "events",
            "path": "events.csv",
            "schema": {
                "fields": [
                    {"name": "date", "type": "date", "constraints": {"required": True}},
                    {"name": "iso3", "type": "string", "constraints": {"minLength": 3}},
                ],
                "foreignKeys": [
                    {
                        "fields": "iso3",
                        "reference": {"resource": "countries", "fields": "iso3"},
                    }
                ],
            },
        }
    )
    (data_dir / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (data_dir / "events.csv").write_text(
        "date,iso3\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8"
    )


def test_date_column_loads_as_dates(data_copy):
    add_events_table(data_copy, ["2024-09-17,KAZ", "2001-01-01,"])
    events = load_table("events", data_copy)
    assert events["date"].dtype.kind == "M"
    assert str(events["date"][0].date()) == "2024-09-17"
    assert events["iso3"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    "row,column,says",
    [
        ("2024-13-01,KAZ", "date", "'2024-13-01' is not a date written as YYYY-MM-DD"),
        ("17.09.2024,KAZ", "date", "'17.09.2024' is not a date written as YYYY-MM-DD"),
        (
            "2024-09-17,KZ",
            "iso3",
            "'KZ' is shorter than the minimum length, 3 characters",
        ),
    ],
)
def test_bad_date_or_short_text_is_named(data_copy, row, column, says):
    add_events_table(data_copy, ["2024-09-17,KAZ", row])
    with pytest.raises(DataError) as error:
        load_table("events", data_copy)
    assert_names(str(error.value), "events.csv", 3, column)
    assert says in str(error.value)
    valid, found = frictionless_verdict(data_copy)
    assert not valid and (3, column) in found, found
