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
