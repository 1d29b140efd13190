"""Secrets Manager rotation Lambdas (four-step protocol), packaged from ``functions/``."""
