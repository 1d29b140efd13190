"""The seccat CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Runs from this folder alone, as Pulumi runs it: published to Pulumi Cloud (which uploads
only this folder) or copied anywhere, in the virtualenv Pulumi makes from requirements.txt
(PulumiPolicy.yaml). The rules are this folder, the package ``seccat.policies``; the few
seccat modules they import are vendored in ``_vendor/`` (``python -m seccat.pack_vendor``
writes them; a test fails while the copy is stale). See docs/policy-pack.md.

Only builds the pack: rules live in policies/rules so tests and `seccat check` import them
(constructing PolicyPack starts a server that never returns).
"""

import sys
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

HERE = Path(__file__).resolve().parent

if "seccat" not in sys.modules:  # a pack process: the vendored seccat, not an installed one
    sys.path.insert(0, str(HERE / "_vendor"))
import seccat  # noqa: E402

if "seccat.policies" not in sys.modules:
    # This folder is seccat.policies, whatever it is called where Pulumi unpacked it.
    spec = spec_from_file_location(
        "seccat.policies", HERE / "__init__.py", submodule_search_locations=[str(HERE)]
    )
    assert spec is not None and spec.loader is not None
    sys.modules[spec.name] = seccat.policies = module_from_spec(spec)  # type: ignore[attr-defined]
    spec.loader.exec_module(seccat.policies)  # type: ignore[attr-defined]

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from seccat.policies.registry import PACK_NAME, pack_policies  # noqa: E402

PolicyPack(
    name=PACK_NAME,
    policies=pack_policies(),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="seccat: secrets, rotation, KMS, IAM and Vault rules mapped to PCI DSS, SOC 2, "
    "NIST 800-53 and CIS AWS",
)
