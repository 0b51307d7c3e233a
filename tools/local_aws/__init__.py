"""Local AWS emulator: moto for every service plus an MWAA backend, on one endpoint.

Run it with ``PYTHONPATH=tools python -m local_aws --port 4566``; see README.md.
"""

__all__ = ["LocalAws", "MwaaBackend", "Settings", "serve"]


def __getattr__(name):
    # Lazy, so importing the package (e.g. for its constants) does not load moto.
    if name in ("LocalAws", "serve"):
        from . import server

        return getattr(server, name)
    if name in ("MwaaBackend", "Settings"):
        from . import mwaa

        return getattr(mwaa, name)
    raise AttributeError(name)
