"""Approvals for new access to sensitive secrets.

`seccat diff` fails when a change lets a principal read the value of a secret classified
``restricted`` (configurable) that it could not read before, unless an approval matches the
grant. An approval is one line, ``ENVIRONMENT:SECRET:PRINCIPAL``, each part a glob
(``*`` any text, ``?`` one character): PRINCIPAL is the catalog service, the role's name or
its full id (a role ARN, ``vault:<mount>/role/<name>``). Approvals come from ``--approve``
(given by a workflow, e.g. when a pull request carries a label only the security team may
set) or an approvals file, one per line, ``#`` comments, reviewed like code (CODEOWNERS).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seccat.access.model import Principal
from seccat.catalog.iam_globs import matches


class ApprovalError(ValueError):
    """An approval that is not ``ENVIRONMENT:SECRET:PRINCIPAL``."""


@dataclass(frozen=True)
class Approval:
    environment: str
    secret: str
    principal: str
    #: Where it was given: ``--approve`` or ``FILE:LINE``.
    source: str

    @property
    def text(self) -> str:
        return f"{self.environment}:{self.secret}:{self.principal}"

    def matches(self, environment: str, secret: str, principal: Principal) -> bool:
        # ``*`` and ``?`` only, as documented: fnmatch's ``[a-z]`` would widen an approval
        if not matches(self.environment, environment):
            return False
        if not matches(self.secret, secret):
            return False
        names = {principal.name, principal.id, principal.service}
        return any(n is not None and matches(self.principal, n) for n in names)


def parse_approval(text: str, source: str) -> Approval:
    """``ENVIRONMENT:SECRET:PRINCIPAL``; the principal may itself contain ':' (an ARN)."""
    parts = text.strip().split(":", 2)
    if len(parts) != 3 or not all(p.strip() for p in parts):
        raise ApprovalError(
            f"{source}: {text.strip()!r} is not an approval; write ENVIRONMENT:SECRET:PRINCIPAL, "
            "e.g. prod:payments/stripe-api-key:billing-worker"
        )
    environment, secret, principal = (p.strip() for p in parts)
    return Approval(environment, secret, principal, source)


def read_approvals(path: Path) -> list[Approval]:
    """One approval per line; blank lines and ``#`` comments are skipped."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ApprovalError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ApprovalError(f"{path}: not UTF-8 text") from None
    out: list[Approval] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if content:
            out.append(parse_approval(content, f"{path}:{number}"))
    return out
