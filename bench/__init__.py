"""``python -m bench``: Kanal Aduan against a bare aiogram echo bot on the same emulator.

See bench/README.md for what is measured and how to read the table.
"""
