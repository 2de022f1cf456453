"""Refresh the vendored Vega libraries from the npm registry (``make vendor``).

Altair's chart HTML asks for vega@<major>, vega-lite@<exact> and vega-embed@<major> from a
CDN. The book serves those files itself (see offline_vega.py), so this script fetches,
with ``npm pack``, the newest release matching each version Altair asks for and keeps
its browser build and licence in book/_ext/vega_vendor/vega/.
"""

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import altair as alt

VENDOR = Path(__file__).resolve().parent / "vega_vendor" / "vega"


def wanted() -> dict[str, str]:
    return {"vega": alt.VEGA_VERSION, "vega-lite": alt.VEGALITE_VERSION, "vega-embed": alt.VEGAEMBED_VERSION}


def main() -> int:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for old in VENDOR.iterdir():
        old.unlink()
    versions = {}
    with tempfile.TemporaryDirectory() as tmp:
        for package, spec in wanted().items():
            spec = spec.lstrip("v")
            name = subprocess.run(["npm", "pack", f"{package}@{spec}", "--silent"], cwd=tmp,
                                  check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            with tarfile.open(Path(tmp) / name) as archive:
                manifest = json.load(archive.extractfile("package/package.json"))
                build = manifest["jsdelivr"]
                version = manifest["version"]
                target = VENDOR / f"{package}@{version}.min.js"
                target.write_bytes(archive.extractfile(f"package/{build}").read())
                (VENDOR / f"{package}@{version}.LICENSE").write_bytes(archive.extractfile("package/LICENSE").read())
            versions[package] = {"requested": spec, "version": version, "file": target.name,
                                 "license": manifest.get("license"), "source": f"npm {package}@{version}, {build}"}
            print(f"{package}@{spec} -> {target.relative_to(VENDOR.parents[2])}")
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
