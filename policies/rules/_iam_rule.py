"""The shape every IAM rule shares: walk a resource's documents of the kinds it checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pulumi_policy import ResourceValidationArgs

from seccat.policies.iam import Statement, Unparsable, documents


def each_statement(
    args: ResourceValidationArgs, kinds: set[str]
) -> Iterator[tuple[str, Statement | None]]:
    """(where, statement) for each statement of the matching documents; statement None
    marks a document that is not valid JSON."""
    for kind, label, found in documents(args.resource_type, args.props):
        if kind not in kinds:
            continue
        if isinstance(found, Unparsable):
            yield label, None
            continue
        for s in found:
            yield label, s


def violations(
    args: ResourceValidationArgs,
    kinds: set[str],
    judge: Callable[[Statement], str | None],
) -> Iterator[str]:
    for where, s in each_statement(args, kinds):
        if s is None:
            yield f"{where} is not valid JSON"
            continue
        problem = judge(s)
        if problem:
            yield f"{where} {s.label}: {problem}"
