import shutil
from pathlib import Path

import pytest

from egovbook.paths import DATA_DIR


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ (without raw/) that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("raw"))
    return target


# --- how `make test` shares the work between processes (pytest-xdist) ---------------
# `make test` runs `--dist loadfile --no-loadscope-reorder`: each file runs whole in one
# process (a notebook's cells share one kernel; a file's fixtures are set up once), and
# files start in the order below, the longest first, so that no process is left alone
# at the end with a long one. (Seconds in `make test`, both cores busy: `--durations=0`,
# summed by file, 2026-11-28, after the charts' conversions were cached.)
LONGEST_FIRST = (
    "tests/test_browser.py",  # ~95 s: every page
    "tests/test_jupyterlab",  # two files, ~72 s and ~63 s (half the chapters each)
    "tests/test_browser_charts.py",  # ~58 s
    "tests/test_browser_styles.py",  # ~54 s
    "tests/test_rebuild.py",  # ~30 s
    "tests/test_loader_errors.py",  # ~11 s
    ".ipynb",  # ~3-4 s each: short ones last, to even out the end
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.partition("::")[0]
    hits = [i for i, part in enumerate(LONGEST_FIRST) if part in path]
    return hits[0] if hits else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config, items):
    items.sort(key=_rank)  # stable: a notebook's cells keep their order
