"""Photos people upload (claims now, hazard reports later): checked by content, never trusted by name.

An upload is opened with Pillow; anything that is not a JPEG, PNG or WebP picture (or another plain format
a phone or camera writes) is refused. It is turned upright by its EXIF orientation, shrunk to at most
1600 px on the long side, and re-encoded as a fresh JPEG from its pixels alone, which drops every piece of
metadata (EXIF, GPS, comments, ICC profiles, text chunks). Its pixel count is checked in its header first.
The file is kept under the instance folder, outside anything served as static, named by its
SHA-256, and served only through views that check who is asking.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import warnings
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import DateTime, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base
from .clock import utcnow
from .errors import InvalidInput
from .i18n import lazy_gettext as _l
from .settings import get_setting

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO", "GIF", "BMP"}
LONG_SIDE = 1600
# Refused by the size in its header, before a pixel is decoded. A JPEG decodes shrunk (1/2 to 1/8, draft mode)
# and may be large; other formats decode whole (three bytes a pixel and a copy or two), so they are held to
# what a phone's screenshot or camera PNG is. Memory per upload: tests/bench/uploads.py.
MAX_PIXELS = 80_000_000  # below Pillow's own bomb warning (89 MP), which is refused as well
MAX_PIXELS_UNSHRUNK = 16_000_000


class Photo(Base):
    __tablename__ = "photo"
    __table_args__ = (Index("ix_photo_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the photo belongs to: ("claim", 12), later ("hazard", 7) ...
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def filename(self) -> str:
        return f"{self.sha256}.jpg"


def clean_image(data: bytes, *, max_bytes: int, long_side: int = LONG_SIDE) -> tuple[bytes, int, int]:
    """The upload as a clean JPEG: (bytes, width, height). Raises InvalidInput for anything else."""
    if not data:
        raise InvalidInput(_l("The photo is empty."))
    if len(data) > max_bytes:
        raise InvalidInput(_l("A photo may be at most %(mb)s MB."), mb=max_bytes // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidInput(_l("This file is not a photo (JPEG, PNG or WebP)."))
            shrinks = image.format in ("JPEG", "MPO")
            if image.width * image.height > (MAX_PIXELS if shrinks else MAX_PIXELS_UNSHRUNK):
                raise InvalidInput(_l("This photo is too large."))
            if shrinks:
                # Let the JPEG decoder shrink by 1/2, 1/4 or 1/8 while decoding (never below the size kept):
                # a 12-megapixel phone photo then decodes in a fraction of the time.
                scale = min(1.0, long_side / max(image.width, image.height))
                image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidInput(_l("This file is not a photo (JPEG, PNG or WebP).")) from None
    upright: Image.Image = ImageOps.exif_transpose(image)
    upright.thumbnail((long_side, long_side))
    if upright.mode != "RGB":
        upright = upright.convert("RGB")
    # Pillow writes a JPEG comment (and an ICC profile, text chunks ...) it finds in ``info``: the picture goes
    # out with its pixels only, nothing of the original's metadata.
    upright.info = {}
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), upright.width, upright.height


def upload_limit(session: Session) -> int:
    """The largest photo upload in bytes (the photo_max_mb setting)."""
    return int(get_setting(session, "photo_max_mb")) * 1024 * 1024


def save_jpeg(folder: Path, jpeg: bytes) -> str:
    """Keep a cleaned JPEG under ``folder``, named by its SHA-256 (the same picture twice is one file)."""
    digest = hashlib.sha256(jpeg).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.jpg"
    if not path.exists():
        path.write_bytes(jpeg)
    return digest


def store_photo(
    session: Session, folder: Path, data: bytes, *, owner: tuple[str, int], actor: str, max_bytes: int
) -> Photo:
    jpeg, width, height = clean_image(data, max_bytes=max_bytes)
    digest = save_jpeg(folder, jpeg)
    photo = Photo(
        owner_type=owner[0],
        owner_id=owner[1],
        sha256=digest,
        width=width,
        height=height,
        size=len(jpeg),
        uploaded_by=actor,
    )
    session.add(photo)
    session.flush()
    return photo


def store_photos(
    session: Session, folder: Path | None, photos: Sequence[bytes], *, owner: tuple[str, int], actor: str
) -> list[Photo]:
    """Check, clean and keep each of ``photos`` for ``owner``, held to the upload limit setting."""
    if not photos:
        return []
    if folder is None:
        raise ValueError("a photo folder is needed to keep photos")
    limit = upload_limit(session)
    return [store_photo(session, folder, data, owner=owner, actor=actor, max_bytes=limit) for data in photos]


def photos_of(session: Session, owner: tuple[str, int]) -> list[Photo]:
    return list(
        session.scalars(
            select(Photo).where(Photo.owner_type == owner[0], Photo.owner_id == owner[1]).order_by(Photo.id)
        )
    )
