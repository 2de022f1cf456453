"""The fact-check of the paper against the UN data finds exactly the known
disagreements."""

import pytest

from egovbook import load_survey
from egovbook.factcheck import (
    compare_paper_tables,
    dense_rank,
    differs_from_un,
    identity_exceptions,
    naming_findings,
    paper_disagreements,
    round_half_up,
)
from egovbook.paths import RAW_DIR, REPO_ROOT


@pytest.fixture(scope="module")
def survey():
    return load_survey()


def test_every_cell_of_the_three_tables_is_compared(survey):
    cells = compare_paper_tables(survey)
    assert cells.groupby("table").size().to_dict() == {1: 60, 2: 24, 3: 12}


def test_table1_agrees_in_all_60_cells(survey):
    cells = compare_paper_tables(survey)
    assert cells[cells["table"] == 1]["agrees"].all()


def test_exactly_the_known_disagreements(survey):
    found = {
        (r.table, r.year, r.field, r.paper, r.un)
        for r in paper_disagreements(survey).itertuples()
    }
    assert found == {
        (2, 2010, "osi", 0.1792, 0.527),
        (2, 2010, "tii", 0.0593, 0.1797),
        (2, 2010, "hci", 0.3194, 0.9677),
        (2, 2016, "hci", 0.8481, 0.8401),
        (2, 2018, "egdi", 0.7598, 0.7597),
        (3, 2012, "epi_rank", 2, 3),
    }


def test_each_disagreement_is_explained(survey):
    explained = paper_disagreements(survey).set_index(["year", "field"])["explanation"]
    assert "weighted contribution 0.34 x OSI" in explained[(2010, "osi")]
    assert "weighted contribution 0.33 x TII" in explained[(2010, "tii")]
    assert "weighted contribution 0.33 x HCI" in explained[(2010, "hci")]
    assert "One digit differs" in explained[(2016, "hci")]
    assert "Table 1 prints 0.7597" in explained[(2018, "egdi")]
    assert "dense ranking it is 2" in explained[(2012, "epi_rank")]


def test_only_the_computed_epi_rank_is_a_ranking_rule_question(survey):
    """No UN file has an EPI rank: the 2012 rank is a tie-rule question."""
    found = paper_disagreements(survey)
    rule_questions = found[~differs_from_un(found)]
    questions = [(r.year, r.field) for r in rule_questions.itertuples()]
    assert questions == [(2012, "epi_rank")]
    assert int(differs_from_un(found).sum()) == 5

    # ...because no raw UN file has an e-participation rank column to compare with.
    for raw in sorted(RAW_DIR.glob("20*/*.csv")):
        header = raw.read_text(encoding="utf-8-sig").splitlines()[0].lower()
        participation_rank = [
            c for c in header.split(",") if ("part" in c or "pat" in c) and "rank" in c
        ]
        assert participation_rank == [], f"{raw.name} has an EPI rank column"


def test_a_changed_un_value_shows_up(survey):
    changed = survey.copy()
    row = (changed["year"] == 2014) & (changed["iso3"] == "UZB")
    changed.loc[row, "egdi"] = 0.4795
    found = paper_disagreements(changed)
    assert (
        (found["table"] == 1) & (found["iso3"] == "UZB") & (found["year"] == 2014)
    ).any()


def test_rounding_is_half_up_on_the_printed_decimal():
    assert round_half_up(0.54335) == 0.5434
    assert round_half_up(0.44975) == 0.4498
    assert round_half_up(0.75970) == 0.7597


def test_dense_and_competition_ranks_differ_for_kazakhstan_2012(survey):
    assert dense_rank(survey, 2012, "KAZ") == 2
    kaz = survey[(survey.year == 2012) & (survey.iso3 == "KAZ")].iloc[0]
    assert kaz["epi_rank"] == 3


def test_identity_exceptions(survey):
    exceptions = identity_exceptions(survey)
    unassessed = exceptions[exceptions["reason"].str.contains("not assessed")]
    assert len(unassessed) == int((~survey["assessed"]).sum())
    others = exceptions[~exceptions["reason"].str.contains("not assessed")]
    assert {(r.year, r.iso3, r.reason) for r in others.itertuples()} == {
        (2003, "FSM", "HCI above 1"),
        (2008, "KHM", "EGDI differs from the weighted mean"),
        (2008, "CMR", "EGDI differs from the weighted mean"),
    }
    tuvalu = exceptions[(exceptions.year == 2003) & (exceptions.iso3 == "TUV")][
        "reason"
    ].item()
    assert tuvalu == "not assessed; HCI above 1"


def test_equal_weights_would_fail_in_2008_and_2010(survey):
    """The 0.34/0.33/0.33 weights are needed: with equal weights most 2010 rows break
    the identity."""
    edition = survey[(survey.year == 2010) & survey.assessed]
    equal = (edition.osi + edition.tii + edition.hci) / 3
    assert ((edition.egdi - equal).abs() > 1e-4).sum() > 150


def test_weights_label():
    from egovbook.factcheck import weights_label

    assert weights_label(2010) == "0.34 / 0.33 / 0.33"
    assert weights_label(2012) == "equal (1/3 each)"


def test_the_2008_naming_slip_is_recorded_with_a_real_source():
    """The paper's note gives today's name as the 2008 name; the UN's note differs."""
    findings = naming_findings()
    slip = findings[findings["where"].str.startswith("Table 2")].iloc[0]
    assert slip["in_stored_notes"], "the stored Table 2 notes lost the printed name"
    # Today's name, not the 2008 one:
    assert slip["paper"].lower() == "e-government development index"
    assert slip["un_wording"].lower() == "e-government readiness index"
    bib = (REPO_ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    entry_start = f"{{{slip['source_key']},"
    assert entry_start in bib, f"{slip['source_key']} is not in references.bib"
    entry = bib.split(entry_start)[1].split("\n}")[0]
    assert "readiness index" in entry.lower()
    assert findings["in_stored_notes"].all()
    assert (findings["paper"].str.lower() != findings["un_wording"].str.lower()).all()
