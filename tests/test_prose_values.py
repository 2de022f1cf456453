"""The numbers in the prose: the same on the website and in JupyterLab, and shown bare.

The chapters show computed values with the MyST role ``{eval}`name```. The website's
build evaluates each role in the kernel (MyST-NB, inline mode); JupyterLab shows the
results that ``make execute`` stored in each markdown cell's ``user_expressions``
metadata (jupyterlab-myst). These tests read the built site (``make test`` builds it
first).
"""

import html
import os
import re
from pathlib import Path

import nbformat
import pytest
from test_chapters import NOTEBOOKS

from egovbook.paths import REPO_ROOT

SITE = Path(os.environ.get("EGOV_SITE", REPO_ROOT / "_build" / "html"))
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
# How MyST-NB writes an inline {eval} result into the page.
EVAL_SPAN = re.compile(r'<span class="output text_plain">(.*?)</span>', re.S)


def stored_values(path) -> list[tuple[str, str]]:
    """(expression, stored text) for every {eval} role, in reading order."""
    values = []
    for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "markdown":
            continue
        stored = {
            entry["expression"]: entry["result"]
            for entry in cell.metadata.get("user_expressions", [])
        }
        for expression in EVAL_ROLE.findall(cell.source):
            assert expression in stored, (
                f"{path.name}, cell {number}: no stored value for "
                f"{{eval}}`{expression}`; run `make execute`"
            )
            result = stored[expression]
            assert result["status"] == "ok", (
                f"{path.name}, cell {number}: {expression} failed"
            )
            values.append((expression, result["data"]["text/plain"]))
    return values


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_values_match_the_website(path):
    page = SITE / path.relative_to(REPO_ROOT).with_suffix(".html")
    if not page.exists():
        pytest.fail(f"{page} is missing: build the book first (make book)")
    shown = [
        html.unescape(text)
        for text in EVAL_SPAN.findall(page.read_text(encoding="utf-8"))
    ]
    stored = stored_values(path)
    assert [text for _, text in stored] == shown, (
        f"{path.stem}: the values stored for JupyterLab differ from the website's; "
        "run `make execute`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_values_are_shown_without_quotes(path):
    quoted = [
        (expression, text)
        for expression, text in stored_values(path)
        if re.fullmatch(r"""(['"‘“]).*(['"’”])""", text, re.S)
    ]
    assert quoted == [], (
        f"{path.stem}: values shown in quotes (wrap them in for_prose): {quoted}"
    )


def test_every_chapter_shows_values_from_the_data():
    counts = {path.stem: len(stored_values(path)) for path in NOTEBOOKS}
    assert sum(counts.values()) > 300 and all(n > 0 for name, n in counts.items()), (
        counts
    )
