"""Posters for every desa and kecamatan (issue 31): what a poster says (``facts``), its printable
page as PDF or PNG (``render``), and how the console offers them (``web/console/posters.py``)."""
