"""Positions in REFI-QDA files counted as code points (the standard), UTF-16 code units
(NVivo, .NET and Java tools) or UTF-8 bytes: found per file, converted to code points, said
in the report, and asked for when the file does not tell."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coding import refi
from coding.models import Coding, Source
from coding.refi.offsets import (
    CODE_POINTS,
    COUNTINGS,
    UTF8,
    UTF16,
    Selection,
    SourceCounting,
    find_counting,
)
from fieldwork.extensions import db

#: emoji, a rare CJK character (U+20000), mathematical letters, CRLF line ends
INTERVIEW = ("Wrocław 🤝 Guangzhou: the partnership was signed in 2015.\r\n"
             "𠀀 is a rare character; 𝐁𝐫𝐧𝐨 wrote it in bold.\r\n"
             "The mayor 👩‍💼 met investors 🏭 twice.\r\n")
NOTES = "Notes 📝 on the visit: a trade office 🏢 opened in Chengdu.\r\n成都的办事处。\r\n"
#: (source, words) coded; each falls after a character that counts differently
CODED = [(0, "Guangzhou"), (0, "signed in 2015"), (0, "rare character"), (0, "wrote"),
         (0, "investors"), (0, "twice"), (1, "trade office"), (1, "opened in Chengdu"),
         (0, "partnership")]
UNITS = {CODE_POINTS: len, UTF16: lambda text: len(text.encode("utf-16-le")) // 2,
         UTF8: lambda text: len(text.encode("utf-8"))}


def position(text: str, index: int, counting: str) -> int:
    return UNITS[counting](text[:index])


def nvivo_like(counting: str, origin: str = "NVivo 14 (Windows)",
               coded: list[tuple[int, str]] = CODED, names: bool = False,
               texts: tuple[str, ...] = (INTERVIEW, NOTES)) -> bytes:
    """A .qdpx as a tool counting this way writes it: texts in files with a byte-order mark
    and CRLF line ends, positions over those texts (the CR counted, the mark not)."""
    selections: dict[int, list[str]] = {index: [] for index in range(len(texts))}
    for number, (index, words) in enumerate(coded):
        text = texts[index]
        start = text.index(words)
        name = f" name={quoteattr(words)}" if names else ""
        selections[index].append(
            f'<PlainTextSelection guid="51000000-0000-0000-0000-{number:012d}"{name} '
            f'startPosition="{position(text, start, counting)}" '
            f'endPosition="{position(text, start + len(words), counting)}">'
            f'<Coding guid="52000000-0000-0000-0000-{number:012d}">'
            '<CodeRef targetGUID="c0000000-0000-0000-0000-000000000001"/></Coding>'
            "</PlainTextSelection>")
    sources = "".join(
        f'<TextSource guid="50000000-0000-0000-0000-{index:012d}" name="Source {index}" '
        f'plainTextPath="internal://50000000-0000-0000-0000-{index:012d}.txt">'
        f'{"".join(selections[index])}</TextSource>' for index in range(len(texts)))
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="Cities" origin={quoteattr(origin)}><CodeBook><Codes>'
           '<Code guid="c0000000-0000-0000-0000-000000000001" name="Cooperation" '
           f'isCodable="true"/></Codes></CodeBook><Sources>{sources}</Sources></Project>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        for index, text in enumerate(texts):
            archive.writestr(f"sources/50000000-0000-0000-0000-{index:012d}.txt",
                             b"\xef\xbb\xbf" + text.encode("utf-8"))
    return buffer.getvalue()


def quotes(file: refi.reading.ProjectFile) -> list[str]:
    return [source.text[coding.start:coding.end] for source in file.sources
            for coding in source.codings]


def expected(coded: list[tuple[int, str]] = CODED) -> list[str]:
    return [words for index in (0, 1) for source, words in coded if source == index]


@pytest.mark.parametrize("counting", COUNTINGS)
@pytest.mark.parametrize("origin", ["NVivo 14 (Windows)", "Some Tool 1.0"])
def test_each_counting_is_found_and_every_coding_lands_on_its_words(counting, origin):
    file = refi.read_project(nvivo_like(counting, origin))
    assert quotes(file) == expected()
    assert file.positions.counting == counting and file.positions.checked == len(CODED)
    assert file.positions.words().startswith(f"Positions read as {counting} (")
    assert file.positions.words().endswith(f"; {len(CODED)} selections checked.")
    assert file.skipped == {}


def test_the_tool_named_in_the_file_is_believed_only_where_its_counting_fits():
    nvivo = refi.read_project(nvivo_like(UTF16))
    assert "as the tool that made the file counts them" in nvivo.positions.words()
    assert "9 of the 9 selections that the countings read differently" in (
        nvivo.positions.words())
    standard = refi.read_project(nvivo_like(CODE_POINTS))
    assert standard.positions.counting == CODE_POINTS
    assert "as the tool that made the file counts them" not in standard.positions.words()


def test_a_file_whose_characters_count_alike_everywhere_reads_as_code_points():
    plain = [(0, "Guangzhou")]
    file = refi.read_project(nvivo_like(UTF16, coded=plain, texts=("Wrocław and Guangzhou.",
                                                                   "No codings here.")))
    assert quotes(file) == ["Guangzhou"] and file.positions.telling == 1
    ascii_only = refi.read_project(nvivo_like(UTF16, coded=plain, texts=(
        "Wroclaw and Guangzhou 🤝.", "None.")))
    assert ascii_only.positions.telling == 0
    assert "all countings agree on this file" in ascii_only.positions.words()


def test_the_selections_own_text_decides_in_text_without_spaces():
    chinese = ("🤝成都与弗罗茨瓦夫签署友好城市协议。𠀀双方在教育和交通领域合作。",
               "𠀀𠀁 广州。")
    coded = [(0, "友好城市协议"), (0, "教育和交通"), (1, "广州")]
    for counting in COUNTINGS:
        file = refi.read_project(nvivo_like(counting, "Some Tool", coded, names=True,
                                            texts=chinese))
        assert quotes(file) == expected(coded) and file.positions.counting == counting


#: "ef" counted as code points, or "cd" as UTF-16 units: both words
AMBIGUOUS = ("𝐀𝐁𝐂 ab cd ef", "Nothing.")


def test_a_file_that_does_not_tell_is_refused_until_the_counting_is_chosen():
    data = nvivo_like(CODE_POINTS, "Some Tool", [(0, "ef")], texts=AMBIGUOUS)
    with pytest.raises(refi.RefiError) as refused:
        refi.read_project(data)
    assert str(refused.value).startswith(
        "Fieldwork cannot tell how this file counts positions in its texts: of 1 selections "
        "that the countings read differently, code points: 1 fit; UTF-16 code units: 1 fit")
    assert "Choose the counting under “Positions in the file”" in str(refused.value)
    chosen = refi.read_project(data, CODE_POINTS)
    assert quotes(chosen) == ["ef"]
    assert chosen.positions.words().startswith("Positions read as code points (as chosen")
    assert quotes(refi.read_project(data, UTF16)) == ["cd"]


def test_positions_inside_a_character_are_skipped_and_counted():
    data = nvivo_like(UTF16, texts=(INTERVIEW, NOTES))
    file = refi.read_project(data, UTF8)
    assert file.skipped["selections that start or end inside a character"] >= 1


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))
def test_conversion_matches_encoding_the_text(text):
    source = SourceCounting(text)
    for counting in (UTF16, UTF8):
        boundaries = {position(text, index, counting): index for index in range(len(text) + 1)}
        for unit in range(UNITS[counting](text) + 2):
            assert source.code_point(counting, unit) == boundaries.get(unit)


def test_the_import_page_reports_the_counting_and_offers_the_choice(project, people,
                                                                    client_for):
    client = client_for(people["lead"])
    page = client.get(f"/projects/{project.id}/coding/exchange")
    assert "Positions in the file" in page.text and "UTF-16 code units (NVivo" in page.text
    ambiguous = nvivo_like(CODE_POINTS, "Some Tool", [(0, "ef")], texts=AMBIGUOUS)
    refused = client.post(f"/projects/{project.id}/coding/exchange/import",
                          data={"file": (io.BytesIO(ambiguous), "a.qdpx"), "positions": ""},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "Failed: Nothing was imported. Fieldwork cannot tell how this file counts" in (
        refused.text)
    chosen = client.post(f"/projects/{project.id}/coding/exchange/import",
                         data={"file": (io.BytesIO(ambiguous), "a.qdpx"),
                               "positions": UTF16},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "Positions read as UTF-16 code units (as chosen at the import)" in chosen.text
    (coding,) = db.session.scalars(db.select(Coding).join(Source).where(
        Source.project_id == project.id))
    assert coding.quote == "cd"


def test_a_few_broken_selections_do_not_hide_the_files_counting():
    text = " ".join(f"🤝 word{number}" for number in range(60))
    source = SourceCounting(text)
    selections = []
    for number in range(60):
        start = text.index(f"word{number} ") if number < 59 else text.rindex("word59")
        end = start + len(f"word{number}")
        selections.append(Selection(source, position(text, start, UTF16),
                                    position(text, end, UTF16)))
    emoji = position(text, text.index("🤝"), UTF16)
    selections.append(Selection(source, emoji + 1, emoji + 5))
    finding = find_counting(selections, "Some Tool")
    assert (finding.counting, finding.clear, finding.telling) == (UTF16, True, 61)
    assert next(fit for fit in finding.fits if fit.counting == UTF16).impossible == 1


def test_countings_that_read_every_selection_alike_are_one():
    """Text within the BMP: code points and UTF-16 units agree, and selections that cut
    words anywhere (as a coder may) leave UTF-8 bytes inside characters."""
    text = "Współpraca Wrocławia z Guangzhou zaczęła się w 2015 roku. " * 20
    source = SourceCounting(text)
    selections = [Selection(source, start, start + 7) for start in range(3, 1000, 17)]
    finding = find_counting(selections, "Some Tool")
    assert (finding.counting, finding.clear) == (CODE_POINTS, True)
    assert next(fit for fit in finding.fits if fit.counting == UTF8).impossible > 0
