"""Sphinx extension: one download, ``course-pack.zip``, that runs every chapter in
JupyterLab.

A student unzips it anywhere, installs the pinned packages and starts JupyterLab with
the pack's own settings folder (``course_pack_README.md`` has the exact commands):

    pip install -r requirements.txt
    jupyter lab book/ --LabApp.user_settings_dir=jupyterlab-settings

The pack holds the chapters (stored with their outputs), the helper package
``book/egovbook`` next to them (a notebook imports it from its own folder), the data
(``data/``, found by ``egovbook.paths`` from the package's place in the pack), and a
requirements file pinned to the versions this book is built and tested with. The
archive is deterministic, like ``data-package.zip``. Each chapter's download menu links
to it, beside the chapter's own ``.ipynb``.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import zipfile
from pathlib import Path

from lab_settings import NEWS_OFF, user_settings_file
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ARCHIVE = "course-pack.zip"
FIXED_TIME = (2003, 1, 1, 0, 0, 0)
# What a student needs to run and read the chapters; everything they pull in is pinned
# too.
STUDENT_PACKAGES = (
    "jupyterlab",
    "jupyterlab-myst",
    "ipykernel",
    "pandas",
    "altair",
    "vl-convert-python",
    "frictionless",
    "jinja2",
    "nbformat",
)
# What the student reads first: the set-up and what is in the pack.
README_FILE = Path(__file__).with_name("course_pack_README.md")
SETTINGS_DIR = "jupyterlab-settings"
NEWS_SETTING = f"{SETTINGS_DIR}/{user_settings_file()}"


def pinned_requirements(roots=STUDENT_PACKAGES) -> str:
    """The roots and everything they require, each pinned to the installed version."""
    environment = default_environment()
    seen: dict[str, str] = {}
    todo = list(roots)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        distribution = metadata.distribution(name)
        seen[name] = f"{distribution.metadata['Name']}=={distribution.version}"
        for text in distribution.requires or []:
            requirement = Requirement(text)
            marker_env = dict(environment, extra="")
            if requirement.marker is None or requirement.marker.evaluate(marker_env):
                todo.append(requirement.name)
    lines = sorted(seen.values(), key=str.lower)
    header = (
        "# The versions this book was built and tested with "
        "(made by book/_ext/course_pack.py).\n"
    )
    return header + "\n".join(lines) + "\n"


def pack_files(root: Path) -> dict[str, bytes]:
    """Every file of the pack, by its path inside the archive."""
    files = {
        "README.md": README_FILE.read_bytes(),
        "requirements.txt": pinned_requirements().encode("utf-8"),
        "LICENSE": (root / "LICENSE").read_bytes(),
    }
    for notebook in sorted((root / "book").glob("*.ipynb")):
        files[f"book/{notebook.name}"] = notebook.read_bytes()
    files["book/references.bib"] = (root / "book" / "references.bib").read_bytes()
    # JupyterLab's settings for the pack (the README's command points JupyterLab at
    # them): never ask to fetch news from the internet (lab_settings.py says why).
    files[NEWS_SETTING] = (json.dumps(NEWS_OFF) + "\n").encode("utf-8")
    package = root / "book" / "egovbook"
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[f"book/egovbook/{path.relative_to(package).as_posix()}"] = (
                path.read_bytes()
            )
    for path in sorted((root / "data").rglob("*")):
        if path.is_file():
            files[f"data/{path.relative_to(root / 'data').as_posix()}"] = (
                path.read_bytes()
            )
    return files


def write_archive(root: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(pack_files(root).items()):
            info = zipfile.ZipInfo(f"course-pack/{name}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return target


def on_builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    extra = Path(app.doctreedir).parent / "egov-pack"
    write_archive(Path(app.confdir), extra / ARCHIVE)
    app.config.html_extra_path.append(str(extra))


def add_download_link(app, pagename, templatename, context, doctree) -> None:
    """Put the course pack in each chapter's download menu, beside its .ipynb."""
    if context.get("page_source_suffix") != ".ipynb":
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](ARCHIVE, 1),
                    "text": "course-pack.zip",
                    "tooltip": "All chapters, helpers and data, to run in JupyterLab",
                    "icon": "fas fa-file-archive",
                    "label": "download-course-pack-button",
                }
            )


def setup(app):
    app.connect("builder-inited", on_builder_inited)
    # After sphinx-book-theme has made the download menu (priority 501).
    app.connect("html-page-context", add_download_link, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
