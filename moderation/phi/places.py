"""Street addresses, ZIP/post codes, and a patient's place inside a facility (room, bed)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .context import PATIENT_EVENT, about_patient, public_event, sentence
from .finding import Finding, make
from .names import NAME_SEQ

_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Close|Crescent|Square|Sq|Loop|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Row|Trail|"
    r"Gardens|Grove|Mews|Walk|Strasse|Straße)"
)
_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|"
    r"NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"
_CA_POSTCODE = r"[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
_ADDRESS_RX = re.compile(
    # "123 Main Street", "4521 W. Lincoln Blvd", "1600 Pennsylvania Ave NW"
    rf"\b\d{{1,5}}[A-Z]?[ \t]+(?:(?:[NSEW]|North|South|East|West)\.?[ \t]+)?"
    rf"(?:(?:[A-Z][a-z]+|\d{{1,3}}(?:st|nd|rd|th))\.?[ \t]+){{1,3}}{_SUFFIX}\b\.?(?:[ \t]+(?:NW|NE|SW|SE)\b)?"
    r"(?:[ \t]*(?:\#|No\.)[ \t]*\d{1,5}[A-Z]?\b)?"
    # "Apt 4B", "Suite 210", "Unit 12," ("Stroke Unit 4 beds" is a ward, not a flat)
    r"|\b(?:Apt|APT|apt|Apartment|Suite|Ste|Flat)\.?[ \t]*#?[ \t]*\d{1,5}[A-Z]?\b"
    r"|(?<![A-Za-z][ \t])\bUnit[ \t]*#?[ \t]*\d{1,5}[A-Z]?\b(?=[ \t]*,)"
    # "Boulder, CO 80302", "Cupertino CA 95014"
    rf"|\b(?:[A-Z][a-z]+[ \t]){{0,2}}[A-Z][a-z]+,?[ \t]+{_STATES}[ \t]+\d{{5}}(?:-\d{{4}})?\b"
    # Australian "Dubbo NSW 2830", German "Hauptstraße 12" / "Kirchweg 5, 79098 Freiburg", UK "LS6 2AB"
    rf"|\b(?:[A-Z][a-z]+[ \t]){{0,2}}[A-Z][a-z]+,?[ \t]+(?:NSW|VIC|QLD|TAS|ACT|NT|SA|WA)[ \t]+\d{{4}}\b"
    r"|\b[A-ZÄÖÜ][a-zäöüß]*(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|graben)[ \t]+\d{1,4}[a-z]?\b"
    r"(?:,[ \t]*\d{5}[ \t]+[A-ZÄÖÜ][a-zäöüß]+)?"
    # French, Italian, Spanish, Portuguese, Dutch: "19 rue des Lilas, 75019 Paris", "via Roma 12", "calle Mayor 5"
    r"|\b\d{1,4}(?:[a-z]|[ \t]?bis|[ \t]?ter)?,?[ \t]+(?i:rue|avenue|boulevard|bd|chemin|impasse|allée|quai|via|viale|"
    r"piazza|corso|calle|avenida|paseo|rua|straat|laan)[ \t]+(?:(?:de|des|du|la|le|les|del|della|di|da|do|dos"
    r"|de[ \t]+la)"
    r"[ \t]+|l['’]|d['’])*[A-ZÀ-Þ][\w'’-]+(?:,?[ \t]+\d{4,5}[ \t]+[A-ZÀ-Þ][\w'’-]+)?"
    r"|\b(?i:via|viale|piazza|corso|calle|avenida|rua|rue)[ \t]+(?:(?:de|del|della|di|da|do|dos|des|du)[ \t]+)?"
    r"[A-ZÀ-Þ][\w'’-]+(?:[ \t]+[A-ZÀ-Þ][\w'’-]+)?,?[ \t]+\d{1,4}[a-z]?\b"
    r"|\b(?:[A-ZÄÖÜ][\wäöüß.-]*[ \t]+){0,2}[A-ZÄÖÜ][\wäöüß.-]+[ \t]+\d{1,4}[a-z]?,[ \t]*"
    r"(?:\d{5}|\d{4}[ \t]?[A-Z]{2})[ \t]+[A-ZÄÖÜ][a-zäöüß]+"
    rf"|\b{_UK_POSTCODE}\b(?<=\d[A-Z]{{2}})"
    # "ZIP 10027", "postcode M13 9PL"
    rf"|(?i:\b(?:zip(?:[ \t]*code)?|post[ \t]*code|postal[ \t]*code)\b)[ \t]*:?[ \t]*"
    rf"(?P<code>\d{{5}}(?:-\d{{4}})?|{_UK_POSTCODE}|{_CA_POSTCODE})\b"
)

_PLACE = (r"(?i:\b(?:room|rm|bed|bay|cubicle|bedspace|side[ \t]?room|resus|zimmer|bett|chair|trolley|recliner|cot|"
          r"incubator|isolette|crib)\b)")
_UNIT = r"(?:ICU|MICU|SICU|CCU|CICU|CVICU|NICU|PICU|HDU|ITU|ED|ER|A&E)"
_NOT_A_SPOT = r"(?![ \t]*(?:days?|d|weeks?|wks?|hours?|h|hrs?|months?|mins?|minutes?|%|mg|kg|L)\b)"
# A chair or a trolley is a patient's place only in a sentence about a patient ("dialysis chair 14, her fistula").
_FURNITURE = re.compile(r"(?i)\b(?:chair|trolley|recliner)\b")
_FACILITY_RX = re.compile(
    # Optional facility name and unit before the place: "St. Mary's ICU bed 7".
    rf"(?:(?<!Mr[ \t])(?<!Mrs[ \t])(?<!Ms[ \t])(?<!Miss[ \t])(?<!Dr[ \t])(?<!\.[ \t])"
    # (whole words only: "Mrs MacLeod ICU bed 9" must not lend "Leod" to the place)
    rf"(?:\b(?!(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b)[A-Z][\w'’.]*[ \t]+){{0,3}}{_UNIT}[ \t]+)?"
    rf"(?:{_PLACE}\.?[ \t]*#?[ \t]*\d{{1,4}}[A-Za-z]?\b)"
    # "bed 5 days" is a duration, not a bed number.
    rf"{_NOT_A_SPOT}"
    # A person "in 14B": nurses name patients by their bed.
    rf"|(?:\b(?:Mr|Mrs|Ms|Miss)\.?[ \t]+{NAME_SEQ}|\b(?:[Pp]t|[Pp]atient|lady|gentleman|guy|man|woman))"
    rf"[ \t]+in[ \t]+(?P<spot>\d{{1,3}}[A-Z]?)\b{_NOT_A_SPOT}(?![ \t]+[A-Z][a-z])"
)


# "St Thomas' Hospital, Westminster Bridge Road": after a named institution, in a sentence about no patient,
# an address is the institution's.
_INSTITUTION_BEFORE = re.compile(
    r"(?i:\b(?:shop|pub|caf[eé]|restaurant|bar|church|pharmacy|venue|gym|bakery|hotel)[ \t]+(?:at|on|in)\b)"
    r"|\b(?:Hospital|Infirmary|Clinic|Centre|Center|College|University|Institute|Hotel|Hall|Library|Museum|Stadium|"
    r"Arena|Society|Foundation|Trust)\b"
)


def find_addresses(text: str) -> Iterator[Finding]:
    """Yield street addresses, apartment numbers, and ZIP or post codes with context; not the address of a
    venue (a conference, a course) in a sentence that says nothing of a patient."""
    for m in _ADDRESS_RX.finditer(text):
        if public_event(text, m.start(), m.end()) or _institution_address(text, m.start(), m.end()):
            continue
        start = m.start("code") if m.group("code") else m.start()
        yield make("address", text, start, m.end(), "street address or postal code")


def _place_itself(text: str, start: int, end: int) -> bool:
    around = sentence(text, start, end)
    return _PLACE_ITSELF.search(around) is not None and _SOMEONE.search(around) is None


def _institution_address(text: str, start: int, end: int) -> bool:
    around = sentence(text, start, end)
    before = around[:max(0, around.find(text[start:end]))]
    return _INSTITUTION_BEFORE.search(before) is not None and PATIENT_EVENT.search(around) is None


# The sentence speaks of the place itself, its state, fittings or use ("Bay 3 has new curtains", "Bed 12 is blocked
# for infection control", "Room 3 is the quiet room for families"), ...
_PLACE_ITSELF = re.compile(
    r"(?i)\b(?:is|are|was|were|stays?|remains?)[ \t]+(?:now[ \t]+|still[ \t]+|being[ \t]+)?(?:closed|free|"
    r"available|empty|vacant|blocked|broken|cleaned|out[ \t]+of[ \t]+(?:use|order|action))\b"
    r"|\b(?:closure|reopen\w*|cleaning|cleaner|deep[- ]clean|not[ \t]+working|estates|maintenance|refurb\w*|"
    r"decorat\w*|curtains?|call[ \t]+bells?|tv|television|lights?|sockets?|mattress\w*|model|"
    r"(?:quiet|relatives['’]?|family|seminar|meeting|teaching|staff|store|sluice|utility|isolation)[ \t]+rooms?|"
    r"assessment[ \t]+(?:area|unit)|"
    # what the place is for ("Bay 4 is the escalation bay over winter")
    r"(?:are|is)[ \t]+(?:now[ \t]+)?the[ \t]+[\w-]+[ \t]+(?:bay|room|bed|area)|(?:are|is)[ \t]+now[ \t]+the|"
    r"jokes?|infection[ \t]+control|"
    # its use, its kit, its parking, a room for staff ("Resus 2 has the new monitor", "car park bay 214 is reserved")
    r"reserved|designated|allocated[ \t]+to|cohort|(?:has|have|got)[ \t]+the[ \t]+new|car[ \t]+park|parking|"
    r"(?:on-?call|changing|locker|break|doctors['’]?)[ \t]+rooms?|mess)\b"
)
# ... and of no one in it.
_SOMEONE = re.compile(
    r"(?i)\b(?:pt|pts|patient|he|she|his|her|him|mr|mrs|ms|miss|lady|gentleman|gent|man|woman|boy|girl|baby|"
    r"wife|husband|son|daughter|mother|father|mum|dad|family['’]s|nok|admitted|discharged|died|yo|y/o|post-?op)\b"
    r"|\b\d{1,3}[ \t]?[MF]\b"
)


# A titled person or a patient just before the place is in it: "see Mr Mbeki in cubicle 4", whatever else the
# sentence speaks of ("Staff nurse asked me to ...").
_OCCUPANT_BEFORE = re.compile(
    rf"(?:\b(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+{NAME_SEQ}|\b(?:[Pp]t|[Pp]atient|[Ss]he|[Hh]e))[ \t]+"
    rf"(?:(?:is|was|has[ \t]+been|got)[ \t]+)?(?:(?:moved|transferred|put|placed|admitted|back)[ \t]+)?"
    rf"(?:in|from|to|into)[ \t]+"
    rf"(?:the[ \t]+)?(?:\w+[ \t]+)?$")


def find_facility_locations(text: str) -> Iterator[Finding]:
    """Yield a patient's room, bed or bay, with the facility or unit when it is named; not a meeting room, nor a
    place spoken of for itself with no one in it."""
    for m in _FACILITY_RX.finditer(text):
        occupied = _OCCUPANT_BEFORE.search(text, max(0, m.start() - 48), m.start()) is not None
        if (not occupied and public_event(text, m.start(), m.end())) or _place_itself(text, m.start(), m.end()):
            continue
        if _FURNITURE.search(m.group()) and not about_patient(sentence(text, m.start(), m.end())):
            continue  # "chair 14 in the discharge lounge is broken"
        start, end = m.span("spot") if m.group("spot") else m.span()
        yield make("facility_location", text, start, end, "room or bed in a facility")
