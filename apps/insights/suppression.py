"""Small groups are not shown. Every number a dashboard shows, draws or exports is a `Cell`
made here, so one rule decides what staff may see: a figure that stands for fewer than
`MINIMUM_GROUP` people is replaced by "fewer than 5"."""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.utils import formats, numberformat
from django.utils.translation import get_language, gettext

MINIMUM_GROUP = 5

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Cell:
    """A figure as shown: its value, or None when it is hidden."""

    value: float | None
    text: str

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return self.text


# Per language: a dashboard formats hundreds of figures, and looking these up each time
# cost more than the queries.
_words: dict[str, tuple[str, str, tuple]] = {}


def _language_words() -> tuple[str, str, tuple]:
    language = get_language() or ""
    if language not in _words:
        _words[language] = (
            gettext("fewer than %(minimum)s") % {"minimum": MINIMUM_GROUP},
            gettext("%(number)s%%"),
            (
                formats.get_format("DECIMAL_SEPARATOR"),
                formats.get_format("THOUSAND_SEPARATOR"),
                formats.get_format("NUMBER_GROUPING"),
            ),
        )
    return _words[language]


def hidden_text() -> str:
    return _language_words()[0]


def _format(value: float, *, decimals: int, percent: bool, unit: str) -> str:
    _hidden, percent_format, (decimal, thousands, grouping) = _language_words()
    # Rounded here: number formatting cuts digits off instead of rounding them.
    value = round(value, decimals)
    number = numberformat.format(
        value,
        decimal,
        decimal_pos=decimals,
        grouping=grouping,
        thousand_sep=thousands,
        force_grouping=True,
        use_l10n=True,
    )
    if percent:
        return percent_format % {"number": number}
    return f"{number} {unit}" if unit else number


def cell(
    value: float | None,
    *,
    people: int,
    decimals: int = 0,
    percent: bool = False,
    unit: str = "",
) -> Cell:
    """`value` as a cell, hidden when fewer than five people stand behind it (also when
    there is no value, e.g. an average of nobody)."""
    if people < MINIMUM_GROUP or value is None:
        return Cell(None, hidden_text())
    return Cell(value, _format(value, decimals=decimals, percent=percent, unit=unit))


def count_cell(count: int) -> Cell:
    """A count of people: its own group size."""
    return cell(count, people=count)


def share_cell(part: int, whole: int, *, decimals: int = 0) -> Cell:
    """`part` of `whole` as a percentage; hidden unless both groups are large enough, since
    a share of a known whole gives the part away."""
    if not whole:
        return Cell(None, hidden_text())
    return cell(part * 100 / whole, people=min(part, whole), decimals=decimals, percent=True)


def ratio_cell(
    value: float | None, *, parts: list[Cell], decimals: int = 0, percent: bool = False
) -> Cell:
    """A ratio of figures shown elsewhere (`parts`: its numerator and the figures its
    denominator is made of): hidden when any of them is, since the ratio and the shown
    figures would give the hidden one away."""
    if value is None or any(part.hidden for part in parts):
        return Cell(None, hidden_text())
    return Cell(value, _format(value, decimals=decimals, percent=percent, unit=""))


def within(part: Cell, whole: Cell) -> Cell:
    """A figure about some of the people a hidden total counts is hidden too: "12 moved up"
    beside "fewer than 5 profiles" would contradict it (and reveal the total)."""
    return Cell(None, hidden_text()) if whole.hidden else part


def group_cells(counts: Mapping[Key, int]) -> dict[Key, Cell]:
    """Counts that add up to a shown total (answers per option, profiles per tier). Hiding a
    single small bucket is not enough there, as the total minus the others reveals it; so
    when exactly one bucket is hidden, the next smallest is hidden with it."""
    cells = {key: count_cell(count) for key, count in counts.items()}
    hidden = [key for key, c in cells.items() if c.hidden and counts[key] > 0]
    shown = [key for key, c in cells.items() if not c.hidden]
    if len(hidden) == 1 and shown:
        cells[min(shown, key=lambda key: counts[key])] = Cell(None, hidden_text())
    return cells
