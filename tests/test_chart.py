import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from expotion.chart import MAGMA, Chart, colour_map, nice_ticks


@pytest.mark.parametrize("low, high", [(0, 10), (-2.3, 3.1), (0.127, 0.132), (0, 97.5)])
def test_ticks_are_round_and_inside_the_range(low, high):
    ticks = nice_ticks(low, high)
    assert 3 <= len(ticks) <= 11
    assert ticks[0] >= low - 1e-12 and ticks[-1] <= high + 1e-12
    step = np.diff(ticks)
    np.testing.assert_allclose(step, step[0])
    mantissa = step[0] / 10 ** np.floor(np.log10(step[0]))
    assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-6


def test_colour_map_runs_through_its_anchors():
    assert tuple(colour_map(np.array(0.0))) == tuple(int(MAGMA[0][i : i + 2], 16) for i in (1, 3, 5))
    assert tuple(colour_map(np.array(1.0))) == tuple(int(MAGMA[-1][i : i + 2], 16) for i in (1, 3, 5))
    brightness = colour_map(np.linspace(0, 1, 50)).astype(int).sum(axis=1)
    assert np.all(np.diff(brightness) >= 0)  # dark to light, as the heat map is read


def test_marks_land_at_their_times(tmp_path):
    """A 10 s axis over 1000 pixels: a vertical line at 2.5 s is drawn at pixel 350, a trace
    is broken where its values are missing, and nothing is drawn past the panel's edges."""
    chart = Chart(1200, 300, duration=10.0)
    (panel,) = chart.panels([1], left=100, right=1100, top=50, bottom=250, gap=0)
    panel.vlines([2.5], "#ff0000")
    times = np.linspace(0, 10, 1001)
    values = np.where((times > 6) & (times < 8), np.nan, 0.5)
    panel.line(times, values, "#0000ff", width=2)
    chart.save(tmp_path / "chart.png")
    picture = np.asarray(Image.open(tmp_path / "chart.png").convert("RGB")).astype(int)
    red = (picture[..., 0] > 200) & (picture[..., 1] < 80) & (picture[..., 2] < 80)
    blue = (picture[..., 2] > 200) & (picture[..., 0] < 80) & (picture[..., 1] < 80)
    assert picture.shape == (300, 1200, 3)
    columns = np.flatnonzero(red[100:200].any(axis=0))
    assert columns.min() >= 349 and columns.max() <= 351
    rows = np.flatnonzero(blue[:, 500])
    assert rows.min() >= 148 and rows.max() <= 152  # 0.5 of the range: the panel's middle
    assert not blue[:, 705:895].any()  # the gap, 6–8 s
    assert blue[:, 690].any() and blue[:, 910].any()
    assert not blue[:, :99].any() and not blue[:, 1102:].any()


def test_the_controls_plot_leaves_matplotlib_alone(tmp_path):
    """The plot written with every `generate` must not load Matplotlib (0.6 s)."""
    script = f"""
import sys
import numpy as np
from expotion.controls.plot import plot_controls
from expotion.testing.controls import synthetic_controls
controls = synthetic_controls(6.0, np.array([1.0, 2.0, 3.5]))
plot_controls(controls, {str(tmp_path / "c.png")!r}, beats=np.array([1.0, 2.0, 3.0]))
assert "matplotlib" not in sys.modules
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    assert Image.open(tmp_path / "c.png").size == (1080, 990)
