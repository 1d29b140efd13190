"""No call-stack capture while the offline engine registers resources.

The Pulumi Python SDK (3.195 and later) walks the whole interpreter stack on every
registration (``traceback.extract_stack``, about 35 frames for a seccat resource) and turns
each frame into a protobuf source position, so that ``pulumi up`` can record where in the
program a resource was declared. Under the mock monitor nothing reads those frames: the
mock ignores ``stackTrace`` and ``sourcePosition``, and seccat records type, name, inputs,
options, parent and dependencies only. Yet the capture costs about a fifth of an offline
preview (see docs/benchmarks.md).

The SDK has no setting to turn it off, so while :func:`run_program` runs, and only then,
``pulumi.runtime.resource._get_stack_trace`` answers an empty trace, exactly what the SDK
itself sends when it finds no user frame. The real function is put back afterwards, even
when the program fails, so a real ``pulumi up`` in the same interpreter (the Automation
API) still sends its stack traces.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pulumi.runtime import resource as _sdk_resource
from pulumi.runtime.proto import source_pb2

#: The SDK function replaced; an SDK without it (older, or renamed) is left alone.
_TARGET = "_get_stack_trace"


def _empty_stack_trace() -> source_pb2.StackTrace:
    """What the SDK sends when it finds no frame of user code."""
    return source_pb2.StackTrace()


def capture_is_patchable() -> bool:
    """Whether this SDK has the capture function this module replaces."""
    return callable(getattr(_sdk_resource, _TARGET, None))


@contextmanager
def without_stack_traces() -> Iterator[None]:
    """Within the block, registrations carry an empty stack trace (and no source position)."""
    if not capture_is_patchable():
        yield
        return
    original = getattr(_sdk_resource, _TARGET)
    setattr(_sdk_resource, _TARGET, _empty_stack_trace)
    try:
        yield
    finally:
        setattr(_sdk_resource, _TARGET, original)
