"""A seccat preview (``seccat preview --format json``) as Terraform JSON, for checkov.

    python benchmarks/tf_json.py PREVIEW.json OUT_DIR     # writes OUT_DIR/main.tf.json

pulumi-aws and pulumi-vault are bridged from the Terraform providers, so every custom
resource of the preview has a Terraform twin with the same arguments: the type token maps to
the Terraform type (``aws:kms/key:Key`` -> ``aws_kms_key``), camelCase inputs to snake_case
arguments, nested objects to blocks. Keys inside map arguments (tags, environment
variables, audit options) are user data and stay as they are. Component resources and
providers have no Terraform resource and are left out; a Lambda's code archive becomes the
``filename`` argument Terraform uses. Numbers the mock monitor turned into floats
(``30.0``) are integers again.

This exists so the benchmark can time checkov on exactly the resources `seccat check`
evaluates (benchmarks/side_by_side.py); it is not a Terraform exporter for users.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

#: Type tokens whose Terraform type does not follow <package>_<module>_<snake name>.
_TYPE_OVERRIDES = {"aws:cfg/rule:Rule": "aws_config_config_rule"}

#: Arguments whose value is a map of user keys (not a block): their keys are kept verbatim.
_MAP_ARGUMENTS = frozenset(
    {"tags", "tagsAll", "variables", "options", "dataJson", "inputParameters", "defaultTags"}
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]")


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def terraform_type(type_token: str) -> str | None:
    """``aws:kms/key:Key`` -> ``aws_kms_key``; None for components and providers."""
    if type_token in _TYPE_OVERRIDES:
        return _TYPE_OVERRIDES[type_token]
    package, _, rest = type_token.partition(":")
    if package not in ("aws", "vault") or rest.count(":") != 1:
        return None
    module, name = rest.split(":")
    module = module.split("/")[0]
    parts = [package] if module == "index" else [package, module]
    return "_".join([*parts, snake(name)])


def _value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return _arguments(value)
    return value


def _arguments(inputs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in ("code", "content") and isinstance(value, dict):
            # a Pulumi asset archive: Terraform names the file
            out["filename"] = "rotation.zip"
            continue
        if key in _MAP_ARGUMENTS and isinstance(value, dict):
            out[snake(key)] = {k: _value(v) for k, v in value.items()}
        else:
            out[snake(key)] = _value(value)
    return out


def convert(preview: dict[str, Any]) -> dict[str, Any]:
    """Terraform JSON (``{"resource": {type: {name: arguments}}}``) of a preview document."""
    resources: dict[str, dict[str, Any]] = {}
    taken: set[tuple[str, str]] = set()
    for r in preview["resources"]:
        tf_type = terraform_type(r["type"]) if r["custom"] else None
        if tf_type is None:
            continue
        base = _NOT_NAME.sub("_", r["name"])
        if not base[0].isalpha() and base[0] != "_":
            base = f"r_{base}"
        name, n = base, 1
        while (tf_type, name) in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add((tf_type, name))
        resources.setdefault(tf_type, {})[name] = _arguments(r["inputs"])
    return {"resource": resources}


def count(document: dict[str, Any]) -> int:
    return sum(len(by_name) for by_name in document["resource"].values())


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    preview = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    document = convert(preview)
    (out / "main.tf.json").write_text(json.dumps(document, indent=1), encoding="utf-8")
    print(f"{count(document)} resources -> {out / 'main.tf.json'}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
