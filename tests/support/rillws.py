"""A Rill protocol client over a WebSocket (RFC 6455, text frames), standard library only.

For the scripts that check a running server without building anything: the package smoke test
(.ci/package-smoke.py) and the scale-out check (packaging/scale-out/scale-out.py).
"""
import base64
import json
import os
import socket
import struct


class WebSocket:
    """One connection. ConnectionError when the server refuses the upgrade or closes."""

    def __init__(self, host, port, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the server closed the connection during the handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError("no WebSocket upgrade: " + head.decode(errors="replace").splitlines()[0])
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 1
        self.events = []  # events that arrived while call() waited for its reply

    def close(self):
        self.sock.close()

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _write(self, opcode, payload):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        else:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, obj):
        self._write(0x1, json.dumps(obj).encode())

    def receive(self):
        """The next text frame, as JSON. Pings are answered on the way (the server drops a
        peer that misses two)."""
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
                raise ConnectionError("the server closed the WebSocket")
            if opcode == 0x9:
                self._write(0xA, payload)

    def call(self, op, **params):
        """Sends a request and returns its reply (ok or not); events meanwhile go to .events."""
        request_id = self.next_id
        self.next_id += 1
        self.send({"id": request_id, "op": op, **params})
        while True:
            frame = self.receive()
            if frame.get("re") == request_id:
                return frame
            if "ev" in frame:
                self.events.append(frame)
