"""The chapters in a real JupyterLab, offline (second half; the check itself is in
tests/jupyterlab_session.py)."""

import pytest

import jupyterlab_session as session

pytestmark = session.NO_CHROMIUM
lab, browser = session.lab, session.browser  # the fixtures, asked for by name


@pytest.mark.parametrize("chapter", session.CHAPTERS[1::2])
def test_chapter_in_jupyterlab_offline(lab, browser, chapter):
    session.check_chapter(lab, browser, chapter)
