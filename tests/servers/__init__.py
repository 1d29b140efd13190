"""Throwaway real servers (PostgreSQL, ...) that tests run against on loopback."""
