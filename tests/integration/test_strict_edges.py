"""What berth refuses at its edges (issue: strict at every edge), each with the client a user or an
attacker would use: curl for the registry API, a raw socket where curl cannot send the bytes."""

import json
import socket

import pytest

from conftest import OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST, sha256_digest
from test_api_curl import error_code, start_upload

INVALID_REFERENCES = [".INVALID_MANIFEST_NAME", "a" * 129, ".tag", "-tag", "a:b", "a+b", "sha256:abc"]


@pytest.mark.parametrize("reference", INVALID_REFERENCES)
def test_lookups_of_an_invalid_reference_are_manifest_unknown(berth, client, reference):
    client.push_image("team/app", "v1")
    path = f"/v2/team/app/manifests/{reference}"
    error_code(berth.curl("GET", path), 404, "MANIFEST_UNKNOWN")
    assert berth.curl("HEAD", path).status == 404
    r = berth.curl("PUT", path, headers={"Content-Type": OCI_MANIFEST}, data=client.push_image("team/app", "v2").manifest)
    assert r.status == 400, str(r)
    assert set(r.error_codes()) & {"TAG_INVALID", "DIGEST_INVALID"}, str(r)
    assert berth.curl("GET", "/v2/team/app/tags/list").json()["tags"] == ["v1", "v2"]


@pytest.mark.parametrize("path", ["/v2/team%2fapp/tags/list", "/v2/team%2Fapp/manifests/v1",
                                  "/v2/team%2Fapp/blobs/{layer}", "/v2/te%61m/app/manifests/v1",
                                  "/v2/team/app%2f/blobs/uploads/"])
def test_percent_encoded_names_are_refused(berth, client, path):
    image = client.push_image("team/app", "v1")
    for method in ("GET", "HEAD", "POST", "DELETE"):
        r = berth.curl(method, path.format(layer=image.layer_digests[0]))
        assert r.status in (400, 404), f"{method} {path}: {r}"
        if method != "HEAD":
            assert set(r.error_codes()) & {"NAME_INVALID", "NAME_UNKNOWN"}, f"{method} {path}: {r}"
    # Nothing was deleted or created by any of them.
    assert berth.curl("GET", f"/v2/team/app/manifests/v1").status == 200
    assert berth.curl("GET", "/v2/_catalog").json()["repositories"] == ["team/app"]


def test_range_syntax_in_content_range_is_refused_and_the_session_kept(berth):
    data = bytes(range(256)) * 8  # 2048 bytes
    location = start_upload(berth, "team/chunks")
    r = berth.curl("PATCH", location, headers={"Content-Range": "0-1023"}, data=data[:1024])
    assert r.status == 202, str(r)
    for header in ("bytes=1024-2047", "bytes 1024-2047/2048", "1024-2047/2048", "1024-"):
        r = berth.curl("PATCH", location, headers={"Content-Range": header}, data=data[1024:])
        error_code(r, 416, "RANGE_INVALID")
        assert r.headers.get("Range") == "0-1023", f"{header}: {r}"
        status = berth.curl("GET", location)
        assert status.status == 204 and status.headers.get("Range") == "0-1023", f"{header}: {status}"
    r = berth.curl("PATCH", location, headers={"Content-Range": "1024-2047"}, data=data[1024:])
    assert r.status == 202, str(r)
    digest = sha256_digest(data)
    r = berth.curl("PUT", f"{location}{'&' if '?' in location else '?'}digest={digest}")
    assert r.status == 201, str(r)
    assert berth.curl("GET", f"/v2/team/chunks/blobs/{digest}").body == data


@pytest.mark.parametrize("lie", ["layer", "config"])
def test_manifest_whose_descriptor_size_lies_is_refused(berth, client, lie):
    config = b'{"architecture":"amd64","os":"linux"}'
    layer = b"layer bytes" * 100
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": client.push_blob("team/sizes", config),
                   "size": len(config) + (1 if lie == "config" else 0)},
        "layers": [{"mediaType": OCI_LAYER_TAR, "digest": client.push_blob("team/sizes", layer),
                    "size": len(layer) - (1 if lie == "layer" else 0)}],
    }
    r = berth.curl("PUT", "/v2/team/sizes/manifests/v1", headers={"Content-Type": OCI_MANIFEST},
                   data=json.dumps(manifest).encode())
    error_code(r, 400, "MANIFEST_INVALID")
    where = "layers[0]" if lie == "layer" else "config"
    assert r.json()["errors"][0]["message"].startswith(f"{where} declares size"), str(r)
    error_code(berth.curl("GET", "/v2/team/sizes/manifests/v1"), 404, "MANIFEST_UNKNOWN")


def raw_exchange(berth, request: bytes) -> tuple[bytes, bool]:
    """Sends `request` as is; returns what came back and whether the server closed the connection."""
    host, port = berth.host.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        closed = False
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except socket.timeout:
            pass
    return received, closed


@pytest.mark.parametrize("transfer_encoding,status", [
    ("xchunked", 400), ("chunked, identity", 400), ("identity", 400), ("gzip, chunked", 501),
    ("chunked\r\nTransfer-Encoding: chunked", 400)])
def test_transfer_encoding_other_than_chunked_is_refused_and_closed(berth, transfer_encoding, status):
    location = start_upload(berth, "team/framing")
    path = location.split("://", 1)[-1].split("/", 1)[-1]
    smuggled = b"GET /v2/_catalog HTTP/1.1\r\nHost: x\r\n\r\n"
    request = (f"PATCH /{path} HTTP/1.1\r\nHost: {berth.host}\r\nTransfer-Encoding: {transfer_encoding}\r\n\r\n"
               ).encode() + b"5\r\nhello\r\n0\r\n\r\n" + smuggled
    received, closed = raw_exchange(berth, request)
    assert received.startswith(f"HTTP/1.1 {status} ".encode()), received
    assert received.count(b"HTTP/1.1 ") == 1, received  # the smuggled request was never served
    assert closed
    assert berth.curl("GET", location).headers.get("Range") == "0-0"


@pytest.mark.parametrize("head", [
    b"GET /v2/ HTTP/1.1\r\n\r\n",
    b"GET /v2/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET /v2/ HTTP/1.1\r\nHost: a b\r\n\r\n",
    b"GET /v2/ HTTP/1.1\r\nHost: a/b\r\n\r\n",
])
def test_request_without_one_valid_host_is_refused(berth, head):
    received, closed = raw_exchange(berth, head)
    assert received.startswith(b"HTTP/1.1 400 "), received
    assert closed


def test_http10_without_host_is_served(berth):
    received, _ = raw_exchange(berth, b"GET /v2/ HTTP/1.0\r\n\r\n")
    assert received.startswith(b"HTTP/1.0 200 ") or received.startswith(b"HTTP/1.1 200 "), received


@pytest.mark.parametrize("target", [b"/v2/team\x00app/tags/list", b"/v2/team/app/manifests/v1\x01",
                                    b"/v2/team%00app/tags/list", b"/v2/team/app/manifests/%00"])
def test_nul_and_control_bytes_in_the_target_are_refused(berth, client, target):
    """A raw NUL or control byte never reaches routing (the HTTP parser refuses it), and a %00 escape
    is refused when the path is decoded: neither can cut a name short in the metadata store."""
    client.push_image("team/app", "v1")
    received, _ = raw_exchange(berth, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 400 "), received
    assert received.split(b"\r\n\r\n", 1)[-1] in (b"malformed request\n", b"NUL in path\n"), received


def test_an_answer_given_before_the_body_is_read_reaches_the_client(berth):
    """The manifest's declared length is refused (413) before any body byte is read, while the
    client still has body bytes in flight. The server stops sending and drains before closing
    (RFC 9112 §9.6), so the client reads the whole answer and an orderly end, never a reset."""
    host, port = berth.host.rsplit(":", 1)
    head = (b"PUT /v2/team/linger/manifests/v1 HTTP/1.1\r\nHost: " + berth.host.encode() +
            b"\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n"
            b"Content-Length: 5000000\r\n\r\n")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + b"{" * 256 * 1024)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 413"), received[:200]
    assert b"SIZE_INVALID" in received
