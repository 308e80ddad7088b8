"""Graceful shutdown on SIGTERM and connection timeouts (header, idle), with small limits from a
config file."""

import http.client
import os
import select
import signal
import socket
import time

from conftest import sha256_digest

LIMITS = """
limits {
  header_timeout_seconds = 2
  idle_timeout_seconds   = 2
  shutdown_grace_seconds = 5
}
"""


def start_upload(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/v2/team/app/blobs/uploads/", headers={"Content-Length": "0"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 202, response.status
    location = response.headers["Location"]
    return location[location.index("/v2/"):]


def new_connection_refused(port: int) -> bool:
    """True when the server no longer takes new requests (refused, or closed without an answer)."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError:
        return True
    try:
        sock.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")
        data = sock.recv(100)
        return data == b"" or b" 503 " in data.split(b"\r\n")[0]
    except OSError:
        return True
    finally:
        sock.close()


def test_sigterm_lets_in_flight_upload_finish(berth_with_config):
    server = berth_with_config(LIMITS)
    location = start_upload(server.port)
    data = os.urandom(1024 * 1024)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    conn.putrequest("PATCH", location)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(len(data)))
    conn.putheader("Content-Range", f"0-{len(data) - 1}")
    conn.endheaders()
    piece = 64 * 1024
    conn.send(data[:2 * piece])
    time.sleep(0.2)
    server.proc.send_signal(signal.SIGTERM)
    terminated = time.monotonic()
    time.sleep(0.3)
    assert new_connection_refused(server.port), "server still accepts new connections after SIGTERM"
    for start in range(2 * piece, len(data), piece):  # ~2.3 s more, inside the 5 s grace period
        conn.send(data[start:start + piece])
        time.sleep(0.15)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 202, (response.status, body)
    assert response.headers.get("Range") == f"0-{len(data) - 1}"
    conn.close()
    code = server.proc.wait(timeout=10)
    assert code == 0, server.log
    assert time.monotonic() - terminated < 8, "server took longer than the grace period to exit"


def test_sigterm_with_idle_keep_alive_connection_exits_promptly(berth_with_config):
    server = berth_with_config(LIMITS)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/v2/")
    response = conn.getresponse()
    response.read()
    assert response.status == 200
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(timeout=10)
    conn.close()
    assert code == 0, server.log
    assert time.monotonic() - started < 3, "an idle keep-alive connection must not hold shutdown"


def test_sigterm_grace_period_is_bounded(berth_with_config):
    """A client that never finishes its body does not keep the server alive past the grace period."""
    server = berth_with_config(LIMITS)
    location = start_upload(server.port)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(f"PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                 f"Content-Length: 10000000\r\n\r\n".encode() + b"x" * 1000)
    server.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    try:
        while server.proc.poll() is None and time.monotonic() - started < 12:
            try:
                sock.sendall(b"x" * 100)  # keeps trickling: never idle for the idle timeout
            except OSError:
                break
            time.sleep(0.5)
        code = server.proc.wait(timeout=5)
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    assert elapsed < 9, f"server still running {elapsed:.1f}s after SIGTERM (grace is 5s)"
    assert code == 0, server.log


def wait_closed(sock: socket.socket, deadline: float, trickle: bytes | None) -> float | None:
    """Trickles `trickle` every 0.5 s until the server closes the connection; returns when it did."""
    start = time.monotonic()
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.5)
        if readable:
            try:
                data = sock.recv(4096)
            except OSError:
                return time.monotonic() - start
            if data == b"":
                return time.monotonic() - start
            # A 408 (or other) answer is fine; the close must follow.
            continue
        if trickle is not None:
            try:
                sock.sendall(trickle)
            except OSError:
                return time.monotonic() - start
    return None


def test_slowloris_is_disconnected_after_header_timeout(berth_with_config):
    server = berth_with_config(LIMITS)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        sock.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n")
        # Meanwhile other clients are served normally.
        assert server.curl("GET", "/v2/").status == 200
        closed_after = wait_closed(sock, time.monotonic() + 10, trickle=b"X-Slow: 1\r\n")
    finally:
        sock.close()
    assert closed_after is not None, "a client trickling header bytes was never disconnected"
    assert closed_after < 5, f"disconnected only after {closed_after:.1f}s (header timeout 2s)"
    assert server.curl("GET", "/v2/").status == 200


def test_silent_connection_is_closed(berth_with_config):
    server = berth_with_config(LIMITS)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        closed_after = wait_closed(sock, time.monotonic() + 10, trickle=None)
    finally:
        sock.close()
    assert closed_after is not None and closed_after < 5, closed_after


def test_stalled_body_is_disconnected_after_idle_timeout(berth_with_config):
    server = berth_with_config(LIMITS)
    location = start_upload(server.port)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        sock.sendall(f"PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                     f"Content-Length: 5000\r\n\r\n".encode() + b"x" * 100)
        closed_after = wait_closed(sock, time.monotonic() + 10, trickle=None)
    finally:
        sock.close()
    assert closed_after is not None and closed_after < 5, closed_after
    # The session survives the aborted PATCH (with or without its 100 bytes) and can be completed.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", location)
    response = conn.getresponse()
    response.read()
    assert response.status == 204, response.status
    have = response.headers.get("Range", "0-0")
    offset = 0 if have in ("0-0", "0--1", "") else int(have.split("-")[1]) + 1
    assert offset in (0, 100), have
    data = b"x" * offset + os.urandom(1000)
    conn.request("PUT", f"{location}{'&' if '?' in location else '?'}digest={sha256_digest(data)}",
                 body=data[offset:], headers={"Content-Type": "application/octet-stream"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 201, response.status
