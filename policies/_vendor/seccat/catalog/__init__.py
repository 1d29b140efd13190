"""Catalog: load the YAML, validate it, and build the immutable model."""
