"""The Pulumi program. `__main__.py` calls `main()` under the Pulumi CLI, and the offline
engine calls the very same function under the mock monitor."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi

from seccat.catalog.diagnostics import CatalogError
from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog
from seccat.components.platform import (
    KMS_KEY_ARN,
    LAYER_ARNS,
    REPLICA_KEY_ARNS,
    SecretsPlatform,
    SecretsShard,
)
from seccat.documents import logical_names as logical
from seccat.stacks.consistency import ACCOUNTS, KEYS, ProviderConfig, provider_config_problems
from seccat.stacks.files import (
    StackFileError,
    display,
    find_project,
    read_stack_config,
    stack_file_path,
)
from seccat.stacks.plan import PlanError, StackSpec, environment_of, stack_spec


def main(catalog: Catalog | None = None, part: StackSpec | None = None) -> None:
    """Build the stack. The offline engine passes the catalog it already validated; under
    the Pulumi CLI it is read from the `seccat:catalog` config (default catalog.yaml).

    ``part``: offline only, one part of a single stack that a worker process previews
    (seccat.stacks.partition): the same program, building the shared resources and only
    the part's secrets, services and teams."""
    catalog_path = pulumi.Config("seccat").get("catalog") or "catalog.yaml"
    stack = pulumi.get_stack()
    # ``prod`` is the environment's one stack or, split, its platform stack; ``prod.<team>``
    # and ``prod.<team>.<shard>`` its team stacks (seccat.stacks.plan).
    environment = environment_of(stack)
    under_cli = catalog is None
    if catalog is None:
        try:
            catalog = load_catalog(Path(catalog_path))
        except CatalogError as exc:  # unreadable or invalid: located diagnostics, no traceback
            raise pulumi.RunError(str(exc)) from None
    if environment not in catalog.environments:
        known = ", ".join(sorted(catalog.environments))
        raise pulumi.RunError(
            f"stack {environment!r} names no environment in {catalog_path} (known: {known})"
        )
    check_stack_config(catalog, environment, require=under_cli, stack=stack)
    try:
        spec = stack_spec(catalog, stack)
    except PlanError as exc:
        raise pulumi.RunError(str(exc)) from None
    except KeyError:
        raise pulumi.RunError(
            f"stack {stack!r} is not a stack of environment {environment!r} in {catalog_path}: "
            "`seccat stacks` lists them"
        ) from None
    if part is not None:
        if spec.kind != "single":
            raise pulumi.RunError(f"stack {stack!r} is not a single stack: it has no parts")
        spec = part
    if under_cli and spec.kind == "platform":
        require_team_stack_files(catalog, environment)
    pulumi.export("environment", environment)
    if spec.kind == "shard":
        SecretsShard(logical.shard(stack), catalog, spec)
        return
    platform = SecretsPlatform(logical.platform(environment), catalog, environment, stack=spec)
    pulumi.export(KMS_KEY_ARN, platform.kms_key.arn)
    pulumi.export("alarmTopicArn", platform.alarm_topic.arn)
    if spec.kind == "platform":  # what the team stacks read through a StackReference
        pulumi.export(LAYER_ARNS, platform.shared[LAYER_ARNS])
        pulumi.export(REPLICA_KEY_ARNS, platform.shared[REPLICA_KEY_ARNS])


def require_team_stack_files(catalog: Catalog, environment: str) -> None:
    """Refuse `pulumi up` of a split environment's platform stack until its team stacks'
    files exist (`seccat stacks --write`): without them the split was not prepared, and
    this update would delete every team resource the stack still holds instead of leaving
    them for `pulumi state move` (`seccat stacks --diff`)."""
    from seccat.stacks.plan import plan_environment

    project = find_project(Path.cwd())
    if project is None or not stack_file_path(project, environment).is_file():
        return  # config kept elsewhere (a Pulumi Cloud environment): nothing to compare
    missing = [
        s.name
        for s in plan_environment(catalog, environment).stacks
        if s.kind == "shard" and not stack_file_path(project, s.name).is_file()
    ]
    if missing:
        raise pulumi.RunError(
            f"environment {environment!r} is split into micro-stacks, but the stack files of "
            f"{', '.join(missing)} are missing: run `seccat stacks --write`, move the state "
            "(`seccat stacks --diff --base <revision before the split>`), then update "
            "(docs/stacks.md)"
        )


def check_stack_config(
    catalog: Catalog, environment: str, *, require: bool, stack: str | None = None
) -> None:
    """Refuse to run when the stack's `aws:region` / `aws:allowedAccountIds` disagree with
    the catalog environment. Under the Pulumi CLI both must be set (``require``); offline the
    engine passes on what the stack file says, if there is one."""
    values: dict[str, object] = {}
    for key in KEYS:
        raw = pulumi.Config("aws").get(key.split(":", 1)[1])
        if raw is not None and key == ACCOUNTS:
            try:  # array config reaches the program as JSON text
                values[key] = json.loads(raw)
            except ValueError:
                values[key] = raw
        elif raw is not None:
            values[key] = raw
    if not values and not require:
        return  # offline without a stack file: nothing to compare
    stack = stack or environment
    file, positions = f"Pulumi.{stack}.yaml", {}
    project = find_project(Path.cwd())
    if project is not None:
        try:
            path = stack_file_path(project, stack)
            file = display(path)
            if path.is_file():
                positions = dict(read_stack_config(path, "seccat").positions)
        except StackFileError:
            pass  # the Pulumi CLI read it already; the values above are what count
    problems = provider_config_problems(
        catalog,
        environment,
        ProviderConfig.from_values(file, values, positions),
        require=require,
    )
    if problems:
        raise pulumi.RunError("\n".join(d.render() for d in problems))
