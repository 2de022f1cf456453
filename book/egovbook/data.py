"""Load the book's data files, checked against ``data/datapackage.json``.

Every chapter reads data through these functions. Each cell is checked against the
field's type and constraints in the data package before anything is converted, so a
malformed file stops the notebook with a message that names the file, the row (as
numbered in a text editor: the header is row 1) and the column, instead of drawing a
wrong chart.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from .paths import DATA_DIR, EDITIONS, REPO_ROOT

MAX_REPORTED = 10  # errors listed in one message; the rest are counted


class DataError(ValueError):
    """A data file breaks its schema. ``problems`` holds (file, row, column, message)."""

    def __init__(self, problems: list[tuple[str, int | None, str | None, str]], more: int = 0):
        self.problems = problems
        lines = []
        for file, row, column, message in problems:
            where = [file]
            if row is not None:
                where.append(f"row {row}")
            if column is not None:
                where.append(f"column '{column}'")
            lines.append(f"{', '.join(where)}: {message}")
        if more:
            lines.append(f"... and {more} more problem(s)")
        super().__init__("\n".join(lines))


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def read_package(data_dir: Path = DATA_DIR) -> dict:
    path = data_dir / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([(_display_name(path), None, None, "the data package description is missing")]) from None
    except json.JSONDecodeError as error:
        raise DataError([(_display_name(path), error.lineno, None, f"not valid JSON: {error.msg}")]) from None


def _resource(package: dict, name: str) -> dict:
    for resource in package["resources"]:
        if resource["name"] == name:
            return resource
    raise KeyError(f"no resource named {name!r} in datapackage.json")


# --- reading text safely -----------------------------------------------------------

def _read_text(path: Path, shown: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError([(shown, None, None, "file not found")]) from None
    if not raw.strip():
        raise DataError([(shown, 1, None, "the file is empty: expected a header row and data")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        row = raw.count(b"\n", 0, error.start) + 1
        column_index = raw[line_start:error.start].count(b",")
        header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip().split(",")
        column = header[column_index] if column_index < len(header) else f"#{column_index + 1}"
        raise DataError([(shown, row, column,
                          f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8")]) from None


# --- checking one cell -------------------------------------------------------------

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _parse_cell(text: str, field: dict):
    """Return the typed value, or raise ValueError with a reader's explanation."""
    kind = field.get("type", "string")
    if kind == "integer":
        if not _INTEGER.match(text):
            raise ValueError(f"{text!r} is not a whole number")
        return int(text)
    if kind == "number":
        if not _NUMBER.match(text):
            raise ValueError(f"{text!r} is not a number")
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if kind == "boolean":
        true_values = field.get("trueValues", ["true"])
        false_values = field.get("falseValues", ["false"])
        if text in true_values:
            return True
        if text in false_values:
            return False
        raise ValueError(f"{text!r} is not one of {true_values + false_values}")
    return text


def _check_constraints(value, text: str, field: dict) -> None:
    constraints = field.get("constraints", {})
    if "minimum" in constraints and value < constraints["minimum"]:
        raise ValueError(f"{text} is below the minimum {constraints['minimum']}")
    if "maximum" in constraints and value > constraints["maximum"]:
        raise ValueError(f"{text} is above the maximum {constraints['maximum']}")
    if "enum" in constraints and value not in constraints["enum"]:
        allowed = ", ".join(str(item) for item in constraints["enum"])
        raise ValueError(f"{text!r} is not one of the allowed values ({allowed})")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
        raise ValueError(f"{text!r} does not match the pattern {constraints['pattern']}")


# --- checking a table --------------------------------------------------------------

def _validate_rows(shown: str, text: str, schema: dict) -> tuple[list[str], list[tuple[int, dict]], list]:
    fields = schema["fields"]
    names = [field["name"] for field in fields]
    missing_values = set(schema.get("missingValues", [""]))
    problems = []

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as error:
        raise DataError([(shown, 1, None, f"cannot read the header: {error}")]) from None
    absent = [name for name in names if name not in header]
    extra = [name for name in header if name not in names]
    if absent or extra:
        problems += [(shown, 1, name, "required column is missing from the header") for name in absent]
        problems += [(shown, 1, name, "column is not described in datapackage.json") for name in extra]
        raise DataError(problems)
    position = {name: header.index(name) for name in names}

    rows = []
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            if len(cells) != len(header):
                problems.append((shown, line, None, f"has {len(cells)} fields, the header has {len(header)}"))
                continue
            typed = {}
            for field in fields:
                name = field["name"]
                text = cells[position[name]]
                if text in missing_values:
                    if field.get("constraints", {}).get("required"):
                        problems.append((shown, line, name, "value is required but empty"))
                    typed[name] = None
                    continue
                try:
                    value = _parse_cell(text, field)
                    _check_constraints(value, text, field)
                except ValueError as error:
                    problems.append((shown, line, name, str(error)))
                    continue
                typed[name] = value
            rows.append((line, typed))
    except csv.Error as error:
        problems.append((shown, line + 1, None, f"cannot be read as CSV: {error}"))

    if not rows and not problems:
        problems.append((shown, 2, None, "the file has a header but no data rows"))
    return names, rows, problems


def _check_keys(shown: str, rows: list[tuple[int, dict]], schema: dict, problems: list) -> None:
    key = schema.get("primaryKey")
    if isinstance(key, str):
        key = [key]
    unique_fields = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    for columns in ([key] if key else []) + [[name] for name in unique_fields]:
        first_seen = {}
        for line, typed in rows:
            value = tuple(typed.get(column) for column in columns)
            if value in first_seen:
                shown_value = ", ".join(str(v) for v in value)
                problems.append((shown, line, ", ".join(columns),
                                 f"duplicate ({shown_value}): the same as row {first_seen[value]}"))
            else:
                first_seen[value] = line


def _check_foreign_keys(shown: str, rows, schema: dict, data_dir: Path, package: dict, problems: list) -> None:
    for foreign in schema.get("foreignKeys", []):
        column = foreign["fields"]
        target = foreign["reference"]
        known = set(load_table(target["resource"], data_dir, package)[target["fields"]])
        target_path = _resource(package, target["resource"])["path"]
        for line, typed in rows:
            if typed.get(column) is not None and typed[column] not in known:
                problems.append((shown, line, column, f"{typed[column]!r} is not a country in {target_path}"))


def _raise_if(problems: list) -> None:
    if problems:
        raise DataError(problems[:MAX_REPORTED], more=max(0, len(problems) - MAX_REPORTED))


# Nullable types only where a column has gaps, so students meet plain int and bool.
_PANDAS_TYPES = {"integer": ("int64", "Int64"), "number": ("float64", "float64"),
                 "boolean": ("bool", "boolean"), "string": ("str", "str")}


def load_table(name: str, data_dir: Path = DATA_DIR, package: dict | None = None) -> pd.DataFrame:
    """Load one resource of the data package, validated, as a typed DataFrame."""
    return _load_with_lines(name, data_dir, package)[0]


def _load_with_lines(name: str, data_dir: Path = DATA_DIR, package: dict | None = None):
    """The validated table, its file name as shown in messages, and each row's line number."""
    package = package or read_package(data_dir)
    resource = _resource(package, name)
    path = data_dir / resource["path"]
    shown = _display_name(path)
    schema = resource["schema"]

    names, rows, problems = _validate_rows(shown, _read_text(path, shown), schema)
    _check_keys(shown, rows, schema, problems)
    _raise_if(problems)
    _check_foreign_keys(shown, rows, schema, data_dir, package, problems)
    _raise_if(problems)

    frame = pd.DataFrame([typed for _, typed in rows], columns=names)
    for field in schema["fields"]:
        complete, with_gaps = _PANDAS_TYPES[field.get("type", "string")]
        column = frame[field["name"]]
        frame[field["name"]] = column.astype(with_gaps if column.isna().any() else complete)
    # Line numbers are returned beside the frame, not kept in frame.attrs: pandas deep-copies
    # attrs into every derived frame and row, which made each filter slow.
    return frame, shown, [line for line, _ in rows]


# --- the book's tables -------------------------------------------------------------

def _check_survey(frame: pd.DataFrame, shown: str, lines: list[int]) -> None:
    """Checks across rows that a per-cell schema cannot express."""
    problems = []
    counts = Counter(frame["year"])
    for year in EDITIONS:
        if counts.get(year, 0) != 193:
            earlier = [line for line, y in zip(lines, frame["year"]) if y < year]
            after = max(earlier) if earlier else 1
            problems.append((shown, after + 1, "year",
                             f"edition {year} has {counts.get(year, 0)} rows, expected 193 "
                             f"(one per member state), starting at this row"))
    for line, row in zip(lines, frame.itertuples()):
        if row.assessed and pd.isna(row.egdi):
            problems.append((shown, line, "egdi", "an assessed country needs an EGDI value"))
        if not row.assessed and not pd.isna(row.egdi):
            problems.append((shown, line, "egdi",
                             "a country marked assessed=false must have an empty EGDI, not a score"))
        if not pd.isna(row.epi) and pd.isna(row.epi_rank):
            problems.append((shown, line, "epi_rank", "missing although the EPI is given"))
    _raise_if(problems)


def load_survey(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The UN E-Government Survey, 12 editions x 193 countries (``data/egdi.csv``).

    Columns: year, iso3, country, region, subregion, assessed, egdi_rank, egdi, osi,
    tii, hci, epi, epi_rank. Values are empty (<NA>/NaN) where a country was not assessed.
    """
    frame, shown, lines = _load_with_lines("egdi", data_dir)
    _check_survey(frame, shown, lines)
    return frame


def load_countries(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The 193 member states with region, sub-region and 2018 income group."""
    return load_table("countries", data_dir)


def load_paper_table(number: int, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The paper's Table 1, 2 or 3 exactly as printed."""
    if number not in (1, 2, 3):
        raise ValueError("the paper has Tables 1, 2 and 3")
    return load_table(f"paper-table{number}", data_dir)


def load_benefits(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The paper's six benefits of e-government."""
    return load_table("benefits", data_dir)


def load_determinants(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The paper's eleven determinants of effective e-government."""
    return load_table("determinants", data_dir)
