"""Shared test inputs: synthetic videos with known timing, made once per session."""

from __future__ import annotations

import os
import socket
import tempfile

import numpy as np
import pytest

from expotion.testing import synthetic
from expotion.testing.movement_scenes import TURN_TIMES

os.environ.setdefault("EXPOTION_NATIVE_LOGS", "0")
# An empty Hugging Face cache of the tests' own, whatever weights this machine holds, so that
# "weights missing" paths are tested for everyone (set before transformers is imported).
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="expotion-tests-hf-")
os.environ["HF_HUB_OFFLINE"] = "1"

DURATION = 5.0
FRAME_TIMES = {
    "15fps": synthetic.constant_rate_times(DURATION, 15.0),
    "23.17fps": synthetic.constant_rate_times(DURATION, 23.17),
    "30fps": synthetic.constant_rate_times(DURATION, 30.0),
    "vfr": synthetic.variable_rate_times(DURATION, 20.0, jitter=0.4, seed=3),
}


@pytest.fixture(scope="session")
def videos(tmp_path_factory):
    """Factory of cached synthetic videos: videos(name) -> (path, frame_times)."""
    folder = tmp_path_factory.mktemp("videos")
    made = {}

    def make(name: str, **options):
        if name not in made:
            times = options.pop("times", FRAME_TIMES.get(name))
            path = folder / f"{name}.mp4"
            synthetic.moving_portrait(path, times, options.pop("turn_times", TURN_TIMES), **options)
            made[name] = (path, np.asarray(times))
        return made[name]

    return make


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
