"""Sphinx extension: publish the data package as one zip file at the site's root.

``data-package.zip`` holds everything in data/ (the tidy CSVs, datapackage.json, and the
raw UN files with their provenance), so students can download the data the charts use.
The archive is deterministic (sorted names, fixed timestamps): the same data always
give the same bytes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

ARCHIVE = "data-package.zip"
FIXED_TIME = (
    2003,
    1,
    1,
    0,
    0,
    0,
)  # the first survey edition's year; any fixed date would do


def write_archive(data_dir: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(
                f"data/{path.relative_to(data_dir).as_posix()}", date_time=FIXED_TIME
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


def on_builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    extra = Path(app.doctreedir).parent / "egov-extra"
    write_archive(Path(app.confdir) / "data", extra / ARCHIVE)
    app.config.html_extra_path.append(str(extra))


def setup(app):
    app.connect("builder-inited", on_builder_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
