"""Masking contact details in messages exchanged before a hire.

Before a hire neither side may reach the other outside the platform, so email addresses (also
spelled out: "name at domain dot com", "name [at] domain [dot] com") and phone numbers (national
and international formats) are replaced by a placeholder. Prices, dates, times, version numbers
and IP addresses are left alone: they are set aside before phone numbers are looked for, so their
digits never join a neighbour's into something phone-shaped.

The rules for a phone number: a run of digits with spaces, dots, hyphens or parentheses between
them, not part of a word; with a leading "+" (or "00") at least 7 digits, otherwise at least 10
(9 when it starts with a trunk "0", as in "030 901820"); at most 15 (E.164); and at most one group
of a single digit, so that a list of small numbers ("1 2 3 4 5 6 7 8 9 10") stays.
"""

import re

EMAIL_MASK = "[email hidden]"
PHONE_MASK = "[phone hidden]"

# Top-level domains accepted after a spelled-out " dot ": with plain words on both sides the
# tail must look like a real domain, else "look at this dot point" would be taken for an address.
_COMMON_TLDS = (
    "com|net|org|io|co|me|dev|app|ai|info|biz|edu|gov|uk|us|ca|au|nz|ie|de|fr|es|it|nl|be|ch|"
    "at|se|no|dk|fi|pl|pt|br|mx|ar|in|jp|cn|kr|sg|hk|za|ru|ua|eu|email|mail|online|tech|xyz"
)

_EMAIL = re.compile(r"[\w.%+-]+\s?@\s?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}\b", re.IGNORECASE)

_BRACKETED_AT = r"\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*"
_BRACKETED_DOT = r"\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*"
_WORD_AT = r"\s+at\s+"
_WORD_DOT = r"\s+dot\s+"
_ANY_AT = rf"(?:{_BRACKETED_AT}|{_WORD_AT}|\s*@\s*)"
_ANY_DOT = rf"(?:{_BRACKETED_DOT}|{_WORD_DOT}|\.)"
_LABEL = r"[a-z0-9][a-z0-9-]*"
_LOCAL = r"(?<![\w.%+-])[a-z0-9][\w.%+-]*"

# Some bracket makes the intent plain: any alphabetic top-level domain.
_BRACKETED_EMAIL = re.compile(
    rf"{_LOCAL}(?:{_BRACKETED_AT}{_LABEL}(?:{_ANY_DOT}{_LABEL})*{_ANY_DOT}[a-z]{{2,24}}"
    rf"|{_ANY_AT}{_LABEL}(?:{_ANY_DOT}{_LABEL})*{_BRACKETED_DOT}[a-z]{{2,24}})\b",
    re.IGNORECASE,
)
# Plain words only ("name at domain dot com", "name at domain.com"): a known top-level domain.
_WORDED_EMAIL = re.compile(
    rf"{_LOCAL}{_WORD_AT}{_LABEL}(?:{_ANY_DOT}{_LABEL})*{_ANY_DOT}(?:{_COMMON_TLDS})\b",
    re.IGNORECASE,
)

# Numbers that are not phone numbers, set aside before phones are looked for.
_NOT_PHONES = re.compile(
    r"""
      [\U000F0000-\U000FFFFD]                                   # our own placeholders' range
    | \d{4}-\d{1,2}-\d{1,2}(?:[T\ ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?
    | (?<!\d)(?:[012]?\d|3[01])([/.\-])(?:[012]?\d|3[01])\1(?:\d{4}|\d{2})(?![\d.]\d)
                                                                # 21/11/2026, 21.11.26
    | \d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?               # 14:30, 2:30 pm
    | [$€£¥]\s?\d[\d,.\ ]*\d | [$€£¥]\s?\d                       # $1,200.00, € 80
    | \d{1,3}(?:,\d{3})+(?:\.\d+)?                              # 1,200,000.50
    | (?<![\d.])\d+\.\d{2}(?![\d.])                             # 1200.00
    | (?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![.\d])                 # 192.168.1.20
    | (?P<version>(?<![\d.])\bv?\d{1,4}(?:\.\d{1,4}){1,3}(?:[-+][\w.]+)?\b
                  (?=\s|$|[,;:)!?]|\.(?!\d)))                   # 3.11.4, v2.3.1-beta
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Set-aside numbers stand in the text as characters of a private-use plane while phones are
# looked for (such characters already in the text are set aside too, so they come back intact).
_PLACEHOLDER = 0xF0000
_PHONE = re.compile(r"(?<![\w+.,/-])(?:\+|\b00)?\(?\d(?:[ \t.\-()]{0,3}\d)+\)?(?![\w@])")


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    groups = re.findall(r"\d+", candidate)
    international = candidate.startswith("+") or candidate.startswith("00")
    if international:
        enough = len(digits) >= 7
    else:
        enough = len(digits) >= 10 or (len(digits) == 9 and digits.startswith("0"))
    single_digit_groups = sum(1 for g in groups if len(g) == 1)
    return enough and len(digits) <= 15 and single_digit_groups <= 1


def _looks_dialled(dotted: str) -> bool:
    """415.555.0123 is a phone number written with dots; 3.11.4 or 2026.11.21 are versions."""
    return not dotted.lower().startswith("v") and len(re.sub(r"\D", "", dotted)) >= 10


def _mask_phones(text: str) -> str:
    kept: list[str] = []

    def set_aside(match: re.Match[str]) -> str:
        if match.lastgroup == "version" and _looks_dialled(match.group(0)):
            return match.group(0)
        kept.append(match.group(0))
        return chr(_PLACEHOLDER + len(kept) - 1)  # private use: neither a digit nor a space

    protected = _NOT_PHONES.sub(set_aside, text)

    def mask(match: re.Match[str]) -> str:
        candidate = match.group(0)
        if candidate.endswith(")") and candidate.count(")") > candidate.count("("):
            candidate = candidate[:-1]
            return (PHONE_MASK + ")") if _is_phone(candidate) else match.group(0)
        return PHONE_MASK if _is_phone(candidate) else candidate

    masked = _PHONE.sub(mask, protected)
    return re.sub("[\U000f0000-\U000ffffd]", lambda m: kept[ord(m.group(0)) - _PLACEHOLDER], masked)


def mask_contact_details(text: str) -> str:
    """The text with email addresses and phone numbers replaced by placeholders."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _BRACKETED_EMAIL.sub(EMAIL_MASK, text)
    text = _WORDED_EMAIL.sub(EMAIL_MASK, text)
    return _mask_phones(text)


def mask_if(text: str, hidden: bool) -> str:
    """Masked when contact details must stay hidden (before a hire), else unchanged."""
    return mask_contact_details(text) if hidden else text
