"""Theme ids → human labels, from the taxonomy in use (default or CXBOT_THEMES)."""

from __future__ import annotations

from functools import lru_cache

from bot.settings import Settings


@lru_cache(maxsize=4)
def _labels(path: str | None) -> dict[str, str]:
    from nlp.taxonomy import load_taxonomy

    return {theme.id: theme.label for theme in load_taxonomy(path).themes.values()}


def theme_labels(settings: Settings) -> dict[str, str]:
    return dict(_labels(settings.themes_path))


def default_labels() -> dict[str, str]:
    """Labels of the taxonomy named by CXBOT_THEMES (or the shipped one), for renderers."""
    import os

    return dict(_labels(os.environ.get("CXBOT_THEMES") or None))
