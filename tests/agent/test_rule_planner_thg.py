"""The rule planner on talking-head requests: a photo (or the default avatar) speaking words or a recording."""

from __future__ import annotations

import pytest

from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from agent.registry import Registry
from tests.agent.planner_helpers import fake_record, steps_of


def ctx_of(*kinds: str, session: tuple[str, ...] = ()) -> PlanContext:
    names = {"audio": "voice.wav", "image": "face.jpg", "video": "idle.mp4"}
    ups = [fake_record(i, k, names[k]) for i, k in enumerate(kinds, 1)]
    older = [fake_record(50 + i, k, names[k]) for i, k in enumerate(session)]
    return PlanContext(uploads=ups, last=[], artifacts={a.id: a for a in ups + older})


SAY = [
    ("make this photo say: good morning, and welcome", ("image",),
     [("text_to_speech", {"text": "good morning, and welcome"}),
      ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
    ("make this photo say good morning, and welcome", ("image",),  # the weak split is read back as one text
     [("text_to_speech", {"text": "good morning and welcome"}),
      ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
    ("have the portrait say 'see you tomorrow'", ("image",),
     [("text_to_speech", {"text": "see you tomorrow"}), ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
    ("make the default avatar say hello there", (),
     [("text_to_speech", {"text": "hello there"}), ("talking_head", {"audio": "@s1"})]),
    ("让这张照片说：大家好，欢迎收看", ("image",),
     [("text_to_speech", {"text": "大家好，欢迎收看", "language": "zh"}),
      ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
    ("让这张照片说你好", ("image",),
     [("text_to_speech", {"text": "你好", "language": "zh"}), ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
    ("make face.jpg say 'hi'", ("image",),
     [("text_to_speech", {"text": "hi"}), ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
    # the photo in one clause, the ask in the next
    ("这是校长的照片，让他说“同学们，毕业快乐”", ("image",),
     [("text_to_speech", {"text": "同学们，毕业快乐", "language": "zh"}),
      ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
    ("Here's a photo of our vet, make her say 'Please bring your card'", ("image",),
     [("text_to_speech", {"text": "Please bring your card"}), ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
]

RECORDING = [
    ("animate the default avatar with this recording", ("audio",), [("talking_head", {"audio": "@upload-1"})]),
    ("use the default avatar", ("audio",), [("talking_head", {"audio": "@upload-1"})]),
    ("lip-sync this portrait to my voice memo", ("image", "audio"),
     [("talking_head", {"audio": "@upload-2", "image": "@upload-1"})]),
    ("make this photo read this recording", ("audio", "image"),
     [("talking_head", {"audio": "@upload-1", "image": "@upload-2"})]),
    ("用默认头像读这段录音", ("audio",), [("talking_head", {"audio": "@upload-1"})]),
    ("让这张照片读这段录音", ("image", "audio"), [("talking_head", {"audio": "@upload-2", "image": "@upload-1"})]),
    ("animate this talking head with my voice", ("video", "audio"),
     [("talking_head", {"audio": "@upload-2", "video": "@upload-1"})]),
    # what the photo says may be the recording; photos and clips named as inputs are not images to generate
    ("make the woman in this picture say whatever is in this audio file", ("image", "audio"),
     [("talking_head", {"audio": "@upload-2", "image": "@upload-1"})]),
    ("make this recording come out of the person in the photo", ("audio", "image"),
     [("talking_head", {"audio": "@upload-1", "image": "@upload-2"})]),
    ("Use this short idle clip of me instead of a photo and lip-sync it to the voiceover", ("video", "audio"),
     [("talking_head", {"audio": "@upload-2", "video": "@upload-1"})]),
    ("sync the lips in this video to the attached audio", ("video", "audio"),
     [("talking_head", {"audio": "@upload-2", "video": "@upload-1"})]),
    ("用这张头像配上这段录音做个会说话的视频", ("image", "audio"),
     [("talking_head", {"audio": "@upload-2", "image": "@upload-1"})]),
    ("把这段录音配到这张照片上，做成对口型的视频", ("image", "audio"),
     [("talking_head", {"audio": "@upload-2", "image": "@upload-1"})]),
    ("用这张 picture 做个 talking head，说“hello”", ("image",),
     [("text_to_speech", {"text": "hello"}), ("talking_head", {"audio": "@s1", "image": "@upload-1"})]),
]


@pytest.mark.parametrize("request_, inputs, expected", SAY + RECORDING, ids=[r for r, _, _ in SAY + RECORDING])
def test_talking_head_plans(request_: str, inputs: tuple[str, ...], expected: list, registry: Registry) -> None:
    assert steps_of(request_, ctx_of(*inputs), registry) == expected


def test_this_photo_without_a_photo_asks_which(registry: Registry) -> None:
    plan = RulePlanner().plan("make this photo say hello", ctx_of(), registry)
    assert plan.outcome == "clarify" and "-i" in plan.clarify and "default avatar" in plan.clarify


def test_this_photo_from_earlier_in_the_session(registry: Registry) -> None:
    ctx = ctx_of(session=("image",))
    steps = steps_of("now make the photo say goodbye", ctx, registry)
    assert steps == [("text_to_speech", {"text": "goodbye"}), ("talking_head", {"audio": "@s1", "image": "@image-0000000050"})]


def test_the_avatar_without_a_recording_asks_for_one(registry: Registry) -> None:
    plan = RulePlanner().plan("animate the default avatar", ctx_of(), registry)
    assert plan.outcome == "clarify" and "recording" in plan.clarify.lower()


@pytest.mark.parametrize("request_, inputs", [
    ("Make a podcast cover image with a microphone on it.", ()),
    ("帮我把这张 photo 的 background 去掉", ("image",)),
    ("Cut the first scene out of my video.", ("video",)),
    ("Add background music to this video and re-export the mp4.", ("video",)),
])
def test_other_image_and_video_requests_stay_unsupported(request_: str, inputs: tuple[str, ...],
                                                          registry: Registry) -> None:
    assert RulePlanner().plan(request_, ctx_of(*inputs), registry).outcome == "unsupported"


def test_plain_speech_is_not_a_talking_head(registry: Registry) -> None:
    assert steps_of("say hello world", ctx_of(), registry) == [("text_to_speech", {"text": "hello world"})]
    assert steps_of("say hello world", ctx_of("image"), registry) == [("text_to_speech", {"text": "hello world"})]


@pytest.mark.parametrize("request_text, kinds, why", [
    (("Could your presenter face do the bulletin in British Sign Language - proper hand signs - rather than only "
      "moving its lips?"), ("audio",), "sign language"),
    (("can the default avatar also wave at the camera and point at the penguins while it says this recording? just "
      "the lips moving looks a bit creepy"), ("audio",), "gestures"),
    ("用这张老板的照片对口型念这段录音，导出竖屏、60帧的视频", ("image", "audio"), "frame rate"),
])
def test_what_a_face_cannot_do_is_refused_even_while_animating(registry: Registry, request_text, kinds, why) -> None:
    plan = RulePlanner().plan(request_text, ctx_of(*kinds), registry)
    assert plan.outcome == "unsupported" and why in plan.unsupported, plan
