"""The one error type of the expression language."""

from __future__ import annotations

from qmoi.errors import QmoiError
from qmoi.source import Span


class ExpressionError(QmoiError):
    """A syntax or evaluation error in a ``${{ }}`` expression.

    ``span`` holds offsets into the text that was parsed (the expression, or the whole
    template or YAML value when one was given); ``None`` when no place applies.
    """

    exit_code = 1

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.span = span

    def shifted(self, offset: int) -> ExpressionError:
        """The same error with its span moved by ``offset`` (to a larger enclosing text)."""
        if self.span is None or offset == 0:
            return self
        moved = ExpressionError(self.message, Span(self.span.start + offset,
                                                   self.span.end + offset))
        moved.__cause__ = self.__cause__
        return moved


class UnknownFunctionError(ExpressionError):
    """A call of a function GitHub does not have (the linter reports it as an unknown name)."""

    def shifted(self, offset: int) -> ExpressionError:
        if self.span is None or offset == 0:
            return self
        return UnknownFunctionError(self.message, Span(self.span.start + offset,
                                                       self.span.end + offset))


class ArityError(ExpressionError):
    """A known function called with the wrong number of arguments."""

    def shifted(self, offset: int) -> ExpressionError:
        if self.span is None or offset == 0:
            return self
        return ArityError(self.message, Span(self.span.start + offset, self.span.end + offset))
