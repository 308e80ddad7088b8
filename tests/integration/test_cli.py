"""The berth command line: version, help, config files, fsck, repositories."""

import json
import os
import re
from pathlib import Path

from conftest import BERTH_BINARY, RegistryClient, run


def test_version():
    result = run([BERTH_BINARY, "version"], timeout=10)
    out = result.stdout.decode()
    assert re.search(r"berth\s+v?\d+\.\d+\.\d+", out), out


def test_help_lists_commands():
    result = run([BERTH_BINARY, "--help"], timeout=10)
    out = result.stdout.decode() + result.stderr.decode()
    for command in ("serve", "fsck", "repository"):
        assert re.search(rf"\b{command}\b", out), out
    result = run([BERTH_BINARY, "serve", "--help"], timeout=10)
    out = result.stdout.decode()
    for flag in ("--listen", "--data", "--anonymous", "--config"):
        assert flag in out, out


def test_unknown_command_fails():
    result = run([BERTH_BINARY, "no-such-command"], timeout=10, check=False)
    assert result.returncode != 0


def test_serve_from_config_file(berth_with_config, tmp_path):
    data_dir = tmp_path / "from-config"
    server = berth_with_config(data_dir=data_dir)
    assert server.curl("GET", "/v2/").status == 200  # anonymous = true came from the file
    RegistryClient(server.url).push_blob("team/app", os.urandom(1000))
    assert any(data_dir.rglob("*")), "data_dir from the config file was not used"
    assert server.stop() == 0


def test_json_log_format(berth_factory):
    server = berth_factory(log_format="json")
    listening = [line for line in server.log_lines if "listening" in line]
    assert listening, server.log
    record = json.loads(listening[0])
    assert record["msg"] == "listening" and record["address"] == server.host, record


def test_bad_config_reports_file_line_column(tmp_path):
    cases = {
        "unknown.hcl": 'listen = "127.0.0.1:0"\nno_such_setting = 1\n',
        "syntax.hcl": 'listen = "127.0.0.1:0"\nlimits {\n  header_timeout_seconds = \n}\n',
        "type.hcl": 'listen = "127.0.0.1:0"\nanonymous = "maybe"\n',
    }
    for name, text in cases.items():
        config = tmp_path / name
        config.write_text(text)
        result = run([BERTH_BINARY, "serve", "--config", str(config), "--data", str(tmp_path / "d")], timeout=15,
                     check=False)
        err = result.stderr.decode() + result.stdout.decode()
        assert result.returncode != 0, f"{name}: {err}"
        assert re.search(rf"{re.escape(name)}:[23]:\d+", err), f"{name}: no file:line:col in: {err}"


def test_missing_config_file_fails(tmp_path):
    result = run([BERTH_BINARY, "serve", "--config", str(tmp_path / "absent.hcl")], timeout=15, check=False)
    assert result.returncode != 0


def push_and_stop(berth_factory, data_dir: Path):
    server = berth_factory(data_dir=data_dir)
    image = RegistryClient(server.url).push_image("team/fsck", "v1", layer_sizes=(5000, 7000))
    assert server.stop() == 0
    return image


def blob_file(data_dir: Path, digest: str) -> Path:
    hex_digest = digest.split(":")[1]
    matches = [p for p in (data_dir / "blobs").rglob(hex_digest) if p.is_file()]
    assert len(matches) == 1, f"expected one file for {digest} under {data_dir}/blobs: {matches}"
    return matches[0]


def test_fsck_clean_store(berth_factory, tmp_path):
    push_and_stop(berth_factory, tmp_path / "data")
    result = run([BERTH_BINARY, "fsck", "--data", str(tmp_path / "data")], timeout=60, check=False)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_fsck_detects_corrupted_blob(berth_factory, tmp_path):
    data_dir = tmp_path / "data"
    image = push_and_stop(berth_factory, data_dir)
    path = blob_file(data_dir, image.layer_digests[0])
    os.chmod(path, 0o644)
    path.write_bytes(b"corrupted" + image.layers[0][9:])  # same size, different content
    result = run([BERTH_BINARY, "fsck", "--data", str(data_dir)], timeout=60, check=False)
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode != 0, out
    assert image.layer_digests[0].split(":")[1] in out, out


def test_fsck_detects_missing_blob(berth_factory, tmp_path):
    data_dir = tmp_path / "data"
    image = push_and_stop(berth_factory, data_dir)
    blob_file(data_dir, image.layer_digests[1]).unlink()
    result = run([BERTH_BINARY, "fsck", "--data", str(data_dir)], timeout=60, check=False)
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode != 0, out
    assert image.layer_digests[1].split(":")[1] in out, out


def berth_cli(*args, check=False):
    result = run([BERTH_BINARY, *args], timeout=30, check=check)
    return result.returncode, result.stdout.decode() + result.stderr.decode()


def test_repository_create_list_delete(tmp_path):
    data = str(tmp_path / "data")
    assert berth_cli("repository", "create", "team/app", "--data", data) == (0, "created repository team/app\n")
    assert berth_cli("repository", "create", "team/app", "--data", data)[0] == 0  # idempotent
    assert berth_cli("repository", "create", "team/other", "--data", data)[0] == 0
    assert berth_cli("repository", "list", "--data", data) == (0, "team/app\nteam/other\n")
    assert berth_cli("repository", "delete", "team/app", "--data", data)[0] == 0
    assert berth_cli("repository", "list", "--data", data) == (0, "team/other\n")
    code, out = berth_cli("repository", "delete", "team/app", "--data", data)
    assert code == 1 and "no repository named team/app" in out


def test_repository_refuses_bad_names(tmp_path):
    code, out = berth_cli("repository", "create", "Team/App", "--data", str(tmp_path / "data"))
    assert code == 2 and "invalid repository name" in out
    code, out = berth_cli("repository", "create", "../escape", "--data", str(tmp_path / "data"))
    assert code == 2 and "invalid repository name" in out


def test_repository_holding_images_is_kept_unless_forced(berth_factory, tmp_path):
    data_dir = tmp_path / "data"
    push_and_stop(berth_factory, data_dir)
    repositories = berth_cli("repository", "list", "--data", str(data_dir))[1].split()
    assert repositories, "the push created no repository"
    code, out = berth_cli("repository", "delete", repositories[0], "--data", str(data_dir))
    assert code == 1 and "still holds images" in out
    assert berth_cli("repository", "delete", repositories[0], "--force", "--data", str(data_dir))[0] == 0
    assert repositories[0] not in berth_cli("repository", "list", "--data", str(data_dir))[1].split()
