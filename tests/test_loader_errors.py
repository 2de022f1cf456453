"""Malformed data stops the notebooks with a message naming the file, the row and the column."""
import pytest

from egovbook import DataError, load_paper_table, load_survey


def lines(path):
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def row_of(path, prefix):
    """The 1-based line number (header = 1) of the first line starting with prefix."""
    return next(i for i, line in enumerate(lines(path), start=1) if line.startswith(prefix))


def edit_line(path, prefix, old, new):
    text = lines(path)
    number = row_of(path, prefix)
    assert old in text[number - 1]
    text[number - 1] = text[number - 1].replace(old, new, 1)
    path.write_text("".join(text), encoding="utf-8")
    return number


def assert_names(error, file, row, column):
    message = str(error.value)
    assert file in message, message
    assert f"row {row}" in message, message
    assert f"column '{column}'" in message, message


def test_clean_data_loads(data_copy):
    survey = load_survey(data_copy)
    assert len(survey) == 12 * 193


def test_missing_column(data_copy):
    path = data_copy / "egdi.csv"
    text = path.read_text(encoding="utf-8").replace(",osi,", ",online_service,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", 1, "osi")
    assert "missing" in str(error.value)


def test_non_numeric_value(data_copy):
    path = data_copy / "egdi.csv"
    row = edit_line(path, "2018,KAZ,", ",0.86810,", ",0.8681O,")  # letter O typed for zero
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", row, "osi")
    assert "not a number" in str(error.value)


def test_index_outside_zero_one(data_copy):
    path = data_copy / "egdi.csv"
    row = edit_line(path, "2024,KAZ,", ",0.92353,", ",1.92353,")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", row, "tii")
    assert "above the maximum 1" in str(error.value)


def test_negative_index(data_copy):
    path = data_copy / "egdi.csv"
    row = edit_line(path, "2024,KAZ,", ",0.84930,", ",-0.84930,")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", row, "epi")


def test_duplicate_year_and_country(data_copy):
    path = data_copy / "egdi.csv"
    text = lines(path)
    first = row_of(path, "2016,KAZ,")
    second = row_of(path, "2016,KEN,")
    text[second - 1] = text[first - 1]  # Kenya's row replaced by a second Kazakhstan row
    path.write_text("".join(text), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", second, "year, iso3")
    assert f"the same as row {first}" in str(error.value)


def test_unknown_country_code(data_copy):
    path = data_copy / "egdi.csv"
    row = edit_line(path, "2012,KGZ,", "2012,KGZ,", "2012,KGX,")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", row, "iso3")
    assert "'KGX' is not a country in countries.csv" in str(error.value)


def test_missing_edition(data_copy):
    path = data_copy / "egdi.csv"
    text = lines(path)
    first_2010 = row_of(path, "2010,")
    kept = [line for line in text if not line.startswith("2010,")]
    path.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", first_2010, "year")
    assert "edition 2010 has 0 rows, expected 193" in str(error.value)


def test_empty_file(data_copy):
    (data_copy / "egdi.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    message = str(error.value)
    assert "egdi.csv" in message and "row 1" in message and "empty" in message


def test_header_only_file(data_copy):
    path = data_copy / "paper" / "table3.csv"
    path.write_text(lines(path)[0], encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_paper_table(3, data_copy)
    assert "table3.csv" in str(error.value) and "row 2" in str(error.value) and "no data rows" in str(error.value)


def test_file_that_is_not_utf8(data_copy):
    path = data_copy / "egdi.csv"
    text = lines(path)
    data = "".join(text).encode("utf-8").replace("Türkiye".encode("utf-8"), "Türkiye".encode("latin-1"))
    path.write_bytes(data)
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    message = str(error.value)
    assert "egdi.csv" in message and "not UTF-8" in message and "column 'country'" in message
    # The first Türkiye row holds the first bad byte.
    assert f"row {row_of_first(text, ',TUR,')}" in message


def row_of_first(text_lines, needle):
    return next(i for i, line in enumerate(text_lines, start=1) if needle in line)


def test_assessed_flag_contradicting_a_score(data_copy):
    path = data_copy / "egdi.csv"
    row = edit_line(path, "2003,MNE,", "false,,,", "false,,0.00000,")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert_names(error, "egdi.csv", row, "egdi")
    assert "assessed=false" in str(error.value)


def test_wrong_number_of_fields(data_copy):
    path = data_copy / "egdi.csv"
    row = edit_line(path, "2020,KAZ,", ",26", ",26,extra")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert "egdi.csv" in str(error.value) and f"row {row}" in str(error.value) and "fields" in str(error.value)


def test_many_problems_are_counted_not_flooded(data_copy):
    path = data_copy / "egdi.csv"
    original = path.read_text(encoding="utf-8")
    broken = original.count("Asia,Central Asia,true")  # every assessed Central Asian row
    path.write_text(original.replace("Asia,Central Asia,true", "Asia,Central Asia,yes"), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_survey(data_copy)
    assert len(error.value.problems) == 10
    assert broken > 10
    assert f"and {broken - 10} more problem(s)" in str(error.value)
