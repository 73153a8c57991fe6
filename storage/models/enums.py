"""Enum-typed string columns: a column reads as the core enum and stores its value, the same
strings as a plain ``String`` column (the schema does not change: no CHECK constraint, no
native enum type; the migrations' columns stay ``VARCHAR(n)``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class StoredEnum(TypeDecorator[E]):
    """``VARCHAR(length)`` holding the values of ``enum``. A member is written as its value; a
    plain string is written as given (a filter typed in the console that names no status finds
    nothing, as before). A stored value that is not a member (written by a newer version) is read
    as the stored string, so the readers that expect such values (``core.timeline.event_words``)
    still see it."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        # Both named as the constructor's arguments: SQLAlchemy's statement cache keys on them.
        self.enum = enum
        self.length = length

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return value.value if isinstance(value, self.enum) else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        try:
            return self.enum(value)
        except ValueError:
            return value

    @property
    def python_type(self) -> type[E]:
        return self.enum
