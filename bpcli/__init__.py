"""bpcli: a command-line backpropagation calculator."""
from .version import __version__

__all__ = ["__version__"]
