"""Every refusal of the keyless chain, each its own test, through the real clients (boto3, the AWS
CLI, curl): the web identity token, the trust policy, the SigV4 signature, the session token, the
registry password, and the repositories a role does not grant."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time

import pytest
from botocore.exceptions import ClientError

from conftest import curl, sha256_digest
from keyless import OTHER_REPOSITORY, REPOSITORY, Credentials, KeylessSetup, basic, role_arn, shifted_clock
from keyless import issuer, keyless  # noqa: F401 (fixtures)
from oidc_issuer import OidcIssuer, b64url


def assume_error(setup: KeylessSetup, token: str, role="example-github") -> ClientError:
    with pytest.raises(ClientError) as refused:
        setup.sts_client().assume_role_with_web_identity(RoleArn=role_arn(role), RoleSessionName="GitHubActions",
                                                         WebIdentityToken=token)
    return refused.value


def assert_refused(error: ClientError, code: str, status: int):
    assert error.response["Error"]["Code"] == code, error.response
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status


# -- the web identity token


def test_wrong_sub_is_access_denied(keyless, issuer):
    token = issuer.github_token(repository="ministryofjustice/other-repository")
    assert_refused(assume_error(keyless, token), "AccessDenied", 403)


def test_wrong_aud_is_refused(keyless, issuer):
    assert_refused(assume_error(keyless, issuer.github_token(aud="some-other-audience")), "InvalidIdentityToken", 400)


def test_unconfigured_issuer_is_refused_and_never_fetched(keyless, issuer):
    token = issuer.github_token(iss="https://token.actions.githubusercontent.com")
    error = assume_error(keyless, token)
    assert_refused(error, "InvalidIdentityToken", 400)
    assert "No OpenIDConnect provider found" in error.response["Error"]["Message"]
    assert issuer.fetched() == []


def test_expired_token_is_refused(keyless, issuer):
    token = issuer.github_token(now=time.time() - 3600)
    assert_refused(assume_error(keyless, token), "ExpiredTokenException", 400)


def test_token_not_yet_valid_is_refused(keyless, issuer):
    token = issuer.github_token(nbf=int(time.time()) + 900)
    assert_refused(assume_error(keyless, token), "InvalidIdentityToken", 400)


def test_unknown_kid_is_refused(keyless, issuer):
    token = issuer.sign(issuer.github_claims(), headers={"kid": "not-a-published-kid"})
    assert_refused(assume_error(keyless, token), "InvalidIdentityToken", 400)
    # One discovery + JWKS fetch; the unknown kid refresh is rate limited.
    assert issuer.fetched().count("/github/.well-known/jwks") <= 2
    assume_error(keyless, token)
    assert issuer.fetched().count("/github/.well-known/jwks") <= 2


def test_signature_by_another_key_is_refused(keyless, issuer):
    token = issuer.sign(issuer.github_claims(), key=issuer.rogue_key)
    assert_refused(assume_error(keyless, token), "InvalidIdentityToken", 400)


def test_alg_none_is_refused(keyless, issuer):
    token = OidcIssuer.unsigned({"alg": "none", "typ": "JWT", "kid": issuer.key.kid}, issuer.github_claims())
    assert_refused(assume_error(keyless, token), "InvalidIdentityToken", 400)


def test_hs256_signed_with_the_public_key_is_refused(keyless, issuer):
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.key.kid}
    claims = issuer.github_claims()
    unsigned = OidcIssuer.unsigned(header, claims)
    signing_input = unsigned.rsplit(".", 1)[0].encode()
    signature = hmac.new(issuer.key.public_pem, signing_input, hashlib.sha256).digest()
    token = signing_input.decode() + "." + b64url(signature)
    assert_refused(assume_error(keyless, token), "InvalidIdentityToken", 400)


def test_tampered_payload_is_refused(keyless, issuer):
    header, _, signature = issuer.github_token(repository="ministryofjustice/other-repository").split(".")
    forged = b64url(json.dumps(issuer.github_claims(repository="ministryofjustice/example-repository")).encode())
    assert_refused(assume_error(keyless, f"{header}.{forged}.{signature}"), "InvalidIdentityToken", 400)


def test_duration_above_the_role_maximum_is_refused(keyless, issuer):
    with pytest.raises(ClientError) as refused:
        keyless.sts_client().assume_role_with_web_identity(RoleArn=role_arn("example-github"),
                                                           RoleSessionName="GitHubActions",
                                                           WebIdentityToken=issuer.github_token(),
                                                           DurationSeconds=7200)
    assert_refused(refused.value, "ValidationError", 400)


def test_unknown_role_is_access_denied(keyless, issuer):
    assert_refused(assume_error(keyless, issuer.github_token(), role="no-such-role"), "AccessDenied", 403)


# -- SigV4 and the session token


def test_tampered_session_token_is_refused(keyless):
    credentials = keyless.github_credentials()
    middle = len(credentials.session_token) // 2
    flipped = "A" if credentials.session_token[middle] != "A" else "B"
    tampered = Credentials(credentials.access_key_id, credentials.secret_access_key,
                           credentials.session_token[:middle] + flipped + credentials.session_token[middle + 1:],
                           credentials.expiration)
    with pytest.raises(ClientError) as sts_refusal:
        keyless.sts_client(tampered).get_caller_identity()
    assert_refused(sts_refusal.value, "InvalidClientTokenId", 403)
    with pytest.raises(ClientError) as ecr_refusal:
        keyless.ecr_client(tampered).get_authorization_token()
    assert ecr_refusal.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_tampered_signature_is_refused(keyless):
    credentials = keyless.github_credentials()
    wrong_secret = Credentials(credentials.access_key_id, credentials.secret_access_key[:-1] + "x",
                               credentials.session_token, credentials.expiration)
    cli = keyless.aws("ecr", "get-login-password", credentials=wrong_secret, check=False)
    assert cli.returncode != 0 and b"InvalidSignatureException" in cli.stderr
    with pytest.raises(ClientError) as refused:
        keyless.sts_client(wrong_secret).get_caller_identity()
    assert_refused(refused.value, "SignatureDoesNotMatch", 403)


def test_registry_refuses_a_tampered_password_and_a_session_token(keyless):
    credentials = keyless.github_credentials()
    password = keyless.registry_password(credentials)
    tampered = password[:-2] + ("AA" if not password.endswith("AA") else "BB")
    for wrong in (tampered, credentials.session_token):
        response = curl(keyless.url, "GET", f"/v2/{REPOSITORY}/tags/list", headers={"Authorization": basic(wrong)})
        assert response.status == 401 and response.error_codes() == ["UNAUTHORIZED"]


def test_mount_from_a_repository_the_caller_cannot_read(keyless):
    other = keyless.github_credentials(role="other-github", repository="ministryofjustice/other-repository")
    other_headers = {"Authorization": basic(keyless.registry_password(other))}
    secret = os.urandom(4096)
    digest = sha256_digest(secret)
    start = curl(keyless.url, "POST", f"/v2/{OTHER_REPOSITORY}/blobs/uploads/?digest={digest}", headers=other_headers,
                 data=secret)
    assert start.status == 201, start

    mine = {"Authorization": basic(keyless.registry_password(keyless.github_credentials()))}
    mount = curl(keyless.url, "POST", f"/v2/{REPOSITORY}/blobs/uploads/?mount={digest}&from={OTHER_REPOSITORY}",
                 headers=mine)
    assert mount.status == 202  # an upload session instead of the other team's blob
    assert curl(keyless.url, "HEAD", f"/v2/{REPOSITORY}/blobs/{digest}", headers=mine).status == 404
    assert curl(keyless.url, "GET", f"/v2/{OTHER_REPOSITORY}/blobs/{digest}", headers=mine).status == 403


# -- expiry, with a server whose clock is two hours behind


def test_expired_session_credentials_and_registry_password(tmp_path, issuer, berth_factory):
    setup = KeylessSetup(tmp_path, issuer)
    setup.provision()
    two_hours_ago = shifted_clock("-2h")
    setup.start(berth_factory, env=dict(os.environ, **two_hours_ago))
    token = issuer.github_token(now=time.time() - 7200)
    credentials = setup.assume_role("example-github", token, clock=two_hours_ago)
    password = setup.login_password(credentials, clock=two_hours_ago)
    headers = {"Authorization": basic(password)}
    assert curl(setup.url, "GET", f"/v2/{REPOSITORY}/tags/list", headers=headers).status == 200
    assert setup.server.stop() == 0

    # The same data directory (and key ring) two hours later: the 1 h session and its password are over.
    setup.start(berth_factory)
    with pytest.raises(ClientError) as refused:
        setup.sts_client(credentials).get_caller_identity()
    assert_refused(refused.value, "ExpiredToken", 403)
    cli = setup.aws("ecr", "get-login-password", credentials=credentials, check=False)
    assert cli.returncode != 0 and b"ExpiredTokenException" in cli.stderr
    expired = curl(setup.url, "GET", f"/v2/{REPOSITORY}/tags/list", headers=headers)
    assert expired.status == 403 and expired.error_codes() == ["DENIED"]
    assert "Your authorization token has expired" in expired.json()["errors"][0]["message"]
