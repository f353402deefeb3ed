"""The loader's error type: a user-facing message, never a stack trace."""

from __future__ import annotations


class LoadError(Exception):
    """A problem the user can fix (bad path, unknown source, unreadable file, bad contract).

    The message names the file or setting at fault and is printed as is by `pulse load`.
    """


class ContractError(LoadError):
    """A source declaration (models/staging/*/_*__sources.yml) the loader cannot use."""
