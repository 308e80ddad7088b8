"""A fake GitHub REST API for repositories, Actions variables, secrets and environments, following
interfaces.md §9 to the letter: `GET /repos/{o}/{r}` answers GitHub's repository object (`id`,
`node_id`, `name`, `full_name`, `owner{login,id,...}`, ...) with ids stable per repository and owner; the same paths (repository level `/repos/{o}/{r}/actions/...`,
environment level `/repos/{o}/{r}/environments/{env}/...`, names percent-decoded per segment), the
same success codes (variable create 201, update 204; secret create 201, update 204; environment PUT
200; deletes 204, absent 404; 409 on creating an existing variable), GitHub's error body
`{"message", "documentation_url"}`, and a real libsodium Curve25519 public key per repository and
environment, so secrets are stored sealed and tests open them with `open_secret`.

Every request is recorded; `inject`, `fail_next` and `secondary_rate_limit` script failures.
Usage:
    with FakeGithub(token="t") as github:
        ... berth apply with --github-api-url github.url ...
        assert github.variable("acme", "app", "ECR_REGION") == "eu-west-2"
        assert github.open_secret("acme", "app", "ECR_ROLE_TO_ASSUME") == arn
        owner_id, repository_id = github.ids("acme", "app")
        github.recreate("acme", "app")   # deleted and created again: a new repository id
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from recording_server import RecordedRequest, RecordingServer, Reply

DOCS = "https://docs.github.com/rest"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"message": message, "documentation_url": DOCS}, headers or {})


@dataclass
class Scope:
    """Where variables and secrets live: a repository, or one of its environments."""

    private_key: PrivateKey
    key_id: str
    variables: dict[str, dict]
    secrets: dict[str, dict]


class FakeGithub(RecordingServer):
    default_headers = {"X-GitHub-Api-Version-Selected": "2022-11-28"}

    def __init__(self, token: str = "test-github-token", repositories: set[tuple[str, str]] | None = None,
                 prefix: str = ""):
        """`repositories`: the (owner, repo) pairs that exist (None: every one). `prefix`: a path
        before `/repos`, like GitHub Enterprise Server's `/api/v3`."""
        super().__init__()
        self.token = token
        self.repositories = repositories
        self.prefix = prefix.rstrip("/")
        self.environments: dict[tuple[str, str], dict[str, dict]] = {}
        self._scopes: dict[tuple[str, str, str], Scope] = {}
        self._next_id = 1000
        self._owner_ids: dict[str, int] = {}
        self._repository_ids: dict[tuple[str, str], int] = {}

    @property
    def api_url(self) -> str:
        return self.url + self.prefix

    # -- failure injection

    def fail_next(self, count: int, status: int = 502):
        self.inject(error(status, "Server Error"), count)

    def secondary_rate_limit(self, retry_after: int = 1, count: int = 1):
        self.inject(error(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                               "again.", {"retry-after": str(retry_after)}), count)

    # -- state for assertions and set-up

    def add_environment(self, owner: str, repo: str, environment: str):
        with self.lock:
            self._put_environment(owner, repo, environment)

    def variable(self, owner: str, repo: str, name: str, environment: str = "") -> str | None:
        with self.lock:
            scope = self._scopes.get((owner, repo, environment))
            entry = scope.variables.get(name) if scope else None
            return entry["value"] if entry else None

    def variables(self, owner: str, repo: str, environment: str = "") -> dict[str, str]:
        with self.lock:
            scope = self._scopes.get((owner, repo, environment))
            return {name: entry["value"] for name, entry in scope.variables.items()} if scope else {}

    def secret_names(self, owner: str, repo: str, environment: str = "") -> set[str]:
        with self.lock:
            scope = self._scopes.get((owner, repo, environment))
            return set(scope.secrets) if scope else set()

    def open_secret(self, owner: str, repo: str, name: str, environment: str = "") -> str | None:
        """The plaintext of a stored secret, opened with the scope's private key."""
        with self.lock:
            scope = self._scopes.get((owner, repo, environment))
            entry = scope.secrets.get(name) if scope else None
            if entry is None:
                return None
            return SealedBox(scope.private_key).decrypt(base64.b64decode(entry["encrypted_value"])).decode()

    def public_key(self, owner: str, repo: str, environment: str = "") -> tuple[str, str]:
        """(key_id, base64 key) of a scope, as the public-key endpoint returns them."""
        with self.lock:
            scope = self._scope(owner, repo, environment)
            return scope.key_id, base64.b64encode(bytes(scope.private_key.public_key)).decode()

    def ids(self, owner: str, repo: str) -> tuple[int, int]:
        """(owner id, repository id) as `GET /repos/{owner}/{repo}` answers them."""
        with self.lock:
            return self._ids(owner, repo)

    def recreate(self, owner: str, repo: str) -> tuple[int, int]:
        """The repository deleted and created again under the same name: its ids afterwards."""
        with self.lock:
            self._repository_ids.pop((owner, repo), None)
            return self._ids(owner, repo)

    # -- routing

    def _ids(self, owner: str, repo: str) -> tuple[int, int]:
        if owner not in self._owner_ids:
            self._next_id += 1
            self._owner_ids[owner] = 580000 + self._next_id
        if (owner, repo) not in self._repository_ids:
            self._next_id += 1
            self._repository_ids[(owner, repo)] = 740000000 + self._next_id
        return self._owner_ids[owner], self._repository_ids[(owner, repo)]

    def _repository(self, owner: str, repo: str) -> dict:
        owner_id, repository_id = self._ids(owner, repo)
        return {
            "id": repository_id, "node_id": f"R_kgDO{repository_id}", "name": repo, "full_name": f"{owner}/{repo}",
            "private": True,
            "owner": {"login": owner, "id": owner_id, "node_id": f"O_kgDO{owner_id}",
                      "avatar_url": f"https://avatars.githubusercontent.com/u/{owner_id}?v=4",
                      "url": f"{self.api_url}/users/{owner}", "html_url": f"https://github.com/{owner}",
                      "type": "Organization", "site_admin": False},
            "html_url": f"https://github.com/{owner}/{repo}", "description": None, "fork": False,
            "url": f"{self.api_url}/repos/{owner}/{repo}", "created_at": _now(), "updated_at": _now(),
            "pushed_at": _now(), "default_branch": "main", "visibility": "private"}

    def _scope(self, owner: str, repo: str, environment: str) -> Scope:
        key = (owner, repo, environment)
        if key not in self._scopes:
            self._next_id += 1
            self._scopes[key] = Scope(PrivateKey.generate(), str(self._next_id) + "5683", {}, {})
        return self._scopes[key]

    def _put_environment(self, owner: str, repo: str, name: str) -> dict:
        environments = self.environments.setdefault((owner, repo), {})
        if name not in environments:
            self._next_id += 1
            environments[name] = {
                "id": self._next_id, "node_id": f"EN_{self._next_id}", "name": name,
                "url": f"{self.api_url}/repos/{owner}/{repo}/environments/{name}",
                "html_url": f"https://github.com/{owner}/{repo}/deployments/activity_log?environments_filter={name}",
                "created_at": _now(), "updated_at": _now(), "protection_rules": [],
                "deployment_branch_policy": None}
        else:
            environments[name]["updated_at"] = _now()
        return environments[name]

    def route(self, request: RecordedRequest) -> Reply:
        authorization = request.header("authorization") or ""
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() not in ("bearer", "token") or credential != self.token:
            return error(401, "Bad credentials")
        segments = request.segments
        prefix = [segment for segment in self.prefix.split("/") if segment]
        if segments[:len(prefix)] != prefix:
            return error(404, "Not Found")
        segments = segments[len(prefix):]
        if len(segments) < 3 or segments[0] != "repos":
            return error(404, "Not Found")
        owner, repo, rest = segments[1], segments[2], segments[3:]
        if self.repositories is not None and (owner, repo) not in self.repositories:
            return error(404, "Not Found")
        if not rest:
            return Reply(200, self._repository(owner, repo)) if request.method == "GET" else error(404, "Not Found")

        if rest[:1] == ["actions"]:
            return self._collection(request, owner, repo, "", rest[1:])
        if rest[:1] == ["environments"]:
            if len(rest) == 1 and request.method == "GET":
                environments = list(self.environments.get((owner, repo), {}).values())
                return Reply(200, {"total_count": len(environments), "environments": environments})
            if len(rest) < 2:
                return error(404, "Not Found")
            environment = rest[1]
            if len(rest) == 2:
                return self._environment(request, owner, repo, environment)
            if environment not in self.environments.get((owner, repo), {}):
                return error(404, "Not Found")
            return self._collection(request, owner, repo, environment, rest[2:])
        return error(404, "Not Found")

    def _environment(self, request: RecordedRequest, owner: str, repo: str, environment: str) -> Reply:
        environments = self.environments.setdefault((owner, repo), {})
        if request.method == "PUT":
            if request.body and not isinstance(request.json(), dict):
                return error(400, "Problems parsing JSON")
            return Reply(200, self._put_environment(owner, repo, environment))
        if request.method == "GET":
            return Reply(200, environments[environment]) if environment in environments else error(404, "Not Found")
        if request.method == "DELETE":
            if environments.pop(environment, None) is None:
                return error(404, "Not Found")
            self._scopes.pop((owner, repo, environment), None)
            return Reply(204)
        return error(404, "Not Found")

    def _collection(self, request: RecordedRequest, owner: str, repo: str, environment: str,
                    rest: list[str]) -> Reply:
        scope = self._scope(owner, repo, environment)
        if rest[:1] == ["variables"]:
            return self._variables(request, scope, rest[1:])
        if rest[:1] == ["secrets"]:
            return self._secrets(request, scope, rest[1:])
        return error(404, "Not Found")

    @staticmethod
    def _valid_name(name) -> bool:
        return isinstance(name, str) and bool(NAME.match(name)) and not name.upper().startswith("GITHUB_")

    def _variables(self, request: RecordedRequest, scope: Scope, rest: list[str]) -> Reply:
        if not rest:
            if request.method == "GET":
                items = list(scope.variables.values())
                return Reply(200, {"total_count": len(items), "variables": items})
            if request.method == "POST":
                body = request.json() if request.body else None
                if not isinstance(body, dict) or not isinstance(body.get("value"), str) or \
                        not self._valid_name(body.get("name")):
                    return error(422, "Invalid request.")
                if body["name"] in scope.variables:
                    return error(409, "Already exists - Variable already exists")
                scope.variables[body["name"]] = {"name": body["name"], "value": body["value"],
                                                 "created_at": _now(), "updated_at": _now()}
                return Reply(201, {})
            return error(404, "Not Found")
        name = rest[0]
        entry = scope.variables.get(name)
        if entry is None or len(rest) != 1:
            return error(404, "Not Found")
        if request.method == "GET":
            return Reply(200, entry)
        if request.method == "PATCH":
            body = request.json() if request.body else None
            if not isinstance(body, dict):
                return error(422, "Invalid request.")
            new_name = body.get("name", name)
            if not self._valid_name(new_name) or not isinstance(body.get("value", ""), str):
                return error(422, "Invalid request.")
            del scope.variables[name]
            scope.variables[new_name] = {**entry, "name": new_name, "value": body.get("value", entry["value"]),
                                         "updated_at": _now()}
            return Reply(204)
        if request.method == "DELETE":
            del scope.variables[name]
            return Reply(204)
        return error(404, "Not Found")

    def _secrets(self, request: RecordedRequest, scope: Scope, rest: list[str]) -> Reply:
        if not rest:
            if request.method == "GET":
                items = [{key: value for key, value in entry.items() if key in ("name", "created_at", "updated_at")}
                         for entry in scope.secrets.values()]
                return Reply(200, {"total_count": len(items), "secrets": items})
            return error(404, "Not Found")
        if rest == ["public-key"] and request.method == "GET":
            return Reply(200, {"key_id": scope.key_id,
                               "key": base64.b64encode(bytes(scope.private_key.public_key)).decode()})
        name = rest[0]
        if len(rest) != 1:
            return error(404, "Not Found")
        if request.method == "PUT":
            return self._put_secret(request, scope, name)
        entry = scope.secrets.get(name)
        if entry is None:
            return error(404, "Not Found")
        if request.method == "GET":
            return Reply(200, {"name": name, "created_at": entry["created_at"], "updated_at": entry["updated_at"]})
        if request.method == "DELETE":
            del scope.secrets[name]
            return Reply(204)
        return error(404, "Not Found")

    def _put_secret(self, request: RecordedRequest, scope: Scope, name: str) -> Reply:
        body = request.json() if request.body else None
        if not self._valid_name(name) or not isinstance(body, dict) or \
                not isinstance(body.get("encrypted_value"), str) or not isinstance(body.get("key_id"), str):
            return error(422, "Invalid request.")
        if body["key_id"] != scope.key_id:
            return error(422, "Bad request - key_id does not match the current public key")
        try:
            SealedBox(scope.private_key).decrypt(base64.b64decode(body["encrypted_value"], validate=True))
        except (ValueError, CryptoError):
            return error(422, "Bad request - encrypted_value is not a sealed box for this public key")
        created = name not in scope.secrets
        previous = scope.secrets.get(name, {"created_at": _now()})
        scope.secrets[name] = {"name": name, "encrypted_value": body["encrypted_value"], "key_id": body["key_id"],
                               "created_at": previous["created_at"], "updated_at": _now()}
        return Reply(201 if created else 204, {} if created else None)
