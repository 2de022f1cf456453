"""The chapters in a real JupyterLab, offline: the first half (the check and its
fixtures are in tests/jupyterlab_session.py)."""

from jupyterlab_session import (  # noqa: F401
    half_of_the_chapters,
    lab,
    tab,
    test_the_tab_notices_and_refuses_requests_off_the_machine,
)

test_chapter_in_jupyterlab_offline = half_of_the_chapters(0)
