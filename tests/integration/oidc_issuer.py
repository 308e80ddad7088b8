"""A test OIDC identity provider on 127.0.0.1, standing in for GitHub Actions' and CircleCI's
issuers (which cannot be reached from here). It follows their published contracts
(interfaces.md §2.2–2.5, §3): a discovery document at `<issuer>/.well-known/openid-configuration`
naming `jwks_uri`, a JWKS of RSA keys with `kid`, `alg` RS256 and `use` sig, and ID tokens with the
claims each platform sends. Every request it serves is recorded, so tests can assert that berth
fetched only what it should.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from recording_server import RecordedRequest, RecordingServer, Reply

GITHUB_AUDIENCE = "sts.amazonaws.com"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, kid: str):
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption())
        self.public_pem = self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                                 serialization.PublicFormat.SubjectPublicKeyInfo)

    def jwk(self) -> dict:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": _b64url_uint(numbers.n),
                "e": _b64url_uint(numbers.e)}


class OidcIssuer(RecordingServer):
    """Serves several issuers under path prefixes of one server: `/github` and
    `/circleci/org/<org id>`, like GitHub's and CircleCI's issuer URLs."""

    def __init__(self, circleci_org: str | None = None):
        super().__init__()
        self.key = SigningKey("berth-test-key-1")
        # Never published: tokens signed with it must be refused.
        self.rogue_key = SigningKey(self.key.kid)
        self.circleci_org = circleci_org or str(uuid.uuid4())

    # -- serving

    def route(self, request: RecordedRequest) -> Reply:
        body = self._document(request.path)
        if body is None or request.method != "GET":
            return Reply(404)
        return Reply(200, body, {"Cache-Control": "max-age=300"})

    def fetched(self) -> list[str]:
        """The paths berth fetched, in order."""
        with self.lock:
            return [request.path for request in self.requests]

    def _prefixes(self) -> list[str]:
        return ["/github", f"/circleci/org/{self.circleci_org}"]

    def _document(self, path: str):
        for prefix in self._prefixes():
            if path == prefix + "/.well-known/openid-configuration":
                return {"issuer": self.url + prefix, "jwks_uri": self.url + prefix + "/.well-known/jwks",
                        "subject_types_supported": ["public"], "response_types_supported": ["id_token"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "claims_supported": ["sub", "aud", "exp", "iat", "iss"]}
            if path == prefix + "/.well-known/jwks":
                return {"keys": [self.key.jwk()]}
        return None

    # -- names

    @property
    def github_issuer(self) -> str:
        return self.url + "/github"

    @property
    def circleci_issuer(self) -> str:
        return f"{self.url}/circleci/org/{self.circleci_org}"

    @staticmethod
    def provider_name(issuer: str) -> str:
        """The IAM provider name: the issuer URL without its scheme."""
        return issuer.split("://", 1)[1]

    # -- tokens

    def github_claims(self, repository="ministryofjustice/example-repository", ref="refs/heads/main",
                      environment: str | None = None, now: float | None = None, **overrides) -> dict:
        now = time.time() if now is None else now
        sha = os.urandom(20).hex()
        owner = repository.split("/")[0]
        sub = f"repo:{repository}:environment:{environment}" if environment else f"repo:{repository}:ref:{ref}"
        claims = {
            "jti": str(uuid.uuid4()), "sub": sub, "aud": GITHUB_AUDIENCE, "ref": ref, "sha": sha,
            "repository": repository, "repository_owner": owner, "repository_owner_id": "1234",
            "repository_visibility": "private", "repository_id": "5678", "actor_id": "42", "actor": "octocat",
            "workflow": "build", "head_ref": "", "base_ref": "", "event_name": "push", "ref_type": "branch",
            "workflow_ref": f"{repository}/.github/workflows/build.yml@{ref}",
            "workflow_sha": sha, "job_workflow_ref": f"{repository}/.github/workflows/build.yml@{ref}",
            "runner_environment": "github-hosted", "run_id": "9876543210", "run_number": "7",
            "run_attempt": "1", "iss": self.github_issuer, "nbf": int(now) - 5, "exp": int(now) + 300,
            "iat": int(now) - 5,
        }
        if environment:
            claims["environment"] = environment
        claims.update(overrides)
        return claims

    def circleci_claims(self, project_id: str | None = None, vcs_origin="github.com/ministryofjustice/example-repository",
                        vcs_ref="refs/heads/main", now: float | None = None, **overrides) -> dict:
        now = time.time() if now is None else now
        project_id = project_id or str(uuid.uuid4())
        claims = {
            "iss": self.circleci_issuer, "aud": self.circleci_org,
            "sub": f"org/{self.circleci_org}/project/{project_id}/user/{uuid.uuid4()}/vcs-origin/{vcs_origin}"
                   f"/vcs-ref/{vcs_ref}",
            "iat": int(now), "exp": int(now) + 3600,
            "oidc.circleci.com/project-id": project_id, "oidc.circleci.com/context-ids": [str(uuid.uuid4())],
            "oidc.circleci.com/vcs-origin": vcs_origin, "oidc.circleci.com/vcs-ref": vcs_ref,
        }
        claims.update(overrides)
        return claims

    def sign(self, claims: dict, key: SigningKey | None = None, headers: dict | None = None) -> str:
        key = key or self.key
        return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid, **(headers or {})})

    def github_token(self, **kwargs) -> str:
        return self.sign(self.github_claims(**kwargs))

    def circleci_token(self, **kwargs) -> str:
        return self.sign(self.circleci_claims(**kwargs))

    @staticmethod
    def unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
        """A token built by hand, for the forgeries (alg none, HS256 with the public key)."""
        return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()), b64url(signature)])
