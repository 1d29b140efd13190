"""Every name seccat generates, computed once from the model, and where two collide.

A generated name that two catalog entries share breaks things silently: two resources with
one URN in a stack, one IAM role that two environments' services both become, one Vault auth
role for a service and a team's rotator. The registry lists, for every environment, every
name the program will give anything, computed by the very naming functions the components
call (seccat.documents.logical_names, names, monitoring, vault_layout, vault_rotator) and
for exactly the resources the components create (seccat.documents.aws_plan and
vault_policy decide which). Each name carries its *namespace*: where AWS, Vault or Pulumi
require it to be unique:

* Pulumi URNs (type and logical name) per stack, i.e. per environment;
* IAM role names per account (IAM is global, and role names ignore case);
* Lambda functions and layers, log groups, alarms, SNS topics, EventBridge rules,
  schedule groups, KMS aliases, Secrets Manager secrets and Config rules per account and
  region; dashboards per account; inline policies per role; schedules per group;
* Vault mounts, auth mounts, audit devices and policies across every environment (one
  Vault server may serve them all, docs/vault.md); auth roles per auth mount, database
  connections and roles per database mount, KV paths per KV mount.

``collisions`` groups the names by namespace and reports each set of catalog entries that
generate a same name; seccat.catalog.collision_checks turns them into located diagnostics.
tests/catalog/test_name_registry.py proves the registry complete: the names of every
resource the offline preview records are exactly the registered ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from seccat.catalog.model import Catalog, Environment, Path, Secret, Service
from seccat.documents import lineage as lineage_docs
from seccat.documents import logical_names as logical
from seccat.documents import renewal as renewal_docs
from seccat.documents import vault_layout as layout
from seccat.documents import vault_policy as vault_docs
from seccat.documents import vault_rotator as rotator_docs
from seccat.documents.aws_plan import STORE as _AWS_STORE
from seccat.documents.aws_plan import (
    PlanError,
    RotatorPlan,
    SecretPlan,
    aws_plan,
    service_role,
)
from seccat.documents.monitoring import (
    ALARM_TOPIC_TARGET_ID,
    FUNCTION_METRICS,
    alarm_names,
    config_rule_name,
    config_rules,
    dashboard_name,
    rotation_failure_rule_name,
)
from seccat.documents.names import (
    ROTATION_INVOKE_STATEMENT,
    ROTATION_POLICY_NAME,
    UnsafeName,
    bounded,
    consumer_policy_name,
    kms_alias_name,
    rotation_layer_name,
    slug,
)
from seccat.documents.shared_infra import alarm_topic_name

# -- Pulumi type tokens of the resources seccat declares ------------------------------------

PLATFORM = "seccat:index:SecretsPlatform"
SERVICE_ACCESS = "seccat:aws:ServiceAccess"
MANAGED_SECRET = "seccat:aws:ManagedSecret"
AWS_PROVIDER = "pulumi:providers:aws"
KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION = "aws:lambda/function:Function"
LAYER = "aws:lambda/layerVersion:LayerVersion"
PERMISSION = "aws:lambda/permission:Permission"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
CONFIG_RULE = "aws:cfg/rule:Rule"
SCHEDULE_GROUP = "aws:scheduler/scheduleGroup:ScheduleGroup"
SCHEDULE = "aws:scheduler/schedule:Schedule"
LOG_RESOURCE_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
VAULT_AUDIT = "vault:index/audit:Audit"
VAULT_MOUNT = "vault:index/mount:Mount"
VAULT_KV_CONFIG = "vault:kv/secretBackendV2:SecretBackendV2"
VAULT_ENDPOINT = "vault:generic/endpoint:Endpoint"
VAULT_CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection"
VAULT_STATIC_ROLE = "vault:database/secretBackendStaticRole:SecretBackendStaticRole"
VAULT_DYNAMIC_ROLE = "vault:database/secretBackendRole:SecretBackendRole"
VAULT_POLICY = "vault:index/policy:Policy"
VAULT_AUTH = "vault:index/authBackend:AuthBackend"
VAULT_AWS_CLIENT = "vault:aws/authBackendClient:AuthBackendClient"
VAULT_AWS_ROLE = "vault:aws/authBackendRole:AuthBackendRole"
VAULT_K8S_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"

#: The resources rotating one Secrets Manager secret, and one team's KV rotator, by part.
_ROTATION_RESOURCES = (
    ("role", ROLE),
    ("role-policy", ROLE_POLICY),
    ("logs", LOG_GROUP),
    ("function", FUNCTION),
    ("invoke", PERMISSION),
    ("schedule", SECRET_ROTATION),
)
_KV_ROTATOR_RESOURCES = (
    ("role", ROLE),
    ("logs", LOG_GROUP),
    ("logs-policy", ROLE_POLICY),
    ("function", FUNCTION),
    ("scheduler-role", ROLE),
    ("scheduler-policy", ROLE_POLICY),
)

_RENEWAL_RESOURCES = (
    ("role", ROLE),
    ("policy", ROLE_POLICY),
    ("logs", LOG_GROUP),
    ("function", FUNCTION),
    ("schedules", SCHEDULE_GROUP),
    ("scheduler-role", ROLE),
    ("scheduler-policy", ROLE_POLICY),
)

#: Namespaces: what a name is, as messages say it. The scope (account, region, mount...)
#: completes it.
KINDS: dict[str, str] = {
    "urn": "Pulumi resource",
    "iam-role": "IAM role",
    "iam-inline-policy": "inline policy",
    "lambda-function": "Lambda function",
    "lambda-layer": "Lambda layer",
    "lambda-permission": "Lambda permission statement",
    "log-group": "log group",
    "alarm": "CloudWatch alarm",
    "dashboard": "CloudWatch dashboard",
    "sns-topic": "SNS topic",
    "event-rule": "EventBridge rule",
    "event-target": "EventBridge target",
    "log-resource-policy": "CloudWatch Logs resource policy",
    "schedule-group": "EventBridge Scheduler group",
    "schedule": "EventBridge Scheduler schedule",
    "kms-alias": "KMS alias",
    "secret": "Secrets Manager secret",
    "config-rule": "AWS Config rule",
    "vault-mount": "Vault secrets engine mount",
    "vault-auth-mount": "Vault auth mount",
    "vault-audit": "Vault audit device",
    "vault-policy": "Vault policy",
    "vault-auth-role": "Vault auth role",
    "vault-db-connection": "Vault database connection",
    "vault-db-role": "Vault database role",
    "vault-kv-path": "Vault KV path",
}
#: Namespaces whose names AWS compares without regard to case.
CASE_INSENSITIVE = frozenset({"iam-role", "iam-inline-policy"})


@dataclass(frozen=True, order=True)
class Origin:
    """The catalog entry a name is generated for, in one environment."""

    #: How messages name it: "service 'api' in environment 'prod'".
    what: str
    #: Where it is written in the catalog (Catalog.position locates it).
    path: Path = field(compare=False)
    env: str = field(compare=False)
    #: Entries that may legitimately share a name across environments (one service's
    #: existing role in environments that declare shares_identities_with).
    shared_identity: str | None = field(default=None, compare=False)


class Key(NamedTuple):
    """Where a name must be unique, and the name. (Tuples: a large catalog has hundreds of
    thousands of names, and validation must stay fast.)"""

    namespace: str
    scope: tuple[str, ...]
    value: str

    @property
    def normalised(self) -> tuple[str, tuple[str, ...], str]:
        value = self.value.lower() if self.namespace in CASE_INSENSITIVE else self.value
        return self.namespace, self.scope, value

    def describe(self) -> str:
        kind = KINDS[self.namespace]
        if self.namespace == "urn":
            type_token, name = self.value.split("::", 1)
            return f"{kind} '{name}' ({type_token}) in stack {self.scope[0]}"
        return f"{kind} '{self.value}' {_scope_text(self.namespace, self.scope)}"


def _scope_text(namespace: str, scope: tuple[str, ...]) -> str:
    if namespace.startswith("vault-"):
        return f"in {scope[0]}" if scope else "on the Vault server"
    parts = {1: "in account {0}", 2: "in account {0}, {1}", 3: "of {2} in account {0}, {1}"}
    if namespace == "iam-inline-policy":
        return f"on role {scope[1]} in account {scope[0]}"
    return parts[len(scope)].format(*scope)


class GeneratedName(NamedTuple):
    key: Key
    origin: Origin
    #: The Pulumi type and input that carry the name (None: a name seccat does not create,
    #: such as an existing role it attaches a policy to, or a replica's copy of a name).
    resource_type: str | None
    input_key: str | None
    #: A name whose namespace lives inside another name (a policy inside a role, a KV path
    #: inside a mount): not reported again when that one collides.
    parent: Key | None = None


@dataclass(frozen=True)
class Collision:
    """Catalog entries that generate the same names."""

    origins: tuple[Origin, ...]
    keys: tuple[Key, ...]


# -- the registry -------------------------------------------------------------------------


def registry(catalog: Catalog) -> list[GeneratedName]:
    """Every generated name of every environment."""
    return [_named(raw) for raw in _raw(catalog)]


def environment_names(catalog: Catalog, env: Environment) -> list[GeneratedName]:
    """The names the program generates for the stack of ``env`` (none without an account:
    the program refuses such a stack)."""
    return [_named(raw) for raw in _raw_env(catalog, env)]


def _raw(catalog: Catalog) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for env in catalog.environments.values():
        out += _raw_env(catalog, env)
    return out


def _raw_env(catalog: Catalog, env: Environment) -> list[tuple[Any, ...]]:
    if env.aws is None:
        return []
    names = _Names(catalog, env)
    return names.out if names.walk() else []


def _quick_walks(catalog: Catalog) -> list[_Keys]:
    """Every environment's names as ``_raw`` holds them, walked by ``_Keys``."""
    walks = []
    for env in catalog.environments.values():
        if env.aws is None:
            continue
        keys = _Keys(catalog, env)
        if keys.walk():
            walks.append(keys)
    return walks


def _repeated(walks: list[_Keys]) -> set[tuple[str, tuple[str, ...], str]]:
    """The normalised keys that occur more than once (usually none, found at set speed)."""
    repeated: set[tuple[str, tuple[str, ...], str]] = set()
    for walk in walks:
        if len(set(walk.urns)) != len(walk.urns):
            repeated.update(("urn", walk.stack, urn) for urn in _twice(walk.urns))
    physical = [key for walk in walks for key in walk.physical_keys]
    if len(set(physical)) != len(physical):
        repeated.update(_twice(physical))
    return repeated


def _twice(values: list[Any]) -> set[Any]:
    seen: set[Any] = set()
    again: set[Any] = set()
    for value in values:
        if value in seen:
            again.add(value)
        else:
            seen.add(value)
    return again


def _all_unique(catalog: Catalog) -> bool:
    """Whether no normalised key occurs twice in the registry (``_raw``)."""
    return not _repeated(_quick_walks(catalog))


class _Names:
    def __init__(self, catalog: Catalog, env: Environment) -> None:
        assert env.aws is not None
        self.catalog = catalog
        self.env = env
        self.name = env.name
        self.account = env.aws.account_id
        self.region = env.aws.region
        self.stack = (env.name,)
        #: GeneratedName fields as plain tuples (NamedTuple construction would double the
        #: registry's cost on a 10,000-secret catalog).
        self.out: list[tuple[Any, ...]] = []

    def walk(self) -> bool:
        """Record every name of the environment; False (and the record is void) when the
        program refuses the environment."""
        try:
            self.platform()
            self.aws()
            self.vault()
        except (PlanError, UnsafeName, ValueError):
            # The program refuses this environment with its own message; it creates nothing.
            return False
        return True

    # -- origins ------------------------------------------------------------------------

    def of_env(self, *setting: str) -> Origin:
        path = ("environments", self.name, *setting)
        return Origin(f"environment '{self.name}'", path, self.name)

    def of_shared_identity(self, origin: Origin, service: str) -> Origin:
        """An existing role's origin: it may be shared across environments (see
        ``_declared_sharing``)."""
        return replace(origin, shared_identity=service)

    def of_service(self, service: str, path: Path | None = None) -> Origin:
        return Origin(
            f"service '{service}' in environment '{self.name}'",
            path or ("services", service),
            self.name,
        )

    def of_secret(self, secret_id: str) -> Origin:
        return Origin(
            f"secret '{secret_id}' in environment '{self.name}'", ("secrets", secret_id), self.name
        )

    def of_team(self, team: str, role: str) -> Origin:
        return Origin(
            f"the {role} of team '{team}' in environment '{self.name}'", ("teams", team), self.name
        )

    def of_database(self, database: str) -> Origin:
        return Origin(
            f"database '{database}' in environment '{self.name}'",
            ("databases", database),
            self.name,
        )

    # -- recording ------------------------------------------------------------------------

    def urn(self, type_token: str, logical_name: str, origin: Origin) -> None:
        self.out.append(
            (("urn", self.stack, f"{type_token}::{logical_name}"), origin, type_token, None, None)
        )

    def physical(
        self,
        namespace: str,
        scope: tuple[str, ...],
        value: str,
        origin: Origin,
        type_token: str | None,
        input_key: str | None,
        parent: Key | None = None,
    ) -> Key:
        key = (namespace, scope, value)
        self.out.append((key, origin, type_token, input_key, parent))
        return key  # type: ignore[return-value]  # a plain tuple: (namespace, scope, value)

    def regional(self, namespace: str, value: str, origin: Origin, type_token: str) -> Key:
        return self.physical(
            namespace, (self.account, self.region), value, origin, type_token, "name"
        )

    def iam_role(self, role_name: str, origin: Origin, type_token: str | None = ROLE) -> Key:
        return self.physical(
            "iam-role",
            (self.account,),
            role_name,
            origin,
            type_token,
            "name" if type_token else None,
        )

    def inline_policy(self, role: Key, policy_name: str, origin: Origin) -> None:
        self.physical(
            "iam-inline-policy",
            (self.account, role[2].lower()),
            policy_name,
            origin,
            ROLE_POLICY,
            "name",
            parent=role,
        )

    # -- components/platform.py -------------------------------------------------------------

    def platform(self) -> None:
        env, origin = self.name, self.of_env()
        self.urn(PLATFORM, logical.platform(env), origin)
        self.urn(KMS_KEY, logical.kms_key(env), origin)
        self.urn(KMS_ALIAS, logical.kms_alias(env), origin)
        self.regional("kms-alias", kms_alias_name(env), origin, KMS_ALIAS)
        self.urn(TOPIC, logical.alarm_topic(env), origin)
        self.regional("sns-topic", alarm_topic_name(self.env), origin, TOPIC)
        self.urn(TOPIC_POLICY, logical.alarm_topic_policy(env), origin)
        for team in self.platform_teams():
            self.urn(
                TOPIC_SUBSCRIPTION,
                logical.alarm_subscription(env, team),
                self.of_team(team, "alarm subscription"),
            )

    def platform_teams(self) -> list[str]:
        """The teams with an alarm subscription: owners and consumers' teams, sorted."""
        env, services = self.name, self.catalog.services
        teams: set[str] = set()
        for secret in self.catalog.secrets_in(env):
            teams.add(secret.owner)
            for c in secret.consumers:
                if env in c.environments:
                    teams.add(services[c.service].team)
        return sorted(teams)

    # -- components/aws -------------------------------------------------------------------

    def aws(self) -> None:
        plan = aws_plan(self.catalog, self.env)
        for name, service in plan.services.items():
            self.service(name, service.role_name, service.create_role, bool(service.reads))
        if not plan.aws_secrets:
            self.renewal()  # owner-rotated Vault KV secrets alone
            return
        order = plan.build_order()
        self.replicas_and_layer(
            plan.aws_secrets, any(p.rotator and p.rotator.kind == "postgres" for p in order)
        )
        functions = False
        for secret_plan in order:
            self.secret(secret_plan)
            functions = functions or secret_plan.rotator is not None
        self.environment_aws(functions, plan.aws_secrets)

    def service(self, name: str, role_name: str, create_role: bool, reads: bool) -> None:
        """components/aws/consumer.py: a service's access (AwsPlan.services)."""
        env = self.name
        origin = self.of_service(name, _role_name_path(self.catalog, name, env))
        self.urn(SERVICE_ACCESS, logical.service_access(env, name), origin)
        if create_role:
            self.urn(ROLE, logical.service_role(env, name), origin)
            role = self.iam_role(role_name, origin)
        else:
            # An existing role seccat only attaches the read policy to.
            shared = self.of_shared_identity(origin, name)
            role = self.iam_role(role_name, shared, type_token=None)
        if reads:
            self.urn(ROLE_POLICY, logical.service_policy(env, name), origin)
            self.inline_policy(role, consumer_policy_name(env), origin)

    def replicas_and_layer(self, aws_secrets: list[Secret], postgres: bool) -> None:
        """The replica regions' providers and keys, and the PostgreSQL rotators' layer."""
        env = self.name
        regions = sorted({r for s in aws_secrets for r in s.replicas})
        for region in regions:
            origin = self.of_env()
            self.urn(AWS_PROVIDER, logical.replica_provider(env, region), origin)
            self.urn(KMS_KEY, logical.replica_key(env, region), origin)
            self.urn(KMS_ALIAS, logical.replica_alias(env, region), origin)
            self.physical(
                "kms-alias", (self.account, region), kms_alias_name(env), origin, KMS_ALIAS, "name"
            )
        if postgres:
            self.urn(LAYER, logical.rotation_layer(env), self.of_env())
            self.physical(
                "lambda-layer",
                (self.account, self.region),
                rotation_layer_name(env),
                self.of_env(),
                LAYER,
                "layerName",
            )

    def environment_aws(self, functions: bool, aws_secrets: list[Secret]) -> None:
        """What an environment with AWS secrets has once: its renewal check, lineage,
        failure rule, dashboard (``functions``: any rotation function) and Config rules."""
        env = self.name
        if self.renewal():
            functions = True
        self.lineage()
        origin = self.of_env()
        self.urn(EVENT_RULE, logical.rotation_failure_rule(env), origin)
        rule = self.regional("event-rule", rotation_failure_rule_name(env), origin, EVENT_RULE)
        self.urn(EVENT_TARGET, logical.rotation_failure_target(env), origin)
        self.physical(
            "event-target",
            (self.account, self.region, rule[2]),
            ALARM_TOPIC_TARGET_ID,
            origin,
            EVENT_TARGET,
            "targetId",
            parent=rule,
        )
        if functions:
            self.urn(DASHBOARD, logical.dashboard(env), origin)
            self.physical(
                "dashboard",
                (self.account,),
                dashboard_name(env),
                origin,
                DASHBOARD,
                "dashboardName",
            )
        if self.env.detective_controls:
            for config in config_rules(env, (s.classification for s in aws_secrets)):
                self.urn(CONFIG_RULE, logical.config_rule(env, config.suffix), origin)
                self.regional(
                    "config-rule", config_rule_name(env, config.suffix), origin, CONFIG_RULE
                )

    def watched_secrets(self) -> list[Secret]:
        return renewal_docs.watched_secrets(self.catalog, self.env)

    def renewal(self) -> bool:
        """components/aws/renewal.py: whether the environment has owner-rotated secrets."""
        env = self.name
        secrets = self.watched_secrets()
        if not secrets:
            return False
        origin = self.of_env()
        for part, type_token in _RENEWAL_RESOURCES:
            self.urn(type_token, logical.renewal_check(env, part), origin)
        if any(s.store == renewal_docs.KV_STORE for s in secrets):
            self.urn(LAYER, logical.renewal_check_layer(env), origin)
            self.physical(
                "lambda-layer",
                (self.account, self.region),
                renewal_docs.check_layer_name(env),
                origin,
                LAYER,
                "layerName",
            )
        function = renewal_docs.check_function_name(env)
        role = self.iam_role(function, origin)
        self.inline_policy(role, renewal_docs.CHECK_POLICY_NAME, origin)
        self.regional("log-group", renewal_docs.check_log_group_name(env), origin, LOG_GROUP)
        self.regional("lambda-function", function, origin, FUNCTION)
        self.alarms(function, origin)
        group = self.regional(
            "schedule-group", renewal_docs.schedule_group_name(env), origin, SCHEDULE_GROUP
        )
        scheduler = self.iam_role(renewal_docs.scheduler_role_name(env), origin)
        self.inline_policy(scheduler, renewal_docs.SCHEDULER_POLICY_NAME, origin)
        for team in sorted({s.owner for s in secrets}):
            team_origin = self.of_team(team, "renewal topic")
            self.urn(TOPIC, logical.renewal_topic(env, team), team_origin)
            self.regional("sns-topic", renewal_docs.team_topic_name(env, team), team_origin, TOPIC)
            self.urn(TOPIC_POLICY, logical.renewal_topic(env, team, "policy"), team_origin)
            self.urn(TOPIC_SUBSCRIPTION, logical.renewal_topic(env, team, "contact"), team_origin)
        self.renewal_schedules(group, secrets)
        return True

    def renewal_schedules(self, group: Key, secrets: list[Secret]) -> None:
        """Each watched secret's schedule and alarms."""
        env = self.name
        for secret in secrets:
            secret_origin = self.of_secret(secret.id)
            self.urn(SCHEDULE, logical.renewal_schedule(env, secret.id), secret_origin)
            self.physical(
                "schedule",
                (self.account, self.region, group[2]),
                renewal_docs.schedule_name(env, secret.id),
                secret_origin,
                SCHEDULE,
                "name",
                parent=group,
            )
            for alarm in renewal_docs.alarm_names(env, secret.id):
                self.urn(ALARM, logical.function_alarm(env, alarm), secret_origin)
                self.regional("alarm", alarm, secret_origin, ALARM)

    def lineage(self) -> None:
        """components/aws/lineage.py."""
        env, origin = self.name, self.of_env()
        self.urn(EVENT_RULE, logical.lineage(env), origin)
        rule = self.regional("event-rule", lineage_docs.rule_name(env), origin, EVENT_RULE)
        self.urn(LOG_GROUP, logical.lineage(env, "logs"), origin)
        self.regional("log-group", lineage_docs.log_group_name(env), origin, LOG_GROUP)
        self.urn(LOG_RESOURCE_POLICY, logical.lineage(env, "writers"), origin)
        self.physical(
            "log-resource-policy",
            (self.account, self.region),
            lineage_docs.resource_policy_name(env),
            origin,
            LOG_RESOURCE_POLICY,
            "policyName",
        )
        self.urn(EVENT_TARGET, logical.lineage(env, "to-logs"), origin)
        self.physical(
            "event-target",
            (self.account, self.region, rule[2]),
            lineage_docs.TARGET_ID,
            origin,
            EVENT_TARGET,
            "targetId",
            parent=rule,
        )

    def secret(self, plan: SecretPlan) -> None:
        env, secret_id = self.name, plan.secret.id
        origin = self.of_secret(secret_id)
        managed = logical.managed_secret(env, secret_id)  # the component's and the secret's
        self.urn(MANAGED_SECRET, managed, origin)
        self.urn(SECRET, managed, origin)
        self.regional("secret", plan.name, origin, SECRET)
        for region in plan.secret.replicas:  # a replica keeps the name in its own region
            self.physical("secret", (self.account, region), plan.name, origin, None, None)
        self.urn(SECRET_POLICY, logical.secret_policy(env, secret_id), origin)
        if plan.rotator is not None:
            self.rotator(secret_id, plan.rotator, origin)

    def rotator(self, secret_id: str, rotator: RotatorPlan, origin: Origin) -> None:
        env = self.name
        for part, type_token in _ROTATION_RESOURCES:
            self.urn(type_token, logical.rotation(env, secret_id, part), origin)
        role = self.iam_role(rotator.role_name, origin)
        self.inline_policy(role, ROTATION_POLICY_NAME, origin)
        self.regional("log-group", rotator.log_group_name, origin, LOG_GROUP)
        function = self.regional("lambda-function", rotator.function_name, origin, FUNCTION)
        self.physical(
            "lambda-permission",
            (self.account, self.region, function[2]),
            ROTATION_INVOKE_STATEMENT,
            origin,
            PERMISSION,
            "statementId",
            parent=function,
        )
        self.alarms(rotator.function_name, origin)

    def alarms(self, function_name: str, origin: Origin) -> None:
        for alarm in alarm_names(function_name):
            self.urn(ALARM, logical.function_alarm(self.name, alarm), origin)
            self.regional("alarm", alarm, origin, ALARM)

    # -- components/vault -----------------------------------------------------------------

    def vault(self) -> None:
        env, name = self.env, self.name
        secrets = self.vault_secrets()
        if not secrets:
            return
        # Located at the setting when the catalog writes it (Catalog.position walks up).
        origin = self.of_env("vault", "audit", "path")
        self.urn(VAULT_AUDIT, logical.vault_audit(name), origin)
        self.physical("vault-audit", (), layout.audit_path(env), origin, VAULT_AUDIT, "path")

        kv_secrets = [s for s in secrets if s.store == "vault-kv"]
        if kv_secrets:
            origin = self.of_env("vault", "kv_mount")
            self.urn(VAULT_MOUNT, logical.vault_kv_mount(name), origin)
            mount = self.physical(
                "vault-mount", (), layout.kv_mount(env), origin, VAULT_MOUNT, "path"
            )
            self.urn(VAULT_KV_CONFIG, logical.vault_kv_config(name), origin)
            self.kv_paths(mount, kv_secrets)
        if any(s.store == "vault-database" for s in secrets):
            self.database_engine(secrets)
        self.policies_and_auth()

    def vault_secrets(self) -> tuple[Secret, ...]:
        return vault_docs.vault_secrets(self.catalog, self.env)

    def kv_paths(self, mount: Key, kv_secrets: list[Secret]) -> None:
        """Each KV secret's metadata endpoint."""
        env, name = self.env, self.name
        for secret in kv_secrets:
            origin = self.of_secret(secret.id)
            self.urn(VAULT_ENDPOINT, logical.vault_kv_metadata(name, slug(secret.id)), origin)
            self.physical(
                "vault-kv-path",
                (mount[2],),
                layout.kv_metadata_path(env, secret.id),
                origin,
                VAULT_ENDPOINT,
                "path",
                parent=mount,
            )

    def database_engine(self, secrets: tuple[Secret, ...]) -> None:
        env, name = self.env, self.name
        origin = self.of_env("vault", "database_mount")
        self.urn(VAULT_MOUNT, logical.vault_database_mount(name), origin)
        mount = self.physical(
            "vault-mount", (), layout.database_mount(env), origin, VAULT_MOUNT, "path"
        )
        by_db: dict[str, list[Secret]] = {}
        for secret in secrets:
            if secret.store != "vault-database" or secret.lifecycle == "retired":
                continue
            assert secret.database is not None
            by_db.setdefault(secret.database.database, []).append(secret)
        for db in sorted(by_db):
            origin = self.of_database(db)
            self.urn(VAULT_CONNECTION, logical.vault_database_connection(name, db), origin)
            self.physical(
                "vault-db-connection",
                (mount[2],),
                layout.database_connection_name(db),
                origin,
                VAULT_CONNECTION,
                "name",
                parent=mount,
            )
            self.database_roles(mount, by_db[db])

    def database_roles(self, mount: Key, secrets: list[Secret]) -> None:
        """Each database secret's Vault role."""
        name = self.name
        for secret in secrets:
            role = layout.database_role_name(secret.id)
            static = layout.database_strategy(secret) == "static"
            type_token = VAULT_STATIC_ROLE if static else VAULT_DYNAMIC_ROLE
            origin = self.of_secret(secret.id)
            self.urn(type_token, logical.vault_database_role(name, role), origin)
            self.physical(
                "vault-db-role", (mount[2],), role, origin, type_token, "name", parent=mount
            )

    def policies_and_auth(self) -> None:
        catalog, env, name = self.catalog, self.env, self.name
        services = self.consuming_services()
        for service in services:
            origin = self.of_service(service)
            self.urn(VAULT_POLICY, logical.vault_service_policy(name, service), origin)
            self.vault_policy(layout.service_policy_name(env, service), origin)
        for team in self.writer_teams():
            origin = self.of_team(team, "Vault writer policy")
            self.urn(VAULT_POLICY, logical.vault_writer_policy(name, team), origin)
            self.vault_policy(layout.writer_policy_name(env, team), origin)
        rotator_teams = self.rotator_teams()
        for team in rotator_teams:
            origin = self.of_team(team, "KV rotator")
            self.urn(VAULT_POLICY, logical.vault_rotator_policy(name, team), origin)
            self.vault_policy(layout.rotator_policy_name(env, team), origin)

        origin = self.of_env()
        self.urn(VAULT_AUTH, logical.vault_aws_auth(name), origin)
        aws_auth = self.physical(
            "vault-auth-mount", (), layout.aws_auth_path(env), origin, VAULT_AUTH, "path"
        )
        # Its client configuration (one per mount, so it has no name of its own).
        self.urn(VAULT_AWS_CLIENT, logical.vault_aws_auth_client(name), origin)
        identities = {s: catalog.service_in(s, name) for s in services}
        k8s_auth = None
        if any(s.kubernetes for s in identities.values()):
            self.urn(VAULT_AUTH, logical.vault_kubernetes_auth(name), origin)
            k8s_auth = self.physical(
                "vault-auth-mount", (), layout.kubernetes_auth_path(env), origin, VAULT_AUTH, "path"
            )
        for service, identity in identities.items():
            origin = self.of_service(service)
            if _logs_in_with_aws(identity):
                self.urn(VAULT_AWS_ROLE, logical.vault_aws_role(name, service), origin)
                self.auth_role(aws_auth, service, origin, VAULT_AWS_ROLE, "role")
            if identity.kubernetes is not None and k8s_auth is not None:
                self.urn(VAULT_K8S_ROLE, logical.vault_kubernetes_role(name, service), origin)
                self.auth_role(k8s_auth, service, origin, VAULT_K8S_ROLE, "roleName")
        if rotator_teams:
            self.kv_rotation(rotator_teams, aws_auth)
        if self.owner_rotated_kv():
            # components/vault/renewal_check.py: the renewal check's policy and login.
            origin = self.of_env()
            self.urn(VAULT_POLICY, logical.vault_renewal_check_policy(name), origin)
            self.vault_policy(layout.renewal_check_policy_name(env), origin)
            self.urn(VAULT_AWS_ROLE, logical.vault_renewal_check_aws_role(name), origin)
            self.auth_role(aws_auth, layout.RENEWAL_CHECK_ROLE, origin, VAULT_AWS_ROLE, "role")

    def consuming_services(self) -> list[str]:
        return vault_docs.consuming_services(self.catalog, self.env)

    def writer_teams(self) -> list[str]:
        return vault_docs.writer_teams(self.catalog, self.env)

    def rotator_teams(self) -> list[str]:
        return vault_docs.rotator_teams(self.catalog, self.env)

    def owner_rotated_kv(self) -> bool:
        """Whether the renewal check watches KV secrets (its Vault policy and login)."""
        return bool(vault_docs.owner_rotated_kv_secrets(self.catalog, self.env))

    def vault_policy(self, policy: str, origin: Origin) -> None:
        self.physical("vault-policy", (), policy, origin, VAULT_POLICY, "name")

    def auth_role(
        self, mount: Key, role: str, origin: Origin, type_token: str, input_key: str
    ) -> None:
        self.physical(
            "vault-auth-role",
            (f"auth/{mount[2]}",),
            role,
            origin,
            type_token,
            input_key,
            parent=mount,
        )

    def kv_rotation(self, teams: list[str], aws_auth: Key) -> None:
        name = self.name
        origin = self.of_env()
        self.urn(LAYER, logical.kv_rotator_layer(name), origin)
        self.physical(
            "lambda-layer",
            (self.account, self.region),
            rotator_docs.kv_rotator_layer_name(name),
            origin,
            LAYER,
            "layerName",
        )
        self.urn(SCHEDULE_GROUP, logical.kv_schedule_group(name), origin)
        group = self.regional(
            "schedule-group", rotator_docs.schedule_group_name(name), origin, SCHEDULE_GROUP
        )
        rotated: dict[str, list[Secret]] = {}
        for secret in self.rotated_kv_secrets():
            rotated.setdefault(secret.owner, []).append(secret)
        for team in teams:
            origin = self.of_team(team, "KV rotator")
            for part, type_token in _KV_ROTATOR_RESOURCES:
                self.urn(type_token, logical.kv_rotator(name, team, part), origin)
            function = rotator_docs.rotator_function_name(name, team)
            role = self.iam_role(function, origin)
            self.inline_policy(role, rotator_docs.ROTATOR_LOGS_POLICY_NAME, origin)
            self.regional("log-group", rotator_docs.log_group_name(function), origin, LOG_GROUP)
            self.regional("lambda-function", function, origin, FUNCTION)
            self.alarms(function, origin)
            self.urn(VAULT_AWS_ROLE, logical.vault_rotator_aws_role(name, team), origin)
            self.auth_role(aws_auth, layout.rotator_role_name(team), origin, VAULT_AWS_ROLE, "role")
            scheduler = self.iam_role(rotator_docs.scheduler_role_name(name, team), origin)
            self.inline_policy(scheduler, rotator_docs.SCHEDULER_POLICY_NAME, origin)
            self.kv_schedules(group, rotated.get(team, []))

    def rotated_kv_secrets(self) -> list[Secret]:
        return vault_docs.rotated_kv_secrets(self.catalog, self.env)

    def kv_schedules(self, group: Key, secrets: list[Secret]) -> None:
        """The rotation schedule of each KV secret a team's rotator rotates."""
        name = self.name
        for secret in secrets:
            secret_origin = self.of_secret(secret.id)
            self.urn(SCHEDULE, logical.kv_schedule(name, slug(secret.id)), secret_origin)
            self.physical(
                "schedule",
                (self.account, self.region, group[2]),
                rotator_docs.schedule_name(name, slug(secret.id)),
                secret_origin,
                SCHEDULE,
                "name",
                parent=group,
            )


class _Keys(_Names):
    """The same walk as ``_Names``, recording each name's normalised key for the quick
    check (URNs, one stack's one namespace, as their values; the other names as
    (namespace, scope, value)) and, in ``records``, the registry's tuple with a reference
    to its origin in place of the Origin: the ``_Names`` method and arguments that make
    it, called only for the few names whose key repeats."""

    def __init__(self, catalog: Catalog, env: Environment) -> None:
        super().__init__(catalog, env)
        self.urns: list[str] = []
        self.physical_keys: list[tuple[str, tuple[str, ...], str]] = []
        self.records: list[tuple[Any, ...]] = []

    def of_env(self, *setting: str) -> Any:
        return (_Names.of_env, *setting)

    def of_shared_identity(self, origin: Any, service: str) -> Any:
        return (_Keys._shared_origin, origin, service)

    def _shared_origin(self, origin: Any, service: str) -> Origin:
        return _Names.of_shared_identity(self, self.origin(origin), service)

    def of_service(self, service: str, path: Path | None = None) -> Any:
        return (_Names.of_service, service, path)

    def of_secret(self, secret_id: str) -> Any:
        return (_Names.of_secret, secret_id)

    def of_team(self, team: str, role: str) -> Any:
        return (_Names.of_team, team, role)

    def of_database(self, database: str) -> Any:
        return (_Names.of_database, database)

    def origin(self, reference: tuple[Any, ...]) -> Origin:
        """The Origin ``_Names`` gives the name recorded with ``reference``."""
        make, *args = reference
        return make(self, *args)  # type: ignore[no-any-return]

    def urn(self, type_token: str, logical_name: str, origin: Any) -> None:
        value = f"{type_token}::{logical_name}"
        self.urns.append(value)
        self.records.append((("urn", self.stack, value), origin, type_token, None, None))

    def physical(
        self,
        namespace: str,
        scope: tuple[str, ...],
        value: str,
        origin: Any,
        type_token: str | None,
        input_key: str | None,
        parent: Key | None = None,
    ) -> Key:
        key = (namespace, scope, value)
        self.physical_keys.append(
            (namespace, scope, value.lower()) if namespace in CASE_INSENSITIVE else key
        )
        self.records.append((key, origin, type_token, input_key, parent))
        return key  # type: ignore[return-value]  # a plain tuple, as _Names.physical's

    def raws(self, keys: set[tuple[str, tuple[str, ...], str]]) -> list[tuple[Any, ...]]:
        """``_raw_env``'s tuples whose normalised key is in ``keys``, in its order."""
        out = []
        for key, origin, type_token, input_key, parent in self.records:
            namespace, scope, value = key
            normalised = (namespace, scope, value.lower()) if namespace in CASE_INSENSITIVE else key
            if normalised in keys:
                out.append((key, self.origin(origin), type_token, input_key, parent))
        return out


#: Namespaces whose scope ends in the name of another resource (a role, a function): the
#: bulk walk groups them by the rest of the scope, with (parent, value) pairs as values.
_BY_PARENT = frozenset({"iam-inline-policy", "lambda-permission"})
#: The group of existing IAM roles seccat attaches a policy to (not a namespace).
_EXISTING_ROLES = "existing iam-role"
#: Where _Bulk groups names: a URN by its stack and type token (a URN is the pair
#: ``type::logical``, and no type token holds ``::`` or ends in ``:``, so two URNs are
#: equal exactly when their type and logical name are); another name by its namespace and
#: scope (for _BY_PARENT, the scope without its last part).
_Group = tuple[str, tuple[str, ...], str | None]


def _bounded(names: list[str], limit: int) -> list[str]:
    """``names.bounded`` of each name (a long one is rare: only it pays the call)."""
    return [n if len(n) <= limit else bounded(n, limit) for n in names]


class _Bulk(_Names):
    """The same walk, with the names of each per-secret template made together for all the
    secrets it applies to (list comprehensions over the ids, with the naming functions'
    f-strings) and grouped where they must be unique. Origins are not made: a catalog
    whose groups all hold distinct names has no collision, and any other goes to ``_Keys``.

    It walks a superset: where the components would refuse an environment (a ``PlanError``,
    an ``UnsafeName``: ``_Names.walk`` then records nothing for it), it still records the
    names the templates give. Names it has that the registry lacks can only add repeats,
    never hide one, so "no repeat here" proves "no repeat in the registry".
    tests/catalog/test_name_registry.py proves the templates equal the naming functions
    and the bulk walk's names equal the registry's wherever the registry has any."""

    def __init__(self, catalog: Catalog, env: Environment, groups: dict[_Group, list[Any]]) -> None:
        super().__init__(catalog, env)
        self.groups = groups
        self.urns: dict[str, list[str]] = {}
        self._scan()

    def _scan(self) -> None:
        """One pass over the environment's secrets: what each selection of the walk needs
        (the conditions are those of the functions each selection names)."""
        env, services = self.name, self.catalog.services
        teams: set[str] = set()
        #: Consuming services, and whether each reads an AWS secret (AwsPlan.services).
        consumers: dict[str, bool] = {}
        vault_consumers: set[str] = set()  # vault_policy.consuming_services
        aws_secrets: list[Secret] = []  # AwsPlan.aws_secrets
        rotated: list[Secret] = []  # AwsPlan._rotator is not None
        watched: list[Secret] = []  # renewal.watched_secrets
        vault: list[Secret] = []  # vault_policy.vault_secrets
        rotated_kv: list[Secret] = []  # vault_policy.rotated_kv_secrets
        writers: set[str] = set()  # vault_policy.writer_teams
        owner_rotated_kv = False  # vault_policy.owner_rotated_kv_secrets
        aws_store, kv_store, vault_stores = _AWS_STORE, "vault-kv", vault_docs.VAULT_STORES
        rotated_kv_types = vault_docs.ROTATED_KV_TYPES
        for secret in self.catalog.secrets_in(env):
            teams.add(secret.owner)
            store = secret.store
            in_use = secret.lifecycle != "retired"
            if store == aws_store:
                aws_secrets.append(secret)
                if in_use:
                    if secret.owner_rotated:
                        watched.append(secret)
                    elif secret.generated and secret.rotation is not None:
                        rotated.append(secret)
            elif store in vault_stores:
                vault.append(secret)
                if store == kv_store and in_use:
                    writers.add(secret.owner)
                    if secret.owner_rotated:
                        watched.append(secret)
                        owner_rotated_kv = True
                    elif secret.type in rotated_kv_types and secret.rotation is not None:
                        rotated_kv.append(secret)
            for c in secret.consumers:
                if env in c.environments:
                    teams.add(services[c.service].team)
                    if store == aws_store:
                        consumers[c.service] = True
                    else:
                        consumers.setdefault(c.service, False)
                        if store in vault_stores:
                            vault_consumers.add(c.service)
        self.teams = sorted(teams)
        self.consumers = consumers
        self.vault_consumers = sorted(vault_consumers)
        self.aws_secrets = aws_secrets
        self.rotated = rotated
        self.watched = watched
        self.vault_list = vault
        self.rotated_kv = rotated_kv
        self.writers = sorted(writers)
        self.any_owner_rotated_kv = owner_rotated_kv

    # -- recording ----------------------------------------------------------------------

    def of_env(self, *setting: str) -> Any:
        return None

    def of_shared_identity(self, origin: Any, service: str) -> Any:
        return service  # what _declared_sharing compares

    def of_service(self, service: str, path: Path | None = None) -> Any:
        return None

    def of_secret(self, secret_id: str) -> Any:
        return None

    def of_team(self, team: str, role: str) -> Any:
        return None

    def of_database(self, database: str) -> Any:
        return None

    def urn(self, type_token: str, logical_name: str, origin: Any) -> None:
        self.urn_list(type_token).append(logical_name)

    def urn_list(self, type_token: str) -> list[str]:
        found = self.urns.get(type_token)
        if found is None:
            found = self.urns[type_token] = []
        return found

    def physical(
        self,
        namespace: str,
        scope: tuple[str, ...],
        value: str,
        origin: Any,
        type_token: str | None,
        input_key: str | None,
        parent: Key | None = None,
    ) -> Key:
        normalised = value.lower() if namespace in CASE_INSENSITIVE else value
        if namespace in _BY_PARENT:
            self.group(namespace, scope[:-1]).append((scope[-1], normalised))
        else:
            self.group(namespace, scope).append(normalised)
        return (namespace, scope, value)  # type: ignore[return-value]  # as _Names's

    def iam_role(self, role_name: str, origin: Any, type_token: str | None = ROLE) -> Key:
        if type_token is not None:
            return super().iam_role(role_name, origin, type_token)
        # An existing role (the origin is its service): one principal in environments that
        # declare they share identities, so it is judged by _existing_roles_shared.
        self.group(_EXISTING_ROLES, ()).append((self.account, role_name.lower(), origin, self.name))
        return ("iam-role", (self.account,), role_name)  # type: ignore[return-value]

    def group(self, namespace: str, scope: tuple[str, ...]) -> list[Any]:
        key = (namespace, scope, None)
        found = self.groups.get(key)
        if found is None:
            found = self.groups[key] = []
        return found

    # -- the selections, from the scan ----------------------------------------------------

    def platform_teams(self) -> list[str]:
        return self.teams

    def aws(self) -> None:
        # AwsPlan.services: every consuming service with an AWS identity. (A service without
        # one that reads an AWS secret makes the plan refuse the environment.)
        env = self.name
        for name, reads in sorted(self.consumers.items()):
            service = self.catalog.service_in(name, env)
            aws = service.aws
            if aws is None or (aws.trust is None and aws.role_name is None):
                continue
            self.service(name, service_role(service, env), not aws.existing, reads)
        secrets = self.aws_secrets
        if not secrets:
            self.renewal()
            return
        rotated = self.rotated
        self.replicas_and_layer(secrets, any(s.type == "database" for s in rotated))
        self.secrets_together(secrets, rotated)
        self.environment_aws(bool(rotated), secrets)

    def secrets_together(self, secrets: list[Secret], rotated: list[Secret]) -> None:
        """``secret`` and ``rotator`` of every AWS secret (AwsPlan._rotator: a rotator for
        each generated secret with a rotation, unless retired)."""
        env, account, region = self.name, self.account, self.region
        managed = _managed_secrets(env, [s.id for s in secrets])
        self.urn_list(MANAGED_SECRET).extend(managed)
        self.urn_list(SECRET).extend(managed)
        self.group("secret", (account, region)).extend(managed)  # aws_secret_name
        for secret, name in zip(secrets, managed, strict=True):
            for replica in secret.replicas:
                self.group("secret", (account, replica)).append(name)
        self.urn_list(SECRET_POLICY).extend(_secret_policies(managed))
        ids = [s.id for s in rotated]
        rotations = _managed_secrets(env, ids)
        for part, type_token in _ROTATION_RESOURCES:
            self.urn_list(type_token).extend(_rotation_parts(rotations, part))
        functions = _rotation_functions(env, ids)
        roles = [f.lower() for f in functions]
        self.group("iam-role", (account,)).extend(roles)
        self.group("iam-inline-policy", (account,)).extend(
            [(role, ROTATION_POLICY_NAME) for role in roles]
        )
        self.group("log-group", (account, region)).extend(_rotation_log_groups(env, ids))
        self.group("lambda-function", (account, region)).extend(functions)
        self.group("lambda-permission", (account, region)).extend(
            [(f, ROTATION_INVOKE_STATEMENT) for f in functions]
        )
        self.alarms_together(functions)

    def alarms_together(self, functions: list[str]) -> None:
        """``alarms`` of each function."""
        alarms = self.group("alarm", (self.account, self.region))
        urns = self.urn_list(ALARM)
        for metric in FUNCTION_METRICS:
            names = _function_alarms(functions, metric)
            alarms.extend(names)
            urns.extend(_function_alarm_urns(self.name, names))

    def watched_secrets(self) -> list[Secret]:
        return self.watched

    def renewal_schedules(self, group: Key, secrets: list[Secret]) -> None:
        env = self.name
        ids = [s.id for s in secrets]
        slugs = _slugs(ids)
        self.urn_list(SCHEDULE).extend(_renewal_schedule_urns(env, ids))
        self.group("schedule", (self.account, self.region, group[2])).extend(
            _renewal_schedules(env, slugs)
        )
        alarms = self.group("alarm", (self.account, self.region))
        urns = self.urn_list(ALARM)
        for kind in ("due", "overdue"):
            names = _renewal_alarms(env, slugs, kind)
            alarms.extend(names)
            urns.extend(_function_alarm_urns(env, names))

    def vault_secrets(self) -> tuple[Secret, ...]:
        return tuple(self.vault_list)

    def kv_paths(self, mount: Key, kv_secrets: list[Secret]) -> None:
        ids = [s.id for s in kv_secrets]
        self.urn_list(VAULT_ENDPOINT).extend(_kv_metadata_urns(self.name, _slugs(ids)))
        self.group("vault-kv-path", (mount[2],)).extend(_kv_metadata_paths(mount[2], ids))

    def database_roles(self, mount: Key, secrets: list[Secret]) -> None:
        roles = self.group("vault-db-role", (mount[2],))
        for static in (True, False):
            slugs = _slugs([s.id for s in secrets if _static(s) is static])
            type_token = VAULT_STATIC_ROLE if static else VAULT_DYNAMIC_ROLE
            self.urn_list(type_token).extend(_database_role_urns(self.name, slugs))
            roles.extend(slugs)

    def rotated_kv_secrets(self) -> list[Secret]:
        return self.rotated_kv

    def consuming_services(self) -> list[str]:
        return self.vault_consumers

    def writer_teams(self) -> list[str]:
        return self.writers

    def rotator_teams(self) -> list[str]:
        return sorted({s.owner for s in self.rotated_kv})

    def owner_rotated_kv(self) -> bool:
        return self.any_owner_rotated_kv

    def kv_schedules(self, group: Key, secrets: list[Secret]) -> None:
        slugs = _slugs([s.id for s in secrets])
        self.urn_list(SCHEDULE).extend(_kv_schedule_urns(self.name, slugs))
        self.group("schedule", (self.account, self.region, group[2])).extend(
            _kv_schedules(self.name, slugs)
        )


def _static(secret: Secret) -> bool:
    """vault_layout.database_strategy is "static" (it raises for a strategy that is neither
    static nor dynamic: the walk then refuses the environment, the bulk walk calls it
    dynamic)."""
    return secret.rotation is not None and secret.rotation.strategy == "static"


# -- the naming functions' templates, over many inputs at once ------------------------------
#
# Each is the f-string of the naming function named in its docstring, without the alphabet
# checks (the superset argument of _Bulk). tests/catalog/test_name_registry.py holds each to
# its naming function on generated inputs.


def _slugs(ids: list[str]) -> list[str]:
    """names.slug"""
    return [i.replace("/", ".") for i in ids]


def _managed_secrets(env: str, ids: list[str]) -> list[str]:
    """logical_names.managed_secret, and names.aws_secret_name (the same text)"""
    return [f"{env}/{i}" for i in ids]


def _secret_policies(managed: list[str]) -> list[str]:
    """logical_names.secret_policy, from the managed secrets' names"""
    return [f"{m}/policy" for m in managed]


def _rotation_parts(managed: list[str], part: str) -> list[str]:
    """logical_names.rotation, from the managed secrets' names"""
    return [f"{m}/rotation-{part}" for m in managed]


def _rotation_functions(env: str, ids: list[str]) -> list[str]:
    """names.rotation_function_name"""
    return _bounded([f"seccat-{env}-rotate-{i}".replace("/", "_") for i in ids], 64)


def _rotation_log_groups(env: str, ids: list[str]) -> list[str]:
    """names.rotation_log_group_name"""
    return [f"/seccat/{env}/rotation/{i}" for i in ids]


def _function_alarms(functions: list[str], metric: str) -> list[str]:
    """monitoring.alarm_name"""
    suffix = metric.lower()
    return _bounded([f"{f}-{suffix}" for f in functions], 255)


def _function_alarm_urns(env: str, alarms: list[str]) -> list[str]:
    """logical_names.function_alarm"""
    return [f"{env}/{a}" for a in alarms]


def _renewal_schedule_urns(env: str, ids: list[str]) -> list[str]:
    """logical_names.renewal_schedule"""
    return [f"{env}/renewal-check-{i}" for i in ids]


def _renewal_schedules(env: str, slugs: list[str]) -> list[str]:
    """renewal.schedule_name"""
    return _bounded([f"seccat-{env}-renew-{s}" for s in slugs], 64)


def _renewal_alarms(env: str, slugs: list[str], kind: str) -> list[str]:
    """renewal.alarm_names (kind "due": the first, "overdue": the second)"""
    return _bounded([f"seccat-{env}-renewal-{kind}-{s}" for s in slugs], 255)


def _kv_metadata_urns(env: str, slugs: list[str]) -> list[str]:
    """logical_names.vault_kv_metadata"""
    return [f"{env}-vault-kv-meta-{s}" for s in slugs]


def _kv_metadata_paths(mount: str, ids: list[str]) -> list[str]:
    """vault_layout.kv_metadata_path, under the mount's path"""
    return [f"{mount}/metadata/{i}" for i in ids]


def _database_role_urns(env: str, roles: list[str]) -> list[str]:
    """logical_names.vault_database_role (a role is vault_layout.database_role_name: the
    slug)"""
    return [f"{env}-vault-db-role-{r}" for r in roles]


def _kv_schedule_urns(env: str, slugs: list[str]) -> list[str]:
    """logical_names.kv_schedule"""
    return [f"{env}-kv-rotation-{s}" for s in slugs]


def _kv_schedules(env: str, slugs: list[str]) -> list[str]:
    """vault_rotator.schedule_name"""
    return _bounded([f"seccat-{env}-kv-{s}" for s in slugs], 64)


def _bulk_groups(catalog: Catalog) -> dict[_Group, list[Any]] | None:
    """Every environment's names, grouped (the physical groups shared by all of them);
    None when the bulk walk of an environment fails (the registry's walk then decides)."""
    groups: dict[_Group, list[Any]] = {}
    walks = []
    for env in catalog.environments.values():
        if env.aws is None:
            continue
        bulk = _Bulk(catalog, env, groups)
        if not bulk.walk():
            return None
        walks.append(bulk)
    for bulk in walks:
        for type_token, logical_names in bulk.urns.items():
            groups[("urn", bulk.stack, type_token)] = logical_names
    return groups


def _bulk_unique(catalog: Catalog) -> bool:
    """Whether every group of the bulk walk holds distinct names, and existing roles are
    only shared as declared: then the registry has no collision (see _Bulk). False means
    "not proven", not "colliding"."""
    groups = _bulk_groups(catalog)
    if groups is None:
        return False
    existing = groups.pop((_EXISTING_ROLES, (), None), [])
    return all(len(set(names)) == len(names) for names in groups.values()) and (
        _existing_roles_shared(catalog, existing, groups)
    )


def _existing_roles_shared(
    catalog: Catalog, existing: list[tuple[str, str, str, str]], groups: dict[_Group, list[Any]]
) -> bool:
    """Whether the existing roles ((account, lowered name, service, environment) each) are
    no collision: none has the name of another IAM role of its account, and one used in
    several environments is one service's, in environments that all declare they share
    identities (as _collisions_among decides with _declared_sharing)."""
    users: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for account, role, service, env in existing:
        users.setdefault((account, role), []).append((service, env))
    others: dict[str, set[str]] = {}
    for (account, role), sharing in users.items():
        if account not in others:
            others[account] = set(groups.get(("iam-role", (account,), None), ()))
        if role in others[account]:
            return False
        if len(sharing) > 1:
            if len({service for service, _ in sharing}) != 1:
                return False
            envs = [env for _, env in sharing]
            if not all(_share(catalog, a, b) for i, a in enumerate(envs) for b in envs[i + 1 :]):
                return False
    return True


def _logs_in_with_aws(service: Service) -> bool:
    """As components/vault/auth.py decides: only a service with an IAM role (created from
    aws.trust, or its own aws.role_name) logs in through AWS auth."""
    return service.aws is not None and bool(service.aws.trust or service.aws.role_name)


def _role_name_path(catalog: Catalog, service: str, env: str) -> Path:
    """Where a service's role name in ``env`` comes from: its own ``role_name`` if it
    wrote one (per environment or shared), else the service."""
    base: Path = ("services", service)
    own = catalog.services[service].environments.get(env)
    if own is not None and own.aws is not None:
        where: Path = (*base, "environments", env, "aws")
        return (*where, "role_name") if own.aws.role_name else where
    shared = catalog.services[service].aws
    if shared is not None and shared.role_name:
        return (*base, "aws", "role_name")
    return base


# -- collisions ---------------------------------------------------------------------------


def collisions(catalog: Catalog) -> list[Collision]:
    """Sets of catalog entries generating one name, merged so that two entries that
    collide on several names (an IAM role, a Vault role, a URN) are reported once.

    Almost every catalog generates no name twice, and proving that needs only the names:
    ``_Bulk`` makes the names of each template for all the secrets at once and finds
    every group of names distinct. Otherwise (a repeat, or an environment it cannot walk)
    ``_Keys`` walks the components with the same naming functions as the registry, keeping
    each name's key and a reference to its origin. Only the names whose key repeats get
    their Origin, and only they go through the merging below (a name no other shares
    takes no part in it), in the registry's order."""
    if _bulk_unique(catalog):
        return []
    walks = _quick_walks(catalog)
    repeated = _repeated(walks)
    if not repeated:
        return []
    return _collisions_among(catalog, [raw for walk in walks for raw in walk.raws(repeated)])


def registry_collisions(catalog: Catalog) -> list[Collision]:
    """``collisions`` from the full registry (``_raw``): the code path before the quick
    walk, kept as the oracle tests/catalog/test_name_registry.py holds it to."""
    return _collisions_among(catalog, _raw(catalog))


def _collisions_among(catalog: Catalog, raws: list[tuple[Any, ...]]) -> list[Collision]:
    first: dict[tuple[str, tuple[str, ...], str], tuple[Any, ...]] = {}
    shared: dict[tuple[str, tuple[str, ...], str], list[GeneratedName]] = {}
    for raw in raws:
        namespace, scope, value = key = raw[0]
        if namespace in CASE_INSENSITIVE:
            key = (namespace, scope, value.lower())
        known = first.setdefault(key, raw)
        if known is not raw and known[1] != raw[1]:
            if key not in shared:
                shared[key] = [_named(known)]
            shared[key].append(_named(raw))
    clashing: dict[tuple[str, tuple[str, ...], str], tuple[Origin, ...]] = {}
    for normalised, members in shared.items():
        origins = tuple(sorted({m.origin for m in members}))
        if len(origins) > 1 and not _declared_sharing(catalog, origins, members):
            clashing[normalised] = origins
    merged: dict[tuple[Origin, ...], list[Key]] = {}
    for normalised, origins in clashing.items():
        members = shared[normalised]
        parent = next((m.parent for m in members if m.parent is not None), None)
        if parent is not None and parent.normalised in clashing:
            continue  # the container's collision is the one to report
        merged.setdefault(origins, []).append(members[0].key)
    return [
        Collision(origins, tuple(sorted(keys, key=_key_order)))
        for origins, keys in sorted(merged.items())
    ]


def _named(raw: tuple[Any, ...]) -> GeneratedName:
    key, origin, type_token, input_key, parent = raw
    return GeneratedName(Key(*key), origin, type_token, input_key, Key(*parent) if parent else None)


def _key_order(key: Key) -> tuple[int, str, tuple[str, ...], str]:
    # Physical names first (what breaks a deployment), URNs last.
    return (key.namespace == "urn", key.namespace, key.scope, key.value)


def _declared_sharing(
    catalog: Catalog, origins: tuple[Origin, ...], members: list[GeneratedName]
) -> bool:
    """One service's existing role, used in environments that declare they share
    identities (environments.<env>.shares_identities_with), is one principal by design."""
    if not all(m.resource_type is None and m.origin.shared_identity for m in members):
        return False
    if len({o.shared_identity for o in origins}) != 1:
        return False
    envs = [o.env for o in origins]
    return all(_share(catalog, a, b) for i, a in enumerate(envs) for b in envs[i + 1 :])


def _share(catalog: Catalog, a: str, b: str) -> bool:
    ea, eb = catalog.environments[a], catalog.environments[b]
    return b in ea.shares_identities_with or a in eb.shares_identities_with
