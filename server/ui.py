"""The studio's layout: the Studio page (chat, input box, planner settings, session) and the Avatar page."""

from __future__ import annotations

from typing import Any

import gradio as gr

from agent.llm import LLMConfig
from server.studio import EXAMPLES, FILE_TYPES, SESSION_KEY, Studio, session_note

SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
THEME = gr.themes.Soft(primary_hue="orange", secondary_hue="slate", neutral_hue="slate",
                       font=SYSTEM_FONTS, font_mono=MONO_FONTS)  # no web fonts: nothing is fetched
CSS = """
#intro h1 { margin-bottom: 0; }
#intro p { margin-top: .25em; color: var(--body-text-color-subdued); }
#chat { flex-grow: 1; }
#chat table { font-size: .92em; }
#chat td:nth-child(3) { font-family: var(--font-mono); font-size: .9em; }
#chat video, #chat img { max-height: 340px; width: auto; max-width: 100%; }
#chat button[aria-label="Share"], #avatar-video button[aria-label="Share"] { display: none; }
.avatar-note { border-left: 4px solid var(--color-accent); padding-left: 1em; }
footer { display: none !important; }
"""
NAV_LINKS = [("API docs", "api/docs")]
PLACEHOLDER = ("**Ask in words** (English or Chinese). Attach audio, images, video or a score with the paperclip, "
               "or record your request with the microphone. Every step's results appear here.")


def _fill_example(evt: gr.SelectData) -> Any:
    value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
    return gr.MultimodalTextbox(value={"text": value.get("text", ""), "files": []})


def _unlock() -> Any:
    return gr.MultimodalTextbox(interactive=True)


def build_blocks(studio: Studio, secret: str) -> gr.Blocks:
    cfg = studio.ws.config
    server_url = cfg.llm_overrides.get("base_url") or LLMConfig.from_env().base_url
    with gr.Blocks(title="audiogent studio", fill_height=True, delete_cache=(3600, 24 * 3600)) as demo:
        session_id = gr.BrowserState(None, storage_key=SESSION_KEY, secret=secret)
        pending = gr.State(None)
        history = gr.State([])
        gr.Navbar(main_page_name="Studio", value=NAV_LINKS)
        gr.Markdown("# audiogent studio\nAsk for audio work in words: edit, clean up, transcribe, read aloud, "
                    "make a face talk. The plan and every step's result show up as it runs.", elem_id="intro")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=480):
                chat = gr.Chatbot(elem_id="chat", show_label=False, height="66vh", placeholder=PLACEHOLDER,
                                  examples=[{"text": e} for e in EXAMPLES], feedback_options=None,
                                  buttons=["copy"], autoscroll=True)
                box = gr.MultimodalTextbox(
                    elem_id="ask", show_label=False, sources=["upload", "microphone"], file_count="multiple",
                    file_types=FILE_TYPES, submit_btn="Run", autofocus=True,
                    placeholder="e.g. “make it 3 dB louder” or “transcribe this”, with a file attached")
            with gr.Column(scale=1, min_width=260, elem_id="side"):
                with gr.Accordion("Planner", open=True):
                    planner = gr.Radio(["auto", "rules", "llm"], value=cfg.planner, show_label=False,
                                       info="rules: built in, no model · llm: an OpenAI-compatible endpoint · "
                                            "auto: llm when one is configured")
                    base_url = gr.Textbox(label="LLM base URL", max_lines=1,
                                          placeholder=f"server default: {server_url}" if server_url
                                          else "e.g. http://127.0.0.1:8080/v1")
                    model = gr.Textbox(label="Model", max_lines=1, placeholder="e.g. deepseek-chat")
                    api_key = gr.Textbox(label="API key", type="password", max_lines=1,
                                         placeholder="only sent to the URL above")
                    plan_only = gr.Checkbox(False, label="Plan only: show the plan, don't run it")
                with gr.Accordion("Session", open=True):
                    note = gr.Markdown(session_note(None), elem_id="session-note")
                    new = gr.Button("New session", size="sm", variant="secondary")

        # Every handler is private: the studio's own page calls them; they are no public Gradio API.
        demo.load(studio.restore, [session_id], [session_id, chat, history, note], api_visibility="private")
        submitted = box.submit(studio.accept, [box, history], [chat, history, box, pending], queue=False,
                               api_visibility="private")
        submitted.then(studio.respond, [pending, history, session_id, planner, base_url, model, api_key, plan_only],
                       [chat, history, session_id, note], show_progress="hidden", api_visibility="private"
                       ).then(_unlock, None, [box], queue=False, api_visibility="private")
        chat.example_select(_fill_example, None, [box], queue=False, api_visibility="private")
        for clear in (new.click, chat.clear):
            clear(studio.new_session, None, [session_id, chat, history, note], queue=False,
                  api_visibility="private")

    with demo.route("Avatar", "avatar"):
        avatar_session = gr.BrowserState(None, storage_key=SESSION_KEY, secret=secret)
        gr.Navbar(main_page_name="Studio", value=NAV_LINKS)
        gr.Markdown("# Avatar", elem_id="intro")
        gr.Markdown("**To talk with the avatar live**, run `audiogent realtime` and open the page it prints "
                    "(http://127.0.0.1:7861/ by default): speak, and it answers with voice and moving lips; cut in "
                    "at any time. Here, make a talking-head video offline: type the words (or give a recording), "
                    "optionally a frontal portrait photo, and get an mp4.", elem_classes=["avatar-note"])
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=320):
                words = gr.Textbox(label="What should it say?", lines=3, placeholder="Good morning, and welcome!")
                with gr.Accordion("…or use a recording of the speech instead", open=False):
                    speech = gr.Audio(show_label=False, sources=["upload", "microphone"], type="filepath")
                photo = gr.Image(label="Portrait photo (optional: the default avatar otherwise)", type="filepath",
                                 format="png", height=220, sources=["upload"])
                make = gr.Button("Make the video", variant="primary")
            with gr.Column(scale=1, min_width=320):
                video = gr.Video(label="Talking head", interactive=False, buttons=["download"], height=420,
                                 elem_id="avatar-video")
                status = gr.Markdown("The video appears here. It is also kept in your studio session.",
                                     elem_id="avatar-status")
        make.click(studio.avatar, [words, speech, photo, avatar_session], [video, status, avatar_session],
                   show_progress="minimal", api_visibility="private")
    return demo
