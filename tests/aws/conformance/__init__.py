"""AWS conformance harness: seccat's recorded previews applied to a real moto server.

API (reused by later work that needs a live environment, such as drift detection)::

    harness = AwsHarness(server, RepositoryAssets(directories={"build/lambda-layer": dir}))
    applied = harness.apply(preview)       # Applied: URN -> real id, ARN and outputs
    findings = harness.verify(applied)     # every recorded input compared with the server

One applier (apply/read_back pair) per resource type in appliers/, registered by type
token; oracles/ holds the independent checks of what moto does not validate. The per-type
table is docs/aws-conformance.md.
"""
