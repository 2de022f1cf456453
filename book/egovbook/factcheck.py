"""Check the paper's tables, and the EGDI formula, against the UN data.

``compare_paper_tables()`` lines up every cell of the paper's Tables 1-3 with the UN
value; ``paper_disagreements()`` keeps the cells that differ and explains each one.
``identity_exceptions()`` lists the rows where the EGDI is not the (weighted) mean of
its three components. ``naming_findings()`` lists the paper's slips of wording (an
index called by the wrong edition's name), each with its source. The book's appendix
prints these tables; the tests pin them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from .data import load_paper_table, load_survey

COMPONENTS = ("osi", "tii", "hci")
# In 2008 and 2010 the data fit EGDI = 0.34 OSI + 0.33 TII + 0.33 HCI (inferred from the
# values; the survey's method text for those editions was not available to us).
WEIGHTS = {2008: (0.34, 0.33, 0.33), 2010: (0.34, 0.33, 0.33)}
EQUAL_WEIGHTS = (1 / 3, 1 / 3, 1 / 3)
# The UN files carry no e-participation rank: the book computes it (competition
# ranking), so a printed EPI rank that differs is a question of how ties are ranked,
# not a disagreement with a UN value.
COMPUTED_FIELDS = ("epi_rank",)
TOLERANCE = 1e-4  # beyond rounding for 4- and 5-decimal data


def weights_for(year: int) -> tuple[float, float, float]:
    return WEIGHTS.get(year, EQUAL_WEIGHTS)


def weights_label(year: int) -> str:
    """The EGDI weights of an edition, as a reader would write them."""
    weights = weights_for(year)
    if len(set(weights)) == 1:
        return "equal (1/3 each)"
    return " / ".join(f"{w:.2f}" for w in weights)


def weighted_mean(
    frame: pd.DataFrame, weights: tuple[float, float, float]
) -> pd.Series:
    """The EGDI recomputed from OSI, TII and HCI with the given weights, row by row."""
    return sum(w * frame[c] for w, c in zip(weights, COMPONENTS))


def round_half_up(value: float, places: int = 4) -> float:
    """Round as the paper does (0.54335 -> 0.5434), working on the printed decimal."""
    return float(
        Decimal(repr(float(value))).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
    )


def dense_rank(survey: pd.DataFrame, year: int, iso3: str, column: str = "epi") -> int:
    """1 + the number of *distinct* scores above the country's score."""
    edition = survey[survey["year"] == year]
    score = edition.loc[edition["iso3"] == iso3, column].iloc[0]
    return int(edition[column].dropna().loc[lambda s: s > score].nunique()) + 1


def compare_paper_tables(survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every cell of the paper's three tables next to the UN value.

    Scores are compared after rounding the UN value half up to the paper's 4 decimals;
    ranks are compared exactly (EGDI ranks as published, EPI ranks as computed).
    """
    survey = load_survey() if survey is None else survey
    un = survey.set_index(["year", "iso3"])
    cells = []

    def add(table, year, iso3, field, printed):
        un_value = un.loc[(year, iso3), field]
        is_rank = field.endswith("_rank")
        comparable = int(un_value) if is_rank else round_half_up(float(un_value))
        cells.append(
            {
                "table": table,
                "year": year,
                "iso3": iso3,
                "country": un.loc[(year, iso3), "country"],
                "field": field,
                "paper": printed,
                "un": comparable,
                "un_exact": float(un_value),
                "agrees": printed == comparable,
            }
        )

    for row in load_paper_table(1).itertuples():
        add(1, row.year, row.iso3, "egdi_rank", int(row.egdi_rank))
        add(1, row.year, row.iso3, "egdi", float(row.egdi))
    for row in load_paper_table(2).itertuples():
        for field in ("egdi",) + COMPONENTS:
            add(2, row.year, "KAZ", field, float(getattr(row, field)))
    for row in load_paper_table(3).itertuples():
        add(3, row.year, "KAZ", "epi_rank", int(row.epi_rank))
        add(3, row.year, "KAZ", "epi", float(row.epi))
    return pd.DataFrame(cells)


def explain(cell: pd.Series, survey: pd.DataFrame) -> str:
    """Say why a paper cell differs from the UN value, trying the known explanations."""
    year, field, printed, exact = (
        cell["year"],
        cell["field"],
        cell["paper"],
        cell["un_exact"],
    )
    if field == "epi_rank":
        dense = dense_rank(survey, year, cell["iso3"])
        if dense == printed:
            return (
                f"Tied scores: with competition ranking the rank is {int(exact)}, "
                f"with dense ranking it is {dense}, as printed."
            )
    if field in COMPONENTS:
        weight = weights_for(year)[COMPONENTS.index(field)]
        if weight != EQUAL_WEIGHTS[0] and abs(weight * exact - printed) < 1e-4:
            return (
                "The printed figure is the weighted contribution "
                f"{weight} x {field.upper()} "
                f"= {weight * exact:.4f}, not the index {exact}."
            )
    if field == "egdi":
        row = survey[(survey["year"] == year) & (survey["iso3"] == cell["iso3"])].iloc[
            0
        ]
        mean = weighted_mean(row, weights_for(year))
        if round_half_up(mean) == cell["un"]:
            note = (
                f"The UN value rounds to {cell['un']:.4f}, "
                "as does the mean of the components "
                f"({mean:.5f})."
            )
            table1 = load_paper_table(1).set_index(["year", "iso3"])
            if (year, cell["iso3"]) in table1.index and cell["table"] != 1:
                own = float(table1.loc[(year, cell["iso3"]), "egdi"])
                note += f" The paper's own Table 1 prints {own:.4f}."
            return note
    differing = [
        i
        for i, (a, b) in enumerate(zip(f"{printed:.4f}", f"{cell['un']:.4f}"))
        if a != b
    ]
    if len(differing) == 1:
        return (
            f"One digit differs: printed {printed:.4f}, "
            f"the UN value is {cell['un']:.4f} (a typing error)."
        )
    return f"Printed {printed}, the UN value is {exact}."


# The paper's slips of wording rather than of numbers. Each gives what the paper prints,
# what the book can show against it, and the source (a key of book/references.bib).
NAMING_FINDINGS = (
    {
        "where": "Table 2, note on the 2008 EGDI (the table's title covers 2008 too)",
        "paper": "E-government Development Index",
        "finding": (
            "The note is there to give the index's 2008 name, but it gives the present "
            "one. The UN's note on the 2008 survey calls it the e-Government Readiness "
            "Index."
        ),
        "un_wording": "e-Government Readiness Index",
        "source_key": "unpan2008_readiness",
    },
    {
        "where": "Table 2, note on the 2008 OSI",
        "paper": "Web Measurement Index",
        "finding": (
            "The UN's note on the 2008 survey calls the online component the web "
            "measure index: a small slip of wording."
        ),
        "un_wording": "web measure index",
        "source_key": "unpan2008_readiness",
    },
)


def naming_findings(table2: pd.DataFrame | None = None) -> pd.DataFrame:
    """The paper's naming slips, each checked against the notes of Table 2 as stored."""
    table2 = load_paper_table(2) if table2 is None else table2
    notes = " ".join(table2["footnote"].dropna().astype(str))
    rows = [
        dict(finding, in_stored_notes=finding["paper"] in notes)
        for finding in NAMING_FINDINGS
    ]
    return pd.DataFrame(rows)


def differs_from_un(cells: pd.DataFrame) -> pd.Series:
    """True where a cell meets a value the UN published, False for computed ranks."""
    return ~cells["field"].isin(COMPUTED_FIELDS)


def paper_disagreements(survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """The paper's cells that disagree with the data, each explained.

    Scores and EGDI ranks are checked against the UN values; e-participation ranks,
    which the UN files do not carry, against the book's computed ranks. Use
    ``differs_from_un()`` to keep only the disagreements with a UN value.
    """
    survey = load_survey() if survey is None else survey
    cells = compare_paper_tables(survey)
    differing = cells[~cells["agrees"]].copy()
    differing["explanation"] = [
        explain(cell, survey) for _, cell in differing.iterrows()
    ]
    return differing.reset_index(drop=True)


def identity_exceptions(survey: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows where EGDI is not the weighted mean of OSI, TII and HCI, with the reason.

    Reasons: the country was not assessed (no EGDI), an index above 1, or a gap between
    the published EGDI and the mean larger than rounding.
    """
    survey = load_survey() if survey is None else survey
    rows = []
    for row in survey.itertuples():
        weights = weights_for(row.year)
        mean = sum(w * getattr(row, c) for w, c in zip(weights, COMPONENTS))
        reasons = []
        if not row.assessed:
            reasons.append("not assessed")
        above_one = [
            c.upper()
            for c in COMPONENTS
            if pd.notna(getattr(row, c)) and getattr(row, c) > 1
        ]
        if above_one:
            reasons.append(f"{', '.join(above_one)} above 1")
        if row.assessed and abs(row.egdi - mean) > TOLERANCE:
            reasons.append("EGDI differs from the weighted mean")
        if reasons:
            rows.append(
                {
                    "year": row.year,
                    "iso3": row.iso3,
                    "country": row.country,
                    "reason": "; ".join(reasons),
                    "egdi": row.egdi,
                    "weighted_mean": mean,
                    "gap": row.egdi - mean if row.assessed else float("nan"),
                }
            )
    return pd.DataFrame(
        rows,
        columns=["year", "iso3", "country", "reason", "egdi", "weighted_mean", "gap"],
    )
