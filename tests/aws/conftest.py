"""A small catalog that exercises every AWS feature, and its offline preview.

Built from a dict with build_catalog (no file, no loader), and run through the real program
(SecretsPlatform under the mock monitor), so these tests see what `seccat preview` shows.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest

from seccat.catalog.build import build_catalog
from seccat.catalog.model import Catalog
from seccat.components.platform import SecretsPlatform
from seccat.engine.preview import Preview, run_program
from seccat.engine.recording import RecordedResource

DEV_ACCOUNT = "111111111111"
PROD_ACCOUNT = "222222222222"
REGION = "eu-west-1"
GITHUB_HOST = "token.actions.githubusercontent.com"
#: Each environment trusts its own account's GitHub provider (and only its own GitHub
#: environment's workflows), as validation requires.
GITHUB_OIDC = f"arn:aws:iam::{PROD_ACCOUNT}:oidc-provider/{GITHUB_HOST}"
DEV_GITHUB_OIDC = f"arn:aws:iam::{DEV_ACCOUNT}:oidc-provider/{GITHUB_HOST}"

BASE: dict[str, Any] = {
    "version": 1,
    "teams": {
        "payments": {
            "contact": "payments-oncall@example.com",
            "aws": {"owner_role": "payments-secrets-owner"},
        }
    },
    "environments": {
        "dev": {"aws": {"account_id": DEV_ACCOUNT, "region": REGION}, "protect": False},
        "prod": {
            "aws": {"account_id": PROD_ACCOUNT, "region": REGION},
            "protect": True,
            "detective_controls": True,
        },
    },
    "services": {
        "checkout-api": {
            "team": "payments",
            "aws": {"trust": {"service": "ecs-tasks.amazonaws.com"}},
        },
        "reporting": {
            "team": "payments",
            "environments": {
                env: {
                    "aws": {"trust": {"role_arn": f"arn:aws:iam::{account}:role/reporting-runner"}}
                }
                for env, account in (("dev", DEV_ACCOUNT), ("prod", PROD_ACCOUNT))
            },
        },
        "etl": {
            "team": "payments",
            "environments": {
                env: {
                    "aws": {
                        "trust": {
                            "oidc": {
                                "provider_arn": provider,
                                "subjects": [f"repo:example/etl:environment:{env}"],
                            }
                        }
                    }
                }
                for env, provider in (("dev", DEV_GITHUB_OIDC), ("prod", GITHUB_OIDC))
            },
        },
        "legacy": {
            "team": "payments",
            "aws": {
                "role_name": "legacy-app",
                "existing": True,
                "reason": "Runs on the shared legacy fleet until its migration",
            },
        },
    },
    "databases": {
        "orders-db": {
            "engine": "postgresql",
            "port": 5432,
            "database": "orders",
            "admin_secret": "payments/orders-db-admin",
            "vpc": {"subnet_ids": ["subnet-0a1b2c3d"], "security_group_ids": ["sg-0123abcd"]},
            # one server per environment (a dev rotation never reaches prod's logins)
            "environments": {
                "dev": {"host": "orders-db.dev.internal.example.com"},
                "prod": {"host": "orders-db.prod.internal.example.com"},
            },
        }
    },
    "secrets": {
        "payments/stripe-api-key": {
            "description": "Stripe key",
            "owner": "payments",
            "type": "api-key",
            "store": "aws-secretsmanager",
            "classification": "restricted",
            "rotation": {"every": "30d", "window": "2h"},
            "generate": {"length": 40, "exclude_punctuation": True},
            "consumers": [{"service": "checkout-api", "access": "read"}],
        },
        "payments/webhook-key": {
            "description": "Webhook HMAC key",
            "owner": "payments",
            "type": "password",
            "store": "aws-secretsmanager",
            "classification": "confidential",
            "replicas": ["eu-central-1"],
            "rotation": {"every": "6h"},
            "consumers": [
                {"service": "checkout-api", "access": "read"},
                {"service": "legacy", "access": "read"},
            ],
        },
        "payments/weekly-token": {
            "description": "Token rotated on Sundays",
            "owner": "payments",
            "type": "password",
            "store": "aws-secretsmanager",
            "classification": "internal",
            "rotation": {"schedule": "cron(0 4 ? * SUN *)", "window": "3h"},
            "consumers": [{"service": "etl", "access": "read"}],
        },
        "payments/partner-tls": {
            "description": "Client certificate from the bank",
            "owner": "payments",
            "type": "certificate",
            "store": "aws-secretsmanager",
            "classification": "confidential",
            "environments": ["prod"],
            "rotation": {"every": "90d", "by": "owner"},
            "consumers": [{"service": "reporting", "access": "read"}],
        },
        "payments/orders-db-admin": {
            "description": "Orders superuser",
            "owner": "payments",
            "type": "database",
            "store": "aws-secretsmanager",
            "classification": "restricted",
            "rotation": {"every": "7d", "strategy": "single-user"},
            "database": {"database": "orders-db", "username": "orders_admin"},
            "consumers": [],
        },
        "payments/orders-db-app": {
            "description": "Orders application login",
            "owner": "payments",
            "type": "database",
            "store": "aws-secretsmanager",
            "classification": "restricted",
            "rotation": {"every": "1d", "strategy": "alternating-users"},
            "database": {"database": "orders-db", "username": "orders_app"},
            "consumers": [{"service": "checkout-api", "access": "read"}],
        },
    },
    "waivers": [],
}


def catalog_from(data: dict[str, Any]) -> Catalog:
    return build_catalog(data, source="aws-test.yaml")


def preview_of(catalog: Catalog, stack: str) -> Preview:
    def main() -> None:
        SecretsPlatform(f"seccat-{stack}", catalog, stack)

    return run_program(main, catalog, stack, "aws-test.yaml")


@cache
def _aws_preview(stack: str) -> Preview:
    return preview_of(catalog_from(copy.deepcopy(BASE)), stack)


@pytest.fixture(scope="session")
def aws_catalog() -> Catalog:
    return catalog_from(copy.deepcopy(BASE))


@pytest.fixture(scope="session")
def aws_preview() -> Callable[[str], Preview]:
    """``aws_preview("prod")``: the offline preview of BASE, cached per stack."""
    return _aws_preview


def policy_documents(preview: Preview) -> Iterator[tuple[RecordedResource, str, Any]]:
    """Every JSON policy input of every AWS resource: (resource, input key, parsed)."""
    for r in preview.resources:
        if not r.type.startswith("aws:"):
            continue
        for key in ("policy", "assumeRolePolicy"):
            text = r.inputs.get(key)
            if isinstance(text, str):
                yield r, key, json.loads(text)


SECRET = "aws:secretsmanager/secret:Secret"


def find(preview: Preview, type_token: str, name: str) -> RecordedResource:
    """The resource of one type with that name (a component and its secret share a name)."""
    matches = [r for r in preview.of_type(type_token) if r.name == name]
    assert len(matches) == 1, (type_token, name, len(matches))
    return matches[0]
