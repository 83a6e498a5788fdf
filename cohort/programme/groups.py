"""The `groups:` blocks of a programme: a meeting asking for groups, and the rules for them.

A meeting that splits into small groups (intervision, tables, rooms) says how:

    groups: {size: 4, name: Tafel}     # groups of at most 4, called 'Tafel 1', 'Tafel 2', ...
    groups: {count: 3}                 # three groups
    groups: {names: [Zaal A, Zaal B]}  # two groups, named after their rooms
    groups: 4                          # short for {size: 4}

The programme's own `groups:` holds the rules for every meeting's groups:

    groups:
      colleagues: apart        # people of one organisation never in one group (the default)
      partners: apart          # nor people of one partnership (default: allowed)
      roles: [facilitator]     # at most one person of each of these roles in a group
      apart: [[anna, bert]]    # these never in one group (two or more people each)
      together: [[chris, dirk]]  # these always in one group
      balance: [experience]    # spread each value of these profile fields evenly

A participant carries the values to balance in `profile:` (`profile: {experience: starter}`);
`balance:` may list the values a field takes (`balance: {experience: [starter, ervaren]}`),
and then any other value is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from ..errors import Location, Report, did_you_mean
from .values import (
    Count,
    Id,
    LocalText,
    LocalTextField,
    NonEmptyLocalText,
    NonEmptyText,
    in_language,
    one_or_many,
)

if TYPE_CHECKING:
    from .model import Programme

#: whether people who share something may sit in one group
Setting = Literal["apart", "allowed"]
#: the roles of model.Role (which imports this module), by name
RoleName = Literal["participant", "facilitator", "expert", "host", "guest", "organiser"]


class _Frozen(BaseModel):
    # as model.Frozen (which imports this module): frozen, unknown fields are errors
    model_config = ConfigDict(frozen=True, extra="forbid")


def _shorthand(value: Any) -> Any:
    """`groups: 4` is short for `groups: {size: 4}`."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return {"size": value}
    return value


class FormedGroup(_Frozen):
    """A group as formed (by `cohort groups`, or by hand in its file): its name (per language,
    if the facilitator gives it so: `{nl: Tafel A, fr: Table A}`) and people."""

    name: NonEmptyLocalText
    members: Annotated[tuple[Id, ...], BeforeValidator(one_or_many)] = ()


class MeetingGroups(_Frozen):
    """A meeting's `groups:`: the size or number of its groups and what they are called (a
    name or names may be given per language, as any text for people)."""

    size: Count | None = None
    count: Count | None = None
    name: LocalTextField | None = None
    names: Annotated[
        tuple[NonEmptyLocalText, ...],
        BeforeValidator(
            one_or_many, json_schema_input_type=NonEmptyLocalText | list[NonEmptyLocalText]
        ),
    ] = ()
    #: the groups as formed, from groups/<meeting>.yaml (an overlay: never written in YAML)
    formed: SkipJsonSchema[tuple[FormedGroup, ...]] = ()

    @model_validator(mode="after")
    def _how_many(self) -> MeetingGroups:
        if self.size is not None and self.count is not None:
            raise ValueError("give either a size or a count of groups, not both")
        if self.size is None and self.count is None and not self.names:
            raise ValueError("say how large the groups are (size: 4) or how many (count: 3)")
        if self.size == 1:
            raise ValueError("a group has at least 2 people; give a size of 2 or more")
        if self.count is not None and self.names and self.count > len(self.names):
            raise ValueError(f"count {self.count} needs as many names; {len(self.names)} given")
        named = [*self.names, *([self.name] if self.name else [])]
        if any("\n" in t or "\r" in t for n in named for t in _versions(n)):
            raise ValueError("a group's name is one line; remove the line break")
        twice = sorted({n for n in self.names if self.names.count(n) > 1})
        if twice:
            raise ValueError(f"names: gives '{twice[0]}' twice; give each group its own name")
        return self

    def name_of(self, number: int, language: str) -> str:
        """What cohort calls group `number` (from 1) for a reader of `language`: its name in
        `names:`, else `name:` (or the catalogue's 'Group': 'Groep', 'Groupe') with the number
        ('Tafel 2', 'Table 2'); each in that language where it is given per language."""
        if number <= len(self.names):
            return in_language(self.names[number - 1], language)
        if self.name:
            word = in_language(self.name, language)
        else:
            from ..i18n import Texts

            word = Texts(language).gettext("Group")
        return f"{word} {number}"


def _versions(text: str) -> tuple[str, ...]:
    """Every version of a text: each language's, when it is given per language."""
    return (str(text), *text.by_language.values()) if isinstance(text, LocalText) else (text,)


MeetingGroupsField = Annotated[
    MeetingGroups, BeforeValidator(_shorthand, json_schema_input_type=int | MeetingGroups)
]


def _balance(value: Any) -> Any:
    """`balance: experience` and `balance: [experience, sector]` name fields with any values;
    a mapping lists each field's values."""
    if isinstance(value, dict):
        return {k: one_or_many(v) for k, v in value.items()}
    names = one_or_many(value)
    if not isinstance(names, list | tuple):
        return value  # pydantic says what is wrong with it
    if not all(isinstance(name, str | int) and not isinstance(name, bool) for name in names):
        raise ValueError(
            "balance: names profile fields (balance: [experience]) or maps each to its values "
            "(balance: {experience: [starter, ervaren]})"
        )
    return {name: () for name in names}


Balance = Annotated[
    dict[Id, tuple[NonEmptyText, ...]],
    BeforeValidator(_balance, json_schema_input_type=Id | list[Id] | dict[Id, list[NonEmptyText]]),
]

People = Annotated[tuple[Id, ...], Field(min_length=2)]


class GroupRules(_Frozen):
    """The programme's `groups:`: the rules every meeting's groups keep. `colleagues`,
    `partners`, `roles` and `apart` are hard rules (never broken; explained when they cannot
    be met); `balance` and meeting new people are what the groups aim for."""

    colleagues: Setting = "apart"
    partners: Setting = "allowed"
    roles: Annotated[
        tuple[RoleName, ...],
        BeforeValidator(one_or_many, json_schema_input_type=RoleName | list[RoleName]),
    ] = ()
    apart: tuple[People, ...] = ()
    together: tuple[People, ...] = ()
    balance: Balance = Field(default_factory=dict)


def check_rules(
    programme: Programme,
    known: set[str],
    at: Callable[..., Location],
    report: Report,
) -> None:
    """The programme's rules for groups name participants that exist (`known` ids), and
    profile values are among those `balance:` lists (when it lists them)."""
    for field in ("apart", "together"):
        for i, people in enumerate(getattr(programme.groups, field)):
            if len(set(people)) < 2:
                report.warning(
                    at("groups", field, i),
                    f"this {field}: list names one person ({people[0]}), so it keeps nobody "
                    f"{field}",
                    "name two or more different people, or remove the list",
                    code="groups-rules",
                )
            for j, pid in enumerate(people):
                if pid not in known:
                    hint = did_you_mean(pid, known)
                    report.error(
                        at("groups", field, i, j),
                        f"unknown participant '{pid}'",
                        hint,
                        code="unknown-id",
                    )
    _check_balance(programme, at, report)
    for pid, person in programme.participants.items():
        for key, value in person.profile.items():
            allowed = programme.groups.balance.get(key, ())
            if allowed and value not in allowed:
                report.error(
                    at("participants", pid, "profile", key),
                    f"'{value}' is not a value of {key} (groups: balance: lists "
                    f"{', '.join(allowed)})",
                    did_you_mean(value, allowed),
                    code="unknown-value",
                )


def _check_balance(programme: Programme, at: Callable[..., Location], report: Report) -> None:
    """A field `balance:` names that no participant has in their profile (a typo, mostly)
    balances nothing: a warning at its line."""
    fields = {key for person in programme.participants.values() for key in person.profile}
    for i, key in enumerate(programme.groups.balance):
        if key in fields:
            continue
        named = at("groups", "balance", key, key=True)  # balance: {experience: [...]}
        listed = at("groups", "balance", i)  # balance: [experience]
        if named == at("groups", "balance", key=True):
            named = listed
        report.warning(
            named,
            f"balance: {key} is a profile field no participant has, so it balances nothing",
            did_you_mean(key, fields)
            or f"give participants the field in their profile (profile: {{{key}: ...}})",
            code="groups-rules",
        )
