"""Dates more precise than a year, and ages over 89 (Safe Harbor treats both as dates)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from .context import no_patient_but_pronouns, patient_date, patient_event_near, sentence
from .finding import Finding, make
from .gazetteer import given_names
from .names import NAME_SEQ, TOKEN

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|"
    r"Januar|Februar|März|Maerz|Mai|Juni|Juli|Oktober|Dezember|Mär|Okt|Dez|"
    # French and Spanish months are written in lower case ("admise le 4 mars", "ingresó el 8 de mayo")
    r"janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DOCUMENT = (
    r"(?:guidelines?|update|edition|issue|version|statement|consensus|recommendations?|review|"
    r"paper|article|publication|release|meeting|congress|conference|webinar|newsletter)"
)
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_END = r"(?![\w]|[./-]\d)"  # not followed by more digits, so "10.1.1.50" is no date

_DATE_RX = re.compile(
    rf"(?<![\w./-])(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_END}"
    rf"|(?<![\w./-])(?:19|20)\d\d(?P<isep>[/.-])(?:0?[1-9]|1[0-2])(?P=isep)(?:0?[1-9]|[12]\d|3[01]){_END}"
    rf"|\b{_DAY}\.?(?:[ \t]+(?:of|de))?[ \t]+{_MONTH}\b\.?(?:,?[ \t]+(?:de[ \t]+)?{_YEAR}\b)?"
    rf"|\b{_DAY}-(?i:{_MONTH})-(?:{_YEAR}|\d\d)\b"
    rf"|\b{_MONTH}\b\.?[ \t]+{_DAY}\b(?:,?[ \t]+{_YEAR}\b)?(?![:.]?\d)"
    # A holiday is a day: "born on Christmas Day 1930".
    rf"|\b(?P<holiday>Christmas[ \t]+(?:Day|Eve)|New[ \t]+Year['’]s[ \t]+(?:Day|Eve)|Boxing[ \t]+Day"
    rf"|Valentine['’]s[ \t]+Day|Good[ \t]+Friday|"
    rf"Hallowe['’]?en|Independence[ \t]+Day|Thanksgiving|Easter[ \t]+(?:Sunday|Monday)|Bastille[ \t]+Day)"
    rf"(?:,?[ \t]+{_YEAR})?\b"
    # An ordinal day after a patient event: "came in 16th", "cath 17th".
    rf"|\b(?i:came[ \t]+in|admitted|seen|discharged|d/c|cath|op|surgery|scoped|operated|died)[ \t]+(?:on[ \t]+)?"
    rf"(?:the[ \t]+)?(?P<ord2>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))\b(?![ \t]+(?:of[ \t]+)?{_MONTH}\b)"
    # A weekday and an ordinal day: "Tues 14th", "Friday the 3rd".
    rf"|\b(?:Mon|Tue|Tues|Wed|Weds|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|rsday|urday|sday)?\.?[ \t]+(?:the[ \t]+)?"
    rf"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b"
    # Month and year, unless it dates a publication ("the Sept 2020 guideline update").
    rf"|\b{_MONTH}\b\.?,?[ \t]+{_YEAR}\b(?![ \t]+{_DOCUMENT})"
    # An ordinal day on its own, after a preposition: "On the 22nd she spiked".
    rf"|\b(?i:on|since|from|until|till|by)[ \t]+the[ \t]+(?P<ord>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))\b"
    rf"(?![ \t]+(?:of[ \t]+)?(?:day|week|month|year|dose|cycle|centile|percentile|time|floor|"
    rf"line|trimester|decade|birthday|{_MONTH})\b)"
    # Day/month without a year only after a word that introduces a date ("on 12/23").
    rf"|\b(?i:on|since|from|until|till|dated|DOB|born|admitted|admission|discharged|seen|presented|"
    rf"reviewed|op|surgery|fell|died|onset|readmitted|ct|mri|echo|scan|bloods|labs|appt|appointment|f/u|"
    rf"follow[- ]up|repeat|event|lmp|edd|booked|scheduled|planned|due|mon|monday|tue|tues|tuesday|wed|weds|wednesday|"
    rf"thu|thur|thurs|thursday|fri|"
    rf"friday|sat|saturday|sun|sunday|date|attendance|attended|visit|intubated|extubated|transferred|yesterday|"
    rf"today|am|vom|seit|bis|aufgenommen|entlassen|operiert|le|du|au|el|desde"
    rf"|D\.O\.B\.?)[ \t]+\(?(?P<sa>\d{{1,2}})(?:/(?P<sb>\d{{1,2}})(?![\d/])"
    # German day and month with the day's dot: "aufgenommen 12.02.", "yesterday 23.10."
    rf"|\.(?P<sd>\d{{1,2}})\.(?![\d.]))"
    rf"(?![ \t]*(?:of|tabs?|tablets?|caps?|capsules?|pills?|doses?|strength|mg|units?)\b)"
)

_AGE = r"(?:9\d|1[01]\d)"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_ORDINAL_UNITS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_SPELLED_ORDINAL = rf"(?:[Nn]inet(?:ieth|y[- ]{_ORDINAL_UNITS})|(?:[Oo]ne[- ])?[Hh]undredth)"
_SPELLED = rf"(?:[Nn]inety(?:[- ]{_UNITS})?|(?:[Oo]ne[- ])?[Hh]undred(?:[- ](?:and[- ])?(?:{_UNITS}|ten))?)"
# "aged 90+" and "90 or older" are Safe Harbor's own pooled form, so they are allowed.
# "she's now 94", "he is exactly 97", "she's nearly 100"
_ADVERB = r"(?:(?:now|exactly|only|just|nearly|almost|already|still|actually)[ \t]+)?"
_POOLED = r"(?![ \t]*(?:\+|(?:or|and)[ \t]+(?:older|over|above|more)))"
_NOT_AN_AGE = (
    r"(?![ \t]+(?:ago|later|earlier|before|since|after|of[ \t]+(?:experience|practice|service|follow)"
    r"|in[ \t]+practice))"
)
# "90 minutes", "ninety percent", "ninety over fifty": a quantity or a reading, not an age.
_NOT_A_QUANTITY = (
    r"(?![ \t]*(?:%|\+|percent|per|over|or|to|mg|mcg|g|ml|units?|mins?|minutes?|sec(?:ond)?s?|hours?|hrs?|h|days?|"
    r"weeks?|months?|mmhg|bpm|kg|cm|mm|patients?|people|beds?|cases|times)\b|[ \t]*[%+])"
)
_AGE_RX = re.compile(
    # A relative's age said outright: "Dad is 96" (before the given-name form below, which would claim "Dad").
    rf"\b(?i:dad|mum|mom|father|mother|grandma|grandpa|granny|gran|nan|grandmother|grandfather|husband|wife)"
    rf"[ \t]+(?:is|was)[ \t]+(?:now[ \t]+)?(?P<n14>{_AGE})\b(?![.,]\d){_NOT_A_QUANTITY}|"
    rf"(?<![\d.,/])(?P<n1>{_AGE})[ \t]*[-‐–]?[ \t]*(?:years?|yrs?)[ \t]*[-‐–]?[ \t]*old\b"
    rf"|(?<![\d.,/])(?P<n2>{_AGE})[ \t]*[-‐–]?[ \t]*(?:y/o|y\.o\.?|yo\b|yr[ \t]*old\b)"
    rf"|(?<![\d.,/])(?P<sex>{_AGE})[ \t]?[MF]\b"
    # "97 yrs", "92 years of age", "94th birthday", German "97 J." / "95-jährige"
    rf"|(?<![\d.,/])(?:{_AGE}|{_SPELLED})[ \t]*(?:yrs?|years?)\b{_NOT_AN_AGE}"
    rf"|(?<![\d.,/])(?:{_AGE}|{_SPELLED})(?:st|nd|rd|th|ieth)?[ \t]+birthday\b"
    rf"|(?<![\d.,/])(?:9\d|1[01]\d)(?:st|nd|rd|th)[ \t]+birthday\b"
    rf"|\b{_SPELLED_ORDINAL}[ \t]+birthday\b"
    rf"|(?<![\d.,/])(?P<de>{_AGE})[ \t]*(?:-?j(?:ä|ae)hrige[rn]?\b|J\.|J\b|Jahre\b)"
    # French, Spanish, Italian, Dutch: "patiente de 93 ans", "mujer de 91 años"
    rf"|(?<![\d.,/])(?P<ro>{_AGE})[ \t]+(?:ans|años|anni|jaar)\b(?![ \t]+(?:après|avant|plus|de\b|d['’]|después|antes"
    rf"|dopo|fa\b|geleden|later|ago))"
    rf"|\b(?:[Aa]ged?|[Tt]urn(?:ed|s|ing))[ \t]+{_SPELLED}\b"
    rf"|\b(?:[Aa]ged?|AGED?|[Tt]urn(?:ed|s|ing))[ \t]*:?[ \t]*(?P<n3>{_AGE})(?![\d%]|[.,]\d){_POOLED}"
    rf"(?![ \t]+(?:is|was|marks|seems|appears)\b)"
    rf"|\b{_SPELLED}[ \t]*[-‐–]?[ \t]*years?[ \t]*[-‐–]?[ \t]*old\b"
    # A spelled age opening a sentence, about the person: "Ninety-nine and still driving", "Ninety-three, lives alone"
    rf"|(?:(?m:^)|(?<=[.!?][ \t]))[ \t]*(?:{_SPELLED})(?=[ \t]*(?:,[ \t]*(?:lives|living|widow|still|and|on|with)\b"
    rf"|[ \t]+and[ \t]+(?:still|now|on|lives|living|wants|asking|sharp|independent)\b))"
    rf"|\b{_SPELLED}[ \t]*[-‐–]?[ \t]*(?:y/o|y\.o\.?|yo\b)"
    # An age set off by commas after a name or initial: "Edna, 93, fell", "Mrs. K, 95, cellulitis".
    rf"|(?:\b[A-Z][a-z][\w'’-]*|\b(?:Mr|Mrs|Ms|Miss)\.?[ \t]+[A-Z]\.?),[ \t]*(?P<n7>{_AGE})(?=[ \t]*(?:[,;)]|\.(?!\d)))"
    # "Patient 94, dementia", "pt 97 yo"
    rf"|\b(?:[Pp]t|[Pp]atient|lady|gentleman|man|woman|ever)[ \t]*,?[ \t]*(?P<n9>{_AGE})(?=[ \t]*[,;)]|[ \t]+(?:yo|y/o"
    rf"|years?|yrs?)\b)"
    # A known given name, then "is 90 next week".
    rf"|\b(?!(?:She|He|Pt|Patient)\b)(?P<who>{TOKEN})[ \t]+is[ \t]+(?:now[ \t]+)?(?P<n8>{_AGE})"
    rf"(?=[ \t]*(?:next\b|this\b|last\b|today\b|now\b|years?\b|yrs?\b|and\b|[,;]|\.(?!\d)|$))"
    rf"|\b(?:[Ss]he|[Hh]e|[Pp]t|[Pp]atient)(?:['’]s|[ \t]+is)[ \t]+(?:now[ \t]+)?{_SPELLED}\b(?![ \t-]*(?:per|percent"
    rf"|%))"
    rf"|\b(?:[Ss]he|[Hh]e|[Pp]t|[Pp]atient)(?:['’]s|[ \t]+is)[ \t]+{_ADVERB}(?P<n4>{_AGE})"
    rf"(?=[ \t]*(?:[,.;:)—–-]|and\b|now\b|today\b|next\b|this\b|last\b|in\b|on\b|years?\b|yrs?\b|$))"
    # "she will be 98 in May", "at ninety he still drives", "was a hundred and one"
    rf"|\b(?i:(?:lady|man|woman|gentleman|gent|patient|pt|person|widow|widower)[ \t]+of)[ \t]+(?P<n15>{_AGE})\b"
    rf"(?![.,]\d){_NOT_A_QUANTITY}"
    rf"|\b(?i:at[ \t]+the[ \t]+age[ \t]+of)[ \t]+(?P<n13>{_AGE})\b{_NOT_A_QUANTITY}"
    rf"|\bwho[ \t]+(?:is|was)[ \t]+(?:now[ \t]+)?(?P<n12>{_AGE})\b(?![.,]\d){_NOT_A_QUANTITY}"
    rf"|\b(?i:will[ \t]+be|turns?|turning|turned|reached|reaches)[ \t]+(?P<n10>{_AGE})\b(?![.,]\d){_NOT_A_QUANTITY}"
    rf"|\b(?i:at|is|was|be|turns?|turning|turned|aged?|reached)[ \t]+(?:(?:a|one)[ \t]+)?{_SPELLED}\b(?!-)"
    rf"{_NOT_A_QUANTITY}"
    # An age said of the person by what they still do at it: "At 92 he still runs the farm", "still plays golf at 91."
    rf"|\b[Aa]t[ \t]+(?P<n16>{_AGE})(?=[ \t]*,?[ \t]+(?:she|he|they|still|and[ \t]+still)\b)"
    rf"|\bstill\b[^.\n\d]{{0,30}}\bat[ \t]+(?P<n17>{_AGE})(?=[ \t]*(?:[.!,;]|$))"
    # a birthday by its ordinal: "her 100th yesterday", "His 99th is next week" (not a centile)
    rf"|\b(?i:her|his)[ \t]+(?P<n18>(?:9\d|1[01]\d)(?:st|nd|rd|th))\b"
    rf"(?![ \t]+(?:birthday|centile|percentile|minute|min|day|time|attempt|goal|game|match|run|anniversary|%))"
    # sex and age in brackets: "pt (F, 98)", "(98, M)"
    rf"|\((?:[MF]|(?i:male|female)),[ \t]*(?P<n19>{_AGE})\)|\((?P<n20>{_AGE}),[ \t]*(?:[MF]|(?i:male|female))\)"
    # "he was 100 in March", "she was 94 when she died"
    rf"|\b(?:[Ss]he|[Hh]e)[ \t]+(?:was|turned)[ \t]+(?P<n21>{_AGE})"
    rf"(?=[ \t]+(?:in[ \t]+[A-Z]\w*|when|last|years?|yrs?)\b)"
    # "in his 99th year", "in her ninety-third year"
    rf"|\b(?i:in[ \t]+(?:his|her|their)[ \t]+)(?:(?:9\d|1[01]\d)(?:st|nd|rd|th)|{_SPELLED_ORDINAL})[ \t]+year\b"
    # A person, then the age in brackets: "centenarian lady (101)", "the gent (94)"
    rf"|\b(?i:lady|man|woman|gentleman|gent|patient|pt|centenarian|widow|widower|grandmother|grandfather|grandma|"
    rf"grandpa|granny|nan|mum|mother|father|dad|{TOKEN})[ \t]*\((?P<n11>{_AGE})!?\)"
    rf"|\b(?:Mr|Mrs|Ms|Miss)\.?[ \t]+(?:{NAME_SEQ}|[A-Z]\b\.?)(?:,[ \t]*|[ \t]+is[ \t]+(?:now[ \t]+)?)(?P<n5>{_AGE})"
    rf"(?=[ \t]*(?:[,;.)]|and\b|years?\b|this\b|next\b|today\b|now\b|$))"
)
# A birth year that makes the patient 90 or older ("born 1931") is an age over 89 under Safe Harbor.
_BORN_RX = re.compile(
    r"(?i)\b(?P<cue>born|b\.|geb\.|geboren|née?|né|nacid[oa]|nat[oa]|year[ \t]+of[ \t]+birth|birth[ \t]+year|YOB|"
    r"dob|d\.o\.b\.?|date[ \t]+of[ \t]+birth|"
    r"geburtsdatum)[^.\d\n]{0,25}?(?P<day>\d{1,2}[./-]\d{1,2}[./-]|\d{1,2}(?:st|nd|rd"
    r"|th)?\.?[ \t]+[A-Za-zä]+\.?,?[ \t]+)?"
    r"(?P<year>1[89]\d\d)\b"
)
# The first day of a range of days ("10–12 October"): meetings last days, a patient's events are single days.
_DAY_RANGE_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?[ \t]*[–-][ \t]*$")
# A birth date with a two-digit year: "DOB 1/2/33" is 1933.
_BORN_SHORT_RX = re.compile(
    r"(?i)\b(?P<cue>born|dob|d\.o\.b\.?|geb\.|date[ \t]+of[ \t]+birth)[ \t:]*(?:on[ \t]+)?"
    r"\d{1,2}[./-]\d{1,2}[./-](?P<yy>\d\d)(?![\d./-])"
)
# "mean age 91" and "over 90" describe a population or a threshold, not a person.
_STATISTIC_BEFORE = re.compile(
    r"(?i)\b(?:mean|median|average|avg)[ \t]+(?:age[ \t]+)?$|\b(?:mean|median|average|avg)[ \t]+age"
    r"|\b(?:over|under|above|below|beyond)[ \t]+$|[<>≥≤][ \t]*$"
)
# "aged 18 to 95 years": the top of a range of ages.
_RANGE_BEFORE = re.compile(r"\b\d{1,3}[ \t]*(?:to|-|–)[ \t]*$")
_FIRST_DIGIT = re.compile(r"\d")
# "the hospital celebrated its 100th birthday": a thing's age, not a person's.
_ITS_BEFORE = re.compile(r"(?i)\bits[ \t]+$")
# "Happy 90th birthday to our hospital": an institution's age.
_INSTITUTION_AFTER = re.compile(
    r"(?i)[ \t]+(?:to|for|of)[ \t]+(?:our|the|this)[ \t]+(?:\w+[ \t]+)?(?:hospital|unit|ward|department|dept|trust|"
    r"nhs|service|clinic|practice|college|society|charity|hospice|school|association|journal|centre|center)\b"
)
# A reading, not an age: "sats at 91", "HR at 94 he was tachy", "still saturating at 92".
_VITAL_BEFORE = re.compile(
    r"(?i)\b(?:sats?|saturating|saturations?|spo2|o2|hr|pulse|heart[ \t]+rate|rate|bp|map|rr|temp|glucose|bms?|"
    r"weight|score|level|ef|egfr|systolic|diastolic|running|sitting|stable|dropped|fell|rose|peaked)\b[^.\n]*$"
)
# "T 99F" is a temperature, not a 99-year-old woman.
_TEMPERATURE_CUE = re.compile(r"(?i)(?:\b(?:t|temp|tmax|temperature|fever|febrile|pyrexia)\b)[ \t:]*$")


def find_dates(text: str) -> Iterator[Finding]:
    """Yield calendar dates that carry a day or a month, not a bare year, unless the sentence dates a
    public event (a rota, a conference, a guideline) rather than a patient's."""
    for m in _DATE_RX.finditer(text):
        if m.group("a") and not _valid_numeric(m):
            continue
        if not patient_date(text, m.start(), m.end()):
            continue
        if _DAY_RANGE_BEFORE.search(text, max(0, m.start() - 8), m.start()) and no_patient_but_pronouns(
                sentence(text, m.start(), m.end())):
            continue  # "at the ASM in Perth, 10–12 October, presenting her QIP": a meeting's days
        if m.group("holiday") and not patient_event_near(text, m.start(), m.end()):
            continue  # "Boxing Day is always busy in ED": a day of the year, not of a patient
        start, end = m.span("ord") if m.group("ord") else m.span("ord2") if m.group("ord2") else m.span()
        if m.group("sa"):
            if not _valid_day_month(m.group("sa"), m.group("sb") or m.group("sd")):
                continue
            start = m.start("sa")
        yield make("date", text, start, end, "date more precise than a year")


# Whose age it is, from the words before it: an institution's ("the hospital turns 100"), or the author's own family's
# ("My gran turned 95 last week"), unless the sentence speaks of a patient.
_INSTITUTION_TURNS = re.compile(
    r"(?i)\b(?:hospital|nhs|trust|ward|unit|clinic|department|dept|society|college|charity|building|practice|service|"
    r"journal|school|hospice)[ \t]+(?:(?:turns|turned|is|was|will[ \t]+be|celebrates)[ \t]+)?$")
# "100 years of nursing education" is a duration ("100 years of age" is not).
_YEARS_OF = re.compile(r"(?i)[ \t]+of[ \t]+(?!age\b)")
_OWN_RELATIVE = re.compile(
    r"(?i)\bmy[ \t]+(?:mum|mom|mother|dad|father|gran|granny|grandma|grandmother|grandad|granddad|grandpa|"
    r"grandfather|nan|nana|nanna|nonna|nonno|oma|opa|aunt|auntie|uncle|great[- ]\w+)\b")
_PATIENT_WORD = re.compile(r"(?i)\b(?:pt|patient|admitted|admission|ward|bed|bay|seen|reviewed|discharged|clinic)\b")


def not_a_patients_age(text: str, start: int) -> bool:
    if _INSTITUTION_TURNS.search(text, max(0, start - 40), start):
        return True
    around = sentence(text, start, start + 1)
    return _OWN_RELATIVE.search(around) is not None and _PATIENT_WORD.search(around) is None


def find_ages(text: str) -> Iterator[Finding]:
    """Yield ages of 90 and over, which Safe Harbor requires to be pooled as "90+"."""
    for m in _AGE_RX.finditer(text):
        group = m.lastgroup or ""
        if group == "sex" and _TEMPERATURE_CUE.search(text, max(0, m.start() - 16), m.start()):
            continue
        if group == "n8" and m.group("who").lower() not in given_names():
            continue
        if group in ("n16", "n17") and _VITAL_BEFORE.search(text, max(0, m.start(group) - 30), m.start(group)):
            continue  # "Sats at 91, still on 2L", "still saturating at 92."
        if (_INSTITUTION_AFTER.match(text, m.end()) or not_a_patients_age(text, m.start())
                or _YEARS_OF.match(text, m.end()) and m.group().lower().endswith(("years", "yrs"))):
            continue
        if (_STATISTIC_BEFORE.search(text, max(0, m.start() - 16), m.start() + 4)
                or _STATISTIC_BEFORE.search(text, max(0, m.start() - 16), m.start())
                or _ITS_BEFORE.search(text, max(0, m.start() - 8), m.start()) or _in_range(text, m)):
            continue
        start, end = (
            m.span(group)
            if group in ("n4", "n5", "n7", "n8", "n9", "n10", "n11", "n12", "n13", "n14", "n15", "n16", "n17", "n18",
                         "n19", "n20", "n21")
            else m.span()
        )
        yield make("age_over_89", text, start, end, "age over 89")
    this_year = date.today().year
    for m in _BORN_RX.finditer(text):
        if this_year - int(m.group("year")) >= 90:
            yield _birth_year_age(text, m)
    for m in _BORN_SHORT_RX.finditer(text):
        yy = int(m.group("yy"))
        born = 1900 + yy if yy > this_year % 100 else 2000 + yy  # a birth date is never in the future
        if this_year - born >= 90:
            yield make("age_over_89", text, m.start("cue"), m.end("cue"), "birth date of someone over 89")


def _birth_year_age(text: str, m: re.Match[str]) -> Finding:
    """The year alone ("born 1931"), or the cue word when the year ends a whole birth date ("born 02/03/1932"),
    so that the date itself is reported as a date as well."""
    if m.group("day"):
        return make("age_over_89", text, m.start("cue"), m.end("cue"), "birth date of someone over 89")
    return make("age_over_89", text, m.start("year"), m.end("year"), "birth year of someone over 89")


def _in_range(text: str, m: re.Match[str]) -> bool:
    digit = _FIRST_DIGIT.search(text, m.start(), m.end())
    return digit is not None and _RANGE_BEFORE.search(text, max(0, digit.start() - 10), digit.start()) is not None


def _valid_numeric(m: re.Match[str]) -> bool:
    # Two-digit years only with slashes: "5-10-20 mg" and "1.2.23" are not dates.
    if len(m.group("y")) == 2 and m.group("sep") == "-":
        return False
    if len(m.group("y")) == 4 and not re.fullmatch(_YEAR, m.group("y")):
        return False
    return _valid_day_month(m.group("a"), m.group("b"))


def _valid_day_month(a: str, b: str) -> bool:
    x, y = int(a), int(b)
    if (x, y) == (24, 7):  # "24/7" means always
        return False
    return 1 <= x <= 31 and 1 <= y <= 31 and (x <= 12 or y <= 12)
