"""Packaged default data for core (categories.toml)."""
