"""The words around a candidate that say whose it is: a patient's (admitted, DOB, lives at, her son), or
the public's (a rota, a conference, a guideline, a department). Several pattern families ask these
questions before they report a value whose shape alone does not make it PHI (a date, a street address, an
e-mail address, a full name)."""
from __future__ import annotations

import re

# A patient, their body, their care or their family is being talked about.
PATIENT = re.compile(
    r"(?i)\b(?:pt|pts|patient|patients|pat\.|consult|treated|treating|came[ \t]+in|brought[ \t]+in|delivered|"
    r"look(?:ed|ing)[ \t]+after|car(?:ed|ing)[ \t]+for|admitted|admission|readmitted|presented|presents|presenting|"
    r"discharged|dob|d\.o\.b|born|geboren|died|passed|deceased|onset|seen|saw|reviewed|consulted|referred|"
    r"fell|op|surgery|operated|scan|ct|mri|echo|biopsy|labs|bloods|results?|lives?|living|home|wohnt|"
    r"wife|husband|son|daughter|mother|father|mum|mom|dad|grandson|granddaughter|sister|brother|"
    r"family|carer|next[ \t]+of[ \t]+kin|nok|she|he|her|his|him|yo|y/o|year-old|years?[ \t]+old|"
    r"bed|bay|room|cubicle|ward|icu|ed|a&e|clinic|refuses|declined|started|given|giving|on[ \t]+\w+[ \t]+mg|"
    r"attender|frequent[ \t]+flyer|on[ \t]+our[ \t]+(?:unit|ward|floor|service|list)|"
    # a case under discussion is a patient: "Case conference: the ...", "this case"
    r"case[ \t]+(?:conference|presentation|discussion|write-?up)|(?:this|my|our)[ \t]+case|"
    # the same words in German, French and Spanish
    r"patientin|patiente|paciente|aufgenommen|vorgestellt|vorstellte|notaufnahme|station[äa]r|admise?|"
    r"hospitalis[ée]e?|ingres[óo]|ingresad[oa]|"
    r"(?:man|woman|lady|gentleman|guy|chap|bloke|boy|girl|infant|toddler|baby|child|kid|teen|teenager)[ \t]+with)\b"
    r"|\b\d{1,3}[ \t]?[MF]\b"
)
# A public event or an institution's own business: rotas, meetings, guidelines, holidays.
EVENT = re.compile(
    r"(?i)\b(?:rota|rotas|deadline|conference|congress|meeting|meetings|symposium|workshop|webinar|seminar|"
    r"lecture|talk|course|teaching|training|journal[ \t]+club|grand[ \t]+rounds|m&m|mdt[ \t]+meeting|"
    r"registration|register|abstracts?|exam|exams|guidelines?|guidance|published|publication|released|"
    r"release|launch|launches|update|updated|version|edition|holiday|holidays|strike|strikes|closed|"
    r"reopens|opens|starts|start[ \t]+date|changeover|audit|survey|venue|parking|revalidation|appraisal|"
    r"portfolio|applications?|submissions?|closes|staff|library|"
    r"society|college|association|newsletter|bulletin|swaps?|shifts?|on[ \t]+call|leave|study[ \t]+day|"
    r"referrals|department|dept|office|secretariat|enquiries|contact|email|e-mail|party|dinner|drinks|social|"
    r"session|sessions|event|events|interviews?|fellowship|simulation|welcome|joins|celebration|lunch|learn|"
    r"congratulations|congrats|farewell|retires|retirement|poster|posters|keynote|plenary|summit|asm|agm|"
    r"learning|postgraduate|education|educational|moves|moved|moving|relocates|relocated|entrance|policy|policies|protocol|effective|"
    r"our[ \t]+(?:new[ \t]+)?(?:(?:clinic|practice|office|unit|centre|center|department|site|hospital"
    r"|surgery)[ \t]+)?address|"
    r"graduat\w*|qualified|appointed|promoted|wedding|starts[ \t]+as|"
    r"open[ \t]+day|inspection|inspectorate|cqc|ranges|reference[ \t]+range|"
    r"will[ \t]+(?:visit|speak|present|talk|teach|join|arrive|lecture))\b"
)
EVENT_NAME = re.compile(r"\b(?!(?:NSW|VIC|QLD|TAS|ACT|NT|SA|WA)\b)[A-Z]{2,6}[ \t]?20[0-3]\d\b")
# Words that describe a patient event, closer than EVENT's generic ones: they keep a date a patient's.
PATIENT_EVENT = re.compile(
    r"(?i)\b(?:date[ \t]+of[ \t]+(?:birth|admission|death|discharge)|birth[ \t]*date|geburtsdatum|aufnahmedatum|"
    r"entlassungsdatum|admitted|admission|readmitted|(?:presented|presenting)(?![ \t]+(?:the|a|an|our|their|his|her"
    r"|this|at[ \t]+the)\b)|discharged|dob|d\.o\.b|born|geboren|"
    r"died|onset|seen|fell|op|surgery|operated|transfused|intubated|extubated|delivered|diagnosed|dx|dx['’]d|"
    r"since|she|he|her|his|him|aufnahme|aufgenommen|entlassen|operiert|verstorben|first[ \t]+admission|"
    r"last[ \t]+seen|symptoms?|lmp|edd|transplanted|"
    # the same events in German, French and Spanish ("stellte sich am 05.11. vor", "admise le 4 mars")
    r"vorgestellt|vorstellte|notaufnahme|patientin|admise?|hospitalis[ée]e?|né|n[ée]e|d[ée]c[ée]d[ée]e?|"
    r"ingres[óo]|ingresad[oa]|naci[óo]|nacid[oa]|falleci[óo]|paciente|patiente|ricoverat[oa]|dimess[oa]|"
    # a patient's relatives ("her son ... sits in bay 3 with her")
    r"son|daughter|wife|husband|mum|mom|dad|grandson|granddaughter|nok|"
    r"(?:pt|patient)(?![ \t]+(?:safety|experience|education|survey|forum|leaflets?|day|week|identification|information|"
    r"policy|feedback|groups?|liaison|portal|transport)\b))\b"
    r"|\b(?i:geb|b|z\.n)\.(?=[ \t]*\d)"
)
_PATIENT_EVENT_REACH = 40  # characters before a date in which a patient event claims it
_DATE_REACH = 50  # characters either side of a date searched for a patient, beside its sentence
# A patient's dates: their events, their results, their tags (PATIENT_EVENT's words and these).
_PATIENT_DATA = re.compile(
    r"(?i)\b(?:bloods|labs?|results?|scans?|ct|mri|echo|biopsy|ecg|ekg|cultures?|x-?ray|cxr|us|ogd|"
    r"colonoscopy|d/c|dc|discharge|readmission|readmitted|ed[ \t]+visit|review|reviewed|clinic[ \t]+visit|"
    r"visit|appointment|follow-?up|surgery|op|procedure|delivery|birthday|hb|cr|inr|trop|"
    r"crp|wcc|na|k|egfr|hba1c|psa|tsh|bnp|mg|iv|po|started|stopped|given|fever|pain|symptoms?|fell|fall|"
    r"died|death|passed|arrest|intubated|wife|husband|son|daughter|mother|father|family|nok|transplant|"
    r"seizure|stroke|bleed|fracture|diagnosis|presentation|recurrence|relapse|episode|injury|accident|"
    r"hospitali[sz]ed|treated|mrn|urn|dob|wristband)\b"
    r"|\b\d{1,3}[ \t]?[MF]\b"
)
# Just before a name: the person is a colleague, a speaker or an author, not a patient.
COLLEAGUE_BEFORE = re.compile(
    r"(?i)(?:\b(?:dr|doctor|prof|professor|sister|nurse|matron|consultant|registrar|resident|fellow|"
    # the rest of the staff, by their role: "Our ward clerk Nomvula"
    r"clerk|secretary|porter|receptionist|housekeeper|hca|administrator|coordinator|manager|volunteer|"
    r"colleague|educator|pharmacist|physio|midwife|thanks|thank[ \t]+you|by|with|speaker|author|cc|"
    r"from)\.?[ \t]+|@)$"
)
# A role just before a titled name: "The new CEO, Mr Thomas Doherty", "consultant surgeon Mr Patel".
ROLE_BEFORE = re.compile(
    r"(?i)\b(?:ceo|director|manager|chair(?:man|woman|person)?|president|secretary|treasurer|dean|editor|chief|"
    r"lead|head|surgeon|consultant|registrar|colleague|speaker|author)\.?,?[ \t]+(?:(?:Mr|Mrs|Ms|Miss|Dr"
    r"|Prof)\.?[ \t]+)?$"
)
# Just after a name: "from pharmacy says", "et al.", "'s talk".
COLLEAGUE_AFTER = re.compile(
    r"(?i)^(?:[ \t]+(?:from|of)[ \t]+(?:pharmacy|the[ \t]+\w+[ \t]+team|our|radiology|micro|it|ict|"
    r"admin|hr)\b|[ \t]+et[ \t]+al|['’]s[ \t]+(?:talk|lecture|paper|study|group|lab|team|book|cookbook|novel|article|"
    r"law|rule|sign|test|"
    r"manoeuvre|maneuver|method|criteria|classification|score)|-(?:style|like|type)\b"
    r"|[ \t]+from[ \t]+(?:the[ \t]+)?(?:finance|"
    r"payroll|estates|procurement|facilities|management|governance|education|research|security|catering|medical[ \t]+"
    r"staffing|switchboard|it|hr|admin|pharmacy|radiology|micro)\b|[ \t]+\((?:dr|"
    r"prof|consultant|registrar|pharmacist|nurse)|,[ \t]+(?:md|phd|frcp|mrcp|rn|np|pa)\b|"
    r",[ \t]+(?:(?:the|our|a)[ \t]+)?(?:new[ \t]+)?(?:consultant|registrar|surgeon|professor|lecturer|director|manager|"
    r"ceo|pharmacist|physio|gp|fellow|matron|educator)\b|[ \t]+(?:presented|"
    r"spoke|lectured|is[ \t]+on[ \t]+call|on[ \t]+call|covering|chairs?|will[ \t]+teach))"
)
_SENTENCE_END = re.compile(r"[.!?;\n]\s|\n")
# A sentence is looked for this far either side, so that a long text costs linear time, not quadratic.
_SENTENCE_REACH = 300


def sentence(text: str, start: int, end: int) -> str:
    """The sentence (or list line) around text[start:end], at most _SENTENCE_REACH characters either side."""
    floor = max(0, start - _SENTENCE_REACH)
    left = max((m.end() for m in _SENTENCE_END.finditer(text, floor, start)), default=floor)
    ceiling = min(len(text), end + _SENTENCE_REACH)
    right = _SENTENCE_END.search(text, end, ceiling)
    return text[left:right.start() + 1 if right else ceiling]


def patient_event_near(text: str, start: int, end: int) -> bool:
    """A patient event (admitted, born, fell, she...) in the sentence around the value."""
    return PATIENT_EVENT.search(sentence(text, start, end)) is not None


def about_patient(text: str) -> bool:
    return PATIENT.search(text) is not None


def public_event(text: str, start: int, end: int) -> bool:
    """The sentence around the value speaks of a public event or an institution, and not of a patient event.

    A possessive or object pronoun alone does not make the event a patient's ("presenting her audit"), nor does a
    case brought to a meeting make it a public event ("Case conference: the ...")."""
    around = sentence(text, start, end)
    if EVENT.search(around) is None and EVENT_NAME.search(around) is None or CASE_FRAME.search(around):
        return False
    return pronoun_only(window(text, max(start - _PATIENT_EVENT_REACH, text.rfind(around)), end + 20))


# A case brought to a meeting is a patient's: "Case conference: the ...", "Journal club case: the lady who ...".
CASE_FRAME = re.compile(
    r"(?i)\b(?:case[ \t]+(?:conference|presentation|discussion|write-?up)|(?:journal[ \t]+club|m&m|grand[ \t]+rounds"
    r"|mdt|teaching)[ \t]+case|case[ \t]+for[ \t]+(?:the[ \t]+)?(?:journal[ \t]+club|m&m|grand[ \t]+rounds|mdt"
    r"|teaching)"
    r"|(?:discussed|presented|brought)[ \t]+(?:\w+[ \t]+)?(?:at|to)[ \t]+(?:the[ \t]+)?(?:mdt|m&m|journal[ \t]+club"
    r"|grand[ \t]+rounds))\b"
)
# "presenting her audit", "she gave a talk on 3 May", "my daughter graduates": pronouns and the author's own family
# do not make a public event a patient's (a patient event word beside them still does: "she was admitted")
_PRONOUN = re.compile(r"(?i)her|his|him|she|he")
# ... but a person moving home is not an institution moving: "she moved to 300 W 12th St"
_HOME_MOVE = re.compile(r"(?i)[ \t]+(?:has[ \t]+|is[ \t]+|['’]s[ \t]+)?(?:moved|moving|relocated|lives|lived|living)\b")
_OWN_FAMILY = re.compile(r"(?i)\b(?:my|our)[ \t]+$")


def window(text: str, start: int, end: int) -> str:
    """text[start:end] widened to whole words, so that a cut word ("t|he new") never reads as another."""
    start, end = max(0, start), min(len(text), end)
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end]


def pronoun_only(text: str) -> bool:
    """The only patient events in `text` are possessive or object pronouns (or there are none)."""
    return all((_PRONOUN.fullmatch(m.group()) and not _HOME_MOVE.match(text, m.end()))
               or _OWN_FAMILY.search(text, max(0, m.start() - 4), m.start())
               for m in PATIENT_EVENT.finditer(text))


def no_patient_but_pronouns(text: str) -> bool:
    """Nothing in `text` speaks of a patient's events or data, bar possessive or object pronouns."""
    return pronoun_only(text) and _PATIENT_DATA.search(text) is None


def patient_date(text: str, start: int, end: int) -> bool:
    """The sentence around a date speaks of a patient (an event, a result, a relative), not of a public event."""
    around = sentence(text, start, end) + " " + window(text, start - _DATE_REACH, end + _DATE_REACH)
    about = PATIENT_EVENT.search(around) is not None or _PATIENT_DATA.search(around) is not None
    return about and not public_event(text, start, end)


def colleague(text: str, start: int, end: int) -> bool:
    """A name that the words around it make a colleague, speaker or author."""
    return COLLEAGUE_BEFORE.search(text, max(0, start - 24), start) is not None or colleague_by_role(text, start, end)


# Just before a titled name: "talk by Mr Whitfield", "thanks to Mrs Douglas", "welcome to Ms Ito" (a speaker, a
# colleague); not "accompanied by Mrs Ruiz" (a relative).
_COLLEAGUE_BEFORE_TITLE = re.compile(
    r"(?i)(?:\b(?:talk|lecture|presentation|session|seminar|webinar|slides|course|chaired|hosted|organised|organized|"
    r"led|run|given|written|edited|authored)[ \t]+by|\b(?:thanks|thank[ \t]+you|congratulations|congrats|"
    r"welcome|farewell|goodbye)(?:[ \t]+(?:to|for))?|\bspeaker:?|\bauthor:?|\bcc:?)[ \t]+$"
)


def colleague_titled(text: str, title_start: int) -> bool:
    """The words before a personal title make its bearer a speaker or a colleague."""
    return _COLLEAGUE_BEFORE_TITLE.search(text, max(0, title_start - 32), title_start) is not None


def colleague_by_role(text: str, start: int, end: int) -> bool:
    """A name given a role ("the new CEO, Mr Doherty"), a department ("Ms Al-Farsi from finance") or a work."""
    return (ROLE_BEFORE.search(text, max(0, start - 32), start) is not None
            or COLLEAGUE_AFTER.match(text[end:end + 40]) is not None)
