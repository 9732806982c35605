"""Generative expressions: `prefix[ab]` stands for `prefixa` and `prefixb`.

A bracket holds the characters to put, one at a time, where it stands; `x-y` inside a
bracket is the range of characters from x to y (`[0-9]`), a '-' first or last is literal.
Several brackets give the cartesian product, the leftmost bracket varying slowest.
A '[' without a closing ']' and an empty '[]' are literal text.
Globs (cloudfiles.domain.globs) find their brackets with the same rules.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator

from attrs import frozen

from .errors import CloudFilesError


class ExpressionError(CloudFilesError, ValueError):
    """A generative expression is malformed (e.g. a reversed range like [z-a])."""


@frozen
class Bracket:
    """A closed `[...]` found in a text: `body` is what stands between the brackets."""

    body: str


def characters(body: str, text: str) -> tuple[str, ...]:
    """The characters a bracket body stands for, each once, in order of appearance.

    `text` is the whole expression, named in the error of a reversed range.
    """
    chars: list[str] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = body[i], body[i + 2]
            if ord(low) > ord(high):
                raise ExpressionError(f"Reversed range [{low}-{high}] in expression {text!r}.")
            chars.extend(chr(code) for code in range(ord(low), ord(high) + 1))
            i += 3
        else:
            chars.append(body[i])
            i += 1
    return tuple(dict.fromkeys(chars))


def split_brackets(text: str) -> list[str | Bracket]:
    """The text as literal runs (str) and closed, non-empty brackets (Bracket), in order."""
    pieces: list[str | Bracket] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        close = text.find("]", i + 1) if text[i] == "[" else -1
        if close <= i + 1 or "[" in text[i + 1:close]:
            literal.append(text[i])
            i += 1
            continue
        if literal:
            pieces.append("".join(literal))
            literal = []
        pieces.append(Bracket(text[i + 1:close]))
        i = close + 1
    if literal:
        pieces.append("".join(literal))
    return pieces


def parse(text: str) -> list[str | tuple[str, ...]]:
    """The expression as pieces: literal runs as str, brackets as the tuple of their characters."""
    return [piece if isinstance(piece, str) else characters(piece.body, text)
            for piece in split_brackets(text)]


def has_expression(text: str) -> bool:
    """Whether text holds at least one bracket to expand."""
    return any(isinstance(piece, Bracket) for piece in split_brackets(text))


def expand(text: str) -> Iterator[str]:
    """Every string the expression stands for, lazily, leftmost bracket varying slowest."""
    choices = [(piece,) if isinstance(piece, str) else piece for piece in parse(text)]
    return ("".join(combination) for combination in itertools.product(*choices))
