"""A memo's fixed words in the reader's language; the record as written."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from models import memos

CASES = [
    ("award", memos.capped("主动报告隐患", 50, 20), "主动报告隐患 (yearly cap: 50 due, 20 credited)"),
    ("deduction", memos.short("违章作业", 15, 0), "违章作业 (15 due, the balance fell short: 0 taken)"),
    ("deduction", f"{memos.OWED} 违章作业", "Owed deduction: 违章作业"),
    (
        "deduction",
        f"{memos.OWED_UNDONE}违章作业",
        "Owed deduction undone (its points came from a false claim): 违章作业",
    ),
    ("adjustment", f"{memos.FALSE_POINTS} 合理化建议", "False points withdrawn: 合理化建议"),
    ("adjustment", memos.LEFT, "Left the company: points forfeited"),
    ("expiry", memos.year_end(2026), "Unspent points of 2026 expired at year end"),
    ("redemption", f"{memos.REDEEMED} 洗衣液×2、手套×1", "Redeemed: 洗衣液×2、手套×1"),
    ("refund", f"{memos.RETURNED} DH-2026-000001：坏了", "Returned: DH-2026-000001：坏了"),
    ("refund", f"{memos.CANCELLED} DH-2026-000002：拿错了", "Redemption cancelled: DH-2026-000002：拿错了"),
    ("adjustment", "期初余额导入", "期初余额导入"),  # typed by a person: data
]


@pytest.mark.parametrize(("kind", "memo", "english"), CASES)
def test_a_memo_reads_in_english_and_stays_as_written_in_chinese(app, kind, memo, english):
    with app.test_request_context(), force_locale("en"):
        assert memos.in_words(memo, kind, "en") == english
    assert memos.in_words(memo, kind, "zh_Hans_CN") == memo
    assert memos.in_words(memo, kind, None) == memo


def test_an_award_named_like_a_fixed_word_is_data(app):
    """Only an entry of the kind that writes a fixed opening has it read: a rule named "兑换..." stays a name."""
    with app.test_request_context(), force_locale("en"):
        assert memos.in_words("兑换率考核奖", "award", "en") == "兑换率考核奖"
