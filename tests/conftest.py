"""Fixtures shared by the suite: a fresh app per test on SQLite and, with TEST_DATABASE_URL, PostgreSQL.

``app``, ``client`` and ``runner`` as in Flask's tutorial; ``session`` is the app's database session
inside an app context; ``make_employee`` / ``make_staff`` are factories that return callables.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db, make_engine
from app.migrate import stamp
from models import Base, people, rules
from models.settings import forget_shared_settings

PG_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return (parsed.set(database=database) if database else parsed).render_as_string(hide_password=False)


def _build_schema(url: str) -> None:
    """The schema as the app's models have it (faster than migrating; tests/test_migrations.py checks that the
    two agree), stamped, with the seed catalogue of rules."""
    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
        stamp(engine)
        with Session(engine) as session:
            rules.seed_rules(session)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the schema built once a run; each test gets a copy of the file (a few ms instead of the
    0.2-0.4 s of building the schema)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _build_schema(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgresql_template() -> str:
    """On PostgreSQL the same: a template database built once a run, and each test's database made from it."""
    assert PG_URL is not None
    name = f"{make_url(PG_URL).database}_template"
    with psycopg.connect(_libpq(PG_URL, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _build_schema(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    return name


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    forget_shared_settings()  # what this process read of the last test's database is not this one's
    if request.param == "postgresql":
        assert PG_URL is not None
        template, name = request.getfixturevalue("postgresql_template"), f"{make_url(PG_URL).database}_case"
        # A plain connection, closed here and now: a pooled one could outlive the test and be collected in another.
        with psycopg.connect(_libpq(PG_URL, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    path = tmp_path / "test.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture(params=DATABASES)
def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database without any table (for the migrations to build), on each database."""
    forget_shared_settings()
    if request.param == "postgresql":
        assert PG_URL is not None
        name = f"{make_url(PG_URL).database}_case"
        with psycopg.connect(_libpq(PG_URL, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / 'blank.db'}"


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    return {
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        if not inspect(db.engine).has_table("alembic_version"):  # a blank database, not a template's copy
            db.engine.dispose()
            _build_schema(app.config["DATABASE_URL"])
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The test's own session, as a second user of the database beside the app's requests.

    It pushes no app context, so each request through ``client`` gets a fresh one (its own session, its own
    signed-in user), as in production. On SQLite its statements commit one by one: reading here never holds
    the write lock a request needs. Expire what you read before when a request may have changed it.
    """
    engine = app.extensions["mart.db"][0]
    session = Session(bind=engine.execution_options(sqlite_autocommit=True), expire_on_commit=False)
    yield session
    session.close()


_numbers = itertools.count(1)


@pytest.fixture
def make_employee(session: Session) -> Callable[..., people.Employee]:
    def make(
        name: str = "张三",
        department: str = "铸造车间",
        kind: str = "staff",
        number: str | None = None,
        balance: int = 0,
    ) -> people.Employee:
        from models import ledger

        dept = people.get_or_create_department(session, department)
        employee = people.create_employee(
            session, number=number or f"E{next(_numbers):05d}", name=name, department=dept, kind=kind
        )
        if balance:
            ledger.adjust(session, employee.id, balance, actor="test", memo="opening balance")
        session.commit()
        return employee

    return make


@pytest.fixture
def make_staff(session: Session) -> Callable[..., people.StaffUser]:
    def make(username: str, *roles: str, password: str = "password-123") -> people.StaffUser:
        user = people.create_staff(session, username=username, name=username, password=password, roles=list(roles))
        session.commit()
        return user

    return make


@pytest.fixture
def rule(session: Session) -> Callable[[str], rules.Rule]:
    from sqlalchemy import select

    def get(code: str) -> rules.Rule:
        return session.scalars(select(rules.Rule).where(rules.Rule.code == code)).one()

    return get


@pytest.fixture
def login(client: FlaskClient, make_staff: Callable[..., people.StaffUser]) -> Callable[..., people.StaffUser]:
    """Create a staff account with ``roles`` and sign the test client in as it."""

    def sign_in(username: str, *roles: str) -> people.StaffUser:
        user = make_staff(username, *roles)
        response = client.post("/login", data={"username": username, "password": "password-123"})
        assert response.status_code == 303, response.text
        return user

    return sign_in


@pytest.fixture
def make_claim(session: Session, rule: Callable[[str], rules.Rule]) -> Callable[..., object]:
    """File a claim the way an employee does on their phone (committed)."""
    from models import claims

    def make(
        employee: people.Employee, code: str = "T01", points: int = 10, description: str = "参加安全培训", **kw: object
    ) -> claims.Claim:
        options = {"source": claims.ClaimSource.employee, "actor": f"employee:{employee.number}", **kw}
        claim = claims.submit_claim(
            session, employee=employee, rule=rule(code), points=points, description=description, **options
        )
        session.commit()
        return claim

    return make


@pytest.fixture
def make_goods(session: Session) -> Callable[..., object]:
    """Goods in the store with ``stock`` on the shelf (committed)."""
    from models import store

    def make(
        name: str = "洗衣液", value_yuan: int = 20, stock: int = 10, category: str = "daily", price: int | None = None
    ) -> store.Goods:
        goods = store.save_goods(
            session, None, name=name, category=category, value_fen=value_yuan * 100, price_override=price
        )
        if stock:
            store.move_stock(session, goods.id, stock, reason="restock", actor="staff:store")
        session.commit()
        return goods

    return make
