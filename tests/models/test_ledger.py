"""The points ledger: balances, the yearly cap, year end and the hash chain (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select, text

from models import clock, ledger, people
from models.errors import InactiveEmployee, InsufficientPoints, InvalidInput, YearlyCapReached
from models.ledger import EntryKind, LedgerEntry
from models.people import Employee
from models.roster import leave
from models.settings import set_setting


def sum_of_entries(session, employee_id: int) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.employee_id == employee_id)
    )


def test_award_and_spend_keep_balance_equal_to_the_sum(session, make_employee):
    worker = make_employee()
    ledger.award(session, worker.id, 30, actor="test", memo="培训考核通过")
    ledger.spend(session, worker.id, 12, actor="kiosk:1", ref=("redemption", 1))
    ledger.refund(session, worker.id, 12, actor="staff:store", ref=("redemption", 1), memo="取消兑换")
    ledger.deduct(session, worker.id, 5, actor="staff:safety", memo="未戴安全帽")
    session.commit()
    assert session.get(Employee, worker.id).balance == 25 == sum_of_entries(session, worker.id)
    kinds = [e.kind for e in reversed(ledger.history(session, worker.id))]
    assert kinds == [EntryKind.award, EntryKind.redemption, EntryKind.refund, EntryKind.deduction]
    assert [e.balance_after for e in reversed(ledger.history(session, worker.id))] == [30, 18, 30, 25]


def test_spending_more_than_the_balance_is_refused_and_changes_nothing(session, make_employee):
    worker = make_employee(balance=10)
    with pytest.raises(InsufficientPoints) as refused:
        ledger.spend(session, worker.id, 11, actor="kiosk:1", ref=("redemption", 1))
    assert "10" in refused.value.message and "11" in refused.value.message
    session.rollback()
    assert session.get(Employee, worker.id).balance == 10
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_a_deduction_never_takes_the_balance_below_zero(session, make_employee):
    worker = make_employee(balance=4)
    taken = ledger.deduct(session, worker.id, 10, actor="staff:safety", memo="违章作业")
    session.commit()
    assert taken == 4
    assert session.get(Employee, worker.id).balance == 0
    assert "应扣 10 分" in ledger.history(session, worker.id, 1)[0].memo
    # Nothing left to take: the violation is still on record, as an entry of 0 that says what was due.
    assert ledger.deduct(session, worker.id, 3, actor="staff:safety", memo="未戴安全帽") == 0
    session.commit()
    last = ledger.history(session, worker.id, 1)[0]
    assert (last.kind, last.amount, last.balance_after) == (ledger.EntryKind.deduction, 0, 0)
    assert last.memo == "未戴安全帽（应扣 3 分，余额不足，实扣 0 分）"
    assert ledger.verify_ledger(session).ok
    # A take-back (an adjustment) of nothing writes nothing: the false claim's record holds it.
    assert ledger.deduct(session, worker.id, 3, actor="staff:safety", kind=ledger.EntryKind.adjustment) == 0
    assert ledger.history(session, worker.id, 1)[0].id == last.id


@pytest.mark.parametrize("bad", [0, -5, "7", 2.5, True, None])
def test_amounts_must_be_positive_whole_numbers(session, make_employee, bad):
    worker = make_employee()
    with pytest.raises(InvalidInput):
        ledger.award(session, worker.id, bad, actor="test")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_the_database_itself_refuses_a_negative_balance_after(session, make_employee):
    """Even a writer that bypasses the operations cannot store a negative running balance."""
    worker = make_employee(balance=1)
    entry = ledger.history(session, worker.id, 1)[0]
    with pytest.raises(Exception, match=r"(?i)check|constraint"):
        session.execute(text("UPDATE ledger_entry SET balance_after = -1 WHERE id = :id"), {"id": entry.id})
        session.flush()
    session.rollback()


def test_yearly_cap_trims_by_default_and_says_so(session, make_employee):
    set_setting(session, "yearly_cap", 100)
    worker = make_employee()
    ledger.award(session, worker.id, 80, actor="test")
    result = ledger.award(session, worker.id, 50, actor="test", memo="应急演练")
    session.commit()
    assert (result.requested, result.credited, result.trimmed) == (50, 20, 30)
    assert "应得 50 分，实得 20 分" in result.entry.memo
    assert ledger.credited_in_year(session, worker.id, clock.today().year) == 100
    with pytest.raises(YearlyCapReached) as refused:
        ledger.award(session, worker.id, 1, actor="test")
    assert "100" in refused.value.message
    session.rollback()
    assert session.get(Employee, worker.id).balance == 100


def test_yearly_cap_refuses_whole_awards_when_set_to_refuse(session, make_employee):
    set_setting(session, "yearly_cap", 100)
    set_setting(session, "cap_mode", "refuse")
    worker = make_employee()
    ledger.award(session, worker.id, 80, actor="test")
    session.commit()
    with pytest.raises(YearlyCapReached) as refused:
        ledger.award(session, worker.id, 30, actor="test")
    assert "20" in refused.value.message  # what is left is named
    session.rollback()
    assert session.get(Employee, worker.id).balance == 80


def test_spending_does_not_give_back_room_under_the_cap(session, make_employee):
    set_setting(session, "yearly_cap", 50)
    worker = make_employee()
    ledger.award(session, worker.id, 50, actor="test")
    ledger.spend(session, worker.id, 50, actor="kiosk:1", ref=("redemption", 1))
    with pytest.raises(YearlyCapReached):
        ledger.award(session, worker.id, 5, actor="test")


def test_the_cap_counts_per_calendar_year(session, make_employee):
    set_setting(session, "yearly_cap", 50)
    worker = make_employee()
    ledger.award(session, worker.id, 50, actor="test", at=dt.datetime(2025, 6, 1, 4))
    assert ledger.award(session, worker.id, 50, actor="test", at=dt.datetime(2026, 6, 1, 4)).credited == 50


def test_an_employee_who_left_earns_and_spends_nothing(session, make_employee):
    worker = make_employee(balance=20)
    leave(session, worker, actor="test")
    with pytest.raises(InactiveEmployee):
        ledger.award(session, worker.id, 5, actor="test")
    with pytest.raises(InactiveEmployee):
        ledger.spend(session, worker.id, 5, actor="kiosk:1", ref=("redemption", 1))


def test_an_adjustment_needs_a_reason(session, make_employee):
    worker = make_employee()
    with pytest.raises(InvalidInput):
        ledger.adjust(session, worker.id, 10, actor="staff:admin", memo="  ")


# --------------------------------------------------------------------------- year end


def _history_in(session, worker, year: int, *moves: int) -> None:
    for n, amount in enumerate(moves):
        at = dt.datetime(year, 3, 1 + n, 4)
        employee = ledger.lock_employee(session, worker.id)
        kind = EntryKind.award if amount > 0 else EntryKind.redemption
        ledger.post_entry(session, employee, amount, kind, actor="test", at=at)


def test_close_year_expires_unspent_points_once(session, make_employee):
    alice, bob, carol = make_employee("甲"), make_employee("乙"), make_employee("丙")
    _history_in(session, alice, 2025, 100, -30)
    _history_in(session, bob, 2025, 40, -40)
    _history_in(session, carol, 2025, 60)
    _history_in(session, carol, 2026, -20, 15)  # spent 20 of last year's points in 2026, then earned 15
    session.commit()

    result = ledger.close_year(session, 2025, actor="test", today=dt.date(2026, 3, 15))
    session.commit()
    assert (result.already_closed, result.mode, result.people, result.points) == (False, "expire", 2, 110)
    assert session.get(Employee, alice.id).balance == 0
    assert session.get(Employee, bob.id).balance == 0
    assert session.get(Employee, carol.id).balance == 15  # the 40 unspent of 2025 expired, 2026's 15 stay
    expiries = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.expiry)).all()
    assert sorted((e.employee_id, e.amount) for e in expiries) == sorted([(alice.id, -70), (carol.id, -40)])

    again = ledger.close_year(session, 2025, actor="test", today=dt.date(2026, 3, 16))
    session.commit()
    assert again.already_closed and again.points == 110
    assert session.scalar(select(func.count()).where(LedgerEntry.kind == EntryKind.expiry)) == 2
    assert ledger.verify_ledger(session).ok


def test_close_year_carries_over_when_set(session, make_employee):
    set_setting(session, "year_end", "carry")
    worker = make_employee()
    _history_in(session, worker, 2025, 100)
    result = ledger.close_year(session, 2025, actor="test", today=dt.date(2026, 1, 2))
    assert (result.mode, result.people, result.points) == ("carry", 0, 0)
    assert session.get(Employee, worker.id).balance == 100
    assert ledger.close_year(session, 2025, actor="test", today=dt.date(2026, 1, 3)).already_closed


def test_close_year_carries_over_up_to_the_limit(session, make_employee):
    from models import memos

    set_setting(session, "year_end", "carry")
    set_setting(session, "carry_limit", 50)
    rich, poor, spender = make_employee("富"), make_employee("贫"), make_employee("花")
    _history_in(session, rich, 2025, 120)
    _history_in(session, poor, 2025, 30)
    _history_in(session, spender, 2025, 100)
    _history_in(session, spender, 2026, -40)  # spent 40 of last year's in January: 60 left, 10 above the limit
    session.commit()
    result = ledger.close_year(session, 2025, actor="test", today=dt.date(2026, 1, 20))
    session.commit()
    assert (result.mode, result.people, result.points) == ("carry", 2, 80)
    assert [session.get(Employee, e.id).balance for e in (rich, poor, spender)] == [50, 30, 50]
    memo = session.scalars(select(LedgerEntry.memo).where(LedgerEntry.kind == EntryKind.expiry)).first()
    assert memo == memos.carry_cut(2025, 50)
    assert "50" in memos.in_words(memo, "expiry", "en") and "carried" in memos.in_words(memo, "expiry", "en")
    assert ledger.verify_ledger(session).ok


@pytest.mark.parametrize("year", [2026, 2027, 1999, 30000])
def test_close_year_refuses_a_year_not_over_or_not_a_year(session, year):
    with pytest.raises(InvalidInput):
        ledger.close_year(session, year, actor="test", today=dt.date(2026, 11, 23))


# --------------------------------------------------------------------------- the chain


def _some_history(session, make_employee) -> list[Employee]:
    workers = [make_employee(f"工人{i}") for i in range(3)]
    for worker in workers:
        ledger.award(session, worker.id, 20, actor="test", memo="日常安全行为")
        ledger.spend(session, worker.id, 5, actor="kiosk:1", ref=("redemption", worker.id))
    session.commit()
    return workers


def test_an_untouched_ledger_verifies(session, make_employee):
    _some_history(session, make_employee)
    report = ledger.verify_ledger(session)
    assert report.ok, report.problem
    assert (report.entries, report.employees) == (6, 3)
    assert report.head_hash == session.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == 6))


def test_each_entry_carries_the_hash_of_the_one_before(session, make_employee):
    _some_history(session, make_employee)
    entries = session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
    assert entries[0].prev_hash == ledger.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert len({e.hash for e in entries}) == len(entries)


@pytest.mark.parametrize(
    ("tamper", "seq", "words"),
    [
        ("UPDATE ledger_entry SET amount = 200, balance_after = 200 WHERE seq = 3", 3, "changed"),
        ("UPDATE ledger_entry SET memo = 'edited' WHERE seq = 2", 2, "changed"),
        ("DELETE FROM ledger_entry WHERE seq = 4", 5, "missing"),
        ("DELETE FROM ledger_entry WHERE seq = 6", 6, "head"),
        ("UPDATE ledger_entry SET seq = seq + 100 WHERE seq = 5", 6, "missing"),
        (
            "INSERT INTO ledger_entry (seq, employee_id, year, kind, amount, balance_after, actor, memo, created_at,"
            " prev_hash, hash) SELECT 7, employee_id, year, 'award', 500, balance_after + 500, 'x', '', created_at,"
            " hash, hash FROM ledger_entry WHERE seq = 6",
            7,
            "changed",
        ),
    ],
)
def test_verify_names_the_first_entry_that_does_not_fit(session, make_employee, tamper, seq, words):
    _some_history(session, make_employee)
    session.execute(text(tamper))
    session.commit()
    report = ledger.verify_ledger(session)
    assert not report.ok
    assert report.first_bad_seq == seq
    assert words in report.problem


def test_verify_catches_a_cached_balance_edited_behind_the_application(session, make_employee):
    workers = _some_history(session, make_employee)
    session.execute(text("UPDATE employee SET balance = 999 WHERE id = :id"), {"id": workers[1].id})
    session.commit()
    report = ledger.verify_ledger(session)
    assert not report.ok and "cached balance 999" in report.problem


def test_verify_catches_a_rewritten_entry_even_with_a_recomputed_own_hash(session, make_employee):
    """Re-hashing one edited row is not enough: the next row still points at the old hash."""
    _some_history(session, make_employee)
    row = session.execute(select(LedgerEntry).where(LedgerEntry.seq == 2)).scalar_one()
    forged = ledger.entry_hash(
        row.seq,
        row.employee_id,
        row.year,
        row.kind,
        -1,
        19,
        row.ref_type,
        row.ref_id,
        row.actor,
        row.memo,
        ledger.stamp(row.created_at),
        row.prev_hash,
    )
    session.execute(
        text("UPDATE ledger_entry SET amount = -1, balance_after = 19, hash = :h WHERE seq = 2"), {"h": forged}
    )
    session.commit()
    report = ledger.verify_ledger(session)
    assert not report.ok and report.first_bad_seq == 3


def test_settings_are_read_once_a_transaction_and_afresh_in_the_next(app, session):
    from app.extensions import db

    assert ledger.get_setting(session, "yearly_cap") == 2000
    with app.app_context():
        other = db.new_session()
        set_setting(other, "yearly_cap", 1234)
        other.commit()
        other.close()
    assert ledger.get_setting(session, "yearly_cap") == 2000  # the same transaction: the same answer
    session.rollback()
    assert ledger.get_setting(session, "yearly_cap") == 1234
    set_setting(session, "yearly_cap", 999)
    assert ledger.get_setting(session, "yearly_cap") == 999  # a write through the session is seen at once


def test_a_department_s_entries_are_the_same_whichever_way_they_are_read(session, make_employee):
    """A big department walks the ledger, a small one looks its people up: the same rows either way."""
    for n in range(60):
        worker = make_employee(department="铸造车间" if n < 58 else "安环部")  # 58 of 60, and 2 of 60 (3 %)
        ledger.adjust(session, worker.id, n + 1, actor="test", memo="x")
    session.commit()
    for name, big in (("铸造车间", True), ("安环部", False)):
        department = people.get_or_create_department(session, name)
        assert ledger.is_big_department(session, department.id) is big
        found = ledger.parse_filter({"department": str(department.id)})
        ways = [
            session.execute(found.query(big_department=flag).order_by(ledger.LedgerEntry.seq.desc())).all()
            for flag in (True, False)
        ]
        assert ways[0] == ways[1] and len(ways[0]) == (58 if big else 2)


def _rewrite_chain(session) -> None:
    """What an administrator of the database alone can do after editing rows: recompute every hash in order,
    every running balance and cached balance, and the head (not its seal: its key is not in the database)."""
    rows = session.execute(text("SELECT * FROM ledger_entry ORDER BY seq")).mappings().all()
    prev, running = ledger.GENESIS_HASH, {}
    for n, row in enumerate(rows, start=1):
        after = running.get(row["employee_id"], 0) + row["amount"]
        running[row["employee_id"]] = after
        created = row["created_at"]
        created = created if isinstance(created, dt.datetime) else dt.datetime.fromisoformat(created)
        digest = ledger.entry_hash(
            n, row["employee_id"], row["year"], row["kind"], row["amount"], after, row["ref_type"], row["ref_id"],
            row["actor"], row["memo"], ledger.stamp(created), prev,
        )  # fmt: skip
        session.execute(
            text("UPDATE ledger_entry SET seq = :n, balance_after = :a, prev_hash = :p, hash = :h WHERE id = :id"),
            {"n": -n, "a": after, "p": prev, "h": digest, "id": row["id"]},
        )
        prev = digest
    session.execute(text("UPDATE ledger_entry SET seq = -seq"))
    for employee_id, balance in running.items():
        session.execute(text("UPDATE employee SET balance = :b WHERE id = :id"), {"b": balance, "id": employee_id})
    session.execute(text("UPDATE ledger_head SET seq = :n, last_hash = :h"), {"n": len(rows), "h": prev})
    ledger.rebuild_tally(session)  # and the day tally of the figures to match
    session.commit()


@pytest.mark.parametrize(
    "edit",
    [
        "INSERT INTO ledger_entry (seq, employee_id, year, kind, amount, balance_after, actor, memo, created_at,"
        " prev_hash, hash) SELECT 100, employee_id, year, 'award', 500, 0, 'staff:forger', '', created_at, '', ''"
        " FROM ledger_entry WHERE seq = 1",  # a forged award
        "DELETE FROM ledger_entry WHERE kind = 'deduction'",  # an old deduction deleted
    ],
    ids=["forged award", "deleted deduction"],
)
def test_a_chain_recomputed_in_the_database_is_caught_by_the_seal(session, make_employee, edit):
    workers = _some_history(session, make_employee)
    ledger.deduct(session, workers[2].id, 3, actor="staff:officer", memo="违章作业")
    session.commit()
    assert session.execute(text(edit)).rowcount == 1
    session.commit()
    _rewrite_chain(session)
    assert ledger.verify_ledger(session, require_seal=False).ok  # every hash and balance fits again ...
    report = ledger.verify_ledger(session)
    assert not report.ok and "not sealed with this server's ledger key" in report.problem  # ... but not the seal
    assert "entry #" in report.problem and "hash" in report.problem  # it says which head it found


def test_the_last_entry_removed_with_the_old_head_put_back_is_caught_by_a_checkpoint(session, make_employee):
    """Removing the newest entry and restoring the head and seal as they were before it (a copy kept from
    then) fits the chain and the seal: the checkpoint printed on the board sheet, or beside a backup, does not."""
    workers = _some_history(session, make_employee)
    earlier = session.execute(text("SELECT seq, last_hash, seal FROM ledger_head")).one()
    ledger.award(session, workers[0].id, 7, actor="staff:officer", memo="最后一笔")
    session.commit()
    mark = ledger.checkpoint(session)
    assert ledger.verify_ledger(session, checkpoints=[mark]).ok
    session.execute(text("DELETE FROM ledger_entry WHERE seq = :n"), {"n": earlier.seq + 1})
    session.execute(text("UPDATE employee SET balance = balance - 7 WHERE id = :id"), {"id": workers[0].id})
    session.execute(
        text("UPDATE ledger_head SET seq = :s, last_hash = :h, seal = :x"),
        {"s": earlier.seq, "h": earlier.last_hash, "x": earlier.seal},
    )
    ledger.rebuild_tally(session)
    session.commit()
    assert ledger.verify_ledger(session).ok  # without the checkpoint nothing is amiss
    report = ledger.verify_ledger(session, checkpoints=[mark])
    assert not report.ok and "removed from the end" in report.problem and mark in report.problem


def test_a_checkpoint_catches_an_entry_rewritten_before_it(session, make_employee):
    _some_history(session, make_employee)
    mark = ledger.checkpoint(session)
    session.execute(text("UPDATE ledger_entry SET memo = 'rewritten' WHERE seq = 2"))
    session.commit()
    _rewrite_chain(session)
    report = ledger.verify_ledger(session, checkpoints=[mark], require_seal=False)
    assert not report.ok and report.first_bad_seq == 6 and "rewritten at or before entry #6" in report.problem
    assert not ledger.verify_ledger(session, checkpoints=["LC-x"]).ok  # not a checkpoint: said so


def test_contractors_and_temporary_workers_have_the_cap_the_scheme_sets_them(session, make_employee):
    from models.settings import set_setting

    set_setting(session, "yearly_cap_contractor", 50)
    staff, contractor, temporary = (make_employee(kind=kind) for kind in ("staff", "contractor", "temporary"))
    session.commit()
    results = [ledger.award(session, e.id, 60, actor="system", memo="培训") for e in (staff, contractor, temporary)]
    assert [r.credited for r in results] == [60, 50, 60]  # the temporary workers' cap is the staff's (0)
    set_setting(session, "yearly_cap_temporary", 10)
    session.commit()
    later = make_employee(kind="temporary")
    assert ledger.award(session, later.id, 60, actor="system", memo="培训").credited == 10
