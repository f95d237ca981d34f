"""Secret masking as the runner does it: every registered value and its encoded
variants are replaced by ``***`` wherever they occur, overlapping hits merged.

Sources: R:src/Sdk/DTLogging/Logging/SecretMasker.cs (ordinal substring search, every
occurrence, overlapping or touching ranges merged into one ``***``),
R:src/Sdk/DTLogging/Logging/ValueEncoders.cs (the encoded variants) and
R:src/Runner.Worker/Worker.cs ``InitializeSecretMasker`` (a secret is trimmed and each of
its lines is registered too). The runner masks output line by line (ProcessInvoker reads
lines), so the streaming API here is line-buffered.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from qmoi.execute._dotnet import read_lines, trim

MASK = "***"
Encoder = Callable[[str], str]


def base64_escape(value: str) -> str:
    """``Base64StringEscape``: the UTF-8 bytes in standard base64 (with padding)."""
    return base64.b64encode(value.encode("utf-8", "replace")).decode("ascii")


def _base64_shift(value: str, shift: int) -> str:
    # base64(prefix + secret) encodes the secret differently for each prefix length mod 3,
    # so the runner also registers the encoding of the secret without its first 1/2 bytes.
    data = value.encode("utf-8", "replace")
    return base64.b64encode(data[shift:] if len(data) > shift else data).decode("ascii")


def base64_shift1(value: str) -> str:
    """``Base64StringEscapeShift1``."""
    return _base64_shift(value, 1)


def base64_shift2(value: str) -> str:
    """``Base64StringEscapeShift2``."""
    return _base64_shift(value, 2)


def command_line_escape(value: str) -> str:
    """``CommandLineArgumentEscape``: ``"`` as ``\\"`` (env vars passed to docker)."""
    return value.replace('"', '\\"')


def expression_escape(value: str) -> str:
    """``ExpressionStringEscape``: ``'`` doubled, as inside an expression string literal."""
    return value.replace("'", "''")


def json_escape(value: str) -> str:
    """``JsonStringEscape``: Newtonsoft's JSON string body (non-ASCII kept, U+0085/U+2028/
    U+2029 and control characters escaped, lower-case hex)."""
    body = json.dumps(value, ensure_ascii=False)[1:-1]
    for char in ("\x85", "\u2028", "\u2029"):
        body = body.replace(char, f"\\u{ord(char):04x}")
    return body


def uri_escape(value: str) -> str:
    """``UriDataEscape`` (``Uri.EscapeDataString``): all but RFC 3986 unreserved."""
    return urllib.parse.quote(value, safe="-_.~", errors="replace")


def xml_escape(value: str) -> str:
    """``XmlDataEscape`` (``SecurityElement.Escape``)."""
    out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace('"', "&quot;").replace("'", "&apos;")


def trim_double_quotes(value: str) -> str:
    """``TrimDoubleQuotes``: a quoted value longer than 8 characters, unquoted."""
    if len(value) > 8 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return ""


def _ampersand_section(value: str, before: bool) -> str:
    if "&" not in value:
        return ""
    if "&+" in value:
        cut = value.index("&+") + 2
        section = value[:cut] if before else value[cut + 1 :]
    else:
        cut = value.rindex("&") + 1
        section = value[:cut] if before else value[cut:]
    return section if len(section) >= 6 else ""


def powershell_pre_ampersand(value: str) -> str:
    """``PowerShellPreAmpersandEscape``: PowerShell errors split a secret at ``&``/``&+``
    and colour the pieces; this is the first piece (when at least 6 characters)."""
    return _ampersand_section(value, before=True)


def powershell_post_ampersand(value: str) -> str:
    """``PowerShellPostAmpersandEscape``: the piece after the split (the coloured letter
    after ``&+`` is skipped), when at least 6 characters."""
    return _ampersand_section(value, before=False)


# The encoders HostContext registers, in its order.
RUNNER_ENCODERS: tuple[Encoder, ...] = (
    base64_escape,
    base64_shift1,
    base64_shift2,
    command_line_escape,
    expression_escape,
    json_escape,
    uri_escape,
    xml_escape,
    trim_double_quotes,
    powershell_pre_ampersand,
    powershell_post_ampersand,
)


@dataclass(slots=True)
class SecretMasker:
    """Registered values (and their encodings), replaced by ``***`` in any text.

    ``min_length``: the runner masks any non-empty value (its only length floors are
    inside the PowerShell and quote-trimming encoders), so the default is 1; a caller may
    raise it to skip tiny values at the cost of faithfulness.
    """

    encoders: tuple[Encoder, ...] = RUNNER_ENCODERS
    min_length: int = 1
    _originals: set[str] = field(default_factory=set)
    _values: set[str] = field(default_factory=set)
    _ordered: list[str] = field(default_factory=list)
    # The values without a line break: the only ones that can match inside one line
    _in_line: list[str] = field(default_factory=list)

    def add_value(self, value: str) -> None:
        """``SecretMasker.AddValue``: the value itself and every non-empty encoding."""
        if not value or len(value) < self.min_length or value in self._originals:
            return
        self._originals.add(value)
        for variant in (value, *(encode(value) for encode in self.encoders)):
            if variant and variant not in self._values:
                self._values.add(variant)
                self._ordered.append(variant)
                if "\n" not in variant and "\r" not in variant:
                    self._in_line.append(variant)
        # Longest first, so a scan can stop at the first (longest) hit at a position.
        self._ordered.sort(key=len, reverse=True)

    def add_secret(self, secret: str) -> None:
        """A job secret or ``::add-mask::`` value: the trimmed whole (it may appear in
        multi-line traces) and each trimmed line (output is masked line by line)."""
        value = trim(secret)
        self.add_value(value)
        for line in value.replace("\r", "\n").split("\n"):
            self.add_value(trim(line))

    @property
    def values(self) -> tuple[str, ...]:
        """Every string that is masked, longest first."""
        return tuple(self._ordered)

    def mask(self, text: str) -> str:
        """``MaskSecrets``: every occurrence of every value (overlaps included) becomes part
        of a range; ranges that overlap or touch are merged into one ``***``."""
        return self._mask(text, self._ordered)

    @staticmethod
    def _mask(text: str, values: list[str]) -> str:
        if not text or not values:
            return text
        ranges = sorted(_hits(text, values))
        if not ranges:
            return text
        out: list[str] = []
        position = 0
        start, end = ranges[0]
        for hit_start, hit_end in ranges[1:]:
            if hit_start <= end:
                end = max(end, hit_end)
                continue
            out += [text[position:start], MASK]
            position, start, end = end, hit_start, hit_end
        out += [text[position:start], MASK, text[end:]]
        return "".join(out)

    def mask_lines(self, lines: list[str]) -> list[str]:
        """``[mask(line) for line in lines]`` for lines without line breaks, in one pass
        over their text: each value is searched for once in the lines joined by ``\\n``,
        not once per line. A value with a line break never matches inside a line, so only
        the others are searched for; none of those matches across a ``\\n``, and hits on
        either side of one neither overlap nor touch, so the masked text splits back into
        the lines ``mask`` would give."""
        if not self._in_line:
            return lines
        if len(lines) == 1:
            return [self.mask(lines[0])]
        text = "\n".join(lines)
        masked = self._mask(text, self._in_line)
        return lines if masked is text else masked.split("\n")


def _hits(text: str, values: list[str]) -> Iterable[tuple[int, int]]:
    for value in values:
        found = text.find(value)
        while found >= 0:
            yield found, found + len(value)
            found = text.find(value, found + 1)


@dataclass(slots=True)
class MaskedLineStream:
    """Masks a stream that arrives in arbitrary chunks: text is cut into lines the way
    the runner reads process output (CR, LF or CRLF end a line) and each complete line is
    masked; ``close`` flushes the unterminated rest. A secret therefore never escapes by
    being split across chunks."""

    masker: SecretMasker
    _pending: str = ""

    def feed(self, chunk: str) -> list[str]:
        """The masked lines completed by ``chunk`` (without their line endings)."""
        text = self._pending + chunk
        # A trailing CR may be the first half of a CRLF: hold it until the next chunk.
        held = "\r" if text.endswith("\r") else ""
        body = text[: len(text) - len(held)]
        cut = max(body.rfind("\n"), body.rfind("\r"))
        if cut < 0:
            self._pending = text
            return []
        complete, self._pending = body[: cut + 1], body[cut + 1 :] + held
        return [self.masker.mask(line) for line in read_lines(complete)]

    def close(self) -> list[str]:
        """The masked unterminated last line, if any."""
        rest, self._pending = self._pending, ""
        return [self.masker.mask(line) for line in read_lines(rest)]
