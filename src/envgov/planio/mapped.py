"""Text that remembers, for every character, where it came from in the original document.

Normalisation rewrites the text many times (drop lines, convert characters, join lines); every step goes
through `MappedText` so an extracted item can always be shown at its place in the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Piece = tuple[int, int] | tuple[str, int]


@dataclass(frozen=True)
class MappedText:
    text: str
    # pos[i] = offset in the original text of text[i]; pos has one extra entry: the end sentinel.
    pos: tuple[int, ...]

    @classmethod
    def identity(cls, text: str) -> MappedText:
        return cls(text, tuple(range(len(text) + 1)))

    def __len__(self) -> int:
        return len(self.text)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of this text to a half-open span of the original."""
        if end <= start:
            p = self.pos[min(start, len(self.text))]
            return (p, p)
        return (self.pos[start], self.pos[end - 1] + 1)

    def build(self, pieces: Iterable[Piece]) -> MappedText:
        """New text from pieces: (start, end) keeps a slice of this text, (literal, anchor) inserts a string
        whose characters all point at the original position of this text's index `anchor`."""
        out: list[str] = []
        pos: list[int] = []
        for a, b in pieces:
            if isinstance(a, str):
                if a:
                    out.append(a)
                    p = self.pos[min(b, len(self.text))]
                    pos.extend([p] * len(a))
            elif b > a:
                out.append(self.text[a:b])
                pos.extend(self.pos[a:b])
        pos.append(self.pos[-1])
        return MappedText("".join(out), tuple(pos))

    def sub(self, pattern: re.Pattern[str] | str, repl: str | Callable[[re.Match[str]], str]) -> MappedText:
        """`re.sub` that keeps the map. A replacement of the same length maps one to one; otherwise every
        new character points at the start of what it replaced."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        pieces: list[Piece] = []
        last = 0
        changed = False
        for m in rx.finditer(self.text):
            new = repl(m) if callable(repl) else m.expand(repl)
            old = m.group(0)
            if new == old:
                continue
            changed = True
            pieces.append((last, m.start()))
            if len(new) == len(old):
                pieces.extend((new[i], m.start() + i) for i in range(len(new)))
            else:
                pieces.append((new, m.start()))
            last = m.end()
        if not changed:
            return self
        pieces.append((last, len(self.text)))
        return self.build(pieces)

    def translate_same_length(self, new_text: str) -> MappedText:
        """Replace the text by one of equal length (a character-for-character conversion)."""
        assert len(new_text) == len(self.text)
        return MappedText(new_text, self.pos)
