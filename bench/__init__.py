"""``python -m bench``: Kanal Aduan on each framework against a bare echo bot written with it.

See bench/README.md for what is measured and how to read the table.
"""
