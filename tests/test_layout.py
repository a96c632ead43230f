"""The package's shape: imports follow the data flow, and the command line starts light."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "expotion"
# video → controls → generators → audio → mux; evaluation and training beside the flow, never in it.
FORBIDDEN = {("generators", "evaluation"), ("generators", "training"), ("evaluation", "training"),
             ("controls", "generators"), ("video", "controls"), ("audio", "generators"), ("audio", "evaluation"),
             ("controls", "evaluation"), ("model", "training"), ("model", "evaluation")}


def package_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem


def import_graph() -> set[tuple[str, str]]:
    """(importing part, imported part) for every `expotion.*` import in the package."""
    edges = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                parts = name.split(".")
                if parts[0] == "expotion" and len(parts) > 1 and parts[1] != package_of(path):
                    edges.add((package_of(path), parts[1]))
    return edges


def test_imports_follow_the_data_flow():
    edges = import_graph()
    assert not edges & FORBIDDEN, sorted(edges & FORBIDDEN)
    assert not any(target == "testing" for source, target in edges if source != "testing")  # test support stays out


def test_the_command_line_starts_without_the_heavy_libraries():
    heavy = ("mediapipe", "scipy", "torch", "transformers", "gradio", "cv2", "matplotlib", "librosa", "av", "numpy")
    code = "import sys, expotion.cli; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not loaded & set(heavy), sorted(loaded & set(heavy))
    assert "--stems" in subprocess.run([sys.executable, "-m", "expotion.cli", "generate", "--help"],
                                       capture_output=True, text=True).stdout


def test_mediapipe_loads_with_the_analysers_not_with_the_pipeline():
    """Extraction loads MediaPipe on the pose thread while the first frames decode; importing
    the pipeline must not load it up front."""
    code = ("import sys, expotion.pipeline; before = 'mediapipe' in sys.modules; "
            "from expotion.controls.body import BodyAnalyzer; BodyAnalyzer().close(); print(before, 'mediapipe' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == ["False", "True"]


def test_the_pipeline_does_without_scipy():
    """Importing scipy.signal cost 0.6 s of every command's start-up (it loads scipy.stats and
    scipy.interpolate), scipy.ndimage 0.1–0.2 s on its own; analysis, composing and mixing do without
    them (the evaluation, beside the flow, keeps them)."""
    code = ("import sys, expotion.pipeline, expotion.controls.extract, expotion.audio.mix; "
            "from expotion.generators import create_generator; create_generator('composer'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == ["[]"]
