"""The languages cohort writes for people in, as one enum that the model, the words (i18n) and
the command line share. Kept free of heavy imports, so the CLI can offer it as a choice."""

from enum import StrEnum


class Language(StrEnum):
    """A language of what people receive: Dutch, English or French (ISO 639-1 codes)."""

    nl = "nl"
    en = "en"
    fr = "fr"


LANGUAGES: tuple[str, ...] = tuple(language.value for language in Language)

#: Each language's name in English, for cohort's own messages (which are English).
ENGLISH_NAMES: dict[str, str] = {"nl": "Dutch", "en": "English", "fr": "French"}
