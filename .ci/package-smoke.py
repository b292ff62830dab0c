#!/usr/bin/env python3
"""Proves the extracted Debian packages work (run by .ci/check-packages).

server ROOT DATA: starts ROOT/usr/bin/rill-server with the package's own config file as
    systemd would (NOTIFY_SOCKET, its own data directory, the embedded Redis: a real
    redis-server), waits for READY=1, signs up and logs in over the WebSocket protocol, then
    stops it with SIGTERM and expects STOPPING=1 and exit code 0.
app ROOT HOME: starts ROOT/usr/bin/rill offscreen through its --test-hook, waits until its
    window rendered a frame (a screenshot), checks the connect screen offers to start a
    server, and again without a redis-server, that it says what is missing instead.

Standard library only: a WebSocket client is a few lines.
"""
import base64
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time


def fail(why):
    print("package-smoke: FAIL: " + why, file=sys.stderr)
    sys.exit(1)


class WebSocket:
    """RFC 6455, text frames only, enough for a few requests."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                fail("the server closed the connection during the handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            fail("no WebSocket upgrade: " + head.decode(errors="replace").splitlines()[0])
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 1

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                fail("the server closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, obj):
        payload = json.dumps(obj).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        else:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive(self):
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x8:
                fail("the server closed the WebSocket")
            # pings and pongs: nothing to do for a short exchange

    def call(self, op, **params):
        request_id = self.next_id
        self.next_id += 1
        self.send({"id": request_id, "op": op, **params})
        while True:
            frame = self.receive()
            if frame.get("re") == request_id:
                return frame


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

        ws = WebSocket("127.0.0.1", port)
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
