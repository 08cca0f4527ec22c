"""Errors a user can act on.

Everything the library raises because of bad *input* is a :class:`DynodeInputError`
(the CLI turns it into a one-line message and exit code 2). Anything else is a bug
and keeps its traceback.
"""


class DynodeError(Exception):
    """Base class of the errors dynode-plugin raises on purpose."""


class DynodeInputError(DynodeError, ValueError):
    """Bad input: the message says what was wrong and what to do about it."""


class HostError(DynodeError):
    """The host's own code failed while we ran it (the CLI prints one line, exit code 1;
    ``DYNODE_DEBUG=1`` shows the host's traceback)."""


class MissingWeightsError(DynodeInputError, FileNotFoundError):
    """A weights file is needed and was not found where we looked.

    The message names the file, every place searched and how to get the file.
    """

    def __init__(self, what: str, filename: str, searched, how_to_get: str):
        self.filename = filename
        self.searched = [str(s) for s in searched]
        where = "\n".join(f"  - {s}" for s in self.searched) or "  (nowhere)"
        self.message = f"{what}: weights file '{filename}' not found. Looked in:\n{where}\n{how_to_get}"
        super().__init__(self.message)

    def __str__(self) -> str:  # FileNotFoundError would format errno/filename instead
        return self.message
