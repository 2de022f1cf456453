"""Helpers for the book *E-government in Kazakhstan*: data loading, the chart theme
and shared charts.

A chapter starts with::

    from egovbook import load_survey, finish
    survey = load_survey()

Importing the package enables the book's Altair theme and renderer.
"""

from .charts import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    CENTRAL_ASIA,
    CENTRAL_ASIA_COLOURS,
    COMPARISON,
    CONTEXT,
    FADED,
    GREY,
    HIGHLIGHT,
    INDEX_COLOURS,
    INDEX_NAMES,
    INDEX_SHORT,
    KAZAKHSTAN,
    ORANGE,
    PAPER_SOURCE,
    REDDISH_PURPLE,
    SKY_BLUE,
    UN_SOURCE,
    UNIT,
    VERMILLION,
    category_axis,
    central_asia,
    country_against_groups,
    country_explorer,
    country_picker,
    edition_picker,
    edition_scatter,
    edition_tooltip,
    explorer_table,
    faded_unless,
    finish,
    group_means,
    index_scale,
    index_tooltip,
    index_y,
    legend_pick,
    long_components,
    two_line_labels,
    year_x,
)
from .data import (
    DataError,
    load_benefits,
    load_countries,
    load_determinants,
    load_paper_table,
    load_survey,
)
from .methods import load_methods, method_breaks
from .paths import DATA_DIR, EDITIONS
from .prose import ProseValue, for_prose

__all__ = [name for name in dir() if not name.startswith("_")]
