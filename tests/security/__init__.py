"""Regression tests for the security review before launch: each reproduces an attack that once
worked (see docs/security.md) and shows it no longer does."""
