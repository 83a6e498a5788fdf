"""Value types of the programme format: ids, dates, times, durations, links, coordinates.

The YAML reader hands every scalar over as text; these types parse that text strictly and say,
in the facilitator's terms, how to write it when it is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    PlainSerializer,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from ..languages import LANGUAGES

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_ID = re.compile(ID_PATTERN)


def id_problem(value: Any) -> str | None:
    """What is wrong with `value` as an id (a message), or None when it is a valid one."""
    # fullmatch: `$` would let a trailing newline through, and ids become file names and UIDs
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return (
            f"'{value}' is not a valid id: use letters, digits, '-' and '_' "
            "(at most 64, starting with a letter or digit), e.g. 'tetem' or 'meeting-1'"
        )
    return None


def _id(value: Any) -> str:
    problem = id_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return str(value)


Id = Annotated[
    str,
    BeforeValidator(_id),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
]


#: Characters no value may hold: the C0 and C1 controls and DEL, except tab and line breaks;
#: and the invisible ones that reorder or hide text: bidi embeddings, overrides and isolates
#: (U+202A-U+202E, U+2066-U+2069), the zero-width space and the word joiner. A vertical tab
#: or a form feed comes with a copy from Word, an ESC from a terminal; XLSX (openpyxl) and
#: iCalendar (RFC 5545, section 3.3.11) cannot carry them, and a terminal would obey them. An
#: unclosed right-to-left override would turn round cohort's own words after the value in
#: every certificate, e-mail and sheet (Unicode UAX #9; "Trojan Source", CVE-2021-42574).
#: The joiners U+200C and U+200D stay (Persian words, emoji), as do the marks U+200E and
#: U+200F, which reorder nothing beyond their neighbours. Tables drop the same characters as
#: they are read (`tables.INVISIBLE`).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069]")
_CONTROL_NAMES = {
    "\x0b": "a vertical tab",
    "\x0c": "a page break",
    "\x1b": "an escape character",
    "\x00": "a NUL character",
    "\x7f": "a delete character",
    "\u200b": "a zero-width space",
    "\u2060": "a word joiner",
    "\u202a": "a left-to-right embedding",
    "\u202b": "a right-to-left embedding",
    "\u202c": "a directional formatting end",
    "\u202d": "a left-to-right override",
    "\u202e": "a right-to-left override",
    "\u2066": "a left-to-right isolate",
    "\u2067": "a right-to-left isolate",
    "\u2068": "a first-strong isolate",
    "\u2069": "a directional isolate end",
}


def control_character(text: str) -> str | None:
    """A description of the first control character in `text` ('a vertical tab (U+000B)'),
    or None when there is none."""
    found = CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    return f"{_CONTROL_NAMES.get(char, 'a control character')} (U+{ord(char):04X})"


def _text(value: Any) -> str:
    if isinstance(value, str):
        if (what := control_character(value)) is not None:
            raise PydanticCustomError(
                "control_character",
                "holds {what}, which cannot be printed, put in a spreadsheet or a calendar, or "
                "would turn round the text after it; "
                "remove it (it often comes with a copy from a word processor)",
                {"what": what},
            )
        # a line break is a line break, however it was written
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if value is None:
        raise PydanticCustomError("empty_value", "must not be empty")
    raise PydanticCustomError("not_text", "expected text here, not a list or mapping")


#: Free text; the YAML reader keeps scalars as text, so `title: 2024` or `title: NO` stay text.
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": ["string", "number"]})]
NonEmptyText = Annotated[Text, Field(min_length=1)]


class LocalText(str):
    """Text for people given per language (`title: {nl: Bijeenkomst, fr: Rencontre}`).

    As a string it is the text in the programme's language (else the first given, in the
    order nl, en, fr), so code that names a meeting for the facilitator (a diagnostic, a
    terminal line, a file the tool keeps) needs nothing more; documents for people take the
    reader's own with `in_language` (see `documents.view`). Text written once is a plain
    `str`, not a LocalText: it is in the programme's language."""

    by_language: Mapping[str, str]

    def __new__(cls, text: str, by_language: Mapping[str, str]) -> LocalText:
        self = super().__new__(cls, text)
        self.by_language = dict(by_language)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (LocalText, (str(self), dict(self.by_language)))

    def __repr__(self) -> str:
        return f"LocalText({str(self)!r}, {dict(self.by_language)!r})"

    def in_language(self, language: str) -> str:
        """The text in `language`, else in the programme's language, else any given."""
        return self.by_language.get(language) or str(self)


def in_language(text: str, language: str) -> str:
    """`text` for a reader of `language`: its own version when the text was given per language,
    else the text as written (see LocalText)."""
    return text.in_language(language) if isinstance(text, LocalText) else text


class _PerLanguage(BaseModel):
    """A text in one or more of the languages cohort writes in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nl: Text | None = None
    en: Text | None = None
    fr: Text | None = None

    @model_validator(mode="after")
    def _some(self) -> _PerLanguage:
        if not any(getattr(self, language) for language in LANGUAGES):
            raise ValueError("give the text in at least one language (nl, en or fr)")
        return self


class _PerLanguageNonEmpty(_PerLanguage):
    """As _PerLanguage, where each text given must not be empty."""

    nl: NonEmptyText | None = None
    en: NonEmptyText | None = None
    fr: NonEmptyText | None = None


#: The tag of the per-language form in a validation error's location (`explain` drops it).
PER_LANGUAGE = "[languages]"


def _local_text(required: bool) -> Callable[[Any, GetCoreSchemaHandler], CoreSchema]:
    """The schema of a LocalTextField: one text, or a mapping of language codes to texts whose
    problems (an unknown language code) are reported at their own key."""
    plain = NonEmptyText if required else Text
    per_language = _PerLanguageNonEmpty if required else _PerLanguage
    either: Any = Annotated[
        Annotated[plain, Tag("[text]")] | Annotated[per_language, Tag(PER_LANGUAGE)],
        Discriminator(lambda value: PER_LANGUAGE if isinstance(value, dict) else "[text]"),
    ]

    def build(value: Any, info: ValidationInfo) -> str:
        if isinstance(value, str):
            return value
        given = {k: v for k, v in value.model_dump().items() if v}
        # the programme's language, when the loader says it (validation context)
        own = (info.context or {}).get("language")
        return LocalText(given.get(own) or next(iter(given.values())), given)

    def dump(value: str) -> Any:
        return dict(value.by_language) if isinstance(value, LocalText) else value

    def schema(_source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.with_info_after_validator_function(
            build,
            handler(either),
            serialization=core_schema.plain_serializer_function_ser_schema(dump, when_used="json"),
        )

    return schema


_TEXT_SCHEMA = {"type": ["string", "number"]}
#: The schema of a text given per language, once in the schema's $defs (see `schema`).
PER_LANGUAGE_SCHEMA = {
    "type": "object",
    "description": "The text per language (nl, en, fr); a reader gets their own, else the "
    "programme's language, else any given.",
    "properties": dict.fromkeys(LANGUAGES, _TEXT_SCHEMA),
    "additionalProperties": False,
    "minProperties": 1,
}
#: where `schema` puts a reference to PER_LANGUAGE_SCHEMA (pydantic resolves a "$ref" itself)
PER_LANGUAGE_MARK = "x-cohort-per-language"
_LOCAL_TEXT_SCHEMA = {"anyOf": [_TEXT_SCHEMA, {PER_LANGUAGE_MARK: True}]}

#: Text for people that may be given per language: `title: Rencontre` (in the programme's
#: language) or `title: {nl: Bijeenkomst, fr: Rencontre}`. Read it with `in_language`.
LocalTextField = Annotated[
    str,
    GetPydanticSchema(_local_text(required=False)),
    WithJsonSchema(_LOCAL_TEXT_SCHEMA),
]
NonEmptyLocalText = Annotated[
    str,
    GetPydanticSchema(_local_text(required=True)),
    WithJsonSchema(_LOCAL_TEXT_SCHEMA),
]


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2024-02-22")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a date in the calendar ({err})") from None


Date = Annotated[
    dt.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]

_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def _time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    text = str(value).strip()
    match = _TIME.fullmatch(text)
    hint = "write times as HH:MM on the 24-hour clock, e.g. 19:00"
    if not match:
        if re.fullmatch(r"\d{1,2}[.h]\d{2}", text):
            hint = f"write it as {text[:-3]}:{text[-2:]}"
        raise ValueError(f"'{text}' is not a time; {hint}")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"'{text}' is not a time of day; {hint}")
    return dt.time(hour, minute)


Time = Annotated[
    dt.time,
    BeforeValidator(_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "examples": ["19:00"]}),
]

_DURATION = re.compile(
    r"(?:(?P<d>\d+)\s*(?:d|days?|dag|dagen|jours?))?\s*"
    r"(?:(?P<h>\d+)\s*(?:h|hr|hrs|hours?|u|uur))?\s*"
    r"(?:(?P<m>\d+)\s*(?:m|min|mins|minutes?)?)?"
)
_ISO_DURATION = re.compile(r"P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?)?")


def _duration(value: Any) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    text = str(value).strip()
    match = _ISO_DURATION.fullmatch(text.upper()) or _DURATION.fullmatch(text.lower())
    if text and match and (match["d"] or match["h"] or match["m"]):
        minutes = (int(match["d"] or 0) * 24 + int(match["h"] or 0)) * 60 + int(match["m"] or 0)
        if minutes > 0:
            return dt.timedelta(minutes=minutes)
    raise ValueError(
        f"'{text}' is not a duration; write minutes (90), hours and minutes (1h30) or days (1d)"
    )


Duration = Annotated[
    dt.timedelta,
    BeforeValidator(_duration),
    PlainSerializer(lambda d: f"{int(d.total_seconds()) // 60}m", return_type=str),
    WithJsonSchema({"type": ["string", "integer"], "examples": ["1h30", 90]}),
]

_URL = re.compile(r"(https?://[^\s/$.?#][^\s]*|mailto:[^\s@]+@[^\s@]+)", re.IGNORECASE)


def _url(value: Any) -> str:
    text = _text(value)
    if not _URL.fullmatch(text):
        raise ValueError(
            f"'{text}' is not a link; write a full address starting with https:// "
            "(or mailto: for an e-mail link)"
        )
    return text


Url = Annotated[str, BeforeValidator(_url), WithJsonSchema({"type": "string", "format": "uri"})]


def _positive_int(value: Any) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d+", text) or int(text) <= 0:
        raise ValueError(f"'{text}' is not a number of people or meetings; write a whole number")
    return int(text)


Count = Annotated[
    int, BeforeValidator(_positive_int), WithJsonSchema({"type": "integer", "minimum": 1})
]


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes"}:
        return True
    if text in {"false", "no"}:
        return False
    raise ValueError(f"'{value}' is not true or false")


Flag = Annotated[bool, BeforeValidator(_boolean), WithJsonSchema({"type": "boolean"})]


class Coordinates(NamedTuple):
    """Latitude and longitude in degrees (WGS 84), as a map gives them."""

    lat: float
    lon: float


def _coordinates(value: Any) -> Coordinates:
    """Accept `[52.22, 6.89]`, `{lat: .., lon: ..}` or "52.22, 6.89" as copied from a map."""
    parts: list[Any]
    if isinstance(value, dict):
        parts = [value.get("lat"), value.get("lon")]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        parts = str(value).split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = (float(str(p).strip()) for p in parts)
    except (TypeError, ValueError):
        raise ValueError(
            f"'{value}' are not coordinates; write latitude and longitude, e.g. '52.2215, 6.8937'"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{lat}, {lon} lies outside the globe; latitude comes first")
    return Coordinates(lat, lon)


CoordinatesField = Annotated[
    Coordinates,
    BeforeValidator(_coordinates),
    PlainSerializer(lambda c: [c.lat, c.lon], return_type=list),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "examples": ["52.2215, 6.8937"]},
                {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                {
                    "type": "object",
                    "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                    "required": ["lat", "lon"],
                },
            ]
        }
    ),
]


def one_or_many(value: Any) -> Any:
    """`themes: intro` is shorthand for `themes: [intro]`."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _email(value: Any) -> str:
    """An e-mail address. Plain ASCII addresses are checked here; anything else (and every
    mistake) goes through email-validator, which knows the RFCs and explains what is wrong."""
    text = str(value).strip()
    if len(text) <= 254 and _PLAIN_EMAIL.fullmatch(text):
        local, domain = text.rsplit("@", 1)
        if len(local) <= 64:
            return f"{local}@{domain.lower()}"
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"'{text}' is not an e-mail address: {err}") from None


Email = Annotated[
    str, BeforeValidator(_email), WithJsonSchema({"type": "string", "format": "email"})
]


def _timezone(value: Any) -> str:
    text = str(value).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        import difflib

        close = difflib.get_close_matches(text, sorted(available_timezones()), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(
            f"'{text}' is not an IANA time zone such as Europe/Brussels{hint}"
        ) from None
    if "/" not in text and text != "UTC":
        raise ValueError(
            f"'{text}' is an abbreviation; use a full IANA name such as Europe/Brussels"
        )
    return text


TimeZoneName = Annotated[
    str,
    BeforeValidator(_timezone),
    WithJsonSchema({"type": "string", "examples": ["Europe/Brussels", "Europe/Amsterdam"]}),
]

Country = Annotated[
    str,
    BeforeValidator(lambda v: str(v).strip().upper()),
    Field(pattern=r"^[A-Z]{2}$"),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}$", "examples": ["BE", "NL"]}),
]
