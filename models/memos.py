"""The words of a ledger entry's memo.

A memo is part of the ledger's record, written once in the plant's language (Chinese) and never changed. Its
fixed words are the ones below, each written by one place in models/; what follows them (a rule's or a goods
item's name, a number, a reason someone typed) is data. ``in_words`` shows a memo to a reader in another
language: the fixed words in theirs, the data as it was written.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

OWED_UNDONE = "补扣撤销（所用积分属虚假申报）"
FALSE_POINTS = "虚假积分撤销"
CANCELLED = "取消兑换"
OWED = "补扣"
RETURNED = "退货"
REDEEMED = "兑换"
LEFT = "离职，积分清零"
OPENING = "期初积分"
GO_LIVE = "上线奖励"

# The fixed openings by the entry's kind (an award's memo opens with its rule's name, which is data), longest
# first where one begins with another's words.
_OPENINGS = {
    "deduction": {
        OWED_UNDONE: _l("Owed deduction undone (its points came from a false claim):"),
        OWED: _l("Owed deduction:"),
    },
    "adjustment": {
        FALSE_POINTS: _l("False points withdrawn:"),
        OPENING: _l("Opening balance:"),
        GO_LIVE: _l("Go-live award:"),
    },
    "refund": {CANCELLED: _l("Redemption cancelled:"), RETURNED: _l("Returned:")},
    "redemption": {REDEEMED: _l("Redeemed:")},
}
_WHOLE = {LEFT: _l("Left the company: points forfeited")}


def year_end(year: int) -> str:
    return f"{year} 年末积分清零"


def carry_cut(year: int, kept: int) -> str:
    return f"{year} 年末结转上限 {kept} 分，超出部分清零"


def capped(memo: str, due: int, credited: int) -> str:
    return f"{memo}（年度上限：应得 {due} 分，实得 {credited} 分）".strip()


def short(memo: str, due: int, taken: int) -> str:
    return f"{memo}（应扣 {due} 分，余额不足，实扣 {taken} 分）".strip()


_YEAR_END = re.compile(r"(\d{4}) 年末积分清零")
_CARRY_CUT = re.compile(r"(\d{4}) 年末结转上限 (\d+) 分，超出部分清零")
_TAILS = (
    (re.compile(r"（年度上限：应得 (\d+) 分，实得 (\d+) 分）$"), _l("(yearly cap: %(due)s due, %(got)s credited)")),
    (
        re.compile(r"（应扣 (\d+) 分，余额不足，实扣 (\d+) 分）$"),
        _l("(%(due)s due, the balance fell short: %(got)s taken)"),
    ),
)


def in_words(memo: str | None, kind: str, language: str | None) -> str:
    """The memo of an entry of ``kind`` (an EntryKind's value) for a reader of ``language`` (None or Chinese:
    as written)."""
    if not memo or not language or language.startswith("zh"):
        return memo or ""
    if memo in _WHOLE:
        return str(_WHOLE[memo])
    if year := _YEAR_END.fullmatch(memo):
        return str(_l("Unspent points of %(year)s expired at year end", year=year.group(1)))
    if cut := _CARRY_CUT.fullmatch(memo):
        return str(_l("Year end %(year)s: points above the %(kept)s carried over expired", year=cut[1], kept=cut[2]))
    tail = ""
    for pattern, words in _TAILS:
        if found := pattern.search(memo):
            memo = memo[: found.start()]
            due, got = found.groups()
            tail = " " + str(words) % {"due": due, "got": got}
            break
    for opening, words in _OPENINGS.get(kind, {}).items():
        if memo.startswith(opening):
            rest = memo[len(opening) :].lstrip()
            memo = f"{words} {rest}" if rest else str(words).rstrip(":")
            break
    return memo + tail
