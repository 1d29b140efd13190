"""Operating what seccat deploys: `seccat verify`, `status`, `rotate`, `rollback` (and the
commands built on the same pieces, such as `seccat events`).

Shared pieces, each a small documented API:

* ``clients``: ``connect_aws(env, endpoint_url=...)`` -> ``AwsConnection`` (standard
  credential chain, the environment's region, refuses another account's credentials);
  ``connect_vault()`` -> ``VaultConnection`` (VAULT_ADDR, VAULT_TOKEN or a login method).
* ``targets``: ``select_environments(catalog, stack, all_stacks)``;
  ``build_targets(catalog, env, preview)`` -> ``EnvironmentTargets``: per catalog secret,
  where it lives (Secrets Manager name, Vault paths), what rotates it, who consumes it, and
  the reverse look-ups (``by_aws_name``, ``by_aws_arn``, ``by_vault_path``).
* ``errors``: ``OperationError(message, code)`` and the AccessDenied explanation.
* ``compare``: semantic equality of IAM/key policies and Vault HCL.

No module here prints, logs or stores a secret value: values are read only where a command
must move one (rollback compares versions in memory) and never leave the process.
"""
