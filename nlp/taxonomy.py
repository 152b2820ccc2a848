"""The theme taxonomy: ids, descriptions and seed terms, from one JSON file.

The default lives in ``nlp/data/themes.json``. A team's own file of the same
shape is passed as the ``path`` argument (the bot passes its ``CXBOT_THEMES``
setting; ``nlp`` reads no environment)::

    {
      "extends": true,
      "themes": {
        "onboarding": {
          "label": "Onboarding",
          "description": "Getting started: setup calls, first steps, training.",
          "seeds": {"en": ["onboarding", "setup call"], "ro": ["configurare"]}
        },
        "self_service": null
      }
    }

With ``"extends": true`` the team's themes are merged into the default ones
(same id → replaced, ``null`` → removed); without it the file replaces the
default taxonomy. Themes the model was never trained on are found only by
their seed terms (``SeedMatcher``), with a modest confidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from nlp.text import normalise

SEED_CONFIDENCE = 0.5
SEED_CONFIDENCE_MULTI = 0.6
_THEME_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class TaxonomyError(ValueError):
    """A themes file that cannot be read or has the wrong shape."""


@dataclass(frozen=True)
class Theme:
    """One theme: a stable id, a human label and description, seed terms per language."""

    id: str
    label: str
    description: str
    seeds: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """An ordered set of themes plus where they came from (for messages).

    Compared and hashed by identity, so matchers can be cached per taxonomy.
    """

    themes: dict[str, Theme]
    source: str

    @property
    def ids(self) -> list[str]:
        return list(self.themes)


def default_path() -> Path:
    """The shipped ``nlp/data/themes.json``."""
    return Path(str(resources.files("nlp") / "data" / "themes.json"))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The default taxonomy, replaced or extended by the team file at ``path`` (if any)."""
    default = _parse(_read_json(default_path()), str(default_path()))
    team_path = path or None
    if team_path is None:
        return default
    data = _read_json(Path(team_path))
    team = _parse(data, str(team_path), allow_removals=True)
    if not data.get("extends", False):
        kept = {k: v for k, v in team.themes.items() if v is not None}
        if not kept:
            raise TaxonomyError(f"{team_path}: defines no themes")
        return Taxonomy(kept, str(team_path))
    merged = dict(default.themes)
    for theme_id, theme in team.themes.items():
        if theme is None:
            merged.pop(theme_id, None)
        else:
            merged[theme_id] = theme
    return Taxonomy(merged, f"{default_path()} + {team_path}")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TaxonomyError(f"themes file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TaxonomyError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("themes"), dict):
        raise TaxonomyError(f'{path}: expected an object with a "themes" object')
    return data


def _parse(data: dict, source: str, *, allow_removals: bool = False) -> Taxonomy:
    themes: dict[str, Theme | None] = {}
    for theme_id, spec in data["themes"].items():
        if not _THEME_ID_RE.match(theme_id):
            raise TaxonomyError(f"{source}: theme id {theme_id!r} must be lower_snake_case")
        if spec is None and allow_removals:
            themes[theme_id] = None
            continue
        if not isinstance(spec, dict):
            raise TaxonomyError(f"{source}: theme {theme_id!r} must be an object")
        themes[theme_id] = Theme(
            id=theme_id,
            label=str(spec.get("label") or theme_id.replace("_", " ").capitalize()),
            description=str(spec.get("description", "")),
            seeds=_parse_seeds(spec.get("seeds", {}), source, theme_id),
        )
    return Taxonomy(themes, source)  # type: ignore[arg-type]


def _parse_seeds(seeds: object, source: str, theme_id: str) -> dict[str, tuple[str, ...]]:
    if isinstance(seeds, list):  # a flat list is allowed: language-independent seeds
        seeds = {"any": seeds}
    if not isinstance(seeds, dict) or not all(isinstance(v, list) for v in seeds.values()):
        raise TaxonomyError(f"{source}: seeds of {theme_id!r} must map language → list of terms")
    return {
        lang: tuple(str(term) for term in terms if str(term).strip())
        for lang, terms in seeds.items()
    }


class SeedMatcher:
    """Finds themes by their seed terms, for themes the model has no examples of.

    Latin-script seeds match at the start of a word, so "refund" also finds
    "refunded"; other scripts match anywhere, since Hebrew and Persian attach
    prefixes to words and Chinese has no spaces. Seeds of every language are
    tried on every comment: mixed-language comments are common.
    """

    def __init__(self, themes: list[Theme]) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {}
        for theme in themes:
            terms = sorted({normalise(t) for ts in theme.seeds.values() for t in ts} - {""})
            if terms:
                parts = [_seed_pattern(term) for term in sorted(terms, key=len, reverse=True)]
                self._patterns[theme.id] = re.compile("|".join(parts))

    def match(self, normalised_text: str) -> dict[str, float]:
        """Theme id → seed confidence for the themes whose seeds occur in the text."""
        found: dict[str, float] = {}
        for theme_id, pattern in self._patterns.items():
            hits = {m.group(0) for m in pattern.finditer(normalised_text)}
            if hits:
                found[theme_id] = SEED_CONFIDENCE_MULTI if len(hits) > 1 else SEED_CONFIDENCE
        return found


def _seed_pattern(term: str) -> str:
    escaped = re.escape(term)
    return rf"(?<!\w){escaped}" if term.isascii() else escaped


@lru_cache(maxsize=16)
def seed_matcher(taxonomy: Taxonomy, theme_ids: tuple[str, ...]) -> SeedMatcher:
    """A cached matcher for some themes of a taxonomy."""
    return SeedMatcher([taxonomy.themes[i] for i in theme_ids])
