"""The one exception tree of kneeguard.

Every error a user can cause is one of these; the CLI turns it into a one-line
message on stderr and ``exit_code``, the web app into ``http_status`` with the
same message. Nothing else in kneeguard catches exceptions broadly.

    KneeguardError                       exit 1, HTTP 500
    ├── ConfigError                      exit 2, HTTP 500   bad setting or environment value
    ├── InputError                       exit 2, HTTP 422   a document the user gave is wrong
    │   ├── AnswersError                 exit 2, HTTP 422   assessment answers break the contract
    │   ├── JournalError                 exit 2, HTTP 422   a pain-journal entry is invalid
    │   ├── QuestionnaireError           exit 2, HTTP 422   a questionnaire response is invalid
    │   └── RestoreError                 exit 2, HTTP 422   a backup file cannot be restored
    ├── KnowledgeBaseError               exit 3, HTTP 500   a knowledge-base file is bad
    ├── ActivityImportError              exit 4, HTTP 422   a file yields no activity (reason given)
    │   └── HostileInputError            exit 4, HTTP 422   refused: entities, zip paths, bombs
    ├── StorageError                     exit 5, HTTP 500   the database cannot be used
    ├── NotFound                         exit 6, HTTP 404   no such assessment, activity, ...
    └── PermissionDenied                 exit 7, HTTP 403   a request the server refuses
"""

from __future__ import annotations


class KneeguardError(Exception):
    """Base of every error kneeguard reports to a user."""

    exit_code: int = 1
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(KneeguardError):
    exit_code = 2


class InputError(KneeguardError):
    """A document the user supplied is wrong. ``field`` names where, when known."""

    exit_code = 2
    http_status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AnswersError(InputError):
    pass


class JournalError(InputError):
    pass


class QuestionnaireError(InputError):
    pass


class RestoreError(InputError):
    pass


class KnowledgeBaseError(KneeguardError):
    exit_code = 3


class ActivityImportError(KneeguardError):
    """A file produced no activity; the message is the one-sentence reason."""

    exit_code = 4
    http_status = 422


class HostileInputError(ActivityImportError):
    pass


class StorageError(KneeguardError):
    exit_code = 5


class NotFound(KneeguardError):
    exit_code = 6
    http_status = 404


class PermissionDenied(KneeguardError):
    exit_code = 7
    http_status = 403
