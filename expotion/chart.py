"""Panels of time series stacked over one time axis, drawn straight with Pillow.

Every `generate` writes a picture of the controls. Matplotlib took 0.6 s to import and 0.5 s
to draw it, 0.9 s of the 6 s command on a 10 s clip (measured with and without `--no-plot`);
the picture needs only lines, markers, bands, a heat map and labels, which Pillow draws in a
tenth of that. Everything is drawn at twice the size and shrunk, so that lines come out smooth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from expotion.runs import true_runs

# Matplotlib's default colour cycle, so that the picture reads like the rest of the field's.
SERIES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
BLUE, RED = SERIES[0], SERIES[3]
MAGMA = ("#000004", "#1d1147", "#51127c", "#832681", "#b73779", "#e75263", "#fc8961", "#fec488", "#fcfdbf")  # dark → light
INK, FRAME, BAND = "#000000", "#000000", "#d9d9d9"
SUPERSAMPLE = 2
TICK_PX, DASH_PX, GAP_PX = 4, 5, 3
TEXT_PX, SMALL_PX, TITLE_PX = 12, 9, 15


def nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """Round values (1, 2 or 5 × a power of ten apart) from `low` to `high`, about `count` of them."""
    if not np.isfinite(low) or not np.isfinite(high) or high <= low:
        return np.array([low]) if np.isfinite(low) else np.zeros(0)
    raw = (high - low) / count
    power = 10 ** np.floor(np.log10(raw))
    step = power * min((1, 2, 5, 10), key=lambda factor: abs(factor * power - raw))
    first = np.ceil(low / step - 1e-9) * step
    return np.arange(first, high + step * 1e-9, step)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[index : index + 2], 16) for index in (1, 3, 5))


def colour_map(values: np.ndarray, anchors: tuple[str, ...] = MAGMA) -> np.ndarray:
    """uint8 RGB (…, 3) for values in [0, 1], linear between the anchors."""
    table = np.array([_rgb(anchor) for anchor in anchors], dtype=float)
    position = np.clip(np.nan_to_num(values), 0, 1) * (len(anchors) - 1)
    low = np.minimum(position.astype(int), len(anchors) - 2)
    fraction = (position - low)[..., None]
    return np.round(table[low] * (1 - fraction) + table[low + 1] * fraction).astype(np.uint8)


def _triangle(x: float, y: float, half: float) -> list[tuple[float, float]]:
    """Corners of an upward triangle `2 × half` wide around (x, y)."""
    return [(x - half, y + half), (x + half, y + half), (x, y - half)]


def _label(value: float) -> str:
    return f"{value + 0.0:g}"  # + 0.0: no "-0"


class Panel:
    """One strip of the chart: the chart's time axis across, its own value range up."""

    def __init__(self, chart: "Chart", box: tuple[int, int, int, int]):
        self.chart, self.box = chart, box  # left, top, right, bottom in output pixels
        self.low, self.high = 0.0, 1.0
        self.legend_entries: list[tuple[str, str, str]] = []  # (kind, colour, label)

    # --- coordinates (supersampled pixels) -------------------------------------------------
    def x(self, times) -> np.ndarray:
        left, _, right, _ = self.box
        return SUPERSAMPLE * (left + (np.asarray(times, float) / self.chart.duration) * (right - left))

    def y(self, values) -> np.ndarray:
        _, top, _, bottom = self.box
        return SUPERSAMPLE * (bottom - (np.asarray(values, float) - self.low) / (self.high - self.low) * (bottom - top))

    def fit(self, *curves: np.ndarray, margin: float = 0.05) -> None:
        """Set the value range to hold `curves` (NaN ignored), with a margin."""
        finite = np.concatenate([np.asarray(curve, float).ravel() for curve in curves])
        finite = finite[np.isfinite(finite)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high - low < 1e-12:
            low, high = low - 0.5, high + 0.5
        self.low, self.high = low - margin * (high - low), high + margin * (high - low)

    # --- marks ----------------------------------------------------------------------------
    def line(self, times, values, colour: str, width: float = 1.0, label: str | None = None) -> None:
        """A trace, broken where values are NaN."""
        xs, ys = self.x(times), self.y(values)
        for start, stop in true_runs(np.isfinite(ys)):
            points = list(zip(xs[start:stop].tolist(), ys[start:stop].tolist()))
            if len(points) > 1:
                self.chart.draw.line(points, fill=colour, width=round(SUPERSAMPLE * width), joint="curve")
        if label:
            self.add_to_legend("line", colour, label)

    def markers(self, times, values, colour: str, size: float = 5.0, label: str | None = None) -> None:
        """Upward triangles."""
        half = SUPERSAMPLE * size
        for x, y in zip(self.x(times), self.y(values)):
            if np.isfinite(y):
                self.chart.draw.polygon(_triangle(x, y, half), fill=colour)
        if label:
            self.add_to_legend("marker", colour, label)

    def bands(self, times, mask, colour: str = BAND, label: str | None = None) -> None:
        """Full-height bands over the stretches where `mask` is true (each sample up to the next)."""
        mask = np.asarray(mask, bool)
        if not mask.any():
            return
        times = np.asarray(times, float)
        ends = np.append(times[1:], self.chart.duration)
        _, top, _, bottom = self.box
        for start, stop in true_runs(mask):
            x0, x1 = self.x([times[start], ends[stop - 1]])
            self.chart.draw.rectangle([x0, SUPERSAMPLE * top, x1, SUPERSAMPLE * bottom], fill=colour)
        if label:
            self.add_to_legend("band", colour, label)

    def vlines(self, times, colour: str, opacity: float = 1.0, dashed: bool = False) -> None:
        """Full-height vertical lines, blended over what is drawn."""
        top, bottom = SUPERSAMPLE * self.box[1], SUPERSAMPLE * self.box[3]
        fill = _rgb(colour) + (round(255 * opacity),)
        dash = SUPERSAMPLE * DASH_PX if dashed else bottom - top
        starts = np.arange(top, bottom, dash + SUPERSAMPLE * GAP_PX) if dashed else [top]
        for x in self.x(times):
            for y in starts:
                self.chart.overlay.line([(x, y), (x, min(y + dash, bottom))], fill=fill, width=SUPERSAMPLE)

    def heat_map(self, values: np.ndarray, row_names: list[str]) -> None:
        """(T, R) values across the panel, one row per column of `values` (first on top),
        each sample up to the next, coloured by value over the whole map's range."""
        values = np.asarray(values, float)
        low, high = np.nanmin(values), np.nanmax(values)
        left, top, right, bottom = (SUPERSAMPLE * edge for edge in self.box)
        # The sample under each pixel column's centre, picked before colouring: a long video's
        # map is coloured at the picture's width, not at its length.
        under = np.minimum(((np.arange(right - left) + 0.5) / (right - left) * len(values)).astype(int), len(values) - 1)
        picked = values[under]
        pixels = colour_map(((picked - low) / (high - low) if high > low else picked * 0).T)
        picture = Image.fromarray(pixels, "RGB").resize((right - left, bottom - top), Image.NEAREST)
        self.chart.image.paste(picture, (left, top))
        rows = len(row_names)
        self.low, self.high = rows - 0.5, -0.5  # row 0 on top
        self.y_ticks(np.arange(rows), row_names, size=SMALL_PX - 2)

    def text(self, time: float, value: float, words: str, size: int = SMALL_PX) -> None:
        self.chart.draw.text((float(self.x(time)), float(self.y(value))), words, fill=INK, font=self.chart.font(size), anchor="lb")

    # --- axes and labels -------------------------------------------------------------------
    def add_to_legend(self, kind: str, colour: str, label: str) -> None:
        """An entry drawn as a "line", "dashed" line, "marker" or "band" sample."""
        self.legend_entries.append((kind, colour, label))

    def y_ticks(self, values=None, labels=None, size: int = TEXT_PX - 2) -> None:
        """Ticks and labels on the left edge (round values of the range when none are given)."""
        values = nice_ticks(min(self.low, self.high), max(self.low, self.high)) if values is None else np.asarray(values)
        labels = [_label(value) for value in values] if labels is None else labels
        left = SUPERSAMPLE * self.box[0]
        for y, label in zip(self.y(values), labels):
            self.chart.draw.line([(left - SUPERSAMPLE * TICK_PX, y), (left, y)], fill=FRAME, width=SUPERSAMPLE)
            self.chart.draw.text((left - SUPERSAMPLE * (TICK_PX + 2), y), label, fill=INK, font=self.chart.font(size), anchor="rm")

    def x_ticks(self, labelled: bool) -> None:
        bottom = SUPERSAMPLE * self.box[3]
        for time in nice_ticks(0, self.chart.duration, 10):
            x = float(self.x(time))
            self.chart.draw.line([(x, bottom), (x, bottom + SUPERSAMPLE * TICK_PX)], fill=FRAME, width=SUPERSAMPLE)
            if labelled:
                self.chart.draw.text((x, bottom + SUPERSAMPLE * (TICK_PX + 2)), _label(time), fill=INK,
                                     font=self.chart.font(TEXT_PX - 2), anchor="mt")

    def y_label(self, words: str) -> None:
        """Rotated, centred beside the tick labels (lines separated by newlines)."""
        font = self.chart.font(TEXT_PX)
        box = self.chart.draw.multiline_textbbox((0, 0), words, font=font, align="center")
        label = Image.new("RGBA", (int(box[2] - box[0]) + 4, int(box[3] - box[1]) + 4), (255, 255, 255, 0))
        ImageDraw.Draw(label).multiline_text((2 - box[0], 2 - box[1]), words, fill=INK, font=font, align="center")
        label = label.rotate(90, expand=True)
        left, top, _, bottom = self.box
        x = SUPERSAMPLE * (left - 56) - label.width // 2
        y = SUPERSAMPLE * (top + bottom) // 2 - label.height // 2
        self.chart.image.paste(label, (x, y), label)

    def x_label(self, words: str) -> None:
        left, _, right, bottom = self.box
        self.chart.draw.text((SUPERSAMPLE * (left + right) / 2, SUPERSAMPLE * (bottom + 20)), words, fill=INK,
                             font=self.chart.font(TEXT_PX), anchor="mt")

    def legend(self) -> None:
        """The labelled marks in one row in the upper right corner, on a white box."""
        if not self.legend_entries:
            return
        font, sample, pad = self.chart.font(SMALL_PX), SUPERSAMPLE * 16, SUPERSAMPLE * 4
        widths = [sample + pad + int(self.chart.draw.textlength(label, font=font)) + 3 * pad for _, _, label in self.legend_entries]
        height = SUPERSAMPLE * (SMALL_PX + 6)
        right, top = SUPERSAMPLE * (self.box[2] - 4), SUPERSAMPLE * (self.box[1] + 4)
        left = right - sum(widths)
        self.chart.draw.rectangle([left, top, right, top + height], fill="#ffffff", outline="#cccccc", width=SUPERSAMPLE)
        middle = top + height / 2
        for (kind, colour, label), width in zip(self.legend_entries, widths):
            x = left + pad
            if kind == "marker":
                self.chart.draw.polygon(_triangle(x + sample / 2, middle, SUPERSAMPLE * 4), fill=colour)
            elif kind == "band":
                self.chart.draw.rectangle([x, middle - SUPERSAMPLE * 4, x + sample, middle + SUPERSAMPLE * 4], fill=colour)
            elif kind == "dashed":
                for start in range(0, sample, SUPERSAMPLE * (DASH_PX + GAP_PX)):
                    self.chart.draw.line([(x + start, middle), (x + min(start + SUPERSAMPLE * DASH_PX, sample), middle)],
                                         fill=colour, width=SUPERSAMPLE)
            else:
                self.chart.draw.line([(x, middle), (x + sample, middle)], fill=colour, width=SUPERSAMPLE * 2)
            self.chart.draw.text((x + sample + pad, middle), label, fill=INK, font=font, anchor="lm")
            left += width

    def frame(self) -> None:
        left, top, right, bottom = (SUPERSAMPLE * edge for edge in self.box)
        self.chart.draw.rectangle([left, top, right, bottom], outline=FRAME, width=SUPERSAMPLE)


class Chart:
    """A white picture of `width` × `height` pixels with panels over a time axis from 0 to
    `duration` seconds."""

    def __init__(self, width: int, height: int, duration: float, title: str = ""):
        self.duration = max(float(duration), 1e-9)
        self.image = Image.new("RGB", (SUPERSAMPLE * width, SUPERSAMPLE * height), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.overlay = ImageDraw.Draw(self.image, "RGBA")  # blends translucent marks over the picture
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}
        if title:
            self.draw.text((SUPERSAMPLE * width / 2, SUPERSAMPLE * 12), title, fill=INK, font=self.font(TITLE_PX), anchor="mt")

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._fonts:
            self._fonts[size] = ImageFont.load_default(SUPERSAMPLE * size)  # Pillow's own scalable sans
        return self._fonts[size]

    def panels(self, heights: list[float], left: int, right: int, top: int, bottom: int, gap: int) -> list[Panel]:
        """Panels stacked from `top` to `bottom` (pixels), their heights in these proportions."""
        usable = bottom - top - gap * (len(heights) - 1)
        edges = top + np.concatenate([[0], np.cumsum(heights)]) / sum(heights) * usable
        return [Panel(self, (left, round(edges[i] + gap * i), right, round(edges[i + 1] + gap * i))) for i in range(len(heights))]

    def save(self, path: str | Path) -> None:
        """Shrunk to its size (smoothing every edge) and written as PNG."""
        self.image.reduce(SUPERSAMPLE).save(path, format="PNG", compress_level=1)
