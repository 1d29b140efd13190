"""Detective controls for owner-rotated secrets (``rotation.by: owner``): pure documents.

Nothing rotates these secrets but their owning team, so seccat watches the renewal instead:

* EventBridge Scheduler invokes the renewal check (functions/renewal/check.py) every
  ``CHECK_EVERY_HOURS`` for each secret, with the catalog's interval in the schedule input;
* the check publishes ``seccat/Renewal DaysUntilDue`` (dimensions Environment, Secret), counted
  from the last renewal plus the interval, or the certificate's not-after when that is
  sooner. Secrets Manager: the creation of the version now ``AWSCURRENT`` and the
  ``seccat:not-after`` tag. Vault KV (``store: vault-kv``): the creation of the current
  version and the ``seccat:not-after`` custom metadata, read from ``<mount>/metadata/<id>``
  after an AWS IAM login bound to the check's role, with a policy that may read exactly
  those metadata paths (seccat.documents.vault_policy.renewal_check_policy);
* a *reminder* alarm pages the owning team's topic when fewer than ``remind`` days are left,
  and an *overdue* alarm pages the team and the environment's alarm topic once the due date
  has passed, or when the check has not reported for a whole day (missing data breaches:
  a broken check is itself an incident, never silence).

Why a metric and CloudWatch alarms rather than AWS Config: Config's periodic rule takes one
``maxDaysSinceRotation`` per rule and cannot be scoped by tag (components/aws/detective.py),
so it cannot hold each secret to its own interval or remind anyone *before* the due date,
and it needs a recorder the landing zone may not have. A metric per secret is one
threshold per secret, shows on the dashboard, and links to the secret's runbook.

Every function here is a pure function of validated names, so ``seccat render``, the
components, the policy rules and the tests read the very same documents.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from seccat.catalog.model import Catalog, Environment, Secret
from seccat.documents import runbook_links
from seccat.documents import vault_layout as layout
from seccat.documents.names import aws_secret_name, bounded, require, slug
from seccat.documents.vault_policy import owner_rotated_kv_secrets

NAMESPACE = "seccat/Renewal"
METRIC = "DaysUntilDue"
#: The tag whoever renews a certificate writes: its notAfter, ISO 8601 UTC
#: (``2027-03-01T12:00:00Z``). ``seccat status`` reads it too; nothing reads the value.
NOT_AFTER_TAG = "seccat:not-after"
HANDLER = "renewal.check.handler"
#: Inline policy names on the check's role and on the scheduler's role.
CHECK_POLICY_NAME = "seccat-renewal-check"
SCHEDULER_POLICY_NAME = "invoke-renewal-check"
#: The check runs this often per secret; a day of alarm period holds four samples.
CHECK_EVERY_HOURS = 6
ALARM_PERIOD_SECONDS = 86400
DAY = 86400
STORE = "aws-secretsmanager"
#: Sort key: a secret's id (attrgetter, not a lambda: it runs for every secret).
_BY_ID = attrgetter("id")
KV_STORE = "vault-kv"
#: The check's Vault token: one run reads a few metadata paths, so minutes are plenty.
VAULT_TOKEN_TTL = 5 * 60
VAULT_TOKEN_MAX_TTL = 15 * 60


def owner_rotated_secrets(catalog: Catalog, env: Environment) -> list[Secret]:
    """The environment's owner-rotated Secrets Manager secrets that are still in use."""
    return sorted(
        (
            s
            for s in catalog.secrets_in(env.name)
            if s.store == STORE and s.owner_rotated and s.lifecycle != "retired"
        ),
        key=_BY_ID,
    )


def watched_secrets(catalog: Catalog, env: Environment) -> list[Secret]:
    """Every owner-rotated secret the environment's renewal check watches: Secrets Manager
    and Vault KV alike, in id order."""
    return sorted(
        [*owner_rotated_secrets(catalog, env), *owner_rotated_kv_secrets(catalog, env)],
        key=_BY_ID,
    )


def alarm_names(environment: str, secret_id: str) -> tuple[str, str]:
    """The reminder's and the overdue alarm's names (CloudWatch: 255 characters)."""
    env, sid = require(environment, "name"), slug(secret_id)
    return (
        bounded(f"seccat-{env}-renewal-due-{sid}", 255),
        bounded(f"seccat-{env}-renewal-overdue-{sid}", 255),
    )


def check_function_name(environment: str) -> str:
    return bounded(f"seccat-{require(environment, 'name')}-renewal-check", 64)


def check_layer_name(environment: str) -> str:
    """The check's dependency layer (hvac), when it watches Vault KV secrets."""
    return f"seccat-{require(environment, 'name')}-renewal-check-dependencies"


def check_log_group_name(environment: str) -> str:
    """Under ``/seccat/<env>/``, which the environment key lets CloudWatch Logs use."""
    return f"/seccat/{require(environment, 'name')}/renewal-check"


def schedule_group_name(environment: str) -> str:
    """A group of its own: the scheduler role may only be used by these schedules."""
    return f"seccat-{require(environment, 'name')}-renewal"


def schedule_group_arn(region: str, account_id: str, environment: str) -> str:
    return (
        f"arn:aws:scheduler:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":schedule-group/{schedule_group_name(environment)}"
    )


def scheduler_role_name(environment: str) -> str:
    return bounded(f"seccat-{require(environment, 'name')}-renewal-sched", 64)


def schedule_name(environment: str, secret_id: str) -> str:
    return bounded(f"seccat-{require(environment, 'name')}-renew-{slug(secret_id)}", 64)


def team_topic_name(environment: str, team: str) -> str:
    """The owning team's own topic: reminders reach that team only."""
    return bounded(f"seccat-{require(environment, 'name')}-{require(team, 'name')}-renewals", 256)


def team_topic_arn(region: str, account_id: str, environment: str, team: str) -> str:
    return (
        f"arn:aws:sns:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":{team_topic_name(environment, team)}"
    )


def check_event(env: Environment, secret: Secret) -> dict[str, Any]:
    """The schedule's input: which secret, and the catalog's renewal interval. A Vault KV
    secret adds its store and mount (its path is its id); ``name`` stays
    ``<environment>/<id>`` for both, which is how the rules join a schedule to its secret."""
    assert secret.rotation is not None and secret.rotation.every_seconds is not None
    environment = require(env.name, "name")
    event: dict[str, Any] = {
        "environment": environment,
        "secret": require(secret.id, "secret_id"),
        "name": aws_secret_name(environment, secret.id),
        "every_seconds": secret.rotation.every_seconds,
    }
    if secret.store == KV_STORE:
        event["store"] = KV_STORE
        event["mount"] = layout.kv_mount(env)
    return event


def check_input(env: Environment, secret: Secret) -> str:
    return json.dumps(check_event(env, secret), sort_keys=True)


def check_vault_environment(env: Environment, *, region: str, vault_address: str) -> dict[str, str]:
    """The check's Lambda environment when it watches Vault KV secrets: where Vault is and
    how to log in (AWS IAM auth, as the KV rotator does), never a token or other secret."""
    return {
        "VAULT_ADDR": vault_address,
        "SECCAT_VAULT_AUTH_MOUNT": layout.aws_auth_path(env),
        "SECCAT_VAULT_AUTH_ROLE": layout.RENEWAL_CHECK_ROLE,
        "SECCAT_VAULT_STS_REGION": require(region, "region"),
        # Signed into the login request: the environment's mount refuses a login without it.
        "SECCAT_VAULT_IAM_SERVER_ID": require(env.vault.aws_auth_header, "header_value"),
    }


def check_role_policy(
    *,
    region: str,
    account_id: str,
    environment: str,
    secret_arns: Sequence[str],
    watches_vault: bool = False,
) -> dict[str, Any]:
    """Metadata of exactly the watched Secrets Manager secrets (never a value), the one
    metric namespace, and its own log streams. Vault KV secrets need no AWS permission:
    the Vault login signs ``sts:GetCallerIdentity``, which IAM never denies, and Vault's
    policy bound to this role does the scoping."""
    arns = sorted({require(a, "arn_pattern") for a in secret_arns})
    if not arns and not watches_vault:
        raise ValueError("the renewal check watches at least one secret")
    log_group = (
        f"arn:aws:logs:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":log-group:{check_log_group_name(environment)}"
    )
    statements: list[dict[str, Any]] = []
    if arns:
        statements.append(
            {
                "Sid": "ReadRenewalMetadataOnly",
                "Effect": "Allow",
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"],
                "Resource": arns,
            }
        )
    return {
        "Version": "2012-10-17",
        "Statement": [
            *statements,
            {
                # PutMetricData has no resource-level permission; the namespace key scopes it.
                "Sid": "PublishRenewalMetric",
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
            },
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group}:log-stream:*",
            },
        ],
    }


def team_topic_policy(*, account_id: str, topic_arn: str) -> dict[str, Any]:
    """Only this account's CloudWatch alarms publish; never without TLS."""
    arn = require(topic_arn, "arn")
    account = require(account_id, "account_id")
    return {
        "Version": "2012-10-17",
        "Id": f"{arn.rsplit(':', 1)[1]}-policy",
        "Statement": [
            {
                "Sid": "RenewalAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


@dataclass(frozen=True)
class RenewalAlarm:
    """One of a secret's two alarms, as ``aws.cloudwatch.MetricAlarm`` takes it."""

    kind: str  # "due" or "overdue"
    name: str
    description: str
    threshold: float
    comparison_operator: str
    treat_missing_data: str
    alarm_actions: tuple[str, ...]
    dimensions: dict[str, str]

    @property
    def statistic(self) -> str:
        # The most urgent sample of the day: alarms fire at the first late sample.
        return "Minimum"


def _days(seconds: int) -> float:
    return seconds / DAY


def _human(seconds: int) -> str:
    if seconds % DAY == 0:
        return f"{seconds // DAY}d"
    return f"{seconds // 3600}h"


def renewal_alarms(
    catalog: Catalog,
    env: Environment,
    secret: Secret,
    *,
    team_topic: str,
    environment_topic: str,
) -> tuple[RenewalAlarm, RenewalAlarm]:
    """The reminder and the overdue alarm of one owner-rotated secret."""
    rotation = secret.rotation
    assert rotation is not None and rotation.every_seconds and rotation.remind_seconds
    environment = require(env.name, "name")
    sid = require(secret.id, "secret_id")
    team = require(secret.owner, "name")
    runbook = runbook_links.link(catalog, environment, runbook_links.secret_page(sid))
    dimensions = {"Environment": environment, "Secret": sid}
    every, remind = _human(rotation.every_seconds), _human(rotation.remind_seconds)
    due_name, overdue_name = alarm_names(environment, sid)
    if secret.store == KV_STORE:
        how = (
            f"write it as a new version of {layout.kv_data_path(env, sid)} with the team's "
            "writer policy (bao kv put -cas=<current version>, from a file)"
        )
    else:
        how = "put it in place as the owner role (put-secret-value from a file)"
    due = RenewalAlarm(
        kind="due",
        name=due_name,
        description=runbook_links.alarm_description(
            f"seccat {environment}: {sid} is due for renewal within {remind}. Team {team} "
            f"renews it every {every}: get a new value from its issuer and {how}.",
            runbook,
        ),
        threshold=_days(rotation.remind_seconds),
        comparison_operator="LessThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=(require(team_topic, "arn"),),
        dimensions=dimensions,
    )
    overdue = RenewalAlarm(
        kind="overdue",
        name=overdue_name,
        description=runbook_links.alarm_description(
            f"seccat {environment}: {sid} is overdue for renewal (every {every}, team {team}) "
            "or its renewal check has not reported for a day. Consumers keep the old value "
            "until someone renews it.",
            runbook,
        ),
        threshold=0.0,
        comparison_operator="LessThanThreshold",
        treat_missing_data="breaching",
        alarm_actions=(require(team_topic, "arn"), require(environment_topic, "arn")),
        dimensions=dimensions,
    )
    return due, overdue
