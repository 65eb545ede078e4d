"""Data files shipped with the normalisers (built by ``build_geography.py``; see README.md)."""
