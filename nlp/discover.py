"""Propose new themes from comments the model could not place.

Comments that got no theme (or only low-confidence ones) are where a team's
taxonomy is missing something. ``discover_themes`` clusters them — TF-IDF of
words and word pairs, k-means with a fixed seed — and describes each cluster by
its heaviest terms and the comments nearest its centre, for a person to name.
Same texts and parameters → same clusters.

Comments that read the same once normalised ("thanks", "Thanks!!", one
customer's text pasted in every survey) are clustered once, weighted by how often they occur: otherwise one
repeated line became a "theme" of its own and filled all its example slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score

from nlp.text import normalise, tokenize

SEED = 0
MAX_AUTO_CLUSTERS = 12
# Only for *naming* clusters: function words make useless theme names. (The
# classifier keeps every word — "not" and "thanks" carry sentiment.)
# Extended with the words that named most of the demo's candidates in
# ``cxbot nlp discover`` ("just, days, fix", "לכם, יום, כל", "得, 没, 位, 能").
FUNCTION_WORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    "i'm it's don't didn't can't won't i've we're you're thats im dont didnt cant "
    "just really got get way ok okay bit lot also honestly guys "
    "si sa nu am ai a e cu la pe de din pentru ca care mi ne imi sunt era au fi un o "
    "și să în că mai dar fost este tot nimic ma mă foarte doar deja "
    "של את על זה לא עם אני גם כי מה יש הוא היא אבל רק כל לכם לי היה אחרי יותר קצת ממש "
    "و در به از که این را با است برای آن من یه هم ولی بود رو تا نه نیست خیلی ما شد "
    "და არ რომ ეს მე ის კი თუ მაგრამ ძალიან უკვე "
    "的 了 是 我 你 也 就 都 在 有 和 很 吗 呢 吧 啊 得 没 能 一 不 还 个 到 点 后 来 太 过 多 下 可 着 把 被 让 给 要 会".split()
)


@dataclass(frozen=True)
class CandidateTheme:
    """One proposed theme: its top terms, a few typical comments and its size."""

    terms: list[str]
    examples: list[str]
    size: int
    share: float


def discovery_terms(text: str) -> list[str]:
    """Readable words and word pairs (no stemming, no symbols) for naming clusters."""
    words = [
        t
        for t in tokenize(normalise(text))
        if t[0].isalnum() and t != "0" and t not in FUNCTION_WORDS
    ]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def discover_themes(
    texts: list[str],
    n_clusters: int | None = None,
    *,
    n_terms: int = 8,
    n_examples: int = 3,
    min_df: int = 2,
    max_df: float = 0.7,
) -> list[CandidateTheme]:
    """Cluster ``texts`` into candidate themes, largest first.

    ``n_clusters=None`` picks 2…12 clusters by silhouette score. Function
    words are left out and ``max_df`` drops words that occur in a large share
    of comments, so names are made of content words. Returns [] when there is
    too little text.
    """
    texts, counts = _distinct([t for t in texts if t and t.strip()])
    if len(texts) < 4:
        return []
    vectorizer = TfidfVectorizer(
        analyzer=discovery_terms, min_df=min(min_df, len(texts)), max_df=max_df, sublinear_tf=True
    )
    try:
        X = vectorizer.fit_transform(texts)
    except ValueError:  # every term pruned: nothing in common to cluster on
        return []
    keep = np.flatnonzero(X.getnnz(axis=1))
    if len(keep) < 4:
        return []
    X, weights = X[keep], counts[keep]
    kept_texts = [texts[i] for i in keep]
    k = n_clusters or _choose_k(X)
    k = max(1, min(k, len(kept_texts)))
    kmeans = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(X, sample_weight=weights)
    terms = vectorizer.get_feature_names_out()
    # Each cluster's terms are ranked against the weighted average of all comments.
    average = np.asarray(X.multiply(weights[:, None]).sum(axis=0)).ravel() / weights.sum()
    candidates = [
        _describe(cluster, kmeans, X, weights, average, terms, kept_texts, n_terms, n_examples)
        for cluster in range(k)
    ]
    candidates = [c for c in candidates if c.size]
    return sorted(candidates, key=lambda c: (-c.size, c.terms))


def _distinct(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Each text once, with how often it came.

    Texts are the same when ``normalise`` makes them the same (case, spacing,
    accents, numbers): ``discovery_terms`` reads them alike, so they would be
    identical rows anyway. The first spelling is the one shown.
    """
    first: dict[str, str] = {}
    counts: dict[str, int] = {}
    for text in texts:
        key = normalise(text)
        first.setdefault(key, text.strip())
        counts[key] = counts.get(key, 0) + 1
    return list(first.values()), np.array([counts[key] for key in first], dtype=float)


def _choose_k(X) -> int:
    best_k, best_score = 2, -1.0
    distinct = len({(tuple(row.indices), tuple(np.round(row.data, 6))) for row in X})
    for k in range(2, min(MAX_AUTO_CLUSTERS, X.shape[0] - 1, distinct) + 1):
        labels = KMeans(n_clusters=k, n_init=5, random_state=SEED).fit_predict(X)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(X, labels, metric="cosine", random_state=SEED)
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    return best_k


def _describe(
    cluster, kmeans, X, weights, average, terms, texts, n_terms, n_examples
) -> CandidateTheme:
    members = np.flatnonzero(kmeans.labels_ == cluster)
    # Rank by how much more a term weighs here than on average: distinctive, not just frequent.
    lift = kmeans.cluster_centers_[cluster] - average
    top_terms = [terms[j] for j in np.argsort(-lift, kind="stable")[:n_terms] if lift[j] > 0]
    distances = kmeans.transform(X[members])[:, cluster]
    nearest = members[np.argsort(distances, kind="stable")[:n_examples]]
    return CandidateTheme(
        terms=top_terms,
        examples=[texts[i] for i in nearest],
        size=int(weights[members].sum()),
        share=round(float(weights[members].sum() / weights.sum()), 4),
    )
