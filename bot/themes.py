"""Theme ids → human labels, from the taxonomy in use (default or CXBOT_THEMES).

Every surface (alerts, ``/cx themes``, ``/cx comments``, the App Home, digests)
takes its labels from ``theme_labels(settings)``, so a taxonomy named only in
``.env`` shows the same labels everywhere.
"""

from __future__ import annotations

from functools import lru_cache

from bot.settings import Settings


@lru_cache(maxsize=4)
def _labels(path: str | None) -> dict[str, str]:
    from nlp.taxonomy import load_taxonomy

    return {theme.id: theme.label for theme in load_taxonomy(path).themes.values()}


def theme_labels(settings: Settings) -> dict[str, str]:
    """Theme id → label of the taxonomy ``CXBOT_THEMES`` names (or the shipped one)."""
    return dict(_labels(settings.themes_path))


def resolve_theme(value: str, labels: dict[str, str]) -> str:
    """The theme id a person meant by ``theme=…``: its id, its label, or one word of either.

    ``billing`` → ``billing_pricing``, ``Response speed`` → ``response_speed``.
    Raises ``UsageError`` naming the themes when nothing (or more than one)
    fits: a typo must not read as "no comments match".
    """
    from bot.cx.grammar import UsageError

    wanted = value.strip().lower().replace("-", "_").replace(" ", "_")
    for theme, label in labels.items():
        if wanted in (theme.lower(), label.lower().replace(" ", "_")):
            return theme
    fits = [
        theme
        for theme, label in labels.items()
        if wanted in theme.lower().split("_") or wanted in label.lower().split()
    ]
    if len(fits) == 1:
        return fits[0]
    known = ", ".join(fits or labels)
    problem = "is more than one theme" if fits else "is not a theme"
    raise UsageError(f"theme={value!r} {problem}; themes: {known}", "comments")
