"""The chapters keep the book's standards: structure, live charts, numbers from data.

These read the stored notebooks (nbval re-executes them and checks the outputs match).
"""

import json
import re

import execute_notebooks
import nbformat
import pytest
import yaml

from egovbook.notebook_output import CHART_MIME, VEGA_MIME
from egovbook.paths import REPO_ROOT

TOC = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
TOC_FILES = [TOC["root"]] + [
    c["file"] for part in TOC["parts"] for c in part["chapters"]
]
NOTEBOOKS = [
    REPO_ROOT / f"{name}.ipynb"
    for name in TOC_FILES
    if (REPO_ROOT / f"{name}.ipynb").exists()
]
# The chapters proper (the explorer and the appendix have their own shape).
CHAPTERS = [
    p
    for p in NOTEBOOKS
    if p.stem
    in (
        "intro",
        "benefits",
        "determinants",
        "trajectory",
        "e_participation",
        "open_systems",
        "conclusion",
    )
]
SPEC = re.compile(
    r'<script type="application/json" id="egov-chart-[0-9a-f]+-spec">(.*?)</script>',
    re.S,
)


def read(path):
    return nbformat.read(path, as_version=4)


def markdown(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def chart_specs(notebook) -> list[dict]:
    specs = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get(CHART_MIME, "")
            specs += [json.loads(s.replace("<\\/", "</")) for s in SPEC.findall(html)]
    return specs


def walk(spec):
    """Every view in a (possibly layered or concatenated) spec."""
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from walk(child)
    if "spec" in spec:
        yield from walk(spec["spec"])


def test_every_page_in_the_toc_exists():
    for name in TOC_FILES:
        assert (REPO_ROOT / f"{name}.ipynb").exists() or (
            REPO_ROOT / f"{name}.md"
        ).exists(), name
    assert len(CHAPTERS) == 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_with_outputs(path):
    notebook = read(path)
    code = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    assert code and all(c.execution_count is not None for c in code)


def test_notebooks_name_their_kernel_as_jupyter_does():
    """JupyterLab writes the spec of the kernel it starts into the notebook: a stored
    spec that differs marks a chapter as changed the moment it is opened, and a student
    who closes it unread is asked to save. (tests/jupyterlab_session.py checks the same
    in JupyterLab itself.)"""
    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().get_kernel_spec("python3")
    expected = {
        "name": "python3",
        "display_name": installed.display_name,
        "language": installed.language,
    }
    stored = {path.stem: dict(read(path).metadata.kernelspec) for path in NOTEBOOKS}
    assert stored == {name: expected for name in stored}


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_structure(path):
    text = markdown(read(path))
    assert "Learning objectives" in text and re.search(r"Estimated time", text)
    assert re.search(r"^## Key takeaways", text, re.M)
    exercises = re.findall(r"```\{exercise\}", text)
    assert len(exercises) >= 3, f"{path.stem} has {len(exercises)} exercises"
    labels = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", text)
    for label in labels:
        assert re.search(r"```\{solution(-start)?\} " + re.escape(label), text), (
            f"no solution for {label}"
        )
    assert "{cite}" in text and "{eval}" in text and "{glue" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_charts_are_live_described_and_interactive(path):
    specs = chart_specs(read(path))
    minimum = 1 if path.stem in ("explorer",) else 2
    assert len(specs) >= minimum, f"{path.stem}: {len(specs)} charts"
    interactive = 0
    for spec in specs:
        assert spec.get("description"), "a chart without a text alternative"
        subtitle = spec["title"]["subtitle"]
        assert subtitle[-1].startswith("Source:"), "a chart without a source line"
        marks = [view for view in walk(spec) if "mark" in view]
        assert marks and any(
            "tooltip" in view.get("encoding", {})
            or (isinstance(view["mark"], dict) and view["mark"].get("tooltip"))
            for view in marks
        ), f"{spec['title']['text']}: no tooltip"
        params = [p for view in walk(spec) for p in view.get("params", [])]
        interactive += any("bind" in p or "select" in p for p in params)
        assert spec.get("datasets") or any("data" in view for view in walk(spec)), (
            "a chart without data"
        )
    assert interactive >= 1, f"{path.stem}: no interactive control"


DECIMAL_IN_PROSE = re.compile(r"(?<![\w.`])0\.\d{3,}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_index_values_in_prose_come_from_the_data(path):
    """Index values (0.xxx) in the prose must be computed from the data and shown with
    {eval}, not typed."""
    text = markdown(read(path))
    text = re.sub(
        r"```(?!\{)[^\n]*\n.*?```", "", text, flags=re.S
    )  # code blocks are not prose; directives are
    text = re.sub(
        r"`[^`]*`", "", text
    )  # inline code, including the {eval} roles' arguments
    typed = DECIMAL_IN_PROSE.findall(text)
    assert typed == [], f"{path.stem}: typed index values {typed[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_chart_has_forms_for_jupyterlab_and_static_viewers(path):
    """Each chart output also carries Vega (JupyterLab draws it offline) and a PNG."""
    charts = [
        o
        for c in read(path).cells
        for o in c.get("outputs", [])
        if CHART_MIME in o.get("data", {})
    ]
    assert charts, f"{path.stem}: no chart outputs"
    for output in charts:
        data = output["data"]
        assert (
            data[VEGA_MIME]["$schema"].endswith("/vega/v5.json")
            and data[VEGA_MIME]["marks"]
        )
        assert data["image/png"].startswith("iVBORw0KGgo"), (
            "not a PNG"
        )  # base64 of the PNG signature


SITE_CHAPTERS = sorted((REPO_ROOT / "_build" / "html" / "book").glob("*.html"))
EXERCISE_NUMBER = re.compile(
    r'<p class="admonition-title"><span class="caption-number">Exercise ([\d.]+) '
)


@pytest.mark.parametrize("page", SITE_CHAPTERS, ids=lambda page: page.stem)
def test_exercises_are_numbered_from_one_on_each_page(page):
    """Each page counts its exercises 1, 2, 3 (numbered chapters prefix theirs, 2.1,
    2.2); pages outside the numbered parts do not continue another page's count."""
    numbers = EXERCISE_NUMBER.findall(page.read_text(encoding="utf-8"))
    counts = [int(number.rsplit(".", 1)[-1]) for number in numbers]
    assert counts == list(range(1, len(counts) + 1)), numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_are_folded_in_jupyterlab(path):
    """Each gated solution's cells are folded for JupyterLab, as `make execute` leaves
    them (the website shows the solution as a closed drop-down); a folded answer's
    first line, all a fold shows, does not give it away."""
    notebook = nbformat.read(path, as_version=4)
    stored = [json.dumps(cell.metadata, sort_keys=True) for cell in notebook.cells]
    sources = [cell.source for cell in notebook.cells]
    folded = execute_notebooks.fold_solutions(notebook, path.name)
    assert folded > 0, f"{path.name} has no gated solution"
    assert [json.dumps(cell.metadata, sort_keys=True) for cell in notebook.cells] == (
        stored
    ), f"{path.name}: run `make execute` to fold its solutions"
    assert [cell.source for cell in notebook.cells] == sources


def test_a_gate_sharing_its_cell_is_refused():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "An exercise.\n\n```{solution-start} ex-1\n:class: dropdown\n```"
            ),
            nbformat.v4.new_code_cell("1 + 1"),
            nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        ]
    )
    with pytest.raises(execute_notebooks.GateNotAlone, match="page, cell 0"):
        execute_notebooks.fold_solutions(notebook, "page")
    notebook.cells[0].source = "```{solution-start} ex-1\n:class: dropdown\n```"
    assert execute_notebooks.fold_solutions(notebook, "page") == 1
    assert notebook.cells[1].metadata["jupyter"] == {
        "source_hidden": True,
        "outputs_hidden": True,
    }
