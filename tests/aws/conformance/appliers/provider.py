"""pulumi:providers:aws: an explicit provider is a region (and account) to work in."""

from __future__ import annotations

from tests.aws.conformance.model import (
    Applier,
    ApplyError,
    Clients,
    Compared,
    Real,
    Target,
    same,
)
from tests.aws.conformance.registry import register


def _region_served(clients: Clients, t: Target) -> str:
    """The region the server says a client of this provider works in."""
    zones = t.client(clients, "ec2").describe_availability_zones()["AvailabilityZones"]
    regions = {z["RegionName"] for z in zones}
    if len(regions) != 1:
        raise ApplyError(f"availability zones of {sorted(regions)} for one region")
    return regions.pop()


def apply(clients: Clients, t: Target) -> Real:
    region = t.inputs["region"]
    listed = t.client(clients, "ec2").describe_regions(RegionNames=[region])["Regions"]
    if [r["RegionName"] for r in listed] != [region]:
        raise ApplyError(f"{region} is not a region the server knows")
    account = t.client(clients, "sts").get_caller_identity()["Account"]
    if account != t.placement.account:
        raise ApplyError(f"provider works in account {account}, not {t.placement.account}")
    return Real(t.recorded.urn, {"region": region, "account": account})


def read_back(clients: Clients, t: Target, real: Real) -> list[Compared]:
    return [same("region", t.inputs["region"], _region_served(clients, t))]


register(
    Applier(
        "pulumi:providers:aws",
        apply,
        read_back,
        calls=(
            "ec2.describe_regions",
            "sts.get_caller_identity",
            "ec2.describe_availability_zones",
        ),
        oracle="the server's region list: describe_regions in that region must list it",
        gaps="provider settings other than region (skipRegionValidation...) have no server side",
    )
)
