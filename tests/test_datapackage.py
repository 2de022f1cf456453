"""data/datapackage.json describes every data file; Frictionless finds them valid."""

import json
import subprocess
import sys
from pathlib import Path

from egovbook.paths import DATA_DIR, DATAPACKAGE

FRICTIONLESS = Path(sys.executable).with_name("frictionless")


def test_frictionless_validates_the_package():
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(DATAPACKAGE)],
        capture_output=True,
        text=True,
        cwd=DATA_DIR,
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, indent=1)[:3000]
    package = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    assert len(report["tasks"]) == len(package["resources"])


def test_frictionless_rejects_a_broken_copy(data_copy):
    path = data_copy / "egdi.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",0.90093,", ",1.90093,"),
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
        capture_output=True,
        text=True,
        cwd=data_copy,
    )
    report = json.loads(result.stdout)
    assert not report["valid"]
    errors = [e for task in report["tasks"] for e in task["errors"]]
    assert any(
        e["type"] == "constraint-error" and e.get("fieldName") == "egdi" for e in errors
    )


def test_every_csv_is_described_and_every_field_has_description_and_source():
    package = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    described = {r["path"] for r in package["resources"]}
    on_disk = {
        str(p.relative_to(DATA_DIR))
        for p in DATA_DIR.rglob("*.csv")
        if "raw" not in p.parts
    }
    assert described == on_disk
    for resource in package["resources"]:
        assert resource.get("sources"), resource["name"]
        for field in resource["schema"]["fields"]:
            assert field.get("description") and field.get("source"), (
                resource["name"],
                field["name"],
            )


def test_benefit_and_determinant_references_exist_in_the_bibliography():
    import csv

    bib = (DATA_DIR.parent / "book" / "references.bib").read_text(encoding="utf-8")
    for name, count in (("benefits.csv", 6), ("determinants.csv", 11)):
        rows = list(csv.DictReader((DATA_DIR / name).open(encoding="utf-8")))
        assert len(rows) == count
        for row in rows:
            for key in row["references"].split(";"):
                assert "{" + key + "," in bib, (name, row["id"], key)
