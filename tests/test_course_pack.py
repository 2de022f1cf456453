"""The course pack (course-pack.zip on the site) runs where a student unzips it.

`make test` unzips the built pack into _build/course-pack/ and strict nbval runs every
chapter there, in a fresh kernel started in the pack's own book/ folder: the notebooks
import the pack's egovbook and read the pack's data/, and their outputs must match.
These tests check what the pack holds and that it is what a student would get.
"""

import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from egovbook.paths import REPO_ROOT

PACK_ZIP = REPO_ROOT / "_build" / "html" / "course-pack.zip"
UNPACKED = REPO_ROOT / "_build" / "course-pack"


@pytest.fixture(scope="module")
def names():
    if not PACK_ZIP.exists():
        pytest.fail(f"{PACK_ZIP} is missing: build the book first (make book)")
    with zipfile.ZipFile(PACK_ZIP) as archive:
        return set(archive.namelist())


def test_pack_holds_chapters_helpers_data_and_instructions(names):
    chapters = sorted((REPO_ROOT / "book").glob("*.ipynb"))
    for path in chapters:
        assert f"course-pack/book/{path.name}" in names
    for needed in (
        "README.md",
        "requirements.txt",
        "LICENSE",
        "book/egovbook/__init__.py",
        "book/egovbook/chart.html.j2",
        "book/references.bib",
        "jupyterlab-settings/@jupyterlab/apputils-extension/"
        "notification.jupyterlab-settings",
        "data/datapackage.json",
        "data/egdi.csv",
    ):
        assert f"course-pack/{needed}" in names, needed


def test_pack_notebooks_are_the_books(names):
    with zipfile.ZipFile(PACK_ZIP) as archive:
        for path in sorted((REPO_ROOT / "book").glob("*.ipynb")):
            assert archive.read(f"course-pack/book/{path.name}") == path.read_bytes(), (
                path.name
            )


def pack_pins() -> dict[str, str]:
    """The pack's requirements.txt as {normalised name: pinned version}."""
    with zipfile.ZipFile(PACK_ZIP) as archive:
        lines = archive.read("course-pack/requirements.txt").decode().splitlines()
    pins = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {re.sub(r"[-_.]+", "-", name.lower()): version for name, version in pins}


def test_pack_requirements_are_pinned_and_complete():
    pins = pack_pins()
    assert all(version for version in pins.values())
    for package in (
        "jupyterlab",
        "jupyterlab-myst",
        "pandas",
        "altair",
        "vl-convert-python",
        "frictionless",
        "ipykernel",
    ):
        assert package in pins, package
    assert (
        "jupyter-book" not in pins and "playwright" not in pins
    )  # not needed by students


def test_pack_requirements_are_the_tested_versions():
    """`pip install -r requirements.txt` gives a student the versions these tests ran
    with (the JupyterLab test runs the chapters in this environment)."""
    differing = {
        name: (pinned, metadata.version(name))
        for name, pinned in pack_pins().items()
        if metadata.version(name) != pinned
    }
    assert differing == {}


def test_readme_commands_start_jupyterlab_on_the_chapters():
    with zipfile.ZipFile(PACK_ZIP) as archive:
        readme = archive.read("course-pack/README.md").decode()
    assert "pip install -r requirements.txt" in readme and "jupyter lab book/" in readme


def test_unpacked_pack_imports_its_own_helpers():
    """In the pack's book/ folder (where JupyterLab starts a chapter's kernel), egovbook
    and its data are the pack's, not the repository's."""
    if not UNPACKED.exists():
        pytest.skip(
            "make test unzips the pack into _build/course-pack before running nbval"
        )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import egovbook; print(egovbook.__file__); print(egovbook.DATA_DIR)",
        ],
        cwd=UNPACKED / "book",
        capture_output=True,
        text=True,
        check=True,
    )
    module, data = result.stdout.split()
    assert Path(module).is_relative_to(UNPACKED) and Path(data) == UNPACKED / "data"
