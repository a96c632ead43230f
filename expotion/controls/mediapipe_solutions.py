"""MediaPipe's pose and face-mesh solutions, imported without the rest of MediaPipe.

`import mediapipe` took 0.9–1.1 s of the command's start-up here, on the pose thread before
its first frame: the package's initialisers import the drawing helpers (Matplotlib's pyplot,
0.6 s) and the Tasks API (PortAudio through sounddevice), neither of which the analysis uses.
The two solution modules alone take 0.2 s. So the two initialisers on the way,
`mediapipe/__init__.py` and `mediapipe/python/solutions/__init__.py`, are deferred: their
packages stand in `sys.modules` unexecuted while the solution modules load, and run their real
initialisers the first time anyone asks them for a name they lack. An `import mediapipe`
anywhere else in the process still gets the whole package.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType

DEFERRED_PACKAGES = ("mediapipe", "mediapipe.python.solutions")  # parents first
_lock = threading.RLock()
_loading = False  # while true, the look-ups come from the import system loading the solutions


def mediapipe_solution(name: str) -> ModuleType:
    """`mediapipe.solutions.<name>` (e.g. "pose", "face_mesh"), imported without the drawing
    helpers and the Tasks API where MediaPipe has not been imported yet."""
    global _loading
    with _lock:
        for package in DEFERRED_PACKAGES:
            if package not in sys.modules:
                _defer(package)
        _loading = True
        try:
            return importlib.import_module(f"mediapipe.python.solutions.{name}")
        finally:
            _loading = False


def _defer(package: str) -> None:
    """Put `package` in sys.modules without running its initialiser, which runs on the first
    look-up of a name the package does not have yet."""
    spec = importlib.util.find_spec(package)
    module = importlib.util.module_from_spec(spec)

    def complete(name: str):
        with _lock:
            if _loading:  # `from package import submodule` asks first whether it is loaded
                raise AttributeError(name)
            for deferred in reversed(DEFERRED_PACKAGES):  # the solutions first, as a plain import runs them
                _complete(sys.modules[deferred])
        return getattr(module, name)

    module.__getattr__ = complete
    sys.modules[package] = module


def _complete(package: ModuleType) -> None:
    """Run a deferred package's own initialiser, once."""
    if package.__dict__.pop("__getattr__", None) is not None:
        package.__spec__.loader.exec_module(package)
