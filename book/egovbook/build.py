"""Build the tidy data files in ``data/`` from the raw UN exports in ``data/raw/``.

Run it from the repository root with ``make data`` (or ``python -m egovbook.build``
from ``book/``). It is deterministic: the same raw files always give the same bytes,
and a test rebuilds into a temporary folder and compares.

What it writes:

* ``data/countries.csv``: one row per member state (ISO3 key, current name, UNU-EGOV
  region and sub-region, 2018 income group).
* ``data/egdi.csv``: one row per survey edition and member state.

Two small files beside the raw exports hold the choices the build makes, as data:
``data/raw/primary_exports.json`` names the copy read for each edition and
``data/raw/country_aliases.json`` maps UN names that the classification file does not
know to ISO3 codes (see ``data/raw/README.md``).

Values are copied as the text the UN export printed (``0.75970`` stays ``0.75970``), so
no precision is lost or invented by a float round trip.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .paths import DATA_DIR, EDITIONS, MEMBER_STATES, RAW_DIR

# The choices the build makes, kept as data beside the raw files (data/raw/README.md).
PRIMARY_EXPORTS = "primary_exports.json"  # edition -> the copy read
COUNTRY_ALIASES = "country_aliases.json"  # UN name -> ISO3, for names the file lacks

CLASSIFICATION = "classification/UNU-EGOV__datasets__countries-data.csv"

# The UN export columns, in file order, and the names we give them.
EXPORT_COLUMNS = {
    "Survey Year": "year",
    "Country Name": "country",
    "E-Government Rank": "egdi_rank",
    "E-Government Index": "egdi",
    "E-Participation Index": "epi",
    "Online Service Index": "osi",
    "Human Capital Index": "hci",
    "Telecommunication Infrastructure Index": "tii",
}
# The 2024 copy's renamed headers, mapped back onto the UN names.
RENAMED_2024 = {
    "Country": "Country Name",
    "Rank": "E-Government Rank",
    "E_Index": "E-Government Index",
    "E_Participation": "E-Participation Index",
    "Online_Service": "Online Service Index",
    "Human_Capital": "Human Capital Index",
    "Tele_Infra": "Telecommunication Infrastructure Index",
}

INDEX_COLUMNS = ("egdi", "osi", "tii", "hci", "epi")

EGDI_HEADER = (
    "year",
    "iso3",
    "country",
    "region",
    "subregion",
    "assessed",
    "egdi_rank",
    "egdi",
    "osi",
    "tii",
    "hci",
    "epi",
    "epi_rank",
)
COUNTRY_HEADER = (
    "iso3",
    "country",
    "region",
    "subregion",
    "income_group",
    "development_status",
)


class BuildError(ValueError):
    """A raw file does not look the way the build step expects."""


@dataclass(frozen=True)
class Country:
    iso3: str
    un_name_2018: str
    region: str
    subregion: str
    income_group: str
    development_status: str


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Read a raw CSV as text, with the file's own line endings and an optional BOM."""
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_classification(raw_dir: Path) -> dict[str, Country]:
    countries = {}
    for row in read_csv_rows(raw_dir / CLASSIFICATION):
        country = Country(
            iso3=row["country-code"],
            un_name_2018=row["country-name"],
            region=row["region"],
            subregion=row["sub-region"],
            income_group=row["income"],
            development_status=row["developed"],
        )
        countries[country.iso3] = country
    if len(countries) != MEMBER_STATES:
        raise BuildError(
            f"{CLASSIFICATION}: expected {MEMBER_STATES} countries, "
            f"found {len(countries)}"
        )
    return countries


def read_primary_exports(raw_dir: Path = RAW_DIR) -> dict[int, str]:
    """The copy read for each edition, from data/raw/primary_exports.json."""
    exports = json.loads((raw_dir / PRIMARY_EXPORTS).read_text(encoding="utf-8"))
    exports = {int(year): relative for year, relative in exports.items()}
    if sorted(exports) != list(EDITIONS):
        raise BuildError(
            f"{PRIMARY_EXPORTS}: lists editions {sorted(exports)}, "
            f"expected {list(EDITIONS)}"
        )
    return exports


def read_name_aliases(raw_dir: Path = RAW_DIR) -> dict[str, str]:
    """UN names the classification file does not know, with their ISO3 codes."""
    return json.loads((raw_dir / COUNTRY_ALIASES).read_text(encoding="utf-8"))


def read_export(raw_dir: Path, relative: str, year: int) -> list[dict[str, str]]:
    """One edition's rows, with our column names and names without trailing spaces."""
    rows = []
    for line_number, raw_row in enumerate(read_csv_rows(raw_dir / relative), start=2):
        row = {RENAMED_2024.get(key, key): value for key, value in raw_row.items()}
        missing = [name for name in EXPORT_COLUMNS if name not in row]
        if missing:
            raise BuildError(f"{relative}: missing column(s) {missing}")
        tidy = {ours: row[theirs].strip() for theirs, ours in EXPORT_COLUMNS.items()}
        if tidy["year"] != str(year):
            raise BuildError(
                f"{relative}, row {line_number}: "
                f"survey year {tidy['year']!r}, expected {year}"
            )
        tidy["source_row"] = line_number
        rows.append(tidy)
    return rows


def is_zero(text: str) -> bool:
    return text == "" or float(text) == 0.0


def competition_ranks(scores: dict[str, str]) -> dict[str, int]:
    """Standard competition ranking ("1224"): 1 + the number of strictly higher scores.

    This is how the UN's EGDI ranks treat ties, and it reproduces five of the paper's
    six e-participation ranks; the 2012 rank needs dense ranking instead (see the
    fact-check).
    """
    values = {key: float(text) for key, text in scores.items()}
    ordered = sorted(values.values(), reverse=True)
    first_position = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[value] for key, value in values.items()}


def tidy_edition(
    year: int,
    relative: str,
    rows: list[dict[str, str]],
    countries: dict[str, Country],
    name_to_iso3: dict[str, str],
) -> list[dict[str, str]]:
    tidy_rows = []
    for row in rows:
        iso3 = name_to_iso3.get(row["country"])
        if iso3 is None:
            raise BuildError(
                f"{relative}, row {row['source_row']}: country name {row['country']!r} "
                f"matches no ISO3 code; add it to data/raw/{COUNTRY_ALIASES}"
            )
        # Before 2014 the export lists countries the survey did not assess (not yet
        # members, or no data) with EGDI 0.00000. A zero there means "no score", so the
        # assessed flag is false and every value published as zero becomes empty.
        assessed = not is_zero(row["egdi"])
        tidy = {
            "year": str(year),
            "iso3": iso3,
            "country": row["country"],
            "assessed": "true" if assessed else "false",
        }
        if assessed:
            tidy["egdi_rank"] = row["egdi_rank"]
            for column in INDEX_COLUMNS:
                tidy[column] = row[column]
        else:
            tidy["egdi_rank"] = ""
            tidy["egdi"] = ""
            for column in ("osi", "tii", "hci", "epi"):
                tidy[column] = "" if is_zero(row[column]) else row[column]
        tidy_rows.append(tidy)

    seen = [row["iso3"] for row in tidy_rows]
    if len(set(seen)) != len(seen) or set(seen) != set(countries):
        duplicates = sorted({code for code in seen if seen.count(code) > 1})
        absent = sorted(set(countries) - set(seen))
        raise BuildError(f"{relative}: duplicated {duplicates}, absent {absent}")

    # No export carries an e-participation rank, so it is computed from the scores.
    epi_ranks = competition_ranks(
        {row["iso3"]: row["epi"] for row in tidy_rows if row["epi"] != ""}
    )
    for row in tidy_rows:
        row["epi_rank"] = (
            str(epi_ranks[row["iso3"]]) if row["iso3"] in epi_ranks else ""
        )
    return tidy_rows


def current_names(latest: list[dict[str, str]]) -> dict[str, str]:
    """Each country's name as printed in the latest edition (the UN's current name)."""
    return {row["iso3"]: row["country"] for row in latest}


def build_tables(raw_dir: Path = RAW_DIR) -> dict[str, list[dict[str, str]]]:
    countries = read_classification(raw_dir)
    name_to_iso3 = {country.un_name_2018: iso3 for iso3, country in countries.items()}
    name_to_iso3.update(read_name_aliases(raw_dir))
    exports = read_primary_exports(raw_dir)
    editions = {
        year: tidy_edition(
            year,
            exports[year],
            read_export(raw_dir, exports[year], year),
            countries,
            name_to_iso3,
        )
        for year in EDITIONS
    }
    names = current_names(editions[max(EDITIONS)])

    country_rows = [
        {
            "iso3": iso3,
            "country": names[iso3],
            "region": country.region,
            "subregion": country.subregion,
            "income_group": country.income_group,
            "development_status": country.development_status,
        }
        for iso3, country in sorted(countries.items())
    ]

    egdi_rows = []
    for year in EDITIONS:
        for row in sorted(editions[year], key=lambda r: r["iso3"]):
            country = countries[row["iso3"]]
            row.update(
                country=names[row["iso3"]],
                region=country.region,
                subregion=country.subregion,
            )
            egdi_rows.append(row)
    return {"countries.csv": country_rows, "egdi.csv": egdi_rows}


def write_csv(path: Path, header: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(
        buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def build(raw_dir: Path = RAW_DIR, out_dir: Path = DATA_DIR) -> list[Path]:
    """Write the tidy CSVs into ``out_dir`` and return their paths."""
    tables = build_tables(raw_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, header in (("countries.csv", COUNTRY_HEADER), ("egdi.csv", EGDI_HEADER)):
        path = out_dir / name
        write_csv(path, header, tables[name])
        written.append(path)
    return written


def main() -> int:
    for path in build():
        print(f"wrote {path.relative_to(DATA_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
