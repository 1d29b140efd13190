"""Links from a pull-request comment into the user's repository: a catalog line at the
pull request's head, a rule's section in docs/policies.md.

The base is ``--link-base`` (``https://github.com/ORG/REPO/blob/SHA``) or, in GitHub
Actions, built from ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and ``GITHUB_SHA``. File
paths are made relative to the repository root, so a catalog in a subfolder links right.
Without a base there are no links, never a guessed one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from seccat.policies.registry import RULES_BY_ID

POLICIES_DOC = "docs/policies.md"


@dataclass(frozen=True)
class Links:
    base: str | None = None
    #: The repository root local paths are made relative to.
    root: Path | None = None

    @classmethod
    def from_environment(
        cls, link_base: str | None, root: Path | None, env: Mapping[str, str] | None = None
    ) -> Links:
        env = os.environ if env is None else env
        if link_base:
            return cls(link_base.rstrip("/"), root)
        server, repo, sha = (
            env.get("GITHUB_SERVER_URL"),
            env.get("GITHUB_REPOSITORY"),
            env.get("GITHUB_SHA"),
        )
        if server and repo and sha:
            return cls(f"{server.rstrip('/')}/{repo}/blob/{sha}", root)
        return cls(None, root)

    def relative(self, file: str) -> str:
        """``file`` relative to the repository root, '/'-separated (as given when it lies
        outside the repository)."""
        path = Path(file)
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def line(self, file: str, line: int) -> str | None:
        """A link to ``file``'s line at the head; None for a file outside the repository."""
        relative = self.relative(file)
        if self.base is None or Path(relative).is_absolute() or relative.startswith("../"):
            return None
        return f"{self.base}/{quote(relative)}#L{line}"

    def rule(self, rule_id: str) -> str | None:
        if self.base is None or rule_id not in RULES_BY_ID:
            return None
        return f"{self.base}/{POLICIES_DOC}#{rule_id.lower()}"
