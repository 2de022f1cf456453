"""Helpers for the book *E-government in Kazakhstan*: data loading, the chart theme and shared charts.

A chapter starts with::

    from egovbook import load_survey, finish
    survey = load_survey()

Importing the package enables the book's Altair theme and renderer.
"""

from .charts import (
    CENTRAL_ASIA, CENTRAL_ASIA_COLOURS, CONTEXT, HIGHLIGHT, INDEX_COLOURS, INDEX_NAMES, INDEX_SHORT,
    KAZAKHSTAN, PAPER_SOURCE, UN_SOURCE, UNIT, central_asia, country_against_groups, country_explorer,
    country_picker, edition_picker, edition_scatter, explorer_table, finish, group_means, index_tooltip, index_y, long_components, year_x,
)
from .data import (
    DataError, load_benefits, load_countries, load_determinants, load_paper_table, load_survey,
)
from .paths import DATA_DIR, EDITIONS

__all__ = [name for name in dir() if not name.startswith("_")]
