"""One module per AWS service; importing this package registers every applier."""

from tests.aws.conformance.appliers import (  # noqa: F401
    cloudwatch,
    config,
    iam,
    kms,
    lambda_,
    provider,
    scheduler,
    secretsmanager,
    sns,
)
