"""A fake Kubernetes API server for ConfigMaps, following interfaces.md §10: HTTPS with a server
certificate from a test CA, authentication by bearer token or by a client certificate signed by
that CA (anything else: 401 Status), and the core/v1 ConfigMap operations berth uses —
server-side apply (`PATCH ...?fieldManager=...[&force=true]` with
`Content-Type: application/apply-patch+yaml`, the full object in YAML or JSON; creates (201) or
replaces `data` (200); another manager's object is a 409 Conflict unless `force=true`), GET, list
and DELETE (200, absent 404), with errors as `Status` objects. Every request is recorded, with the
field manager and how it authenticated.

Usage:
    pki = TestPki(tmp_path)
    with FakeKubernetes(pki, token="t") as kubernetes:
        kubeconfig = kubernetes.kubeconfig(tmp_path / "kubeconfig", user="token")
        ...
        assert kubernetes.config_map("ns", "app-circleci")["data"]["ecr_region"] == "eu-west-2"
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import ssl
import uuid
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from recording_server import RecordedRequest, RecordingServer, Reply

APPLY_PATCH = "application/apply-patch+yaml"


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class TestPki:
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files in
    `directory` (and as bytes: `ca_pem`, `client_cert_pem`, `client_key_pem`)."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path, client_name: str = "berth", client_group: str = "system:masters"):
        directory.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.timezone.utc)
        validity = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("berth test kubernetes CA")
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
              .serial_number(x509.random_serial_number()).not_valid_before(validity[0]).not_valid_after(validity[1])
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                           content_commitment=False, key_encipherment=False,
                                           data_encipherment=False, key_agreement=False, encipher_only=False,
                                           decipher_only=False), critical=True)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))

        def issue(subject: x509.Name, usage, san=None):
            key = ec.generate_private_key(ec.SECP256R1())
            builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
                       .public_key(key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(validity[0]).not_valid_after(validity[1])
                       .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                       .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                      critical=False))
            if san is not None:
                builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
            return builder.sign(ca_key, hashes.SHA256()), key

        server, server_key = issue(_name("127.0.0.1"), ExtendedKeyUsageOID.SERVER_AUTH,
                                   [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
        client, client_key = issue(_name(client_name, client_group), ExtendedKeyUsageOID.CLIENT_AUTH)

        self.ca_pem = ca.public_bytes(serialization.Encoding.PEM)
        self.server_cert_pem = server.public_bytes(serialization.Encoding.PEM)
        self.server_key_pem = _pem_key(server_key)
        self.client_cert_pem = client.public_bytes(serialization.Encoding.PEM)
        self.client_key_pem = _pem_key(client_key)
        self.ca_file = directory / "ca.crt"
        self.server_cert_file = directory / "server.crt"
        self.server_key_file = directory / "server.key"
        self.client_cert_file = directory / "client.crt"
        self.client_key_file = directory / "client.key"
        for path, data in ((self.ca_file, self.ca_pem), (self.server_cert_file, self.server_cert_pem),
                           (self.server_key_file, self.server_key_pem), (self.client_cert_file, self.client_cert_pem),
                           (self.client_key_file, self.client_key_pem)):
            path.write_bytes(data)
            path.chmod(0o600)


def status(code: int, reason: str, message: str, details: dict | None = None) -> Reply:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details is not None:
        body["details"] = details
    return Reply(code, body)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeKubernetes(RecordingServer):
    def __init__(self, pki: TestPki, token: str | None = "test-kubernetes-token",
                 namespaces: set[str] | None = None):
        """`namespaces`: those that exist (None: every one)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.server_cert_file, pki.server_key_file)
        context.load_verify_locations(cafile=pki.ca_file)
        context.verify_mode = ssl.CERT_OPTIONAL  # a client certificate is one way to authenticate
        super().__init__(ssl_context=context)
        self.pki = pki
        self.token = token
        self.namespaces = namespaces
        self.objects: dict[tuple[str, str], dict] = {}
        self.field_managers: list[str] = []  # fieldManager of every apply, in order
        self._resource_version = 100

    # -- set-up and assertions

    def config_map(self, namespace: str, name: str) -> dict | None:
        with self.lock:
            return self.objects.get((namespace, name))

    def put_config_map(self, namespace: str, name: str, data: dict[str, str], manager: str = "kubectl"):
        """Pre-existing state, as if `manager` had applied it."""
        with self.lock:
            self._store(namespace, name, data, manager)

    def kubeconfig(self, path: Path, user: str = "token", inline: bool = True, context: str = "fake") -> Path:
        """Writes a kubeconfig for this server; `user` is "token" or "certificate"; `inline` puts the
        CA and client credentials in `*-data` fields, else refers to the PEM files."""
        cluster = {"server": self.url}
        if inline:
            cluster["certificate-authority-data"] = base64.b64encode(self.pki.ca_pem).decode()
        else:
            cluster["certificate-authority"] = str(self.pki.ca_file)
        if user == "token":
            user_entry = {"token": self.token}
        elif inline:
            user_entry = {"client-certificate-data": base64.b64encode(self.pki.client_cert_pem).decode(),
                          "client-key-data": base64.b64encode(self.pki.client_key_pem).decode()}
        else:
            user_entry = {"client-certificate": str(self.pki.client_cert_file),
                          "client-key": str(self.pki.client_key_file)}
        config = {"apiVersion": "v1", "kind": "Config", "current-context": context,
                  "clusters": [{"name": "fake-cluster", "cluster": cluster}],
                  "users": [{"name": f"fake-{user}", "user": user_entry}],
                  "contexts": [{"name": context, "context": {"cluster": "fake-cluster", "user": f"fake-{user}"}}]}
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)
        return path

    # -- routing

    def _store(self, namespace: str, name: str, data: dict[str, str], manager: str) -> tuple[dict, bool]:
        self._resource_version += 1
        existing = self.objects.get((namespace, name))
        metadata = dict(existing["metadata"]) if existing else {
            "name": name, "namespace": namespace, "uid": str(uuid.uuid4()), "creationTimestamp": _now()}
        metadata["resourceVersion"] = str(self._resource_version)
        metadata["managedFields"] = [{"manager": manager, "operation": "Apply", "apiVersion": "v1", "time": _now(),
                                      "fieldsType": "FieldsV1",
                                      "fieldsV1": {"f:data": {f"f:{key}": {} for key in data}}}]
        stored = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": metadata, "data": dict(data)}
        self.objects[(namespace, name)] = stored
        return stored, existing is None

    def _authenticated(self, request: RecordedRequest) -> bool:
        scheme, _, credential = (request.header("authorization") or "").partition(" ")
        if scheme.lower() == "bearer":
            return self.token is not None and credential == self.token
        return request.client_certificate_subject is not None

    def route(self, request: RecordedRequest) -> Reply:
        if not self._authenticated(request):
            return status(401, "Unauthorized", "Unauthorized")
        segments = request.segments
        if len(segments) < 5 or segments[:3] != ["api", "v1", "namespaces"] or segments[4] != "configmaps":
            return status(404, "NotFound", "the server could not find the requested resource")
        namespace = segments[3]
        if self.namespaces is not None and namespace not in self.namespaces:
            return status(404, "NotFound", f'namespaces "{namespace}" not found',
                          {"name": namespace, "kind": "namespaces"})
        if len(segments) == 5:
            if request.method != "GET":
                return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            items = [obj for (ns, _), obj in sorted(self.objects.items()) if ns == namespace]
            return Reply(200, {"kind": "ConfigMapList", "apiVersion": "v1",
                               "metadata": {"resourceVersion": str(self._resource_version)}, "items": items})
        if len(segments) != 6:
            return status(404, "NotFound", "the server could not find the requested resource")
        name = segments[5]
        not_found = status(404, "NotFound", f'configmaps "{name}" not found', {"name": name, "kind": "configmaps"})
        if request.method == "GET":
            stored = self.objects.get((namespace, name))
            return Reply(200, stored) if stored else not_found
        if request.method == "DELETE":
            stored = self.objects.pop((namespace, name), None)
            if stored is None:
                return not_found
            return Reply(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                               "details": {"name": name, "kind": "configmaps", "uid": stored["metadata"]["uid"]}})
        if request.method == "PATCH":
            return self._apply(request, namespace, name)
        return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _apply(self, request: RecordedRequest, namespace: str, name: str) -> Reply:
        content_type = (request.header("content-type") or "").split(";")[0].strip()
        if content_type != APPLY_PATCH:
            return status(415, "UnsupportedMediaType", f'the body of the request was in an unknown format - '
                                                       f'accepted media types include: {APPLY_PATCH}')
        manager = (request.query.get("fieldManager") or [""])[0]
        if not manager:
            return status(400, "BadRequest", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                                             'is required for apply patch')
        try:
            obj = yaml.safe_load(request.body)
        except yaml.YAMLError as exc:
            return status(400, "BadRequest", f"error decoding YAML: {exc}")
        invalid = self._invalid(obj, namespace, name)
        if invalid:
            return status(422, "Invalid", f'ConfigMap "{name}" is invalid: {invalid}',
                          {"name": name, "kind": "ConfigMap"})
        force = (request.query.get("force") or [""])[0] == "true"
        existing = self.objects.get((namespace, name))
        if existing and not force:
            owners = {entry["manager"] for entry in existing["metadata"].get("managedFields", [])}
            if owners - {manager}:
                return status(409, "Conflict", f'Apply failed with 1 conflict: conflict with "{sorted(owners)[0]}"')
        self.field_managers.append(manager)
        stored, created = self._store(namespace, name, obj.get("data") or {}, manager)
        return Reply(201 if created else 200, stored)

    @staticmethod
    def _invalid(obj, namespace: str, name: str) -> str | None:
        if not isinstance(obj, dict):
            return "the object is not a mapping"
        if obj.get("apiVersion") != "v1" or obj.get("kind") != "ConfigMap":
            return "apiVersion must be v1 and kind ConfigMap"
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict) or metadata.get("name") != name:
            return "metadata.name must match the name in the URL"
        if metadata.get("namespace", namespace) != namespace:
            return "metadata.namespace does not match the namespace in the URL"
        if "managedFields" in metadata:
            return "metadata.managedFields must be nil"
        data = obj.get("data", {})
        if data is not None and (not isinstance(data, dict) or
                                 not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())):
            return "data: values must be strings"
        return None
