"""A stub of exactly one AWS Config API, which moto 5.2.5 lacks: GetComplianceDetailsByConfigRule.

moto implements PutConfigRule, DescribeConfigRules and PutEvaluations (test mode only, nothing
stored) but no compliance read, so `seccat status`'s time to detect a misconfiguration is
tested against this stub, seeded with evaluation results shaped as the API reference gives
them (https://docs.aws.amazon.com/config/latest/APIReference/API_GetComplianceDetailsByConfigRule.html):
AWS JSON 1.1 over HTTP (``X-Amz-Target: StarlingDoveService.GetComplianceDetailsByConfigRule``),
timestamps as epoch seconds, ``ComplianceTypes`` filtering, ``Limit`` (0-100, default 10) and
``NextToken`` paging, ``NoSuchConfigRuleException`` for an unknown rule,
``InvalidParameterValueException`` and ``InvalidNextTokenException`` for bad paging. Any other
operation is refused, so a caller that needs more than this API fails loudly.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TARGET = "StarlingDoveService.GetComplianceDetailsByConfigRule"


@dataclass
class ConfigComplianceStub:
    endpoint: str
    #: Rule name -> its evaluation results (datetimes for the timestamps).
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Every request body received, in order.
    requests: list[dict[str, Any]] = field(default_factory=list)


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Mapping):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _answer(stub: ConfigComplianceStub, target: str, body: dict[str, Any]) -> tuple[int, dict]:
    if target != TARGET:
        return 400, {"__type": "UnknownOperationException", "message": f"stub: {target}"}
    rule = body.get("ConfigRuleName")
    if rule not in stub.results:
        return 400, {
            "__type": "NoSuchConfigRuleException",
            "message": f"The ConfigRule '{rule}' provided in the request is invalid.",
        }
    limit = body.get("Limit", 10)
    if not isinstance(limit, int) or not 0 <= limit <= 100:
        return 400, {"__type": "InvalidParameterValueException", "message": "Limit"}
    wanted = set(body.get("ComplianceTypes") or ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"))
    matching = [r for r in stub.results[rule] if r["ComplianceType"] in wanted]
    token = body.get("NextToken")
    try:
        start = int(token) if token is not None else 0
    except ValueError:
        return 400, {"__type": "InvalidNextTokenException", "message": "NextToken"}
    size = limit or 10
    page = matching[start : start + size]
    reply: dict[str, Any] = {"EvaluationResults": _wire(page)}
    if start + size < len(matching):
        reply["NextToken"] = str(start + size)
    return 200, reply


@contextlib.contextmanager
def running_config_stub() -> Iterator[ConfigComplianceStub]:
    """Serve the stub on 127.0.0.1 (a free port) for the duration of the block."""
    holder: dict[str, ConfigComplianceStub] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            stub = holder["stub"]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            stub.requests.append(body)
            status, reply = _answer(stub, self.headers.get("X-Amz-Target", ""), body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["stub"] = ConfigComplianceStub(f"http://127.0.0.1:{httpd.server_port}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["stub"]
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()
