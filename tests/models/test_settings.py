"""Settings: read once a transaction, shared for a few seconds within a process, written at once."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from models import settings
from models.settings import get_setting, set_setting


def test_a_setting_written_here_is_read_by_the_next_transaction(app, session):
    with app.app_context():
        assert get_setting(db.session, "notice_days") == 3
    set_setting(session, "notice_days", 5)
    session.commit()
    with app.app_context():
        assert get_setting(db.session, "notice_days") == 5


def test_another_process_s_change_is_seen_once_the_shared_copy_is_old(app, session, monkeypatch):
    with app.app_context():
        assert get_setting(db.session, "kiosk_idle_seconds") == 45
    # Another server process writes the setting: this process's copy is not told.
    session.execute(text("INSERT INTO setting (key, value) VALUES ('kiosk_idle_seconds', '60')"))
    session.commit()
    with app.app_context():
        assert get_setting(db.session, "kiosk_idle_seconds") == 45  # the shared copy, a moment old
    monkeypatch.setattr(settings, "SHARED_SECONDS", 0.0)
    with app.app_context():
        assert get_setting(db.session, "kiosk_idle_seconds") == 60


def test_a_transaction_sees_one_copy_of_the_settings(app):
    with app.app_context():
        first = settings.all_settings(db.session)
        first["notice_days"] = 99  # a caller cannot change what the next transaction reads
        assert settings.all_settings(db.session) is first
        db.session.rollback()
        assert get_setting(db.session, "notice_days") == 3
