"""The seccat CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Only builds the pack; rules live in policies/rules so tests and `seccat check` import them
(constructing PolicyPack starts a server that never returns).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pulumi_policy import EnforcementLevel, PolicyPack

from seccat.policies.registry import PACK_NAME, pack_policies

PolicyPack(
    name=PACK_NAME,
    policies=pack_policies(),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="seccat: secrets, rotation, KMS, IAM and Vault rules mapped to PCI DSS, SOC 2, "
    "NIST 800-53 and CIS AWS",
)
