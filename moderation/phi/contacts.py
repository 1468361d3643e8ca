"""Telephone and fax numbers (North American and international forms) and e-mail addresses."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .allowlist import CLINICAL_NOUNS, PERSONAL_MAIL_PROVIDERS, ROLE_WORDS
from .context import PATIENT_EVENT, about_patient, sentence
from .finding import Finding, make

_LOCAL_WORDS = re.compile(r"[._+\-\d]+")

_EXT = r"(?:[ \t]*(?:ext\.?|x)[ \t]*\d{1,5})?"
_PHONE_RX = re.compile(
    # North American: (617) 555-0142, 555-867-5309, 415.555.2671, +1 212 555 0199, 1-800-...
    rf"(?<![\w+/.-])(?:\+?1[ .-]?)?(?:\(\d{{3}}\)[ \t]?|\d{{3}}[ .-])\d{{3}}[ .-]\d{{4}}{_EXT}(?![\w/-])"
    # International with + or 00: +44 20 7946 0958, 0049 89 12345678, +33 1 42 68 53 00.
    rf"|(?<![\w+/.-])(?:\+|\b00|\(\+)\d{{1,3}}\)?(?:[ .-]?\(0\))?(?:[ .-]?\d{{1,5}}){{2,6}}{_EXT}(?![\w/-])"
    # National trunk prefix: 0161 496 0734, 07700 900123, (0)20 7946 0999, (03) 9123 4567.
    rf"|(?<![\w+/.-])(?:\(0\)[ \t]?\d{{2,4}}|\(0\d{{1,4}}\)[ \t]?|\b0\d{{2,4}}|\b0\d(?=[ \t]\d{{4}}[ \t]\d{{4}}))"
    rf"[ .-]?\d{{3,4}}[ .-]?\d{{3,4}}{_EXT}(?![\w/-])"
    # German area code and number with a slash: "030/4455667", "0761 / 270 1234"
    rf"|(?<![\w+/.-])\b0\d{{2,5}}[ \t]?/[ \t]?\d{{3,4}}[ -]?\d{{2,5}}(?![\w/-])"
    # Seven-digit local number, only right after a phone word.
    rf"|(?i:\b(?:ph|phone|tel|cell|mobile|call|ring|rang|text|fax|number|reached[ \t]+on|contactable[ \t]+on"
    rf"|no)\b)\.?:?[ \t]*(?P<local>\d{{3}}[ .-]\d{{4}}{_EXT})(?![\w/-]|[ .-]?\d)"
)
# Any other grouping of 8-15 digits, when a phone word or a relative comes just before it: "NOK ph 9876 5432",
# "daughter 4155550132", "patient's phone: 06 12 34 56 78".
_CUED_RX = re.compile(
    r"(?i:\b(?:ph|phone|tel|telephone|cell|mobile|landline|call|ring|text|whatsapp|number|contact|nok|daughter|son|"
    r"wife|husband|mother|father|mum|mom|dad|family|brother|sister|carer)\b)[^\d\n]{0,12}?"
    r"(?<![\w+/.-])(?P<cued>\+?\d[\d ()-]{6,18}\d)(?![\w/.-]|[.,]\d)"
)
_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4}")
_FAX_CUE = re.compile(r"(?i)\bfax")
_FAX_AFTER = re.compile(r"[ \t]*(?:\([ \t]*)?(?i:fax)\b")
_PHONE_CUE = re.compile(r"(?i)\b(?:phone|tel|cell|mobile|call|ph)\b")

_EMAIL_RX = re.compile(
    # A leading "@" makes it a fediverse handle (@user@server), which is public, not PHI.
    r"(?<![\w.+@-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)


def find_phones(text: str) -> Iterator[Finding]:
    """Yield telephone numbers; a number announced as a fax is reported as kind "fax". A department's number
    ("Cardiology secretary: 0161 ...") is not a person's, unless the sentence speaks of a patient."""
    spans = [(m.start("local") if m.group("local") else m.start(), m.end(), 7) for m in _PHONE_RX.finditer(text)]
    spans += [(m.start("cued"), m.end("cued"), 8) for m in _CUED_RX.finditer(text)
              if not _DATE_SHAPE.fullmatch(m.group("cued"))]
    for start, end, fewest in spans:
        if _department_number(text, start, end, fax=_is_fax(text, start, end)):
            continue
        digits = sum(c.isdigit() for c in text[start:end])
        if not fewest <= digits <= 17:
            continue
        if _is_fax(text, start, end):
            yield make("fax", text, start, end, "fax number")
        else:
            yield make("phone", text, start, end, "telephone number")


def find_emails(text: str) -> Iterator[Finding]:
    """Yield e-mail addresses of people (not fediverse @user@server handles, nor the role addresses of a
    department, a society or a conference: "abstracts@...", "cardiology.rota@...")."""
    if "@" not in text:
        return
    for m in _EMAIL_RX.finditer(text):
        local, _, domain = m.group().partition("@")
        personal = _personal_domain(domain)
        if _role_address(local, run_together=not personal) or (not personal and _work_address(text, *m.span())):
            continue
        yield make("email", text, m.start(), m.end(), "e-mail address")


def _work_address(text: str, start: int, end: int) -> bool:
    """An address at an institution's domain, in a sentence about no patient or given as a colleague's."""
    return (not about_patient(sentence(text, start, end))
            or _COLLEAGUE_BEFORE.search(text, max(0, start - 40), start) is not None)


def _role_address(local: str, run_together: bool = False) -> bool:
    """A role word in the local part; at an institution's domain, also run together with another word
    ("familyliaison@", "cardiorota@"), which at a mailbox provider could be a person's name ("pressley@")."""
    words = {w for w in _LOCAL_WORDS.split(local.lower()) if w}
    return bool(words & (ROLE_WORDS | CLINICAL_NOUNS)) or run_together and any(
        r in w for w in words for r in _LONG_ROLE_WORDS if len(w) > len(r))


_LONG_ROLE_WORDS = tuple(w for w in ROLE_WORDS if len(w) >= 5) + ("liaison",)
# A colleague's or a team's work address: "email Dr Okafor at ...", "the coordinator, ...", "write to us at".
_COLLEAGUE_BEFORE = re.compile(
    r"(?i)\b(?:dr|prof|professor|consultant|registrar|nurse|sister|matron|coordinator|secretary|lead|manager|"
    r"colleague|me|us|team)\b[^.\n]{0,30}$"
)


def _personal_domain(domain: str) -> bool:
    """A mailbox provider anyone can sign up to: the address belongs to a person, not to an institution."""
    labels = domain.lower().split(".")
    return any(label in PERSONAL_MAIL_PROVIDERS for label in labels)


_DEPARTMENT_BEFORE = re.compile(
    r"(?i)\b(?:secretary|secretaries|reception|switchboard|department|dept|office|desk|helpline|hotline|"
    r"bookings?|appointments[ \t]+line|bleep|pager|on-?call|on[ \t]+call)\b[^.\n]{0,25}$"
)


_SERVICE_LINE = re.compile(
    r"(?i)\b(?:enquiries|enquiry|inquiries|helpline|hotline|switchboard|poison[ \t]+(?:control|centre|center)|"
    r"freephone|toll[- ]free|for[ \t]+professionals|"
    r"line|research[ \t]+(?:nurse|team|office)|trial[ \t]+(?:team|office|enquiries)|secretar(?:y|ies))\b"
)
# An institution's own telephone: a ward, a team, a centre, a rota ("Ward 7 phone is ...", "contact workforce on").
# Not for faxes: a fax number given as such is labelled whoever's it is.
_INSTITUTION = re.compile(
    r"(?i)\b(?:ward|unit|team|centre|center|clinic|workforce|roster|rota|support[ \t]+group|group|service|practice|"
    r"lab|laboratory|pharmacy|reception|bureau|hub|outreach|"
    r"nurse[ \t]+in[ \t]+charge|charge[ \t]+nurse|coordinator|office)\b"
)
_PERSONAL = re.compile(
    r"(?i)\b(?:pt|patient|wife|husband|son|daughter|mother|father|mum|mom|dad|carer|nok|next[ \t]+of[ \t]+kin|"
    r"relative|home|mobile|cell|landline|she|he|her|his|mr|mrs|ms|miss|family|partner|friend|parents?|"
    r"ehefrau|ehemann|tochter|sohn|mutter|vater|[ée]pouse|mari|fille|fils|esposa|esposo|hij[oa])\b"
)


# People have no extensions: "0113 392 0000 (ext 5412)" is an institution's switchboard.
_EXTENSION_AFTER = re.compile(
    r"[ \t]*(?:\([ \t]*)?(?:(?i:ext|extn|extension|x)\.?[ \t]*\d{2,6}\b"
    # "07700 900999 (team mobile)": a team's or a ward's own phone
    r"|(?i:team|ward|unit|department|dept|on-?call|bleep|duty)[ \t]+(?:mobile|phone|number|line)\b)")


def _department_number(text: str, start: int, end: int, fax: bool = False) -> bool:
    department = (_DEPARTMENT_BEFORE.search(text, max(0, start - 40), start) is not None
                  or _EXTENSION_AFTER.match(text, end) is not None)
    lines = (_SERVICE_LINE,) if fax else (_SERVICE_LINE, _INSTITUTION)
    if not department and all(rx.search(text, max(0, start - 60), end + 60) is None for rx in lines):
        return False  # the common case, decided without finding the sentence
    around = sentence(text, start, end)
    if PATIENT_EVENT.search(around) is not None:
        return False
    service = any(rx.search(around) is not None for rx in lines)
    return department or (service and _PERSONAL.search(around) is None)


def _is_fax(text: str, start: int, end: int) -> bool:
    """A fax cue just after the number, or in the 40 characters before it not overridden by a closer phone cue."""
    before = text[max(0, start - 40):start]
    fax = [m.end() for m in _FAX_CUE.finditer(before)]
    if _FAX_AFTER.match(text, end):  # "02 9555 0142 (fax)"
        return True
    if not fax:
        return False
    phone = [m.end() for m in _PHONE_CUE.finditer(before)]
    return not phone or fax[-1] > phone[-1]
