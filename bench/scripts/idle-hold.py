#!/usr/bin/env python3
"""Holds N idle logged-in WebSocket connections to a rill-server on loopback, for issue 12's
"same load with 10,000 extra idle connections" and RSS-per-connection figures.

Connections log in by token, round-robin over the users of a rill-load token cache (so 10,000
connections need no new accounts: password hashing made 10,000 accounts a 14-minute job), answer
pings, and read whatever arrives. Prints one line when all are logged in (and the server's RSS
before and after, with --server-pid), then holds them for --hold seconds and exits.

    bench/scripts/idle-hold.py --url ws://127.0.0.1:7200/ --tokens /tmp/rl/tokens.json \
        --prefix idle- -n 10000 --hold 120 --server-pid PID
"""
import argparse
import asyncio
import base64
import json
import os
import resource
import struct
import sys
import time
from urllib.parse import urlparse


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def masked_text(payload: bytes) -> bytes:
    header = bytearray([0x81])
    n = len(payload)
    if n < 126:
        header.append(0x80 | n)
    elif n < 65536:
        header.append(0x80 | 126)
        header += struct.pack("!H", n)
    else:
        header.append(0x80 | 127)
        header += struct.pack("!Q", n)
    key = os.urandom(4)
    return bytes(header) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def masked_pong(payload: bytes) -> bytes:
    key = os.urandom(4)
    return bytes([0x8A, 0x80 | len(payload)]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    return b0 & 0x0F, await reader.readexactly(n)


async def connection(host, port, token, ready, done):
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head.decode(errors="replace"))
    writer.write(masked_text(json.dumps({"id": 1, "op": "hello", "version": 1}).encode()))
    writer.write(masked_text(json.dumps({"id": 2, "op": "login", "token": token}).encode()))
    logged_in = False
    while True:
        try:
            op, payload = await read_frame(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            break
        if op == 0x9:
            writer.write(masked_pong(payload))
        elif op == 0x8:
            break
        elif op == 0x1 and not logged_in:
            reply = json.loads(payload)
            if reply.get("re") == 2:
                if not reply.get("ok"):
                    raise RuntimeError(f"login failed: {reply}")
                logged_in = True
                ready()
        if done.is_set():
            break
    writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--prefix", default="idle-")
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--hold", type=float, default=60)
    ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--server-pid", type=int)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    u = urlparse(a.url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("loopback only")
    with open(a.tokens) as f:
        cache = json.load(f)
    tokens = [t for user, t in sorted(cache.items()) if user.startswith(a.prefix)]
    if not tokens:
        sys.exit(f"no tokens for users {a.prefix}* in {a.tokens}")
    before = rss_bytes(a.server_pid) if a.server_pid else 0
    count = 0
    all_ready = asyncio.Event()
    done = asyncio.Event()

    def ready():
        nonlocal count
        count += 1
        if count == a.n:
            all_ready.set()

    gate = asyncio.Semaphore(a.concurrency)

    async def one(i):
        async with gate:
            opened = asyncio.Event()
            task = asyncio.ensure_future(connection(u.hostname, u.port, tokens[i % len(tokens)],
                                                    lambda: (ready(), opened.set()), done))
            await asyncio.wait([task, asyncio.ensure_future(opened.wait())], return_when=asyncio.FIRST_COMPLETED)
        await task

    started = time.monotonic()
    tasks = [asyncio.ensure_future(one(i)) for i in range(a.n)]
    await asyncio.wait_for(all_ready.wait(), timeout=600)
    took = time.monotonic() - started
    await asyncio.sleep(a.settle)
    after = rss_bytes(a.server_pid) if a.server_pid else 0
    print(json.dumps({"connections": count, "seconds": round(took, 1), "users": len(tokens),
                      "rssBefore": before, "rssAfter": after,
                      "rssPerConnection": (after - before) / count if a.server_pid else None}), flush=True)
    await asyncio.sleep(max(0.0, a.hold - a.settle))
    done.set()
    for t in tasks:
        t.cancel()


if __name__ == "__main__":
    asyncio.run(main())
