"""The platform stack's outputs as a team stack's ``pulumi.StackReference`` sees them offline.

Under the mock monitor no platform stack has run, so the reference answers with the outputs
the mocks would give the platform's own resources (seccat.engine.outputs, the same function,
the same logical names): a team stack's preview then carries exactly the KMS key and layer
ARNs the environment's single-stack preview carries (tests/stacks/test_split_union.py).
"""

from __future__ import annotations

from typing import Any

from seccat.catalog.model import Catalog
from seccat.documents import logical_names as logical
from seccat.documents.names import rotation_layer_name
from seccat.documents.shared_infra import alarm_topic_name
from seccat.documents.vault_rotator import kv_rotator_layer_name
from seccat.engine.outputs import outputs_for
from seccat.stacks.names import environment_of

STACK_REFERENCE = "pulumi:pulumi:StackReference"


def platform_outputs(catalog: Catalog, reference: str) -> dict[str, Any]:
    """Outputs of the platform stack ``<org>/<project>/<env>`` (``reference``)."""
    environment = environment_of(reference.rsplit("/", 1)[-1])
    env = catalog.environments.get(environment)
    if env is None or env.aws is None:
        return {}
    account, region = env.aws.account_id, env.aws.region

    def arn(type_token: str, name: str, inputs: dict[str, Any], where: str = region) -> str:
        return str(outputs_for(type_token, name, inputs, account, where)[1]["arn"])

    layer = "aws:lambda/layerVersion:LayerVersion"
    regions = sorted({r for s in catalog.secrets_in(environment) for r in s.replicas})
    return {
        "environment": environment,
        "kmsKeyArn": arn("aws:kms/key:Key", logical.kms_key(environment), {}),
        "alarmTopicArn": arn(
            "aws:sns/topic:Topic", logical.alarm_topic(environment), {"name": alarm_topic_name(env)}
        ),
        "layerArns": {
            "rotation": arn(
                layer,
                logical.rotation_layer(environment),
                {"layerName": rotation_layer_name(environment)},
            ),
            "kv-rotator": arn(
                layer,
                logical.kv_rotator_layer(environment),
                {"layerName": kv_rotator_layer_name(environment)},
            ),
        },
        "replicaKeyArns": {
            r: arn("aws:kms/key:Key", logical.replica_key(environment, r), {}, r) for r in regions
        },
    }
