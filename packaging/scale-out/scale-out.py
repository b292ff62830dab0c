#!/usr/bin/env python3
"""Several rill-server instances behind haproxy on this machine, and the proof that it works.

    scale-out.py [--instances N] [--server PATH] [--dir DIR] [--check]

Starts a redis-server, N rill-server instances (default 3) on it and haproxy in front of them
(haproxy.cfg beside this script, with the ports replaced by free ones), all on 127.0.0.1, in DIR
(default: a temporary directory, removed afterwards).

Without --check it prints the address and runs until Ctrl-C. With --check it proves, through
haproxy's one address, that:
  1. connections are spread over every instance (`hello` names the instance that answers);
  2. users on different instances talk: each one's message reaches all the others;
  3. an instance killed with SIGKILL loses nothing: its client reconnects through haproxy to
     another instance, logs in with its token, and finds in `history` what was sent while it
     was away, each message once;
then stops everything and exits 0, or 1 with the reason. Exit 77 (skipped) without haproxy.

Standard library only (the protocol client is tests/support/rillws.py).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../tests/support"))
import rillws  # noqa: E402
SKIPPED = 77


class Failed(Exception):
    pass


def log(text):
    print("scale-out: " + text, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise Failed("timed out waiting for " + what)


def http_status(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


class Client(rillws.WebSocket):
    """One user's connection through haproxy; `instance` is the one that answered `hello`."""

    def __init__(self, port, name):
        super().__init__("127.0.0.1", port, timeout=10)
        self.name = name
        self.token = None
        self.instance = self.ok("hello", version=1)["instance"]

    def ok(self, op, **params):
        reply = self.call(op, **params)
        if not reply.get("ok"):
            raise Failed(f"{self.name}: {op} failed: {json.dumps(reply)}")
        return reply

    def sign_up(self):
        self.token = self.ok("register", user=self.name, password="correct horse battery")["token"]

    def wait_message(self, text, timeout=10):
        """Waits for the message event with this text; ConnectionError if the server closes."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(timeout)
        try:
            while True:
                for event in self.events:
                    if event.get("ev") == "message" and event["message"].get("text") == text:
                        self.events.remove(event)
                        return event["message"]
                if time.monotonic() > deadline:
                    raise socket.timeout()
                frame = self.receive()
                if "ev" in frame:
                    self.events.append(frame)
        except socket.timeout:
            raise Failed(f"{self.name} on {self.instance} never got {text!r}") from None
        finally:
            self.sock.settimeout(10)


class Cluster:
    def __init__(self, work, server, instances, programs):
        self.work = work
        self.server = server
        self.programs = programs
        self.count = instances
        self.processes = []
        self.instances = []  # (name, process, ws port, http port)
        self.front = None

    def start(self):
        redis_port = free_port()
        self._spawn("redis", [self.programs["redis-server"], "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", self.work])
        wait_for("redis-server", lambda: self._connects(redis_port))
        for n in range(1, self.count + 1):
            self.start_instance(f"rill{n}", redis_port)
        self.front = free_port()
        with open(os.path.join(HERE, "haproxy.cfg")) as shipped:
            config = shipped.read()
        config = config.replace("bind 127.0.0.1:7117", f"bind 127.0.0.1:{self.front}")
        config = re.sub(r"^    server .*\n", "", config, flags=re.M)
        for name, _, ws, http in self.instances:
            config += f"    server {name} 127.0.0.1:{ws} check port {http}\n"
        generated = os.path.join(self.work, "haproxy.cfg")
        with open(generated, "w") as out:
            out.write(config)
        self._spawn("haproxy", [self.programs["haproxy"], "-f", generated, "-db"])
        wait_for("haproxy", lambda: self._connects(self.front))
        log(f"haproxy on 127.0.0.1:{self.front} in front of "
            + ", ".join(f"{name} (:{ws}, http :{http})" for name, _, ws, http in self.instances))

    def start_instance(self, name, redis_port):
        ws, http = free_port(), free_port()
        process = self._spawn(name, [self.server, "--redis", f"redis://127.0.0.1:{redis_port}",
                                     "--listen", "127.0.0.1", "--port", str(ws),
                                     "--http-listen", f"127.0.0.1:{http}", "--instance", name,
                                     "--data-dir", os.path.join(self.work, name)])
        wait_for(f"{name}'s /readyz", lambda: http_status(http, "/readyz") == 200)
        self.instances.append((name, process, ws, http))

    def kill(self, name):
        for entry in self.instances:
            if entry[0] == name:
                entry[1].send_signal(signal.SIGKILL)
                entry[1].wait()
                self.instances.remove(entry)
                return
        raise Failed("no instance " + name)

    def stop(self):
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for what, process in reversed(self.processes):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                log(f"{what} did not stop on SIGTERM; killing it")
                process.kill()
                process.wait()

    def _spawn(self, what, argv):
        output = open(os.path.join(self.work, what + ".log"), "w")
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        output.close()
        self.processes.append((what, process))
        return process

    @staticmethod
    def _connects(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False


def check(cluster):
    # 1. One client per instance: leastconn sends each new connection to an instance with the
    # fewest. haproxy may not have checked every instance yet; reconnect until it has.
    users = [f"user{n}" for n in range(1, cluster.count + 1)]
    clients = []

    def spread():
        for c in clients:
            c.close()
        clients.clear()
        for user in users:
            clients.append(Client(cluster.front, user))
        return len({c.instance for c in clients}) == cluster.count

    wait_for("connections on every instance", spread)
    for client in clients:
        client.sign_up()
    log("one user on each instance: " + ", ".join(f"{c.name} on {c.instance}" for c in clients))

    # 2. Everyone talks in general; everyone else hears it.
    for sender in clients:
        text = f"hello from {sender.name} on {sender.instance}"
        sender.ok("send", channel="general", text=text)
        for other in clients:
            if other is not sender:
                other.wait_message(text)
    log(f"{len(clients)} users on {len(clients)} instances each heard the others through one address")

    # 3. Kill one instance under its client; the client comes back through haproxy elsewhere.
    victim = clients[-1]
    lost_instance = victim.instance
    cluster.kill(lost_instance)
    log(f"killed {lost_instance} (SIGKILL)")
    try:
        victim.wait_message("nothing will come", timeout=10)
    except ConnectionError:
        pass
    except Failed:
        raise Failed(f"{victim.name}'s connection to the killed {lost_instance} stayed open") from None
    victim.close()
    sent_meanwhile = []
    for sender in clients[:-1]:
        text = f"while {victim.name} was away, from {sender.name}"
        reply = sender.ok("send", channel="general", text=text)
        sent_meanwhile.append(reply["message"]["id"])
    # Reconnects go through haproxy, which retries a dead instance's port on another one.
    back = Client(cluster.front, victim.name)
    if back.instance == lost_instance:
        raise Failed(f"haproxy sent {victim.name} back to the killed {lost_instance}")
    back.ok("login", token=victim.token)
    history = back.ok("history", channel="general", limit=100)["messages"]
    ids = [m["id"] for m in history]
    for wanted in sent_meanwhile:
        if ids.count(wanted) != 1:
            raise Failed(f"message {wanted} appears {ids.count(wanted)} times in history after the failover")
    text = f"{victim.name} is back on {back.instance}"
    back.ok("send", channel="general", text=text)
    for other in clients[:-1]:
        other.wait_message(text)
    log(f"{victim.name} reconnected through haproxy to {back.instance}, logged in with its token, "
        f"found the {len(sent_meanwhile)} messages sent meanwhile once each, and was heard again")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--server", default=os.path.join(HERE, "../../build/bin/rill-server"))
    parser.add_argument("--dir")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.instances < 2:
        parser.error("--instances: at least 2")
    search = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"  # haproxy lives in sbin
    programs = {}
    for program in ("haproxy", "redis-server"):
        programs[program] = shutil.which(program, path=search)
        if not programs[program]:
            log(f"skipped: no {program} (apt install {program})")
            return SKIPPED
    if not os.access(args.server, os.X_OK):
        log(f"no rill-server at {args.server} (--server)")
        return 2

    work = args.dir or tempfile.mkdtemp(prefix="rill-scale-out-")
    os.makedirs(work, exist_ok=True)
    cluster = Cluster(work, os.path.abspath(args.server), args.instances, programs)
    try:
        cluster.start()
        if args.check:
            check(cluster)
            log("PASS")
        else:
            log(f"clients connect to ws://127.0.0.1:{cluster.front}; Ctrl-C stops everything")
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
        return 0
    except (Failed, ConnectionError, OSError) as e:
        log(f"FAIL: {e} (logs in {work})")
        args.dir = work  # keep the logs
        return 1
    finally:
        cluster.stop()
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
