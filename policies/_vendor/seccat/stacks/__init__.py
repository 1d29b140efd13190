"""Pulumi stack files (`stacks/Pulumi.<env>.yaml`) and their agreement with the catalog.

The catalog is the one source of truth for an environment's AWS account and region; the
stack file repeats them for the provider (`aws:region`, `aws:allowedAccountIds`), and nothing
may let the two drift apart.
"""
