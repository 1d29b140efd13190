"""Stack config the Vault components read, and the stand-ins the offline engine supplies.

Under the Pulumi CLI the real values come from the stack: ``vault:address`` (stacks/*.yaml)
and, per database Vault connects to, ``seccat:vault-db-<database>-password`` set with
``pulumi config set --secret``. The offline engine has no stack secrets, so it sets each
password key to a fixed stand-in, *marked secret*: the preview shows ``[secret]``, and no real
password is ever needed (or possible) offline.

The password key names the database, not the environment: one stack is one environment, so
each stack's config already holds the admin password of that environment's own server.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from seccat.catalog.model import Catalog
from seccat.datafiles import CHECKOUT, SOURCE_ROOT
from seccat.documents.vault_layout import database_password_config_key
from seccat.stacks.files import StackFileError, find_project, read_stack_config, stack_file_path

#: The checkout's project (its stacks/); installed, the project is found from the working
#: directory, as `seccat preview` finds it.
PROJECT_ROOT: Path | None = SOURCE_ROOT if CHECKOUT else None
OFFLINE_PASSWORD = "offline-preview-stand-in"
OFFLINE_VAULT_ADDRESS = "https://vault.offline.invalid:8200"


#: ``false`` for servers without static-role rotation schedules (OpenBao 2.x, Vault < 1.15).
ROTATION_SCHEDULES_KEY = "vault-rotation-schedules"


def rotation_schedules_supported() -> bool:
    """Whether static roles may use ``rotation_schedule``/``rotation_window`` (default yes).

    OpenBao 2.x (forked before Vault 1.15) refuses them ("rotation_period is required"); with
    ``seccat:vault-rotation-schedules: false`` a catalog schedule becomes the longest period
    between its runs, and the window is not enforced.
    """
    value = pulumi.Config("seccat").get_bool(ROTATION_SCHEDULES_KEY)
    return True if value is None else value


def _stack_vault_address(stack: str) -> str | None:
    try:
        project = find_project(Path.cwd()) or PROJECT_ROOT
        if project is None:
            return None
        config = read_stack_config(stack_file_path(project, stack))
    except StackFileError:
        return None
    value = config.values.get("vault:address")
    return value if isinstance(value, str) else None


def offline_config(catalog: Catalog, stack: str) -> tuple[dict[str, str], list[str]]:
    """(config, secret keys) that let the Vault components run under the mock monitor."""
    # A team stack (prod.payments) has the environment's provider settings.
    environment = stack.split(".", 1)[0]
    address = _stack_vault_address(stack) or _stack_vault_address(environment)
    config = {"vault:address": address or OFFLINE_VAULT_ADDRESS}
    secret_keys = []
    for name in catalog.databases:
        key = f"seccat:{database_password_config_key(name)}"
        config[key] = OFFLINE_PASSWORD
        secret_keys.append(key)
    return config, secret_keys
