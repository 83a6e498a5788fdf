"""How a letter names someone: the first name it greets them by ('Beste Jan,', 'Dear Jan,',
'Bonjour Jan,'), read from their name only where that is safe, else their whole name."""

from __future__ import annotations

import re

#: Words before a name that are no first name: titles ('Dr. Jan Peeters' is not 'Jan').
_TITLE_WORDS = """dr prof mr mrs ms mx miss sir dame rev mevr mevrouw dhr heer mw ir ing drs mme
    mlle madame monsieur me"""
_TITLES = frozenset(_TITLE_WORDS.split())
#: Words that start a surname of several words ('Bart De Smet', 'Ilias El Idrissi', 'Marie
#: van der Berg'): the word before them is the whole first name.
_PARTICLE_WORDS = """van de der den het ter ten te 't op in vande vanden vander le la les du des
    d' el al ben bin ibn abu bou da das do dos di del della von vom zu zum"""
_PARTICLES = frozenset(_PARTICLE_WORDS.split())
_FIRST_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def first_name(name: str) -> str | None:
    """The first name in `name`, for a greeting ('Beste Jan,'), where it can be told safely:
    the first of two words ('Jan Janssens'), or the first word before a surname that starts
    with a particle ('Bart De Smet', 'Marie van der Berg', 'Ilias El Idrissi'); a first word
    of letters (a hyphen or apostrophe inside: 'Anne-Marie'), capitalised, not all capitals
    ('PEETERS Jan'), nor a title ('Dr.', 'Mevr'). Anything else (one word, 'Jan Pieter
    Janssens', 'Janssens, Jan') is None: a letter then greets by the whole name, or by the
    participant's `first_name`."""
    if "," in name:
        return None
    words = name.split()
    if len(words) < 2:
        return None
    first, second = words[0], words[1]
    if (
        not _FIRST_WORD.fullmatch(first)
        or not first[0].isupper()
        or (len(first) > 1 and first.isupper())
        or first.casefold() in _TITLES
        or first.casefold() in _PARTICLES
    ):
        return None
    particle = second.casefold() in _PARTICLES or second.casefold().startswith(("d'", "d’"))
    return first if len(words) == 2 or particle else None
