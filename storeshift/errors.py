"""The errors a user can act on, each carrying a sentence fit to show them."""


class UserError(Exception):
    """Something the user can fix or must be told about; str() is the sentence to show."""


class DatabaseBusy(UserError):
    """Another program holds the database lock for longer than we wait."""


class DiskFull(UserError):
    """The disk (or the database's size limit) is full."""


class ReadOnlyDatabase(UserError):
    """The database file or its folder cannot be written."""


class DamagedDatabase(UserError):
    """The file is not a healthy SQLite database."""


class NotFound(UserError):
    """A record the user named does not exist."""


class Refused(UserError):
    """A rule refused the change (capacity reached, locked out, wrong PIN...)."""


class NewerDatabase(UserError):
    """The database was upgraded by a newer storeshift: this version must not write to it."""


class UnexpectedDatabaseError(Exception):
    """An SQLite error no user can fix (a bug): logged with its traceback, shown briefly.
    Its text names the SQLite error code only, never the message, which may quote row text."""
