"""The phone pages behind the QR posters: report by name or anonymously, follow the report, bad input."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from models import hazards, people, places
from models.photos import Photo
from tests.images import photo_bytes, post_multipart


@pytest.fixture
def press(session):
    shop = places.save_place(session, None, name="冲压车间", risk="orange")
    machine = places.save_place(session, None, name="3号冲床", risk="red", parent_id=shop.id, checklist="防护罩缺失")
    session.commit()
    return machine


@pytest.fixture
def worker(session, make_employee):
    employee = make_employee(name="李四", number="E07001")
    people.set_pin(session, employee, "2468")
    session.commit()
    return employee


def count(session, table) -> int:
    return session.scalar(select(func.count()).select_from(table))


def send(client, place, **form):
    """Post the report form as a phone does (multipart, built in memory: no temporary file left open)."""
    photos = [("photos", name, content) for name, content in form.pop("photos", [])]
    fields = {"category": "state", "description": "防护罩缺失", **form}
    return post_multipart(client, f"/r/{place.token}", fields, photos)


def test_a_named_report_with_a_photo_is_remembered_and_followed(app, client, session, press, worker):
    page = client.get(f"/r/{press.token}")
    assert page.status_code == 200 and "3号冲床" in page.text and "冲压车间 / 3号冲床" in page.text
    assert "vendor/htmx" not in page.text  # light for a weak signal: no script library
    sent = send(client, press, number="E07001", pin="2468", photos=[("IMG_0001.JPG", photo_bytes(gps=True))])
    assert sent.status_code == 201 and "YH-" in sent.text
    follow = re.search(r'data-page-url="(/r/h/[^"]+)"', sent.text).group(1)
    hazard = session.scalars(select(hazards.Hazard)).one()
    assert hazard.reporter_id == worker.id and hazard.number in sent.text and "领取码" not in sent.text

    photo = session.scalars(select(Photo).where(Photo.owner_type == "hazard")).one()
    stored = (Path(app.config["UPLOAD_FOLDER"]) / photo.filename).read_bytes()
    assert b"GPS" not in stored and b"SpyCam" not in stored and not dict(Image.open(io.BytesIO(stored)).getexif())
    assert max(photo.width, photo.height) == 1600

    status = client.get(follow)
    assert status.status_code == 200 and hazard.number in status.text and "已受理" in status.text
    again = send(client, press, description="急停按钮失效")  # the phone remembers: no number, no PIN
    assert again.status_code == 201
    assert count(session, hazards.Hazard) == 2
    mine = client.get("/r/mine")
    assert mine.status_code == 200 and mine.text.count("YH-") == 2
    assert client.post("/r/sign-out").status_code == 200
    assert client.get("/r/mine").status_code == 400
    assert "E07001" not in client.get(f"/r/{press.token}").text
    session.refresh(press)
    assert press.scans == 2


def test_an_anonymous_report_gets_a_claim_code_once_and_keeps_only_its_hash(client, session, press, worker):
    sent = send(client, press, anonymous="1", number="E07001", pin="2468")  # anonymity wins over the number
    assert sent.status_code == 201 and "mart_reporter" not in sent.headers.get("Set-Cookie", "")
    code = re.search(r'class="code">([A-Z0-9-]{14})<', sent.text).group(1)
    assert "<svg" in sent.text  # its QR, for the kiosk's scanner
    hazard = session.scalars(select(hazards.Hazard)).one()
    assert hazard.reporter_id is None and hazard.claim_code_hash == hazards._hash(hazards.normalise_code(code))
    row = " ".join(str(v) for v in session.execute(select(hazards.Hazard.__table__)).one())
    assert hazards.normalise_code(code) not in row and code not in row
    follow = re.search(r'data-page-url="(/r/h/[^"]+)"', sent.text).group(1)
    status = client.get(follow).text
    assert code not in status and hazard.number in status  # the code is shown once only


def test_me_too_instead_of_a_duplicate(client, session, press):
    first = send(client, press, anonymous="1")
    hazard = session.scalars(select(hazards.Hazard)).one()
    page = client.get(f"/r/{press.token}")
    assert first.status_code == 201 and hazard.number in page.text and "我也发现了" in page.text
    assert client.post(f"/r/{press.token}/same/{hazard.id}").status_code == 200
    session.refresh(hazard)
    assert hazard.me_too == 1 and count(session, hazards.Hazard) == 1
    other = places.save_place(session, None, name="仓库", risk="blue")
    session.commit()
    assert client.post(f"/r/{other.token}/same/{hazard.id}").status_code == 400


def test_bad_input_gets_a_message_and_changes_nothing(client, session, press, worker):
    assert client.get("/r/no-such-token").status_code == 404
    old = press.token
    places.replace_token(session, press)
    session.commit()
    gone = client.get(f"/r/{old}")
    assert gone.status_code == 410 and "已失效" in gone.text
    assert send(client, press, number="E07001", pin="2468").status_code == 201  # the new poster works
    before, photos = count(session, hazards.Hazard), count(session, Photo)
    client.post("/r/sign-out")

    no_kind = send(client, press, category="", description="地面油污", anonymous="1")
    assert no_kind.status_code == 400 and "请选择隐患类别" in no_kind.text and "地面油污" in no_kind.text
    empty = send(client, press, description="   ", anonymous="1")
    assert empty.status_code == 400 and "请描述隐患情况" in empty.text
    fake = send(client, press, anonymous="1", photos=[("photo.jpg", b"<?php system($_GET['c']); ?>")])
    assert fake.status_code == 400 and "照片" in fake.text
    nobody = send(client, press)
    assert nobody.status_code == 400 and "匿名" in nobody.text
    too_many = send(client, press, anonymous="1", photos=[(f"{n}.jpg", photo_bytes((64, 48))) for n in range(5)])
    assert too_many.status_code == 400
    assert send(client, press, number="E99999", pin="1234").status_code == 403
    assert count(session, hazards.Hazard) == before and count(session, Photo) == photos
    assert client.get("/r/h/not-a-follow-token").status_code == 404


def test_pin_guesses_are_limited(client, session, press, worker):
    for _ in range(4):
        assert send(client, press, number="E07001", pin="0000").status_code == 403
    locked = send(client, press, number="E07001", pin="0000")  # the fifth wrong try locks the PIN
    assert locked.status_code == 403
    assert send(client, press, number="E07001", pin="2468").status_code == 429  # even the right one, for a while
    assert count(session, hazards.Hazard) == 0


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("photo.png", photo_bytes((640, 480), fmt="PNG"), True),
        ("anim.gif", photo_bytes((320, 240), fmt="GIF"), True),
        ("shell.php", photo_bytes((640, 480)), True),  # a script name: the content counts
        ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00heicmif1" + b"\x00" * 64, False),
        ("cut.jpg", photo_bytes((640, 480))[:900], False),  # truncated
        ("notes.jpg", b"just some text, not a picture", False),
    ],
)
def test_photo_uploads_are_checked_by_content(client, session, press, name, content, accepted):
    response = send(client, press, anonymous="1", photos=[(name, content)])
    assert response.status_code == (201 if accepted else 400), response.text[:300]
    assert count(session, Photo) == (1 if accepted else 0)


def test_a_decompression_bomb_and_an_oversized_photo_are_refused(client, session, press):
    from models.settings import set_setting

    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # tiny file, 400 million pixels
    assert len(bomb.getvalue()) < 200_000
    assert send(client, press, anonymous="1", photos=[("bomb.png", bomb.getvalue())]).status_code == 400
    set_setting(session, "photo_max_mb", 1)
    session.commit()
    big = photo_bytes((3000, 3000), quality=100) + b"\x00" * (1024 * 1024)
    refused = send(client, press, anonymous="1", photos=[("big.jpg", big)])
    assert refused.status_code == 400 and "1 MB" in refused.text
    assert count(session, hazards.Hazard) == 0


def test_signing_out_on_a_phone_forgets_the_reporter_on_every_copy(client, press, worker):
    """The phone's cookie names a token kept on the server: signing out (on any phone) voids every copy."""
    assert send(client, press, number="E07001", pin="2468").status_code == 201
    kept = client.get_cookie("mart_reporter").value
    assert client.get("/r/mine").status_code == 200
    assert client.post("/r/sign-out").status_code == 200
    client.set_cookie("mart_reporter", kept)
    assert client.get("/r/mine").status_code == 400  # "this phone does not remember you"


@pytest.fixture
def others(session, make_employee):
    """Beside the worker (E07001, PIN 2468): E07002 without a PIN, E07003 who left (PIN 1111)."""
    from models import roster

    make_employee(name="无PIN", number="E07002")
    gone = make_employee(name="离职的", number="E07003")
    people.set_pin(session, gone, "1111")
    roster.leave(session, gone, actor="test")
    session.commit()


def test_a_phone_cannot_tell_numbers_that_exist_and_its_guesses_are_limited(client, worker, others):
    """An unknown number, a leaver, no PIN and a wrong PIN get one answer; one phone trying many numbers locks."""
    answers = {
        client.post("/r/sign-in", data={"number": number, "pin": pin}).text.count("工号或 PIN 不正确")
        for number, pin in (("E99999", "1234"), ("E07002", "1234"), ("E07003", "1111"), ("E07001", "0000"))
    }
    assert answers == {1}
    for n in range(30 - 4):
        assert client.post("/r/sign-in", data={"number": f"X{n:05}", "pin": "1234"}).status_code == 403
    locked = client.post("/r/sign-in", data={"number": "E07001", "pin": "2468"})  # even the right PIN, for a while
    assert locked.status_code == 429 and "PIN" in locked.text
    other_phone = client.application.test_client()
    other_phone.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other_phone.post("/r/sign-in", data={"number": "E07001", "pin": "2468"}).status_code == 303


def test_a_shared_phone_signs_in_whoever_types_their_number(client, session, make_employee, worker):
    other = make_employee(name="王五", number="E07009")
    people.set_pin(session, other, "9753")
    session.commit()
    assert client.post("/r/sign-in", data={"number": "E07001", "pin": "2468"}).status_code == 303
    assert "李四" in client.get("/r/tasks").text
    wrong = client.post("/r/sign-in", data={"number": "E07009", "pin": "0000"})
    assert wrong.status_code == 403  # typed credentials are checked, not the phone's remembered person
    assert client.post("/r/sign-in", data={"number": "E07009", "pin": "9753"}).status_code == 303
    assert "王五" in client.get("/r/tasks").text


def test_the_phones_lock_tells_nothing_and_leaves_the_counter_alone(client, session, worker, others):
    """Every number locks after the same wrong tries, whether anyone has it; the kiosk's PIN count is untouched."""
    from models import tries

    answers = {
        number: [client.post("/r/sign-in", data={"number": number, "pin": "0000"}).status_code for _ in range(7)]
        for number in ("E07001", "E07002", "E07003", "E09999")
    }
    assert len({tuple(codes) for codes in answers.values()}) == 1, answers
    assert answers["E07001"][-1] == 429
    assert tries.counted(session, people.PIN_TRIES, worker.id) == 0  # the counter's own count
    people.set_pin(session, session.get(people.Employee, worker.id), "2468")  # a new PIN lifts the lock
    session.commit()
    assert client.post("/r/sign-in", data={"number": "e07001", "pin": " 2468 "}).status_code == 303


def test_an_empty_sign_in_asks_for_the_number_and_pin(client):
    empty = client.post("/r/sign-in", data={"number": " ", "pin": ""})
    assert empty.status_code == 400 and "请填写工号和 PIN" in empty.text and "匿名" not in empty.text
