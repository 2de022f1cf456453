"""Load the book's data files, checked against ``data/datapackage.json``.

Every chapter reads data through these functions. Frictionless checks each file against
its schema in the data package (the type and constraints of every cell, the primary key,
the foreign keys); this module retells what it found in plain words that name the file,
the row (the header is row 1, as in a spreadsheet or a text editor) and the column. A
malformed file stops the notebook with a message a student can act on, instead of a
wrong chart.

Two checks are our own, as a table schema cannot express them: where a byte that is not
UTF-8 sits, and the survey's rules across rows (every edition present with one row per
member state; no score for a country that was not assessed).

A table that passed is remembered by a hash of its bytes and schema: in memory for the
session, and on disk (``~/.cache/egovbook``, or the folder ``EGOVBOOK_CACHE`` names;
``off`` turns it off) for the next kernel. A changed byte is a new hash, checked again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path

import frictionless
import pandas as pd

from .paths import DATA_DIR, EDITIONS, MEMBER_STATES, REPO_ROOT

MAX_REPORTED = 10  # errors listed in one message; the rest are counted


class DataError(ValueError):
    """A data file breaks its schema. ``problems``: (file, row, column, message)."""

    def __init__(self, problems: list[tuple[str, int | None, str | None, str]], more=0):
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


def _raise_if(problems: list) -> None:
    if problems:
        more = max(0, len(problems) - MAX_REPORTED)
        raise DataError(problems[:MAX_REPORTED], more=more)


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def read_package(data_dir: Path = DATA_DIR) -> dict:
    path = data_dir / "datapackage.json"
    shown = _display_name(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problem = (shown, None, None, "the data package description is missing")
    except json.JSONDecodeError as error:
        problem = (shown, error.lineno, None, f"not valid JSON: {error.msg}")
    raise DataError([problem])


def _resource(package: dict, name: str) -> dict:
    for resource in package["resources"]:
        if resource["name"] == name:
            return resource
    raise KeyError(f"no resource named {name!r} in datapackage.json")


def _with_references(package: dict, name: str) -> list[str]:
    """This resource, then the others that its foreign keys point into."""
    keys = _resource(package, name)["schema"].get("foreignKeys", [])
    targets = [key["reference"]["resource"] for key in keys]
    return [name, *(target for target in targets if target not in ("", name))]


def _read_bytes(path: Path, shown: str) -> bytes:
    """The file's bytes, once we know it exists, is not empty and is all UTF-8."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError([(shown, None, None, "file not found")]) from None
    if not raw.strip():
        empty = "the file is empty: expected a header row and data"
        raise DataError([(shown, 1, None, empty)])
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:  # Frictionless would not say where
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        row = raw.count(b"\n", 0, error.start) + 1
        index = raw[line_start : error.start].count(b",")
        header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace")
        header = header.strip().split(",")
        column = header[index] if index < len(header) else f"#{index + 1}"
        byte = f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8"
        raise DataError([(shown, row, column, byte)]) from None
    return raw


# --- what Frictionless found, in plain words -----------------------------------------

_CONSTRAINT_PROBLEMS = {
    "required": "value is required but empty",
    "minimum": "{text} is below the minimum {limit}",
    "maximum": "{text} is above the maximum {limit}",
    "exclusiveMinimum": "{text} must be above {limit}",
    "exclusiveMaximum": "{text} must be below {limit}",
    "minLength": "{text!r} is shorter than the minimum length, {limit} characters",
    "maxLength": "{text!r} is longer than the maximum length, {limit} characters",
    "enum": "{text!r} is not one of the allowed values ({allowed})",
    "pattern": "{text!r} does not match the pattern {limit}",
}
_HEADER_PROBLEMS = {
    "missing-label": "required column is missing from the header",
    "extra-label": "column is not described in datapackage.json",
    "duplicate-label": "appears more than once in the header",
    "incorrect-label": "required column is missing from the header "
    "(column {number} is '{label}' instead)",
    "misplaced-label": "should be column {number} of the header, not '{label}': "
    "keep the columns in the order datapackage.json lists them",
}


def _cell_problem(error: frictionless.errors.CellError, field) -> str:
    text = error.cell
    if error.type == "type-error":
        if field.type == "integer":
            return f"{text!r} is not a whole number"
        if field.type == "number":
            return f"{text!r} is not a number"
        if field.type == "boolean":
            return f"{text!r} is not one of {field.true_values + field.false_values}"
        if field.type == "date" and field.format != "any":
            written = "YYYY-MM-DD" if field.format == "default" else field.format
            return f"{text!r} is not a date written as {written}"
        return f"{text!r} is not a valid {field.type}"
    name = re.match(r'constraint "(\w+)"', error.note)[1]
    limit = field.constraints[name]
    template = _CONSTRAINT_PROBLEMS.get(
        name, "{text!r} breaks the rule {name}: {limit}"
    )
    return template.format(
        text=text,
        name=name,
        limit=limit,
        allowed=", ".join(map(str, limit)) if name == "enum" else "",
    )


def _header_problem(error: frictionless.errors.LabelError, names: list[str]):
    """(column, message) for a header that differs from the schema."""
    kind = error.type
    if kind == "incorrect-label" and error.label in names:
        kind = "misplaced-label"
    column = (
        error.label if kind in ("extra-label", "duplicate-label") else error.field_name
    )
    if kind not in _HEADER_PROBLEMS:
        return column, error.message
    return column, _HEADER_PROBLEMS[kind].format(
        number=error.field_number, label=error.label
    )


def _row_problems(row: frictionless.Row, resource: frictionless.Resource) -> list:
    """(column, message) for each problem Frictionless found in one row."""
    kinds = {error.type for error in row.errors}
    if "blank-row" in kinds:
        return [(None, "the row is empty; delete the blank line")]
    if kinds & {"extra-cell", "missing-cell"}:
        counts = f"has {len(row.cells)} fields, the header has {len(resource.labels)}"
        return [(None, counts)]
    problems = {}  # column -> the first problem found in it
    for error in row.errors:
        column, message = _explain(error, row, resource)
        problems.setdefault(column, message)
    return list(problems.items())


def _explain(error: frictionless.errors.RowError, row, resource) -> tuple:
    """(column, message) for one error in a row."""
    # Frictionless names an earlier duplicate as "the row at position N".
    earlier = re.search(r"position (\d+)", error.note)
    if error.type in ("type-error", "constraint-error"):
        field = resource.schema.get_field(error.field_name)
        return error.field_name, _cell_problem(error, field)
    if error.type == "unique-error":
        return (
            error.field_name,
            f"duplicate ({error.cell}): the same as row {earlier[1]}",
        )
    if error.type == "primary-key":
        key = resource.schema.primary_key
        if not earlier:
            return ", ".join(key), "the key is empty"
        values = ", ".join(str(row[name]) for name in key)
        return ", ".join(key), f"duplicate ({values}): the same as row {earlier[1]}"
    if error.type == "foreign-key":
        values = ", ".join(map(repr, error.field_cells))
        target = resource.package.get_resource(error.reference_name).path
        target_key = ", ".join(error.reference_field_names)
        message = f"{values} is not listed in {target} (column '{target_key}')"
        return ", ".join(error.field_names), message
    return getattr(error, "field_name", None), error.message


def _frictionless_rows(name: str, package: dict, data_dir: Path, shown: str):
    """Every row of one resource as Frictionless reads and checks it, or a DataError."""
    descriptor = [_resource(package, each) for each in _with_references(package, name)]
    try:
        tables = frictionless.Package({"resources": descriptor}, basepath=str(data_dir))
        resource = tables.get_resource(name)
    except frictionless.FrictionlessException as error:
        shown_package = _display_name(data_dir / "datapackage.json")
        raise DataError([(shown_package, None, None, error.error.message)]) from None
    for field in resource.schema.fields:
        if field.type == "number":
            field.float_number = True  # floats for pandas, not Decimals; same checks
    problems, rows = [], []
    try:
        with resource:
            names = resource.schema.field_names
            header = resource.header.errors
            _raise_if([(shown, 1, *_header_problem(error, names)) for error in header])
            for row in resource.row_stream:
                rows.append(row.to_list())
                if row.errors:
                    where = (shown, row.row_number)
                    problems += [
                        (*where, *problem) for problem in _row_problems(row, resource)
                    ]
    except frictionless.FrictionlessException as error:
        raise DataError([(shown, None, None, error.error.message)]) from None
    _raise_if(problems)
    if not rows:
        raise DataError([(shown, 2, None, "the file has a header but no data rows")])
    return rows


# --- typed tables --------------------------------------------------------------------

# Nullable types only where a column has gaps, so students meet plain int and bool.
_PANDAS_TYPES = {
    "integer": ("int64", "Int64"),
    "number": ("float64", "float64"),
    "boolean": ("bool", "boolean"),
    "string": ("str", "str"),
    "date": ("datetime64[s]", "datetime64[s]"),
}

# Tables Frictionless passed in this session, by a hash of their schema and bytes. The
# same bytes always get the same verdict, so a second load takes milliseconds.
_PASSED: dict[str, pd.DataFrame] = {}
_PASSED_KEPT = 16
# The rows of tables that passed are also kept on disk, under the same hash, so a fresh
# kernel (every re-run of a chapter) skips Frictionless's row-by-row reading too.
_CACHE_FORMAT = 1
_CACHE_KEPT = 64


def _cache_dir() -> Path | None:
    """Where rows of tables that passed are kept between sessions (and the charts'
    static forms, :mod:`egovbook.notebook_output`); None: nowhere.

    ``EGOVBOOK_CACHE`` names another folder, or ``off`` to check every file every time.
    """
    setting = os.environ.get("EGOVBOOK_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(home) / "egovbook" / "passed"


def read_cached(name: str):
    """The JSON value kept in the cache under this file name; None if the cache is off
    or the file is missing or damaged."""
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def keep_cached(name: str, value, kept: int) -> None:
    """Keep a JSON value in the cache under this file name, whole or not at all, and
    only the `kept` newest files of its kind (its suffix): entries for data long gone
    go. A read-only home keeps nothing; the work is simply done again next time."""
    folder = _cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{name}.{os.getpid()}.part"
        partial.write_text(json.dumps(value, default=str), encoding="utf-8")
        os.replace(partial, folder / name)
        files = sorted(
            folder.glob(f"*{Path(name).suffix}"), key=lambda path: path.stat().st_mtime
        )
        for old in files[:-kept]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _cached_rows(key: str, fields: list[dict]) -> list[list] | None:
    """The rows stored for this hash; None if there are none or they are unusable."""
    stored = read_cached(f"{key}.json")
    try:
        rows = stored["rows"]
        if stored["format"] != _CACHE_FORMAT or stored["columns"] != len(fields):
            return None
    except (KeyError, TypeError):
        return None  # missing or damaged: validate again
    dates = [i for i, field in enumerate(fields) if field.get("type") == "date"]
    for row in rows:
        for i in dates:
            if row[i] is not None:
                row[i] = datetime.date.fromisoformat(row[i])
    return rows


def _store_rows(key: str, rows: list[list], columns: int) -> None:
    stored = {"format": _CACHE_FORMAT, "columns": columns, "rows": rows}
    keep_cached(f"{key}.json", stored, _CACHE_KEPT)


def load_table(name: str, data_dir: Path = DATA_DIR, package=None) -> pd.DataFrame:
    """Load one resource of the data package, validated, as a typed DataFrame."""
    return _load_with_name(name, data_dir, package)[0]


def _load_with_name(name: str, data_dir: Path = DATA_DIR, package=None):
    """The validated table and its file name as shown in messages."""
    package = package or read_package(data_dir)
    tables = _with_references(package, name)
    for target in tables[1:]:  # a broken target would make every key look unknown
        load_table(target, data_dir, package)
    fields = _resource(package, name)["schema"]["fields"]
    path = data_dir / _resource(package, name)["path"]
    shown = _display_name(path)
    raw = _read_bytes(path, shown)

    descriptors = [_resource(package, table) for table in tables]
    fingerprint = hashlib.sha256(json.dumps(descriptors).encode() + raw)
    for descriptor in descriptors[1:]:
        fingerprint.update((data_dir / descriptor["path"]).read_bytes())
    fingerprint.update(f"frictionless {frictionless.__version__}".encode())
    key = fingerprint.hexdigest()
    if key not in _PASSED:
        rows = _cached_rows(key, fields)
        if rows is None:
            rows = _frictionless_rows(name, package, data_dir, shown)
            _store_rows(key, rows, len(fields))
        frame = pd.DataFrame(rows, columns=[field["name"] for field in fields])
        for field in fields:
            types = _PANDAS_TYPES.get(field.get("type", "string"), ("object", "object"))
            column = frame[field["name"]]
            frame[field["name"]] = column.astype(types[bool(column.isna().any())])
        while len(_PASSED) >= _PASSED_KEPT:
            del _PASSED[next(iter(_PASSED))]
        _PASSED[key] = frame
    return _PASSED[key].copy(), shown


# --- the book's tables -------------------------------------------------------------


def _check_survey(frame: pd.DataFrame, shown: str) -> None:
    """Checks across rows that a per-cell schema cannot express."""
    problems = []
    counts = Counter(frame["year"])
    for year in EDITIONS:
        if counts[year] != MEMBER_STATES:
            # Frame row i is file row i + 2; point at where the edition should start.
            before = frame.index[frame["year"] < year]
            start = int(before.max()) + 3 if len(before) else 2
            problem = (
                f"edition {year} has {counts[year]} rows, expected {MEMBER_STATES} "
                "(one per member state), starting at this row"
            )
            problems.append((shown, start, "year", problem))
    assessed, has_egdi = frame["assessed"], frame["egdi"].notna()
    rules = [
        (assessed & ~has_egdi, "egdi", "an assessed country needs an EGDI value"),
        (
            ~assessed & has_egdi,
            "egdi",
            "a country marked assessed=false must have an empty EGDI, not a score",
        ),
        (
            frame["epi"].notna() & frame["epi_rank"].isna(),
            "epi_rank",
            "missing although the EPI is given",
        ),
    ]
    broken = sorted(
        (i, rule) for rule, (mask, *_) in enumerate(rules) for i in frame.index[mask]
    )
    problems += [(shown, int(i) + 2, *rules[rule][1:]) for i, rule in broken]
    _raise_if(problems)


def load_survey(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The UN E-Government Survey, one row per edition and member state (``egdi.csv``).

    Columns: year, iso3, country, region, subregion, assessed, egdi_rank, egdi, osi,
    tii, hci, epi, epi_rank. Values are empty (<NA>/NaN) where a country was not
    assessed.
    """
    frame, shown = _load_with_name("egdi", data_dir)
    _check_survey(frame, shown)
    return frame


def load_countries(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The UN member states with region, sub-region and 2018 income group."""
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
