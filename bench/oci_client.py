"""The few OCI Distribution calls the benchmark makes, timed, plus the client's own CPU cost.

Large bodies go out with sendfile(2) (chunked push) or curl (monolithic push), so the client is not
what limits the measured rate; every result carries the client's CPU seconds to show it.
"""

import http.client
import resource
import subprocess
import time
import urllib.parse

from fixtures import OCI_MANIFEST, sha256_digest


class PushError(RuntimeError):
    pass


def _cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _connection(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)


def _path(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _with_digest(url, digest):
    return url + ("&" if "?" in url else "?") + "digest=" + digest


def _expect(response, statuses, what):
    body = response.read()
    if response.status not in statuses:
        raise PushError(f"{what}: HTTP {response.status} {body[:300]!r}")
    return body


def _start_upload(conn, base, repo, headers=None):
    conn.request("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0", **(headers or {})})
    response = conn.getresponse()
    _expect(response, (202,), "POST upload")
    return urllib.parse.urljoin(base + "/", response.getheader("Location"))


def monolithic_push(base, repo, blob):
    """POST a session, then one PUT ?digest= carrying the whole file via `curl -T` (Expect: 100-continue)."""
    cpu_before = _cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    conn = _connection(base)
    try:
        upload_url = _start_upload(conn, base, repo)
    finally:
        conn.close()
    post_seconds = time.perf_counter() - started
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-T", blob.path, "-H", "Content-Type: application/octet-stream",
         "-w", "%{http_code} %{time_total} %{size_upload}", _with_digest(upload_url, blob.digest)],
        capture_output=True, text=True, check=False)
    code, put_seconds, sent = result.stdout.split() if result.returncode == 0 else ("000", "0", "0")
    if code != "201" or int(float(sent)) != blob.size:
        raise PushError(f"monolithic PUT: curl rc={result.returncode} code={code} sent={sent} {result.stderr.strip()}")
    return {"seconds": post_seconds + float(put_seconds), "client_cpu_s": _cpu(resource.RUSAGE_CHILDREN) - cpu_before}


def chunked_push(base, repo, blob, chunk_size):
    """POST, PATCH chunks with Content-Range (following each returned Location), then PUT ?digest= with no body."""
    cpu_before = _cpu(resource.RUSAGE_SELF)
    started = time.perf_counter()
    conn = _connection(base)
    try:
        upload_url = _start_upload(conn, base, repo)
        with open(blob.path, "rb") as f:
            offset = 0
            while offset < blob.size:
                count = min(chunk_size, blob.size - offset)
                conn.putrequest("PATCH", _path(upload_url), skip_accept_encoding=True)
                conn.putheader("Content-Type", "application/octet-stream")
                conn.putheader("Content-Length", str(count))
                conn.putheader("Content-Range", f"{offset}-{offset + count - 1}")
                conn.endheaders()
                if conn.sock.sendfile(f, offset, count) != count:
                    raise PushError("short sendfile")
                response = conn.getresponse()
                _expect(response, (202,), f"PATCH at {offset}")
                upload_url = urllib.parse.urljoin(upload_url, response.getheader("Location"))
                offset += count
        conn.request("PUT", _path(_with_digest(upload_url, blob.digest)), headers={"Content-Length": "0"})
        _expect(conn.getresponse(), (201,), "final PUT")
    finally:
        conn.close()
    return {"seconds": time.perf_counter() - started, "client_cpu_s": _cpu(resource.RUSAGE_SELF) - cpu_before}


def push_bytes(base, repo, data, digest, headers=None):
    conn = _connection(base)
    try:
        upload_url = _start_upload(conn, base, repo, headers)
        conn.request("PUT", _path(_with_digest(upload_url, digest)), body=data,
                     headers={"Content-Type": "application/octet-stream", **(headers or {})})
        _expect(conn.getresponse(), (201,), "PUT small blob")
    finally:
        conn.close()


def push_manifest(base, repo, reference, manifest, media_type, headers=None):
    conn = _connection(base)
    try:
        conn.request("PUT", f"/v2/{repo}/manifests/{reference}", body=manifest,
                     headers={"Content-Type": media_type, **(headers or {})})
        _expect(conn.getresponse(), (201,), "PUT manifest")
    finally:
        conn.close()


def push_image(base, repo, tag, image, headers=None):
    """`headers` go with every request (an Authorization for a registry that wants one)."""
    for data in image.blobs():
        push_bytes(base, repo, data, sha256_digest(data), headers)
    push_manifest(base, repo, tag, image.manifest, OCI_MANIFEST, headers)


def blob_length(base, repo, digest):
    """Content-Length of HEAD blob, or None when the registry does not have it."""
    conn = _connection(base)
    try:
        conn.request("HEAD", f"/v2/{repo}/blobs/{digest}")
        response = conn.getresponse()
        response.read()
        return int(response.getheader("Content-Length")) if response.status == 200 else None
    finally:
        conn.close()


def pull(url, expected_size):
    """GET with curl into /dev/null; returns seconds (curl's own time_total) and curl's CPU."""
    cpu_before = _cpu(resource.RUSAGE_CHILDREN)
    result = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total} %{size_download}",
                             "-H", "Accept: */*", url], capture_output=True, text=True, check=False)
    code, seconds, received = result.stdout.split() if result.returncode == 0 else ("000", "0", "0")
    if code != "200" or int(float(received)) != expected_size:
        raise PushError(f"GET {url}: curl rc={result.returncode} code={code} got={received} {result.stderr.strip()}")
    return {"seconds": float(seconds), "client_cpu_s": _cpu(resource.RUSAGE_CHILDREN) - cpu_before}


def delete_manifests(base, targets):
    """DELETE /v2/<repo>/manifests/<digest> for each (repo, digest) in `targets`, in order, on one keep-alive
    connection, as a cleanup script would; every answer must be 202."""
    conn = _connection(base)
    try:
        for repo, digest in targets:
            conn.request("DELETE", f"/v2/{repo}/manifests/{digest}")
            _expect(conn.getresponse(), (202,), f"DELETE {repo}@{digest}")
    finally:
        conn.close()
