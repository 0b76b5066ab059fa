"""The package's own exceptions.

Every error carries *where* (a file, a row, a config key), *what* is wrong and *what to do*,
so the command line can print it as one line::

    gpmb: error: <where>: <what> — <what to do>
"""

from __future__ import annotations

__all__ = ["CRSError", "ConfigError", "GpmbError", "InputError"]


class GpmbError(Exception):
    """Base class of every error gpmb_gis raises on purpose.

    Parameters
    ----------
    where
        The place the problem is: a file path, ``file:row``, a config key.
    what
        What is wrong, in one sentence.
    todo
        What the user can do about it.
    """

    def __init__(self, where: str, what: str, todo: str = "") -> None:
        self.where = str(where)
        self.what = str(what)
        self.todo = str(todo)
        super().__init__(self.line())

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        # an error raised on a dask worker travels back whole: where, what and what to do
        return (type(self), (self.where, self.what, self.todo))

    def line(self) -> str:
        """Return the one-line message ``<where>: <what> — <what to do>``."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text} — {self.todo}" if self.todo else text


class ConfigError(GpmbError, ValueError):
    """The project config file is missing, malformed or inconsistent."""


class InputError(GpmbError, ValueError):
    """An input layer or table cannot be read or lacks what is needed."""


class CRSError(GpmbError, ValueError):
    """Coordinates do not fit the declared or expected coordinate system."""
