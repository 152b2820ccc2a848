"""Customer-facing texts in the seed articles' languages, with right-to-left handled."""

from bot.i18n.messages import LANGUAGES, RTL_LANGUAGES, language_for_locale, text

__all__ = ["LANGUAGES", "RTL_LANGUAGES", "language_for_locale", "text"]
