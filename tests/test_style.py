"""One style for all the code, notebooks included: ruff format and ruff check."""

import subprocess
import sys
from pathlib import Path

import pytest

from egovbook.paths import REPO_ROOT

RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize(
    "command", [["format", "--check"], ["check"]], ids=["format", "lint"]
)
def test_ruff(command):
    result = subprocess.run(
        [str(RUFF), *command, "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        f"ruff {' '.join(command)} found problems (run `.venv/bin/ruff format .` and "
        f"`.venv/bin/ruff check --fix .`):\n{result.stdout}{result.stderr}"
    )
