"""A service's blast radius is read off the generated documents (the access graph `seccat
diff` compares), so it follows the documents, not the catalog's consumer lists."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from seccat.catalog.model import Catalog
from seccat.engine.preview import Preview
from seccat.operations.blast_radius import blast_radius, team_secrets
from seccat.operations.targets import build_targets

PROD = {
    "auth-service": [
        "identity/jwt-signing-key",
        "identity/ldap-bind-password",
        "identity/oauth-client-secret",
        "identity/saml-signing-cert",
    ],
    "billing-worker": ["payments/orders-db-app", "payments/webhook-signing-key"],
    "checkout-api": ["payments/orders-db-app", "payments/partner-tls", "payments/stripe-api-key"],
    "etl-runner": [
        "data/legacy-ftp-password",
        "data/segment-write-key",
        "data/warehouse-etl",
        "data/warehouse-reader",
    ],
    "reporting-api": ["data/warehouse-reader"],
    # a Kubernetes-only service: its Vault login role is named after it
    "user-directory": ["identity/ldap-bind-password"],
}


def test_prod_blast_radii(
    example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    targets = build_targets(example_catalog, "prod", example_preview("prod"))
    assert {s: blast_radius(targets, s) for s in PROD} == PROD
    assert team_secrets(targets, "data") == [
        "data/legacy-ftp-password",
        "data/segment-write-key",
        "data/warehouse-etl",
        "data/warehouse-reader",
    ]


def test_the_documents_decide_not_the_consumer_list(
    example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    """Widen checkout-api's generated identity policy to every secret (a generator bug, say):
    its blast radius grows to whatever the resource policies do not deny it."""
    preview = example_preview("prod")
    widened = Preview(preview.stack, preview.catalog_path, list(preview.resources))
    for n, r in enumerate(widened.resources):
        if r.name == "prod/checkout-api/secrets-policy":
            doc = json.loads(r.inputs["policy"])
            doc["Statement"][0]["Resource"] = "*"
            widened.resources[n] = replace(r, inputs={**r.inputs, "policy": json.dumps(doc)})
    targets = build_targets(example_catalog, "prod", widened)
    # every other secret's resource policy denies GetSecretValue to roles it does not list
    assert blast_radius(targets, "checkout-api") == PROD["checkout-api"]
    widened = Preview(preview.stack, preview.catalog_path, list(widened.resources))
    for n, r in enumerate(widened.resources):
        if r.name == "prod/payments/webhook-signing-key/policy":
            doc = json.loads(r.inputs["policy"])
            doc["Statement"] = [
                s for s in doc["Statement"] if s["Sid"] != "DenyValueToEveryoneElse"
            ]
            widened.resources[n] = replace(r, inputs={**r.inputs, "policy": json.dumps(doc)})
    targets = build_targets(example_catalog, "prod", widened)
    assert blast_radius(targets, "checkout-api") == sorted(
        [*PROD["checkout-api"], "payments/webhook-signing-key"]
    )
