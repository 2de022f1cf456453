"""The raw files are byte for byte the copies named in data/raw/manifest.csv."""

import csv
import hashlib

import pytest

from egovbook.paths import RAW_DIR

MANIFEST = list(csv.DictReader((RAW_DIR / "manifest.csv").open(encoding="utf-8")))


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.mark.parametrize("entry", MANIFEST, ids=[row["path"] for row in MANIFEST])
def test_raw_file_matches_its_blob(entry):
    data = (RAW_DIR / entry["path"]).read_bytes()
    assert len(data) == int(entry["bytes"])
    assert git_blob_sha1(data) == entry["git_blob_sha1"]


def test_manifest_lists_every_raw_file():
    on_disk = {
        str(p.relative_to(RAW_DIR))
        for p in RAW_DIR.rglob("*.csv")
        if p.name != "manifest.csv"
    }
    assert on_disk == {row["path"] for row in MANIFEST}
