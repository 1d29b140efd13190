"""One measurement in a fresh process, so peak memory is that step's alone.

    python benchmarks/measure.py validate CATALOG
    python benchmarks/measure.py preview CATALOG STACK
    python benchmarks/measure.py record CATALOG STACK OUT.json
    python benchmarks/measure.py baseline OUT.json STACK
    python benchmarks/measure.py rules CATALOG OUT.json
    python benchmarks/measure.py preview-json CATALOG STACK OUT.json

Prints one JSON object: {"seconds": ..., "peak_rss_mib": ..., "items": ...}
(preview-json: the preview's and the JSON output's seconds apart, as `seccat preview
--format json --out OUT.json` spends them; OUT.json ``-`` writes the document to stdout as
`seccat preview --format json` does, for a pipe or a redirection, and prints the figures on
stderr instead).
"""

from __future__ import annotations

import importlib
import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seccat.catalog.loader import load_catalog
from seccat.engine.preview import Preview, run_preview, run_program
from seccat.engine.recording import RecordedResource


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _sdk_class(type_token: str) -> type:
    """pulumi_aws / pulumi_vault class for a type token ("aws:kms/key:Key" -> kms.Key)."""
    provider, rest = type_token.split(":", 1)
    module, cls = rest.split(":")
    module = module.split("/")[0]
    package = {"aws": "pulumi_aws", "vault": "pulumi_vault"}[provider]
    path = package if module == "index" else f"{package}.{module}"
    try:
        mod = importlib.import_module(path)
    except ModuleNotFoundError:
        mod = importlib.import_module(path + "_")  # lambda -> lambda_
    return getattr(mod, cls)


def _rehydrate(value: Any) -> Any:
    """Recorded assets (seccat.engine.recording._asset) back into Pulumi asset objects."""
    import pulumi

    if isinstance(value, dict):
        if "assetArchive" in value:
            return pulumi.AssetArchive({k: _rehydrate(v) for k, v in value["assetArchive"].items()})
        if set(value) == {"fileAsset"}:
            return pulumi.FileAsset(value["fileAsset"])
        if set(value) == {"fileArchive"}:
            return pulumi.FileArchive(value["fileArchive"])
        return {k: _rehydrate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rehydrate(v) for v in value]
    return value


def baseline(recorded: list[dict[str, Any]]) -> None:
    """Register the same custom resources straight through the provider SDKs: no catalog,
    no components, no templates."""
    import pulumi_aws

    for r in recorded:
        if r["type"] == "pulumi:providers:aws":
            pulumi_aws.Provider(r["name"], **{_snake(k): v for k, v in r["inputs"].items()})
            continue
        cls = _sdk_class(r["type"])
        kwargs = {_snake(k): _rehydrate(v) for k, v in r["inputs"].items()}
        cls(r["name"], **kwargs)


def _preview_from_json(doc: dict[str, Any]) -> Preview:
    """The recorded preview, so rule timing needs no second registration run."""
    preview = Preview(stack=doc["stack"], catalog_path=doc["catalog"])
    preview.resources = [
        RecordedResource(
            type=r["type"],
            name=r["name"],
            urn=r["urn"],
            parent=r["parent"],
            inputs=r["inputs"],
            options=r["options"],
            custom=r["custom"],
            catalog_ref=tuple(r["catalogRef"]) if r["catalogRef"] else None,
        )
        for r in doc["resources"]
    ]
    return preview


def main(argv: list[str]) -> dict[str, Any]:
    kind = argv[0]
    if kind == "validate":
        start = time.perf_counter()
        catalog = load_catalog(Path(argv[1]))
        return {"seconds": time.perf_counter() - start, "items": len(catalog.secrets)}
    if kind == "preview":
        catalog = load_catalog(Path(argv[1]))
        start = time.perf_counter()
        preview = run_preview(catalog, argv[2], argv[1])
        return {"seconds": time.perf_counter() - start, "items": len(preview.resources)}
    if kind == "record":
        catalog = load_catalog(Path(argv[1]))
        preview = run_preview(catalog, argv[2], argv[1])
        Path(argv[3]).write_text(json.dumps(preview.to_json()))
        return {"seconds": 0.0, "items": len(preview.resources)}
    if kind == "preview-json":
        from seccat.cli.common import emit_pieces
        from seccat.reports.preview_json import json_pieces

        catalog = load_catalog(Path(argv[1]))
        out = None if argv[3] == "-" else Path(argv[3])
        start, cpu_start = time.perf_counter(), time.process_time()
        preview = run_preview(catalog, argv[2], argv[1])
        middle, cpu_middle = time.perf_counter(), time.process_time()
        before = resource.getrusage(resource.RUSAGE_SELF)
        emit_pieces(json_pieces(preview), out)  # as `seccat preview --format json` does
        after = resource.getrusage(resource.RUSAGE_SELF)
        end, cpu_end = time.perf_counter(), time.process_time()
        return {
            "seconds": end - start,
            "preview_s": middle - start,
            "output_s": end - middle,
            "preview_cpu_s": cpu_middle - cpu_start,
            "output_cpu_s": cpu_end - cpu_middle,
            # rendering and writing interleave (a batch at a time): user and system time
            # instead, and the page faults (a whole 146 MB document took ~38,000)
            "output_user_s": after.ru_utime - before.ru_utime,
            "output_sys_s": after.ru_stime - before.ru_stime,
            "output_minflt": after.ru_minflt - before.ru_minflt,
            "fast_path": all(r.floats_exact for r in preview.resources),
            "items": len(preview.resources),
        }
    if kind == "baseline":
        recorded = [r for r in json.loads(Path(argv[1]).read_text())["resources"] if r["custom"]]
        # the engine needs a catalog only for the account/region of mocked ARNs
        catalog = load_catalog(Path(__file__).resolve().parents[1] / "catalog.yaml")
        start = time.perf_counter()
        # the bare SDK: every resource through Pulumi's mock monitor, no seccat code
        preview = run_program(
            lambda: baseline(recorded), catalog, argv[2], "baseline", engine="sdk"
        )
        return {"seconds": time.perf_counter() - start, "items": len(preview.resources)}
    if kind == "rules":
        from seccat.checking.runner import evaluate_preview

        catalog = load_catalog(Path(argv[1]))
        preview = _preview_from_json(json.loads(Path(argv[2]).read_text()))
        start = time.perf_counter()
        findings = evaluate_preview(catalog, preview)
        return {"seconds": time.perf_counter() - start, "items": len(findings)}
    raise SystemExit(f"unknown measurement {kind!r}")


if __name__ == "__main__":
    result = main(sys.argv[1:])
    result["peak_rss_mib"] = round(_peak_rss_mib(), 1)
    stdout_taken = sys.argv[1] == "preview-json" and sys.argv[4:5] == ["-"]
    print(json.dumps(result), file=sys.stderr if stdout_taken else sys.stdout)
