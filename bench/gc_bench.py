"""Garbage collection: berth against the reference registry (CNCF distribution 2.8) in one run.

Both registries get the same store (bench/gc_fixture.py): BENCH_GC_BLOBS blobs in images of ten blobs
(a config and nine layers), spread over BENCH_GC_REPOS repositories, every image tagged. The harness
deletes every tenth image by digest through each registry's API (`DELETE /v2/<name>/manifests/<digest>`),
then runs each registry's collector with nothing kept back: `berth gc` with zero grace periods, and
`docker-registry garbage-collect` (offline mark and sweep). It measures the deletes, the collector's
wall time, CPU time and peak RSS, and what it freed, and checks that exactly the deleted images' blobs
are gone. See docs/benchmarks.md, "Garbage collection".

  /usr/bin/python3 bench/gc_bench.py                                  (make bench-gc)
  BENCH_GC_BLOBS=100000 BENCH_GC_REPOS=100 BENCH_RUNS=1 ...           (quick check, a few minutes)

Every server is stopped and the work dir removed on exit, error, SIGINT, SIGTERM or SIGHUP.
"""

import concurrent.futures
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import gc_fixture
import oci_client
import report
import servers
from bench import RunMeter, log, machine_info, read_common_settings, write_results
from fixtures import OCI_MANIFEST

MIB = 1 << 20
MB = 1e6

# berth's collector with nothing kept back: the deleted images' blobs are due at once. The scheduled
# collector inside `berth serve` stays off, so only the timed `berth gc` collects.
_BERTH_CONFIG = """gc {
  enabled                = false
  grace_period_seconds   = 0
  upload_grace_seconds   = 0
  upload_max_age_seconds = 0
}
"""


# attribute: (environment variable, default). A bool default makes a 0/1 flag.
_SETTINGS = {
    "blobs": ("BENCH_GC_BLOBS", 1_000_000),              # blobs in the store, ten per image
    "repositories": ("BENCH_GC_REPOS", 1000),            # the images spread evenly over these
    "connections": ("BENCH_GC_DELETE_CONNECTIONS", 4),   # parallel keep-alive connections for the DELETEs
    "fsck": ("BENCH_GC_FSCK", True),                     # berth fsck before measuring and after every GC
    "profile": ("BENCH_GC_PROFILE", True),               # one more berth GC under strace -c -w
    "drop_caches": ("BENCH_GC_DROP_CACHES", False),      # cold page cache before each timed step (root)
    "loop": ("BENCH_GC_LOOP", False),                    # work on a loop-mounted ext4 image (root)
    "timeout": ("BENCH_GC_TIMEOUT", 7200),               # seconds one collector may take
}


class Config:
    def __init__(self, env):
        read_common_settings(self, env, "build/bench-gc-results")
        for name, (variable, default) in _SETTINGS.items():
            value = env.get(variable)
            if value is None:
                setattr(self, name, default)
            else:
                setattr(self, name, value == "1" if isinstance(default, bool) else int(value))
        if self.runs < 1 or self.connections < 1 or self.repositories < 1:
            raise SystemExit("gc bench: BENCH_RUNS, BENCH_GC_DELETE_CONNECTIONS and BENCH_GC_REPOS must be >= 1")


def mount_of(path):
    """(mount point, filesystem type, options) of the filesystem holding `path`: the longest mount point
    that contains it."""
    best = ("", "?", "")
    with open("/proc/self/mounts") as f:
        for line in f:
            mount_point, fs_type, options = line.split()[1:4]
            inside = path == mount_point or path.startswith(mount_point.rstrip("/") + "/")
            if inside and len(mount_point) > len(best[0]):
                best = (mount_point, fs_type, options)
    return best


class ImageFilesystem:
    """A fresh ext4 filesystem in a sparse image file, on a loop device with direct I/O (so its pages are
    not cached twice), mounted with ext4's defaults. On a disk mounted with `discard`, each freed block
    costs a discard request, and removing millions of small files takes hours; unmounting this one and
    unlinking its image frees it all in a second. Its fsyncs still reach the disk below."""

    # ext4 blocks and inodes per blob: the reference's blob directory and data file, its _layers link
    # directory and file, and per image a manifest blob, a revision link and a tag; berth's blob file.
    INODES_PER_BLOB = 7
    BYTES_PER_BLOB = 40 << 10

    def __init__(self, directory):
        self.image = os.path.join(directory, "filesystem.img")
        self.mount_point = os.path.join(directory, "mnt")
        self.device = None
        self.mounted = False
        self.direct_io = None

    def create(self, blobs):
        size = 2 * (1 << 30) + blobs * self.BYTES_PER_BLOB
        with open(self.image, "wb") as f:
            f.truncate(size)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-N", str(blobs * self.INODES_PER_BLOB + 100_000),
                        "-E", "lazy_itable_init=0,lazy_journal_init=0", self.image], check=True, capture_output=True)
        self.device = subprocess.run(["losetup", "--find", "--show", "--direct-io=on", "--sector-size", "4096",
                                      self.image], check=True, capture_output=True, text=True).stdout.strip()
        os.makedirs(self.mount_point)
        subprocess.run(["mount", "-t", "ext4", self.device, self.mount_point], check=True, capture_output=True)
        self.mounted = True
        with open(f"/sys/block/{os.path.basename(self.device)}/loop/dio") as f:
            self.direct_io = f.read().strip() == "1"

    def remove(self):
        if self.mounted:
            # Lazily if busy, so that removing the temp dir never walks into the mounted filesystem.
            if subprocess.run(["umount", self.mount_point], check=False).returncode != 0:
                subprocess.run(["umount", "--lazy", self.mount_point], check=True)
            self.mounted = False
        if self.device:
            subprocess.run(["losetup", "-d", self.device], check=False)
            self.device = None


def run_measured(argv, out_path, timeout, env=None):
    """Runs `argv` to completion under GNU time, stdout and stderr in files; returns wall seconds and the
    program's own CPU seconds, peak RSS and filesystem blocks read and written (512 B units). Not this
    harness's wait4: Linux carries a process's RSS high-water mark across exec, so a child forked from
    the harness would report at least the harness's own RSS; time's small child does not."""
    usage_path = out_path + ".rusage"
    wrapped = ["/usr/bin/time", "-o", usage_path, "-f", "%M %U %S %I %O", *argv]
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        started = time.perf_counter()
        # Its own process group, so that stopping it also stops the program that time started.
        proc = subprocess.Popen(wrapped, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True, preexec_fn=servers.die_with_parent)
        try:
            proc.wait(timeout=timeout)
        except BaseException:  # the deadline, or the harness being stopped: the program goes too
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        wall = time.perf_counter() - started
    with open(out_path + ".err", "rb") as err:
        error_tail = err.read()[-2000:].decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:2])} exited with {proc.returncode}: {error_tail}")
    with open(usage_path) as f:
        maxrss_kib, user, system, blocks_in, blocks_out = f.read().split()[-5:]
    return {"wall_s": wall, "user_s": float(user), "system_s": float(system), "cpu_s": float(user) + float(system),
            "maxrss_mib": int(maxrss_kib) / 1024, "blocks_in": int(blocks_in), "blocks_out": int(blocks_out),
            "stderr_tail": error_tail[-500:]}


def settle(drop_caches):
    """Writeback of earlier steps (restores, deletes) must not land inside a timed step."""
    os.sync()
    if drop_caches:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")


def stat_blobs(path_of, hexes):
    """(present, missing) counts of the given blobs' files."""
    present = sum(os.path.exists(path_of(hex_)) for hex_ in hexes)
    return present, len(hexes) - present


class Side:
    """One registry's store, its delete path and its collector."""

    name = ""

    def __init__(self, bench):
        self.bench = bench
        self.config = bench.config
        self.workdir = bench.workdir
        self.layout = bench.layout

    def delete_images(self, server):
        """DELETEs every deleted image through `server`, over BENCH_GC_DELETE_CONNECTIONS connections; returns
        wall seconds, the server's CPU seconds and the client's."""
        targets = [(image.repository, image.manifest_digest) for image in self.layout.deleted_images()]
        shares = [targets[i::self.config.connections] for i in range(self.config.connections)]
        settle(self.config.drop_caches)
        cpu_before, client_before = server.cpu_seconds(), resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(len(shares)) as pool:
            for done in [pool.submit(oci_client.delete_manifests, server.base, share) for share in shares]:
                done.result()
        seconds = time.perf_counter() - started
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        return {"seconds": seconds, "server_cpu_s": server.cpu_seconds() - cpu_before, "requests": len(targets),
                "client_cpu_s": (client_after.ru_utime + client_after.ru_stime
                                 - client_before.ru_utime - client_before.ru_stime)}

    def run(self, run):
        """One sample: restore (after the first run), delete, collect, verify."""
        if run > 0:
            started = time.perf_counter()
            self.restore()
            log(f"{self.name}: restored in {time.perf_counter() - started:.1f} s")
        server = self.start_server()
        try:
            deleted = self.delete_images(server)
        finally:
            server.stop()
        log(f"{self.name} run {run + 1}: {deleted['requests']} DELETEs in {deleted['seconds']:.1f} s "
            f"(server CPU {deleted['server_cpu_s']:.1f} s)")
        settle(self.config.drop_caches)
        output = os.path.join(self.workdir, f"{self.name}-gc-{run}.out")
        gc = run_measured(self.gc_argv(), output, self.config.timeout, self.gc_env())
        log(f"{self.name} run {run + 1}: gc {gc['wall_s']:.1f} s wall, {gc['cpu_s']:.1f} s CPU, "
            f"{gc['maxrss_mib']:.0f} MiB peak RSS")
        freed = self.parse_gc_output(output)
        verified = self.verify(freed)
        log(f"{self.name} run {run + 1}: freed {freed['objects']} blob files, {freed['bytes']} bytes; {verified}")
        return {"delete": deleted, "gc": gc, "freed": freed, "verified": verified}

    def expected(self):
        """Blob files and bytes that the collection must free: the deleted images' blobs (and for a store
        that keeps manifests as blobs, their manifests)."""
        objects = size = 0
        for image in self.layout.deleted_images():
            files = self.blob_files(image)
            objects += len(files)
            size += sum(len(data) for _, data in files)
        return objects, size

    def check_files(self):
        """Every deleted image's blob files are gone, every other image's are there."""
        problems = []
        kept = gone = 0
        for image in self.layout.all_images():
            present, missing = stat_blobs(self.blob_file, [hex_ for hex_, _ in self.blob_files(image)])
            if self.layout.is_deleted(image):
                gone += missing
                if present:
                    problems.append(f"{image.repository}:{image.tag}: {present} blob files left")
            else:
                kept += present
                if missing:
                    problems.append(f"{image.repository}:{image.tag}: {missing} blob files missing")
            if len(problems) > 10:
                break
        if problems:
            raise RuntimeError(f"{self.name}: after gc: " + "; ".join(problems))
        return {"blob_files_kept": kept, "blob_files_gone": gone}


class BerthSide(Side):
    name = "berth"

    def __init__(self, bench):
        super().__init__(bench)
        self.store = gc_fixture.BerthStore(self.config.berth_binary, os.path.join(self.workdir, "berth-data"))
        self.pristine_db = os.path.join(self.workdir, "berth-pristine.db")
        self.config_path = os.path.join(self.workdir, "berth-gc.hcl")
        with open(self.config_path, "w") as f:
            f.write(_BERTH_CONFIG)

    def blob_files(self, image):
        """(hex digest, bytes) of the image's blob files."""
        return list(zip(image.blob_hexes, image.blobs))  # berth keeps manifests in SQLite, not as blob files

    def blob_file(self, hex_):
        return self.store.blob_path(hex_)

    def keep_pristine(self):
        shutil.copyfile(self.store.db_path, self.pristine_db)

    def restore(self):
        """The metadata as built (a copy of the database), and the deleted images' blob files again."""
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.store.db_path + suffix):
                os.unlink(self.store.db_path + suffix)
        shutil.copyfile(self.pristine_db, self.store.db_path)
        for image in self.layout.deleted_images():
            self.store.write_blobs(image, only_missing=True)

    def start_server(self):
        return servers.start_berth("berth", self.config.berth_binary, self.workdir, data=self.store.data,
                                   config=self.config_path)

    def gc_argv(self, dry_run=False):
        return [self.config.berth_binary, "gc", "--data", self.store.data, "--config", self.config_path,
                *(["--dry-run"] if dry_run else [])]

    def gc_env(self):
        return None

    def parse_gc_output(self, path):
        """`berth gc` prints a line per blob and a summary (src/app/gc_command.cpp)."""
        with open(path) as f:
            text = f.read()
        summary = re.search(r"^deleted (\d+) manifests, (\d+) blobs \((\d+) bytes\), (\d+) abandoned uploads$",
                            text, re.MULTILINE)
        if not summary:
            raise RuntimeError(f"berth gc: no summary in its output: {text[-500:]}")
        listed = len(re.findall(r"^blob sha256:[0-9a-f]{64} \d+$", text, re.MULTILINE))
        manifests, blobs, size, _uploads = (int(value) for value in summary.groups())
        if listed != blobs:
            raise RuntimeError(f"berth gc: summary says {blobs} blobs, it listed {listed}")
        return {"objects": blobs, "bytes": size, "manifests": manifests}

    def verify(self, freed):
        objects, size = self.expected()
        if (freed["objects"], freed["bytes"]) != (objects, size):
            raise RuntimeError(f"berth gc freed {freed['objects']} blobs, {freed['bytes']} bytes; expected "
                               f"{objects}, {size}")
        result = self.check_files()
        if self.config.fsck:
            result["fsck"] = self.bench.berth_fsck()
        return result


class ReferenceSide(Side):
    name = "reference"

    def __init__(self, bench):
        super().__init__(bench)
        self.store = gc_fixture.ReferenceStore(os.path.join(self.workdir, "reference-data"))
        self.config_path = servers.reference_config(os.path.join(self.workdir, "reference-gc.yml"), self.store.root,
                                                    servers.free_port(), purge_uploads=False)

    def blob_files(self, image):
        """(hex digest, bytes) of the image's blob files: the reference stores its manifest as a blob too."""
        return [*zip(image.blob_hexes, image.blobs), (image.manifest_hex, image.manifest)]

    def blob_file(self, hex_):
        return os.path.join(self.store.blob_dir(hex_), "data")

    def keep_pristine(self):
        pass  # restore() writes back what the deletes and the collection removed

    def restore(self):
        """The deleted images' blob files and their revision and tag links (all that a manifest DELETE and
        garbage-collect remove; the _layers links stay)."""
        for image in self.layout.deleted_images():
            self.store.write_image(image, only_missing=True, layer_links=False)

    def start_server(self):
        return servers.start_reference("reference", self.workdir, root=self.store.root, purge_uploads=False)

    def gc_argv(self, dry_run=False):
        return ["docker-registry", "garbage-collect", *(["--dry-run"] if dry_run else []), self.config_path]

    def gc_env(self):
        return servers.reference_env()

    def parse_gc_output(self, path):
        """garbage-collect prints every repository, manifest and blob it marks, then a summary line
        (registry/storage/garbagecollect.go)."""
        summary = None
        with open(path) as f:
            for line in f:
                match = re.match(r"^(\d+) blobs marked, (\d+) blobs and (\d+) manifests eligible for deletion$", line)
                if match:
                    summary = match
        if not summary:
            raise RuntimeError(f"garbage-collect: no summary line in {path}")
        marked, blobs, untagged = (int(value) for value in summary.groups())
        return {"objects": blobs, "marked": marked, "untagged_manifests": untagged}

    def verify(self, freed):
        objects, size = self.expected()
        if freed["objects"] != objects:
            raise RuntimeError(f"garbage-collect deleted {freed['objects']} blobs; expected {objects}")
        # It prints no sizes; the bytes are those of the files it had to remove (checked gone just below).
        freed["bytes"] = size
        return self.check_files()


class GcBench:
    def __init__(self, config, workdir):
        self.config = config
        self.workdir = workdir
        self.layout = gc_fixture.Layout(config.blobs, config.repositories)
        self.sides = {"berth": BerthSide(self), "reference": ReferenceSide(self)}
        self.samples = []
        self.failures = {}
        self.notes = {}

    def berth_fsck(self):
        out = subprocess.run([self.config.berth_binary, "fsck", "--data", self.sides["berth"].store.data],
                             capture_output=True, text=True, check=False, timeout=self.config.timeout)
        summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        if out.returncode != 0 or not summary.endswith(": 0 problem(s)"):
            raise RuntimeError(f"berth fsck: rc={out.returncode}: {out.stdout[-1500:]} {out.stderr[-500:]}")
        return summary

    # --- the store ----------------------------------------------------------------------------------------
    def build(self):
        berth, reference = self.sides["berth"].store, self.sides["reference"].store
        layout = self.layout
        log(f"building {layout.blobs} blobs in {layout.images} images over {layout.repositories} repositories, "
            f"for both registries, in {self.workdir}")
        started = time.perf_counter()
        berth.create()
        # Pushes a week ago, a few seconds apart: every grace period is long over.
        first_push = int(time.time()) - 7 * 86400

        def images_with_progress():
            step = max(1, layout.images // 10)
            for image in layout.all_images():
                berth.write_blobs(image)
                reference.write_image(image)
                if image.index % step == step - 1:
                    log(f"  {image.index + 1} images written ({time.perf_counter() - started:.0f} s)")
                yield image

        berth.insert(images_with_progress(), lambda image: first_push + image.index * 5)
        self.sides["berth"].keep_pristine()
        os.sync()
        self.notes["build_s"] = time.perf_counter() - started
        log(f"store built in {self.notes['build_s']:.0f} s")
        if self.config.loop:  # the image holds nothing else, so its use is the two stores' footprint
            usage = os.statvfs(self.workdir)
            self.notes["filesystem_used"] = {"bytes": (usage.f_blocks - usage.f_bfree) * usage.f_frsize,
                                             "inodes": usage.f_files - usage.f_ffree}
            log(f"filesystem use: {self.notes['filesystem_used']}")

    def verify_store(self):
        """Before any measurement: berth's fsck finds nothing wrong, and neither collector finds anything to
        delete (every blob is referenced, every manifest parses)."""
        started = time.perf_counter()
        if self.config.fsck:
            self.notes["fsck_before"] = self.berth_fsck()
            log(f"berth fsck: {self.notes['fsck_before']} ({time.perf_counter() - started:.0f} s)")
        berth, reference = self.sides["berth"], self.sides["reference"]
        dry = run_measured(berth.gc_argv(dry_run=True), os.path.join(self.workdir, "berth-dry.out"),
                           self.config.timeout)
        with open(os.path.join(self.workdir, "berth-dry.out")) as f:
            berth_due = f.read().strip().splitlines()[-1]
        if not berth_due.startswith("would delete (dry run): 0 manifests, 0 blobs"):
            raise RuntimeError(f"berth gc --dry-run on the new store: {berth_due}")
        out = os.path.join(self.workdir, "reference-dry.out")
        reference_dry = run_measured(reference.gc_argv(dry_run=True), out, self.config.timeout, reference.gc_env())
        parsed = reference.parse_gc_output(out)
        expected_marked = self.layout.blobs + self.layout.images
        if parsed["objects"] or parsed["marked"] != expected_marked:
            raise RuntimeError(f"garbage-collect --dry-run on the new store: {parsed}, expected {expected_marked} "
                               f"marked and nothing eligible")
        self.notes["dry_runs"] = {"berth": {"summary": berth_due, **dry}, "reference": {**parsed, **reference_dry}}
        log(f"dry runs: berth {dry['wall_s']:.1f} s ({berth_due}); reference {reference_dry['wall_s']:.1f} s "
            f"({parsed['marked']} marked, 0 eligible)")

    # --- measurements -------------------------------------------------------------------------------------
    def measure(self):
        for run in range(self.config.runs):
            # Alternate which registry goes first, so that drift on the shared machine favours neither.
            order = ["berth", "reference"] if run % 2 == 0 else ["reference", "berth"]
            for name in order:
                if name in self.failures:
                    continue
                try:
                    self.samples.append({"side": name, "run": run, **self.sides[name].run(run)})
                except Exception as error:  # a failed sample is a result; the other side still runs
                    self.failures[name] = str(error)[:1000]
                    log(f"{name} run {run + 1}: FAILED: {error}")

    def profile_berth(self):
        """One more berth run, untimed, with `strace -f -c -w`: wall time spent in each system call, to see
        what the collection waits on (unlink, fsync, SQLite's reads and writes)."""
        side = self.sides["berth"]
        side.restore()
        server = side.start_server()
        try:
            side.delete_images(server)
        finally:
            server.stop()
        settle(self.config.drop_caches)
        summary = os.path.join(self.workdir, "berth-gc.strace")
        traced = run_measured(["strace", "-f", "-c", "-w", "-o", summary, *side.gc_argv()],
                              os.path.join(self.workdir, "berth-gc-strace.out"), self.config.timeout)
        with open(summary) as f:
            table = f.read()
        log(f"berth gc under strace: {traced['wall_s']:.1f} s wall\n{table}")
        return {"wall_s": traced["wall_s"], "cpu_s": traced["cpu_s"], "strace_c_w": table}

    def measurements(self):
        freed_title = f"{self.layout.images // gc_fixture.DELETE_EVERY:,} images"
        rows = {
            "delete_s": (f"DELETE of {freed_title} by digest ({self.config.connections} connections)", "s",
                         lambda s: s["delete"]["seconds"]),
            "delete_server_cpu_s": ("server CPU during those DELETEs", "s", lambda s: s["delete"]["server_cpu_s"]),
            "gc_wall_s": ("GC wall time", "s", lambda s: s["gc"]["wall_s"]),
            "gc_cpu_s": ("GC CPU time (user + system)", "s", lambda s: s["gc"]["cpu_s"]),
            "gc_rss_mib": ("GC peak RSS", "MiB", lambda s: s["gc"]["maxrss_mib"]),
            "total_s": ("DELETEs + GC, wall", "s", lambda s: s["delete"]["seconds"] + s["gc"]["wall_s"]),
            "gc_objects": ("objects freed by GC (blob files)", "files", lambda s: s["freed"]["objects"]),
            "gc_bytes_mb": ("bytes freed by GC", "MB", lambda s: s["freed"]["bytes"] / MB),
        }
        out = {}
        for key, (title, unit, value) in rows.items():
            samples = {}
            for sample in self.samples:
                samples.setdefault(sample["side"], []).append(value(sample))
            out[key] = {"title": title, "unit": unit, "samples": samples,
                        "failures": {side: message for side, message in self.failures.items()}}
        return report.summarize_all(out)


def check_equivalence(config, workdir):
    """Pushes a few images through each registry's API and writes the same images with gc_fixture's writers:
    the stores must be the same, byte for byte (berth: every row but times and client ports, after one
    `berth gc` has reviewed the pushes' uploads; reference: every file and directory)."""
    layout = gc_fixture.Layout(gc_fixture.BLOBS_PER_IMAGE * gc_fixture.DELETE_EVERY, 1)
    images = list(layout.all_images())
    pushed_dir, written_dir = os.path.join(workdir, "equivalence-pushed"), os.path.join(workdir, "equivalence-written")
    os.makedirs(pushed_dir)
    os.makedirs(written_dir)
    gc_config = os.path.join(workdir, "equivalence-gc.hcl")
    with open(gc_config, "w") as f:
        f.write(_BERTH_CONFIG)

    def push(server):
        try:
            for image in images:
                for blob in image.blobs:
                    oci_client.push_bytes(server.base, image.repository, blob, "sha256:" + gc_fixture.sha256_hex(blob))
                oci_client.push_manifest(server.base, image.repository, image.tag, image.manifest, OCI_MANIFEST)
        finally:
            server.stop()

    pushed = gc_fixture.BerthStore(config.berth_binary, os.path.join(pushed_dir, "berth-data"))
    push(servers.start_berth("berth", config.berth_binary, pushed_dir))
    subprocess.run([config.berth_binary, "gc", "--data", pushed.data, "--config", gc_config], check=True,
                   capture_output=True)
    written = gc_fixture.BerthStore(config.berth_binary, os.path.join(written_dir, "berth-data"))
    written.create()
    for image in images:
        written.write_blobs(image)
    written.insert(images, lambda image: 0)
    pushed_rows, written_rows = pushed.dump(), written.dump()
    differences = [table for table, rows in pushed_rows.items() if rows != written_rows[table]]
    if gc_fixture.tree(pushed.blob_root) != gc_fixture.tree(written.blob_root):
        differences.append("blob files")
    if differences:
        raise RuntimeError(f"berth: pushed and written stores differ in {differences} ({pushed_dir}, {written_dir})")

    push(servers.start_reference("reference", pushed_dir))
    written_reference = gc_fixture.ReferenceStore(os.path.join(written_dir, "reference-data"))
    for image in images:
        written_reference.write_image(image)
    pushed_tree = gc_fixture.tree(os.path.join(pushed_dir, "reference-data"))
    written_tree = gc_fixture.tree(written_reference.root)
    if pushed_tree != written_tree:
        only = sorted(set(pushed_tree) ^ set(written_tree))[:5]
        changed = sorted(path for path in set(pushed_tree) & set(written_tree)
                         if pushed_tree[path] != written_tree[path])[:5]
        raise RuntimeError(f"reference: pushed and written stores differ: in one only {only}, content {changed}")
    log(f"equivalence: {len(images)} images pushed through each API = the same images written directly "
        f"(berth: {len(pushed_rows['repository_blobs'])} blob links; reference: {len(written_tree)} paths)")
    shutil.rmtree(pushed_dir)
    shutil.rmtree(written_dir)


def render(config, bench, measurements, info, wall):
    layout = bench.layout
    lines = [report.table(measurements, "berth", nginx=False)]
    lines.append(f"Store: {layout.blobs:,} blobs ({gc_fixture.BLOBS_PER_IMAGE} per image: a config and "
                 f"{gc_fixture.LAYERS} layers, 256 B–4 KiB each) in {layout.images:,} tagged images over "
                 f"{layout.repositories:,} repositories; every {gc_fixture.DELETE_EVERY}th image deleted. The "
                 f"reference also stores each manifest as a blob file, so it frees one more file per image. "
                 f"{config.runs} run(s); the first side alternates.")
    if bench.failures:
        lines.append("Failures:\n" + "\n".join(f"- {side}: {message.splitlines()[0]}"
                                               for side, message in bench.failures.items()))
    work_fs = info["work_filesystem"]
    where = "a loop-mounted ext4 image (ext4 defaults)" if work_fs["loop_image"] else work_fs["type"]
    lines.append(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; work dir on "
                 f"{where} ({work_fs['options']}). Load average {info['loadavg_start'][0]:.2f} at start, "
                 f"{info['loadavg_end'][0]:.2f} at end; other processes used {100 * info['foreign_cpu_share']:.0f}% "
                 f"of the machine's CPU during the run. Store built in {bench.notes.get('build_s', 0):.0f} s. "
                 f"Wall time {wall:.0f} s.")
    return "\n\n".join(lines) + "\n"


def main():
    config = Config(os.environ)
    if shutil.which("docker-registry") is None:
        print("gc bench: docker-registry is missing (scripts/deps.sh bench)", file=sys.stderr)
        return 2
    if not os.access(config.berth_binary, os.X_OK):
        print(f"gc bench: {config.berth_binary} not found; run make build (or set BERTH_BINARY)", file=sys.stderr)
        return 2
    os.makedirs(config.out_dir, exist_ok=True)
    temp_root = tempfile.mkdtemp(prefix="berth-gc-bench-", dir=config.tmp_parent)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    meter = RunMeter()
    image = None
    try:
        info = machine_info(("docker-registry", "strace"))
        workdir = temp_root
        if config.loop:
            image = ImageFilesystem(temp_root)
            image.create(config.blobs)
            workdir = os.path.join(image.mount_point, "work")
            os.makedirs(workdir)
        mount_point, fs_type, options = mount_of(workdir)
        info["work_filesystem"] = {"type": fs_type, "options": options, "loop_image": config.loop,
                                   "loop_direct_io": image.direct_io if image else None}
        if fs_type == "tmpfs":
            log("warning: the work dir is on tmpfs; set BENCH_TMP to a disk so that fsync costs what it costs")
        if "discard" in options.split(","):
            log(f"warning: {mount_point} is mounted with discard: every freed block costs a discard request, and "
                f"removing the store at the end takes long (BENCH_GC_LOOP=1 avoids that)")
        log(f"blobs={config.blobs} repositories={config.repositories} runs={config.runs} workdir={workdir} "
            f"({fs_type} {options})")
        check_equivalence(config, workdir)
        bench = GcBench(config, workdir)
        bench.build()
        bench.verify_store()
        bench.measure()
        if config.profile and shutil.which("strace") and "berth" not in bench.failures:
            bench.notes["berth_strace"] = bench.profile_berth()
    finally:
        log("removing the work dir")
        cleanup_started = time.monotonic()
        if image:
            image.remove()
        shutil.rmtree(temp_root, ignore_errors=True)
        log(f"work dir removed in {time.monotonic() - cleanup_started:.0f} s")

    wall = meter.finish(info)
    measurements = bench.measurements()
    text = render(config, bench, measurements, info, wall)
    results = {"config": vars(config), "machine": info, "measurements": measurements, "samples": bench.samples,
               "failures": bench.failures, "notes": bench.notes, "wall_seconds": wall,
               "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_results(config.out_dir, results, text)
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
