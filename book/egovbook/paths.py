"""Where the book's files live, found from this file so any working directory works."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
DATAPACKAGE = DATA_DIR / "datapackage.json"

# The UN E-Government Survey editions in the data.
EDITIONS = (2003, 2004, 2005, 2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024)

# UN member states: the rows of every edition and of data/countries.csv.
MEMBER_STATES = 193
