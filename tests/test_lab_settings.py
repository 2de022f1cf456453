"""JupyterLab's settings for readers (book/_ext/lab_settings.py): JupyterLab started as
the README says, from a clone or from the course pack, does not ask whether to fetch
Jupyter news from the internet.

JupyterLab asks whenever the setting's value, the user's own or else the schema's
default, is "none". These tests read both from the running JupyterLab's settings API,
which is where JupyterLab's page reads them. (tests/test_jupyterlab.py also looks at
the page of the pack's JupyterLab after Run All.)
"""

from __future__ import annotations

import json
import shutil
import urllib.request

import pytest
from lab_settings import NEWS_PLUGIN, user_settings_file, write_overrides

from egovbook.paths import REPO_ROOT
from jupyterlab_session import (
    UNPACKED,
    pack_command,
    start_jupyterlab,
    student_app_settings,
)


def fetch_news(url: str) -> str:
    """The value JupyterLab's page uses: the user's setting, or else the default."""
    with urllib.request.urlopen(f"{url}/lab/api/settings/{NEWS_PLUGIN}") as answer:
        plugin = json.load(answer)
    default = plugin["schema"]["properties"]["fetchNews"]["default"]
    return plugin["settings"].get("fetchNews", default)


def run_and_ask(cwd, folder, home, user_settings, options=()) -> str:
    url, server = start_jupyterlab(cwd, folder, home, user_settings, options)
    try:
        return fetch_news(url)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_jupyterlab_from_a_clone_does_not_ask(tmp_path):
    """`.venv/bin/jupyter lab book/` in the repository, for a user with no settings of
    their own: the environment `make book` set up says "false"."""
    assert run_and_ask(REPO_ROOT, "book/", tmp_path, tmp_path / "user-settings") == (
        "false"
    )


def test_jupyterlab_from_the_pack_does_not_ask_and_would_without_its_settings(
    tmp_path,
):
    """The pack's README command, in an environment like a student's new one (without
    the default `make book` adds here): the pack's settings folder says "false"; without
    that folder, JupyterLab would ask."""
    if not UNPACKED.exists():
        pytest.fail("the course pack is not unzipped: run `make test`")
    folder, pack_settings = pack_command(UNPACKED)
    settings = tmp_path / "pack-settings"  # a copy: JupyterLab may write there
    shutil.copytree(UNPACKED / pack_settings, settings)
    assert (settings / user_settings_file()).exists()
    student = student_app_settings(tmp_path)
    with_pack = run_and_ask(UNPACKED, folder, tmp_path, settings, student)
    without = run_and_ask(UNPACKED, folder, tmp_path, tmp_path / "none", student)
    assert (with_pack, without) == ("false", "none")


def test_overrides_keep_other_defaults(tmp_path):
    """`make book` adds its default to the environment's; it replaces none of them."""
    (tmp_path / "overrides.json").write_text(
        json.dumps(
            {
                "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                NEWS_PLUGIN: {"other": 1},
            }
        )
    )
    written = json.loads(write_overrides(tmp_path).read_text())
    assert written == {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        NEWS_PLUGIN: {"other": 1, "fetchNews": "false"},
    }
