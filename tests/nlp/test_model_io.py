"""Persistence: skops round trip with the trusted list, refusals, stable bytes."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import skops.io as sio

from nlp.model_io import (
    TRUSTED_TYPES,
    IncompatibleModelError,
    UntrustedModelError,
    load_model,
    load_trusted,
    save_model,
    stable_skops_bytes,
)
from nlp.text import normalise
from tests.nlp import corpus, small_model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return save_model(small_model(), tmp_path_factory.mktemp("model"))


def test_round_trip_gives_identical_predictions(saved):
    loaded = load_model(saved)
    texts = corpus().texts[::97]
    original = small_model()
    assert loaded.version == original.version
    assert np.allclose(
        loaded.probabilities(loaded.transform(texts))[0],
        original.probabilities(original.transform(texts))[0],
    )
    assert loaded.predict_sentiment(texts) == original.predict_sentiment(texts)


def test_saved_file_needs_exactly_the_trusted_list(saved):
    untrusted = sio.get_untrusted_types(file=saved / "model.skops")
    assert set(untrusted) <= set(TRUSTED_TYPES)
    assert "nlp.text.word_ngrams" in untrusted


def test_file_with_a_type_not_on_the_list_is_refused(tmp_path):
    buffer = io.BytesIO()
    sio.dump({"format": "cxbot-nlp-model/1", "sneaky": normalise}, buffer)
    with pytest.raises(UntrustedModelError, match="nlp.text.normalise"):
        load_trusted(buffer.getvalue())


def test_model_folder_with_an_untrusted_file_is_refused(saved, tmp_path):
    (tmp_path / "model.json").write_text((saved / "model.json").read_text())
    buffer = io.BytesIO()
    sio.dump({"format": "cxbot-nlp-model/1", "sneaky": normalise}, buffer)
    (tmp_path / "model.skops").write_bytes(buffer.getvalue())
    with pytest.raises(UntrustedModelError):
        load_model(tmp_path)


def _copy_with_sidecar(saved, tmp_path, change) -> None:
    info = json.loads((saved / "model.json").read_text())
    change(info)
    (tmp_path / "model.json").write_text(json.dumps(info))
    (tmp_path / "model.skops").write_bytes((saved / "model.skops").read_bytes())


def test_model_from_another_sklearn_minor_is_refused(saved, tmp_path):
    _copy_with_sidecar(
        saved, tmp_path, lambda info: info["libraries"].update({"scikit-learn": "1.4.2"})
    )
    with pytest.raises(IncompatibleModelError, match="scikit-learn 1.4.2"):
        load_model(tmp_path)


def test_same_minor_other_patch_loads(saved, tmp_path):
    def bump_patch(info):
        major_minor = ".".join(info["libraries"]["scikit-learn"].split(".")[:2])
        info["libraries"]["scikit-learn"] = major_minor + ".99"

    _copy_with_sidecar(saved, tmp_path, bump_patch)
    assert load_model(tmp_path).version == small_model().version


def test_model_of_another_pipeline_version_is_refused(saved, tmp_path):
    _copy_with_sidecar(saved, tmp_path, lambda info: info.update({"pipeline_version": "0"}))
    with pytest.raises(IncompatibleModelError, match="pipeline version"):
        load_model(tmp_path)


def test_corrupt_file_is_a_clear_error(saved, tmp_path):
    (tmp_path / "model.json").write_text((saved / "model.json").read_text())
    (tmp_path / "model.skops").write_bytes(b"not a zip")
    with pytest.raises(Exception, match="not a readable skops file"):
        load_model(tmp_path)


def test_stable_bytes_renumber_ids_and_fix_timestamps():
    state = {"a": np.arange(3), "b": np.ones(2)}
    first, second = io.BytesIO(), io.BytesIO()
    sio.dump(state, first)
    sio.dump(dict(state), second)
    assert stable_skops_bytes(first.getvalue()) == stable_skops_bytes(second.getvalue())
    archive = zipfile.ZipFile(io.BytesIO(stable_skops_bytes(first.getvalue())))
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    restored = sio.load(io.BytesIO(stable_skops_bytes(first.getvalue())), trusted=[])
    assert restored["a"].tolist() == [0, 1, 2]
