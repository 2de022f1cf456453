"""The chapters in a real JupyterLab, offline: the second half (the check and its
fixtures are in tests/jupyterlab_session.py)."""

from jupyterlab_session import half_of_the_chapters, lab, tab  # noqa: F401

test_chapter_in_jupyterlab_offline = half_of_the_chapters(1)
