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


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`-n 2 --dist loadgroup`), keep together what must share one
    process: a notebook's cells (nbval runs them in order in one kernel) and the
    JupyterLab chapters (one server for all). Other tests spread over the workers."""
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(f"notebook-{path.stem}"))
        elif path.name == "test_jupyterlab.py":
            item.add_marker(pytest.mark.xdist_group("jupyterlab"))
