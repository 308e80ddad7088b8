"""The fake GitHub and Kubernetes API servers themselves follow the published contracts
(interfaces.md §9, §10): checked here with `requests` and `curl`, independently of berth, so that the
apply tests built on them assert against the real protocols. GitHub secrets are sealed here with
PyNaCl exactly as a client must, and opened by the fake with its private key.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time

import pytest
import requests
from nacl.public import PublicKey, SealedBox

from fake_github import FakeGithub
from fake_kubernetes import FakeKubernetes, TestPki

TOKEN = "ghs_fake-token"
GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "Authorization": f"Bearer {TOKEN}",
                  "X-GitHub-Api-Version": "2022-11-28"}


def seal(public_key_b64: str, value: str) -> str:
    return base64.b64encode(SealedBox(PublicKey(base64.b64decode(public_key_b64))).encrypt(value.encode())).decode()


@pytest.fixture
def github():
    with FakeGithub(token=TOKEN) as fake:
        yield fake


class GithubClient:
    def __init__(self, base: str):
        self.base = base

    def __call__(self, method: str, path: str, body=None, headers=None) -> requests.Response:
        return requests.request(method, self.base + path, json=body, headers=headers or GITHUB_HEADERS, timeout=10)


# -- GitHub §9


def test_github_requires_the_token(github):
    response = requests.post(github.url + "/repos/acme/app/actions/variables", json={"name": "A", "value": "b"},
                             headers={**GITHUB_HEADERS, "Authorization": "Bearer wrong"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == "Bad credentials"
    assert github.variables("acme", "app") == {}


def test_github_repository_object_carries_stable_ids_until_recreated():
    with FakeGithub(token=TOKEN, repositories={("acme", "app"), ("acme", "other")}) as github:
        call = GithubClient(github.url)
        answer = call("GET", "/repos/acme/app")
        assert answer.status_code == 200
        repository = answer.json()
        owner_id, repository_id = github.ids("acme", "app")
        assert (repository["id"], repository["name"], repository["full_name"]) == (repository_id, "app", "acme/app")
        assert repository["node_id"].startswith("R_")
        assert (repository["owner"]["login"], repository["owner"]["id"]) == ("acme", owner_id)
        assert isinstance(repository_id, int) and isinstance(owner_id, int)
        assert call("GET", "/repos/acme/app").json()["id"] == repository_id
        other = call("GET", "/repos/acme/other").json()
        assert other["owner"]["id"] == owner_id and other["id"] != repository_id
        assert call("GET", "/repos/acme/missing").status_code == 404
        assert github.recreate("acme", "app") == (owner_id, call("GET", "/repos/acme/app").json()["id"])
        assert call("GET", "/repos/acme/app").json()["id"] != repository_id


def test_github_repository_variables_lifecycle(github):
    call = GithubClient(github.url)
    path = "/repos/acme/app/actions/variables"
    created = call("POST", path, {"name": "ECR_REGION", "value": "eu-west-2"})
    assert (created.status_code, created.json()) == (201, {})
    assert created.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    duplicate = call("POST", path, {"name": "ECR_REGION", "value": "eu-west-1"})
    assert duplicate.status_code == 409
    assert duplicate.json()["message"] == "Already exists - Variable already exists"
    updated = call("PATCH", path + "/ECR_REGION", {"name": "ECR_REGION", "value": "eu-west-1"})
    assert (updated.status_code, updated.content) == (204, b"")
    read = call("GET", path + "/ECR_REGION").json()
    assert (read["name"], read["value"]) == ("ECR_REGION", "eu-west-1")
    assert read["created_at"].endswith("Z")
    listed = call("GET", path).json()
    assert listed["total_count"] == 1 and listed["variables"][0]["value"] == "eu-west-1"
    assert call("DELETE", path + "/ECR_REGION").status_code == 204
    assert call("DELETE", path + "/ECR_REGION").status_code == 404
    assert call("PATCH", path + "/ECR_REGION", {"value": "x"}).status_code == 404
    assert call("POST", path, {"name": "GITHUB_TOKEN", "value": "x"}).status_code == 422
    assert call("POST", path, {"name": "1BAD", "value": "x"}).status_code == 422


def test_github_environments_and_their_variables(github):
    call = GithubClient(github.url)
    environment = "/repos/acme/app/environments/prod%2Feu"
    assert call("POST", environment + "/variables", {"name": "ECR_REGION", "value": "x"}).status_code == 404
    created = call("PUT", environment)
    assert created.status_code == 200
    assert created.json()["name"] == "prod/eu"
    assert call("PUT", environment, {}).status_code == 200  # create or update
    assert call("POST", environment + "/variables", {"name": "ECR_REGION", "value": "eu-west-2"}).status_code == 201
    assert github.variable("acme", "app", "ECR_REGION", environment="prod/eu") == "eu-west-2"
    assert github.variable("acme", "app", "ECR_REGION") is None
    assert call("GET", "/repos/acme/app/environments").json()["total_count"] == 1


def test_github_secrets_are_sealed_for_a_real_public_key(github):
    call = GithubClient(github.url)
    for scope, environment in (("/repos/acme/app/actions", ""), ("/repos/acme/app/environments/prod", "prod")):
        if environment:
            call("PUT", "/repos/acme/app/environments/prod")
        key = call("GET", scope + "/secrets/public-key").json()
        assert set(key) == {"key_id", "key"}
        assert len(base64.b64decode(key["key"])) == 32
        body = {"encrypted_value": seal(key["key"], "arn:aws:iam::1:role/r"), "key_id": key["key_id"]}
        assert call("PUT", scope + "/secrets/ECR_ROLE_TO_ASSUME", body).status_code == 201
        body = {"encrypted_value": seal(key["key"], "arn:aws:iam::1:role/s"), "key_id": key["key_id"]}
        assert call("PUT", scope + "/secrets/ECR_ROLE_TO_ASSUME", body).status_code == 204
        assert github.open_secret("acme", "app", "ECR_ROLE_TO_ASSUME", environment) == "arn:aws:iam::1:role/s"
        metadata = call("GET", scope + "/secrets/ECR_ROLE_TO_ASSUME").json()
        assert set(metadata) == {"name", "created_at", "updated_at"}
        assert call("DELETE", scope + "/secrets/ECR_ROLE_TO_ASSUME").status_code == 204
        assert call("DELETE", scope + "/secrets/ECR_ROLE_TO_ASSUME").status_code == 404
    # The environment has its own key pair, different from the repository's.
    assert github.public_key("acme", "app")[1] != github.public_key("acme", "app", "prod")[1]


def test_github_refuses_secrets_it_cannot_open(github):
    call = GithubClient(github.url)
    key = call("GET", "/repos/acme/app/actions/secrets/public-key").json()
    other = FakeGithub().public_key("x", "y")[1]
    wrong_key = {"encrypted_value": seal(other, "v"), "key_id": key["key_id"]}
    stale_id = {"encrypted_value": seal(key["key"], "v"), "key_id": "1"}
    plaintext = {"encrypted_value": base64.b64encode(b"v").decode(), "key_id": key["key_id"]}
    for body in (wrong_key, stale_id, plaintext, {"key_id": key["key_id"]}):
        assert call("PUT", "/repos/acme/app/actions/secrets/ECR_REGISTRY_URL", body).status_code == 422
    assert github.secret_names("acme", "app") == set()


def test_github_failure_injection(github):
    call = GithubClient(github.url)
    github.fail_next(2, 502)
    assert call("PUT", "/repos/acme/app/environments/prod").status_code == 502
    assert call("PUT", "/repos/acme/app/environments/prod").status_code == 502
    assert call("PUT", "/repos/acme/app/environments/prod").status_code == 200
    github.secondary_rate_limit(retry_after=1)
    limited = call("DELETE", "/repos/acme/app/actions/variables/X")
    assert limited.status_code == 403
    assert limited.headers["retry-after"] == "1"
    assert "secondary rate limit" in limited.json()["message"]
    assert [request.method for request in github.requests] == ["PUT"] * 3 + ["DELETE"]
    assert len(github.mutating_requests()) == 4


def test_github_records_requests_and_speaks_plain_http_to_curl(github):
    result = subprocess.run(
        ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", "POST",
         "-H", "Accept: application/vnd.github+json", "-H", f"Authorization: Bearer {TOKEN}",
         "-H", "X-GitHub-Api-Version: 2022-11-28", "-H", "Content-Type: application/json",
         "--data", json.dumps({"name": "ECR_REPOSITORY", "value": "team/app"}),
         github.url + "/repos/acme/app/actions/variables"], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.splitlines()[-1] == "201"
    request = github.requests[-1]
    assert (request.method, request.path) == ("POST", "/repos/acme/app/actions/variables")
    assert request.header("x-github-api-version") == "2022-11-28"
    assert request.header("accept") == "application/vnd.github+json"
    assert request.json() == {"name": "ECR_REPOSITORY", "value": "team/app"}


def test_github_enterprise_prefix_and_unknown_repositories():
    with FakeGithub(token=TOKEN, repositories={("acme", "app")}, prefix="/api/v3") as github:
        call = GithubClient(github.api_url)
        assert github.api_url.endswith("/api/v3")
        assert call("POST", "/repos/acme/app/actions/variables", {"name": "A", "value": "b"}).status_code == 201
        assert call("POST", "/repos/acme/other/actions/variables", {"name": "A", "value": "b"}).status_code == 404
        assert GithubClient(github.url)("GET", "/repos/acme/app/actions/variables").status_code == 404


# -- Kubernetes §10


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return TestPki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def kubernetes(pki):
    with FakeKubernetes(pki, token="kube-token") as fake:
        yield fake


CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "app-circleci", "namespace": "team"},
              "data": {"ecr_role_to_assume": "arn:aws:iam::123456789012:role/r", "ecr_region": "eu-west-2",
                       "ecr_repository": "team/app", "ecr_registry_id": "123456789012"}}
APPLY = "/api/v1/namespaces/team/configmaps/app-circleci?fieldManager=berth&force=true"


def apply(kubernetes, body=CONFIG_MAP, path=APPLY, **kwargs) -> requests.Response:
    kwargs.setdefault("headers", {"Authorization": "Bearer kube-token", "Content-Type": "application/apply-patch+yaml"})
    return requests.patch(kubernetes.url + path, data=json.dumps(body), verify=str(kubernetes.pki.ca_file),
                          timeout=10, **kwargs)


def test_kubernetes_server_side_apply_creates_then_replaces(kubernetes):
    created = apply(kubernetes)
    assert created.status_code == 201
    assert created.json()["metadata"]["managedFields"][0]["manager"] == "berth"
    changed = {**CONFIG_MAP, "data": {"ecr_region": "eu-west-1"}}
    replaced = apply(kubernetes, changed)
    assert replaced.status_code == 200
    assert replaced.json()["data"] == {"ecr_region": "eu-west-1"}
    assert kubernetes.field_managers == ["berth", "berth"]
    read = requests.get(kubernetes.url + "/api/v1/namespaces/team/configmaps/app-circleci",
                        headers={"Authorization": "Bearer kube-token"}, verify=str(kubernetes.pki.ca_file), timeout=10)
    assert read.status_code == 200 and read.json()["data"] == {"ecr_region": "eu-west-1"}
    assert kubernetes.requests[0].query == {"fieldManager": ["berth"], "force": ["true"]}


def test_kubernetes_apply_accepts_yaml_and_checks_the_request(kubernetes):
    yaml_body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-circleci\ndata:\n  ecr_registry_id: \"1\"\n"
    headers = {"Authorization": "Bearer kube-token", "Content-Type": "application/apply-patch+yaml"}
    response = requests.patch(kubernetes.url + APPLY, data=yaml_body, headers=headers,
                              verify=str(kubernetes.pki.ca_file), timeout=10)
    assert response.status_code == 201
    assert kubernetes.config_map("team", "app-circleci")["data"] == {"ecr_registry_id": "1"}

    no_manager = apply(kubernetes, path="/api/v1/namespaces/team/configmaps/app-circleci")
    assert no_manager.status_code == 400 and no_manager.json()["kind"] == "Status"
    merge = apply(kubernetes, headers={"Authorization": "Bearer kube-token",
                                       "Content-Type": "application/merge-patch+json"})
    assert merge.status_code == 415
    wrong_name = apply(kubernetes, {**CONFIG_MAP, "metadata": {"name": "other"}})
    assert wrong_name.status_code == 422 and wrong_name.json()["reason"] == "Invalid"
    number = apply(kubernetes, {**CONFIG_MAP, "data": {"ecr_registry_id": 123456789012}})
    assert number.status_code == 422


def test_kubernetes_conflicts_with_another_manager_unless_forced(kubernetes):
    kubernetes.put_config_map("team", "app-circleci", {"ecr_region": "old"}, manager="kubectl")
    conflict = apply(kubernetes, path="/api/v1/namespaces/team/configmaps/app-circleci?fieldManager=berth")
    assert conflict.status_code == 409 and conflict.json()["reason"] == "Conflict"
    assert apply(kubernetes).status_code == 200
    assert kubernetes.config_map("team", "app-circleci")["data"] == CONFIG_MAP["data"]


def test_kubernetes_delete_and_not_found(kubernetes):
    ca = str(kubernetes.pki.ca_file)
    path = kubernetes.url + "/api/v1/namespaces/team/configmaps/app-circleci"
    headers = {"Authorization": "Bearer kube-token"}
    missing = requests.get(path, headers=headers, verify=ca, timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": 'configmaps "app-circleci" not found', "reason": "NotFound",
                              "details": {"name": "app-circleci", "kind": "configmaps"}, "code": 404}
    assert apply(kubernetes).status_code == 201
    listed = requests.get(kubernetes.url + "/api/v1/namespaces/team/configmaps", headers=headers, verify=ca, timeout=10)
    assert [item["metadata"]["name"] for item in listed.json()["items"]] == ["app-circleci"]
    deleted = requests.delete(path, headers=headers, verify=ca, timeout=10)
    assert deleted.status_code == 200 and deleted.json()["status"] == "Success"
    assert requests.delete(path, headers=headers, verify=ca, timeout=10).status_code == 404


def test_kubernetes_authentication(kubernetes):
    ca = str(kubernetes.pki.ca_file)
    path = kubernetes.url + "/api/v1/namespaces/team/configmaps"
    assert requests.get(path, verify=ca, timeout=10).status_code == 401
    assert requests.get(path, headers={"Authorization": "Bearer wrong"}, verify=ca, timeout=10).status_code == 401
    pki = kubernetes.pki
    by_certificate = requests.get(path, cert=(str(pki.client_cert_file), str(pki.client_key_file)), verify=ca,
                                  timeout=10)
    assert by_certificate.status_code == 200
    assert kubernetes.requests[-1].client_certificate_subject == "berth"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(path, headers={"Authorization": "Bearer kube-token"}, timeout=10)  # system CAs: untrusted


def test_kubernetes_with_curl_over_tls(kubernetes, tmp_path):
    pki = kubernetes.pki
    body = tmp_path / "body.json"
    body.write_text(json.dumps(CONFIG_MAP))
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", str(pki.ca_file),
         "--cert", str(pki.client_cert_file), "--key", str(pki.client_key_file), "-X", "PATCH",
         "-H", "Content-Type: application/apply-patch+yaml", "--data-binary", f"@{body}", kubernetes.url + APPLY],
        capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout == "201"
    assert kubernetes.config_map("team", "app-circleci")["data"]["ecr_registry_id"] == "123456789012"


def test_kubernetes_kubeconfig_and_unknown_namespaces(pki, tmp_path):
    import yaml
    with FakeKubernetes(pki, token="kube-token", namespaces={"team"}) as kubernetes:
        config = yaml.safe_load(kubernetes.kubeconfig(tmp_path / "kubeconfig", user="certificate").read_text())
        assert config["current-context"] == "fake"
        assert config["clusters"][0]["cluster"]["server"] == kubernetes.url
        assert base64.b64decode(config["users"][0]["user"]["client-certificate-data"]) == pki.client_cert_pem
        other = apply(kubernetes, path="/api/v1/namespaces/other/configmaps/app-circleci?fieldManager=berth")
        assert other.status_code == 404 and other.json()["details"]["kind"] == "namespaces"


def test_fakes_stop_cleanly(pki):
    github = FakeGithub().start()
    kubernetes = FakeKubernetes(pki).start()
    urls = [github.url, kubernetes.url]
    github.stop()
    kubernetes.stop()
    time.sleep(0.1)
    for url in urls:
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(url, timeout=2, verify=False)
