"""The runtime: inbox, outbox, pacing, leader election, webhook, workers, wake-ups, the
reminder loop, and the settings and clock they are built from (see docs/layout.md)."""
