"""bpcli's version: pyproject.toml's, written here too (tests/test_startup.py checks they agree),
because reading the installed package's metadata costs start-up time."""
__version__ = "0.1.0"
