"""The web app: the same library functions and result types as the CLI, as HTML and JSON."""

from labscout.web.app import create_app

__all__ = ["create_app"]
