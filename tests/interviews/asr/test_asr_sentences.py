"""Long segments are cut at their sentences, keeping their text, words and times."""

from __future__ import annotations

from interviews.asr.base import Segment, TranscriptionOptions, Word
from interviews.asr.engines import get_engine
from interviews.asr.sentences import LONG_SEGMENT_SECONDS, split_at_sentences


def segment_of(words: list[tuple[str, float, float]], text: str) -> Segment:
    return Segment(start=words[0][1] - 0.2, end=words[-1][2] + 0.3, text=text,
                   words=[Word(start, end, word, 0.9) for word, start, end in words],
                   avg_logprob=-0.3, speaker=1)


def timed(text: str, seconds_per_word: float = 0.6) -> list[tuple[str, float, float]]:
    """The text's words, one after the other, each `seconds_per_word` long."""
    words = text.split()
    return [(word, 1 + i * seconds_per_word, 1 + (i + 1) * seconds_per_word - 0.1)
            for i, word in enumerate(words)]


def test_a_short_segment_stays_whole() -> None:
    text = "We signed it. Then nothing happened."
    segment = segment_of(timed(text), text)
    assert split_at_sentences(segment) == [segment]


def test_a_long_segment_is_cut_after_each_sentence_with_its_own_words_and_times() -> None:
    text = ("The agreement was signed by the mayor in 2015. Nobody in the ministry asked "
            "about it! Did the embassy help? Not really.")
    segment = segment_of(timed(text), text)
    assert segment.end - segment.start > LONG_SEGMENT_SECONDS

    pieces = split_at_sentences(segment)

    assert [piece.text for piece in pieces] == [
        "The agreement was signed by the mayor in 2015.",
        "Nobody in the ministry asked about it!", "Did the embassy help?", "Not really."]
    assert [word for piece in pieces for word in piece.words] == segment.words
    assert pieces[0].start == segment.start and pieces[-1].end == segment.end
    assert pieces[1].start == pieces[1].words[0].start
    assert pieces[1].end == pieces[1].words[-1].end
    assert {(piece.speaker, piece.avg_logprob) for piece in pieces} == {(1, -0.3)}


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = ("We met Dr. Novak and Prof. Horvat in Brno, e.g. at the city hall, and they "
            "explained the whole history of the partnership to us.")
    assert len(split_at_sentences(segment_of(timed(text), text))) == 1


def test_chinese_text_without_spaces_is_cut_at_its_full_stops() -> None:
    words = ["广州", "与", "弗罗茨瓦夫", "于", "2015年", "签署", "友好", "城市", "协议。",
             "双方", "在", "教育", "和", "交通", "领域", "合作。"]
    text = "".join(words)
    segment = segment_of([(word, 1 + i, 1.8 + i) for i, word in enumerate(words)], text)

    pieces = split_at_sentences(segment)

    assert [piece.text for piece in pieces] == ["广州与弗罗茨瓦夫于2015年签署友好城市协议。",
                                                "双方在教育和交通领域合作。"]


def test_words_that_do_not_match_the_text_leave_it_whole() -> None:
    text = "The agreement was signed in 2015. " * 3
    words = timed("The agreement was signed in twenty fifteen. " * 3, seconds_per_word=0.7)
    segment = segment_of(words, text.strip())
    assert split_at_sentences(segment) == [segment]


def test_a_short_exclamation_stays_with_the_sentence_before_it() -> None:
    words = [*timed("The budget for the partnership was cut again last year by the council.",
                    seconds_per_word=0.9), ("Yes.", 12.0, 12.4)]
    text = " ".join(word for word, _, _ in words)
    segment = Segment(start=0.8, end=12.4, text=text,
                      words=[Word(start, end, word, 0.9) for word, start, end in words])
    assert len(split_at_sentences(segment)) == 1


def test_whisper_with_a_vocabulary_prompt_gives_sentences_not_windows(long_speech, wer) -> None:
    """With a prompt Whisper gave this speech as five segments of up to 30 seconds."""
    options = TranscriptionOptions(initial_prompt="Brussels, China, United States")
    result = get_engine("faster-whisper").transcribe(long_speech.path, options,
                                                     lambda segment, progress: None)
    assert wer(long_speech.text, result.text) <= 0.15
    assert max(segment.end - segment.start for segment in result.segments) <= LONG_SEGMENT_SECONDS
    assert len(result.segments) >= 8
