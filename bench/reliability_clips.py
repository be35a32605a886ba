"""The calibration set of bench/reliability.py: texts with known words in the study's
languages (about city partnerships, trade and culture, written for this set), the eSpeak NG
voice that reads each, and the clips made from them: clean, transcribed with the wrong
language or model, with noise, and as 8 kHz telephone audio. Plus the real recordings with
exact references in ../shared/speech, read by path (never copied into the project).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: language -> (eSpeak NG voice, text)
TEXTS: dict[str, tuple[str, str]] = {
    "en": ("en-us", "Our city signed a partnership agreement with a city in China ten years ago. "
           "Since then, local companies have exported machines and food to the region. "
           "Every summer, students and artists visit each other."),
    "pl": ("pl", "Nasze miasto podpisało umowę partnerską z miastem w Chinach dziesięć lat temu. "
           "Od tego czasu lokalne firmy eksportują maszyny i żywność do tego regionu. "
           "Każdego lata studenci i artyści odwiedzają się nawzajem."),
    "cs": ("cs", "Naše město podepsalo partnerskou smlouvu s městem v Číně před deseti lety. "
           "Od té doby místní firmy vyvážejí do regionu stroje a potraviny. "
           "Každé léto se navzájem navštěvují studenti a umělci."),
    "sk": ("sk", "Naše mesto podpísalo partnerskú zmluvu s mestom v Číne pred desiatimi rokmi. "
           "Odvtedy miestne firmy vyvážajú do regiónu stroje a potraviny. "
           "Každé leto sa navzájom navštevujú študenti a umelci."),
    "hu": ("hu", "Városunk tíz évvel ezelőtt partnerségi megállapodást írt alá egy kínai "
           "várossal. Azóta a helyi cégek gépeket és élelmiszert exportálnak a régióba. "
           "Minden nyáron diákok és művészek látogatják meg egymást."),
    "ro": ("ro", "Orașul nostru a semnat un acord de parteneriat cu un oraș din China acum zece "
           "ani. De atunci, firmele locale exportă mașini și alimente în regiune. "
           "În fiecare vară, studenții și artiștii se vizitează reciproc."),
    "bg": ("bg", "Нашият град подписа споразумение за партньорство с град в Китай преди десет "
           "години. Оттогава местните фирми изнасят машини и храни за региона. "
           "Всяко лято студенти и артисти си гостуват."),
    "lt": ("lt", "Mūsų miestas prieš dešimt metų pasirašė partnerystės sutartį su miestu "
           "Kinijoje. Nuo to laiko vietos įmonės eksportuoja mašinas ir maistą į šį regioną. "
           "Kiekvieną vasarą studentai ir menininkai lanko vieni kitus."),
    "lv": ("lv", "Mūsu pilsēta pirms desmit gadiem parakstīja sadarbības līgumu ar pilsētu "
           "Ķīnā. Kopš tā laika vietējie uzņēmumi eksportē uz šo reģionu mašīnas un pārtiku. "
           "Katru vasaru studenti un mākslinieki apciemo viens otru."),
    "et": ("et", "Meie linn sõlmis kümme aastat tagasi partnerluslepingu ühe Hiina linnaga. "
           "Sellest ajast alates ekspordivad kohalikud ettevõtted piirkonda masinaid ja toitu. "
           "Igal suvel külastavad üliõpilased ja kunstnikud üksteist."),
    "sl": ("sl", "Naše mesto je pred desetimi leti podpisalo sporazum o partnerstvu z mestom na "
           "Kitajskem. Od takrat lokalna podjetja izvažajo stroje in hrano v to regijo. "
           "Vsako poletje se študenti in umetniki obiskujejo."),
    "hr": ("hr", "Naš je grad prije deset godina potpisao sporazum o partnerstvu s gradom u "
           "Kini. Otada lokalne tvrtke izvoze strojeve i hranu u tu regiju. "
           "Svakog ljeta studenti i umjetnici posjećuju jedni druge."),
    "de": ("de", "Unsere Stadt hat vor zehn Jahren einen Partnerschaftsvertrag mit einer Stadt "
           "in China unterzeichnet. Seitdem exportieren örtliche Unternehmen Maschinen und "
           "Lebensmittel in die Region. Jeden Sommer besuchen sich Studenten und Künstler."),
    "fr": ("fr", "Notre ville a signé un accord de partenariat avec une ville chinoise il y a "
           "dix ans. Depuis, les entreprises locales exportent des machines et des produits "
           "alimentaires vers cette région. Chaque été, des étudiants et des artistes se "
           "rendent visite."),
    "it": ("it", "La nostra città ha firmato un accordo di partenariato con una città cinese "
           "dieci anni fa. Da allora le imprese locali esportano macchinari e prodotti "
           "alimentari in quella regione. Ogni estate studenti e artisti si fanno visita."),
    "es": ("es", "Nuestra ciudad firmó un acuerdo de hermanamiento con una ciudad china hace "
           "diez años. Desde entonces, las empresas locales exportan máquinas y alimentos a "
           "esa región. Cada verano, estudiantes y artistas se visitan mutuamente."),
    "nl": ("nl", "Onze stad heeft tien jaar geleden een partnerschapsovereenkomst gesloten met "
           "een stad in China. Sindsdien exporteren lokale bedrijven machines en voedsel naar "
           "die regio. Elke zomer bezoeken studenten en kunstenaars elkaar."),
    "pt": ("pt", "A nossa cidade assinou um acordo de geminação com uma cidade chinesa há dez "
           "anos. Desde então, as empresas locais exportam máquinas e alimentos para essa "
           "região. Todos os verões, estudantes e artistas visitam-se mutuamente."),
    "ru": ("ru", "Наш город подписал соглашение о партнёрстве с городом в Китае десять лет "
           "назад. С тех пор местные компании экспортируют в этот регион машины и продукты "
           "питания. Каждое лето студенты и художники ездят друг к другу в гости."),
    "uk": ("uk", "Наше місто підписало угоду про партнерство з містом у Китаї десять років "
           "тому. Відтоді місцеві компанії експортують до цього регіону машини та продукти "
           "харчування. Щоліта студенти та митці відвідують одне одного."),
    "zh": ("cmn", "我们的城市十年前与一个欧洲城市签署了友好城市协议。从那时起，当地企业向欧洲"
           "出口机器和食品。每年夏天，学生和艺术家互相访问。"),
}
#: languages scored by characters (the character error rate), as the paper does
CHARACTER_LANGUAGES = ("zh",)


@dataclass(frozen=True)
class Clip:
    name: str
    #: the language spoken
    language: str
    #: what the clip is: clean, wrong language, wrong model, noise, telephone, real
    kind: str
    model: str = "base"
    #: the language the transcription is told (None: detected)
    forced: str | None = None
    #: signal-to-noise ratio in dB of the white noise added (None: none)
    snr_db: float | None = None
    telephone: bool = False
    #: a real recording, read by path, with its reference beside it
    path: Path | None = None
    #: another eSpeak NG voice than the language's own
    voice: str | None = None


def clean_clips() -> list[Clip]:
    """Each language in its voice, and English in three more (most voices of other languages
    come out badly: these are the clips Whisper gets right)."""
    return ([Clip(f"{language}-clean", language, "clean") for language in TEXTS]
            + [Clip(f"en-clean-{voice}", "en", "clean", voice=voice)
               for voice in ("en", "en-us+f3", "en-029")])


def mismatched_clips() -> list[Clip]:
    """The language deliberately wrong, or the English-only model on other languages."""
    return [
        Clip("et-as-fi", "et", "wrong language", forced="fi"),
        Clip("sk-as-cs", "sk", "wrong language", forced="cs"),
        Clip("en-as-et", "en", "wrong language", forced="et"),
        Clip("hu-as-fi", "hu", "wrong language", forced="fi"),
        Clip("pl-tiny.en", "pl", "wrong model", model="tiny.en"),
        Clip("de-tiny.en", "de", "wrong model", model="tiny.en"),
        Clip("en-tiny.en", "en", "clean", model="tiny.en"),
    ]


def degraded_clips() -> list[Clip]:
    """Noise at three levels, and telephone audio (8 kHz and back)."""
    noisy = [("en", 5.0), ("pl", 5.0), ("cs", 0.0), ("de", 0.0), ("ro", 10.0), ("lv", 5.0)]
    phoned = ["en", "pl", "cs", "bg", "it", "hr"]
    return ([Clip(f"{lang}-noise{snr:g}dB", lang, "noise", snr_db=snr) for lang, snr in noisy]
            + [Clip(f"{lang}-8kHz", lang, "telephone", telephone=True) for lang in phoned])


def real_clips(speech_dir: Path) -> list[Clip]:
    """The Estonian recordings with exact references, when the folder is there."""
    return [Clip(path.stem, "et", "real", path=path)
            for path in sorted(speech_dir.glob("et_esttts_*.wav"))
            if path.with_suffix(".txt").is_file()]


def unreferenced_clips(speech_dir: Path) -> list[Clip]:
    """Real Polish and Croatian recordings without a reference: only the language is known."""
    names = {"pl_picovoice_rhino_out_of_context.wav": "pl",
             "pl_tensortract2_mls_gt_14_12.wav": "pl",
             "hr_librivox_testvideoasset_qa001.aac": "hr"}
    return [Clip(Path(name).stem, language, "real, no reference", path=speech_dir / name)
            for name, language in names.items() if (speech_dir / name).is_file()]
