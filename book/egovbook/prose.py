"""Numbers for the prose: computed in a code cell, shown in the text with ``{eval}``.

A chapter computes a value, formats it once for the text, and the markdown shows it
with the MyST role ``{eval}`name```. The book's build (MyST-NB) and JupyterLab
(jupyterlab-myst) both evaluate that role, so the reader sees the number, never the
markup, and the number always comes from the data.
"""

from __future__ import annotations


class ProseValue:
    """A value as the text shows it: formatted once, printed without quotes."""

    def __init__(self, value, spec: str = ""):
        self.value = value
        self.text = format(value, spec)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_pretty_(
        self, printer, cycle
    ) -> None:  # IPython's display, used by {eval}
        printer.text(self.text)

    def __format__(self, spec: str) -> str:
        return format(self.value, spec) if spec else self.text

    def __eq__(self, other) -> bool:
        return self.value == (other.value if isinstance(other, ProseValue) else other)

    __hash__ = None


def for_prose(value, spec: str = "") -> ProseValue:
    """Format a value for the text, e.g. ``for_prose(0.81234, ".3f")`` shows 0.812."""
    if hasattr(value, "item"):  # a NumPy scalar: show 5, not np.int64(5)
        value = value.item()
    return ProseValue(value, spec)
