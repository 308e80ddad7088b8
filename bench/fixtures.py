"""Benchmark inputs: large random blobs and small OCI images, all with known digests."""

import contextlib
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile

_CHUNK = 8 << 20

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


class Blob:
    def __init__(self, path, size, digest):
        self.path = path
        self.size = size
        self.digest = digest


@contextlib.contextmanager
def _keystream(seed):
    """Pseudo-random, incompressible bytes from AES-CTR: far faster than /dev/urandom (~0.2 GB/s here)."""
    proc = subprocess.Popen(["openssl", "enc", "-aes-128-ctr", "-nosalt", "-pbkdf2", "-pass", f"pass:{seed}",
                             "-in", "/dev/zero"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        yield proc.stdout
    finally:
        proc.kill()
        proc.wait()


def _read_exactly(stream, size):
    data = stream.read(size)
    if len(data) != size:
        raise RuntimeError("openssl keystream ended early")
    return data


def random_blob(path, size, seed):
    hasher = hashlib.sha256()
    remaining = size
    with _keystream(seed) as stream, open(path, "wb") as out:
        while remaining:
            chunk = _read_exactly(stream, min(_CHUNK, remaining))
            hasher.update(chunk)
            out.write(chunk)
            remaining -= len(chunk)
    return Blob(path, size, "sha256:" + hasher.hexdigest())


def variant_blob(base, path, label):
    """A copy of `base` whose first bytes are `label`: a distinct digest for each run, at copy speed instead of
    keystream speed (one 1 GiB blob costs ~5 s this way against ~20 s on a busy machine)."""
    with open(base.path, "rb") as src, open(path, "wb") as dst:
        copied = 0
        while copied < base.size:
            copied += os.copy_file_range(src.fileno(), dst.fileno(), base.size - copied)
        os.pwrite(dst.fileno(), label.encode().ljust(32, b"\0")[:min(32, base.size)], 0)
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return Blob(path, base.size, "sha256:" + digest)


def random_bytes(size, seed):
    with _keystream(seed) as stream:
        return _read_exactly(stream, size)


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _layer(payload, name):
    """A gzip'ed tar holding one file. Stored (level 0) gzip: skopeo detects a compressed layer and copies it as
    is, instead of spending the run compressing an uncompressed one for the registry."""
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    tar_bytes = tar_buffer.getvalue()
    return gzip.compress(tar_bytes, compresslevel=0, mtime=0), sha256_digest(tar_bytes)


class Image:
    """An OCI image in memory: config, layers and the manifest bytes that name them."""

    def __init__(self, layers, diff_ids):
        self.layers = layers
        config = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        self.config = json.dumps(config, separators=(",", ":")).encode()
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha256_digest(self.config), "size": len(self.config)},
            "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": sha256_digest(layer), "size": len(layer)}
                       for layer in layers],
        }
        self.manifest = json.dumps(manifest, indent=3).encode()
        self.manifest_digest = sha256_digest(self.manifest)

    def blobs(self):
        return [self.config, *self.layers]


def make_image(layer_count, layer_size, seed):
    payload = memoryview(random_bytes(layer_count * layer_size, seed))
    built = [_layer(payload[i * layer_size:(i + 1) * layer_size], f"layer-{i}.bin") for i in range(layer_count)]
    return Image([blob for blob, _ in built], [diff_id for _, diff_id in built])


def write_oci_layout(image, directory, tag):
    """An OCI image layout directory (what `skopeo copy oci:DIR:TAG` reads)."""
    blob_dir = os.path.join(directory, "blobs", "sha256")
    os.makedirs(blob_dir)
    for data in [*image.blobs(), image.manifest]:
        with open(os.path.join(blob_dir, sha256_digest(data).split(":", 1)[1]), "wb") as f:
            f.write(data)
    with open(os.path.join(directory, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": OCI_MANIFEST, "digest": image.manifest_digest, "size": len(image.manifest),
        "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    with open(os.path.join(directory, "index.json"), "w") as f:
        json.dump(index, f)
