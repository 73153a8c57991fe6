"""The one error the benchmark reports instead of a table."""


class BenchError(RuntimeError):
    """The run did not do what it claims to measure (lost updates, missing reports, 429s...)."""
