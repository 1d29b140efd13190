"""A stand-in for the one Kubernetes API call Vault's Kubernetes auth makes: TokenReview.

There is no Kubernetes cluster in the test environment, but the thing under test is OpenBao's
Kubernetes auth *role binding* (namespace, service account, policies, TTLs), and that runs for
real: OpenBao parses the service-account JWT, asks this endpoint to review it exactly as it
would ask a cluster, and then applies the role. Tokens are issued here per (namespace, service
account), so a token for the wrong namespace or account is a genuine one that the role must
refuse.

Audiences as Kubernetes has them: a projected service-account token names its audiences
(``aud``), one minted without any is the cluster's own (valid for the API server,
API_AUDIENCE). A TokenReview that asks for ``spec.audiences`` authenticates the token only if
it was minted for one of them and then reports the intersection in ``status.audiences``
(https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/);
Vault's Kubernetes auth sends the role's ``audience`` there, and also checks the token's own
``aud`` claim.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"
#: The audience of a token minted without one: the API server's own.
API_AUDIENCE = "https://kubernetes.default.svc.cluster.local"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _ca_pem() -> str:
    """Vault requires a CA certificate in the config even for a plain-HTTP test endpoint."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "seccat-test-kubernetes-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class KubernetesApi:
    host: str
    ca_pem: str
    #: token -> (namespace, service account, uid) of the identities this "cluster" issued.
    identities: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: token -> the audiences it was minted for.
    audiences: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def service_account_token(
        self, namespace: str, service_account: str, audiences: tuple[str, ...] = ()
    ) -> str:
        """A service-account JWT the TokenReview endpoint will vouch for: a projected token
        for ``audiences``, or without them one for the API server only."""
        uid = secrets.token_hex(8)
        claims: dict[str, object] = {
            "iss": "kubernetes/serviceaccount",
            "sub": f"system:serviceaccount:{namespace}:{service_account}",
            "kubernetes.io/serviceaccount/namespace": namespace,
            "kubernetes.io/serviceaccount/service-account.name": service_account,
            "kubernetes.io/serviceaccount/service-account.uid": uid,
        }
        if audiences:
            claims["aud"] = list(audiences)
        header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
        token = f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(secrets.token_bytes(32))}"
        self.identities[token] = (namespace, service_account, uid)
        self.audiences[token] = audiences or (API_AUDIENCE,)
        return token


@contextlib.contextmanager
def running_kubernetes_api() -> Iterator[KubernetesApi]:
    api = KubernetesApi(host="", ca_pem=_ca_pem())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != REVIEW_PATH:
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            spec = body.get("spec", {})
            token = spec.get("token", "")
            identity = api.identities.get(token)
            minted_for = api.audiences.get(token, ())
            wanted = spec.get("audiences") or []
            granted = [a for a in wanted if a in minted_for] if wanted else list(minted_for)
            if wanted and not granted:
                identity = None  # not minted for any audience the reviewer asked about
            status: dict[str, object] = {"authenticated": identity is not None}
            if identity is not None:
                status["audiences"] = granted
                namespace, account, uid = identity
                status["user"] = {
                    "username": f"system:serviceaccount:{namespace}:{account}",
                    "uid": uid,
                }
            out = json.dumps(
                {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status}
            ).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.host = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
