"""Uploaded photos: checked by content, upright, shrunk, and stripped of every piece of metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from models.errors import InvalidInput
from models.photos import clean_image, photos_of, store_photo
from tests.images import photo_bytes

MB = 1024 * 1024


def test_a_photo_is_turned_upright_shrunk_and_stripped():
    original = photo_bytes(orientation=6)  # a phone held upright: stored landscape, shown rotated
    assert b"SpyCam" in original
    cleaned, width, height = clean_image(original, max_bytes=8 * MB)
    assert (width, height) == (1200, 1600)  # rotated to portrait, long side 1600
    assert b"SpyCam" not in cleaned and b"Exif" not in cleaned
    image = Image.open(io.BytesIO(cleaned))
    assert image.format == "JPEG" and dict(image.getexif()) == {}
    rgb = image.convert("RGB")
    top, bottom = rgb.getpixel((10, 10)), rgb.getpixel((10, 1590))
    assert top[2] > 200 and bottom[0] > 200  # turned a quarter clockwise: the left (blue) half is now on top


def test_a_png_with_transparency_becomes_a_jpeg():
    cleaned, width, height = clean_image(photo_bytes(size=(800, 600), fmt="PNG", mode="RGBA"), max_bytes=8 * MB)
    assert (width, height) == (800, 600) and Image.open(io.BytesIO(cleaned)).mode == "RGB"


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a not really", b"<?php system($_GET['c']); ?>", b"%PDF-1.7\n...", b"\xff\xd8\xff\xe0broken jpeg"],
)
def test_what_is_not_a_photo_is_refused(data):
    with pytest.raises(InvalidInput):
        clean_image(data, max_bytes=8 * MB)


def test_a_photo_over_the_size_limit_is_refused():
    with pytest.raises(InvalidInput, match="1 MB"):
        clean_image(b"\xff" * (MB + 1), max_bytes=MB)


def test_photos_are_stored_outside_static_by_hash(session, tmp_path):
    photo = store_photo(
        session,
        tmp_path / "uploads",
        photo_bytes(size=(640, 480)),
        owner=("claim", 7),
        actor="staff:super",
        max_bytes=8 * MB,
    )
    assert (tmp_path / "uploads" / photo.filename).exists()
    assert photo.filename == f"{photo.sha256}.jpg" and (photo.width, photo.height) == (640, 480)
    assert photos_of(session, ("claim", 7)) == [photo] and photos_of(session, ("claim", 8)) == []


def test_nothing_of_the_original_metadata_survives():
    """EXIF and GPS went before; a JPEG comment, an ICC profile and PNG text chunks go too."""
    from PIL import ImageCms, PngImagePlugin

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(jpeg, "JPEG", comment=b"reporter: Li Si, E07001", icc_profile=profile)
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Li Si E07001")
    png = io.BytesIO()
    Image.new("RGB", (800, 600), "blue").save(png, "PNG", pnginfo=text)
    for upload in (jpeg.getvalue(), png.getvalue()):
        cleaned, _, _ = clean_image(upload, max_bytes=10 * 1024 * 1024)
        kept = Image.open(io.BytesIO(cleaned))
        assert set(kept.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}, kept.info
        assert b"Li Si" not in cleaned and b"E07001" not in cleaned and b"ICC_PROFILE" not in cleaned


def test_a_picture_with_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    """A 170 KB PNG of 7700 x 7700 pixels cost a worker 458 MB: its header is enough to refuse it."""
    bomb = io.BytesIO()
    Image.new("1", (7700, 7700)).save(bomb, "PNG", optimize=True)
    assert len(bomb.getvalue()) < 200_000
    decoded: list[str] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.format))
    with pytest.raises(InvalidInput):
        clean_image(bomb.getvalue(), max_bytes=10 * 1024 * 1024)
    assert decoded == []  # refused from the header
