"""Build the rotation Lambdas' dependency layer: ``python functions/build_layer.py OUT_DIR``.

The Python Lambda runtime ships boto3 but not pg8000 or hvac. This installs
``functions/requirements.txt`` into ``OUT_DIR/python`` (the layer layout Lambda expects) for
the target Python version, then removes optional compiled accelerators that have pure-Python
fallbacks (charset-normalizer's mypyc modules), so the same layer works on x86_64 and arm64.
It fails if any other compiled module remains. Needs ``uv`` and access to PyPI (or uv's cache).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
_EXTENSIONS = ("*.so", "*.pyd")


def build_layer(out_dir: Path, python_version: str = "3.12") -> Path:
    site = out_dir / "python"
    if site.exists():
        shutil.rmtree(site)
    subprocess.run(
        [
            "uv",
            "pip",
            "install",
            "--quiet",
            "--target",
            str(site),
            "--python-version",
            python_version,
            "--no-deps",  # requirements.txt pins the full closure
            "--only-binary",
            ":all:",
            "--no-compile",
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
    )
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts: unused in Lambda
    leftovers = []
    for pattern in _EXTENSIONS:
        for ext in sorted(site.rglob(pattern)):
            fallback = ext.with_name(ext.name.split(".", 1)[0] + ".py")
            if fallback.exists():
                ext.unlink()
            else:
                leftovers.append(ext.relative_to(site))
    if leftovers:
        raise SystemExit(f"compiled modules without a pure-Python fallback: {leftovers}")
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--python-version", default="3.12")
    args = parser.parse_args(argv)
    site = build_layer(args.out_dir, args.python_version)
    print(site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
