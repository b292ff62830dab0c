#!/usr/bin/env python3
"""Proves the extracted Debian packages work (run by .ci/check-packages).

server ROOT DATA: starts ROOT/usr/bin/rill-server with the package's own config file as
    systemd would (NOTIFY_SOCKET, its own data directory, the embedded Redis: a real
    redis-server), waits for READY=1, signs up and logs in over the WebSocket protocol, then
    stops it with SIGTERM and expects STOPPING=1 and exit code 0.
app ROOT HOME: starts ROOT/usr/bin/rill offscreen through its --test-hook, waits until its
    window rendered a frame (a screenshot), checks the connect screen offers to start a
    server, and again without a redis-server, that it says what is missing instead.

Standard library only: the WebSocket client is tests/support/rillws.py.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests/support"))
from rillws import WebSocket  # noqa: E402


def fail(why):
    print("package-smoke: FAIL: " + why, file=sys.stderr)
    sys.exit(1)


def smoke_server(root, data):
    server = os.path.join(root, "usr/bin/rill-server")
    config = os.path.join(root, "etc/rill/rill-server.conf")
    notify_path = os.path.join(data, "notify")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(90)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    for name in ("JOURNAL_STREAM", "RILL_CONFIG", "RILL_REDIS_URL"):
        env.pop(name, None)
    # The unit runs it with --config and StateDirectory=; the port is free-picked here.
    daemon = subprocess.Popen([server, "--config", config, "--data-dir", os.path.join(data, "state"),
                               "--listen", "127.0.0.1", "--port", "0"], env=env)
    try:
        message = notify.recv(4096).decode()
        match = re.fullmatch(r"READY=1\nSTATUS=Serving on port (\d+)", message)
        if not match:
            fail("expected READY=1 with the port, got " + repr(message))
        port = int(match.group(1))
        print(f"package-smoke: rill-server ready on port {port}")

        try:
            ws = WebSocket("127.0.0.1", port)
        except ConnectionError as e:
            fail(str(e))
        hello = ws.call("hello", version=1)
        if not hello.get("ok"):
            fail("hello: " + json.dumps(hello))
        registered = ws.call("register", user="packager", password="correct horse battery")
        if not registered.get("ok"):
            fail("register: " + json.dumps(registered))
        again = WebSocket("127.0.0.1", port)
        logged_in = again.call("login", token=registered["token"])
        if not logged_in.get("ok") or logged_in.get("user") != "packager":
            fail("login with the token: " + json.dumps(logged_in))
        print(f"package-smoke: signed up and logged in as packager on instance {hello.get('instance')}")

        daemon.send_signal(signal.SIGTERM)
        message = notify.recv(4096).decode()
        if not message.startswith("STOPPING=1"):
            fail("expected STOPPING=1, got " + repr(message))
        code = daemon.wait(60)
        if code != 0:
            fail(f"rill-server exited with {code} after SIGTERM")
        if not os.path.isdir(os.path.join(data, "state/redis/appendonlydir")):
            fail("the embedded Redis left no append-only file under the data directory")
        print("package-smoke: rill-server stopped cleanly, its Redis data on disk")
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()


def run_app(root, home, extra_env, commands):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=home,
               XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_DATA_HOME=os.path.join(home, "data"),
               XDG_CACHE_HOME=os.path.join(home, "cache"), **extra_env)
    if "RILL_REDIS_SERVER" not in extra_env:
        env.pop("RILL_REDIS_SERVER", None)
    app = subprocess.run([os.path.join(root, "usr/bin/rill"), "--test-hook"],
                         input="\n".join(commands + ["quit"]) + "\n", capture_output=True, text=True,
                         env=env, timeout=120)
    if app.returncode != 0:
        fail(f"rill exited with {app.returncode}: {app.stderr}")
    return app.stdout.splitlines()


def smoke_app(root, home):
    shot = os.path.join(home, "first-frame.png")
    lines = run_app(root, home, {}, ["settle", "screenshot " + shot, "get startServerButton visible"])
    for expected in ("ok screenshot", "value startServerButton visible true", "ok quit"):
        if expected not in lines:
            fail(f"rill: no '{expected}' in {lines}")
    if os.path.getsize(shot) == 0:
        fail("rill: empty screenshot")
    print("package-smoke: rill rendered its connect screen offscreen")

    lines = run_app(root, home, {"RILL_REDIS_SERVER": "/nonexistent/redis-server"},
                    ["settle", "get serverUnavailable visible", "get startServerButton visible"])
    for expected in ("value serverUnavailable visible true", "value startServerButton visible false"):
        if expected not in lines:
            fail(f"rill without Redis: no '{expected}' in {lines}")
    print("package-smoke: without a redis-server, rill says so instead of offering to start one")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("server", "app"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    (smoke_server if sys.argv[1] == "server" else smoke_app)(sys.argv[2], sys.argv[3])
