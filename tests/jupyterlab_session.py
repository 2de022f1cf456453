"""The chapters in a real JupyterLab, as a student runs them from the course pack: the
fixtures and the check that tests/test_jupyterlab*.py run, each over half the chapters
(pytest-xdist runs a file in one process; two files let both cores work on them).

JupyterLab is started from this environment on 127.0.0.1 over a fresh copy of the
unzipped course pack (`make test` unzips it into _build/course-pack). Debian's Chromium
opens JupyterLab once per file, in one tab, as a student does, and each chapter from it;
Chromium resolves no host but 127.0.0.1, and every request for another is counted.
Every chapter, as opened: every stored chart outside folded solutions must be drawn
(JupyterLab's own Vega renderer) and no markdown cell may show raw MyST. Then, in the
chapters of RUN_ALL, Run All: no cell may fail and every chart must be drawn again,
folded solutions' charts included (JupyterLab shows a cell's output once it runs).

Why Run All in three chapters and not all nine: nbval, over the same unpacked pack,
already re-executes every chapter and finds each output equal to the stored one, and
the stored outputs are what this check sees drawn. What only JupyterLab can show is
that its own kernel runs a chapter offline and draws the new outputs, which does not
depend on the chapter, except where a folded solution holds a chart; each chapter run
here again would only cost its execution a third time (the build, nbval, JupyterLab).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from jupyterlab.commands import get_app_dir
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from chromium import CHROMIUM, CHROMIUM_ARGS, ONLY_LOOPBACK
from egovbook.notebook_output import VEGA_MIME
from egovbook.paths import REPO_ROOT

# EGOV_LAB_SCREENSHOTS=folder keeps a screenshot of each chapter before/after Run All.
SHOTS = os.environ.get("EGOV_LAB_SCREENSHOTS")
UNPACKED = REPO_ROOT / "_build" / "course-pack"
# Markup that a student must never see: MyST that JupyterLab failed to render.
RAW_MYST = ("{term}", "{glue", "{cite}", "{doc}", "{eval}", "```{", ":label:")
SETTINGS = {
    # Draw every cell, not only those on screen, so that every chart can be counted.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none"
    },
    # Keep the copy as unpacked: Run All must not write outputs back.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

NO_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_jupyterlab(
    cwd: Path, folder: str, home: Path, user_settings: Path, options=()
):
    """Start this environment's `jupyter lab FOLDER` in `cwd`, as a README command does,
    plus what a test needs: no browser, no token, a free port, its own configuration
    and runtime folders under `home`, `user_settings` as the user's settings (a new user
    has none), and any other `options`. Returns (url, process) once it answers."""
    port = free_port()
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            folder,
            "--no-browser",
            "--allow-root",
            f"--ServerApp.port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--LabApp.user_settings_dir={user_settings}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            *options,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            return url, server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start")
            time.sleep(0.5)


def pack_command(pack: Path) -> tuple[str, str]:
    """The pack README's `jupyter lab` command: the folder it opens and the settings
    folder it names (its only option)."""
    readme = (pack / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^\.venv/bin/jupyter lab (\S+)(.*)$", readme, re.M)
    folder, options = command.group(1), command.group(2).split()
    option = "--LabApp.user_settings_dir="
    assert len(options) == 1 and options[0].startswith(option), f"README: {options}"
    return folder, options[0].removeprefix(option)


def student_app_settings(home: Path) -> list[str]:
    """JupyterLab's application settings as a student's own new environment has them:
    without the default that `make book` adds to this one (book/_ext/lab_settings.py),
    so that only the pack's own settings can stop the news question. (Its folder sits
    beside a link to the real `static/`, where JupyterLab also reads extension data.)"""
    real = Path(get_app_dir())
    app = home / "app"
    settings = real / "settings"
    if settings.exists():
        shutil.copytree(
            settings, app / "settings", ignore=shutil.ignore_patterns("overrides*")
        )
    (app / "settings").mkdir(parents=True, exist_ok=True)
    (app / "static").symlink_to(real / "static")
    return [f"--LabApp.app_settings_dir={app / 'settings'}"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab over a private copy of the course pack; yields (url, pack)."""
    if not UNPACKED.exists():
        pytest.fail(
            "the course pack is not unzipped: run `make test` (builds, unzips it)"
        )
    home = tmp_path_factory.mktemp("lab")
    pack = home / "course-pack"
    shutil.copytree(UNPACKED, pack)
    # The README's command: JupyterLab's settings from the pack's folder for them, to
    # which the test adds its own (in a copy, so the pack stays as unpacked).
    folder, pack_settings = pack_command(pack)
    settings = home / "settings"
    shutil.copytree(pack / pack_settings, settings)
    for name, value in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value), encoding="utf-8")
    url, server = start_jupyterlab(
        pack, folder, home, settings, student_app_settings(home)
    )
    yield url, pack
    server.terminate()
    server.wait(timeout=30)


ON_THIS_MACHINE = ("http://127.0.0.1", "data:", "blob:")


class Tab:
    """JupyterLab in one browser tab, and the requests it made off the machine."""

    def __init__(self, page):
        self.page = page
        self.off_machine: list[str] = []
        page.on("request", self.note)

    def note(self, request):
        if not request.url.startswith(ON_THIS_MACHINE):
            self.off_machine.append(request.url)


@pytest.fixture(scope="module")
def tab(lab, request):
    """One tab with JupyterLab loaded, for every chapter of a test file."""
    from playwright.sync_api import sync_playwright

    url, _ = lab
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, ONLY_LOOPBACK]
        )
        profile = chromium.new_context(viewport={"width": 1280, "height": 900})
        tab = Tab(profile.new_page())
        # A workspace of its own, reset: nothing is open but what the tests open.
        tab.page.goto(f"{url}/lab/workspaces/{request.module.__name__}?reset")
        tab.page.wait_for_function("() => !!window.jupyterapp", timeout=90_000)
        tab.page.evaluate("() => window.jupyterapp.restored")
        yield tab
        profile.close()
        chromium.close()


CHAPTERS = sorted(path.stem for path in (REPO_ROOT / "book").glob("*.ipynb"))
# Run All in JupyterLab: the chapter with the most charts, the explorer, where
# students change a country and run the cells again, and open_systems, whose folded
# solution has a chart (Run All shows it). At least one in each file's half.
RUN_ALL = ("trajectory", "explorer", "open_systems")


def stored_charts(path: Path, folded: bool = False) -> int:
    """The charts a student sees on opening: not those of folded solutions, unless
    ``folded`` (running a cell unfolds its output and, for markdown, its text, so after
    Run All a folded solution's chart is shown too; only its code stays folded)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        VEGA_MIME in output.get("data", {})
        for cell in notebook["cells"]
        if folded or not cell["metadata"].get("jupyter", {}).get("outputs_hidden")
        for output in cell.get("outputs", [])
    )


# Every query looks only inside the notebook on show: a page of JupyterLab may hold
# other, hidden notebook panels.
OPEN_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# The open notebook's kernel as the app knows it. (The indicator in the toolbar can
# read "idle" before the kernel is attached; cells run then are skipped silently.)
KERNEL = "window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel"
KERNEL_IDLE = f"""() => {{
    const kernel = {KERNEL};
    return !!kernel && kernel.connectionStatus === 'connected' &&
        kernel.status === 'idle';
}}"""
# Charts drawn and shown: a folded solution's chart, drawn again by Run All, stays in
# its hidden output area.
DRAWN_CHARTS = f"""() => [...document.querySelectorAll(
    '{OPEN_NOTEBOOK} .jp-RenderedVega5')]
    .filter(chart => chart.querySelector('svg, canvas') && chart.checkVisibility())
    .length"""
# The open notebook's code cells as JupyterLab's model holds them: a folded cell (a
# solution) shows no prompt, so its execution count is read from the model.
CODE_CELLS = (
    "window.jupyterapp.shell.currentWidget.content.widgets"
    ".filter(cell => cell.model.type === 'code').map(cell => cell.model)"
)
FAILED_CELL = f"""() => {CODE_CELLS}
    .flatMap(cell => cell.outputs.toJSON())
    .filter(output => output.output_type === 'error')
    .map(output => `${{output.ename}}: ${{output.evalue}}`)[0] ?? null"""
# Run All has finished when every code cell has an execution number, or stopped at an
# error. Outputs are cleared first, so stored numbers cannot pass for new.
ALL_CELLS_RUN = f"""() => ({FAILED_CELL})() !== null ||
    {CODE_CELLS}.every(cell => cell.executionCount !== null)"""
NONE_RUN = f"() => {CODE_CELLS}.every(cell => cell.executionCount === null)"
CELL_STATES = f"""() => ({{
    kernel: {KERNEL}?.status ?? 'none',
    counts: {CODE_CELLS}.map(cell => cell.executionCount),
}})"""
RAW_MARKDOWN = f"""(markers) => [...document.querySelectorAll(
    '{OPEN_NOTEBOOK} .jp-MarkdownCell .myst')]
    .map(cell => cell.innerText).filter(text => markers.some(m => text.includes(m)))
    .map(text => text.slice(0, 80))"""


DIRTY = "() => window.jupyterapp.shell.currentWidget?.context?.model?.dirty"
# Run one of JupyterLab's commands and wait for it (what it returns stays in the page).
COMMAND = """async ([name, args]) => {
    await window.jupyterapp.commands.execute(name, args);
}"""
# Close the chapter without the "save your changes?" dialog (Run All changed it, and the
# copy must stay as unpacked), and end its kernel, so kernels do not pile up.
CLOSE = """async () => {
    const widget = window.jupyterapp.shell.currentWidget;
    if (widget?.context) widget.context.model.dirty = false;
    widget?.close();
    await window.jupyterapp.serviceManager.sessions.shutdownAll();
}"""


def check_chapter(lab, tab, chapter: str) -> None:
    """Open one chapter and check it; for those in RUN_ALL, Run All and check it
    again."""
    _, pack = lab
    notebook = pack / "book" / f"{chapter}.ipynb"
    expected = stored_charts(notebook)
    page = tab.page
    tab.off_machine.clear()
    try:
        page.evaluate(COMMAND, ["docmanager:open", {"path": f"{chapter}.ipynb"}])
        page.wait_for_selector(f"{OPEN_NOTEBOOK} .jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        # Before anything runs: the stored charts are drawn, the MyST is rendered.
        page.wait_for_function(f"({DRAWN_CHARTS})() >= {expected}", timeout=60_000)
        assert page.evaluate(DRAWN_CHARTS) == expected
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{chapter}-opened.png"))
        assert page.evaluate(RAW_MARKDOWN, list(RAW_MYST)) == []
        # Opening changed nothing: a student who closes the chapter unread is not
        # asked to save it.
        assert page.evaluate(DIRTY) is False, "the chapter counts as changed on opening"
        assert tab.off_machine == []
        # The pack's settings: JupyterLab does not ask to fetch news from the internet.
        asks = page.get_by_text("official Jupyter news").count()
        assert asks == 0, "JupyterLab asks whether to fetch news from the internet"
        if chapter not in RUN_ALL:
            return

        # Clear every output, Run All, then wait for the kernel to finish every cell.
        page.locator(f"{OPEN_NOTEBOOK} .jp-Notebook").click()
        page.keyboard.press("Escape")
        page.evaluate(COMMAND, ["notebook:clear-all-cell-outputs", {}])
        page.wait_for_function(NONE_RUN, timeout=30_000)
        assert page.evaluate(DRAWN_CHARTS) == 0
        page.evaluate(COMMAND, ["notebook:run-all-cells", {}])
        try:
            page.wait_for_function(ALL_CELLS_RUN, timeout=240_000)
        except PlaywrightTimeout:
            if SHOTS:
                page.screenshot(path=str(Path(SHOTS) / f"{chapter}-run-all-stuck.png"))
            pytest.fail(f"Run All did not finish: {page.evaluate(CELL_STATES)}")
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        failed = page.evaluate(FAILED_CELL)
        assert failed is None, failed[:500]
        expected = stored_charts(notebook, folded=True)
        page.wait_for_function(f"({DRAWN_CHARTS})() >= {expected}", timeout=60_000)
        assert page.evaluate(DRAWN_CHARTS) == expected
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{chapter}-after-run-all.png"))
        assert page.evaluate(RAW_MARKDOWN, list(RAW_MYST)) == []
        assert tab.off_machine == []
    finally:
        page.evaluate(CLOSE)


@NO_CHROMIUM
def test_the_tab_notices_and_refuses_requests_off_the_machine(tab):
    """The chapters' check cannot pass for want of looking: a request for another host
    is counted, and it fails."""
    tab.off_machine.clear()
    outcome = tab.page.evaluate(
        """() => fetch('https://cdn.jsdelivr.net/npm/vega@6').then(
            () => 'loaded', () => 'refused')"""
    )
    assert outcome == "refused"
    assert tab.off_machine == ["https://cdn.jsdelivr.net/npm/vega@6"]


def half_of_the_chapters(half: int):
    """The test over every other chapter, starting at chapter `half` (0 or 1)."""
    chapters = CHAPTERS[half::2]
    assert set(RUN_ALL) & set(chapters), "a chapter of each half runs"

    @NO_CHROMIUM
    @pytest.mark.parametrize("chapter", chapters)
    def test_chapter_in_jupyterlab_offline(lab, tab, chapter):
        check_chapter(lab, tab, chapter)

    return test_chapter_in_jupyterlab_offline
