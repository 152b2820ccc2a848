"""Text handling shared by training and prediction: normalisation, language, tokens.

Everything here is a plain top-level function on purpose: the fitted pipeline
refers to ``word_ngrams`` and the ``*char_text`` functions by their import path, and skops only
loads a model whose functions are on an explicit trusted list (see
``nlp.model_io``). Renaming or moving one of them invalidates saved models.

Speed matters (the bench asks for thousands of comments a second on one core),
so the hot paths are compiled regexes and small caches rather than nltk's
TweetTokenizer (≈130 µs a comment here, too slow for that budget). nltk still
provides the stemmers and the English negation list.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nltk.sentiment.util import NEGATION_RE
from nltk.stem.snowball import SnowballStemmer

LANGUAGES = ("en", "he", "zh", "ro", "ka", "fa")
UNDETERMINED = "und"

# --- normalisation ---------------------------------------------------------

_INVISIBLE_RE = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufe0f\ufeff\u0640]")
_SKIN_TONE_RE = re.compile("[\U0001f3fb-\U0001f3ff]")
# Combining marks left by NFKD: Latin accents (Romanian is often typed without
# them, so "mulțumesc" and "multumesc" must meet), Hebrew niqqud, Arabic harakat.
_MARKS_RE = re.compile("[\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670]")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL_RE = re.compile(r"\S+@\S+\.\w+")
_DIGITS_RE = re.compile(r"\d+")
_REPEAT_RE = re.compile(r"(.)\1{2,}")
_SPACE_RE = re.compile(r"\s+")
_PERSIAN_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "\u200c": ""})
# "می‌کند", "میکند" and "می کند" are one word ("does"); split, its "کند" would
# read as the adjective "slow". The continuous prefix is joined however typed.
_PERSIAN_PREFIX_RE = re.compile(r"(?<![^\s])(ن?می) (?=[\u0600-\u06ff])")
_CEDILLA_FORMS = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})


# The word, character and VADER blocks each see the raw text, so the same
# comment is normalised and language-detected several times per batch; a cache
# a bit larger than a typical batch makes the repeats free.
_TEXT_CACHE = 16_384


@lru_cache(maxsize=_TEXT_CACHE)
def normalise(text: str) -> str:
    """Lower-case, fold variants and accents, and mask numbers, links and repeats.

    Numbers become ``0`` because "3 days" and "4 days" mean the same thing to a
    theme; letter runs are capped at three ("sooooo" → "sooo") so shouting and
    typing speed don't create new features.
    """
    if not text:
        return ""
    text = _URL_RE.sub(" url ", text)
    text = _EMAIL_RE.sub(" email ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_CEDILLA_FORMS)
        text = _INVISIBLE_RE.sub("", text)
        text = _SKIN_TONE_RE.sub("", text)
        text = _PERSIAN_PREFIX_RE.sub(r"\1", text.translate(_PERSIAN_FORMS))
        text = _MARKS_RE.sub("", unicodedata.normalize("NFKD", text))
        text = unicodedata.normalize("NFC", text)
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = _DIGITS_RE.sub("0", text)
    text = _REPEAT_RE.sub(r"\1\1\1", text)
    return _SPACE_RE.sub(" ", text).strip()


# --- language --------------------------------------------------------------

_SCRIPTS = (
    ("he", re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]")),
    ("fa", re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("zh", re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("ka", re.compile("[\u10a0-\u10ff\u1c90-\u1cbf\u2d00-\u2d2f]")),
)
_LATIN_RE = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_RO_DIACRITICS_RE = re.compile("[ăâîșşțţĂÂÎȘŞȚŢ]")
_WORD_RE = re.compile(r"[a-z]+")
# Words both languages share ("a", "in", "super", "top") are cues for neither.
_RO_CUES = frozenset(
    "si sa nu am ai fost este e cu la pe de din pentru foarte mai dar ca care "
    "mersi multumesc multumim problema raspuns asteptat ajutat rezolvat rezolvata "
    "nimic tot inca bine rau zile ore cont contul aplicatia factura banii mi ne "
    "imi sunt era au fi cand acum dupa doar nici deloc bun buna bune prost proasta "
    "recomand inutil groaznic jalnic oribil penibil placut placuta niciun nicio "
    "nimeni mult prea atat punct comanda comentarii".split()
)
# Georgian is often typed in Latin letters ("madloba, kargad mogvarda").
_KA_LATIN_CUES = frozenset(
    "madloba gmadlobt dzalian dzaan kargi kargad cudi ar ara aravin araferi aris iyo "
    "velodebi veloddi mipasukhes mipasuxes operatori yvelaferi mogvarda mogvarebula "
    "magram mara didi didxans xazze saati dge isev igive jer axla mainc uxeshi "
    "momewona momecona".split()
)
_EN_CUES = frozenset(
    "the and is was to of it i you my me for on not no with this that but have "
    "had be are were they we thanks thank very so what just got did didn't wasn't "
    "it's i'm still after from an at great good bad help".split()
)


@lru_cache(maxsize=_TEXT_CACHE)
def detect_language(text: str) -> str:
    """Guess the language from its script; Latin text is English unless Romanian cues win.

    The six supported languages have four distinct scripts, so a letter count is
    enough for them; Romanian is told from English by its diacritics or by
    common words. Text without letters (emoji, numbers) is ``"und"``.
    """
    if text.isascii():
        return _latin_language(text) if _LATIN_RE.search(text) else UNDETERMINED
    if not _LETTER_RE.search(text):
        return UNDETERMINED
    best, best_count = UNDETERMINED, 0
    for lang, pattern in _SCRIPTS:
        count = len(pattern.findall(text))
        if count > best_count:
            best, best_count = lang, count
    latin = len(_LATIN_RE.findall(text))
    # A Hebrew or Persian comment often carries Latin product names: the
    # non-Latin script wins as soon as it is a fair share of the letters.
    if best_count and best_count >= 0.3 * latin:
        return best
    if latin == 0:
        return UNDETERMINED
    return _latin_language(text)


def _latin_language(text: str) -> str:
    if _RO_DIACRITICS_RE.search(text):
        return "ro"
    words = _WORD_RE.findall(text.lower())
    votes = {
        "en": sum(word in _EN_CUES for word in words),
        "ro": sum(word in _RO_CUES for word in words),
        "ka": sum(word in _KA_LATIN_CUES for word in words),
    }
    return max(votes, key=votes.__getitem__)  # ties go to English, listed first


# --- tokens ----------------------------------------------------------------

_CJK_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN_RE = re.compile(
    r"""(?:[:;=8][-o*']?[)\](\[dpo/\\|3*]+)   # emoticons :) ;-( :D :/
      | <3
      | \w+(?:['\-]\w+)*                      # words, wasn't, e-mail, mi-a
      | [!?]+                                 # emphasis and questions
      | [^\w\s]                               # emoji and other single symbols
    """,
    re.VERBOSE,
)
_CLAUSE_END = frozenset(".,:;!?…،؛。，！？；：")
_CONTRAST = frozenset(
    {"but", "however", "although", "dar", "însă", "insa", "אבל", "اما", "ولی", "მაგრამ"}
)
# Persian "and" (a word of its own, unlike Hebrew's glued ו) joins clauses that
# a negated verb at the end of one must not reach back across.
_CLAUSE_BREAKS = _CLAUSE_END | _CONTRAST | {"و"}
_NEGATORS = {
    "ro": frozenset({"nu", "n", "nici", "niciodata", "nimic", "deloc", "fara"}),
    "he": frozenset({"לא", "אין", "אף", "בלי", "אינו", "אינה", "ללא"}),
    "fa": frozenset({"نه", "هیچ", "بدون"}),
    "ka": frozenset(
        {"არ", "ვერ", "არა", "არც", "ნუ", "ვერც", "არავინ", "არაფერი"}
        | {"ar", "ver", "ara", "arc", "nu", "verc", "aravin", "araferi"}  # typed in Latin
    ),
    "zh": frozenset({"不", "没", "沒", "别", "未", "无", "無", "非"}),
}
NEGATED = "_NEG"
# Hebrew glues "and", "that", "when" to the next word: "ולא", "שלא", "כשאין".
_HEBREW_PREFIXES = "ושכהמבל"
# Persian negates the verb itself, at the end of its clause ("مشکل حل نشد":
# "the problem was not solved"), so the scope runs back over the words before it.
_PERSIAN_NEGATED_VERBS = frozenset(
    "نیست نیستن نبود نبودند نشد نشده نشدم نکرد نکردند نکردن نکرده نداد ندادند ندادن "
    "نداده ندارد نداره ندارن نیامد نیومد نرسید نرسیده نگرفت نگرفتم نتونست نتونستن "
    "نتوانست نتوانستند نخواهد ندیدم نزد نزدند نفرستاد نفرستادند نفرستادن نپرسید "
    "نکنید نکنین نخرید نگفت نگفتند نگفتن".split()
)
_PERSIAN_BACK_SCOPE = 2


def tokenize(normalised: str) -> list[str]:
    """Split normalised text into words, emoticons and single symbols.

    Chinese is written without spaces, so each Han character is its own token
    (the bigram step then pairs neighbours); the character n-grams carry more.
    """
    if _CJK_RE.search(normalised):
        normalised = _CJK_RE.sub(r" \g<0> ", normalised)
    return _TOKEN_RE.findall(normalised)


@lru_cache(maxsize=1)
def _english() -> SnowballStemmer:
    return SnowballStemmer("english", ignore_stopwords=False)


@lru_cache(maxsize=1)
def _romanian() -> SnowballStemmer:
    return SnowballStemmer("romanian")


@lru_cache(maxsize=200_000)
def stem(token: str, lang: str) -> str:
    """Snowball stem for English and Romanian; other languages stay as written.

    nltk has no Snowball stemmer for Hebrew, Persian, Georgian or Chinese, and
    character n-grams already cover their morphology. Cached because Snowball
    is pure Python and the same words recur constantly.
    """
    if lang == "ro":
        return _romanian().stem(token)
    if lang in ("en", UNDETERMINED) and token.isascii() and token.isalpha():
        return _english().stem(token)
    return token


@lru_cache(maxsize=65_536)
def is_negator(token: str, lang: str) -> bool:
    """True for words that open a negation scope ("not", "never", "nu", "לא", "不")."""
    if NEGATION_RE.search(token):
        return True
    if lang == "ro" and token.startswith(("n-", "nu-")):
        return True  # "n-a mers", "nu-mi place"
    negators = _NEGATORS.get(lang)
    if not negators:
        return False
    if lang == "he":
        return any(
            token[i:] in negators
            for i in range(3)
            if i == 0 or all(ch in _HEBREW_PREFIXES for ch in token[:i])
        )
    return token in negators


def is_negated_verb(token: str, lang: str) -> bool:
    """A Persian verb carrying its own negation ("نشد", "نمیکنه"): it negates what came before."""
    return lang == "fa" and (token in _PERSIAN_NEGATED_VERBS or token.startswith("نمی"))


def mark_negation(tokens: list[str], lang: str) -> list[str]:
    """Append ``_NEG`` to words after a negator until the clause ends.

    Same rule as ``nltk.sentiment.util.mark_negation`` (which knows English
    only), extended with each language's negators and with "but"-like words
    closing the scope, so "not fast but polite" keeps "polite" positive.
    Chinese negators are single characters that negate the next character;
    Persian negated verbs end their clause and negate the words before them
    (``_mark_back``); emoji keep their own polarity and are never marked.
    """
    marked: list[str] = []
    in_scope = False
    clause_start = 0
    for token in tokens:
        if token in _CLAUSE_BREAKS or token[0] in "!?":
            in_scope = False
            marked.append(token)
            clause_start = len(marked)
        elif is_negated_verb(token, lang):
            _mark_back(marked, clause_start)
            marked.append(token)
        elif is_negator(token, lang):
            # No toggling on a second negator: Romanian, Persian and Georgian
            # stack them ("nu ... nimic") without cancelling.
            in_scope = True
            marked.append(token)
        elif in_scope and token[0].isalnum():
            marked.append(token + NEGATED)
            if lang == "zh":
                in_scope = False
        else:
            marked.append(token)
    return marked


def _mark_back(marked: list[str], clause_start: int) -> None:
    """Mark up to ``_PERSIAN_BACK_SCOPE`` words before a Persian negated verb, within its clause."""
    words = [i for i in range(clause_start, len(marked)) if marked[i][0].isalnum()]
    for i in words[-_PERSIAN_BACK_SCOPE:]:
        if not marked[i].endswith(NEGATED) and not is_negator(marked[i], "fa"):
            marked[i] += NEGATED


def analyse(text: str) -> list[str]:
    """Normalised, negation-marked, stemmed tokens of one comment.

    Negation is marked before stemming: Snowball turns "nothing" into "noth"
    and "nowhere" into "nowher", which no negator list knows.
    """
    lang = detect_language(text)
    return [_stem_marked(token, lang) for token in mark_negation(tokenize(normalise(text)), lang)]


def _stem_marked(token: str, lang: str) -> str:
    if token.endswith(NEGATED):
        return stem(token[: -len(NEGATED)], lang) + NEGATED
    return stem(token, lang)


def word_ngrams(text: str) -> list[str]:
    """Analyzer for the word vectoriser: unigrams and bigrams of ``analyse``.

    A negated word also emits its plain stem, so "not resolved" still says
    *resolution* to the theme model while "resolv_NEG" tells sentiment.
    """
    tokens = analyse(text)
    features = list(tokens)
    for token in tokens:
        if token.endswith(NEGATED):
            features.append(token[: -len(NEGATED)])
    features.extend(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return features


_ASPECT_RE = re.compile(r"^([^:\s]{1,40}):\s")


def aspect_word_ngrams(text: str) -> list[str]:
    """Analyzer for the optional aspect block: ``word_ngrams`` copied under a leading label.

    For rows written as ``"<aspect>: <text>"`` (aspect-level sentiment, e.g.
    ``"service: slow but the food was great"``) every word feature of the text
    is emitted again as ``"<aspect>|<feature>"``, so a linear model can learn
    aspect-specific polarity words beside the shared ones. Rows without such a
    label yield nothing. Only used when ``build_features(aspect_weight=...)``
    asks for it; the default comment model does not include this block.
    """
    match = _ASPECT_RE.match(text)
    if not match:
        return []
    aspect = match.group(1)
    return [f"{aspect}|{feature}" for feature in word_ngrams(text[match.end() :])]


NEGATED_MARK = "¬"


def char_text(text: str) -> str:
    """Preprocessor for the character n-gram vectoriser of models without a sentiment head."""
    return normalise(text)


def marked_char_text(text: str) -> str:
    """Preprocessor for the character n-gram vectoriser: normalised, negated words marked.

    Character n-grams cannot see negation: "حل نشد" ("not solved") contains
    the n-grams of "حل" and "شد" ("solved"), and "not helpful" those of
    "helpful", so on their own they vote for the opposite of what was said.
    Words in a negation scope (``mark_negation``) are written ``¬word¬``:
    their n-grams become their own features and the ``¬`` edges are shared
    by every negated word, a prior the model learns across words and
    languages. Chinese is left as is: its negators negate the next character,
    which the n-grams "不好" and "没解" already hold.

    The marks serve sentiment and cost themes a little (negated words' n-grams
    no longer meet their plain forms), so models with no sentiment head use
    ``char_text`` (see ``nlp.pipeline.build_features``).
    """
    normalised = normalise(text)
    lang = detect_language(text)
    if lang == "zh" or not normalised:
        return normalised
    matches = list(_TOKEN_RE.finditer(normalised))
    marked = mark_negation([match.group() for match in matches], lang)
    pieces: list[str] = []
    done = 0
    for match, token in zip(matches, marked, strict=True):
        if token.endswith(NEGATED):
            pieces += [normalised[done : match.start()], NEGATED_MARK, match.group(), NEGATED_MARK]
            done = match.end()
    return "".join(pieces) + normalised[done:] if pieces else normalised
