"""The analysers load MediaPipe's pose and face mesh without its drawing helpers and Tasks API,
and the rest of the process still gets the whole of MediaPipe when it asks."""

import os
import subprocess
import sys
import textwrap

WITHOUT = ("matplotlib", "sounddevice", "mediapipe.tasks", "mediapipe.python.solutions.drawing_utils")


def run(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env={**os.environ, "GLOG_minloglevel": "2"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_the_analysers_load_without_the_drawing_helpers_and_the_tasks_api():
    loaded = run(f"""
        import sys
        from expotion.controls.body import BodyAnalyzer
        from expotion.controls.face import FaceAnalyzer
        BodyAnalyzer().close(); FaceAnalyzer().close()
        print(*[name for name in {WITHOUT!r} if name in sys.modules], sep="\\n")
    """)
    assert loaded == []


def test_mediapipe_imported_afterwards_is_the_whole_package_with_the_same_classes():
    found = run("""
        import importlib.metadata
        from expotion.controls.body import BodyAnalyzer
        from expotion.controls.face import FaceAnalyzer
        body, face = BodyAnalyzer(), FaceAnalyzer()
        import mediapipe as mp
        from mediapipe.python.solutions import drawing_utils, hands
        print(type(body._pose) is mp.solutions.pose.Pose, type(face._mesh) is mp.solutions.face_mesh.FaceMesh,
              mp.__version__ == importlib.metadata.version("mediapipe"), callable(drawing_utils.draw_landmarks),
              hasattr(mp.tasks.vision, "PoseLandmarker"), hasattr(hands, "Hands"), hasattr(mp, "Image"))
    """)
    assert found == ["True"] * 7


def test_mediapipe_imported_first_is_used_as_it_is():
    found = run("""
        import sys
        import mediapipe as mp
        from expotion.controls.body import BodyAnalyzer
        print(type(BodyAnalyzer()._pose) is mp.solutions.pose.Pose, sys.modules["mediapipe"] is mp)
    """)
    assert found == ["True", "True"]


def test_threads_loading_analysers_while_another_imports_mediapipe_all_succeed():
    found = run("""
        import concurrent.futures
        from expotion.controls.body import BodyAnalyzer
        from expotion.controls.face import FaceAnalyzer

        def whole_mediapipe():
            import mediapipe as mp
            return mp.solutions.drawing_utils.draw_landmarks

        with concurrent.futures.ThreadPoolExecutor(4) as threads:
            jobs = [threads.submit(BodyAnalyzer), threads.submit(BodyAnalyzer), threads.submit(FaceAnalyzer),
                    threads.submit(whole_mediapipe)]
            print(*[job.result() is not None for job in jobs])
    """)
    assert found == ["True"] * 4
