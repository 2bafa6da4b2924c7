"""Memory per photo upload: each picture is cleaned (models/photos.clean_image) in a fresh process, and the
process's peak resident memory above what the import alone took is printed.

    python -m tests.bench.uploads

A phone page takes up to four photos from anyone who scans a poster, one after the other: the peak of one
upload bounds a request. The 7700 x 7700 PNG (170 KB on the wire) cost a worker 458 MB before its pixel count
was checked in its header.
"""

from __future__ import annotations

import io
import subprocess
import sys

from PIL import Image

CASES = {
    "12 MP phone JPEG (4000x3000)": ("JPEG", (4000, 3000)),
    "48 MP JPEG (8000x6000)": ("JPEG", (8000, 6000)),
    "80 MP JPEG (10000x8000), the largest taken": ("JPEG", (10000, 8000)),
    "100 MP JPEG (10000x10000)": ("JPEG", (10000, 10000)),
    "16 MP PNG (4000x4000), the largest whole-decoded": ("PNG", (4000, 4000)),
    "59 MP PNG bomb (7700x7700, ~170 KB)": ("PNG", (7700, 7700)),
}

# The peak resident set of the child's own memory (VmHWM starts afresh at exec; getrusage's maxrss would carry
# the parent's peak over).
CHILD = """
import sys
from models.errors import InvalidInput
from models.photos import clean_image

def peak_kb():
    return int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])

data = sys.stdin.buffer.read()
base = peak_kb()
try:
    clean_image(data, max_bytes=64 * 1024 * 1024)
    verdict = "cleaned"
except InvalidInput:
    verdict = "refused"
print(verdict, (peak_kb() - base) // 1024)
"""


def picture(fmt: str, size: tuple[int, int]) -> bytes:
    mode = "1" if fmt == "PNG" and size[0] > 5000 else "RGB"  # the bomb: one bit a pixel compresses to nothing
    image = Image.new(mode, size, 0 if mode == "1" else (200, 30, 30))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 80} if fmt == "JPEG" else {"optimize": True}))
    return out.getvalue()


def main() -> None:
    print(f"{'upload':52} {'bytes':>11} {'result':>8} {'peak MB':>8}")
    for name, (fmt, size) in CASES.items():
        data = picture(fmt, size)
        run = subprocess.run([sys.executable, "-c", CHILD], input=data, capture_output=True, check=True)
        verdict, peak = run.stdout.decode().split()
        print(f"{name:52} {len(data):>11,} {verdict:>8} {int(peak):>8}")


if __name__ == "__main__":
    main()
