"""Static sentence vectors from the WordLlama weights that the ``wordllama`` wheel ships.

Why: n-grams only know the words a training set used. Averaged token vectors
give a linear model a dense "what is this about" signal that also covers
paraphrases it never saw, which is what many-intent and aspect-category tasks
lack. Measured by 3- or 5-fold CV on the training sets only (see README's
benchmark section): BANKING77 intents 0.900 → 0.911, SemEval category
detection 0.812 → 0.823. On the support-comment corpus (7,315 comments) the same block *cost*
CV (themes micro-F1 0.733 → 0.719, sentiment accuracy 0.840 → 0.824, and the
Sentiment Labelled Sentences fell too): the vectors group "great" with
"terrible", and Llama-2's tokenizer splits Georgian, Hebrew and Persian into
single letters. So the block is opt-in (``embedding_weight``) and the default model
does not use it.

No network: ``WordLlama.load()`` looks for the tokenizer in a folder the
wheel does not have and then downloads it from Hugging Face, and importing
``wordllama`` configures the root logger. So the two shipped files are read
by path, without importing the package, with ``tokenizers`` and
``safetensors``; pooling (sum of token vectors, L2-normalised, the same as
``WordLlamaInference.embed(norm=True)``) is a few lines of numpy.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

PACKAGE = "wordllama"
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
INSTALL_HINT = "pip install 'cxbot[embeddings]'"


class EmbeddingsUnavailable(RuntimeError):
    """The ``wordllama`` package (which carries the vectors) is not installed or lacks its files."""


def package_dir() -> Path:
    """Where the ``wordllama`` package lives, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingsUnavailable(
            f"embedding features need the {PACKAGE} package ({INSTALL_HINT})"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _encoder():  # -> (tokenizers.Tokenizer, float32 table of shape (vocab, dim))
    """Tokenizer and vector table, read once per process (~0.4 s, 32 MB)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    root = package_dir()
    weights, tokenizer = root / WEIGHTS, root / TOKENIZER
    for path in (weights, tokenizer):
        if not path.is_file():
            raise EmbeddingsUnavailable(f"{path} is missing: reinstall {PACKAGE} ({INSTALL_HINT})")
    table = np.ascontiguousarray(load_file(str(weights))[TENSOR], dtype=np.float32)
    return Tokenizer.from_file(str(tokenizer)), table


def dimensions() -> int:
    return _encoder()[1].shape[1]


def sentence_vectors(texts) -> np.ndarray:
    """Feature block for ``FunctionTransformer``: one unit-length float32 row per text.

    A text with no tokens (empty) gets a zero row rather than NaN.
    """
    tokenizer, table = _encoder()
    encodings = tokenizer.encode_batch([str(text) for text in texts], add_special_tokens=False)
    lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
    vectors = np.zeros((len(encodings), table.shape[1]), dtype=np.float32)
    if lengths.sum():
        ids = np.concatenate([e.ids for e in encodings if e.ids]).astype(np.int64)
        starts = np.concatenate(([0], np.cumsum(lengths[lengths > 0])[:-1]))
        vectors[lengths > 0] = np.add.reduceat(table[ids], starts, axis=0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors
