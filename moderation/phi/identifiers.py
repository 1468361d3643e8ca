"""Numbers that point at one person: SSNs, record/account/plan numbers, licences and devices.

Record and device numbers have no shape of their own, so they are found only after a cue
("MRN", "member ID", "pacemaker serial") and must look like an identifier (enough digits).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .context import about_patient, sentence
from .finding import Finding, make

_SSN_RX = re.compile(
    r"(?i:\b(?:SSN|SS\#|SS[ \t]?No\.?|social(?:[ \t]+security)?(?:[ \t]+(?:number|no\.?|\#))?))"
    r"[ \t]*(?:is[ \t]+)?[:#]?[ \t]*(?P<bare>\d{9}|\d{3}[- ]\d{2}[- ]\d{4})(?![\w-])"
    r"|(?<![\w.,/-])\d{3}(?P<sep>[- .])\d{2}(?P=sep)\d{4}(?![\w-]|[.,]\d)"
)

_NUM = r"(?:number|num|no\.?|\#|ID)"
_RECORD_CUE = (
    r"(?i:\b(?:MRN|MR[ \t]*(?:\#|number|no\.)|medical[ \t]+record(?:[ \t]+" + _NUM + r")?|record[ \t]*" + _NUM
    + r"|chart[ \t]*" + _NUM + r"|(?:hospital|hosp\.?|NHS|CHI|patient|pt|case)[ \t]*" + _NUM
    + r"|acct\.?(?:[ \t]*" + _NUM + r")?|account[ \t]*" + _NUM
    + r"|accession(?:[ \t]*" + _NUM + r")?|(?:member|subscriber|group|policy|claim)[ \t]*" + _NUM
    + r"|(?:medicare|medicaid)(?:[ \t]+beneficiary)?[ \t]*" + _NUM + r"|beneficiary[ \t]*" + _NUM
    + r"|MBI|health[ \t]*plan[ \t]*" + _NUM + r"|insurance[ \t]*" + _NUM
    + r"|(?:encounter|visit|admission|specimen|sample|lab|episode)[ \t]*" + _NUM
    + r"|(?:health|medicare|medicaid|insurance|member|benefits?|OHIP|care)[ \t]+card(?:[ \t]*" + _NUM + r")?"
    + r"|(?:UR|URN)[ \t]*" + _NUM
    # a UK hospital's unit number, a pharmacy's prescription number
    + r"|unit[ \t]*(?:number|no\.?)|(?:prescription|rx)[ \t]*" + _NUM + r"|RXN"
    + r"|CSN|FIN)(?![A-Za-z]))"
    # Cues that stand alone before the number: Australian UR/URN, Scottish CHI, NHS, German Fallnummer.
    r"|\b(?:UR|URN|CHI|NHS|PID|Fallnummer|Fall-Nr\.?|(?i:kranken)?[Vv]ersicherungsnummer"
    r"|(?i:kranken)?[Vv]ersichertennummer|KV-Nr\.?|Patientennummer|Pat\.-Nr\.?|(?i:account|acct)"
    # A specimen, an encounter, an accession or an episode followed straight by its number: "specimen S26-11873".
    r"|(?i:specimen|encounter|accession|episode|sample))(?=[ \t]*(?:(?:is|was)[ \t]+)?[:#]?[ \t]*[A-Z]{0,3}\d)"
)
_DEVICE_CUE = (
    r"(?:(?i:\b(?:serial(?:[ \t]*(?:number|num|no\.?|\#))?|device[ \t]*(?:ID|identifier|serial|"
    r"number|no\.?)|(?:driver['’]?s?|driving)[ \t]+licen[cs]e(?:[ \t]*(?:number|no\.?|\#))?"
    r"|licen[cs]e[ \t]*(?:plate[ \t]*)?(?:number|no\.?|\#)|licen[cs]e[ \t]+plate"
    r"|(?:reg|registration|number|car|vehicle)[ \t]+plate(?:[ \t]*(?:number|no\.?))?|plate[ \t]*(?:number|no\.?|\#)"
    r"|(?:car|vehicle|van|motorbike|bike)[ \t]+reg(?:istration)?(?:[ \t]*(?:number|no\.?|\#))?"
    r"|lot[ \t]*(?:number|no\.?|\#)|tag[ \t]*(?:number|no\.?|\#)|asset[ \t]+(?:tag|number|no\.?)|plate))"
    r"|\bS/N|\bSN\b|\bUDI\b|\bVIN\b|\bDL\b[ \t]*(?:\#"
    r"|no\.?|number)?"
    r"|(?i:\b(?:(?:pacemaker|icd|implant|pump|defibrillator|cgm|stent|prosthesis|valve|device|transmitter|sensor|"
    r"receiver|controller|generator|processor|hearing[ \t]+aid|monitor|reader|cpap|bipap|ventilator|"
    r"concentrator|machine|recorder|holter|tracker|watch)[ \t]+){1,2}"
    r"(?:id|serial|s/n|sn|number|no\.?)))"
)
# "Medicare number ends 4471 2": a number given by its ending is still the person's.
_GLUE = r"""[ \t]*,?[ \t]*(?:(?:is|was|ends|ending)(?:[ \t]+(?:in|with))?[ \t]+)?[:#=]{0,2}[ \t]*['"‘“]?"""
_RECORD_VALUE = r"(?P<rec>[A-Z0-9](?:[A-Z0-9]|[-/](?=[A-Z0-9])|[ ](?=[A-Z]{0,3}\d{3}))*)(?![a-z])"
_DEVICE_VALUE = r"(?P<dev>(?:\(\d{2}\))?[A-Z0-9]+(?:[-/ ][A-Z0-9]+){0,3})(?![a-z])"
# A GS1 unique device identifier: "(01)" and a 14-digit GTIN, then production data ("(17)231031(21)...").
_UDI_RX = re.compile(r"\(01\)[ \t]?\d{14}(?:[ \t]?\(\d{2}\)[ \t]?[A-Za-z0-9-]+)*")
# A professional registration given with its register: "registration GPhC 2084471", "GMC no. 7012345".
_REGISTER = r"(?:GMC|GPhC|NMC|HCPC|GDC|AHPRA|NPI|DEA|LANR|RPPS|ADELI|BIG)"
_REGISTRATION_RX = re.compile(
    rf"\b(?:{_REGISTER}|(?i:nursing|professional))(?:[ \t]*(?:number|no\.?|\#|registration|PIN))?"
    r"[ \t]*(?:is[ \t]+)?[:#]?[ \t]*(?P<value>[A-Z]{0,3}\d[\dA-Z]{5,9})\b"
    # the register after the number: "PIN 98A1234E (NMC)"
    rf"|\b(?P<after>[A-Z]{{0,3}}\d[\dA-Z]{{5,9}})[ \t]*\({_REGISTER}\)")
# A French social security number (NIR), spaced or not, after its cue.
_NIR_RX = re.compile(
    r"(?i:s[ée]curit[ée][ \t]+sociale|\bNIR\b|num[ée]ro[ \t]+de[ \t]+s[ée]cu)[^\d\n]{0,12}"
    r"(?P<value>[12][ \t]?\d{2}[ \t]?\d{2}[ \t]?(?:\d{2}|2[AB])[ \t]?\d{3}[ \t]?\d{3}(?:[ \t]?\d{2})?)\b")
# A device cue may name whose device it is before the value: "serial number on her pump reads 4471-PX",
# "Device ID for her CGM: 3MH00B2K8".
_WHOSE = r"(?:[ \t]+(?:on|of|for|from)[ \t]+(?:[\w'’-]+[ \t]+){0,3}?[\w'’-]+(?:[ \t]*:|[ \t]+(?:reads|is|was)\b))?"
_ID_RX = re.compile("(?:" + _RECORD_CUE + ")" + _GLUE + _RECORD_VALUE + "|" + _DEVICE_CUE + _WHOSE + _GLUE
                    + _DEVICE_VALUE)


def find_ssns(text: str) -> Iterator[Finding]:
    """Yield US Social Security numbers (formatted, or bare nine digits after a cue)."""
    for m in _SSN_RX.finditer(text):
        start = m.start("bare") if m.group("bare") else m.start()
        yield make("ssn", text, start, m.end(), "Social Security number")


# Cues that number a product batch or an asset, not a person's device, unless the sentence is about a patient.
_ENDING = re.compile(r"(?i)\bend(?:s|ing)\b")
_STOCK_CUE = re.compile(r"(?i)\b(?:lot|batch|asset|tag)\b")


def find_identifiers(text: str) -> Iterator[Finding]:
    """Yield record/account/plan numbers and licence/device identifiers that follow a cue."""
    for m in _ID_RX.finditer(text):
        if m.group("rec") is not None:
            value, start, end = m.group("rec"), m.start("rec"), m.end("rec")
            if _digits(value) >= 4 and (len(value) >= 5 or _ENDING.search(text, m.start(), start)):
                yield make("record_number", text, start, end, "record, account or plan number")
        else:
            value, start, end = m.group("dev"), m.start("dev"), m.end("dev")
            if _STOCK_CUE.search(text, m.start(), start) and not about_patient(sentence(text, start, end)):
                continue  # "Recall notice: lot number 4A7732 of the infusion sets": a product's batch, no one's
            if _looks_like_device_id(value):
                yield make("license_or_device_id", text, start, end, "licence or device identifier")


def find_device_shapes(text: str) -> Iterator[Finding]:
    """Yield identifiers whose shape alone says what they are: GS1 device identifiers and numbers on a
    professional register (in a post about a patient: a colleague's number is not the patient's)."""
    for m in _UDI_RX.finditer(text):
        yield make("license_or_device_id", text, m.start(), m.end(), "device identifier (UDI)")
    for m in _REGISTRATION_RX.finditer(text) if about_patient(text) else ():
        group = "value" if m.group("value") else "after"
        if _digits(m.group(group)) >= 5:
            yield make("license_or_device_id", text, m.start(group), m.end(group), "professional registration number")
    for m in _NIR_RX.finditer(text):
        yield make("record_number", text, m.start("value"), m.end("value"), "social security number (NIR)")


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _looks_like_device_id(value: str) -> bool:
    # Plates such as "KX19 ABC" have two digits; "12-lead" or "ECG" have too few.
    digits = _digits(value)
    letters = sum(c.isalpha() for c in value)
    return digits >= 3 or (digits >= 2 and letters >= 2)
