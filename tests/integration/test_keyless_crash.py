"""kill -9 during a load of AssumeRoleWithWebIdentity: every credential a client received has its
audit event (group commit must never answer before the batch holding the event is durable)."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse

import pytest

from keyless import KeylessSetup, role_arn
from keyless import issuer, keyless  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def assume_role_form(setup: KeylessSetup) -> str:
    return urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                   "RoleArn": role_arn("example-github"), "RoleSessionName": "crash",
                                   "WebIdentityToken": setup.issuer.github_token(), "DurationSeconds": "900"})


def client(port: int, body: str, received: list[str], stop: threading.Event):
    """Asks for credentials until the server dies; keeps the access key ids of complete answers."""
    while not stop.is_set():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while not stop.is_set():
                conn.request("POST", "/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = conn.getresponse()
                answer = response.read().decode()
                assert response.status == 200, answer
                received.append(re.search(r"<AccessKeyId>(ASIA\w+)</AccessKeyId>", answer).group(1))
        except (ConnectionError, http.client.HTTPException, OSError):
            return
        finally:
            conn.close()


def test_every_credential_received_before_a_kill_was_audited(keyless):
    body = assume_role_form(keyless)
    stop = threading.Event()
    received: list[list[str]] = [[] for _ in range(16)]
    threads = [threading.Thread(target=client, args=(keyless.server.port, body, keys, stop)) for keys in received]
    for thread in threads:
        thread.start()
    time.sleep(2.0)
    keyless.server.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    handed_out = {key for keys in received for key in keys}
    assert len(handed_out) > 50, "the load did not get going before the kill"

    audited = {event["access_key_id"] for event in json.loads(keyless.berth("audit", "--json").stdout)
               if event["action"] == "sts:AssumeRoleWithWebIdentity"}
    assert handed_out - audited == set()
