"""Masking personal data in comments shown to a wider audience (digests)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+?\d[\d\s().-]{6,}\d)(?![\w])")
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")


def mask_personal_data(text: str) -> str:
    """Emails → [email], phone and card-like numbers → [number]; everything else untouched."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[number]", text)
    return _PHONE.sub(
        lambda m: "[number]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text
    )
