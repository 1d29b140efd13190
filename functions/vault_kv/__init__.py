"""Rotation of generated Vault/OpenBao KV v2 secrets, packaged from ``functions/``."""
