"""Trim the theme's stylesheets to the rules this book can use, and its icon fonts to
the icons it shows (used by lean_theme.py at the end of an HTML build; no network, no
Node).

A rule is kept unless one of its selectors' class names or ids appears nowhere in the
built pages (class and id attributes) nor in the site's scripts (any word in them, since
scripts add classes at run time); a selector is also dropped if it needs the dark colour
mode (``[data-theme=dark]``), which this light-only book never sets. Classes inside
``:not()``, ``:is()``, ``:where()`` and ``:has()`` are not required. Everything else
(tag selectors, custom properties, @font-face, @keyframes) is kept. This is what
PurgeCSS does with its default extractor, in the conservative direction.

The Font Awesome fonts are then cut down (fontTools) to the glyphs named by the rules
that remain, and written as WOFF files with a content hash in their names.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import tinycss2

WORD = re.compile(r"[A-Za-z_][\w-]*")
CLASS_ATTRIBUTE = re.compile(r'\bclass\s*=\s*"([^"]*)"|\bclass\s*=\s*\'([^\']*)\'')
ID_ATTRIBUTE = re.compile(r'\bid\s*=\s*"([^"]*)"')
DARK = re.compile(r"\[\s*data-(?:theme|mode)\s*=\s*[\"']?dark[\"']?\s*\]")
FUNCTIONAL = ("not", "is", "where", "has", "matches", "-webkit-any", "-moz-any")


def used_names(pages: list[Path], scripts: list[Path]) -> set[str]:
    names: set[str] = set()
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in CLASS_ATTRIBUTE.finditer(text):
            names.update((match[1] or match[2] or "").split())
        names.update(ID_ATTRIBUTE.findall(text))
    for script in scripts:
        names.update(WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return names


def split_selectors(prelude: list) -> list[list]:
    """A selector list's top-level parts (commas inside :is(...) do not split)."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if any(t.type not in ("whitespace", "comment") for t in p)]


def required_names(selector: list) -> list[str]:
    """Class names and ids the selector needs on the page (not those inside :not() and
    friends)."""
    names: list[str] = []
    previous = None
    for token in selector:
        if token.type == "hash":
            names.append(token.value)
        elif (
            token.type == "ident"
            and previous is not None
            and previous.type == "literal"
            and previous.value == "."
        ):
            names.append(token.value)
        elif token.type == "function" and token.lower_name in FUNCTIONAL:
            pass  # alternatives or negations: nothing inside is required
        if token.type not in ("comment",):
            previous = token
    return names


def keep_selector(selector: list, used: set[str]) -> bool:
    text = tinycss2.serialize(selector)
    if DARK.search(text):
        return False
    return all(name in used for name in required_names(selector))


def trim_rules(rules: list, used: set[str]) -> list[str]:
    out: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = split_selectors(rule.prelude)
            kept = [s for s in selectors if keep_selector(s, used)]
            if kept:
                prelude = ",".join(tinycss2.serialize(s).strip() for s in kept)
                out.append(f"{prelude}{{{tinycss2.serialize(rule.content).strip()}}}")
        elif rule.type == "at-rule":
            if (
                rule.lower_at_keyword
                in ("media", "supports", "layer", "container", "document")
                and rule.content is not None
            ):
                inner = trim_rules(
                    tinycss2.parse_rule_list(
                        rule.content, skip_comments=True, skip_whitespace=True
                    ),
                    used,
                )
                if inner:
                    out.append(
                        f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude).rstrip()}{{{''.join(inner)}}}"
                    )
            else:
                out.append(tinycss2.serialize([rule]).strip())
        # comments, whitespace and parse errors are dropped
    return out


NON_ASCII = re.compile("[^\x00-\x7f]")


def trim_css(text: str, used: set[str]) -> str:
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    out = "\n".join(trim_rules(rules, used)) + "\n"
    # tinycss2 writes escapes such as \f002 (an icon's glyph) as the characters
    # themselves; escape every non-ASCII character again, so the file reads the same in
    # any encoding.
    return NON_ASCII.sub(lambda m: f"\\{ord(m[0]):x} ", out)


# --- icon fonts -----------------------------------------------------------------------

FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
FONT_URL = re.compile(
    r"url\((?P<url>[^)]+?\.(?:woff2|woff|ttf))\)(?:\s*format\([^)]*\))?"
)
CODEPOINT = re.compile(r"\\(f[0-9a-f]{3}|e[0-9a-f]{3})", re.I)


def subset_fonts(css: str, css_path: Path, static: Path, all_css: str) -> str:
    """Point each @font-face of Font Awesome in ``css`` at a subset of the font holding
    only the glyphs that ``all_css`` (every stylesheet of the site) names."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    codepoints = sorted({int(c, 16) for c in CODEPOINT.findall(all_css)})

    def replace(match: re.Match) -> str:
        face = match[0]
        urls = [m["url"].strip("'\"") for m in FONT_URL.finditer(face)]
        ttf = next((u for u in urls if u.endswith(".ttf")), None)
        if not ttf or "fontawesome" not in ttf:
            return face
        source = (css_path.parent / ttf).resolve()
        if not source.exists():
            return face
        font = TTFont(source, recalcBBoxes=False, recalcTimestamp=False)
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        # Keep the font's own bounds and metrics, so icons sit exactly where they did.
        options.recalc_bounds = False
        options.recalc_timestamp = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        target_dir = static / "egov-fonts"
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = target_dir / f"{source.stem}.tmp"
        font.flavor = "woff"
        font.save(tmp)
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:12]
        target = target_dir / f"{source.stem}-{digest}.woff"
        tmp.replace(target)
        relative = Path(
            *([".."] * len(css_path.parent.relative_to(static).parts)),
            "egov-fonts",
            target.name,
        )
        src = f'src:url({relative.as_posix()}) format("woff")'
        return re.sub(r"src:[^;}]*", src, face)

    return FONT_FACE.sub(replace, css)
