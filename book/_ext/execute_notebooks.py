"""Re-run the chapters in place, so their stored outputs and inline values match the
data.

``make execute`` runs this. Each notebook is executed top to bottom in a fresh kernel,
from its own folder, as nbval and JupyterLab run it. The prose shows values with the
MyST role ``{eval}`name```; after the code cells above a markdown cell have run, each of
that cell's expressions is evaluated in the kernel and its result stored in the cell's
metadata under ``user_expressions``, the key jupyterlab-myst reads. So a student who
opens a chapter in JupyterLab sees the numbers before running anything, and the same
numbers as the website, whose build (MyST-NB, inline mode) evaluates the same
expressions at the same places.

It also folds each exercise's solution in JupyterLab (``fold_solutions``), as the
website folds it into a drop-down.

    python book/_ext/execute_notebooks.py book/*.ipynb
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
GATE = re.compile(r"^```\{solution-(start|end)\}", re.M)
# JupyterLab's own cell metadata: the cell's input (and output) shown as a bar with
# "...", opened by a click.
FOLDED = {
    "code": {"source_hidden": True, "outputs_hidden": True},
    "markdown": {"source_hidden": True},
}
# A folded cell shows its first line. An answer's text begins with this MyST comment,
# which neither the website nor jupyterlab-myst shows, so the fold does not give the
# answer away.
FOLD_NOTE = "% The answer: click the bar to open it."


class GateNotAlone(ValueError):
    """A {solution-start} or {solution-end} shares its cell with other text."""


def fold_solutions(notebook, name: str = "notebook") -> int:
    """Fold in JupyterLab the cells between each ``{solution-start}`` cell and its
    ``{solution-end}`` cell; return how many were folded.

    On the website a gated solution is one drop-down. jupyterlab-myst draws each cell
    on its own, the gates as an empty drop-down and an empty box, and the solution's
    cells in full under the exercise. Folded, a student sees the exercise and opens the
    answer when ready. The gates must stand alone in their cells, so that the text of
    the answer is in cells that can be folded."""
    inside, folded = False, 0
    for index, cell in enumerate(notebook.cells):
        gate = GATE.search(cell.source) if cell.cell_type == "markdown" else None
        if gate:
            if not GATE.match(cell.source.strip()) or cell.source.count("```") != 2:
                raise GateNotAlone(
                    f"{name}, cell {index}: put {{solution-{gate.group(1)}}} in a "
                    "markdown cell of its own, so the solution can be folded"
                )
            inside = gate.group(1) == "start"
        elif inside:
            cell.metadata["jupyter"] = dict(FOLDED[cell.cell_type])
            if cell.cell_type == "markdown" and not cell.source.startswith(FOLD_NOTE):
                cell.source = f"{FOLD_NOTE}\n{cell.source}"
            folded += 1
    return folded


def expressions(markdown: str) -> list[str]:
    """The expressions of a markdown cell's ``{eval}`` roles, once each, in order."""
    return list(dict.fromkeys(EVAL_ROLE.findall(markdown)))


def evaluate(client: NotebookClient, wanted: list[str]) -> list[dict]:
    """Evaluate expressions in the running kernel, without touching its history."""
    message_id = client.kc.execute(
        "",
        silent=True,
        store_history=False,
        user_expressions={str(i): text for i, text in enumerate(wanted)},
    )
    reply = client.wait_for_reply(message_id)
    results = reply["content"].get("user_expressions", {})
    stored = []
    for i, text in enumerate(wanted):
        result = results.get(
            str(i), {"status": "error", "ename": "NoReply", "evalue": text}
        )
        if result.get("status") != "ok":
            raise RuntimeError(
                f"{{eval}}`{text}` failed: "
                f"{result.get('ename')}: {result.get('evalue')}"
            )
        stored.append({"expression": text, "result": result})
    return stored


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
            elif cell.cell_type == "markdown":
                wanted = expressions(cell.source)
                if wanted:
                    cell.metadata["user_expressions"] = evaluate(client, wanted)
                else:
                    cell.metadata.pop("user_expressions", None)
    for cell in notebook.cells:  # timings change on every run; keep the files stable
        cell.metadata.pop("execution", None)
    fold_solutions(notebook, str(path))
    nbformat.write(notebook, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        execute(Path(name))
