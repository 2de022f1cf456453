"""The build step: deterministic, and faithful to the raw exports."""

import csv
import io
import json
import shutil
from decimal import Decimal

import pytest

from egovbook import build
from egovbook.paths import DATA_DIR, EDITIONS, MEMBER_STATES, RAW_DIR

PRIMARY_EXPORTS = build.read_primary_exports(RAW_DIR)


def test_rebuild_reproduces_committed_files_byte_for_byte(tmp_path):
    written = build.build(RAW_DIR, tmp_path)
    assert [p.name for p in written] == ["countries.csv", "egdi.csv"]
    for path in written:
        assert path.read_bytes() == (DATA_DIR / path.name).read_bytes(), (
            f"{path.name} differs; run `make data`"
        )


def read_rows(name):
    return list(csv.DictReader((DATA_DIR / name).open(encoding="utf-8", newline="")))


def test_every_edition_has_every_member_state():
    rows = read_rows("egdi.csv")
    assert len(rows) == len(EDITIONS) * MEMBER_STATES
    for year in EDITIONS:
        codes = {r["iso3"] for r in rows if r["year"] == str(year)}
        assert len(codes) == MEMBER_STATES, year


def test_values_are_copied_with_their_own_precision():
    for row in read_rows("egdi.csv"):
        for column in ("egdi", "osi", "tii", "hci", "epi"):
            if row[column]:
                assert -Decimal(row[column]).as_tuple().exponent <= 5, (
                    row["year"],
                    row["iso3"],
                    column,
                )


def primary_values(year):
    """The primary raw export for a year, keyed by stripped UN name."""
    text = (RAW_DIR / PRIMARY_EXPORTS[year]).read_text(encoding="utf-8")
    rows = {}
    for raw in csv.DictReader(io.StringIO(text)):
        raw = {build.RENAMED_2024.get(k, k): v for k, v in raw.items()}
        rows[raw["Country Name"].strip()] = raw
    return rows


@pytest.mark.parametrize("year", EDITIONS)
def test_kazakhstan_equals_the_un_export(year):
    un = primary_values(year)["Kazakhstan"]
    ours = next(
        r
        for r in read_rows("egdi.csv")
        if r["year"] == str(year) and r["iso3"] == "KAZ"
    )
    assert ours["egdi_rank"] == un["E-Government Rank"]
    assert ours["egdi"] == un["E-Government Index"]
    assert ours["osi"] == un["Online Service Index"]
    assert ours["tii"] == un["Telecommunication Infrastructure Index"]
    assert ours["hci"] == un["Human Capital Index"]
    assert ours["epi"] == un["E-Participation Index"]


def test_kazakhstan_2024_headline():
    ours = next(
        r for r in read_rows("egdi.csv") if r["year"] == "2024" and r["iso3"] == "KAZ"
    )
    assert (ours["egdi_rank"], ours["egdi"]) == ("24", "0.90093")


def test_unassessed_countries_have_no_score_rather_than_zero():
    rows = read_rows("egdi.csv")
    unassessed = [r for r in rows if r["assessed"] == "false"]
    assert unassessed, "the early editions list countries that were not assessed"
    for row in unassessed:
        assert row["egdi"] == "" and row["egdi_rank"] == ""
        for column in ("osi", "tii", "hci", "epi"):
            assert row[column] == "" or float(row[column]) > 0
    south_sudan = {r["year"]: r["assessed"] for r in rows if r["iso3"] == "SSD"}
    assert south_sudan["2010"] == "false" and south_sudan["2012"] == "true"
    assert {r["assessed"] for r in rows if int(r["year"]) >= 2014} == {"true"}


def test_central_asia_is_the_five_republics():
    codes = {
        r["iso3"]
        for r in read_rows("countries.csv")
        if r["subregion"] == "Central Asia"
    }
    assert codes == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}


def test_one_current_name_per_country():
    rows = read_rows("egdi.csv")
    names = {}
    for row in rows:
        names.setdefault(row["iso3"], set()).add(row["country"])
    assert all(len(n) == 1 for n in names.values())
    assert names["TUR"] == {"Türkiye"} and names["MKD"] == {"North Macedonia"}


def test_computed_epi_ranks_for_kazakhstan():
    ranks = {
        r["year"]: r["epi_rank"] for r in read_rows("egdi.csv") if r["iso3"] == "KAZ"
    }
    # Competition ranking over each edition's published EPI values
    # (PROVENANCE.md section 4).
    assert ranks == {
        "2003": "69",
        "2004": "59",
        "2005": "47",
        "2008": "98",
        "2010": "18",
        "2012": "3",
        "2014": "22",
        "2016": "67",
        "2018": "42",
        "2020": "26",
        "2022": "15",
        "2024": "27",
    }


def test_competition_ranking_shares_the_best_rank_among_ties():
    assert build.competition_ranks(
        {"a": "1.0", "b": "0.9", "c": "0.9", "d": "0.5"}
    ) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_unknown_country_name_stops_the_build(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    path = raw / PRIMARY_EXPORTS[2020]
    path.write_text(
        path.read_text(encoding="utf-8").replace('"Kazakhstan "', '"Kazakstan "'),
        encoding="utf-8",
    )
    with pytest.raises(
        build.BuildError,
        match=r"EGOV_DATA_2020\.csv, row \d+: "
        r"country name 'Kazakstan'.*country_aliases",
    ):
        build.build(raw, tmp_path / "out")


# --- the build's choices, kept as data beside the raw files ---------------------------


def test_primary_exports_are_the_copies_the_manifest_says_the_build_reads():
    manifest = csv.DictReader((RAW_DIR / "manifest.csv").open(encoding="utf-8"))
    read_by_build = {
        row["path"]
        for row in manifest
        if row["role"].startswith("read by the build (primary")
    }
    assert set(PRIMARY_EXPORTS.values()) == read_by_build
    assert all(PRIMARY_EXPORTS[year].startswith(f"{year}/") for year in EDITIONS)


def test_each_alias_is_needed_and_points_at_a_member_state():
    countries = build.read_classification(RAW_DIR)
    known_names = {country.un_name_2018 for country in countries.values()}
    printed = {
        row["country"]
        for year in EDITIONS
        for row in build.read_export(RAW_DIR, PRIMARY_EXPORTS[year], year)
    }
    for name, iso3 in build.read_name_aliases(RAW_DIR).items():
        assert iso3 in countries, name
        assert name not in known_names, f"{name} needs no alias"
        assert name in printed, f"no export prints {name}"


def test_an_edition_missing_from_primary_exports_stops_the_build(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    exports = json.loads((raw / build.PRIMARY_EXPORTS).read_text(encoding="utf-8"))
    del exports["2012"]
    (raw / build.PRIMARY_EXPORTS).write_text(json.dumps(exports), encoding="utf-8")
    with pytest.raises(
        build.BuildError, match=r"primary_exports\.json: lists editions .*expected"
    ):
        build.build(raw, tmp_path / "out")


# --- the other copies agree with the copy the build reads -----------------------------


def name_to_iso3():
    mapping = {
        c.un_name_2018: code for code, c in build.read_classification(RAW_DIR).items()
    }
    mapping.update(build.read_name_aliases(RAW_DIR))
    return mapping


# egovspace's added CODE column has one error, noted in PROVENANCE.md section 2.4.
EGOVSPACE_CODE_FIXES = {"BHM": "BHS"}


def copy_values(relative):
    """{iso3: {field: Decimal or None}} from any copy's layout."""
    text = (RAW_DIR / relative).read_text(encoding="utf-8-sig")
    names = name_to_iso3()
    out = {}
    for raw in csv.DictReader(io.StringIO(text)):
        if "country-code" in raw:  # UNU-EGOV layout
            key = raw["country-code"]
            values = {
                "rank": raw["e-gov-rank"],
                "egdi": raw["e-gov-index"],
                "epi": raw["e-pat-index"],
                "osi": raw["osi"],
                "hci": raw["hci"],
                "tii": raw["tii"],
            }
        else:
            raw = {build.RENAMED_2024.get(k, k): v for k, v in raw.items()}
            if "CODE" in raw:
                key = EGOVSPACE_CODE_FIXES.get(raw["CODE"], raw["CODE"])
            else:
                key = names[raw["Country Name"].strip()]
            values = {
                "rank": raw["E-Government Rank"],
                "egdi": raw["E-Government Index"],
                "epi": raw["E-Participation Index"],
                "osi": raw["Online Service Index"],
                "hci": raw["Human Capital Index"],
                "tii": raw["Telecommunication Infrastructure Index"],
            }
        out[key] = {k: (Decimal(v) if v.strip() else None) for k, v in values.items()}
    return out


OTHER_COPIES = [
    (2010, "2010/UNU-EGOV__datasets__egdi-2010.csv"),
    (2012, "2012/UNU-EGOV__datasets__egdi-2012.csv"),
    (2014, "2014/UNU-EGOV__datasets__egdi-2014.csv"),
    (2014, "2014/kreetigulati__Egovernance_and_OpenData__egov-rankings-2014.csv"),
    (2016, "2016/UNU-EGOV__datasets__egdi-2016.csv"),
    (2016, "2016/kreetigulati__Egovernance_and_OpenData__egov-rankings-2016.csv"),
    (2018, "2018/UNU-EGOV__datasets__egdi-2018.csv"),
    (2018, "2018/egovspace__un-egov-ranking__EGOV_DATA_2018.csv"),
    (2022, "2022/pluralitybook__plurality__EGOV_DATA_2022.csv"),
    (
        2024,
        "2024/aaravgupta10__Neutrosophic-human-development-index__EGOV_DATA_2024.csv",
    ),
]


@pytest.mark.parametrize(
    "year,relative", OTHER_COPIES, ids=[r for _, r in OTHER_COPIES]
)
def test_other_copies_agree_with_the_copy_read(year, relative):
    primary = copy_values(PRIMARY_EXPORTS[year])
    other = copy_values(relative)
    compared = 0
    for key, values in other.items():
        for field, value in values.items():
            mine = primary[key][field]
            if (
                value is None
            ):  # the UNU 2010 copy leaves blanks where the export has 0.00000
                assert mine is None or mine == 0, (key, field)
                continue
            places = min(-value.as_tuple().exponent, -mine.as_tuple().exponent, 5)
            quantum = Decimal(1).scaleb(-places)
            assert round(value, places) == round(mine, places) or value.quantize(
                quantum
            ) == mine.quantize(quantum), (key, field, value, mine)
            compared += 1
    assert compared >= 20 * 6
