"""Where an expression sits in a script: the quoting context of each ``${{ }}`` in a bash/sh,
PowerShell or JavaScript script, for the rules that move a value into an environment variable.

GitHub substitutes ``${{ }}`` into the script text before the shell sees it, so moving a
value into an environment variable needs the quoting context of each expression: the
reference must read the same way there ("$VAR" bare, ${VAR} inside double quotes…).
"""

from __future__ import annotations

from collections.abc import Callable

Frame = tuple[str, int]  # (state, offset where it opened)
Step = Callable[[int], int]  # one offset through a language's state machine: the next one
_CODE = frozenset({"code", "subst", "paren", "bt", "tplexpr"})


def _heredoc_header(text: str, i: int) -> tuple[int, tuple[str, bool, bool]] | None:
    """Parse ``<<[-] WORD`` at ``i``: (end offset, (delimiter, quoted, strip tabs))."""
    j = i + 2
    dash = text.startswith("-", j)
    j += dash
    while j < len(text) and text[j] in " \t":
        j += 1
    k = j
    while k < len(text) and text[k] not in " \t\r\n;|&<>()":
        k += 1
    word = text[j:k]
    delimiter = word.replace("'", "").replace('"', "").replace("\\", "")
    if not delimiter:
        return None
    return k, (delimiter, word != delimiter, dash)


def _heredoc_bodies(text: str, i: int, pending: list[tuple[str, bool, bool]],
                    holes: dict[int, int], found: dict[int, Frame]) -> int:
    for delimiter, quoted, dash in pending:
        while i < len(text):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            for start in (h for h in holes if i <= h < end):
                found[start] = ("qheredoc" if quoted else "heredoc", i)
            line = text[i:end].rstrip("\r")
            i = end + 1
            if (line.lstrip("\t") if dash else line) == delimiter:
                break
    pending.clear()
    return i


def _scan(text: str, holes: dict[int, int], stack: list[Frame], found: dict[int, Frame],
          step: Step) -> dict[int, Frame]:
    """Walk ``text``: each hole (start → end offset) takes the context on top of ``stack``
    and is skipped; every other offset goes through ``step``."""
    i = 0
    while i < len(text):
        if i in holes:
            found[i] = stack[-1]
            i = holes[i]
        else:
            i = step(i)
    return found


def bash_contexts(text: str, holes: dict[int, int]) -> dict[int, Frame]:
    """The quoting context of each hole (start → end offsets) in a bash/sh script:
    code, dq, sq, heredoc, qheredoc, comment, or ansi/brace (no safe rewrite)."""
    found: dict[int, Frame] = {}
    stack: list[Frame] = [("code", 0)]
    pending: list[tuple[str, bool, bool]] = []

    def step(i: int) -> int:
        c, state = text[i], stack[-1][0]
        if state in ("sq", "ansi", "comment"):
            if state == "ansi" and c == "\\":
                i += 1
            elif (c == "'" and state != "comment") or (c == "\n" and state == "comment"):
                stack.pop()
                if c == "\n":
                    return i
        elif c == "\\":
            i += 1
        elif state == "dq" and c == '"':
            stack.pop()
        elif text.startswith("$(", i) or text.startswith("${", i):
            stack.append(("subst" if text[i + 1] == "(" else "brace", i))
            i += 1
        elif c == "`":
            _toggle(stack, "bt", i)
        elif state == "dq":
            pass
        elif c in "'\"":
            stack.append(("sq" if c == "'" else "dq", i))
        elif text.startswith("$'", i):
            stack.append(("ansi", i))
            i += 1
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
            stack.append(("comment", i))
        elif c == "(":
            stack.append(("paren", i))
        elif (c == ")" and state in ("subst", "paren")) or (c == "}" and state == "brace"):
            stack.pop()
        elif text.startswith("<<", i) and not text.startswith("<<<", i):
            header = _heredoc_header(text, i)
            if header is not None:
                i = header[0]
                pending.append(header[1])
                return i
        elif c == "\n" and pending:
            i = _heredoc_bodies(text, i + 1, pending, holes, found)
            return i
        return i + 1

    return _scan(text, holes, stack, found, step)


def _toggle(stack: list[Frame], state: str, i: int) -> None:
    if stack[-1][0] == state:
        stack.pop()
    else:
        stack.append((state, i))


def pwsh_contexts(text: str, holes: dict[int, int]) -> dict[int, Frame]:
    """Like :func:`bash_contexts` for PowerShell: code, dq, sq, hdq, hsq, comment."""
    stack: list[Frame] = [("code", 0)]

    def step(i: int) -> int:
        c, state = text[i], stack[-1][0]
        line_start = i == 0 or text[i - 1] == "\n"
        if state == "comment":
            if c == "\n":
                stack.pop()
        elif state == "block":
            if text.startswith("#>", i):
                stack.pop()
                i += 1
        elif state == "sq":
            if text.startswith("''", i):
                i += 1  # a doubled quote is a literal quote
            elif c == "'":
                stack.pop()
        elif state in ("hsq", "hdq"):
            if line_start and text.startswith("'@" if state == "hsq" else '"@', i):
                stack.pop()
                i += 1
            elif state == "hdq" and text.startswith("$(", i):
                stack.append(("subst", i))
        elif c == "`":
            i += 1
        elif state == "dq" and c == '"':
            stack.pop()
        elif text.startswith("$(", i):
            stack.append(("subst", i))
            i += 1
        elif state == "dq":
            pass
        elif text.startswith("@'\n", i) or text.startswith("@\"\n", i):
            stack.append(("hsq" if text[i + 1] == "'" else "hdq", i))
            i += 2
        elif c in "'\"":
            stack.append(("sq" if c == "'" else "dq", i))
        elif text.startswith("<#", i):
            stack.append(("block", i))
        elif c == "#":
            stack.append(("comment", i))
        elif c == "(":
            stack.append(("paren", i))
        elif c == ")" and state in ("subst", "paren"):
            stack.pop()
        return i + 1

    return _scan(text, holes, stack, {}, step)


def js_contexts(text: str, holes: dict[int, int]) -> dict[int, Frame]:
    """Like :func:`bash_contexts` for JavaScript: code, sq, dq, tpl, comment."""
    stack: list[Frame] = [("code", 0)]

    def step(i: int) -> int:
        c, state = text[i], stack[-1][0]
        if state == "comment":
            if c == "\n":
                stack.pop()
        elif state == "block":
            if text.startswith("*/", i):
                stack.pop()
                i += 1
        elif state in ("sq", "dq", "tpl"):
            if c == "\\":
                i += 1
            elif c == {"sq": "'", "dq": '"', "tpl": "`"}[state]:
                stack.pop()
            elif state == "tpl" and text.startswith("${", i):
                stack.append(("tplexpr", i))
                i += 1
        elif c in "'\"`":
            stack.append(({"'": "sq", '"': "dq", "`": "tpl"}[c], i))
        elif text.startswith("//", i) or text.startswith("/*", i):
            stack.append(("comment" if text[i + 1] == "/" else "block", i))
            i += 1
        elif c == "{":
            stack.append(("paren", i))
        elif c == "}" and state in ("paren", "tplexpr"):
            stack.pop()
        return i + 1

    return _scan(text, holes, stack, {}, step)


def is_code(state: str) -> bool:
    return state in _CODE
