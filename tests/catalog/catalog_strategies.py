"""Hypothesis strategies for whole catalogs whose leaf strings come from the schema itself.

Every string leaf is drawn from its alphabet's own pattern (``seccat.catalog.alphabets``,
the table the schema's ``$defs`` are generated from) with ``st.from_regex``. Names are drawn
once per catalog and references pick from them, so references resolve often enough that
a good share of catalogs is accepted; a few leaves come from outside the alphabets or name
something undefined, so refusals are exercised too. Every optional feature of catalog v1
appears: per-environment identities and databases, trusted accounts, shared identities,
Vault settings and audit devices, replicas, generate blocks, waivers, existing roles,
OIDC trusts, VPCs, lifecycles.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from seccat.catalog.alphabets import ALPHABETS, matches
from seccat.documents.service_principals import documented
from seccat.policies.registry import RULES


def alphabet(kind: str) -> st.SearchStrategy[str]:
    """A string the ``kind`` alphabet accepts, drawn from its own pattern."""
    return st.from_regex(ALPHABETS[kind].pattern, fullmatch=True).filter(lambda v: matches(kind, v))


def raw_alphabet(kind: str) -> st.SearchStrategy[str]:
    """A string from the alphabet's pattern alone (may break its length or Unicode rules).

    Lone surrogates are left out: no UTF-8 file can hold one."""
    return st.from_regex(ALPHABETS[kind].pattern, fullmatch=True).filter(
        lambda v: not any("\ud800" <= c <= "\udfff" for c in v)
    )


class Draw:
    """``draw`` for leaf strategies, plus a seeded ``random.Random`` for the structure.

    Hypothesis leans towards the first option of ``sampled_from`` and the bounds of
    ``integers`` (simple examples shrink well); for the catalog's shape that left whole
    features (syslog audit devices, OIDC trusts, Vault database logins) almost never drawn.
    Structural choices therefore come from a Random that hypothesis seeds, so every option
    is equally likely and every example still replays from its seed."""

    def __init__(self, draw: Draw) -> None:
        self.leaf = draw
        self.rng = draw(st.randoms(use_true_random=False))

    def __call__(self, strategy: st.SearchStrategy[Any]) -> Any:
        # a fixed list of options is a structural choice too
        elements = getattr(getattr(strategy, "wrapped_strategy", strategy), "elements", None)
        if isinstance(elements, list | tuple) and elements:
            return self.rng.choice(list(elements))
        return self.leaf(strategy)


def mostly(draw: Draw, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
    """A value from ``good`` nine times in ten, else from ``bad``."""
    return draw(good if draw.rng.random() < 0.9 else bad)


def pick(draw: Draw, options: Any) -> Any:
    return draw.rng.choice(list(options))


PLAIN_TEXT = st.sampled_from(
    ["Stripe key used by checkout", "Login for reporting", "Issued by the vendor", "x"]
)
ODD_TEXT = st.one_of(alphabet("free_text"), raw_alphabet("free_text"))
PRINCIPALS = st.sampled_from(
    ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com", "ec2.amazonaws.com", "eks.amazonaws.com"]
)
DURATIONS_AWS = st.sampled_from(["30d", "7d", "90d", "1d", "12h", "4h", "60d"])
SCHEDULES_AWS = st.sampled_from(["cron(0 4 ? * SUN *)", "rate(10 days)", "rate(12 hours)"])
WINDOWS = st.sampled_from(["1h", "2h", "3h"])
RULE_IDS = st.sampled_from(sorted(r.id for r in RULES))


def _sub(draw: Draw, items: list[str], min_size: int = 0) -> list[str]:
    if not items:
        return []
    return draw.rng.sample(items, draw.rng.randint(min_size, len(items)))


def _maybe(draw: Draw, p_absent: float = 0.5) -> bool:
    """True with probability 1 - ``p_absent``."""
    absent = round(p_absent * 20)
    return pick(draw, [True] * (20 - absent) + [False] * absent)


@st.composite
def catalogs(leaf: st.DrawFn) -> dict[str, Any]:
    draw = Draw(leaf)
    envs = draw(st.lists(alphabet("environment"), min_size=1, max_size=3, unique=True))
    teams = draw(st.lists(alphabet("team"), min_size=1, max_size=2, unique=True))
    services = draw(st.lists(alphabet("service"), min_size=0, max_size=3, unique=True))
    databases = draw(st.lists(alphabet("database"), min_size=0, max_size=2, unique=True))
    secret_ids = draw(st.lists(alphabet("secret_id"), min_size=1, max_size=4, unique=True))
    accounts = draw(st.lists(alphabet("account_id"), min_size=1, max_size=2, unique=True))

    def account() -> str:
        return pick(draw, accounts)

    catalog: dict[str, Any] = {"version": 1}
    catalog["teams"] = {
        t: {"contact": draw(alphabet("email"))}
        | ({"aws": {"owner_role": draw(alphabet("iam_role_name"))}} if _maybe(draw, 0.1) else {})
        for t in teams
    }
    catalog["environments"] = {e: _environment(draw, e, envs, account) for e in envs}
    catalog["services"] = {s: _service(draw, teams, envs, account) for s in services} or draw(
        st.sampled_from([None, {}])
    )
    if databases:
        catalog["databases"] = {d: _database(draw, envs, secret_ids) for d in databases}
    catalog["secrets"] = {
        sid: _secret(draw, teams, envs, services, databases) for sid in secret_ids
    }
    for name, db in (catalog.get("databases") or {}).items():
        _pick_admin_secrets(draw, name, db, catalog["secrets"])
    if _maybe(draw, 0.6):
        catalog["waivers"] = [
            _waiver(draw, envs, secret_ids + services) for _ in range(draw.rng.randint(1, 2))
        ]
    return catalog


def _environment(draw: Draw, name: str, envs: list[str], account: Any) -> dict[str, Any]:
    env: dict[str, Any] = {}
    if _maybe(draw, 0.05):
        aws: dict[str, Any] = {"account_id": account(), "region": draw(alphabet("region"))}
        if _maybe(draw, 0.8):
            aws["trusted_accounts"] = draw(
                st.lists(alphabet("account_id"), min_size=0, max_size=2, unique=True)
            )
        env["aws"] = aws
    for flag in ("protect", "detective_controls"):
        if _maybe(draw):
            env[flag] = draw.rng.random() < 0.5
    if _maybe(draw, 0.6):
        vault: dict[str, Any] = {}
        for key in ("kv_mount", "database_mount"):
            if _maybe(draw):
                vault[key] = mostly(draw, alphabet("mount"), raw_alphabet("mount"))
        if vault.get("kv_mount") == vault.get("database_mount") is not None and _maybe(draw, 0.1):
            vault["database_mount"] += "-db"  # the same mount twice only now and then
        if _maybe(draw):
            audit: dict[str, Any] = {}
            if _maybe(draw, 0.2):
                audit["type"] = pick(draw, ["file", "syslog", "file", "syslog", "socket"])
            if _maybe(draw):
                audit["path"] = draw(alphabet("mount"))
            if _maybe(draw):
                audit["file_path"] = mostly(
                    draw, alphabet("audit_file_path"), st.just("/etc/shadow")
                )
            vault["audit"] = audit
        if _maybe(draw):
            vault["aws_auth_header"] = draw(alphabet("header_value"))
        if _maybe(draw):
            vault["kubernetes_audience"] = draw(alphabet("k8s_audience"))
        env["vault"] = vault
    others = [e for e in envs if e != name]
    if others and _maybe(draw, 0.8):
        env["shares_identities_with"] = _sub(draw, others, min_size=1)
    return env


def _role_arn(draw: Draw, account: Any) -> str:
    name = draw(alphabet("iam_role_name"))
    return mostly(draw, st.just(f"arn:aws:iam::{account()}:role/{name}"), alphabet("role_arn"))


def _trust(draw: Draw, envs: list[str], account: Any) -> dict[str, Any]:
    kind = pick(draw, ["service", "role_arn", "oidc"])
    if kind == "service":
        trust: dict[str, Any] = {"service": mostly(draw, PRINCIPALS, alphabet("service_principal"))}
        # seccat's cited list decides: a listed principal gets the source keys, any other
        # must declare it goes without them; nine times in ten the draw follows that rule
        listed = documented(trust["service"]) is not None
        if (not listed) == (draw.rng.random() < 0.9):
            trust["without_source_keys"] = draw(PLAIN_TEXT)
        return trust
    if kind == "role_arn":
        return {"role_arn": _role_arn(draw, account)}
    host = mostly(draw, st.just("token.actions.githubusercontent.com"), alphabet("hostname"))
    provider = mostly(
        draw,
        st.just(f"arn:aws:iam::{account()}:oidc-provider/{host}"),
        alphabet("oidc_provider_arn"),
    )
    env = pick(draw, envs)
    subject = mostly(
        draw,
        st.sampled_from([f"repo:example/app:environment:{env}", "repo:example/app:ref:main"]),
        alphabet("oidc_subject"),
    )
    oidc: dict[str, Any] = {"provider_arn": provider, "subjects": [subject]}
    if _maybe(draw):
        oidc["audience"] = mostly(draw, st.just("sts.amazonaws.com"), alphabet("oidc_audience"))
    if _maybe(draw, 0.8):
        oidc["repository_wildcards"] = draw.rng.random() < 0.5
    return {"oidc": oidc}


def _aws_identity(draw: Draw, envs: list[str], account: Any) -> dict[str, Any]:
    if _maybe(draw, 0.85):
        aws: dict[str, Any] = {"trust": _trust(draw, envs, account)}
        if _maybe(draw, 0.8):
            aws["role_name"] = draw(alphabet("iam_role_name"))
        return aws
    return {
        "role_name": draw(alphabet("iam_role_name")),
        "existing": True,
        "reason": draw(PLAIN_TEXT),
    }


def _kubernetes(draw: Draw) -> dict[str, Any]:
    return {"namespace": draw(alphabet("k8s_name")), "service_account": draw(alphabet("k8s_name"))}


def _service(draw: Draw, teams: list[str], envs: list[str], account: Any) -> dict[str, Any]:
    service: dict[str, Any] = {"team": mostly(draw, st.sampled_from(teams), alphabet("team"))}
    if _maybe(draw, 0.3):
        service["aws"] = _aws_identity(draw, envs, account)
    if _maybe(draw):
        service["kubernetes"] = _kubernetes(draw)
    if _maybe(draw, 0.6):
        own = {}
        for env in _sub(draw, envs, min_size=1):
            block: dict[str, Any] = {}
            if _maybe(draw, 0.3):
                block["aws"] = _aws_identity(draw, [env], account)
            if _maybe(draw) or not block:
                block["kubernetes"] = _kubernetes(draw)
            own[env] = block
        service["environments"] = own
    return service


def _vpc(draw: Draw) -> dict[str, Any]:
    return {
        "subnet_ids": draw(st.lists(alphabet("subnet_id"), min_size=1, max_size=2, unique=True)),
        "security_group_ids": draw(st.lists(alphabet("security_group_id"), min_size=1, max_size=1)),
    }


def _connection(draw: Draw, secret_ids: list[str], shared: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if shared or _maybe(draw, 0.2):
        out["host"] = draw(alphabet("hostname"))
    if _maybe(draw):
        out["port"] = draw.rng.choice([1, 5432, 65535, draw.rng.randint(1, 65535)])
    if _maybe(draw):
        out["ssl_mode"] = draw(
            st.sampled_from(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"])
        )
    if _maybe(draw, 0.7):
        out["admin_secret"] = pick(draw, secret_ids)
    if _maybe(draw, 0.4):
        out["vault_username"] = draw(alphabet("db_identifier"))
    if _maybe(draw, 0.8):
        out["vpc"] = _vpc(draw)
    return out


def _pick_admin_secrets(draw: Draw, name: str, db: dict[str, Any], secrets: dict[str, Any]) -> None:
    """Mostly point admin_secret at a secret that can be one (else drop it)."""
    fitting = [
        sid
        for sid, s in secrets.items()
        if s["store"] == "aws-secretsmanager"
        and s["type"] == "database"
        and s["database"]["database"] == name
    ]
    for block in [db, *(db.get("environments") or {}).values()]:
        if "admin_secret" not in block or not _maybe(draw, 0.1):
            continue
        if fitting:
            block["admin_secret"] = pick(draw, fitting)
        else:
            del block["admin_secret"]


def _database(draw: Draw, envs: list[str], secret_ids: list[str]) -> dict[str, Any]:
    db: dict[str, Any] = {"database": draw(alphabet("db_identifier"))}
    if _maybe(draw, 0.7):
        db["engine"] = "postgresql"
    per_env = _maybe(draw)
    db |= _connection(draw, secret_ids, shared=not per_env)
    if per_env:
        db["environments"] = {
            e: _connection(draw, secret_ids, shared=True) for e in _sub(draw, envs, min_size=1)
        }
    if len(envs) > 1 and _maybe(draw, 0.8):
        db["managed_in"] = pick(draw, envs)
    return db


_STORE_TYPES = [
    ("aws-secretsmanager", "api-key"),
    ("aws-secretsmanager", "password"),
    ("aws-secretsmanager", "database"),
    ("aws-secretsmanager", "certificate"),
    ("aws-secretsmanager", "generic"),
    ("vault-kv", "api-key"),
    ("vault-kv", "password"),
    ("vault-kv", "generic"),
    ("vault-kv", "certificate"),
    ("vault-database", "database"),
]


def _rotation(draw: Draw, store: str, kind: str) -> dict[str, Any]:
    if kind in ("certificate", "generic"):
        # renewed by their owner, always (tests/catalog/test_semantics.py has the refusals)
        owner: dict[str, Any] = {"every": pick(draw, ["30d", "90d", "180d"]), "by": "owner"}
        if _maybe(draw, 0.6):
            owner["remind"] = pick(draw, ["1h", "7d", "14d"])
        return owner
    if store == "vault-database":
        strategy = pick(draw, ["static", "dynamic"])
        rotation: dict[str, Any] = {"strategy": strategy}
        if strategy == "static" and _maybe(draw):
            rotation["schedule"] = "cron(0 4 * * ? *)"
        else:
            rotation["every"] = pick(draw, ["1d", "30d", "1h"])
        return rotation
    if store == "vault-kv":
        return {"every": pick(draw, ["30d", "1d", "90d", "60d"])}
    if _maybe(draw, 0.3):
        rotation = {"every": draw(DURATIONS_AWS)}
    else:
        rotation = {"schedule": draw(SCHEDULES_AWS)}
    if _maybe(draw, 0.6):
        rotation["window"] = draw(WINDOWS)
    if kind == "database" and _maybe(draw):
        rotation["strategy"] = pick(draw, ["single-user", "alternating-users"])
    return rotation


def _secret(
    draw: Draw,
    teams: list[str],
    envs: list[str],
    services: list[str],
    databases: list[str],
) -> dict[str, Any]:
    if databases and draw.rng.random() < 0.4:  # database logins, both stores
        store, kind = pick(draw, ["aws-secretsmanager", "vault-database"]), "database"
    else:
        store, kind = pick(draw, [st for st in _STORE_TYPES if st[1] != "database"])
    secret: dict[str, Any] = {
        "owner": mostly(draw, st.sampled_from(teams), alphabet("team")),
        "type": kind,
        "store": store,
        "classification": draw(
            st.sampled_from(["public", "internal", "confidential", "restricted"])
        ),
    }
    if _maybe(draw):
        secret["description"] = mostly(draw, PLAIN_TEXT, ODD_TEXT)
    if _maybe(draw):
        secret["compliance"] = _sub(draw, ["pci-dss", "soc2", "nist-800-53", "gdpr"])
    secret_envs = envs
    if _maybe(draw):
        secret_envs = _sub(draw, envs, min_size=1)
        secret["environments"] = secret_envs
    lifecycle = pick(draw, ["active", "active", "active", "deprecated", "retired"])
    if lifecycle != "active" or _maybe(draw, 0.8):
        secret["lifecycle"] = lifecycle
    if lifecycle == "deprecated":
        secret["sunset"] = mostly(draw, st.just("2027-03-31"), alphabet("date"))
    if lifecycle != "retired" or _maybe(draw):
        secret["rotation"] = _rotation(draw, store, kind)
    if services and lifecycle != "retired" and _maybe(draw, 0.3):
        consumers = []
        for name in _sub(draw, services, min_size=1):
            consumer: dict[str, Any] = {"service": name}
            if _maybe(draw):
                consumer["access"] = pick(draw, ["read", "read", "read", "write"])
            if _maybe(draw, 0.7):
                consumer["environments"] = _sub(draw, secret_envs, min_size=1)
            consumers.append(consumer)
        secret["consumers"] = consumers
    if store == "aws-secretsmanager" and _maybe(draw, 0.7):
        secret["replicas"] = draw(st.lists(alphabet("region"), min_size=1, max_size=2, unique=True))
        if _maybe(draw, 0.1):  # mostly not an environment's home region
            secret["replicas"] = [
                r[:-1] + ("8" if r[-1] == "9" else "9") for r in secret["replicas"]
            ]
    if kind in ("api-key", "password", "database") and _maybe(draw, 0.6):
        generate: dict[str, Any] = {}
        if _maybe(draw):
            generate["length"] = pick(draw, [12, 16, 32, 64, 4096])
        if _maybe(draw):
            generate["exclude_characters"] = draw(alphabet("exclude_characters"))
        if _maybe(draw):
            generate["exclude_punctuation"] = draw.rng.random() < 0.5
        if _maybe(draw):
            generate["require_each_included_type"] = draw.rng.random() < 0.5
        secret["generate"] = generate
    if kind == "database":
        login: dict[str, Any] = {
            "database": pick(draw, databases),
            "username": draw(alphabet("db_identifier")),
        }
        if _maybe(draw, 0.8):
            login["alternate_username"] = draw(alphabet("db_identifier"))
        secret["database"] = login
    return secret


def _waiver(draw: Draw, envs: list[str], targets: list[str]) -> dict[str, Any]:
    waiver: dict[str, Any] = {
        "rule": draw(RULE_IDS),
        "target": mostly(draw, st.sampled_from(targets), alphabet("waiver_target")),
        "reason": draw(PLAIN_TEXT),
        "expires": mostly(draw, st.just("2027-06-30"), alphabet("date")),
        "approved_by": draw(alphabet("approver")),
    }
    if _maybe(draw):
        waiver["environments"] = _sub(draw, envs, min_size=1)
    return waiver
