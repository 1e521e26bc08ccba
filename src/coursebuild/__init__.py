"""coursebuild: a static-site generator for interactive course websites."""

__version__ = "0.1.0"
