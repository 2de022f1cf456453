"""Sphinx extension: rebuild the notebooks when the data (or code they import) changes.

Sphinx re-reads only the source files that changed, and MyST-NB's execution cache does
not notice data files either (MyST-NB issue 299), so a changed data/egdi.csv would leave
old charts in an incremental build. This extension keeps a digest of the folders named
in ``egov_data_dependencies`` (paths relative to the configuration directory) and marks
every notebook as outdated when the digest changes; the notebooks are then executed
again (``execute_notebooks: force``). A build with no changes re-executes nothing.
Folders named in ``egov_page_dependencies`` (the chart runtime and Vega) mark every
page, notebook or not, in the same way.
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


def changed(env, attribute: str, folders: list[Path]) -> bool:
    """Whether the folders' digest differs from the one kept in the environment (a first
    build reads everything anyway); the new digest is kept."""
    digest = digest_of(folders)
    previous = getattr(env, attribute, None)
    setattr(env, attribute, digest)
    return previous is not None and previous != digest


def on_env_get_outdated(app, env, added, changed_docs, removed):
    root = Path(app.confdir)

    def existing(names):
        return [root / name for name in names if (root / name).exists()]

    # Both digests are kept on every build, whichever marks pages.
    pages = changed(
        env, "egov_page_digest", existing(app.config.egov_page_dependencies)
    )
    data = changed(env, "egov_data_digest", existing(app.config.egov_data_dependencies))
    if pages:
        logger.info("chart runtime changed: writing every page again")
        return sorted(env.found_docs)
    if not data:
        return []
    notebooks = sorted(
        doc for doc in env.found_docs if str(env.doc2path(doc)).endswith(".ipynb")
    )
    logger.info("data changed: re-executing %d notebook(s)", len(notebooks))
    return notebooks


def setup(app):
    app.add_config_value("egov_data_dependencies", ["data", "book/egovbook"], "env")
    # Every page names the chart runtime by its checksum (a chapter loads it, the others
    # prefetch it; book/_ext/offline_vega.py), and Sphinx rewrites only the pages whose
    # source changed: when the runtime or the vendored Vega changes, all are rewritten.
    app.add_config_value(
        "egov_page_dependencies", ["book/egovbook", "book/_ext/vega_vendor"], "env"
    )
    app.connect("env-get-outdated", on_env_get_outdated)
    return {
        "version": "1.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 2,
    }
