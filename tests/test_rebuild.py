"""A changed data file always changes the rebuilt book (book/_ext/data_dependencies.py).

A tiny book in a temporary folder, configured like ours, has one notebook that prints a
value from its data folder. It is built, rebuilt unchanged, then rebuilt after the data
file changes.
"""

import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

from egovbook.paths import REPO_ROOT

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def build(book: Path) -> str:
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return (book / "_build" / "html" / "page.html").read_text(encoding="utf-8")


@pytest.fixture
def tiny_book(tmp_path: Path) -> Path:
    book = tmp_path / "tiny"
    (book / "data").mkdir(parents=True)
    (book / "data" / "value.csv").write_text("value\n41\n", encoding="utf-8")
    shutil.copy(
        REPO_ROOT / "book" / "_ext" / "data_dependencies.py",
        book / "data_dependencies.py",
    )
    (book / "_config.yml").write_text(
        "title: tiny\nexecute:\n  execute_notebooks: force\n"
        "sphinx:\n  local_extensions:\n    data_dependencies: .\n"
        "  config:\n    egov_data_dependencies: [data]\n",
        encoding="utf-8",
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: page\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Page"),
            nbformat.v4.new_code_cell(
                "from pathlib import Path\n"
                "print('value is', Path('data/value.csv').read_text().split()[1])"
            ),
        ]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, book / "page.ipynb")
    return book


def test_changed_data_changes_the_rebuilt_page(tiny_book):
    assert "value is 41" in build(tiny_book)
    assert "value is 41" in build(tiny_book)  # unchanged data: same page
    (tiny_book / "data" / "value.csv").write_text("value\n42\n", encoding="utf-8")
    page = build(tiny_book)
    assert "value is 42" in page and "value is 41" not in page


def test_without_the_extension_the_page_would_go_stale(tiny_book):
    """The control: plain Sphinx incremental builds miss the data change (why the
    extension exists)."""
    (tiny_book / "_config.yml").write_text(
        "title: tiny\nexecute:\n  execute_notebooks: force\n", encoding="utf-8"
    )
    assert "value is 41" in build(tiny_book)
    (tiny_book / "data" / "value.csv").write_text("value\n42\n", encoding="utf-8")
    assert "value is 41" in build(tiny_book)


def test_a_changed_chart_runtime_rewrites_every_page(tmp_path):
    """Pages whose source did not change still name the runtime by its checksum (a
    chapter loads it, the glossary prefetches it): when it changes, every page is
    written again, notebook or not; a data change marks only the notebooks."""
    sys.path.insert(0, str(REPO_ROOT / "book" / "_ext"))
    import data_dependencies

    (tmp_path / "runtime").mkdir()
    (tmp_path / "data").mkdir()
    script = tmp_path / "runtime" / "egov-charts.js"
    script.write_text("draw();\n", encoding="utf-8")
    (tmp_path / "data" / "value.csv").write_text("value\n41\n", encoding="utf-8")
    app = types.SimpleNamespace(
        confdir=str(tmp_path),
        config=types.SimpleNamespace(
            egov_page_dependencies=["runtime"], egov_data_dependencies=["data"]
        ),
    )
    env = types.SimpleNamespace(
        found_docs={"book/intro", "book/glossary"},
        doc2path=lambda doc: (
            tmp_path / (doc + (".md" if "glossary" in doc else ".ipynb"))
        ),
    )

    def outdated():
        return data_dependencies.on_env_get_outdated(app, env, set(), set(), set())

    assert outdated() == []  # a first build writes every page anyway
    assert outdated() == []  # nothing changed
    script.write_text("draw();\nfit();\n", encoding="utf-8")
    assert outdated() == ["book/glossary", "book/intro"]
    assert outdated() == []
    (tmp_path / "data" / "value.csv").write_text("value\n42\n", encoding="utf-8")
    assert outdated() == ["book/intro"]
