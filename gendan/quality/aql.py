"""ISO 2859-1 single sampling, normal inspection: the tables as data, and the look-up that follows them.

Table 1 (sample size code letters) and Table 2-A (single sampling plans for normal inspection, master table)
of ISO 2859-1 (the same tables as ANSI/ASQ Z1.4, MIL-STD-105E and GB/T 2828.1). Checked against published
copies of the tables: the code letters row by row, the Ac/Re sequence of each code letter's row, and the
level II rows with their arrows for AQL 0.65 … 15 (see tests/quality/test_aql.py, whose expected values are
written out independently of this module).

How a plan is found (clause 10 of the standard):
1. lot size and inspection level → code letter (Table 1);
2. code letter and AQL → the cell of Table 2-A. A cell holds Ac/Re, or an arrow: ↓ "use the first sampling
   plan below the arrow", ↑ "use the first sampling plan above the arrow". The sample size is the one of the
   row where the plan was found, not of the original code letter;
3. if that sample size equals or exceeds the lot size, every unit of the lot is inspected (100 %), with the
   plan's Ac/Re.

Two cells of Table 2-A hold an arrow that points off the table (A at AQL 10 points up, R at AQL 0.015 points
down): the standard gives no plan there, so the look-up refuses them (`NoSamplingPlan`) rather than invent one.

AQL 0 is accepted as "zero tolerance" (e.g. critical defects): Ac 0, Re 1 on the code letter's sample.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gendan.core.errors import ApplicationError

# --- Table 1: sample size code letters ------------------------------------------------------------------

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# (smallest lot size of the band, largest or None, code letters for S-1 S-2 S-3 S-4 I II III)
CODE_LETTERS: tuple[tuple[int, int | None, str], ...] = (
    (2, 8, "A A A A A A B"),
    (9, 15, "A A A A A B C"),
    (16, 25, "A A B B B C D"),
    (26, 50, "A B B C C D E"),
    (51, 90, "B B C C C E F"),
    (91, 150, "B B C D D F G"),
    (151, 280, "B C D E E G H"),
    (281, 500, "B C D E F H J"),
    (501, 1200, "C C E F G J K"),
    (1201, 3200, "C D E G H K L"),
    (3201, 10000, "C D F G J L M"),
    (10001, 35000, "C D F H K M N"),
    (35001, 150000, "D E G J L N P"),
    (150001, 500000, "D E G J M P Q"),
    (500001, None, "D E H K N Q R"),
)

# --- Table 2-A: single sampling plans for normal inspection (master table) ------------------------------

SAMPLE_SIZES: dict[str, int] = {
    "A": 2,
    "B": 3,
    "C": 5,
    "D": 8,
    "E": 13,
    "F": 20,
    "G": 32,
    "H": 50,
    "J": 80,
    "K": 125,
    "L": 200,
    "M": 315,
    "N": 500,
    "P": 800,
    "Q": 1250,
    "R": 2000,
}
CODE_ORDER = tuple(SAMPLE_SIZES)

AQLS: tuple[Decimal, ...] = tuple(
    Decimal(v)
    for v in [
        "0.010",
        "0.015",
        "0.025",
        "0.040",
        "0.065",
        "0.10",
        "0.15",
        "0.25",
        "0.40",
        "0.65",
        "1.0",
        "1.5",
        "2.5",
        "4.0",
        "6.5",
        "10",
        "15",
        "25",
        "40",
        "65",
        "100",
        "150",
        "250",
        "400",
        "650",
        "1000",
    ]
)

# One row per code letter, one cell per AQL (columns as in AQLS). "v" = ↓, "^" = ↑, "Ac/Re" = a plan.
# fmt: off
MASTER_TABLE: dict[str, str] = {
    #     .010 .015 .025 .040 .065  .10  .15  .25  .40  .65  1.0  1.5  2.5  4.0  6.5   10   15   25    40    65   100   150   250   400   650  1000
    "A": "v    v    v    v    v    v    v    v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3   3/4  5/6   7/8   10/11 14/15 21/22 30/31",
    "B": "v    v    v    v    v    v    v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4   5/6  7/8   10/11 14/15 21/22 30/31 44/45",
    "C": "v    v    v    v    v    v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6   7/8  10/11 14/15 21/22 30/31 44/45 ^",
    "D": "v    v    v    v    v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8   10/11 14/15 21/22 30/31 44/45 ^    ^",
    "E": "v    v    v    v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 30/31 44/45 ^     ^    ^",
    "F": "v    v    v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^     ^     ^     ^    ^",
    "G": "v    v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^   ^    ^     ^     ^     ^    ^",
    "H": "v    v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^   ^    ^     ^     ^     ^    ^",
    "J": "v    v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^   ^    ^     ^     ^     ^    ^",
    "K": "v    v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^   ^    ^     ^     ^     ^    ^",
    "L": "v    v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^   ^    ^     ^     ^     ^    ^",
    "M": "v    v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^    ^   ^    ^     ^     ^     ^    ^",
    "N": "v    v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^    ^    ^   ^    ^     ^     ^     ^    ^",
    "P": "v    0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^    ^    ^    ^   ^    ^     ^     ^     ^    ^",
    "Q": "0/1  ^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^    ^    ^    ^    ^   ^    ^     ^     ^     ^    ^",
    "R": "^    v    1/2  2/3  3/4  5/6  7/8  10/11 14/15 21/22 ^    ^    ^    ^    ^    ^    ^    ^    ^    ^   ^    ^     ^     ^     ^    ^",
}
# fmt: on

ZERO = Decimal(0)
MAX_LOT_SIZE = 1_000_000_000


class AqlError(ApplicationError):
    code = "aql_invalid"
    status = 400


class NoSamplingPlan(AqlError):
    code = "aql_no_plan"


@dataclass(frozen=True)
class SamplingPlan:
    lot_size: int
    level: str
    aql: Decimal  # 0 = zero tolerance
    code_letter: str  # from Table 1
    plan_code_letter: str  # the row of Table 2-A where the plan was found (after the arrows)
    table_sample_size: int  # that row's sample size
    sample_size: int  # units to inspect: the table's, or the whole lot (100 %)
    accept: int  # Ac
    reject: int  # Re

    @property
    def full_inspection(self) -> bool:
        return self.sample_size >= self.lot_size

    @property
    def arrow_followed(self) -> bool:
        return self.plan_code_letter != self.code_letter

    def passes(self, defects: int) -> bool:
        """Accept the lot when the nonconforming items (or nonconformities) found are at most Ac."""
        return defects <= self.accept


def _cells() -> dict[str, list[str]]:
    cells = {letter: row.split() for letter, row in MASTER_TABLE.items()}
    for letter, row in cells.items():  # a malformed table must fail loudly at import, not silently at use
        if len(row) != len(AQLS):
            raise ValueError(f"Table 2-A row {letter} has {len(row)} cells, expected {len(AQLS)}")
    return cells


_CELLS = _cells()


def level_parse(value: Any) -> str:
    text = str(value or "").strip().upper().replace("G-", "").replace("S", "S-").replace("S--", "S-")
    if text not in LEVELS:
        raise AqlError(
            _("Unknown inspection level %(level)s: use I, II, III or S-1 … S-4.")
            % {"level": str(value)[:20]},
            code="aql_unknown_level",
            extra={"fields": {"level": [_("Unknown inspection level.")]}},
        )
    return text


def aql_parse(value: Any) -> Decimal:
    """An AQL of Table 2-A (0.010 … 1000, however written: "2.5", "2.50", 2.5) or 0 (zero tolerance)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is not None and number.is_finite():
        if number == ZERO:
            return ZERO
        for aql in AQLS:
            if aql == number:
                return aql
    raise AqlError(
        _("Unknown AQL %(aql)s: use one of the standard values (0.010 … 1000) or 0 for zero tolerance.")
        % {"aql": str(value)[:20]},
        code="aql_unknown_aql",
        extra={"fields": {"aql": [_("Not an AQL of ISO 2859-1.")]}},
    )


def lot_size_check(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            value = 0
    if not 1 <= value <= MAX_LOT_SIZE:
        raise AqlError(
            _("The lot size must be a whole number from 1 to %(max)s.") % {"max": f"{MAX_LOT_SIZE:,}"},
            code="aql_bad_lot_size",
            extra={"fields": {"lot_size": [_("Enter the number of units in the lot.")]}},
        )
    return value


def code_letter_for(lot_size: int, level: str) -> str:
    """Table 1. A lot of a single unit takes the first band's letter (it is inspected 100 % anyway)."""
    column = LEVELS.index(level)
    for _low, high, letters in CODE_LETTERS:
        if high is None or lot_size <= high:
            return letters.split()[column]
    raise AssertionError("unreachable: the last band is open-ended")


def _plan_cell(code_letter: str, aql: Decimal) -> tuple[str, int, int]:
    """Follow the arrows of Table 2-A from (code letter, AQL) to a plan: (row letter, Ac, Re)."""
    column = AQLS.index(aql)
    row = CODE_ORDER.index(code_letter)
    cell = _CELLS[code_letter][column]
    step = {"v": 1, "^": -1}.get(cell, 0)
    while cell in ("v", "^"):
        row += step
        if not 0 <= row < len(CODE_ORDER):
            raise NoSamplingPlan(
                _(
                    "ISO 2859-1 Table 2-A gives no single sampling plan for code letter %(letter)s at AQL %(aql)s "
                    "(the arrow points off the table). Choose another inspection level or AQL, or inspect 100 %%."
                )
                % {"letter": code_letter, "aql": aql},
                extra={"code_letter": code_letter, "aql": str(aql)},
            )
        cell = _CELLS[CODE_ORDER[row]][column]
        # An arrow followed must lead to a plan or to more of the same arrow, never to the opposite one.
        if cell in ("v", "^") and {"v": 1, "^": -1}[cell] != step:
            raise AssertionError(f"Table 2-A: opposite arrows meet in column {aql}")
    ac, re = (int(part) for part in cell.split("/"))
    return CODE_ORDER[row], ac, re


def sampling_plan(*, lot_size: Any, level: Any, aql: Any) -> SamplingPlan:
    """The single sampling plan (normal inspection) for a lot; raises AqlError on bad parameters."""
    lot = lot_size_check(lot_size)
    level_code = level_parse(level)
    aql_value = aql_parse(aql)
    letter = code_letter_for(lot, level_code)
    if aql_value == ZERO:
        plan_letter, ac, re = letter, 0, 1
    else:
        plan_letter, ac, re = _plan_cell(letter, aql_value)
    table_n = SAMPLE_SIZES[plan_letter]
    return SamplingPlan(
        lot_size=lot,
        level=level_code,
        aql=aql_value,
        code_letter=letter,
        plan_code_letter=plan_letter,
        table_sample_size=table_n,
        sample_size=min(table_n, lot),
        accept=ac,
        reject=re,
    )


def aql_choices() -> list[tuple[str, str]]:
    """For forms: the AQL values as the standard prints them."""
    return [(str(a), str(a)) for a in AQLS]
