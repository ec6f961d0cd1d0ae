"""Errors a user can cause. The CLI prints their message as one line and exits with status 2."""


class VaenasError(Exception):
    """Base of every error whose message tells the user what to do."""


class UnknownNameError(VaenasError):
    """A space, objective, data set or strategy name that is not registered."""


class ArchitectureFormatError(VaenasError):
    """An architecture string that does not parse."""


class InvalidArgumentError(VaenasError):
    """A value out of range: budget < 1, seeds < 1, budget larger than the space."""


class StudyConfigMismatchError(VaenasError):
    """An output folder already holds a study with another configuration."""


class JournalError(VaenasError):
    """A study journal or output folder that cannot be read or written."""


class DataError(VaenasError):
    """Missing or corrupt data that a feature needs."""


class CheckpointError(VaenasError):
    """A VAE checkpoint that is missing, corrupt, of another version or of another space."""


class MissingExtraError(VaenasError):
    """A feature whose optional dependency is not installed."""


class StudyLockedError(VaenasError):
    """A study folder that another running process holds."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is so that it unwinds as Ctrl-C does: journals
    keep what finished, locks and workers are released, exit status 143."""


EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C, as a shell reports a process SIGINT ended."""
EXIT_TERMINATED = 143
"""Exit status after SIGTERM."""
