"""Tag audio files with musicnn (Pons & Serra 2019), whose trained weights ship inside its wheel.

    TAGGER/bin/python benchmarks/musicnn_tags.py FILE.wav … > tags.json

Runs in an environment of its own (TensorFlow needs another NumPy than MediaPipe):

    python3 -m venv .tagger
    .tagger/bin/pip install tensorflow-cpu tf-keras librosa
    .tagger/bin/pip install --no-deps musicnn

Prints JSON: {file: {model: {tag: mean probability over the file's 3 s patches}}} for the
MagnaTagATune model (instruments, genres, loudness) and the Million Song Dataset model (genres,
moods). `benchmarks/prompt_tags.py` calls it.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # musicnn builds its graph with tf.compat.v1.layers
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import librosa  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from musicnn import configuration, models  # noqa: E402

MODELS = {"MTT_musicnn": configuration.MTT_LABELS, "MSD_musicnn": configuration.MSD_LABELS}
PATCH_S = 3  # seconds: the length of the patches the models were trained on


def patches(path: str, frames: int) -> np.ndarray:
    """The models' input: log-compressed mel spectrogram patches, (patches, frames, mels).
    Kept in float32: musicnn's own reader stores the spectrogram as float16, where the power of
    a loud low note (over 65 504) becomes infinite and every tag the same."""
    audio, rate = librosa.load(path, sr=configuration.SR)
    mel = librosa.feature.melspectrogram(y=audio, sr=rate, hop_length=configuration.FFT_HOP,
                                         n_fft=configuration.FFT_SIZE, n_mels=configuration.N_MELS).T
    spectrogram = np.log10(10000 * mel + 1)
    starts = range(0, len(spectrogram) - frames + 1, frames)
    return np.stack([spectrogram[start:start + frames] for start in starts])


def tag_files(paths: list[str], model: str, labels: list[str]) -> dict[str, dict[str, float]]:
    """Mean tag probabilities of each file, one TensorFlow session for them all."""
    frames = librosa.time_to_frames(PATCH_S, sr=configuration.SR, hop_length=configuration.FFT_HOP,
                                    n_fft=configuration.FFT_SIZE) + 1
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        with tf.name_scope("model"):
            spectrogram = tf.compat.v1.placeholder(tf.float32, [None, frames, configuration.N_MELS])
            training = tf.compat.v1.placeholder(tf.bool)
            probabilities = tf.nn.sigmoid(models.define_model(spectrogram, training, model, len(labels))[0])
        tf.compat.v1.train.Saver().restore(session, os.path.join(os.path.dirname(models.__file__), model) + "/")
        tags = {}
        for path in paths:
            mean = session.run(probabilities, {spectrogram: patches(path, frames), training: False}).mean(axis=0)
            tags[path] = {label: round(float(value), 4) for label, value in zip(labels, mean)}
    return tags


def main() -> None:
    tf.compat.v1.disable_eager_execution()
    paths = sys.argv[1:]
    results: dict[str, dict] = {path: {} for path in paths}
    for model, labels in MODELS.items():
        for path, tags in tag_files(paths, model, labels).items():
            results[path][model] = tags
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
