"""Reading one JSON text of certificate input without being thrown by it:
nesting too deep for the decoder, numbers too long to convert, bytes that are
not UTF-8, and control characters hidden in escapes all become a
``FieldError`` naming the field and the reason, never an exception of another
kind. Pure functions on strings; ``schema`` validates what this decodes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

MAX_DIGITS = 30
"""A number in certificate input has a handful of digits (a degree); longer
ones are refused by field before Python is asked to convert them (it refuses
4,300 digits and more with an error of its own)."""

MAX_FIELD = 200
"""A field name is cut to this length (the width of ``rejections.field``)."""

BYTE_ORDER_MARK = "\ufeff"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BAD_BYTE = re.compile(r"[\udc80-\udcff]")
"""Bytes that were not UTF-8, as ``surrogateescape`` decoding keeps them."""
_SUSPECT = re.compile(r"[\\\x7f-\x9f\ud800-\udfff]")
"""What a line must contain for a decoded string to hold a control character
or a surrogate: an escape, a raw DEL or C1 control, or an undecodable byte
(JSON itself refuses raw C0 controls inside strings)."""


class FieldError(ValueError):
    """A line of input was rejected: which field, and why.

    The field is shown as text: characters that cannot be printed are
    escaped and a long name is cut, so that a rejection can always be stored
    and printed."""

    def __init__(self, field: str, reason: str) -> None:
        field = printable(field)[:MAX_FIELD]
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def __reduce__(self) -> tuple[type[FieldError], tuple[str, str]]:
        # Pickled as its two parts: a validating process sends it back.
        return (FieldError, (self.field, self.reason))


def printable(text: str) -> str:
    r"""``text`` with control characters and surrogates as ``\uXXXX``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


class _LongNumber:
    """Stands in for a number of more than ``MAX_DIGITS`` digits."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def decode(text: str, *, whole: str) -> tuple[Any, bool]:
    """The JSON value of ``text`` (a leading byte-order mark allowed), and
    whether it needs ``check_text``. ``whole`` names the text in a rejection:
    ``(line)`` or ``(body)``."""
    text = text.removeprefix(BYTE_ORDER_MARK)
    long_numbers = False

    def number(convert: type[int] | type[float]) -> Any:
        def read(digits: str) -> int | float | _LongNumber:
            nonlocal long_numbers
            if len(digits) <= MAX_DIGITS:
                return convert(digits)
            long_numbers = True
            return _LongNumber(len(digits))

        return read

    try:
        value = json.loads(
            text, parse_int=number(int), parse_float=number(float), parse_constant=_constant
        )
    except json.JSONDecodeError as err:
        bad = _BAD_BYTE.search(text)
        if bad is not None:
            raise FieldError(whole, _not_utf8(bad.group(), bad.start() + 1)) from None
        raise FieldError(whole, f"is not valid JSON ({err.msg} at column {err.colno})") from None
    except RecursionError:
        raise FieldError(whole, "is not valid JSON here: nested too deeply") from None
    except _NotJsonError as err:
        raise FieldError(whole, f"is not valid JSON ({err} is not a JSON value)") from None
    return value, long_numbers or _SUSPECT.search(text) is not None


class _NotJsonError(ValueError):
    pass


def _constant(name: str) -> Any:
    # Python's decoder takes NaN and Infinity, which JSON does not have.
    raise _NotJsonError(name)


def check_text(value: Any, *, whole: str) -> None:
    """Refuse the first string (a key or a value) with a control character,
    a lone surrogate or a byte that was not UTF-8, and the first number of
    too many digits, naming where it is (``patient.name``, ``periods.0``)."""
    for path, item in _walk(value, whole):
        if isinstance(item, _LongNumber):
            raise FieldError(path, f"is a number of {item.digits} digits")
        reason = _text_problem(item)
        if reason is not None:
            raise FieldError(path, reason)


def _walk(value: Any, whole: str) -> Iterator[tuple[str, Any]]:
    """Every key and leaf of a decoded value with its dotted path, in order,
    without recursion (the nesting may be as deep as the decoder allows)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            children = []
            for key, child in item.items():
                inner = f"{path}.{key}" if path else key
                yield inner, key
                children.append((inner, child))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            prefix = f"{path}." if path else ""
            stack.extend((f"{prefix}{i}", child) for i, child in reversed(list(enumerate(item))))
        else:
            yield path or whole, item


def _text_problem(item: Any) -> str | None:
    if not isinstance(item, str):
        return None
    bad = _BAD_BYTE.search(item)
    if bad is not None:
        return _not_utf8(bad.group(), None)
    surrogate = _SURROGATE.search(item)
    if surrogate is not None:
        return f"contains a lone surrogate (U+{ord(surrogate.group()):04X}), not a character"
    control = _CONTROL.search(item)
    if control is not None:
        return f"contains a control character (U+{ord(control.group()):04X})"
    return None


def _not_utf8(char: str, column: int | None) -> str:
    where = f" at column {column}" if column is not None else ""
    return f"is not UTF-8 text (byte 0x{ord(char) - 0xDC00:02X}{where})"
