"""`seccat diff`: what a catalog change does, stack by stack (docs/diff.md)."""
