"""Segments end where sentences end: long segments are cut at their sentences, and a
sentence that Whisper cut in two is joined again, keeping text, words and times."""

from __future__ import annotations

from dataclasses import replace

from interviews.asr.base import Segment, TranscriptionOptions, Word
from interviews.asr.engines import get_engine
from interviews.asr.sentences import (
    LONG_SEGMENT_SECONDS,
    MAX_SENTENCE_SECONDS,
    sentences,
    split_at_sentences,
)


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


def whisper_segments(*pieces: str, start: float = 0.0, pause: float = 0.4,
                     seconds_per_word: float = 0.4) -> list[Segment]:
    """Segments as Whisper gives them: text with a leading space, words timed one after the
    other, `pause` seconds between segments."""
    segments, at = [], start
    for piece in pieces:
        words = []
        for word in piece.split():
            words.append(Word(at, at + seconds_per_word - 0.05, f" {word}", 0.9))
            at += seconds_per_word
        segments.append(Segment(start=words[0].start, end=words[-1].end, text=f" {piece}",
                                words=words))
        at += pause
    return segments


def texts(segments: list[Segment]) -> list[str]:
    return [segment.text.strip() for segment in sentences(segments)]


def test_an_english_sentence_cut_by_whisper_is_joined_again() -> None:
    cut = whisper_segments("We talked about how the partnership between",
                           "Łódź and Chengdu began? Official, of course.",
                           "Then the trains came.")
    joined = list(sentences(cut))
    assert [segment.text.strip() for segment in joined] == [
        "We talked about how the partnership between Łódź and Chengdu began? "
        "Official, of course.",
        "Then the trains came."]
    assert joined[0].words == [*cut[0].words, *cut[1].words]
    assert (joined[0].start, joined[0].end) == (cut[0].start, cut[1].end)


def test_a_polish_sentence_runs_on_past_an_abbreviation() -> None:
    assert texts(whisper_segments(
        "Współpraca z Chengdu dotyczyła np.", "transportu kolejowego i edukacji.",
        "Potem przyszła pandemia.")) == [
        "Współpraca z Chengdu dotyczyła np. transportu kolejowego i edukacji.",
        "Potem przyszła pandemia."]


def test_a_czech_sentence_over_three_segments_is_one_again() -> None:
    assert texts(whisper_segments(
        "Partnerství mezi Plzní", "a městem Čcheng-tu vzniklo", "v roce 2016.",
        "Bylo to hlavně kvůli investicím.")) == [
        "Partnerství mezi Plzní a městem Čcheng-tu vzniklo v roce 2016.",
        "Bylo to hlavně kvůli investicím."]


def test_chinese_is_joined_without_a_space_and_cut_after_its_full_stops() -> None:
    words = [("广州与弗罗茨瓦夫", 0.0, 2.0), ("于2015年签署", 2.2, 4.0),
             ("友好城市协议。", 4.5, 6.0), ("双方合作。", 6.5, 8.0)]
    first = Segment(0.0, 4.0, "广州与弗罗茨瓦夫于2015年签署",
                    [Word(s, e, w, 0.9) for w, s, e in words[:2]])
    second = Segment(4.5, 8.0, "友好城市协议。双方合作。",
                     [Word(s, e, w, 0.9) for w, s, e in words[2:]])
    assert texts([first, second]) == ["广州与弗罗茨瓦夫于2015年签署友好城市协议。双方合作。"]


def test_a_transcript_without_any_punctuation_is_left_as_whisper_cut_it() -> None:
    cut = whisper_segments("广州与弗罗茨瓦夫于2015年签署友好城市协议",
                           "双方在教育和交通领域合作", "后来又有了货运列车")
    assert texts(cut) == [segment.text.strip() for segment in cut]


def test_nothing_is_joined_across_a_gap_a_doubtful_segment_or_another_speaker() -> None:
    first, second = whisper_segments("The agreement was signed by", "the two mayors in 2015.")
    for apart in (replace(second, gap=True), replace(second, doubtful=True),
                  replace(second, speaker=1)):
        assert len(list(sentences([first, apart]))) == 2


def test_one_voice_over_thirty_seconds_without_a_full_stop_is_cut_where_whisper_cut_it() -> None:
    words = ("and then we went on talking about the trains and the students and the "
             "money") * 2
    cut = whisper_segments(words, words, words + ".", seconds_per_word=0.45)
    assert cut[-1].end - cut[0].start > MAX_SENTENCE_SECONDS
    joined = list(sentences(cut))
    assert 1 < len(joined) < 3
    assert all(segment.end - segment.start <= MAX_SENTENCE_SECONDS for segment in joined)
    assert " ".join(texts(cut)) == " ".join(segment.text.strip() for segment in cut)
