"""`expotion app`: a web page for creators on the same pipeline as the CLI (Gradio, local only).

Upload or record a video, describe the music, and get the video back with its music, the
files (stems too), the decisions, and a plot showing the music's beats on the person's stops
and turns. Each backend's pipeline is built once and serves every request; controls are
cached by the video's content, so trying another prompt or setting skips the analysis. An
upload browsers cannot play (an iPhone's HEVC) is shown from a small H.264 copy.

The server keeps its promises under load and when it is stopped: at most `concurrency`
pipelines run at once, also when users cancel (a cancelled request keeps its slot until its
work has stopped); videos longer than the limit are refused while they are decoded, whatever
their header says; every request works in its own folder, removed when it ends; uploads and
results live in this server's own folder, removed when it stops (Ctrl-C or SIGTERM), and
folders left by a server that was killed are removed when the next one starts.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import shutil
import tempfile
import threading
from pathlib import Path

import av

APP_ROOT = Path(tempfile.gettempdir()) / "expotion-app"
SERVER_DIR = APP_ROOT / str(os.getpid())
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ["GRADIO_TEMP_DIR"] = str(SERVER_DIR / "gradio")  # read when gradio is imported; ours to clean up

import gradio as gr  # noqa: E402

from expotion.errors import ExpotionError, ParameterError  # noqa: E402
from expotion.options import ComposerOptions, SamplingConfig, check_seed, default_of  # noqa: E402
from expotion.pipeline import STAGES, Expotion  # noqa: E402
from expotion.video.mux import mux_music  # noqa: E402
from expotion.video.preview import browser_plays, video_codec, write_preview  # noqa: E402

EXAMPLE_PROMPTS = [
    "Upbeat funk with slap bass, brass stabs and a tight drum groove",
    "This is an instrumental reggae song. The main melody is played on a ukulele while a clean electric guitar "
    "plays the offbeat chords. There is a reggae drum beat and a bass guitar. The atmosphere is laid-back.",
    "Melancholic violin and cello, slow",
    "Happy jazz with saxophone, piano and upright bass",
    "Epic cinematic orchestral piece with choir and timpani",
    "An Irish jig on the fiddle in 6/8, just bass and drums underneath",
]
COMPOSER, MUSICGEN = "Embedded composer (offline)", "MusicGen + Expotion adapter"
STAGE_ORDER = list(STAGES)
# The page's controls: option field → its label (range and default come from expotion.options).
COMPOSER_CONTROLS = {"body_rhythm": "How strongly the body drives the rhythm", "face_mood": "How strongly the face drives the mood"}
SAMPLING_CONTROLS = {"guidance_text": "Text guidance (MusicGen)", "guidance_video": "Video guidance (MusicGen)"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_folders() -> None:
    """Remove the folders of servers that are no longer running (killed without cleaning up)."""
    for folder in APP_ROOT.glob("*") if APP_ROOT.is_dir() else ():
        if folder.name.isdigit() and int(folder.name) != os.getpid() and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)


class MusicGenChoice:
    """Whether the neural backend can be offered, and why not when it cannot."""

    def __init__(self, model: str | None, adapter: str | None):
        self.model, self.adapter = model, adapter
        if adapter is None:
            self.reason = "start the app with --adapter DIR (and --model) to enable it"
        elif not (Path(adapter) / "adapter_config.json").is_file():
            self.reason = f"{adapter} is not an Expotion adapter folder"
        else:
            self.reason = None

    @property
    def available(self) -> bool:
        return self.reason is None


class Pipelines:
    """One pipeline per backend, built on first use and then shared by every request."""

    def __init__(self, musicgen: MusicGenChoice):
        self.musicgen = musicgen
        self._built: dict[str, Expotion] = {}
        self._lock = threading.Lock()

    def get(self, backend: str) -> Expotion:
        with self._lock:
            if backend not in self._built:
                if backend == "musicgen":
                    if not self.musicgen.available:
                        raise ExpotionError(f"MusicGen is unavailable: {self.musicgen.reason}")
                    self._built[backend] = Expotion.from_pretrained("musicgen", model=self.musicgen.model, adapter=self.musicgen.adapter)
                else:
                    self._built[backend] = Expotion.from_pretrained("composer")
            return self._built[backend]


def _page_message(error: ExpotionError) -> str:
    """One line for the page, in the page's words (controls, not flags)."""
    if isinstance(error, ParameterError):
        label = {**COMPOSER_CONTROLS, **SAMPLING_CONTROLS, "seed": "Seed"}.get(error.parameter, error.parameter)
        return f"{label}: {error.problem}"
    return str(error)


def make_handler(max_duration: float, pipelines: Pipelines, slots: threading.BoundedSemaphore):
    def run(video, prompt, backend, seed, body_rhythm, face_mood, guidance_text, guidance_video, progress=gr.Progress()):
        with slots:  # held until the work stops, even when the request was cancelled meanwhile
            work = Path(tempfile.mkdtemp(prefix="request-", dir=SERVER_DIR))
            try:
                if not video:
                    raise ExpotionError("upload or record a video first")
                if seed is not None:  # an empty box: the seed comes from the video and the prompt
                    seed = check_seed(int(seed) if isinstance(seed, float) and seed.is_integer() else seed)
                if backend == MUSICGEN:
                    pipe = pipelines.get("musicgen").configured(guidance_text=guidance_text, guidance_video=guidance_video)
                else:
                    pipe = pipelines.get("composer").configured(body_rhythm=body_rhythm, face_mood=face_mood)

                def tell(stage: str, fraction: float) -> None:
                    progress((STAGE_ORDER.index(stage) + fraction) / len(STAGE_ORDER), desc=STAGES[stage])

                source = Path(video)
                result = pipe(source, prompt or "", work / f"{source.stem}_with_music.mp4", seed=seed, stems=True,
                              max_duration=max_duration, cache_dir=SERVER_DIR / "controls", progress=tell)
                if not result.controls.has_person:
                    gr.Warning("No person found in the video: the music follows the prompt only.")
                files = [str(p) for p in result.files if p.suffix != ".png"]
                yield str(_playable(result, source, work)), files, str(result.outputs.plot), result.music.decisions
            except ExpotionError as error:
                raise gr.Error(_page_message(error))
            except Exception as error:  # the server keeps serving; the user sees one line
                raise gr.Error(f"something went wrong: {type(error).__name__}: {error}")
            finally:
                # Outputs were copied to Gradio's cache on yield.
                shutil.rmtree(work, ignore_errors=True)

    return run


def preview_of(video: str | Path, max_duration: float | None = None) -> Path:
    """The small H.264 copy of an upload browsers cannot play, made once per upload."""
    preview = SERVER_DIR / "previews" / hashlib.sha256(str(video).encode()).hexdigest()[:16] / f"{Path(video).stem}.mp4"
    if not preview.exists():
        write_preview(video, preview, max_duration)
    return preview


def _playable(result, source: Path, work: Path) -> Path:
    """The result, or for the player where browsers cannot play its video (HEVC, copied packet
    for packet) the upload's preview with the music: seconds where Gradio would re-encode
    the whole picture (9 s for 6 s of 1080p60)."""
    if browser_plays(result.video):
        return result.video
    player = work / "player" / result.video.name
    player.parent.mkdir()
    try:
        mux_music(preview_of(source), result.music.audio, result.music.sample_rate, player)
    except (ExpotionError, av.FFmpegError, OSError):  # the files are made: Gradio's slower copy will do
        return result.video
    return player


def show_preview(video: str | None, max_duration: float | None = None):
    """The uploaded video as the page can show it: nothing where browsers play it as it is (or
    it cannot be read, or is too long: generating says why), else a small H.264 copy, and why
    (browsers report an HEVC upload as "not playable")."""
    try:
        if not video or browser_plays(video):
            return gr.update(value=None, visible=False)
        preview = preview_of(video, max_duration)
    except (ExpotionError, av.FFmpegError, IndexError):
        return gr.update(value=None, visible=False)
    codec = video_codec(video).upper()
    gr.Info(f"Most browsers cannot play {codec} video: below is a smaller H.264 copy to watch. The music is made for "
            "your original file.")
    return gr.update(value=str(preview), visible=True, label=f"Your video as this page can show it (from {codec})")


def _slider(kind, name: str, label: str, step: float):
    spec = kind.__dataclass_fields__[name].metadata
    return gr.Slider(spec["low"], min(spec["high"], 10), value=default_of(kind, name), step=step, label=label)


def build_app(max_duration: float = 120.0, model: str | None = None, adapter: str | None = None, concurrency: int = 1) -> gr.Blocks:
    musicgen = MusicGenChoice(model, adapter)
    pipelines, slots = Pipelines(musicgen), threading.BoundedSemaphore(concurrency)
    backends = [COMPOSER] + ([MUSICGEN] if musicgen.available else [])
    with gr.Blocks(title="Expotion — music for your video", analytics_enabled=False, delete_cache=(600, 3600)) as app:
        gr.Markdown("# Expotion\nMusic for a video of a person: the face steers the mood, the body the rhythm and "
                    "energy, your words the style. Everything runs on this machine.")
        with gr.Row():
            with gr.Column():
                video = gr.Video(label="Your video", sources=["upload", "webcam"])
                preview = gr.Video(visible=False, interactive=False, height=360, elem_id="preview")
                prompt = gr.Textbox(label="Describe the music", lines=3, placeholder=EXAMPLE_PROMPTS[0])
                gr.Examples(examples=[[p] for p in EXAMPLE_PROMPTS], inputs=[prompt], label="Example prompts")
                backend = gr.Radio(backends, value=COMPOSER, label="Generator")
                if not musicgen.available:
                    gr.Markdown(f"*MusicGen + adapter: unavailable — {musicgen.reason}.*")
                seed = gr.Number(value=None, precision=0, minimum=0, label="Seed (same seed, same music; empty: from the video and the prompt)")
                with gr.Accordion("Controls", open=False):
                    sliders = [_slider(ComposerOptions, name, label, 0.05) for name, label in COMPOSER_CONTROLS.items()]
                    sliders += [_slider(SamplingConfig, name, label, 0.25) for name, label in SAMPLING_CONTROLS.items()]
                button = gr.Button("Generate music", variant="primary", elem_id="generate")
            with gr.Column():
                result = gr.Video(label="Video with its music", elem_id="result")
                plot = gr.Image(label="Controls over time", type="filepath")
                files = gr.File(label="Downloads: mp4, wav, MIDI, decisions, stems", file_count="multiple")
                decisions = gr.JSON(label="What was decided")
        # The page's own housekeeping: no API endpoints of their own.
        video.upload(lambda upload: show_preview(upload, max_duration), inputs=[video], outputs=[preview],
                     api_visibility="private")
        video.clear(lambda: gr.update(value=None, visible=False), outputs=[preview], api_visibility="private")
        button.click(make_handler(max_duration, pipelines, slots), inputs=[video, prompt, backend, seed, *sliders],
                     outputs=[result, files, plot, decisions], api_name="generate")
    return app


def parse_auth(auth: str | None) -> list[tuple[str, str]] | None:
    """USER:PASSWORD, or the name of a file with one USER:PASSWORD per line."""
    if not auth:
        return None
    lines = Path(auth).read_text().split() if Path(auth).is_file() else [auth]
    pairs = [tuple(line.split(":", 1)) for line in lines if line.strip()]
    if not pairs or any(len(pair) != 2 or not pair[0] or not pair[1] for pair in pairs):
        raise ParameterError("auth", "must be USER:PASSWORD or a file of USER:PASSWORD lines")
    return pairs


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch(host: str = "127.0.0.1", port: int = 7860, max_duration: float = 120.0, concurrency: int = 1,
           max_upload_mb: int = 200, model: str | None = None, adapter: str | None = None, auth: str | None = None,
           block: bool = True):
    """Start the app on host:port (local only; no share links, no analytics). With `block`,
    serve until interrupted (Ctrl-C or SIGTERM), then remove this server's files."""
    if concurrency < 1 or not max_duration > 0 or max_upload_mb < 1:
        raise ParameterError("concurrency" if concurrency < 1 else "max_duration" if not max_duration > 0 else "max_upload_mb",
                             "must be positive")
    credentials = parse_auth(auth)
    remove_stale_folders()
    SERVER_DIR.mkdir(parents=True, exist_ok=True)
    app = build_app(max_duration, model, adapter, concurrency)
    app.queue(default_concurrency_limit=concurrency)
    try:
        app.launch(server_name=host, server_port=port, share=False, max_file_size=f"{max_upload_mb}mb", auth=credentials,
                   prevent_thread_lock=True, quiet=True, footer_links=[], show_error=True)
    except OSError as error:
        shutil.rmtree(SERVER_DIR, ignore_errors=True)
        raise ExpotionError(f"cannot listen on {host}:{port}: {str(error).splitlines()[0]}")
    if not block:
        return app
    try:
        threading.Event().wait()
    finally:
        shutdown(app)


def shutdown(app: gr.Blocks) -> None:
    """Stop serving and remove this server's uploads, results and cached controls."""
    app.close()
    shutil.rmtree(SERVER_DIR, ignore_errors=True)
