"""The production layer: the start-up guard, cookies, security headers, request ids and logs, health checks."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from app import create_app
from models import places, printing, store
from models.clock import utcnow


def test_the_server_refuses_to_start_without_a_secret_key_or_with_debug_on(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("MART_SECRET_KEY", raising=False)
    monkeypatch.setenv("MART_INSTANCE_PATH", str(tmp_path))
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(base)
    with pytest.raises(RuntimeError, match="Debug mode is on outside development"):
        create_app({**base, "SECRET_KEY": "k" * 32, "DEBUG": True})
    with pytest.raises(RuntimeError, match="SECRET_KEY is too short"):
        create_app({**base, "SECRET_KEY": "changeme"})
    production = create_app({**base, "SECRET_KEY": "k" * 32})
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["SESSION_COOKIE_HTTPONLY"]
    plain_lan = create_app({**base, "SECRET_KEY": "k" * 32, "SESSION_COOKIE_SECURE": False})
    assert plain_lan.config["SESSION_COOKIE_SECURE"] is False  # an explicit choice for a closed LAN is kept
    assert create_app({**base}, cli=True).config["SESSION_COOKIE_SECURE"] is False  # mart run, the embedded set-up
    monkeypatch.setattr("sys.argv", ["/srv/mart/.venv/bin/gunicorn", "app:create_app()"])
    for development in ({"DEV": True}, {"DEBUG": True}, {"TESTING": True}):
        with pytest.raises(RuntimeError, match="never under gunicorn"):
            create_app({**base, "SECRET_KEY": "k" * 32, **development})


def test_production_cookies_are_secure_and_http_only(tmp_path, monkeypatch):
    from app.extensions import db
    from models import Base, kiosks

    monkeypatch.setenv("MART_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "k" * 32})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        _kiosk, code = kiosks.create_kiosk(db.session, "一号终端")
        db.session.commit()
    paired = app.test_client().post("/kiosk/pair", data={"code": code}, base_url="https://mart.plant.local")
    cookies = paired.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies), cookies
    with app.app_context():
        db.engine.dispose()


def test_every_page_gets_security_headers_and_html_a_content_policy(client, session, login):
    page = client.get("/kiosk/pair")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in page.text and " style=" not in page.text and "hx-on" not in page.text
    place = places.save_place(session, None, name="仓库", risk="blue")
    session.commit()
    login("officer", "safety_officer")
    pdf = client.get(f"/admin/places/posters.pdf?ids={place.id}")
    assert pdf.mimetype == "application/pdf" and "Content-Security-Policy" not in pdf.headers  # the PDF viewer
    # Pages, PDFs and exports with people's data are never kept by a browser or a proxy.
    for path in ("/admin/", f"/admin/places/posters.pdf?ids={place.id}", "/admin/ledger.xlsx", "/kiosk/pair"):
        with client.get(path) as kept:
            assert kept.status_code == 200 and kept.headers["Cache-Control"] == "no-store", path
    assert client.get("/healthz", base_url="https://mart.plant.local").headers["Strict-Transport-Security"]


def test_one_log_line_a_request_with_its_id_and_no_token(app, session, caplog):
    caplog.set_level(logging.INFO, logger="mart.request")
    place = places.save_place(session, None, name="仓库", risk="blue")
    session.commit()
    client = app.test_client()
    given = client.get(f"/r/{place.token}", headers={"X-Request-ID": "abcdef0123456789"})
    assert given.headers["X-Request-ID"] == "abcdef0123456789"
    made = client.get("/livez", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["X-Request-ID"] != "bad id with spaces" and len(made.headers["X-Request-ID"]) == 16
    lines = [r.getMessage() for r in caplog.records if r.name == "mart.request"]
    assert lines[0] == lines[0].strip() and lines[0].startswith("abcdef0123456789 GET /r/<token> 200 ")
    assert place.token not in caplog.text
    assert len(lines) == 2


def test_health_asks_the_database_and_the_print_queue(app, client, session, make_employee, make_goods):
    assert client.get("/livez").text == "ok"
    assert client.get("/healthz").status_code == 200
    worker, soap = make_employee(balance=100), make_goods("洗衣液", 2)
    redemption = store.redeem(session, worker, {soap.id: 1}, kiosk="一号终端", request_key="h" * 20).redemption
    job = printing.enqueue(session, redemption, printer_uri="dummy://", columns=32, encoding="gb18030", actor="t")
    session.commit()
    assert client.get("/healthz").status_code == 200  # queued a moment ago: the worker will take it
    job.next_attempt_at = utcnow() - dt.timedelta(minutes=30)
    session.commit()
    stuck = client.get("/healthz")
    assert stuck.status_code == 503 and "print queue stuck" in stuck.text


def test_behind_nginx_the_forwarded_scheme_and_client_are_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("MART_INSTANCE_PATH", str(tmp_path))
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}", "SECRET_KEY": "k" * 32, "TESTING": True}
    proxied = create_app({**config, "PROXIES": 1})
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "mart.plant.local", "X-Forwarded-For": "10.0.0.7"}
    answer = proxied.test_client().get("/livez", headers=forwarded)
    assert "Strict-Transport-Security" in answer.headers  # the app knows the browser used HTTPS
    direct = create_app(config).test_client().get("/livez", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers  # without a proxy those headers are not trusted


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example"])
def test_signing_in_never_goes_on_to_another_site(client, make_staff, target):
    make_staff("keeper", "storekeeper")
    response = client.post(
        "/login", query_string={"next": target}, data={"username": "keeper", "password": "password-123"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"


def test_a_clean_start_s_sign_in_page_says_how_the_first_account_is_made(client, session, make_staff):
    first = client.get("/login")
    assert "mart staff add USERNAME" in first.text and "还没有后台账号" in first.text
    make_staff("chief", "admin")
    later = client.get("/login")
    assert later.status_code == 200 and "mart staff add" not in later.text
