"""Type token -> Applier. Adding a type seccat emits is one module entry in appliers/."""

from __future__ import annotations

from tests.aws.conformance.model import Applier, UnknownResourceType

APPLIERS: dict[str, Applier] = {}


def register(applier: Applier) -> Applier:
    if applier.type in APPLIERS:
        raise ValueError(f"two appliers for {applier.type}")
    APPLIERS[applier.type] = applier
    return applier


def applier_for(type_token: str) -> Applier:
    # Importing the package registers every applier it holds.
    import tests.aws.conformance.appliers  # noqa: F401

    try:
        return APPLIERS[type_token]
    except KeyError:
        raise UnknownResourceType(
            f"the AWS conformance harness has no applier for {type_token}: seccat emits a new "
            "AWS resource type, so add its apply()/read_back() pair to "
            "tests/aws/conformance/appliers/ and its row to docs/aws-conformance.md"
        ) from None


def all_appliers() -> dict[str, Applier]:
    import tests.aws.conformance.appliers  # noqa: F401

    return dict(APPLIERS)
