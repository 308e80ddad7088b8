"""The garbage-collection benchmark's store: many small images, written straight into berth's data
directory and into the reference registry's filesystem layout, exactly as pushes would have left them.

Image m has one config and LAYERS layers, all its own (BLOBS_PER_IMAGE blobs), lives in repository
m // images_per_repository and is tagged build-<m>. Every DELETE_EVERY-th image is the one the
benchmark deletes, so deleting a tenth of the images leaves a tenth of the blobs unreferenced. All
content is a function of m, so any part of the store can be written again (restore between runs)
with the same bytes.

Pushing a million blobs through either API would take hours, so the writers produce the pushes'
result directly; `gc_bench.check_equivalence` pushes a few of the same images through each registry's
API and compares the stores byte for byte.
"""

import hashlib
import json
import os
import sqlite3
import subprocess

from fixtures import OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST

LAYERS = 9
BLOBS_PER_IMAGE = LAYERS + 1
DELETE_EVERY = 10
REPOSITORY_PREFIX = "gcbench/r"


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


class Image:
    """One image's bytes and digests (hex, without "sha256:")."""

    def __init__(self, index, repository, tag):
        self.index = index
        self.repository = repository
        self.tag = tag
        first = index * BLOBS_PER_IMAGE
        # Layer sizes vary from 256 B to 4 KiB (one filesystem block): small, as the issue asks, and not all alike.
        self.layers = [_layer_bytes(first + 1 + i) for i in range(LAYERS)]
        config = {"architecture": "amd64", "os": "linux", "config": {"Labels": {"bench.image": str(index)}},
                  "rootfs": {"type": "layers", "diff_ids": []}}
        self.config = json.dumps(config, separators=(",", ":")).encode()
        self.blobs = [self.config, *self.layers]
        self.blob_hexes = [sha256_hex(blob) for blob in self.blobs]
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": "sha256:" + self.blob_hexes[0], "size": len(self.config)},
            "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": "sha256:" + hex_, "size": len(layer)}
                       for hex_, layer in zip(self.blob_hexes[1:], self.layers)],
        }
        self.manifest = json.dumps(manifest, separators=(",", ":")).encode()
        self.manifest_hex = sha256_hex(self.manifest)

    @property
    def manifest_digest(self):
        return "sha256:" + self.manifest_hex


def _layer_bytes(blob_index):
    size = 256 + (blob_index * 7919) % 3841
    return f"berth gc bench blob {blob_index}\n".encode().ljust(size, b".")


class Layout:
    """Which image lives where; `images` must be a multiple of `repositories` and of DELETE_EVERY."""

    def __init__(self, blobs, repositories):
        if blobs % BLOBS_PER_IMAGE or (blobs // BLOBS_PER_IMAGE) % (repositories * DELETE_EVERY):
            raise SystemExit(f"gc bench: the blob count must be a multiple of {BLOBS_PER_IMAGE * DELETE_EVERY} x "
                             f"the repository count ({repositories})")
        self.blobs = blobs
        self.images = blobs // BLOBS_PER_IMAGE
        self.repositories = repositories
        self.per_repository = self.images // repositories

    def repository(self, index):
        return f"{REPOSITORY_PREFIX}{index // self.per_repository:05d}"

    def image(self, index):
        return Image(index, self.repository(index), f"build-{index:07d}")

    def all_images(self):
        return (self.image(m) for m in range(self.images))

    def deleted_images(self):
        return (self.image(m) for m in range(0, self.images, DELETE_EVERY))

    @staticmethod
    def is_deleted(image):
        return image.index % DELETE_EVERY == 0


def _write_file(path, data, only_missing):
    """Writes `data` to `path`; with only_missing, leaves an existing file alone (restoring after a run)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | (os.O_EXCL if only_missing else os.O_TRUNC)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return True


def _make_dirs(path):
    os.makedirs(path, exist_ok=True)


# --- berth ------------------------------------------------------------------------------------------------

class BerthStore:
    """berth's data directory: blobs/sha256/<2 hex>/<hex> files and the SQLite metadata (metadata_store.hpp)."""

    def __init__(self, binary, data_dir):
        self.binary = binary
        self.data = data_dir
        self.blob_root = os.path.join(data_dir, "blobs", "sha256")
        self.db_path = os.path.join(data_dir, "berth.db")

    def blob_path(self, hex_):
        return os.path.join(self.blob_root, hex_[:2], hex_)

    def create(self):
        """berth itself creates the directory, the schema (all migrations) and its keys."""
        subprocess.run([self.binary, "repository", "create", "--data", self.data, REPOSITORY_PREFIX + "schema"],
                       check=True, capture_output=True)
        db = sqlite3.connect(self.db_path)
        with db:
            db.execute("DELETE FROM repositories")
        db.close()

    def write_blobs(self, image, only_missing=False):
        written = 0
        for hex_, blob in zip(image.blob_hexes, image.blobs):
            path = self.blob_path(hex_)
            # berth creates a prefix directory with its first blob; so does this (the stores must compare equal).
            _make_dirs(os.path.dirname(path))
            written += _write_file(path, blob, only_missing)
        return written

    def insert(self, images, pushed_at):
        """One transaction with the rows the pushes of `images` leave once a collection has reviewed their
        uploads: repository, blob links, manifest, its references, tag and the PutManifest audit event.
        `pushed_at(image)` gives each push's unix time."""
        db = sqlite3.connect(self.db_path)
        try:
            # 1 GiB of page cache: the blob-link indexes are keyed by digest, i.e. random order.
            db.execute("PRAGMA cache_size = -1048576")
            db.execute("PRAGMA foreign_keys = ON")
            repositories = set()
            with db:
                for image in images:
                    when = pushed_at(image)
                    if image.repository not in repositories:
                        repositories.add(image.repository)
                        db.execute("INSERT INTO repositories (name, created) VALUES (?, ?)", (image.repository, when))
                    _insert_image(db, image, when)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:  # also when stopped midway: an open database would keep the loop image busy
            db.close()

    def dump(self):
        """Every row of the tables pushes and deletes touch, times and client ports replaced, for comparison."""
        db = sqlite3.connect(self.db_path)
        queries = {
            "repositories": "SELECT name, tag_mutability, tag_mutability_exclusions, scan_on_push, resource_tags, "
                            "lifecycle_policy, lifecycle_evaluated, policy FROM repositories ORDER BY name",
            "repository_blobs": "SELECT * FROM repository_blobs ORDER BY repository, digest",
            "manifests": "SELECT repository, digest, media_type, content, subject, artifact_type, annotations, "
                         "last_pulled FROM manifests ORDER BY repository, digest",
            "manifest_references": "SELECT * FROM manifest_references ORDER BY 1, 2, 3",
            "tags": "SELECT repository, tag, digest FROM tags ORDER BY repository, tag",
            "audit_events": "SELECT id, action, repository, reference, digest, previous_digest, role_arn, "
                            "role_session_name, access_key_id, substr(source_address, 1, instr(source_address, ':')), "
                            "issuer, subject, audience, claims_json FROM audit_events ORDER BY id",
            "gc_blob_reviews": "SELECT * FROM gc_blob_reviews ORDER BY digest",
            "gc_manifest_reviews": "SELECT repository, digest FROM gc_manifest_reviews ORDER BY 1, 2",
            "uploads": "SELECT * FROM uploads ORDER BY id",
        }
        try:
            return {table: db.execute(sql).fetchall() for table, sql in queries.items()}
        finally:
            db.close()


def _insert_image(db, image, when):
    """The rows one image's push leaves in berth's metadata (sqlite_metadata_store.cpp, store_manifest)."""
    repo, digest = image.repository, image.manifest_digest
    db.executemany("INSERT INTO repository_blobs (repository, digest, size) VALUES (?, ?, ?)",
                   [(repo, "sha256:" + hex_, len(blob)) for hex_, blob in zip(image.blob_hexes, image.blobs)])
    db.execute("INSERT INTO manifests (repository, digest, media_type, content, subject, artifact_type, annotations, "
               "created) VALUES (?, ?, ?, ?, NULL, ?, '', ?)",
               (repo, digest, OCI_MANIFEST, image.manifest, OCI_CONFIG, when))
    db.executemany("INSERT INTO manifest_references (repository, manifest_digest, child_digest, kind) "
                   "VALUES (?, ?, ?, 0)", [(repo, digest, "sha256:" + hex_) for hex_ in image.blob_hexes])
    db.execute("INSERT INTO tags (repository, tag, digest, updated) VALUES (?, ?, ?, ?)",
               (repo, image.tag, digest, when))
    db.execute("INSERT INTO audit_events (time, action, repository, reference, digest, previous_digest, role_arn, "
               "role_session_name, access_key_id, source_address, issuer, subject, audience, claims_json) "
               "VALUES (?, 'registry:PutManifest', ?, ?, ?, '', '', '', '', '127.0.0.1:40000', '', '', '', '{}')",
               (when, repo, image.tag, digest))


# --- reference registry (CNCF distribution 2.8, registry/storage/paths.go) ----------------------------------

class ReferenceStore:
    """docker/registry/v2 under `root`: blobs/sha256/<2 hex>/<hex>/data, and per repository the _layers
    links, _manifests/revisions links, _manifests/tags/<tag>/{current,index/sha256/<hex>}/link, _uploads."""

    def __init__(self, root):
        self.root = root
        self.v2 = os.path.join(root, "docker", "registry", "v2")
        self.blob_root = os.path.join(self.v2, "blobs", "sha256")

    def blob_dir(self, hex_):
        return os.path.join(self.blob_root, hex_[:2], hex_)

    def repository_dir(self, repository):
        return os.path.join(self.v2, "repositories", repository)

    def _link(self, directory, hex_, only_missing):
        _make_dirs(directory)
        return _write_file(os.path.join(directory, "link"), ("sha256:" + hex_).encode(), only_missing)

    def write_image(self, image, only_missing=False, layer_links=True):
        """The blob files (config, layers, manifest) and the repository's links. layer_links=False skips the
        _layers links, which neither a manifest DELETE nor garbage-collect removes."""
        written = 0
        for hex_, blob in [*zip(image.blob_hexes, image.blobs), (image.manifest_hex, image.manifest)]:
            directory = self.blob_dir(hex_)
            _make_dirs(directory)
            written += _write_file(os.path.join(directory, "data"), blob, only_missing)
        repo = self.repository_dir(image.repository)
        if layer_links:
            for hex_ in image.blob_hexes:
                written += self._link(os.path.join(repo, "_layers", "sha256", hex_), hex_, only_missing)
            _make_dirs(os.path.join(repo, "_uploads"))
        manifests = os.path.join(repo, "_manifests")
        written += self._link(os.path.join(manifests, "revisions", "sha256", image.manifest_hex), image.manifest_hex,
                              only_missing)
        tag = os.path.join(manifests, "tags", image.tag)
        written += self._link(os.path.join(tag, "index", "sha256", image.manifest_hex), image.manifest_hex,
                              only_missing)
        written += self._link(os.path.join(tag, "current"), image.manifest_hex, only_missing)
        return written


def tree(root):
    """{path relative to root: file bytes, or None for a directory}: a store's whole content, for comparison."""
    entries = {}
    for directory, subdirs, files in os.walk(root):
        for name in subdirs:
            entries[os.path.relpath(os.path.join(directory, name), root)] = None
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                entries[os.path.relpath(path, root)] = f.read()
    return entries
