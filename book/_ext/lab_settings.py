"""JupyterLab's settings for the book's readers: JupyterLab never asks whether to fetch
Jupyter news from the internet (on a school network that blocks it, the question only
confuses). JupyterLab asks whenever the setting ``fetchNews`` is left at "none".

The same setting goes to two places:

- the course pack: a user-settings folder, ``jupyterlab-settings/``, which the pack's
  README command names (``course_pack.py`` writes it into the archive);
- a clone of the repository: ``make book`` writes it into the environment's JupyterLab
  as a default (``.venv/share/jupyter/lab/settings/overrides.json``), so the README's
  ``.venv/bin/jupyter lab book/`` needs no option. Run as a script, this module does
  that.
"""

from __future__ import annotations

import json
from pathlib import Path

NEWS_PLUGIN = "@jupyterlab/apputils-extension:notification"
NEWS_OFF = {"fetchNews": "false"}


def user_settings_file(plugin: str = NEWS_PLUGIN) -> str:
    """Where a plugin's settings sit inside a user-settings folder."""
    package, _, name = plugin.partition(":")
    return f"{package}/{name}.jupyterlab-settings"


def write_overrides(app_settings_dir: Path) -> Path:
    """Add the news setting to ``overrides.json`` in JupyterLab's application settings,
    keeping any other defaults already there."""
    target = app_settings_dir / "overrides.json"
    overrides = (
        json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
    )
    overrides.setdefault(NEWS_PLUGIN, {}).update(NEWS_OFF)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(overrides, indent=2) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    from jupyterlab.commands import get_app_dir

    written = write_overrides(Path(get_app_dir()) / "settings")
    print(f"JupyterLab default written: {written}")
