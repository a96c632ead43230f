"""The web app's overhead: a 10 s clip through the app (gradio_client → queue → pipeline →
files back) against the same pipeline called directly, in one run.

    python benchmarks/app_latency.py [VIDEO]

Last line: `app_overhead_ratio=X` (goal ≤ 1.10).
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

from gradio_client import Client, handle_file  # noqa: E402

from expotion.app import COMPOSER, launch, shutdown  # noqa: E402
from expotion.pipeline import generate  # noqa: E402
from expotion.testing import synthetic  # noqa: E402

PROMPT = "Upbeat funk with slap bass, brass stabs and a tight drum groove"


def main() -> None:
    work = Path(tempfile.mkdtemp())
    video = Path(sys.argv[1]) if len(sys.argv) > 1 else synthetic.swaying_clip(work / "clip.mp4")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = launch("127.0.0.1", port, block=False)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    generate(video, PROMPT, work / "warm.mp4")  # load models and caches once for both paths
    direct, through_app = [], []
    for run in range(2):  # alternate, so both see the same machine load
        start = time.perf_counter()
        generate(video, PROMPT, work / f"direct{run}.mp4", seed=run)
        direct.append(time.perf_counter() - start)
        start = time.perf_counter()
        client.predict(handle_file(str(video)), PROMPT, COMPOSER, run, 1.0, 1.0, 3.0, 1.5, api_name="/generate")
        through_app.append(time.perf_counter() - start)
    shutdown(app)
    print(f"{video.name}: pipeline called directly {min(direct):.2f} s, through the app {min(through_app):.2f} s")
    print(f"app_overhead_ratio={min(through_app) / min(direct):.3f}")


if __name__ == "__main__":
    main()
