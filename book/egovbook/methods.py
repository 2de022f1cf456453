"""The survey's changes of method, and how charts of scores mark them.

The UN has changed how it computes its indices several times (``data/methods.csv``
lists each change, by edition and index, with its source). A score from before a change
and one from after it are measured with different rulers, so every chart that draws
scores across editions marks the changes with :func:`method_breaks`, and the prose
compares ranks or positions within an edition, not raw scores, across them.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import GREY, edition_tooltip, year_x
from .data import load_table
from .paths import DATA_DIR


def load_methods(data_dir=DATA_DIR) -> pd.DataFrame:
    """The survey's method changes: one row per edition and index changed."""
    return load_table("methods", data_dir)


def method_breaks(
    columns=("egdi", "osi", "tii", "hci"),
    methods: pd.DataFrame | None = None,
    label: bool = True,
) -> alt.LayerChart:
    """Dashed rules at the editions where the method of any of ``columns`` changed.

    Layer it on a chart of scores over the editions:
    ``alt.layer(lines, method_breaks())``. The tooltip says what changed; the label
    reminds readers that the ruler changed there. ``label=False`` leaves the label out,
    for a chart whose own text would collide with it (its subtitle then explains the
    dashed lines).
    """
    methods = load_methods() if methods is None else methods
    # Only changes known to start in that edition; suspected or undated ones are told in
    # the text (see the table in the trajectory chapter), not drawn at a guessed place.
    dated = methods["timing"].isin(["introduced", "edition not verified"])
    rows = methods[dated & methods["component"].isin(columns)]
    changes = (
        rows.assign(index=rows["component"].str.upper())
        .groupby("year", as_index=False)
        .agg(
            indices=("index", lambda names: ", ".join(dict.fromkeys(names))),
            change=("change", lambda texts: " | ".join(dict.fromkeys(texts))),
        )
    )
    # With no dated change for these columns the layers stay empty; their empty mark
    # groups are then hidden from screen readers, which would find nothing to read.
    base = alt.Chart(changes).encode(x=year_x())
    aria = {} if len(changes) else {"aria": False}
    rules = base.mark_rule(
        color=GREY, strokeDash=[2, 3], strokeWidth=1.5, **aria
    ).encode(
        tooltip=[
            edition_tooltip(),
            alt.Tooltip("indices:N", title="Method changed for"),
            alt.Tooltip("change:N", title="What changed"),
        ]
    )
    # Written along the rule, so labels of editions two years apart do not collide.
    labels = base.mark_text(
        angle=270,
        align="right",
        baseline="bottom",
        dx=-2,
        dy=-2,
        fontSize=10,
        color="#595959",
        **aria,
    ).encode(y=alt.value(0), text=alt.value("method change"))
    return alt.layer(rules, labels) if label else alt.layer(rules)
