from realtime.chunker import SentenceChunker, speakable


def stream(text: str, chunker: SentenceChunker | None = None) -> list[str]:
    c = chunker or SentenceChunker()
    out: list[str] = []
    for word in text.split(" "):
        out += c.push(word + " ")
    return out + c.flush()


def test_first_clause_goes_out_alone_then_whole_sentences():
    assert stream("Well, hello there my friend, it is 3.5 degrees outside. Today is nice! Bye") == [
        "Well, hello there my friend,", "it is 3.5 degrees outside.", "Today is nice!", "Bye"]


def test_a_decimal_point_is_not_a_sentence_end_while_streaming():
    c = SentenceChunker()
    assert c.push("It costs 3.") == []
    assert c.push("50 dollars. ") == ["It costs 3.50 dollars."]


def test_mandarin_breaks_at_full_width_punctuation():
    c = SentenceChunker()
    assert c.push("你好，我是一个机器人。很高兴") == ["你好，我是一个机器人。"]
    assert c.push("认识你！") == ["很高兴认识你！"]


def test_markup_and_emoji_are_not_spoken():
    assert speakable("**Sure!** Here is `code` 😀 and [a link](http://x.y)") == "Sure! Here is code and"


def test_a_run_on_reply_is_cut_at_a_space():
    chunks = stream("word " * 100)
    assert all(len(c) <= 220 for c in chunks) and len(chunks) > 1
