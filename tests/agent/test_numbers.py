"""Numbers with units in English and Chinese (agent/planners/numbers.py)."""

from __future__ import annotations

import pytest

from agent.planners.numbers import cn_int, normalize_numbers, parse_number, parse_quantity, scan


@pytest.mark.parametrize(
    "text, value",
    [
        ("5", 5), ("1.5", 1.5), ("-16", -16), ("five", 5), ("twenty", 20), ("twenty-five", 25), ("twenty five", 25),
        ("one hundred and five", 105), ("three thousand", 3000), ("a hundred", 100), ("two point five", 2.5),
        ("one and a half", 1.5), ("minus sixteen", -16), ("negative three", -3),
        ("两", 2), ("十", 10), ("十六", 16), ("二十三", 23), ("两百", 200), ("一百零五", 105), ("三千五", 3500),
        ("一百五", 150), ("四千", 4000), ("零点八", 0.8), ("一点五", 1.5), ("负十六", -16), ("一万", 10000),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "hello", "apple", "三四"])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("5 seconds", 5, "s"), ("5s", 5, "s"), ("1.5 s", 1.5, "s"), ("500 ms", 0.5, "s"), ("five seconds", 5, "s"),
        ("half a second", 0.5, "s"), ("a second", 1, "s"), ("two and a half seconds", 2.5, "s"),
        ("1 minute 30 seconds", 90, "s"), ("a minute and a half", 90, "s"), ("1:30", 90, "s"), ("2 min", 120, "s"),
        ("两秒", 2, "s"), ("3秒", 3, "s"), ("一分半", 90, "s"), ("一秒半", 1.5, "s"), ("半秒", 0.5, "s"),
        ("1分30秒", 90, "s"), ("十分钟", 600, "s"),
        ("twenty percent", 20, "%"), ("20%", 20, "%"), ("百分之二十", 20, "%"),
        ("-16 LUFS", -16, "LUFS"), ("负十六LUFS", -16, "LUFS"), ("minus twenty-three lufs", -23, "LUFS"),
        ("6 dB", 6, "dB"), ("6db", 6, "dB"), ("六分贝", 6, "dB"), ("ten decibels", 10, "dB"),
        ("80 Hz", 80, "Hz"), ("3 kHz", 3000, "Hz"), ("44.1k", 44100, "Hz"), ("16khz", 16000, "Hz"),
        ("4000赫兹", 4000, "Hz"), ("forty-four point one kilohertz", 44100, "Hz"), ("44,100 Hz", 44100, "Hz"),
        ("1.5x", 1.5, "x"), ("x1.5", 1.5, "x"), ("1.5 times", 1.5, "x"), ("twice", 2, "x"), ("0.8倍", 0.8, "x"),
        ("3 semitones", 3, "st"), ("an octave", 12, "st"), ("两个半音", 2, "st"), ("一个八度", 12, "st"),
        ("a whole step", 2, "st"), ("2 channels", 2, "ch"),
    ],
)
def test_parse_quantity(text: str, value: float, unit: str) -> None:
    q = parse_quantity(text)
    assert q is not None, text
    assert q.unit == unit
    assert q.value == pytest.approx(value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("fade out the last second", "fade out the last 1 second"),
        ("keep between ten and twenty seconds", "keep between 10 and 20 seconds"),
        ("between one and two seconds", "between 1 and 2 seconds"),
        ("with one second gap", "with 1 second gap"),
        ("pitch up a semitone", "pitch up 1 semitone"),
        ("down an octave", "down 1 octave"),
        ("升高两个半音", "升高2个半音"),
        ("淡出最后两秒", "淡出最后2秒"),
        ("a couple of seconds", "2 seconds"),
        ("一分十秒二那里", "1分10.2秒那里"),  # the digits after 秒 are its decimals
        ("两分零三秒四十", "2分3.40秒"),
        ("前三秒五分贝", "前3秒5分贝"),  # ... not where a unit follows them
        ("a perfect fifth higher", "7 semitones higher"),  # musical intervals are semitones
        ("down a major third", "down 4 semitones"),
        ("整体降一个纯四度", "整体降5 semitones"),
        ("给整大个六七分贝吧", "给整大个6.5分贝吧"),  # six or seven
        ("make it half again as fast", "make it 1.5x as fast"),
    ],
)
def test_normalize_numbers(text: str, expected: str) -> None:
    assert normalize_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the other one", "mix this one with that one", "add a second file", "the second track",
        "慢一点", "一起播放", "统一音量", "十分好", "一下", "上一个结果",
    ],
)
def test_normalize_leaves_words_that_are_not_numbers(text: str) -> None:
    assert normalize_numbers(text) == text


def test_scan_finds_every_quantity_in_order() -> None:
    qs = scan(normalize_numbers("cut from two to 4.5 seconds, then -16 LUFS and 3 kHz"))
    assert [(q.value, q.unit) for q in qs] == [(2, None), (4.5, "s"), (-16, "LUFS"), (3000, "Hz")]


def test_scan_keeps_ranges_apart_from_negatives() -> None:
    assert [(q.value, q.unit) for q in scan("2-4 seconds")] == [(2, None), (4, "s")]


def test_cn_int_handles_units_and_colloquial_tails() -> None:
    assert cn_int("两千零五") == 2005
    assert cn_int("十二") == 12
    assert cn_int("abc") is None
