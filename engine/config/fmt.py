"""Canonical formatting of HCL source, byte-identical to ``terraform fmt``.

A re-implementation of hclwrite's formatter (github.com/hashicorp/hcl/v2/hclwrite/format.go)
plus the few rewrites Terraform's fmt command applies on top of it (command/fmt.go):

* tokenize the source (``tokenize``) the way hclsyntax's scanner does: templates split into
  quote / literal / interpolation tokens, heredocs as opener, literal lines and closer,
  ``#``/``//`` comments carrying their newline, ``/* */`` comments as one token;
* Terraform's body rewrites (``_rewrite_body``): block labels always quoted, an attribute
  whose value is only ``"${expr}"`` unwrapped to ``expr``, and in ``variable`` blocks the
  legacy type spellings (``"string"``, ``list``…) normalised;
* hclwrite's three passes over lines (``_format``): indentation from bracket nesting, spacing
  between tokens, then vertical alignment of ``=`` and of trailing comments in runs of
  consecutive lines.

Only whitespace between tokens changes (apart from the rewrites above), so comments,
heredoc bodies and line endings (CRLF stays CRLF) are kept as they are. The caller must
check syntax first (``engine.config.hcl.parse``): formatting invalid input is unspecified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Token types (names follow hclsyntax's TokenType)
NL, COMMENT, IDENT, NUMBER = "NL", "COMMENT", "IDENT", "NUMBER"
OQUOTE, CQUOTE, QLIT, SLIT = "OQUOTE", "CQUOTE", "QLIT", "SLIT"
OHEREDOC, CHEREDOC = "OHEREDOC", "CHEREDOC"
INTERP, CONTROL, SEQEND = "INTERP", "CONTROL", "SEQEND"
OBRACE, CBRACE, OBRACK, CBRACK, OPAREN, CPAREN = "{", "}", "[", "]", "(", ")"
EQUAL, COMMA, DOT, ELLIPSIS, COLON, DCOLON, QUESTION = "=", ",", ".", "...", ":", "::", "?"
MINUS, PLUS, STAR, SLASH, PERCENT, BANG = "-", "+", "*", "/", "%", "!"
EQOP, NEQ, GT, GTE, LT, LTE, AND, OR, FATARROW = "==", "!=", ">", ">=", "<", "<=", "&&", "||", "=>"
INVALID = "INVALID"

_OPERATORS = sorted(["...", "::", "==", "!=", ">=", "<=", "&&", "||", "=>", "{", "}", "[", "]",
                     "(", ")", "=", ",", ".", ":", "?", "-", "+", "*", "/", "%", "!", ">", "<"],
                    key=len, reverse=True)

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_IDENT = re.compile(r"[^\W\d][\w-]*")
_HEREDOC = re.compile(r"<<(-?)([^\W\d][\w-]*)(\r?\n)")


class FormatError(Exception):
    """The source could not be tokenized (the syntax check should have caught it)."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


@dataclass
class Token:
    type: str
    text: str
    spaces: int = 0  # spaces before the token in the output
    pos: int = -1  # character offset in the source (-1: made by a rewrite)


# ---------------------------------------------------------------------------------------
# Tokenizer


def tokenize(src: str) -> list[Token]:
    """hclsyntax's token stream for a config file (without the EOF token)."""
    toks: list[Token] = []
    n = len(src)
    i = 0
    # Mode stack: ("main", None) | ("interp", depth) | ("quoted", None) | ("heredoc", marker)
    modes: list[list] = [["main", 0]]
    line_start = True  # for heredoc bodies: are we at the start of a line?

    def add(kind: str, text: str) -> None:
        toks.append(Token(kind, text, 0, i))

    while i < n:
        mode = modes[-1]
        if mode[0] == "quoted":
            c = src[i]
            if c == '"':
                add(CQUOTE, '"')
                i += 1
                modes.pop()
                continue
            m = _template_open(src, i)
            if m:
                add(INTERP if m[0] == "$" else CONTROL, m)
                i += len(m)
                modes.append(["interp", 0])
                continue
            j = i
            while j < n:
                c = src[j]
                if c == '"' or c == "\n" or _template_open(src, j):
                    break
                if c == "\\" and j + 1 < n:
                    j += 2
                    continue
                if src.startswith("$${", j) or src.startswith("%%{", j):
                    j += 3
                    continue
                j += 1
            if j >= n or src[j] == "\n":
                raise FormatError("Unterminated template string", i)
            add(QLIT, src[i:j])
            i = j
            continue
        if mode[0] == "heredoc":
            marker = mode[1]
            if line_start:
                eol = src.find("\n", i)
                line_end = n if eol < 0 else eol + 1
                line = src[i:line_end]
                if line.strip() == marker:
                    body = line.rstrip("\n").rstrip("\r") if eol >= 0 else line
                    add(CHEREDOC, body)
                    i += len(body)
                    modes.pop()
                    continue  # the newline becomes an NL token in main mode
            m = _template_open(src, i)
            if m:
                add(INTERP if m[0] == "$" else CONTROL, m)
                i += len(m)
                modes.append(["interp", 0])
                line_start = False
                continue
            j = i
            while j < n and src[j] != "\n" and not _template_open(src, j):
                if src.startswith("$${", j) or src.startswith("%%{", j):
                    j += 3
                    continue
                j += 1
            if j < n and src[j] == "\n":
                j += 1
                line_start = True
            else:
                line_start = False
            if j == i:
                raise FormatError("Unterminated heredoc", i)
            add(SLIT, src[i:j])
            i = j
            continue

        # main / interp mode
        c = src[i]
        if c == " " or c == "\t":
            i += 1
            continue
        if c == "\n":
            add(NL, "\n")
            i += 1
            continue
        if c == "\r" and src.startswith("\r\n", i):
            add(NL, "\r\n")
            i += 2
            continue
        if c == "#" or src.startswith("//", i):
            eol = src.find("\n", i)
            j = n if eol < 0 else eol + 1
            add(COMMENT, src[i:j])
            i = j
            continue
        if src.startswith("/*", i):
            end = src.find("*/", i + 2)
            if end < 0:
                raise FormatError("Unterminated comment", i)
            add(COMMENT, src[i:end + 2])
            i = end + 2
            continue
        if c == '"':
            add(OQUOTE, '"')
            modes.append(["quoted", None])
            i += 1
            continue
        if src.startswith("<<", i):
            m = _HEREDOC.match(src, i)
            if m:
                add(OHEREDOC, m.group(0))
                modes.append(["heredoc", m.group(2)])
                line_start = True
                i = m.end()
                continue
        if mode[0] == "interp":
            if src.startswith("~}", i) and mode[1] == 0:
                add(SEQEND, "~}")
                i += 2
                modes.pop()
                continue
            if c == "}" and mode[1] == 0:
                add(SEQEND, "}")
                i += 1
                modes.pop()
                if modes[-1][0] == "heredoc":
                    line_start = False
                continue
            if c == "{":
                mode[1] += 1
            elif c == "}":
                mode[1] -= 1
        m = _NUMBER.match(src, i)
        if m and c.isdigit():
            add(NUMBER, m.group(0))
            i = m.end()
            continue
        m = _IDENT.match(src, i)
        if m:
            add(IDENT, m.group(0))
            i = m.end()
            continue
        for op in _OPERATORS:
            if src.startswith(op, i):
                add(op, op)
                i += len(op)
                break
        else:
            if c == "\r":  # a lone carriage return: whitespace to us
                i += 1
                continue
            raise FormatError(f"Invalid character {c!r}", i)
    if len(modes) > 1:
        raise FormatError("Unexpected end of file inside a template or heredoc", n)
    return toks


def _template_open(src: str, i: int) -> str:
    """``${``/``%{`` (with an optional ``~`` strip marker) starting at i, else ''."""
    if src.startswith("${", i) or src.startswith("%{", i):
        return src[i:i + 3] if src.startswith("~", i + 2) else src[i:i + 2]
    return ""


# ---------------------------------------------------------------------------------------
# Terraform's rewrites (command/fmt.go formatBody)


def _rewrite_body(toks: list[Token], i: int, in_blocks: tuple, nested: bool) -> int:
    """Walk a body starting at toks[i]; rewrite in place. Returns the index of the closing
    brace (nested) or len(toks)."""
    while i < len(toks):
        t = toks[i]
        if t.type in (NL, COMMENT):
            i += 1
            continue
        if t.type == CBRACE:
            return i if nested else i + 1
        if t.type != IDENT:
            i += 1
            continue
        j = i + 1
        if j < len(toks) and toks[j].type == EQUAL:
            start = j + 1
            end = _expr_end(toks, start)
            stop = end
            while stop > start and toks[stop - 1].type == COMMENT:
                stop -= 1
            expr = toks[start:stop]
            if in_blocks == ("variable",) and t.text == "type":
                new = _format_type_expr(expr)
            else:
                new = _format_value_expr(expr)
            if new is not expr:
                toks[start:stop] = new
                end += len(new) - len(expr)
            i = end
            continue
        # a block: labels then "{"
        k = j
        labels_ok = True
        while k < len(toks) and toks[k].type != OBRACE:
            if toks[k].type == IDENT:
                toks[k:k + 1] = [Token(OQUOTE, '"'), Token(QLIT, toks[k].text), Token(CQUOTE, '"')]
                k += 3
            elif toks[k].type == OQUOTE:
                k += 1
                while k < len(toks) and toks[k].type != CQUOTE:
                    k += 1
                k += 1
            else:
                labels_ok = False
                break
        if not labels_ok or k >= len(toks):
            i = k + 1
            continue
        close = _rewrite_body(toks, k + 1, in_blocks + (t.text,), True)
        i = close + 1
    return len(toks)


def _expr_end(toks: list[Token], i: int) -> int:
    """Index of the newline (or line comment / unmatched closer) ending an expression."""
    depth = 0
    while i < len(toks):
        t = toks[i]
        if depth == 0 and (t.type == NL or (t.type == COMMENT and t.text.endswith("\n"))):
            return i
        d = _bracket_change(t)
        if depth + d < 0:
            return i
        depth += d
        i += 1
    return i


def _format_value_expr(toks: list[Token]) -> list[Token]:
    if len(toks) < 5:
        return toks
    if (toks[0].type != OQUOTE or toks[1].type != INTERP or toks[-2].type != SEQEND
            or toks[-1].type != CQUOTE):
        return toks
    inside = toks[2:-2]
    quotes = 0
    for t in inside:
        if t.type == OQUOTE:
            quotes += 1
            continue
        if t.type == CQUOTE:
            quotes -= 1
            continue
        if quotes > 0:
            continue
        if t.type in (INTERP, SEQEND) or t.type == QLIT:
            return toks
    s, e = 0, len(inside)
    while s < e and inside[s].type == NL:
        s += 1
    while e > s and inside[e - 1].type == NL:
        e -= 1
    trimmed = inside[s:e]
    multi = any(t.type == NL for t in trimmed)
    wrapped = bool(trimmed) and trimmed[0].type == OPAREN and trimmed[-1].type == CPAREN
    if multi and not wrapped:
        return [Token(OPAREN, "(")] + trimmed + [Token(CPAREN, ")")]
    return trimmed


def _format_type_expr(toks: list[Token]) -> list[Token]:
    if len(toks) == 1 and toks[0].type == IDENT and toks[0].text in ("list", "map", "set"):
        return [toks[0], Token(OPAREN, "("), Token(IDENT, "any"), Token(CPAREN, ")")]
    if (len(toks) == 3 and toks[0].type == OQUOTE and toks[1].type == QLIT
            and toks[2].type == CQUOTE):
        kind = toks[1].text
        if kind == "string":
            return [Token(IDENT, "string")]
        if kind in ("list", "map"):
            return [Token(IDENT, kind), Token(OPAREN, "("), Token(IDENT, "string"),
                    Token(CPAREN, ")")]
    return toks


# ---------------------------------------------------------------------------------------
# hclwrite's format passes


def _bracket_change(t: Token) -> int:
    if t.type in (OBRACE, OBRACK, OPAREN, CONTROL, INTERP):
        return 1
    if t.type in (CBRACE, CBRACK, CPAREN, SEQEND):
        return -1
    return 0


def _is_newline(t: Token) -> bool:
    return t.type == NL or (t.type == COMMENT and t.text.endswith("\n"))


@dataclass
class _Line:
    lead: list
    assign: list | None = None
    comment: list | None = None


def _columns(toks) -> int:
    return sum(t.spaces + len(t.text) for t in toks) if toks else 0


def _lines(toks: list[Token]) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for i, t in enumerate(toks):
        if _is_newline(t):
            lines.append(_Line(toks[start:i + 1]))
            start = i + 1
    lines.append(_Line(toks[start:]))
    for line in lines:
        lead = line.lead
        if not lead:
            continue
        if len(lead) > 1 and lead[-1].type == COMMENT:
            line.comment = lead[-1:]
            lead = line.lead = lead[:-1]
        for i, t in enumerate(lead):
            if i > 0 and t.type == EQUAL:
                net = 0
                for u in lead[i:]:
                    net += _bracket_change(u)
                    if u.type == OHEREDOC:
                        break
                if net == 0:
                    line.assign = lead[i:]
                    line.lead = lead[:i]
                break
    return lines


def _format_indent(lines: list[_Line]) -> None:
    indents: list[int] = []
    for line in lines:
        if not line.lead:
            continue
        if line.lead[0].type == NL:
            line.lead[0].spaces = 0
            continue
        net = 0
        for part in (line.lead, line.assign or []):
            for t in part:
                net += _bracket_change(t)
                if t.type == OHEREDOC:
                    break
        if net > 0:
            line.lead[0].spaces = 2 * len(indents)
            indents.append(net)
        elif net < 0:
            closed = -net
            while closed > 0 and indents:
                if closed > indents[-1]:
                    closed -= indents.pop()
                elif closed < indents[-1]:
                    indents[-1] -= closed
                    closed = 0
                else:
                    indents.pop()
                    closed = 0
            line.lead[0].spaces = 2 * len(indents)
        else:
            line.lead[0].spaces = 2 * len(indents)


_NIL = Token("NIL", "")
_NEG_BEFORE = {"NIL", OPAREN, OBRACE, OBRACK, EQUAL, COLON, COMMA, QUESTION, PLUS, STAR, SLASH,
               PERCENT, MINUS, EQOP, NEQ, GT, GTE, LT, LTE, AND, OR, BANG}


def _space_after(subject: Token, before: Token, after: Token) -> bool:
    s, a = subject.type, after.type
    if a in (NL, "NIL"):
        return False
    if s == IDENT and a == OPAREN:
        return False
    if (s == IDENT and a == DCOLON) or (s == DCOLON and a == IDENT):
        return False
    if s == DOT or a == DOT:
        return False
    if a in (COMMA, ELLIPSIS):
        return False
    if s == COMMA:
        return True
    if s in (QLIT, SLIT, OQUOTE, OHEREDOC) or a in (QLIT, SLIT, CQUOTE, CHEREDOC):
        return False
    if s == IDENT and subject.text == "in" and before.type == IDENT:
        return True
    if a == OBRACK and (s in (IDENT, NUMBER) or _bracket_change(subject) < 0):
        return False
    if s == SEQEND and a in (INTERP, CONTROL):
        return False
    if s == OBRACE or a == CBRACE:
        return not (s == OBRACE and a == CBRACE)
    if s in (INTERP, CONTROL) and a == OBRACE:
        return True
    if s == CBRACE and a == SEQEND:
        return True
    if s == INTERP or a == SEQEND:
        return False
    if s == MINUS:
        return before.type not in _NEG_BEFORE
    if s == BANG:
        return False
    if _bracket_change(subject) > 0:
        return False
    if _bracket_change(after) < 0:
        return False
    return True


def _format_spaces(lines: list[_Line]) -> None:
    for line in lines:
        for part, is_assign in ((line.lead, False), (line.assign, True)):
            if not part:
                continue
            if is_assign:
                part[0].spaces = 1
            for i, t in enumerate(part):
                before = part[i - 1] if i > 0 else _NIL
                if i + 1 >= len(part):
                    continue
                after = part[i + 1]
                after.spaces = 1 if _space_after(t, before, after) else 0


def _format_cells(lines: list[_Line]) -> None:
    def chains(has, width, cell):
        start, widest = -1, 0
        for i, line in enumerate(lines + [None]):
            if line is None or not has(line):
                if start != -1:
                    for ln in lines[start:i]:
                        cell(ln)[0].spaces = widest - width(ln) + 1
                    start, widest = -1, 0
            else:
                if start == -1:
                    start = i
                widest = max(widest, width(line))

    chains(lambda ln: ln.assign is not None, lambda ln: _columns(ln.lead), lambda ln: ln.assign)
    chains(lambda ln: ln.comment is not None,
           lambda ln: _columns(ln.lead) + _columns(ln.assign), lambda ln: ln.comment)


def format_tokens(toks: list[Token]) -> str:
    lines = _lines(toks)
    _format_indent(lines)
    _format_spaces(lines)
    _format_cells(lines)
    return "".join(" " * t.spaces + t.text for t in toks)


def check_syntax(src: str, filename: str):
    """Syntax diagnostics for ``src`` (engine.config.hcl's parser). Comments are blanked
    and non-ASCII identifier characters replaced first (same offsets), because python-hcl2
    rejects some valid HCL: comments inside expressions, Unicode identifiers."""
    from ..diagnostics import Diagnostics
    from .hcl import parse, source_range
    try:
        toks = tokenize(src)
    except FormatError as err:
        _body, diags = parse(src, filename)
        if not diags.has_errors:
            diags = Diagnostics()
            diags.error("Invalid syntax", f"{err}.",
                        source_range(src, filename, err.offset, err.offset))
        return diags
    chars = list(src)
    for t in toks:
        if t.type == COMMENT:
            for k in range(t.pos, t.pos + len(t.text)):
                if chars[k] not in "\r\n":
                    chars[k] = " "
        elif t.type == IDENT and not t.text.isascii():
            for k in range(t.pos, t.pos + len(t.text)):
                if not chars[k].isascii():
                    chars[k] = "_"
    _body, diags = parse("".join(chars), filename)
    return diags


def format_source(src: str) -> str:
    """``src`` in canonical style, as ``terraform fmt`` writes a file. Raises FormatError
    if the text cannot be tokenized."""
    toks = tokenize(src)
    _rewrite_body(toks, 0, (), False)
    # hclwrite keeps the whitespace before EOF (as that many spaces) unless a comment
    # token already swallowed it
    tail = len(src) - len(src.rstrip(" \t"))
    if toks and toks[-1].type == COMMENT and not toks[-1].text.endswith("\n") \
            and toks[-1].text.startswith(("#", "//")):
        tail = 0
    return format_tokens(toks) + " " * tail
