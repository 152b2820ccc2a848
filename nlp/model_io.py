"""Saving and loading models safely: skops with an explicit trusted list + a JSON sidecar.

A model folder holds ``model.skops`` (the fitted objects) and ``model.json``
(library versions, labels, training-data hash, CV scores, model version).

Loading refuses, with a one-line reason:
- a model built with another scikit-learn minor version (pickled estimator
  internals change between minors, so predictions could silently differ);
- a model of another pipeline version (the feature code it expects changed);
- a file holding any type that is not on ``TRUSTED_TYPES`` — we never pass
  ``trusted=True`` nor "whatever the file lists".

skops names array files and shared-object ids after ``id()`` and stamps the
current time, so ``dump`` output differs run to run; ``stable_skops_bytes``
renumbers ids in order of appearance and fixes timestamps, making the same
model produce the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import skops.io as sio

from nlp import pipeline
from nlp.cache import write_atomically
from nlp.embeddings import EmbeddingsUnavailable, package_dir
from nlp.model import FORMAT, Model

MODEL_FILE = "model.skops"
SIDECAR_FILE = "model.json"
# Everything in a saved model that skops does not trust by default. scikit-learn
# estimators and numpy arrays are on skops' own list; these are ours.
TRUSTED_TYPES = [
    "nlp.embeddings.sentence_vectors",
    "nlp.text.aspect_word_ngrams",
    "nlp.text.char_text",
    "nlp.text.marked_char_text",
    "nlp.text.word_ngrams",
    "nlp.vader.vader_features",
    "scipy.sparse._csr.csr_matrix",
]
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ID_FILE_RE = re.compile(r"^(\d+)(\.\w+)$")


class ModelLoadError(RuntimeError):
    """A model that cannot or must not be loaded; the message says why in one line."""


class IncompatibleModelError(ModelLoadError):
    """Built with another scikit-learn minor version or another pipeline version."""


class UntrustedModelError(ModelLoadError):
    """The file contains types outside ``TRUSTED_TYPES``."""


def save_model(model: Model, directory: str | Path) -> Path:
    """Write ``model.skops`` and ``model.json`` into ``directory`` (created if needed)."""
    directory = Path(directory)
    buffer = io.BytesIO()
    sio.dump(model.to_state(), buffer, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    write_atomically(directory / MODEL_FILE, stable_skops_bytes(buffer.getvalue()))
    sidecar = json.dumps(model.info, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomically(directory / SIDECAR_FILE, sidecar.encode("utf-8"))
    return directory


def read_sidecar(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / SIDECAR_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelLoadError(f"no model at {directory} ({SIDECAR_FILE} missing)") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path}: unreadable sidecar ({exc})") from exc


def check_compatible(info: dict[str, Any], where: str = "model") -> None:
    """Raise ``IncompatibleModelError`` unless the sidecar matches this installation."""
    from nlp.train import library_versions

    if info.get("format") != FORMAT:
        raise IncompatibleModelError(f"{where}: format {info.get('format')!r}, expected {FORMAT!r}")
    built = str(info.get("libraries", {}).get("scikit-learn", "?"))
    installed = library_versions()["scikit-learn"]
    if _minor(built) != _minor(installed):
        raise IncompatibleModelError(
            f"{where} was built with scikit-learn {built}, this environment has {installed}; "
            "retrain it with `cxbot nlp train`"
        )
    if str(info.get("pipeline_version")) != pipeline.PIPELINE_VERSION:
        raise IncompatibleModelError(
            f"{where} uses pipeline version {info.get('pipeline_version')}, this cxbot expects "
            f"{pipeline.PIPELINE_VERSION}; retrain it with `cxbot nlp train`"
        )


def load_model(directory: str | Path) -> Model:
    """Load a model folder after the version and trusted-type checks."""
    directory = Path(directory)
    info = read_sidecar(directory)
    check_compatible(info, str(directory))
    try:
        data = (directory / MODEL_FILE).read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"{directory / MODEL_FILE}: {exc.strerror or exc}") from exc
    state = load_trusted(data, str(directory / MODEL_FILE))
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ModelLoadError(f"{directory / MODEL_FILE}: not a cxbot model")
    model = Model.from_state(state, info)
    _check_embeddings(model, directory)
    return model


def _check_embeddings(model: Model, directory: Path) -> None:
    """A model with the opt-in vector block needs the package carrying the vectors, now, not at first use."""
    if "embedding" in dict(model.features.transformer_list):
        try:
            package_dir()
        except EmbeddingsUnavailable as exc:
            raise ModelLoadError(f"{directory}: {exc}") from exc


def load_trusted(data: bytes, where: str = "model file") -> Any:
    """skops-load ``data`` only if every untrusted type in it is on ``TRUSTED_TYPES``."""
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # a corrupt or foreign file: zip/JSON errors of all kinds
        raise ModelLoadError(f"{where}: not a readable skops file ({exc})") from exc
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise UntrustedModelError(f"{where}: refusing untrusted types {', '.join(unexpected)}")
    try:
        return sio.load(io.BytesIO(data), trusted=TRUSTED_TYPES)
    except Exception as exc:
        raise ModelLoadError(f"{where}: cannot be loaded ({exc})") from exc


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def stable_skops_bytes(data: bytes) -> bytes:
    """Rewrite a skops zip with ids numbered by appearance and fixed timestamps."""
    source = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(source.read("schema.json"))
    numbering: dict[str, str] = {}

    def renumber(old: str) -> str:
        return numbering.setdefault(old, str(len(numbering) + 1))

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    out[key] = int(renumber(str(value)))
                elif (
                    key == "file" and isinstance(value, str) and (match := _ID_FILE_RE.match(value))
                ):
                    stem, suffix = match.groups()
                    out[key] = renumber(stem) + suffix
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    new_schema = walk(schema)
    members: dict[str, bytes] = {"schema.json": json.dumps(new_schema, indent=2).encode("utf-8")}
    for info in source.infolist():
        if info.filename == "schema.json":
            continue
        match = _ID_FILE_RE.match(info.filename)
        name = renumber(match.group(1)) + match.group(2) if match else info.filename
        members[name] = source.read(info)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(members):
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, members[name], compresslevel=9)
    return out.getvalue()
