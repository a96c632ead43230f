"""`expotion app`: a web page for creators on the same pipeline as the CLI (Gradio, local only).

Upload or record a video, describe the music, and get the video back with its music, the
files, the decisions, and a plot showing the music's beats on the person's stops and
turns. Every request works in its own temporary folder, removed when the request ends;
what the page shows and offers for download lives in Gradio's cache for an hour.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from expotion.errors import ExpotionError  # noqa: E402
from expotion.pipeline import STAGES, generate  # noqa: E402
from expotion.video.decode import probe  # noqa: E402

EXAMPLE_PROMPTS = [
    "Upbeat funk with slap bass, brass stabs and a tight drum groove",
    "This is an instrumental reggae song. The main melody is played on a ukulele while a clean electric guitar "
    "plays the offbeat chords. There is a reggae drum beat and a bass guitar. The atmosphere is laid-back.",
    "Melancholic violin and cello, slow",
    "Happy jazz with saxophone, piano and upright bass",
    "Epic cinematic orchestral piece with choir and timpani",
]
COMPOSER, MUSICGEN = "Embedded composer (offline)", "MusicGen + Expotion adapter"
STAGE_ORDER = list(STAGES)


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


def _check_upload(video: str | None, max_duration: float) -> Path:
    if not video:
        raise ExpotionError("upload or record a video first")
    path = Path(video)
    info = probe(path)
    if info.declared_duration and info.declared_duration > max_duration:
        raise ExpotionError(f"the video lasts {info.declared_duration:.0f} s; this server takes up to {max_duration:.0f} s")
    return path


def make_handler(max_duration: float, musicgen: MusicGenChoice):
    def run(video, prompt, backend, seed, body_rhythm, face_mood, guidance_text, guidance_video, progress=gr.Progress()):
        work = Path(tempfile.mkdtemp(prefix="expotion-request-"))
        try:
            source = _check_upload(video, max_duration)
            if backend == MUSICGEN:
                if not musicgen.available:
                    raise ExpotionError(f"MusicGen is unavailable: {musicgen.reason}")
                options = {"backend": "musicgen", "model": musicgen.model, "adapter": musicgen.adapter,
                           "text_scale": float(guidance_text), "video_scale": float(guidance_video)}
            else:
                options = {"backend": "composer", "body_rhythm": float(body_rhythm), "face_mood": float(face_mood)}

            def tell(stage: str) -> None:
                progress((STAGE_ORDER.index(stage)) / len(STAGE_ORDER), desc=STAGES[stage])

            result = generate(source, prompt or "", work / f"{source.stem}_with_music.mp4", seed=int(seed), progress=tell, **options)
            if not result.controls.has_person:
                gr.Warning("No person found in the video: the music follows the prompt only.")
            files = [str(p) for p in (result.video, result.audio, result.midi, result.decisions) if p]
            yield str(result.video), files, str(result.plot), result.music.decisions
        except ExpotionError as error:
            raise gr.Error(str(error))
        except Exception as error:  # the server keeps serving; the user sees one line
            raise gr.Error(f"something went wrong: {type(error).__name__}: {error}")
        finally:
            # Outputs were copied to Gradio's cache on yield; the upload stays there so the user can
            # generate again from it. Gradio's cache is emptied of files older than an hour.
            shutil.rmtree(work, ignore_errors=True)

    return run


def build_app(max_duration: float = 120.0, model: str | None = None, adapter: str | None = None) -> gr.Blocks:
    musicgen = MusicGenChoice(model, adapter)
    backends = [COMPOSER] + ([MUSICGEN] if musicgen.available else [])
    with gr.Blocks(title="Expotion — music for your video", analytics_enabled=False, delete_cache=(600, 3600)) as app:
        gr.Markdown("# Expotion\nMusic for a video of a person: the face steers the mood, the body the rhythm and "
                    "energy, your words the style. Everything runs on this machine.")
        with gr.Row():
            with gr.Column():
                video = gr.Video(label="Your video", sources=["upload", "webcam"])
                prompt = gr.Textbox(label="Describe the music", lines=3, placeholder=EXAMPLE_PROMPTS[0])
                gr.Examples(examples=[[p] for p in EXAMPLE_PROMPTS], inputs=[prompt], label="Example prompts")
                backend = gr.Radio(backends, value=COMPOSER, label="Generator")
                if not musicgen.available:
                    gr.Markdown(f"*MusicGen + adapter: unavailable — {musicgen.reason}.*")
                seed = gr.Number(value=0, precision=0, minimum=0, label="Seed (same seed, same music)")
                with gr.Accordion("Controls", open=False):
                    body_rhythm = gr.Slider(0, 1, value=1, step=0.05, label="How strongly the body drives the rhythm")
                    face_mood = gr.Slider(0, 1, value=1, step=0.05, label="How strongly the face drives the mood")
                    guidance_text = gr.Slider(1, 10, value=3, step=0.5, label="Text guidance (MusicGen)")
                    guidance_video = gr.Slider(0, 5, value=1.5, step=0.25, label="Video guidance (MusicGen)")
                button = gr.Button("Generate music", variant="primary", elem_id="generate")
            with gr.Column():
                result = gr.Video(label="Video with its music", elem_id="result")
                plot = gr.Image(label="Where the body stops or turns (red) and the music's beats (blue)", type="filepath")
                files = gr.File(label="Downloads: mp4, wav, MIDI, decisions", file_count="multiple")
                decisions = gr.JSON(label="What was decided")
        button.click(make_handler(max_duration, musicgen),
                     inputs=[video, prompt, backend, seed, body_rhythm, face_mood, guidance_text, guidance_video],
                     outputs=[result, files, plot, decisions], api_name="generate")
    return app


def launch(host: str = "127.0.0.1", port: int = 7860, max_duration: float = 120.0, concurrency: int = 1,
           max_upload_mb: int = 200, model: str | None = None, adapter: str | None = None, block: bool = True):
    """Start the app on host:port (local only; no share links, no analytics)."""
    app = build_app(max_duration, model, adapter)
    app.queue(default_concurrency_limit=concurrency)
    app.launch(server_name=host, server_port=port, share=False, max_file_size=f"{max_upload_mb}mb",
               prevent_thread_lock=not block, quiet=True, footer_links=[], show_error=True)
    return app
