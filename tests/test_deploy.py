"""deploy/: the files an operator installs, each tried for real where this machine can.

gunicorn runs with deploy/gunicorn.conf.py behind nginx with deploy/nginx/mart.conf (when nginx is
installed), the systemd units pass `systemd-analyze verify`, the kiosk launcher restarts a crashed
browser with the kiosk flags, the udev rule uses straight quotes. Loopback only, bounded waits.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(port, "/livez")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port} within {seconds} s")


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return (out or "") + (err or "")


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    values = {
        **os.environ,
        "MART_DATABASE_URL": f"sqlite:///{tmp_path / 'mart.db'}",
        "MART_SECRET_KEY": "deploy-test-" + "k" * 32,
        "MART_INSTANCE_PATH": str(tmp_path / "instance"),
        "MART_WORKERS": "1",
        "MART_PROXIES": "1",
        "MART_SESSION_COOKIE_SECURE": "false",
    }
    upgraded = subprocess.run([BIN / "mart", "db", "upgrade"], env=values, capture_output=True, text=True, timeout=60)
    assert upgraded.returncode == 0, upgraded.stderr
    return values


def test_gunicorn_behind_nginx_with_the_shipped_settings(env, tmp_path):
    app_port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", DEPLOY / "gunicorn.conf.py"],
        cwd=ROOT,
        env={**env, "MART_BIND": f"127.0.0.1:{app_port}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    nginx = None
    try:
        wait_for(app_port)
        status, headers, body = get(app_port, "/healthz", {"X-Request-ID": "0123456789abcdef"})
        assert status == 200 and body == b"ok" and headers["x-request-id"] == "0123456789abcdef"
        if shutil.which("nginx"):
            nginx_port = free_port()
            site = (DEPLOY / "nginx" / "mart.conf").read_text()
            site = site.replace("/opt/mart", str(ROOT)).replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
            site = site.replace("listen 80;", f"listen 127.0.0.1:{nginx_port};")
            (tmp_path / "site.conf").write_text(site)
            main = (
                f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/nginx-error.log;\ndaemon off;\n"
                f"events {{}}\nhttp {{\n  client_body_temp_path {tmp_path};\n  include {tmp_path}/site.conf;\n}}\n"
            )
            (tmp_path / "nginx.conf").write_text(main)
            checked = subprocess.run(["nginx", "-t", "-c", tmp_path / "nginx.conf"], capture_output=True, text=True)
            assert checked.returncode == 0, checked.stderr
            nginx = subprocess.Popen(["nginx", "-c", tmp_path / "nginx.conf"], stderr=subprocess.PIPE, text=True)
            wait_for(nginx_port)
            status, headers, _ = get(nginx_port, "/kiosk/pair")
            assert status == 200 and "script-src 'self'" in headers["content-security-policy"]
            assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])  # nginx's $request_id, passed through
            request_id = headers["x-request-id"]
            status, headers, css = get(nginx_port, "/static/mart.css")
            assert status == 200 and css.startswith(b"/*") and headers["cache-control"] == "public"  # nginx's own
            status, headers, _ = get(nginx_port, "/livez", {"X-Forwarded-Proto": "https"})
            assert "strict-transport-security" not in headers  # a client cannot claim HTTPS through nginx
        else:
            request_id = "0123456789abcdef"
            print("nginx is not installed: only gunicorn was tried (apt-get install nginx-light)")
    finally:
        if nginx is not None:
            stop(nginx)
        log = stop(server)
    assert server.returncode == 0, log
    assert re.search(rf"\[INFO\] {request_id} GET /(kiosk/pair|healthz) 200 [0-9.]+ms", log), log
    assert '"GET /' not in log  # no access log with raw paths


def test_the_systemd_units_pass_systemd_analyze(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/opt/mart", str(ROOT))  # where this checkout is, so every path exists
        assert "/opt/mart" not in text
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    assert {Path(u).name for u in units} >= {"mart-web.service", "mart-printer.service", "mart-credit-due.timer"}
    checked = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


def test_the_kiosk_launcher_restarts_chromium_with_the_kiosk_flags(tmp_path):
    launcher = DEPLOY / "kiosk" / "mart-kiosk.sh"
    assert subprocess.run(["sh", "-n", launcher]).returncode == 0
    calls = tmp_path / "calls"
    fake = tmp_path / "chromium"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexit 139\n')  # it "crashes" every time
    fake.chmod(0o755)
    profile = tmp_path / "config" / "mart-kiosk" / "Default"
    profile.mkdir(parents=True)
    (profile / "Preferences").write_text('{"profile":{"exited_cleanly":false,"exit_type":"Crashed"}}')
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "CHROMIUM": str(fake),
        "MART_KIOSK_URL": "http://mart.plant.local/kiosk/",
        "MART_KIOSK_RUNS": "2",
    }
    done = subprocess.run(["sh", launcher], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    lines = calls.read_text().splitlines()
    assert len(lines) == 2  # started again after the crash
    for flag in ("--kiosk http://mart.plant.local/kiosk/", "--disable-pinch", "--no-first-run", "--noerrdialogs"):
        assert flag in lines[1]
    prefs = (profile / "Preferences").read_text()
    assert '"exited_cleanly":true' in prefs and '"exit_type":"Normal"' in prefs  # no restore prompt
    policy = json.loads((DEPLOY / "kiosk" / "chromium-policy.json").read_text())
    assert policy["URLBlocklist"] == ["*"] and policy["URLAllowlist"]  # only the product's address
    desktop = (DEPLOY / "kiosk" / "mart-kiosk.desktop").read_text()
    assert "Exec=/opt/mart/deploy/kiosk/mart-kiosk.sh" in desktop


def test_the_udev_rule_gives_the_printer_to_the_lp_group_with_straight_quotes():
    rule = (DEPLOY / "udev" / "99-mart-printer.rules").read_text()
    assert not set("“”‘’") & set(rule)
    lines = [line for line in rule.splitlines() if line and not line.startswith("#")]
    assert len(lines) == 1
    pairs = dict(re.findall(r'(\w+(?:\{\w+\})?)=?="([^"]*)"', lines[0]))
    assert pairs["SUBSYSTEM"] == "usb" and pairs["GROUP"] == "lp" and pairs["MODE"] == "0660"
    assert re.fullmatch(r"[0-9a-f]{4}", pairs["ATTRS{idVendor}"]) and re.fullmatch(
        r"[0-9a-f]{4}", pairs["ATTRS{idProduct}"]
    )
