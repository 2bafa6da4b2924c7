"""Pictures for upload tests, made in memory: a camera's JPEG with EXIF (and GPS), a PNG, a GIF."""

from __future__ import annotations

import io

from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart


def post_multipart(client, url: str, fields: dict, files: list[tuple[str, str, bytes]] = ()):
    """Post a form with files as a browser does (multipart, built in memory: no temporary file left open).
    ``files`` are (field, file name, content)."""
    data = MultiDict(fields)
    for field, name, content in files:
        data.add(field, FileStorage(io.BytesIO(content), filename=name))
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(
        url, input_stream=stream, content_length=length, content_type=f"multipart/form-data; boundary={boundary}"
    )


def photo_bytes(
    size=(4000, 3000), fmt="JPEG", orientation: int | None = None, mode="RGB", gps: bool = False, quality: int = 75
) -> bytes:
    image = Image.new(mode, size, "red" if mode == "RGB" else None)
    image.paste((0, 0, 255) if mode == "RGB" else (0, 0, 255, 255), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Make"  # camera make
    exif[0x0132] = "2026:11:23 08:00:00"  # date and time
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 9.25)}  # where the phone was
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, fmt, exif=exif, quality=quality)
    else:
        image.save(out, fmt, exif=exif)
    return out.getvalue()
