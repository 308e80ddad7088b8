"""The OCI Distribution endpoints, driven with the real curl binary (interfaces.md §8)."""

import json
import os
from pathlib import Path

import pytest

from conftest import (DOCKER_CONFIG, DOCKER_LAYER, DOCKER_LIST, DOCKER_MANIFEST, OCI_CONFIG, OCI_INDEX,
                      OCI_LAYER_TAR, OCI_MANIFEST, sha256_digest)

ACCEPT_ALL = ", ".join([OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST])
EMPTY_CONFIG = b"{}"
EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"


def with_digest(location: str, digest: str) -> str:
    return f"{location}{'&' if '?' in location else '?'}digest={digest}"


def start_upload(berth, repo: str) -> str:
    r = berth.curl("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
    assert r.status == 202, str(r)
    assert r.headers.get("Location"), str(r)
    return r.headers["Location"]


def patch(berth, location: str, chunk: bytes, start: int | None):
    headers = {"Content-Type": "application/octet-stream"}
    if start is not None:
        headers["Content-Range"] = f"{start}-{start + len(chunk) - 1}"
    return berth.curl("PATCH", location, headers=headers, data=chunk)


def assert_blob(berth, repo: str, data: bytes):
    r = berth.curl("GET", f"/v2/{repo}/blobs/{sha256_digest(data)}")
    assert r.status == 200, str(r)
    assert r.body == data
    assert r.headers.get("Docker-Content-Digest") == sha256_digest(data)


def error_code(r, status: int, *codes: str):
    assert r.status == status, str(r)
    found = r.error_codes()
    assert any(code in found for code in codes), f"expected one of {codes}, got {found}\n{r}"


# ---------------------------------------------------------------------------------------------- /v2/


def test_base_endpoint(berth):
    r = berth.curl("GET", "/v2/")
    assert r.status == 200, str(r)
    assert r.headers.get("Docker-Distribution-API-Version") == "registry/2.0"


def test_without_anonymous_every_request_is_challenged(berth_factory):
    server = berth_factory(anonymous=False)
    for method, path in [("GET", "/v2/"), ("GET", "/v2/team/app/tags/list"),
                         ("POST", "/v2/team/app/blobs/uploads/"), ("GET", "/v2/_catalog")]:
        r = server.curl(method, path)
        assert r.status == 401, f"{method} {path}: {r}"
        assert r.headers.get("WWW-Authenticate", "").startswith("Basic realm="), str(r)
        assert "UNAUTHORIZED" in r.error_codes()
    r = server.curl("GET", "/v2/")
    assert r.headers.get("Docker-Distribution-API-Version") == "registry/2.0", str(r)
    # A wrong password is refused the same way.
    r = server.curl("GET", "/v2/", extra_args=["-u", "AWS:not-a-token"])
    assert r.status == 401, str(r)


# ------------------------------------------------------------------------------------------ uploads


def test_chunked_upload_with_content_range(berth):
    data = os.urandom(3 * 65536 + 123)
    chunks = [data[:65536], data[65536:2 * 65536], data[2 * 65536:]]
    location = start_upload(berth, "team/chunked")
    offset = 0
    for chunk in chunks:
        r = patch(berth, location, chunk, offset)
        assert r.status == 202, str(r)
        offset += len(chunk)
        assert r.headers.get("Range") == f"0-{offset - 1}", str(r)
        location = r.headers.get("Location") or location
    r = berth.curl("PUT", with_digest(location, sha256_digest(data)), headers={"Content-Length": "0"})
    assert r.status == 201, str(r)
    assert r.headers.get("Docker-Content-Digest") == sha256_digest(data), str(r)
    assert r.headers.get("Location", "").endswith(f"/v2/team/chunked/blobs/{sha256_digest(data)}"), str(r)
    assert_blob(berth, "team/chunked", data)


def test_out_of_order_chunk_is_416(berth):
    data = os.urandom(4096)
    location = start_upload(berth, "team/ooo")
    r = patch(berth, location, data[:1024], 0)
    assert r.status == 202, str(r)
    location = r.headers.get("Location") or location
    r = patch(berth, location, data[2048:3072], 2048)  # skips 1024..2047
    assert r.status == 416, str(r)
    r = patch(berth, location, data[:1024], 0)  # overlaps what is there
    assert r.status == 416, str(r)
    # The session survives and still has exactly the first chunk.
    r = berth.curl("GET", location)
    assert r.status == 204, str(r)
    assert r.headers.get("Range") == "0-1023", str(r)
    r = patch(berth, location, data[1024:], 1024)
    assert r.status == 202, str(r)
    r = berth.curl("PUT", with_digest(r.headers.get("Location") or location, sha256_digest(data)))
    assert r.status == 201, str(r)
    assert_blob(berth, "team/ooo", data)


def test_patch_without_content_range_appends(berth):
    data = os.urandom(200_000)
    location = start_upload(berth, "team/stream")
    r = patch(berth, location, data[:150_000], None)
    assert r.status == 202, str(r)
    assert r.headers.get("Range") == "0-149999", str(r)
    location = r.headers.get("Location") or location
    r = patch(berth, location, data[150_000:], None)
    assert r.status == 202, str(r)
    assert r.headers.get("Range") == f"0-{len(data) - 1}", str(r)
    r = berth.curl("PUT", with_digest(r.headers.get("Location") or location, sha256_digest(data)))
    assert r.status == 201, str(r)
    assert_blob(berth, "team/stream", data)


def test_upload_status(berth):
    location = start_upload(berth, "team/status")
    r = berth.curl("GET", location)
    assert r.status == 204, str(r)
    assert r.headers.get("Location"), str(r)
    assert r.headers.get("Range") in ("0-0", None) or r.headers.get("Range", "").startswith("0-"), str(r)
    r = patch(berth, location, b"x" * 5000, 0)
    assert r.status == 202, str(r)
    r = berth.curl("GET", r.headers.get("Location") or location)
    assert r.status == 204, str(r)
    assert r.headers.get("Range") == "0-4999", str(r)
    assert r.body == b""


def test_resume_after_partial_upload(berth):
    """A client that lost track asks for the status and continues where the server is."""
    data = os.urandom(100_000)
    location = start_upload(berth, "team/resume")
    r = patch(berth, location, data[:40_000], 0)
    assert r.status == 202, str(r)
    r = berth.curl("GET", r.headers.get("Location") or location)
    assert r.status == 204, str(r)
    end = int(r.headers["Range"].split("-")[1])
    assert end == 39_999
    r = patch(berth, r.headers.get("Location") or location, data[end + 1:], end + 1)
    assert r.status == 202, str(r)
    r = berth.curl("PUT", with_digest(r.headers.get("Location") or location, sha256_digest(data)))
    assert r.status == 201, str(r)
    assert_blob(berth, "team/resume", data)


def test_resume_upload_after_restart(berth_factory, tmp_path):
    data = os.urandom(300_000)
    server = berth_factory(data_dir=tmp_path / "data")
    location = start_upload(server, "team/restart")
    r = patch(server, location, data[:120_000], 0)
    assert r.status == 202, str(r)
    location = r.headers.get("Location") or location
    path = location[location.index("/v2/"):] if "://" in location else location
    assert server.stop() == 0
    server = berth_factory(data_dir=tmp_path / "data")
    r = server.curl("GET", path)
    assert r.status == 204, str(r)
    assert r.headers.get("Range") == "0-119999", str(r)
    r = patch(server, path, data[120_000:], 120_000)
    assert r.status == 202, str(r)
    r = server.curl("PUT", with_digest(r.headers.get("Location") or path, sha256_digest(data)))
    assert r.status == 201, str(r)
    assert_blob(server, "team/restart", data)


def test_cancel_upload(berth):
    location = start_upload(berth, "team/cancel")
    r = patch(berth, location, b"abc", 0)
    assert r.status == 202, str(r)
    location = r.headers.get("Location") or location
    r = berth.curl("DELETE", location)
    assert r.status in (202, 204), str(r)
    r = berth.curl("GET", location)
    error_code(r, 404, "BLOB_UPLOAD_UNKNOWN")
    r = patch(berth, location, b"def", 3)
    error_code(r, 404, "BLOB_UPLOAD_UNKNOWN")


def test_upload_session_is_bound_to_its_repository(berth):
    location = start_upload(berth, "team/owner")
    berth.curl("POST", "/v2/team/thief/blobs/uploads/")  # make sure the other repository exists
    stolen = location.replace("/v2/team/owner/", "/v2/team/thief/")
    assert stolen != location
    r = patch(berth, stolen, b"abc", 0)
    error_code(r, 404, "BLOB_UPLOAD_UNKNOWN")


def test_monolithic_post_with_digest(berth):
    data = os.urandom(10_000)
    digest = sha256_digest(data)
    r = berth.curl("POST", f"/v2/team/mono/blobs/uploads/?digest={digest}", data=data)
    if r.status == 202:  # allowed fallback: the client then PUTs
        r = berth.curl("PUT", with_digest(r.headers["Location"], digest), data=data)
    assert r.status == 201, str(r)
    assert r.headers.get("Location", "").endswith(f"/v2/team/mono/blobs/{digest}"), str(r)
    assert_blob(berth, "team/mono", data)


def test_post_then_put_whole_blob(berth):
    data = os.urandom(70_000)
    location = start_upload(berth, "team/monoput")
    r = berth.curl("PUT", with_digest(location, sha256_digest(data)), data=data)
    assert r.status == 201, str(r)
    assert_blob(berth, "team/monoput", data)


def test_put_carries_final_chunk(berth):
    data = os.urandom(90_000)
    location = start_upload(berth, "team/final")
    r = patch(berth, location, data[:50_000], 0)
    assert r.status == 202, str(r)
    location = r.headers.get("Location") or location
    r = berth.curl("PUT", with_digest(location, sha256_digest(data)), data=data[50_000:],
                   headers={"Content-Range": f"50000-{len(data) - 1}"})
    assert r.status == 201, str(r)
    assert_blob(berth, "team/final", data)


def test_wrong_digest_is_digest_invalid(berth):
    data = os.urandom(1000)
    wrong = sha256_digest(b"something else")
    location = start_upload(berth, "team/wrong")
    r = berth.curl("PUT", with_digest(location, wrong), data=data)
    error_code(r, 400, "DIGEST_INVALID")
    for digest in (wrong, sha256_digest(data)):
        assert berth.curl("HEAD", f"/v2/team/wrong/blobs/{digest}").status == 404


@pytest.mark.parametrize("digest", ["sha256:abc", "sha256:" + "A" * 64, "md5:" + "0" * 32, "nodigest"])
def test_bad_digest_syntax(berth, digest):
    location = start_upload(berth, "team/badsyntax")
    r = berth.curl("PUT", with_digest(location, digest), data=b"hello")
    assert r.status == 400, str(r)
    assert set(r.error_codes()) & {"DIGEST_INVALID", "UNSUPPORTED"}, str(r)
    r = berth.curl("GET", f"/v2/team/badsyntax/blobs/{digest}")
    assert r.status in (400, 404), str(r)
    if r.status == 400:
        assert set(r.error_codes()) & {"DIGEST_INVALID", "UNSUPPORTED", "NAME_INVALID"}, str(r)


# -------------------------------------------------------------------------------------------- blobs


def test_blob_get_and_head(berth, client):
    data = os.urandom(12_345)
    digest = client.push_blob("team/blobs", data)
    r = berth.curl("GET", f"/v2/team/blobs/blobs/{digest}")
    assert r.status == 200, str(r)
    assert r.body == data
    assert r.headers.get("Docker-Content-Digest") == digest
    assert r.headers.get("Content-Length") == str(len(data))
    r = berth.curl("HEAD", f"/v2/team/blobs/blobs/{digest}")
    assert r.status == 200, str(r)
    assert r.body == b""
    assert r.headers.get("Docker-Content-Digest") == digest
    assert r.headers.get("Content-Length") == str(len(data))
    missing = sha256_digest(b"never pushed")
    error_code(berth.curl("GET", f"/v2/team/blobs/blobs/{missing}"), 404, "BLOB_UNKNOWN")
    r = berth.curl("HEAD", f"/v2/team/blobs/blobs/{missing}")
    assert r.status == 404 and r.body == b"", str(r)


def test_blob_ranges(berth, client):
    data = os.urandom(10_000)
    digest = client.push_blob("team/ranges", data)
    path = f"/v2/team/ranges/blobs/{digest}"
    cases = [("bytes=10-19", 10, 19), ("bytes=9000-", 9000, 9999), ("bytes=-500", 9500, 9999),
             ("bytes=9990-20000", 9990, 9999)]
    for spec, first, last in cases:
        r = berth.curl("GET", path, headers={"Range": spec})
        assert r.status == 206, f"{spec}: {r}"
        assert r.headers.get("Content-Range") == f"bytes {first}-{last}/{len(data)}", f"{spec}: {r}"
        assert r.body == data[first:last + 1], spec
        assert r.headers.get("Content-Length") == str(last - first + 1)
    r = berth.curl("GET", path, headers={"Range": "bytes=20000-"})
    assert r.status == 416, str(r)
    assert r.headers.get("Content-Range") == f"bytes */{len(data)}", str(r)


def test_blob_delete(berth, client):
    data = os.urandom(2000)
    digest = client.push_blob("team/del", data)
    r = berth.curl("DELETE", f"/v2/team/del/blobs/{digest}")
    assert r.status == 202, str(r)
    error_code(berth.curl("GET", f"/v2/team/del/blobs/{digest}"), 404, "BLOB_UNKNOWN")
    error_code(berth.curl("DELETE", f"/v2/team/del/blobs/{digest}"), 404, "BLOB_UNKNOWN")


def test_blobs_are_scoped_to_repositories(berth, client):
    data = os.urandom(3000)
    digest = client.push_blob("team/private", data)
    client.push_blob("team/other", os.urandom(10))
    error_code(berth.curl("GET", f"/v2/team/other/blobs/{digest}"), 404, "BLOB_UNKNOWN")


def test_cross_repository_mount(berth, client):
    data = os.urandom(5000)
    digest = client.push_blob("team/source", data)
    r = berth.curl("POST", f"/v2/team/target/blobs/uploads/?mount={digest}&from=team/source")
    assert r.status == 201, str(r)
    assert r.headers.get("Location", "").endswith(f"/v2/team/target/blobs/{digest}"), str(r)
    assert r.headers.get("Docker-Content-Digest") == digest, str(r)
    assert_blob(berth, "team/target", data)


def test_cross_repository_mount_falls_back_to_upload(berth, client):
    data = os.urandom(5000)
    digest = sha256_digest(data)
    client.push_blob("team/source2", os.urandom(10))
    r = berth.curl("POST", f"/v2/team/target2/blobs/uploads/?mount={digest}&from=team/source2")
    assert r.status == 202, str(r)
    r = berth.curl("PUT", with_digest(r.headers["Location"], digest), data=data)
    assert r.status == 201, str(r)
    assert_blob(berth, "team/target2", data)


# ---------------------------------------------------------------------------------------- manifests


def push_child(client, repo, media_type):
    image = client.push_image(repo, f"child-{os.urandom(3).hex()}", media_type=media_type)
    return {"mediaType": media_type, "digest": image.digest, "size": len(image.manifest),
            "platform": {"architecture": "amd64", "os": "linux"}}


def build_manifest(client, repo, media_type) -> bytes:
    if media_type in (OCI_MANIFEST, DOCKER_MANIFEST):
        oci = media_type == OCI_MANIFEST
        config = json.dumps({"architecture": "amd64", "os": "linux", "n": os.urandom(4).hex()}).encode()
        layer = os.urandom(777)
        return json.dumps({
            "schemaVersion": 2, "mediaType": media_type,
            "config": {"mediaType": OCI_CONFIG if oci else DOCKER_CONFIG, "digest": client.push_blob(repo, config),
                       "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER_TAR if oci else DOCKER_LAYER, "digest": client.push_blob(repo, layer),
                        "size": len(layer)}],
        }, indent=3).encode()
    child_type = OCI_MANIFEST if media_type == OCI_INDEX else DOCKER_MANIFEST
    return json.dumps({"schemaVersion": 2, "mediaType": media_type,
                       "manifests": [push_child(client, repo, child_type), push_child(client, repo, child_type)]},
                      separators=(",", ":")).encode()


@pytest.mark.parametrize("media_type", [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST])
def test_manifest_put_get_head(berth, client, media_type):
    repo = "team/manifests"
    body = build_manifest(client, repo, media_type)
    digest = sha256_digest(body)
    r = berth.curl("PUT", f"/v2/{repo}/manifests/v1", headers={"Content-Type": media_type}, data=body)
    assert r.status == 201, str(r)
    assert r.headers.get("Docker-Content-Digest") == digest, str(r)
    assert r.headers.get("Location"), str(r)
    for reference in ("v1", digest):
        r = berth.curl("GET", f"/v2/{repo}/manifests/{reference}", headers={"Accept": ACCEPT_ALL})
        assert r.status == 200, str(r)
        assert r.body == body, "manifest bytes must be stored and served byte-exact"
        assert r.headers.get("Content-Type") == media_type, str(r)
        assert r.headers.get("Docker-Content-Digest") == digest, str(r)
        r = berth.curl("HEAD", f"/v2/{repo}/manifests/{reference}", headers={"Accept": ACCEPT_ALL})
        assert r.status == 200, str(r)
        assert r.body == b""
        assert r.headers.get("Content-Length") == str(len(body)), str(r)
        assert r.headers.get("Content-Type") == media_type, str(r)
        assert r.headers.get("Docker-Content-Digest") == digest, str(r)


def test_manifest_put_by_digest(berth, client):
    body = build_manifest(client, "team/bydigest", OCI_MANIFEST)
    digest = sha256_digest(body)
    r = berth.curl("PUT", f"/v2/team/bydigest/manifests/{digest}", headers={"Content-Type": OCI_MANIFEST},
                   data=body)
    assert r.status == 201, str(r)
    assert r.headers.get("Docker-Content-Digest") == digest
    r = berth.curl("GET", f"/v2/team/bydigest/manifests/{digest}", headers={"Accept": OCI_MANIFEST})
    assert r.status == 200 and r.body == body, str(r)


def test_manifest_put_by_wrong_digest(berth, client):
    body = build_manifest(client, "team/baddigest", OCI_MANIFEST)
    wrong = sha256_digest(body + b" ")
    r = berth.curl("PUT", f"/v2/team/baddigest/manifests/{wrong}", headers={"Content-Type": OCI_MANIFEST},
                   data=body)
    error_code(r, 400, "DIGEST_INVALID")
    assert berth.curl("HEAD", f"/v2/team/baddigest/manifests/{sha256_digest(body)}").status == 404


def test_manifest_with_missing_blob(berth, client):
    config = b'{"architecture":"amd64","os":"linux"}'
    missing = sha256_digest(b"layer that was never pushed")
    body = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": client.push_blob("team/missing", config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER_TAR, "digest": missing, "size": 27}],
    }).encode()
    r = berth.curl("PUT", "/v2/team/missing/manifests/v1", headers={"Content-Type": OCI_MANIFEST}, data=body)
    error_code(r, 400, "MANIFEST_BLOB_UNKNOWN")
    error_code(berth.curl("GET", "/v2/team/missing/manifests/v1"), 404, "MANIFEST_UNKNOWN")


def test_index_with_missing_child(berth, client):
    client.push_blob("team/missingchild", b"x")
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": sha256_digest(b"no such manifest"), "size": 16}]}).encode()
    r = berth.curl("PUT", "/v2/team/missingchild/manifests/v1", headers={"Content-Type": OCI_INDEX}, data=body)
    error_code(r, 400, "MANIFEST_BLOB_UNKNOWN")


def padded_manifest(client, repo: str, total: int) -> bytes:
    base = json.loads(build_manifest(client, repo, OCI_MANIFEST))
    base["annotations"] = {"pad": ""}
    overhead = len(json.dumps(base).encode())
    base["annotations"]["pad"] = "p" * (total - overhead)
    body = json.dumps(base).encode()
    assert len(body) == total
    return body


def test_large_manifest_under_limit_is_accepted(berth, client):
    body = padded_manifest(client, "team/big", 4 * 1024 * 1024 - 4096)
    r = berth.curl("PUT", "/v2/team/big/manifests/v1", headers={"Content-Type": OCI_MANIFEST}, data=body)
    assert r.status == 201, str(r)
    r = berth.curl("GET", "/v2/team/big/manifests/v1", headers={"Accept": OCI_MANIFEST})
    assert r.body == body


def test_oversize_manifest_is_413(berth, client):
    body = padded_manifest(client, "team/toobig", 4 * 1024 * 1024 + 1)
    r = berth.curl("PUT", "/v2/team/toobig/manifests/v1", headers={"Content-Type": OCI_MANIFEST}, data=body)
    assert r.status == 413, str(r)
    assert berth.curl("HEAD", "/v2/team/toobig/manifests/v1").status == 404
    assert berth.curl("GET", "/v2/").status == 200  # the server is fine afterwards


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"schemaVersion": 2, "mediaType": "' + OCI_MANIFEST.encode()
                                  + b'", "layers": "nope"}', b'{"schemaVersion": 1}'])
def test_invalid_manifest(berth, client, body):
    client.push_blob("team/invalid", b"x")
    r = berth.curl("PUT", "/v2/team/invalid/manifests/v1", headers={"Content-Type": OCI_MANIFEST}, data=body)
    error_code(r, 400, "MANIFEST_INVALID")


def test_manifest_delete_by_digest_removes_tags(berth, client):
    image = client.push_image("team/delm", "one")
    client.push_manifest("team/delm", "two", image.manifest, OCI_MANIFEST)
    r = berth.curl("DELETE", f"/v2/team/delm/manifests/{image.digest}")
    assert r.status == 202, str(r)
    for reference in ("one", "two", image.digest):
        error_code(berth.curl("GET", f"/v2/team/delm/manifests/{reference}", headers={"Accept": ACCEPT_ALL}),
                   404, "MANIFEST_UNKNOWN")
    r = berth.curl("GET", "/v2/team/delm/tags/list")
    if r.status == 200:
        assert not (r.json().get("tags") or []), str(r)
    else:
        error_code(r, 404, "NAME_UNKNOWN")
    error_code(berth.curl("DELETE", f"/v2/team/delm/manifests/{image.digest}"), 404, "MANIFEST_UNKNOWN")


def test_tag_delete(berth, client):
    image = client.push_image("team/delt", "keep")
    client.push_manifest("team/delt", "drop", image.manifest, OCI_MANIFEST)
    r = berth.curl("DELETE", "/v2/team/delt/manifests/drop")
    assert r.status == 202, str(r)
    error_code(berth.curl("GET", "/v2/team/delt/manifests/drop", headers={"Accept": ACCEPT_ALL}), 404,
               "MANIFEST_UNKNOWN")
    for reference in ("keep", image.digest):
        r = berth.curl("GET", f"/v2/team/delt/manifests/{reference}", headers={"Accept": ACCEPT_ALL})
        assert r.status == 200 and r.body == image.manifest, str(r)
    assert berth.curl("GET", "/v2/team/delt/tags/list").json()["tags"] == ["keep"]


def test_manifests_are_scoped_to_repositories(berth, client):
    image = client.push_image("team/mine", "v1")
    client.push_blob("team/yours", b"x")
    error_code(berth.curl("GET", f"/v2/team/yours/manifests/{image.digest}", headers={"Accept": ACCEPT_ALL}),
               404, "MANIFEST_UNKNOWN")


# ------------------------------------------------------------------------------------- tags, catalog


def next_link(r) -> str | None:
    link = r.headers.get("Link")
    if not link:
        return None
    assert 'rel="next"' in link, link
    return link[link.index("<") + 1:link.index(">")]


def test_tags_list_and_pagination(berth, client):
    image = client.push_image("team/tags", "b")
    for tag in ("e", "a", "d", "c"):
        client.push_manifest("team/tags", tag, image.manifest, OCI_MANIFEST)
    r = berth.curl("GET", "/v2/team/tags/tags/list")
    assert r.status == 200, str(r)
    assert r.json() == {"name": "team/tags", "tags": ["a", "b", "c", "d", "e"]}
    assert r.headers.get("Content-Type", "").startswith("application/json"), str(r)

    r = berth.curl("GET", "/v2/team/tags/tags/list?n=2")
    assert r.status == 200, str(r)
    assert r.json()["tags"] == ["a", "b"]
    pages = [r.json()["tags"]]
    link = next_link(r)
    assert link and "last=b" in link and "n=2" in link, str(r)
    while link:
        r = berth.curl("GET", link)
        assert r.status == 200, str(r)
        pages.append(r.json()["tags"])
        link = next_link(r)
        assert len(pages) < 10
    assert pages == [["a", "b"], ["c", "d"], ["e"]]

    r = berth.curl("GET", "/v2/team/tags/tags/list?last=c")
    assert r.json()["tags"] == ["d", "e"], str(r)
    r = berth.curl("GET", "/v2/team/tags/tags/list?n=0")
    assert r.status == 200 and not r.json().get("tags") and not r.headers.get("Link"), str(r)
    for bad in ("-1", "abc"):
        error_code(berth.curl("GET", f"/v2/team/tags/tags/list?n={bad}"), 400, "PAGINATION_NUMBER_INVALID")


def test_unknown_repository(berth):
    error_code(berth.curl("GET", "/v2/team/nothing/tags/list"), 404, "NAME_UNKNOWN")
    error_code(berth.curl("GET", "/v2/team/nothing/manifests/latest"), 404, "NAME_UNKNOWN", "MANIFEST_UNKNOWN")
    error_code(berth.curl("GET", f"/v2/team/nothing/blobs/{sha256_digest(b'')}"), 404, "NAME_UNKNOWN",
               "BLOB_UNKNOWN")


def test_catalog_pagination(berth, client):
    repos = ["alpha/one", "beta/two", "gamma/three", "delta/four"]
    for repo in repos:
        client.push_image(repo, "v1")
    r = berth.curl("GET", "/v2/_catalog")
    assert r.status == 200, str(r)
    assert r.json()["repositories"] == sorted(repos)
    r = berth.curl("GET", "/v2/_catalog?n=3")
    pages = [r.json()["repositories"]]
    link = next_link(r)
    assert link, str(r)
    while link:
        r = berth.curl("GET", link)
        assert r.status == 200, str(r)
        pages.append(r.json()["repositories"])
        link = next_link(r)
        assert len(pages) < 10
    assert pages == [sorted(repos)[:3], sorted(repos)[3:]]
    r = berth.curl("GET", "/v2/_catalog?n=2&last=beta/two")
    assert r.json()["repositories"] == ["delta/four", "gamma/three"], str(r)


# ----------------------------------------------------------------------------------------- referrers


def push_artifact(berth, client, repo, subject_digest, subject_size, artifact_type=None, config_type=None,
                  annotations=None):
    client.push_blob(repo, EMPTY_CONFIG)
    layer = os.urandom(64)
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": config_type or EMPTY_MEDIA_TYPE, "digest": sha256_digest(EMPTY_CONFIG), "size": 2},
        "layers": [{"mediaType": "application/octet-stream", "digest": client.push_blob(repo, layer),
                    "size": len(layer)}],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject_digest, "size": subject_size},
    }
    if artifact_type:
        manifest["artifactType"] = artifact_type
    if annotations:
        manifest["annotations"] = annotations
    body = json.dumps(manifest).encode()
    digest = sha256_digest(body)
    r = berth.curl("PUT", f"/v2/{repo}/manifests/{digest}", headers={"Content-Type": OCI_MANIFEST}, data=body)
    assert r.status == 201, str(r)
    assert r.headers.get("OCI-Subject") == subject_digest, str(r)
    return digest, len(body)


def test_referrers(berth, client):
    repo = "team/refs"
    subject = client.push_image(repo, "v1")
    sbom, sbom_size = push_artifact(berth, client, repo, subject.digest, len(subject.manifest),
                                    artifact_type="application/vnd.example.sbom", annotations={"k": "v"})
    sig, _ = push_artifact(berth, client, repo, subject.digest, len(subject.manifest),
                           config_type="application/vnd.example.sig.config+json")
    push_artifact(berth, client, repo, sha256_digest(b"another subject"), 10, artifact_type="application/x-other")

    r = berth.curl("GET", f"/v2/{repo}/referrers/{subject.digest}")
    assert r.status == 200, str(r)
    assert r.headers.get("Content-Type") == OCI_INDEX, str(r)
    index = r.json()
    assert index["schemaVersion"] == 2 and index.get("mediaType") == OCI_INDEX, index
    by_digest = {d["digest"]: d for d in index["manifests"]}
    assert set(by_digest) == {sbom, sig}, index
    assert by_digest[sbom]["artifactType"] == "application/vnd.example.sbom"
    assert by_digest[sbom]["size"] == sbom_size
    assert by_digest[sbom]["mediaType"] == OCI_MANIFEST
    assert by_digest[sbom].get("annotations") == {"k": "v"}
    assert by_digest[sig]["artifactType"] == "application/vnd.example.sig.config+json"

    r = berth.curl("GET", f"/v2/{repo}/referrers/{subject.digest}?artifactType=application/vnd.example.sbom")
    assert r.status == 200, str(r)
    assert [d["digest"] for d in r.json()["manifests"]] == [sbom]
    assert "artifactType" in r.headers.get("OCI-Filters-Applied", ""), str(r)


def test_referrer_pushed_before_its_subject(berth, client):
    repo = "team/early"
    future = sha256_digest(b"subject pushed later")
    digest, _ = push_artifact(berth, client, repo, future, 20, artifact_type="application/vnd.example.early")
    r = berth.curl("GET", f"/v2/{repo}/referrers/{future}")
    assert r.status == 200 and [d["digest"] for d in r.json()["manifests"]] == [digest], str(r)


def test_referrers_of_unknown_subject(berth, client):
    client.push_image("team/norefs", "v1")
    r = berth.curl("GET", f"/v2/team/norefs/referrers/{sha256_digest(b'nobody points here')}")
    assert r.status == 200, str(r)
    assert r.json().get("manifests") == [], str(r)
    assert r.headers.get("Content-Type") == OCI_INDEX
    assert berth.curl("GET", "/v2/team/norefs/referrers/sha256:nothex").status == 400


# --------------------------------------------------------------------------------- names and paths


def files_outside_data(berth, tmp_path: Path) -> set:
    """Everything a path escape from the data dir could create: this test's tmp dir (recursively)
    and the entries of the two directories above it."""
    found = set(tmp_path.rglob("*")) - set(berth.data_dir.rglob("*"))
    for directory in (tmp_path.parents[0], tmp_path.parents[1]):
        found |= set(directory.iterdir())
    return found


@pytest.mark.parametrize("path", [
    "/v2/Team/App/tags/list",
    "/v2/team/../../etc/tags/list",
    "/v2/team/%2e%2e/%2e%2e/etc/tags/list",
    "/v2/team/..%2f..%2fescape/tags/list",
    "/v2/..%2f..%2fescape/blobs/uploads/",
    "/v2/team/app/manifests/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/v2/team/app/blobs/sha256:..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/v2/team/app/blobs/uploads/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/v2/team//app/tags/list",
    "/v2/team/app-/tags/list",
    "/v2/" + "a" * 300 + "/tags/list",
])
def test_bad_names_and_path_tricks(berth, client, tmp_path, path):
    client.push_image("team/app", "v1")
    before = files_outside_data(berth, tmp_path)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        r = berth.curl(method, path, data=b"x" if method in ("PUT", "PATCH") else None)
        assert r.status in (400, 404, 405), f"{method} {path}: {r}"
        assert b"root:" not in r.body
        if r.status == 400:
            assert set(r.error_codes()) & {"NAME_INVALID", "DIGEST_INVALID", "TAG_INVALID", "UNSUPPORTED",
                                           "BLOB_UPLOAD_UNKNOWN", "MANIFEST_INVALID"}, f"{method} {path}: {r}"
    after = files_outside_data(berth, tmp_path)
    created = {p for p in after - before if not p.name.startswith(("curl-", "pytest-"))}
    assert created == set(), "a request created files outside the data dir"
    assert not Path("/etc/escape").exists()


def test_uppercase_name_is_name_invalid(berth):
    error_code(berth.curl("POST", "/v2/Team/App/blobs/uploads/"), 400, "NAME_INVALID")


def test_bad_tag_is_rejected(berth, client):
    body = build_manifest(client, "team/badtag", OCI_MANIFEST)
    r = berth.curl("PUT", "/v2/team/badtag/manifests/-bad!tag", headers={"Content-Type": OCI_MANIFEST}, data=body)
    assert r.status in (400, 404), str(r)
    r = berth.curl("PUT", "/v2/team/badtag/manifests/" + "t" * 129, headers={"Content-Type": OCI_MANIFEST},
                   data=body)
    assert r.status in (400, 404), str(r)


# ---------------------------------------------------------------------------------- health, metrics


def test_healthz(berth):
    r = berth.curl("GET", "/healthz")
    assert r.status == 200, str(r)


def test_serving_never_maps_libcurl(berth):
    """libcurl and its ~20 libraries are loaded on first outbound fetch (an issuer's keys), not at
    start-up: a registry that fetches nothing keeps them out of its memory."""
    assert berth.curl("GET", "/v2/").status == 200
    maps = Path(f"/proc/{berth.proc.pid}/maps").read_text()
    assert "libcurl" not in maps and "libgnutls" not in maps and "libldap" not in maps
    assert "libsqlite3" in maps


def test_metrics(berth):
    assert berth.curl("GET", "/v2/").status == 200
    r = berth.curl("GET", "/metrics")
    assert r.status == 200, str(r)
    assert r.headers.get("Content-Type", "").startswith("text/plain"), str(r)
    text = r.body.decode()
    samples = [line for line in text.splitlines() if line.startswith("berth_http_requests_total")]
    assert samples, text[:2000]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in samples) >= 1
    values = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines()
              if line.startswith("berth_audit_")}
    # Group commit: a transaction holds one or more events, never none.
    assert set(values) == {"berth_audit_commits_total", "berth_audit_events_total"}, text[-2000:]
    assert values["berth_audit_events_total"] >= values["berth_audit_commits_total"]
