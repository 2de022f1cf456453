"""Tables that passed are kept on disk, so a fresh kernel need not check them again.

The cache is keyed by a hash of the file's bytes, its schema and the Frictionless
version: a table read from it must equal the table Frictionless checks, and a changed
byte must be checked again (and rejected if broken).
"""

import json

import pandas as pd
import pytest

from egovbook import DataError, data
from egovbook.data import load_table


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, and no tables remembered by this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("EGOVBOOK_CACHE", str(folder))
    monkeypatch.setattr(data, "_PASSED", {})
    return folder


def forget_session(monkeypatch):
    """As if in a new kernel: only the disk cache remains."""
    monkeypatch.setattr(data, "_PASSED", {})


def refuse_to_validate(monkeypatch):
    def validate(name, *args):
        raise AssertionError(f"{name} was checked again instead of read from the cache")

    monkeypatch.setattr(data, "_frictionless_rows", validate)


RESOURCES = [resource["name"] for resource in data.read_package()["resources"]]


@pytest.mark.parametrize("name", RESOURCES)
def test_cached_table_equals_checked_table(name, cache, monkeypatch, data_copy):
    checked = load_table(name, data_copy)
    assert list(cache.glob("*.json")), "nothing was stored after a table passed"
    forget_session(monkeypatch)
    refuse_to_validate(monkeypatch)
    from_cache = load_table(name, data_copy)
    pd.testing.assert_frame_equal(from_cache, checked)  # values and dtypes


def test_changed_byte_is_checked_again(cache, monkeypatch, data_copy):
    data.load_survey(data_copy)
    forget_session(monkeypatch)
    survey = data_copy / "egdi.csv"
    text = survey.read_text(encoding="utf-8")
    survey.write_text(text.replace(",0.86810,", ",0.8681O,", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'osi': '0.8681O' is not a number"):
        data.load_survey(data_copy)


def test_damaged_cache_is_ignored_and_rewritten(cache, monkeypatch, data_copy):
    checked = load_table("benefits", data_copy)
    (stored,) = cache.glob("*.json")
    stored.write_text('{"format": 1, "rows": [[', encoding="utf-8")
    forget_session(monkeypatch)
    pd.testing.assert_frame_equal(load_table("benefits", data_copy), checked)
    assert json.loads(stored.read_text(encoding="utf-8"))["rows"]


def test_cache_can_be_turned_off(tmp_path, monkeypatch, data_copy):
    monkeypatch.setenv("EGOVBOOK_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(data, "_PASSED", {})
    monkeypatch.chdir(tmp_path)  # a relative folder would be made here
    load_table("benefits", data_copy)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data"]


def test_cache_keeps_only_the_newest_tables(cache, monkeypatch, data_copy):
    monkeypatch.setattr(data, "_CACHE_KEPT", 2)
    for name in ("benefits", "determinants", "countries"):
        load_table(name, data_copy)
    assert len(list(cache.glob("*.json"))) == 2
