"""Which layout a file is: the best header fit within the chosen source, never a silent guess.

Every candidate layout whose required columns the header has is scored by the share of the
file's columns it knows (mapped or deliberately ignored); the best share wins, so an
Opportunity export that happens to have `Id` and `Name` is not read as accounts. When even
the best layout knows fewer than half the columns, the file is rejected with the unknown
columns and the layout (of any source) that fits it best. Naming a layout (a layout key,
or a generic mapping) overrides detection; its unknown columns are listed, not rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesops.importing.layouts import Layout, match_columns, missing_columns_sentence
from salesops.importing.reading import ImportRejected
from salesops.importing.sources import LAYOUTS, SOURCES

# A detected layout must know at least this share of the file's columns.
MIN_KNOWN_SHARE = 0.5


@dataclass(frozen=True)
class Fit:
    """How well one layout fits a header: required columns missing, columns it knows."""

    layout: Layout
    missing: tuple[str, ...]
    known: int
    unknown: tuple[str, ...]

    @property
    def share(self) -> float:
        """Returns the share of the file's columns the layout knows (0 for an empty header)."""
        total = self.known + len(self.unknown)
        return self.known / total if total else 0.0

    def describe(self) -> str:
        """Returns the fit in words, e.g. "knows 13 of 14 columns"."""
        return f"knows {self.known} of {self.known + len(self.unknown)} columns"


@dataclass(frozen=True)
class Detection:
    """The layout chosen for a file and why (shown in the preview)."""

    layout: Layout
    reason: str


def fit(layout: Layout, columns: tuple[str, ...]) -> Fit:
    """Returns how `layout` fits the normalised header `columns`."""
    mapping, unknown = match_columns(layout, columns)
    missing = tuple(t for t in layout.required if t not in mapping)
    return Fit(layout, missing, len(columns) - len(unknown), tuple(unknown))


def _ranked(candidates: list[Layout], columns: tuple[str, ...]) -> list[Fit]:
    """Returns the fits best first: complete ones by share known, then by fewest missing."""
    fits = [fit(layout, columns) for layout in candidates]
    order = {id(f): i for i, f in enumerate(fits)}
    return sorted(fits, key=lambda f: (bool(f.missing), len(f.missing), -f.share, order[id(f)]))


def best_anywhere(columns: tuple[str, ...]) -> Fit | None:
    """Returns the best complete fit among every known layout, or None."""
    fits = [f for f in _ranked(list(LAYOUTS.values()), columns) if not f.missing]
    return fits[0] if fits else None


def _better_layout(columns: tuple[str, ...], chosen: Layout | None) -> str:
    """Returns a sentence naming a layout (of any source) that fits better, or ""."""
    best = best_anywhere(columns)
    if best is None or best.share < MIN_KNOWN_SHARE:
        return ""
    if chosen is not None and best.layout.key == chosen.key:
        return ""
    return (
        f" It looks like a {best.layout.label} ({best.describe()}): choose source "
        f"'{best.layout.source}' or layout '{best.layout.key}'."
    )


def _candidates(source: str) -> list[Layout]:
    """Returns the layouts `source` may be, or raises ImportRejected for an unknown source."""
    if source in LAYOUTS:
        return [LAYOUTS[source]]
    if source in SOURCES and SOURCES[source]:
        return [LAYOUTS[key] for key in SOURCES[source]]
    if source == "generic":
        raise ImportRejected("The generic source needs a mapping file (--mapping FILE).")
    known = ", ".join([*SOURCES, *LAYOUTS])
    raise ImportRejected(f"Unknown source '{source}': use one of {known}.")


def _reason(best: Fit, others: list[Fit], explicit: bool) -> str:
    """Returns why the layout was chosen, naming the runner-up's fit."""
    if explicit:
        return f"chosen by you; it {best.describe()}"
    runner = next((f for f in others if not f.missing), None)
    against = f"; {runner.layout.label} {runner.describe()}" if runner else ""
    return f"detected from the header: it {best.describe()}{against}"


def detect_layout(source: str, columns: tuple[str, ...], file_name: str = "") -> Detection:
    """Returns the layout of `source` that fits the header best, with the reason.

    `source` is a SOURCES name ("salesforce") or a layout key (an explicit choice). Raises
    ImportRejected when no layout has the required columns (listing missing and unknown
    ones) or, when detecting, when the best layout knows fewer than half the columns.
    """
    candidates = _candidates(source)
    explicit = source in LAYOUTS
    ranked = _ranked(candidates, columns)
    best = ranked[0]
    if best.missing:
        sentence = missing_columns_sentence(
            file_name, best.layout, list(best.missing), list(best.unknown)
        )
        raise ImportRejected(sentence + _better_layout(columns, best.layout), file=file_name)
    if not explicit and best.share < MIN_KNOWN_SHARE:
        prefix = f"{file_name}: " if file_name else ""
        raise ImportRejected(
            f"{prefix}most columns are unknown to every {source} layout: the closest, "
            f"{best.layout.label}, {best.describe()}; unknown: {', '.join(best.unknown[:12])}."
            + (
                _better_layout(columns, best.layout)
                or " Choose the file layout yourself if you are sure it is right, or use the "
                "generic source with a mapping file."
            ),
            file=file_name,
        )
    return Detection(best.layout, _reason(best, ranked[1:], explicit))


def choose_layout(source: str, columns: tuple[str, ...], file_name: str = "") -> Layout:
    """Returns the layout detect_layout chooses (see there)."""
    return detect_layout(source, columns, file_name).layout
