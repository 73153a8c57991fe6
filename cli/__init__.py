"""The `aduan` command line: the door at the top, imported by nothing."""
