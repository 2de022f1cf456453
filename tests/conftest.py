import shutil
from pathlib import Path

import pytest

from egovbook.paths import DATA_DIR, REPO_ROOT


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ (without raw/) that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("raw"))
    return target


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
