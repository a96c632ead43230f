"""Run the face, body and motion analysers over a video and assemble `Controls`.

Frames stream through once and are analysed at the rates the controls need, not at the video's:
optical flow on up to 30 frames a second (it times the movement beats), face and pose on up to
10 (expressions and the body's position, low-passed at 4 Hz at that rate, need no more); frames
in between are decoded but never converted. Every observation is timed when its picture was
taken, and a picture repeated by a frame-rate conversion or for one the camera missed counts
for no new observation (`video/repeats.py`); in edited video, each shot is resampled and searched
for movement beats on its own (`video/cuts.py`). Pose estimation, the slowest analyser (~22 ms a
frame), runs on a worker thread (MediaPipe releases the GIL), optical flow on another (OpenCV
does too), while the main thread decodes and runs face mesh, so both cores of a laptop work;
with the flow beside the decoding rather than after it, extraction measured 5–20 % faster. The
pose thread also loads MediaPipe's two solutions and both models first, while the main thread
starts decoding. A video whose person rate stays above 20 frames a second gets two pose
trackers taking every other frame (their small disagreement sits at half the frame rate, far
above the smoothing cut-off).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import ctypes
import importlib.metadata
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

import expotion
from expotion.controls.movement_beats import find_movement_beats, flow_speed_floor, movement_speed, view_speeds
from expotion.controls.body import BODY_KEYPOINTS, BodyAnalyzer, BodyObservation, shoulder_width
from expotion.controls.controls import Controls
from expotion.controls.face import EXPRESSION_DIM, FACE_SCALARS, HEAD_POSE, FaceAnalyzer
from expotion.controls.motion import MOTION_REGIONS, MotionAnalyzer
from expotion.controls.observations import FrameObservations, ObservationLog
from expotion.controls.timeline import DEFAULT_CUTOFF_HZ, DEFAULT_RATE, MAX_GAP_S, grid_times, shot_slices, to_grid
from expotion.errors import ExpotionError, ParameterError
from expotion.options import AnalysisSettings, check
from expotion.video.decode import VideoInfo, iter_frames, probe
from expotion.video.repeats import PictureChanges

# Bumped whenever the analysis changes what it measures: cached controls of another
# version are never served (cache.py).
EXTRACTOR_VERSION = "13"
MEDIAPIPE_VERSION = importlib.metadata.version("mediapipe")
# The cut-off never exceeds this fraction of the analysed frame rate, so that frame-rate
# jitter of the trackers (strongest near half the frame rate) is filtered out.
SMOOTHING_FRACTION_OF_FPS = 0.4
PIPELINE_DEPTH = 4  # frames in flight to the pose threads
MAX_WAITING = 32  # frames held while the analysers load (0.9 MB each at 640 px)
MALLOC_ARENAS = 2
MMAP_THRESHOLD = 1024 * 1024  # bytes: larger blocks are mapped on their own


def strides(fps: float, settings: AnalysisSettings) -> tuple[int, int]:
    """(every how many frames the motion, and the person, are analysed) at this frame rate."""
    if not fps:
        return 1, 1
    return max(1, int(fps / settings.motion_fps + 0.01)), max(1, int(fps / settings.person_fps + 0.01))


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Keep glibc from holding on to memory the analysis has freed, which made the peak grow
    with the video's length. By default every thread that allocates (decoder, pose, face mesh)
    gets a heap arena of its own and keeps what it frees (574 MB at 10 min against 372 MB at
    1 min; 413 MB with two arenas). And once a large block is freed, glibc raises its mmap
    threshold, so that later frame-sized blocks come from the heap, where long-lived small
    objects pin them (a 1-minute clip's peak went from 365 to 600 MB when the flow got faster
    and the timing of frees changed). A fixed threshold stops that climb. It sits just above a
    640×480 RGB frame (0.9 MB) and MediaPipe's input tensors: at 256 KB those were mapped
    afresh for every frame, 276,000 page faults and 1.4 s of system time per 10 s of video
    against 100,000 and 0.7 s, with the peak as flat (402 MB at 1 min, 393 MB at 10 min).
    A no-op where the C library is not glibc."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # the C library the process runs on
    if mallopt is not None:
        m_arena_max, m_mmap_threshold = -8, -3
        mallopt(m_arena_max, arenas)
        mallopt(m_mmap_threshold, MMAP_THRESHOLD)


def observe(path: Path, info: VideoInfo, settings: AnalysisSettings, max_duration: float | None, progress: bool) -> FrameObservations:
    limit_malloc_arenas()
    seen = FrameObservations()
    motion_every, person_every = strides(info.average_fps, settings)
    person_rate = info.average_fps / person_every if info.average_fps else 0.0
    trackers = 1 if person_rate <= settings.single_tracker_max_fps else 2
    pending: collections.deque[tuple[float, np.ndarray, concurrent.futures.Future]] = collections.deque()
    bar = tqdm(total=info.frame_count, unit="frame", desc="controls", disable=None if progress else True, leave=False)
    with contextlib.ExitStack() as stack:
        stack.callback(bar.close)
        loading: list[concurrent.futures.Future] = []
        stack.callback(lambda: [future.result().close() for future in loading if future.done() and not future.exception()])
        pose_threads = [stack.enter_context(concurrent.futures.ThreadPoolExecutor(max_workers=1)) for _ in range(trackers)]
        # The analysers load on the pose threads while the main thread decodes.
        bodies = [thread.submit(BodyAnalyzer) for thread in pose_threads]
        face = pose_threads[0].submit(FaceAnalyzer)
        loading += [*bodies, face]
        motion, motion_thread = MotionAnalyzer(), stack.enter_context(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        flows: collections.deque[concurrent.futures.Future] = collections.deque()

        def finish_oldest_flow() -> None:
            flow = flows.popleft().result()
            if flow is not None:
                seen.motion.append(flow)

        def analyse_body(worker: int, image: np.ndarray) -> BodyObservation | None:
            return bodies[worker].result()(image)

        def finish_oldest_person() -> None:
            time, image, body_future = pending.popleft()
            seen.person_times.append(time)
            seen.faces.append(face.result()(image))
            seen.bodies.append(body_future.result())

        compare = PictureChanges()
        for frame in iter_frames(path, max_side=settings.max_side, max_duration=max_duration):
            change = compare(frame)
            seen.times.append(frame.time)
            seen.durations.append(np.nan if frame.duration is None else frame.duration)
            seen.repeats.append(change.repeat)
            seen.changes.append(change.mean)
            bar.update()
            if frame.index % motion_every == 0:
                flows.append(motion_thread.submit(motion, frame.grey(settings.flow_width), frame.time))
                while len(flows) > PIPELINE_DEPTH:
                    finish_oldest_flow()
            if frame.index % person_every == 0:
                image = frame.image
                worker = (frame.index // person_every) % trackers
                pending.append((frame.time, image, pose_threads[worker].submit(analyse_body, worker, image)))
                # Frames wait while the analysers load, up to MAX_WAITING of them.
                while len(pending) >= (PIPELINE_DEPTH if face.done() else MAX_WAITING):
                    finish_oldest_person()
        while pending:
            finish_oldest_person()
        while flows:
            finish_oldest_flow()
    return seen


def assemble(seen: FrameObservations, rate: float, person_cutoff_hz: float, motion_cutoff_hz: float, provenance: dict) -> Controls:
    """Resample every observation onto one grid and derive velocities and movement beats."""
    times, rows = seen.person_observations()
    duration = seen.duration()
    grid, cuts = grid_times(duration, rate), seen.cut_times()
    shots = shot_slices(grid, cuts)

    def on_grid(observations: ObservationLog, attribute: str, shape: tuple[int, ...]):
        values, valid = observations.values(attribute, shape)[rows], observations.valid()[rows]
        return to_grid(times[rows], values, valid, grid, cutoff_hz=person_cutoff_hz, cuts=cuts, unseen_at_cuts=True)

    expression, face_mask = on_grid(seen.faces, "expression", (EXPRESSION_DIM,))
    head_pose, _ = on_grid(seen.faces, "head_pose", (len(HEAD_POSE),))
    face_scalars, _ = on_grid(seen.faces, "scalars", (len(FACE_SCALARS),))
    keypoints, body_mask = on_grid(seen.bodies, "keypoints", (len(BODY_KEYPOINTS), 2))
    visibility, _ = on_grid(seen.bodies, "visibility", (len(BODY_KEYPOINTS),))
    body_velocity = np.zeros_like(keypoints)
    for shot in shots:  # the keypoints leap at a cut: no velocity across it
        if shot.stop - shot.start > 1:
            body_velocity[shot] = np.gradient(keypoints[shot], 1.0 / rate, axis=0)

    motion_times, motion_rows, faster = seen.motion_observations()
    if motion_rows.any():
        everywhere = np.ones(motion_rows.sum(), bool)

        def motion_on_grid(attribute: str) -> np.ndarray:
            values = seen.motion.values(attribute)[motion_rows]
            speeds = values * faster[motion_rows].reshape((-1,) + (1,) * (values.ndim - 1))
            return to_grid(motion_times[motion_rows], speeds, everywhere, grid, cutoff_hz=motion_cutoff_hz, cuts=cuts)[0]

        energy, regions, flow = (motion_on_grid(attribute) for attribute in ("energy", "region_energy", "region_flow"))
    else:  # a single frame shows no motion
        energy, regions, flow = np.zeros(len(grid)), np.zeros((len(grid), len(MOTION_REGIONS))), np.zeros((len(grid), len(MOTION_REGIONS), 2))

    shoulders = shoulder_width(keypoints)
    body_in_shoulders = body_velocity / shoulders if np.isfinite(shoulders) and shoulders > 0 else None
    confidence = np.clip(2 * np.nan_to_num(visibility) - 1, 0, 1)  # keypoints judged unseen weigh 0
    flow_floor = flow_speed_floor(shoulders, provenance["width"] / provenance["height"])
    views = view_speeds(rate, energy, body_in_shoulders, confidence, flow_floor)
    speed = movement_speed(views)
    beats, strengths = find_movement_beats(views[0], speed, rate, shots)
    return Controls(
        rate=float(rate),
        duration=float(duration),
        face_expression=expression,
        head_pose=head_pose,
        face_scalars=face_scalars,
        face_mask=face_mask,
        body_keypoints=keypoints,
        body_visibility=visibility,
        body_velocity=body_velocity,
        body_mask=body_mask,
        motion_energy=energy,
        motion_regions=regions,
        motion_flow=flow,
        movement_speed=speed,
        movement_beats=beats,
        movement_beat_strengths=strengths,
        provenance=provenance,
    )


def extract_controls(
    video: str | Path,
    rate: float = DEFAULT_RATE,
    *,
    cutoff_hz: float = DEFAULT_CUTOFF_HZ,
    settings: AnalysisSettings = AnalysisSettings(),
    max_duration: float | None = None,
    progress: bool = False,
    info: VideoInfo | None = None,
) -> Controls:
    """Controls of the person in `video` on a uniform grid of `rate` samples per second.
    A video longer than `max_duration` seconds is refused as soon as decoding passes it.
    `settings`: how finely to look (the defaults suit nearly every use). `info`: the video's
    header, where the caller has read it already (`probe`)."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 1.0 <= rate <= 1000.0:
        raise ParameterError("rate", f"must be between 1 and 1000 samples per second, got {rate!r}")
    check(settings)
    path = Path(video)
    info = info if info is not None else probe(path)
    if max_duration is not None and info.declared_duration and info.declared_duration > max_duration:
        raise ExpotionError(f"{path.name} lasts {info.declared_duration:.0f} s, longer than {max_duration:g} s, the longest accepted here")
    seen = observe(path, info, settings, max_duration, progress)
    steps = np.diff(seen.times)
    person_cutoff = min(cutoff_hz, SMOOTHING_FRACTION_OF_FPS * (seen.person_fps() or seen.fps()))
    motion_cutoff = min(cutoff_hz, SMOOTHING_FRACTION_OF_FPS * (seen.motion_fps() or seen.fps()))
    provenance = {
        "source": str(path),
        "width": info.width,
        "height": info.height,
        "rotation": info.rotation,
        "frames": len(seen.times),
        "repeated_frames": seen.repeated_frames(),
        "shot_cuts": [round(float(time), 6) for time in seen.cut_times()],
        "fps": seen.fps() or info.average_fps,
        "analysed_fps": {"face_and_body": seen.person_fps(), "motion": seen.motion_fps()},
        "variable_frame_rate": bool(len(steps) and steps.max() - steps.min() > 0.002),
        "declared_duration": info.declared_duration,
        "smoothing": {
            "filter": "butterworth-2 sosfiltfilt (zero phase)",
            "cutoff_hz": {"face_and_body": person_cutoff, "motion": motion_cutoff},
            "max_gap_s": MAX_GAP_S,
        },
        "extractors": {
            "expotion": expotion.__version__,
            "controls": EXTRACTOR_VERSION,
            "face": f"mediapipe {MEDIAPIPE_VERSION} face_mesh (refined, 478 landmarks)",
            "body": f"mediapipe {MEDIAPIPE_VERSION} pose (model_complexity=1)",
            "motion": f"opencv {cv2.__version__} Farneback flow",
        },
        "analysis": asdict(settings),
    }
    return assemble(seen, rate, person_cutoff, motion_cutoff, provenance)
