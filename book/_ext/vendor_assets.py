"""Refresh the vendored JavaScript from the npm registry (``make vendor``).

* Vega: Altair's chart HTML asks for vega@<major>, vega-lite@<exact> and
  vega-embed@<major> from a CDN. The book serves Vega itself (see offline_vega.py), so
  this script fetches, with ``npm pack``, the newest release matching each version
  Altair asks for and keeps its browser build and licence in
  book/_ext/vega_vendor/vega/. It also builds ``vega-book``, Vega without the
  transforms the book does not use (see LEFT_OUT). The website draws charts with
  vega-book and vega-tooltip (the tooltips vega-embed would show), at the version
  vega-embed depends on; vega-tooltip ships only an ES module, so it is wrapped here
  into a plain script that takes the three helpers it imports from the ``vega``
  global. Vega-Lite is kept for its version (charts are compiled at build time with
  it); Vega and vega-embed as published serve the benchmark's default build.
* axe-core: the accessibility engine the browser tests run (tests/test_browser.py),
  newest release of the series in AXE_SERIES, kept in tests/vendor/axe-core/.
"""

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import altair as alt

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parent / "vega_vendor" / "vega"
AXE = ROOT / "tests" / "vendor" / "axe-core"
AXE_SERIES = "4.14"


def wanted() -> dict[str, str]:
    return {
        "vega": alt.VEGA_VERSION,
        "vega-lite": alt.VEGALITE_VERSION,
        "vega-embed": alt.VEGAEMBED_VERSION,
    }


def pack(package: str, spec: str, folder: str) -> tarfile.TarFile:
    name = (
        subprocess.run(
            ["npm", "pack", f"{package}@{spec}", "--silent"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return tarfile.open(Path(folder) / name)


IMPORT = re.compile(r"^import \{ (?P<names>[\w, ]+) \} from 'vega-util';$", re.M)
EXPORT = re.compile(r"^export \{ (?P<names>[^}]+) \};$", re.M)


def classic_script(module: str, package: str, version: str) -> str:
    """vega-tooltip's ES module as a plain script defining window.vegaTooltip."""
    imports = IMPORT.findall(module)
    exports = EXPORT.findall(module)
    if (
        len(imports) != 1
        or len(exports) != 1
        or module.count("\nimport ") + module.startswith("import ") != 1
    ):
        raise SystemExit(
            f"{package}@{version}: expected one import from vega-util "
            "and one export list; "
            "the wrapper in vendor_assets.py needs updating"
        )
    body = IMPORT.sub(lambda m: "const { " + m["names"] + " } = vega;", module)
    names = [n.strip() for n in exports[0].split(",")]
    pairs = ", ".join(
        f"{n.split(' as ')[1]}: {n.split(' as ')[0]}" if " as " in n else n
        for n in names
    )
    body = EXPORT.sub(lambda m: f"window.vegaTooltip = {{ {pairs} }};", body)
    body = re.sub(r"^//# sourceMappingURL=.*$", "", body, flags=re.M)
    return (
        f"/* {package}@{version} (BSD-3-Clause), "
        "wrapped as a plain script by book/_ext/vendor_assets.py */\n"
        f"(function () {{\n{body}}})();\n"
    )


def vendor_vega(tmp: str) -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for old in VENDOR.iterdir():
        old.unlink()
    versions = {}
    tooltip_spec = None
    for package, spec in wanted().items():
        spec = spec.lstrip("v")
        with pack(package, spec, tmp) as archive:
            manifest = json.load(archive.extractfile("package/package.json"))
            build = manifest["jsdelivr"]
            version = manifest["version"]
            target = VENDOR / f"{package}@{version}.min.js"
            target.write_bytes(archive.extractfile(f"package/{build}").read())
            (VENDOR / f"{package}@{version}.LICENSE").write_bytes(
                archive.extractfile("package/LICENSE").read()
            )
        if package == "vega-embed":
            tooltip_spec = manifest["dependencies"]["vega-tooltip"]
        versions[package] = {
            "requested": spec,
            "version": version,
            "file": target.name,
            "license": manifest.get("license"),
            "source": f"npm {package}@{version}, {build}",
        }
        print(f"{package}@{spec} -> {target.relative_to(ROOT)}")
    with pack("vega-tooltip", tooltip_spec, tmp) as archive:
        manifest = json.load(archive.extractfile("package/package.json"))
        version = manifest["version"]
        module = archive.extractfile("package/build/index.js").read().decode("utf-8")
        target = VENDOR / f"vega-tooltip@{version}.js"
        target.write_text(
            classic_script(module, "vega-tooltip", version), encoding="utf-8"
        )
        (VENDOR / f"vega-tooltip@{version}.LICENSE").write_bytes(
            archive.extractfile("package/LICENSE").read()
        )
    versions["vega-tooltip"] = {
        "requested": tooltip_spec,
        "version": version,
        "file": target.name,
        "license": manifest.get("license"),
        "source": (
            f"npm vega-tooltip@{version}, build/index.js wrapped as a plain script"
        ),
    }
    print(f"vega-tooltip@{tooltip_spec} -> {target.relative_to(ROOT)}")
    versions["vega-book"] = build_vega_book(tmp, versions["vega"]["version"])
    (VENDOR / "versions.json").write_text(
        json.dumps(versions, indent=2) + "\n", encoding="utf-8"
    )


# The website's own build of Vega: the same modules and version as vega's
# build/vega.min.js, without the transforms this book's charts do not use (maps, force
# layouts, trees, Voronoi, word clouds, cross-filters, regressions, labels): 20 %
# smaller, and faster to start. book/_ext/offline_vega.py fails the build if a chart
# needs a transform left out here.
LEFT_OUT = (
    "vega-geo",
    "vega-force",
    "vega-hierarchy",
    "vega-label",
    "vega-regression",
    "vega-voronoi",
    "vega-wordcloud",
    "vega-crossfilter",
)
ESBUILD = "0.28.2"


def book_entry(index: str, version: str) -> str:
    """vega's index.js without the left-out transform modules (its version inline)."""
    names = {}
    for package in LEFT_OUT:
        match = re.search(rf"^import \* as (\w+) from '{package}';\n", index, re.M)
        if not match:
            raise SystemExit(
                f"vega@{version}: index.js no longer imports {package}; "
                "update vendor_assets.py"
            )
        names[package] = match[1]
        index = index.replace(match[0], "")
    registered = re.search(r"extend\(\s*transforms,\s*(?P<list>[^)]*)\)", index)
    kept = [
        n.strip()
        for n in registered["list"].split(",")
        if n.strip() and n.strip() not in names.values()
    ]
    index = index.replace(registered[0], f"extend(transforms, {', '.join(kept)})")
    index = re.sub(r"^import \* as pkg from './package.json'.*$", "", index, flags=re.M)
    index = index.replace(
        "export const version = pkg.version;", f"export const version = '{version}';"
    )
    # The map projections are only for maps.
    index = index.replace("export {\n  projection\n} from 'vega-projection';\n", "")
    return index


def build_vega_book(tmp: str, version: str) -> dict:
    work = Path(tmp) / "vega-book"
    work.mkdir()
    subprocess.run(["npm", "init", "-y"], cwd=work, check=True, capture_output=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            f"vega@{version}",
            f"esbuild@{ESBUILD}",
        ],
        cwd=work,
        check=True,
        capture_output=True,
    )
    index = (work / "node_modules" / "vega" / "index.js").read_text(encoding="utf-8")
    (work / "entry.js").write_text(book_entry(index, version), encoding="utf-8")
    target = VENDOR / f"vega-book@{version}.min.js"
    subprocess.run(
        [
            "npx",
            "esbuild",
            "entry.js",
            "--bundle",
            "--minify",
            "--format=iife",
            "--global-name=vega",
            "--target=es2020",
            "--legal-comments=none",
            "--metafile=meta.json",
            f"--outfile={target}",
        ],
        cwd=work,
        check=True,
        capture_output=True,
    )
    inputs = json.loads((work / "meta.json").read_text())["inputs"]
    packages = sorted(
        {
            re.search(r"node_modules/((?:@[^/]+/)?[^/]+)/", name)[1]
            for name in inputs
            if "node_modules/" in name
        }
    )
    licences, modules = [], {}
    for package in packages:
        folder = work / "node_modules" / package
        manifest = json.loads((folder / "package.json").read_text())
        modules[package] = manifest["version"]
        licence = next(
            (
                p
                for p in sorted(folder.iterdir())
                if p.name.upper().startswith(("LICENSE", "LICENCE"))
            ),
            None,
        )
        text = (
            licence.read_text(encoding="utf-8")
            if licence
            else f"{manifest.get('license')} (no licence file)"
        )
        licences.append(
            f"== {package}@{manifest['version']} ({manifest.get('license')}) ==\n"
            f"{text.strip()}\n"
        )
    bundled = "\n".join(licences)
    (VENDOR / f"vega-book@{version}.LICENSE").write_text(
        f"Licences of the packages bundled in vega-book@{version}.min.js "
        f"(built by book/_ext/vendor_assets.py)\n\n{bundled}",
        encoding="utf-8",
    )
    transforms = json.loads(
        subprocess.run(
            [
                "node",
                "-e",
                "const vm = require('vm'), context = vm.createContext({}); "
                "vm.runInContext("
                "require('fs').readFileSync(process.argv[1], 'utf8'), context); "
                "console.log(JSON.stringify(Object.keys(context.vega.transforms).sort()))",
                str(target),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    print(
        f"vega-book@{version} -> {target.relative_to(ROOT)} "
        f"({target.stat().st_size // 1024} KB)"
    )
    return {
        "requested": version,
        "version": version,
        "file": target.name,
        "license": "BSD-3-Clause and others",
        "source": (
            f"npm vega@{version} built with esbuild@{ESBUILD} "
            f"without {', '.join(LEFT_OUT)}"
        ),
        "modules": modules,
        "transforms": transforms,
    }


def vendor_axe(tmp: str) -> None:
    AXE.mkdir(parents=True, exist_ok=True)
    with pack("axe-core", AXE_SERIES, tmp) as archive:
        manifest = json.load(archive.extractfile("package/package.json"))
        (AXE / "axe.min.js").write_bytes(
            archive.extractfile("package/axe.min.js").read()
        )
        (AXE / "LICENSE").write_bytes(archive.extractfile("package/LICENSE").read())
    version = {
        "package": "axe-core",
        "requested": AXE_SERIES,
        "version": manifest["version"],
        "license": manifest.get("license"),
        "source": f"npm axe-core@{manifest['version']}, axe.min.js",
    }
    (AXE / "version.json").write_text(
        json.dumps(version, indent=2) + "\n", encoding="utf-8"
    )
    print(
        f"axe-core@{AXE_SERIES} -> {(AXE / 'axe.min.js').relative_to(ROOT)} "
        f"({manifest['version']})"
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        vendor_vega(tmp)
        vendor_axe(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
