"""Exercises on pages outside the numbered chapters are counted page by page.

Sphinx numbers figures, tables and sphinx-exercise's exercises with one counter per
section number. Pages outside the numbered parts of the table of contents (the
introduction, the explorer, the appendix) have no section number, so they share one
counter, and the appendix's first exercise showed as "Exercise 8". This extension gives
each such page its own count from 1, as each numbered chapter has (1.1, 1.2, ...).
"""

from __future__ import annotations


def restart_exercise_numbers(app, env) -> list[str]:
    """Renumber the exercises of each page without a section number from 1."""
    for numbers in env.toc_fignumbers.values():
        exercises = numbers.get("exercise", {})
        if exercises and all(len(number) == 1 for number in exercises.values()):
            in_order = sorted(exercises, key=exercises.get)
            for count, ident in enumerate(in_order, start=1):
                exercises[ident] = (count,)
    return []


def setup(app):
    # After Sphinx's own numbering (the toctree collector, default priority 500).
    app.connect("env-get-updated", restart_exercise_numbers, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
