"""Sphinx extension: rebuild the notebooks when the data (or code they import) changes.

Sphinx re-reads only the source files that changed, and MyST-NB's execution cache does
not notice data files either (MyST-NB issue 299), so a changed data/egdi.csv would leave
old charts in an incremental build. This extension keeps a digest of the folders named
in ``egov_data_dependencies`` (paths relative to the configuration directory) and marks
every notebook as outdated when the digest changes; the notebooks are then executed
again (``execute_notebooks: force``). A build with no changes re-executes nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def digest_of(folders: list[Path]) -> str:
    sha = hashlib.sha256()
    for folder in folders:
        files = sorted(
            p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
        for path in files:
            sha.update(str(path.relative_to(folder.parent)).encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def on_env_get_outdated(app, env, added, changed, removed):
    root = Path(app.confdir)
    folders = [
        root / name
        for name in app.config.egov_data_dependencies
        if (root / name).exists()
    ]
    digest = digest_of(folders)
    previous = getattr(env, "egov_data_digest", None)
    env.egov_data_digest = digest
    if previous is None or previous == digest:
        return []
    notebooks = sorted(
        doc for doc in env.found_docs if str(env.doc2path(doc)).endswith(".ipynb")
    )
    logger.info("data changed: re-executing %d notebook(s)", len(notebooks))
    return notebooks


def setup(app):
    app.add_config_value("egov_data_dependencies", ["data", "book/egovbook"], "env")
    app.connect("env-get-outdated", on_env_get_outdated)
    return {
        "version": "1.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
