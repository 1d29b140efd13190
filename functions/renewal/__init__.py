"""Renewal checks for owner-rotated secrets (``rotation.by: owner``)."""
