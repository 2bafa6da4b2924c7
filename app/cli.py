"""The ``mart`` command: one entry to everything an operator does from a shell.

mart run                      migrate, load demo data if empty, serve on 127.0.0.1:5000, print and credit
mart db upgrade               bring the database schema up to date (and seed the rule catalogue)
mart demo                     build a believable demo plant (only into an empty database)
mart claims credit-due        credit claims whose public notice has ended (run on a timer)
mart points close-year 2026   expire or carry over the year's unspent points (by setting)
mart ledger verify            check the hash chain and every balance; exit 1 on the first misfit
mart ledger tally [--rebuild] check the day tally of the figures against the ledger, day by day (or sum it afresh)
mart staff add NAME --role R  create a staff account (asks for the password)
mart db copy --to URL         copy every row into another, empty database (SQLite to PostgreSQL)
mart backup PATH              a consistent copy while running (SQLite backup API, or pg_dump)
mart restore PATH             put a backup into an empty database
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, routes_command, shell_command, with_appcontext
from sqlalchemy import func, select
from werkzeug.serving import run_simple

from models import claims, clock, ledger, people, rules
from models.errors import DomainError

from .extensions import db


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, add_default_commands=False, set_debug_flag=False)
    cli.add_command(shell_command)
    cli.add_command(routes_command)
    cli.main(prog_name="mart")


def _create_app() -> Flask:
    from . import create_app

    return create_app(cli=True)


def _fail(message: object) -> NoReturn:
    click.secho(str(message), fg="red", err=True)
    sys.exit(1)


def register_commands(app: Flask) -> None:
    app.cli.add_command(run_command)
    app.cli.add_command(db_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(claims_group)
    app.cli.add_command(points_group)
    app.cli.add_command(ledger_group)
    app.cli.add_command(staff_group)
    app.cli.add_command(printer_group)
    app.cli.add_command(goods_group)
    app.cli.add_command(stock_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


# --------------------------------------------------------------------------- database


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group() -> None:
    pass


def upgrade_database() -> int:
    """Migrate to the newest schema and add any rule of the seed catalogue that is missing."""
    from .dbtools import refresh_statistics
    from .migrate import upgrade

    # Migrations run on a connection of their own: end this session's transaction first (on SQLite every
    # transaction holds the write lock, so an open one would make the migration wait).
    db.session.close()
    upgrade(db.engine)
    with db.unit():
        added = rules.seed_rules(db.session)
        ledger.seal_unsealed_head(db.session)  # a chain written before heads were sealed, once it verifies
    db.session.close()
    refresh_statistics(db.engine)
    return added


@db_group.command("upgrade", help="Migrate the database to the newest schema.")
def db_upgrade() -> None:
    added = upgrade_database()
    click.echo(f"Database is up to date ({_safe_url()}); {added} rules added to the catalogue.")


@db_group.command("revision", help="(Developers) write a migration for changed models.")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    from .migrate import revision

    revision(db.engine, message)


@db_group.command("copy", help="Copy every row into another, empty database (e.g. SQLite to PostgreSQL).")
@click.option("--to", "target", required=True, help="The target, e.g. postgresql+psycopg://mart@127.0.0.1/mart")
def db_copy(target: str) -> None:
    from .dbtools import ToolError, copy_database

    db.session.close()
    try:
        copied = copy_database(db.engine, target)
    except ToolError as err:
        _fail(err)
    click.echo(f"Copied {copied.rows} rows of {copied.tables} tables; every table's count matches.")
    click.echo("Now set MART_DATABASE_URL to the new database and run `mart ledger verify` there.")


@click.command("backup", help="Back up the database to PATH while the product runs.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    from .dbtools import ToolError, backup, refresh_statistics

    db.session.close()
    try:
        backup(db.engine, path)
    except ToolError as err:
        _fail(err)
    refresh_statistics(db.engine)  # the nightly backup is the database's upkeep too
    # Where the chain stood, beside the backup (not in it): `mart ledger verify --checkpoint` later proves that
    # nothing up to that entry was rewritten, even by someone who can write to the database.
    with db.unit():
        mark = ledger.checkpoint(db.session)
    path.with_name(path.name + ".checkpoint").write_text(mark + "\n")
    click.echo(f"Backed up {_safe_url()} to {path} ({path.stat().st_size:,} bytes). Ledger checkpoint: {mark}")


@click.command("restore", help="Restore a backup from PATH into the (empty) database.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    from .dbtools import ToolError, restore

    db.session.close()
    try:
        restore(db.engine, path)
    except ToolError as err:
        _fail(err)
    click.echo(f"Restored {path} into {_safe_url()}. Check it: mart ledger verify")


def _safe_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _reachable(host: str) -> str:
    """The address to print for ``host``: for 0.0.0.0 (every interface), this machine's address on its network,
    which a phone can open (the route to a private address is asked for; nothing is sent)."""
    if host not in ("0.0.0.0", "::", ""):
        return host
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


# --------------------------------------------------------------------------- serving


@click.command("run", help="Migrate and serve the product (a clean start unless --demo is given).")
@with_appcontext
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on: 0.0.0.0 for a trial that phones on the plant's network can reach.",
)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load the demo plant (with its published sign-ins) into an empty database.")
@click.option(
    "--no-workers",
    is_flag=True,
    help="Do not print slips or credit claims in this process (production runs them as their own services).",
)
def run_command(host: str, port: int, demo: bool, no_workers: bool) -> None:
    upgrade_database()
    session = db.session
    staff = session.scalar(select(func.count()).select_from(people.StaffUser))
    if demo and not staff and not session.scalar(select(func.count()).select_from(people.Employee)):
        from .demo import build_demo

        click.echo("Empty database and --demo: loading the demo plant (about a minute) ...")
        with db.unit():
            summary = build_demo(session)
        click.echo(summary)
    elif demo:
        click.echo("--demo: the database is not empty, so no demo is loaded (the demo goes only into an empty one).")
    base = f"http://{_reachable(host)}:{port}"
    click.echo(
        "\n"
        f"  Safety Points Mart is running ({_safe_url()})\n"
        f"  Kiosk (counter):   {base}/kiosk/\n"
        f"  Back office:       {base}/admin/\n"
        f"  Notice board:      {base}/board\n"
    )
    if host in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"  Only this computer reaches it; for phones on the plant's network: mart run --host 0.0.0.0 --port {port}"
        )
    if not session.scalar(select(func.count()).select_from(people.StaffUser)):
        click.echo(
            "  No staff account yet. Create the first administrator, then sign in to the back office:\n"
            "    .venv/bin/mart staff add USERNAME --name 'Full name' --role admin\n"
            "  (To try the product with a believable plant instead: make run, or mart run --demo on an empty database.)"
        )
    from .demo import DEMO_STAFF

    if session.scalar(select(people.StaffUser.id).where(people.StaffUser.username == DEMO_STAFF[0][0])):
        click.echo("  Demo sign-ins (user / password / roles):")
        for username, _name, password, roles in DEMO_STAFF:
            click.echo(f"    {username:<10} {password:<14} {', '.join(roles)}")
        card = session.scalar(  # the card of someone with points to spend
            select(people.Card.code)
            .join(people.Employee)
            .where(
                people.Card.kind == people.CardKind.qr,
                people.Card.revoked_at.is_(None),
                people.Employee.active.is_(True),
            )
            .order_by(people.Employee.balance.desc())
        )
        if card:
            click.echo(f"  A demo card to type at the kiosk: {card}")
        from models import kiosks

        from .demo import DEMO_KIOSK

        kiosk = session.scalar(select(kiosks.Kiosk).where(kiosks.Kiosk.name == DEMO_KIOSK))
        if kiosk is not None:
            with db.unit():
                code = kiosks.new_pairing_code(session, kiosk)
            click.echo(f"  Pairing code for the kiosk page (a browser pairs once): {code}")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    background = None
    if not no_workers:
        from .background import Background

        background = Background(app).start()
        receipts = Path(app.instance_path) / "receipts"
        click.echo(f"  Printing slips and crediting claims in this process (slips from the file printer: {receipts}).")
    click.echo("")
    session.close()
    # Flask's app.run() refuses to run inside its own CLI; serve with Werkzeug directly. Production uses
    # gunicorn (deploy/).
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        if background is not None:
            background.stop()


@click.group(
    "demo",
    cls=AppGroup,
    invoke_without_command=True,
    help="Build a believable demo plant into an empty database (mart demo), or wipe it (mart demo wipe).",
)
@click.pass_context
@with_appcontext
def demo_group(context: click.Context) -> None:
    if context.invoked_subcommand is not None:
        return
    from .demo import build_demo

    upgrade_database()
    if db.session.scalar(select(func.count()).select_from(people.Employee)):
        _fail("The database already has employees; the demo only loads into an empty one.")
    with db.unit():
        summary = build_demo(db.session)
    click.echo(summary)


@demo_group.command("wipe", help="Delete the demo plant, all of it, for a clean start. Refuses if anything is real.")
@click.option("--yes", is_flag=True, help="Do not ask.")
def demo_wipe(yes: bool) -> None:
    from .demo import real_entries, wipe

    upgrade_database()
    found = real_entries(db.session)
    db.session.rollback()
    if found:
        _fail(
            "Not wiped: this database holds what the demo did not make ("
            + "; ".join(found)
            + "). Only a demo plant is wiped; back up and start a new database instead."
        )
    if not yes:
        click.confirm("Delete the demo plant: every employee, account, claim, entry and slip?", abort=True)
    with db.unit():
        wipe(db.session)
    upgrade_database()  # the rule catalogue back, as on a clean start
    click.echo("The demo plant is wiped. Create the first administrator: mart staff add USERNAME --role admin")


# --------------------------------------------------------------------------- points


@click.group("claims", cls=AppGroup, help="The claim workflow.")
def claims_group() -> None:
    pass


@claims_group.command("credit-due", help="Credit claims whose public notice has ended. Safe to run often.")
def claims_credit_due() -> None:
    with db.unit():
        outcomes = claims.credit_due(db.session)
    for outcome in outcomes:
        note = f"  {outcome.note}" if outcome.note else ""
        click.echo(f"claim {outcome.claim_id}: {outcome.status.value} {outcome.points:+d}{note}")
    click.echo(f"{len(outcomes)} claims processed.")


@click.group("points", cls=AppGroup, help="Year-end handling of points.")
def points_group() -> None:
    pass


@points_group.command(
    "close-year", help="Expire or carry over the unspent points of YEAR (by setting); 'last': the plant's last year."
)
@click.argument("year")
def points_close_year(year: str) -> None:
    if year == "last":  # the timer's way: the year that just ended in the plant's time zone, not the server's
        year = str(clock.today().year - 1)
    if not year.isdigit() or len(year) != 4:
        _fail(f"'{year}' is not a year: give four digits, e.g. 2026.")
    try:
        with db.unit():
            result = ledger.close_year(db.session, int(year), actor="cli:close-year")
    except DomainError as err:
        _fail(err.message)
        return
    if result.already_closed:
        click.echo(f"{result.year} was already closed ({result.mode}); nothing changed.")
    elif result.mode == "carry":
        above = (
            f"; {result.points} points of {result.people} people above the carry limit expired" if result.points else ""
        )
        click.echo(f"{result.year} closed: balances carry over to the next year{above}.")
    else:
        click.echo(f"{result.year} closed: {result.points} unspent points of {result.people} people expired.")


@click.group("ledger", cls=AppGroup, help="The points ledger.")
def ledger_group() -> None:
    pass


@ledger_group.command("verify", help="Check the hash chain and every balance. Exit 1 on the first misfit.")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    metavar="LC-N-HASH",
    help="A checkpoint from a board sheet or a backup: the ledger must still hold that entry with that hash.",
)
def ledger_verify(checkpoints: tuple[str, ...]) -> None:
    started = time.perf_counter()
    with db.unit():  # read only: the transaction ends at once
        report = ledger.verify_ledger(db.session, checkpoints=checkpoints)
    seconds = time.perf_counter() - started
    if not report.ok:
        where = f" (first bad entry: #{report.first_bad_seq})" if report.first_bad_seq else ""
        _fail(f"LEDGER BROKEN{where}: {report.problem}")
    rate = report.entries / seconds if seconds else 0
    click.echo(
        f"Ledger intact: {report.entries} entries, {report.employees} balances checked "
        f"in {seconds:.2f} s ({rate:,.0f} entries/s), the head's seal"
        + (f" and {len(checkpoints)} checkpoint(s)" if checkpoints else "")
        + f".\nHead hash: {report.head_hash}\nCheckpoint now: LC-{report.entries}-{report.head_hash[:20]}"
    )


@ledger_group.command(
    "tally",
    help="Check the day tally behind the statistics against the ledger, day by day. Exit 1 on a misfit.",
)
@click.option("--rebuild", is_flag=True, help="Sum the whole ledger into the tally afresh instead.")
def ledger_tally(rebuild: bool) -> None:
    started = time.perf_counter()
    if rebuild:
        with db.unit():
            rows = ledger.rebuild_tally(db.session)
        click.echo(f"Day tally summed afresh from the ledger: {rows} rows in {time.perf_counter() - started:.2f} s.")
        return
    with db.unit():
        misfits = ledger.tally_misfits(db.session)
    if misfits:
        _fail("DAY TALLY DOES NOT FIT THE LEDGER:\n  " + "\n  ".join(misfits) + "\nmart ledger tally --rebuild")
    click.echo(f"Day tally fits the ledger, day by day ({time.perf_counter() - started:.2f} s).")


# --------------------------------------------------------------------------- printing


@click.group("printer", cls=AppGroup, help="The receipt printer and its queue.")
def printer_group() -> None:
    pass


@printer_group.command("work", help="Print queued slips as they come (run as its own service).")
@click.option("--once", is_flag=True, help="Print what is due now, then stop.")
def printer_work(once: bool) -> None:
    from printer.worker import Worker

    worker = Worker(db.maker, current_app.config["STORE_NAME"], Path(current_app.instance_path))
    handled = worker.work(once=once)
    click.echo(f"{handled} print jobs handled.")


@printer_group.command("test", help="Print a test slip on the configured printer and show its status.")
def printer_test() -> None:
    from models import clock, printing
    from models.settings import get_setting
    from printer import receipt
    from printer.backends import PrinterError, backend_for

    uri = get_setting(db.session, "printer_uri")
    columns = printing.setting_columns(db.session)
    slip = receipt.Slip(
        current_app.config["STORE_NAME"],
        "打印测试",
        clock.now(),
        "测试员工",
        "TEST",
        (receipt.SlipLine("测试商品，¥1。", 1, 5),),
        5,
        0,
        "DH-TEST-000000",
        footer="打印测试页",
    )
    try:
        backend = backend_for(uri, Path(current_app.instance_path))
        backend.send(
            "test-slip",
            receipt.escpos_bytes(slip, columns, encoding=get_setting(db.session, "printer_encoding")),
            receipt.preview_png(slip, columns),
        )
    except PrinterError as err:
        _fail(f"Printer {uri}: {err}")
    click.echo(f"Test slip sent to {uri} ({columns} columns); printer status: {backend.status()}.")


# --------------------------------------------------------------------------- goods


@click.group("goods", cls=AppGroup, help="Goods in the store.")
def goods_group() -> None:
    pass


@goods_group.command("picture", help="Give goods GOODS_ID the picture in FILE (JPEG, PNG or WebP).")
@click.argument("goods_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def goods_picture(goods_id: int, file: Path) -> None:
    from models import store

    goods = db.session.get(store.Goods, goods_id)
    if goods is None:
        _fail(f"No goods with id {goods_id}.")
    try:
        with db.unit():
            store.set_goods_picture(
                db.session, goods, Path(current_app.config["UPLOAD_FOLDER"]) / "goods", file.read_bytes()
            )
    except DomainError as err:
        _fail(err.message)
    click.echo(f"{goods.name}: picture set.")


@click.group("stock", cls=AppGroup, help="The store's stock.")
def stock_group() -> None:
    pass


@stock_group.command("verify", help="Check that every item's stock is the sum of its movements. Exit 1 if not.")
def stock_verify() -> None:
    from models import store

    with db.unit():  # read only
        misfits = store.verify_stock(db.session)
    for misfit in misfits:
        click.echo(f"goods {misfit.goods_id} {misfit.name}: stock {misfit.stock}, movements add up to {misfit.moved}")
    if misfits:
        _fail(f"STOCK BROKEN: {len(misfits)} goods do not match their movements.")
    click.echo("Stock intact: every item's stock is the sum of its movements.")


# --------------------------------------------------------------------------- staff


@click.group("staff", cls=AppGroup, help="Staff accounts of the back office.")
def staff_group() -> None:
    pass


@staff_group.command("add", help="Create a staff account.")
@click.argument("username")
@click.option("--name", default="")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in people.Role]))
@click.password_option()
def staff_add(username: str, name: str, roles: tuple[str, ...], password: str) -> None:
    try:
        with db.unit():
            people.create_staff(db.session, username=username, name=name, password=password, roles=list(roles))
    except DomainError as err:
        _fail(err.message)
    click.echo(f"Staff account {username} created ({', '.join(roles)}).")
