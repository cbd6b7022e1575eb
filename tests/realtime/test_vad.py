import numpy as np
import pytest

from realtime.vad import WINDOW, SileroVAD, TurnDetector, VADSettings


@pytest.fixture(scope="module")
def hello() -> np.ndarray:
    from realtime.models import Voice

    voice = Voice(16000)
    voice.load()
    return voice("Hello there, how are you doing today?", noise=0)


def feed(detector: TurnDetector, x: np.ndarray, chunk: int = 320) -> list[tuple[str, float]]:
    events = []
    for i in range(0, x.size, chunk):
        events += [(e.kind, e.sample / 16000) for e in detector.push(x[i:i + chunk])]
    return events


def test_silero_hears_speech_and_not_silence(hello):
    vad = SileroVAD()
    probs = [vad(hello[i:i + WINDOW]) for i in range(0, hello.size - WINDOW, WINDOW)]
    assert max(probs) > 0.9
    vad.reset()
    assert max(vad(np.zeros(WINDOW, np.float32)) for _ in range(20)) < 0.1
    with pytest.raises(ValueError, match="512"):
        vad(np.zeros(100, np.float32))


def test_one_utterance_gives_start_then_end_with_the_audio(hello):
    d = TurnDetector()
    x = np.concatenate([np.zeros(8000, np.float32), hello, np.zeros(16000, np.float32)])
    got = []
    for i in range(0, x.size, 320):
        got += d.push(x[i:i + 320])
    kinds = [e.kind for e in got]
    assert kinds[0] == "start" and kinds[-1] == "end"
    start, end = got[0], got[-1]
    assert 0.45 < start.sample / 16000 < 0.75
    speech = hello.size / 16000
    assert end.audio is not None and speech - 0.4 < end.audio.size / 16000 < speech + 0.8
    assert end.long  # well over the barge-in length


def test_a_short_pause_is_a_pause_not_an_end(hello):
    # the comma in "Hello there, how are you" is a ~0.3 s gap: the detector may pause and resume, but
    # only one turn ends
    x = np.concatenate([np.zeros(8000, np.float32), hello, np.zeros(16000, np.float32)])
    kinds = [k for k, _ in feed(TurnDetector(), x)]
    assert kinds.count("end") == 1 and kinds.count("start") == 1
    assert kinds.count("pause") == kinds.count("resume") + 1


def test_a_short_blip_never_reaches_barge_in_length(hello):
    d = TurnDetector(VADSettings(barge_in_ms=2000))
    x = np.concatenate([np.zeros(8000, np.float32), hello[:8000], np.zeros(16000, np.float32)])
    events = [k for k, _ in feed(d, x)]
    assert "barge_in" not in events and events[-1] == "end"


def test_chunk_size_does_not_change_the_decision(hello):
    x = np.concatenate([np.zeros(8000, np.float32), hello, np.zeros(16000, np.float32)])
    assert feed(TurnDetector(), x, 320) == feed(TurnDetector(), x, 1237)
