"""The languages Whisper knows, by the codes its models use, with their English names: the
study's languages first, then every other in alphabetical order. Plain data, so that the
web pages can offer them without loading the speech stack.

Whisper knows 100 languages (openai-whisper's `whisper/tokenizer.py`, the same codes as
faster-whisper's). Of the EU's official languages it lacks only Irish.
"""

from __future__ import annotations

#: Central and Eastern Europe first, then the rest of the EU and its neighbours, then the
#: partners' English and Chinese
STUDY_LANGUAGES = (
    "pl", "cs", "sk", "hu", "ro", "bg", "lt", "lv", "et", "sl", "hr", "sr", "bs", "mk", "sq",
    "uk", "ru", "be", "de", "fr", "it", "es", "nl", "pt", "el", "sv", "fi", "da", "mt", "lb",
    "ca", "eu", "gl", "en", "zh",
)
#: every language Whisper knows: code -> English name
WHISPER_LANGUAGES = {
    "af": "Afrikaans", "sq": "Albanian", "am": "Amharic", "ar": "Arabic", "hy": "Armenian",
    "as": "Assamese", "az": "Azerbaijani", "ba": "Bashkir", "eu": "Basque", "be": "Belarusian",
    "bn": "Bengali", "bs": "Bosnian", "br": "Breton", "bg": "Bulgarian", "yue": "Cantonese",
    "ca": "Catalan", "zh": "Chinese", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "et": "Estonian", "fo": "Faroese", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek",
    "gu": "Gujarati", "ht": "Haitian Creole", "ha": "Hausa", "haw": "Hawaiian", "he": "Hebrew",
    "hi": "Hindi", "hu": "Hungarian", "is": "Icelandic", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "jw": "Javanese", "kn": "Kannada", "kk": "Kazakh", "km": "Khmer",
    "ko": "Korean", "lo": "Lao", "la": "Latin", "lv": "Latvian", "ln": "Lingala",
    "lt": "Lithuanian", "lb": "Luxembourgish", "mk": "Macedonian", "mg": "Malagasy",
    "ms": "Malay", "ml": "Malayalam", "mt": "Maltese", "mi": "Maori", "mr": "Marathi",
    "mn": "Mongolian", "my": "Myanmar", "ne": "Nepali", "no": "Norwegian", "nn": "Nynorsk",
    "oc": "Occitan", "ps": "Pashto", "fa": "Persian", "pl": "Polish", "pt": "Portuguese",
    "pa": "Punjabi", "ro": "Romanian", "ru": "Russian", "sa": "Sanskrit", "sr": "Serbian",
    "sn": "Shona", "sd": "Sindhi", "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian",
    "so": "Somali", "es": "Spanish", "su": "Sundanese", "sw": "Swahili", "sv": "Swedish",
    "tl": "Tagalog", "tg": "Tajik", "ta": "Tamil", "tt": "Tatar", "te": "Telugu", "th": "Thai",
    "bo": "Tibetan", "tr": "Turkish", "tk": "Turkmen", "uk": "Ukrainian", "ur": "Urdu",
    "uz": "Uzbek", "vi": "Vietnamese", "cy": "Welsh", "yi": "Yiddish", "yo": "Yoruba",
}
#: official EU languages Whisper does not know, said as such where a language is chosen
UNKNOWN_TO_WHISPER = {"ga": "Irish"}


def language_choices() -> list[tuple[str, str]]:
    """(code, name) for every language, the study's first."""
    others = sorted((code for code in WHISPER_LANGUAGES if code not in STUDY_LANGUAGES),
                    key=WHISPER_LANGUAGES.get)
    return [(code, WHISPER_LANGUAGES[code]) for code in (*STUDY_LANGUAGES, *others)]


def language_name(code: str) -> str:
    return WHISPER_LANGUAGES.get(code, code)
