"""Person names, found only after a cue that says "this is a person": a title, the word
patient/pt, a family relation, "named"/"called", a clinical verb ("consulted on"), or an
age/sex tag ("Josefina Alvarez, 61F"). A bare capitalised word is never enough, which is
what keeps eponyms, trial names and drug brands quiet."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .allowlist import CLINICAL_NOUNS, EPONYM_PHRASES, NOT_NAMES, is_eponym
from .context import PATIENT_EVENT, about_patient, colleague, colleague_by_role, colleague_titled, sentence
from .finding import Finding, make
from .gazetteer import given_names, known_names, surnames

_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿĀ-ž"
# One name word: "Smith", "O'Connell", "McDonald", "Ramírez", "Li-Fraumeni".
TOKEN = rf"[{_UP}](?:['’][{_UP}])?[{_LO}]+(?:[{_UP}][{_LO}]+)?(?:-[{_UP}][{_LO}]+)?"
NAME_SEQ = rf"{TOKEN}(?:[ \t]+{TOKEN}){{0,2}}"
_FULL_NAME = rf"{TOKEN}(?:[ \t]+{TOKEN}){{1,2}}"
_TOKEN_RX = re.compile(TOKEN)

_TITLE = (r"(?:Mr|Mrs|Ms|Mx|Miss|Mister|Herr|Hr|Frau|Sr|Sra|Mme|Mlle|Señor|Señora|Signora|Signor|"
          # written in lower case in their own languages: "señora Ruiz", "madame Petit"
          r"se[ñn]or|se[ñn]ora|sra|signora|signor|madame|monsieur|mademoiselle|"
          # and capitalised, as at the start of a sentence: "Monsieur Traoré refuse"
          r"Madame|Monsieur|Mademoiselle|Signorina|Do[ñn]a)")
# A word for a person, after which a name set off in brackets or by a comma is that person's
_PERSON_NOUN = (r"(?i:gentleman|gent|lady|man|woman|boy|girl|chap|guy|bloke|fella|fellow|lad|lass|kid|teen|teenager|"
                r"toddler|infant|baby|youngster|student|pt|patient)")
_RELATION = (
    r"(?i:wife|husband|spouse|partner|fianc[eé]e?|girlfriend|boyfriend|son|daughter|mother|"
    r"father|mum|mom|dad|brother|sister|aunt|uncle|niece|nephew|cousin|grandson|"
    r"granddaughter|grandmother|grandfather|grandma|grandpa|granny|gran|grandad|granddad|nana|auntie|aunty|"
    r"stepson|stepdaughter|stepfather|stepmother|guardian|carer|"
    r"caregiver|neighbour|neighbor|flatmate|housemate|roommate|lodger|landlord|landlady)"
)
_VERB = (
    r"(?:[Cc]onsulted[ \t]+on|[Ss]aw|[Ss]een|[Aa]dmitted|[Ff]ollowing[ \t]+up[ \t]+on|"
    r"[Rr]eferred|[Dd]ischarged|[Ss]poke[ \t]+(?:to|with)|[Mm]et|[Rr]eviewed|[Tt]reating|"
    r"[Cc]aring[ \t]+for|[Ll]ooking[ \t]+after|[Tt]ransferred|[Ss]eeing|[Ee]xamined|[Vv]isited|[Ss]coped|"
    r"[Oo]perated[ \t]+on|(?:[Gg]oing[ \t]+to[ \t]+)?(?:see|visit))"
)
_AGE_SEX = r"\d{1,3}[ \t]?(?:yo[ \t]?|y/o[ \t]?)?[MF]\b"

_NAME_RX = re.compile(
    # Mr/Mrs/Ms + name, or a newborn's "Baby Girl Martinez": always a person.
    rf"\b(?:{_TITLE}\b\.?(?![ \t]*(?:Dr|Prof|Doktor|Professor|Dott|Docteur|Doctor)\b)|[Bb]aby(?:[ \t]+(?:[Gg]irl"
    rf"|[Bb]oy))?)[ \t]+(?:and[ \t]+{_TITLE}\.?[ \t]+)?(?:[{_UP}](?:\.[ \t]*|[ \t]+(?=[{_UP}][{_LO}])))?"
    rf"(?P<n_title>(?:(?:van|von|der|den|de|da|di|du|la|le|el|al|bin|ibn|ter|ten)[ \t]+){{0,2}}{NAME_SEQ})"
    # A title and an initial alone: "Mrs B is 92", "Mr K. in bed 4"
    rf"|\b(?:Mr|Mrs|Ms|Miss|Herr|Frau|Mme)\.?[ \t]+(?P<n_tinit>[{_UP}])\b\.?(?![\w'’-])"
    # patient/pt (+ is/named/:) (+ title incl. Dr) + name.
    rf"|\b(?:[Pp]t|[Pp]atient|PATIENT|[Pp]aciente|[Pp]atientin|[Pp]atiente|Pat(?=\.))\b\.?(?:['’]s)?[ \t]*"
    rf"(?:,|:|\bis\b|\bnamed\b|\bcalled\b)?"
    rf"[ \t]*(?:(?:Dr|{_TITLE})\.?[ \t]+)?(?P<n_pt>{NAME_SEQ})"
    # relation (+ named/is) + name: "his wife Maria", "The son, Kevin".
    rf"|\b{_RELATION}(?:-in-law)?(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:pt|patient))?(?:['’]s)?\b,?"
    rf"(?:[ \t]+(?:(?:is|was|named|called)[ \t]+|\()?|[ \t]*\()(?P<n_rel>{NAME_SEQ})"
    # named/called/"name:" + name.
    rf"|\b(?:named|called|[Nn]ame(?:[ \t]+is|[ \t]*:)|NAME[ \t]*:|(?i:surname|last[ \t]+name|first[ \t]+name|"
    rf"given[ \t]+name|forename)[ \t]*:?)[ \t]*(?P<n_named>{NAME_SEQ})"
    # A patient's initials, given as such: "pt initials MK", "initials: J.R.T."
    rf"|\b(?i:initials)[ \t]*(?:are[ \t]+|is[ \t]+)?:?[ \t]*"
    rf"(?P<n_inits>[{_UP}]\.?[ \t]?[{_UP}]\.?(?:[ \t]?[{_UP}]\.?)?)(?![\w])"
    # An initial and a surname after the patient cue: "pt: K. Obi / 88F".
    rf"|\b(?:[Pp]t|[Pp]atient)\b[ \t]*:?[ \t]*(?P<n_initial>[{_UP}]\.[ \t]*{TOKEN})"
    rf"|\b(?:[Pp]t|[Pp]atient)\b[ \t]*:?[ \t]*(?P<n_ptinits>[{_UP}]\.[ \t]?[{_UP}]\.(?:[ \t]?[{_UP}]\.)?)"
    # A name with the relation in brackets: "Miriam (daughter) says".
    rf"|(?P<n_relp>{NAME_SEQ})[ \t]*\((?:his|her|their|the|my|our|pt['’]s)?[ \t]*(?:{_RELATION}|pt|patient)\)"
    rf"|(?P<n_whop>{NAME_SEQ})[ \t]*\((?i:the|our|my)[ \t]+(?:(?i:young|old|little|elderly)[ \t]+)?{_PERSON_NOUN}\b"
    # A given name opening a sentence, then what happens to patients: "Harold was discharged today"
    rf"|(?:(?m:^)|(?<=[.!?:;][ \t]))(?:(?:Young|Little|Baby|Old)[ \t]+)?"
    rf"(?P<n_subj>{TOKEN})(?=[ \t]+(?:was|is|has[ \t]+been|got|went)[ \t]+(?:discharged|"
    rf"admitted|readmitted|transferred|intubated|extubated|home|back|seen|reviewed|sent[ \t]+home)\b"
    rf"|[ \t]+(?:pulled[ \t]+out|self-discharged|absconded|desaturated|spiked|(?:has|had)[ \t]+pulled[ \t]+out)\b)"
    # A full name, then an age in brackets: "Teresa Nowak (72) has a new AF"
    rf"|\b(?P<n_agep>{_FULL_NAME})(?=[ \t]*\(\d{{1,3}}\))"
    # A name whose GP, bloods or family are spoken of: "Yolanda's GP", "Arthur's INR".
    rf"|(?P<n_poss>{TOKEN})['’]s[ \t]+(?=(?i:GP|bloods|labs|meds|chart|notes|results|scan|CT|MRI|echo|INR|"
    rf"family|{_RELATION}|NOK|discharge|surgery|bed|room|"
    rf"potassium|sodium|obs|wound|drain|catheter|line|sats|saturations|BP|HR|sugars?|glucose|creatinine|Hb|"
    rf"temp|temperature|fever|breathing|oxygen|cannula|PEG|NG|stoma|parents|partner|kids|children)\b)"
    # A known given name with a relative of theirs: "tell Jamal and his mum", "Sofia and her dad"
    rf"|\b(?P<n_withrel>{TOKEN})(?=[ \t]+and[ \t]+(?:his|her|their)[ \t]+{_RELATION}\b)"
    # A person word, then a given name (known to the gazetteer): "our lady Margery", "this gentleman Desmond"
    rf"|\b(?i:our|this|that|my|the)[ \t]+(?i:lady|gentleman|gent|man|woman|chap|fellow|boy|girl|regular|frequent"
    rf"[ \t]+flyer)[ \t]+(?P<n_noun>{TOKEN})"
    # "re" and a name the gazetteer knows: "Quick question re Gunther Schreiber:", "RE: Okafor, the MRI is booked"
    rf"|\b(?:re|Re|RE)\b:?[ \t]+(?P<n_re>{NAME_SEQ})(?=[ \t]*[:,—–-])"
    # Endearment before a given name, as on a ward: "our little fighter Sofia", "brave little Max"
    # ("Dear Sarah," opens a letter to a colleague: not an endearment)
    rf"|\b(?i:little|brave|lovely|sweet|beloved|favourite|favorite)[ \t]+"
    rf"(?:(?i:fighter|warrior|man|lady|girl|boy|one|guy|superstar|star)[ \t]+)?"
    rf"(?P<n_dear>{TOKEN})"
    # Mourning a patient: "RIP Georgina", "R.I.P. Mr Lowe"
    rf"|\b(?:RIP|R\.I\.P\.?)[ \t]+(?:{_TITLE}\.?[ \t]+)?(?P<n_rip>{NAME_SEQ})"
    # A family by its surname: "the Patels", "told the Hendersons"
    rf"|\b[Tt]he[ \t]+(?P<n_family>{TOKEN})s\b(?=[ \t]+(?:\(|came|were|are|have|had|both|family|brought|asked|"
    rf"want|said|told|agreed|declined|refused|arrived|left|their)\b)"
    # A patient's results or care "for" a person: "Bloods for Kaur:", "consent for Ms Ito".
    rf"|\b(?i:bloods|labs|results|obs|notes|scans?|imaging|meds|consent|referral|discharge[ \t]+summary|"
    rf"TTO|handover|update|news)[ \t]+(?:for|on)[ \t]+(?P<n_data>{NAME_SEQ})"
    # A name set off after a word for a person: "this gentleman — Desmond, a retired", "Teenager, Jayden, 15".
    rf"|\b(?i:gentleman|gent|lady|man|woman|boy|girl|teenager|teen|toddler|infant|chap|guy|bloke|lad|lass|"
    rf"grandad|granddad|grandpa|grandma|granny)(?:[ \t]+in[ \t]+\w+)?[ \t]*[,—–:-][ \t]*(?P<n_appos>{NAME_SEQ})"
    rf"(?=[ \t]*[,—–(-])"
    # A name followed by the words that make it the patient's: "Abdul, the pt with the LVAD".
    rf"|(?P<n_then>{NAME_SEQ}),[ \t]+(?=(?:the|our|my)[ \t]+(?:pt|patient|lady|gentleman|man|woman|guy|boy|girl|regular"
    rf"|"
    rf"\d{{1,3}}[ \t-]*(?:year|yo\b|y/o|month|week|day))|an?[ \t]+\d{{1,3}}[ \t-]*(?:year|yo\b|y/o|month|week|day))"
    # Dr + name only when the text says the doctor is the patient.
    rf"|\bDr\.?[ \t]+(?P<n_dr>{NAME_SEQ})"
    rf"(?=,?[ \t]+(?:is|was)[ \t]+(?:now[ \t]+)?(?:my|our|a|the)[ \t]+patient)"
    # A given name and a surname's initial, the way ward lists shorten them, after a clinical verb or opening a list
    # item: "Reviewed Tomasz W. in clinic", "2) Gérard L. - post-TURP"
    rf"|(?:\b{_VERB}[ \t]+|(?:(?m:^)|(?<=[\s(]))(?:\d{{1,2}}[.)]|[-*•])[ \t]*|(?m:^)|(?<=:[ \t]))"
    rf"(?P<n_short>{TOKEN}[ \t]+[{_UP}]\.)(?=[ \t]*(?:[-–—:,(]|$|[a-z]))"
    # A clinical verb + a lone name, then when or where: "I saw Oluwaseun again today" (not "saw Monday's list")
    rf"|\b{_VERB}[ \t]+(?P<n_verbwhen>{TOKEN})(?=[ \t]+(?:again|today|yesterday|this[ \t]+(?:morning|afternoon|evening)"
    rf"|last[ \t]+night|overnight|in[ \t]+(?:clinic|ED|A&E|resus|the[ \t]+ward)|on[ \t]+the[ \t]+ward|at[ \t]+home)\b)"
    # A clinical verb + a full name: "Consulted on Josefina Alvarez".
    rf"|\b{_VERB}[ \t]+(?P<n_verb>{NAME_SEQ})"
    # A full name introduced by its age: "Yusuf Sørensen is a 22-year-old with PE".
    rf"|\b(?P<n_isage>{_FULL_NAME})(?=[ \t]+(?:is|was)[ \t]+an?[ \t]+\d{{1,3}}[ \t-]*(?:year|yo\b|y/o|-?month))"
    # A name tagged with age and sex: "Josefina Alvarez, 61F", "Joanna (31F)", "77M (Harold)".
    rf"|\b(?P<n_tagged>{_FULL_NAME})(?=,?[ \t]*{_AGE_SEX})"
    rf"|\b(?P<n_tagp>{NAME_SEQ})(?=[ \t]*\({_AGE_SEX}\))"
    rf"|\b{_AGE_SEX}[ \t]*\((?P<n_paren>{NAME_SEQ})\)"
)
_CLINICAL_AFTER = re.compile(r"['’]s?|[ \t]+([a-z]+)")
# "Pt Hb 7.9", "Mother Hb 10.2", "Pt Ca 2.9": a short word followed by a value is an analyte.
_VALUE_AFTER = re.compile(r"[ \t]*[:=<>]?[ \t]*\d")

_REASONS = {
    "title": "name after a personal title",
    "inits": "a patient's initials",
    "tinit": "a title and an initial",
    "withrel": "name of a person with a relative",
    "dear": "given name of a patient",
    "noun": "given name of a patient",
    "re": "name of a person whose care is discussed",
    "whop": "name of a person introduced as a patient",
    "subj": "given name of a patient",
    "agep": "name tagged with an age",
    "rip": "name of a patient who died",
    "family": "surname of a patient's family",
    "pt": "name of the patient",
    "rel": "name of a relative or carer",
    "named": "name introduced as a name",
    "dr": "name of a doctor who is the patient",
    "verb": "full name of a person seen or treated",
    "tagged": "name tagged with age and sex",
    "isage": "name of a person introduced with their age",
    "tagp": "name tagged with age and sex",
    "paren": "name tagged with age and sex",
    "data": "name of a person whose results or care are discussed",
    "appos": "name of a person introduced as a patient",
    "then": "name of a person introduced as a patient",
    "initial": "name of the patient",
    "short": "given name and initial of a patient",
    "ptinits": "a patient's initials",
    "verbwhen": "name of a person seen or treated",
    "relp": "name of a relative or carer",
    "poss": "name of a person whose care is discussed",
}
# Cues after which only the title's own grammar words stop a name: "Mrs. Graves" is a person.
_TRUSTED = frozenset({"title"})
_TITLE_STOPS = frozenset("and the or rm room bed bay cubicle zimmer bett ward resus in on at".split())
_MIN_WORDS = {"verb": 2, "tagged": 2, "isage": 2}
# Cues too loose to trust with any capitalised word: the word must be a known given name or surname.
_GAZETTEER_ONLY = {"withrel": given_names, "dear": given_names, "noun": given_names, "subj": given_names,
                   "family": surnames}
# Cues loose enough that the words around must not make the person a colleague.
_LOOSE = frozenset({"dear", "noun", "subj", "whop", "agep", "re", "short", "verbwhen"})
# A family that did what only patients' families do may be named by any surname: "The Okonkwos came in together".
# What happens only to patients makes any name-shaped subject a patient: "Awhina was discharged today",
# "Thandiwe pulled out her NG again" (names the gazetteer does not hold).
_ONLY_PATIENTS = re.compile(
    r"[ \t]+(?:(?:was|has[ \t]+been|got)[ \t]+(?:discharged|admitted|readmitted|intubated|extubated)|pulled[ \t]+out"
    r"[ \t]+(?:his|her|their)|self-discharged|absconded|desaturated)\b")
_NOT_SUBJECTS = frozenset("someone somebody nobody everyone everybody anyone anybody mum dad baby".split())
_FAMILY_AS_PATIENTS = re.compile(r"[ \t]+(?:came[ \t]+in|were[ \t]+(?:admitted|brought|seen|transferred)|brought)\b")


def find_names(text: str) -> Iterator[Finding]:
    """Yield names of patients and their relatives introduced by a cue word."""
    shields = [m.span() for m in EPONYM_PHRASES.finditer(text)]
    pos = 0
    while (m := _NAME_RX.search(text, pos)) is not None:
        cue = (m.lastgroup or "n_").removeprefix("n_")
        if cue in ("inits", "tinit", "ptinits"):
            span = m.span(f"n_{cue}")  # letters, not name words: nothing to trim
        elif cue == "short":  # a given name and an initial: the name word must not be a clinical one ("Vitamin D.")
            first = m.group("n_short").split()[0]
            span = m.span("n_short") if _plain_word(first) and not is_eponym(first) else None
        elif cue in ("re", "agep") and not any(w.lower() in known_names() for w in m.group(f"n_{cue}").split()):
            span = None
        elif (cue in _GAZETTEER_ONLY and m.group(f"n_{cue}").lower() not in _GAZETTEER_ONLY[cue]()
              and not (cue == "subj" and _ONLY_PATIENTS.match(text, m.end()) and _plain_word(m.group("n_subj"))
                       and m.group("n_subj").lower() not in _NOT_SUBJECTS)
              and not (cue == "family" and _FAMILY_AS_PATIENTS.match(text, m.end()))):
            span = None
        else:
            span = None if cue == "rel" and _nursing_title(text, m.start()) else _accepted_span(text, m, cue)
        if cue == "title" and span and (colleague_by_role(text, *span) or colleague_titled(text, m.start())
                                        or entertainment(text, m.start(), span[1])):
            span = None
        if cue in _LOOSE and span and colleague(text, *span):
            span = None  # "our lovely Sarah from pharmacy"
        if span and not any(s < span[1] and span[0] < e for s, e in shields):
            yield make("name", text, span[0], span[1], _REASONS[cue])
            pos = m.end()
        else:
            # Resume inside the rejected candidate: "Saw Mrs. Okafor" must still reach "Mrs".
            pos = max(m.start(f"n_{cue}"), m.start() + 1)


# Shows, films and books: a titled name in their sentence is a character, unless a patient event is there too.
# Not "film": on a clinical post it is a radiograph ("chest film of Mr. John Smith").
_ENTERTAINMENT = re.compile(
    r"(?i)\b(?:telly|tv|television|movie|movies|show|sitcom|cartoon|panto|pantomime|series|episode|"
    r"netflix|books?|novel|jokes?|character|characters|cinema|puppet|puppets)\b")


def entertainment(text: str, start: int, end: int) -> bool:
    around = sentence(text, start, end)
    return _ENTERTAINMENT.search(around) is not None and PATIENT_EVENT.search(around) is None


def _accepted_span(text: str, m: re.Match[str], cue: str) -> tuple[int, int] | None:
    """Trim the candidate at the first non-name word; None if nothing name-like is left."""
    words = list(_TOKEN_RX.finditer(text, m.start(f"n_{cue}"), m.end(f"n_{cue}")))
    if cue in _TRUSTED:
        kept = _take_while(words, lambda w: w.lower() not in _TITLE_STOPS)
    else:
        kept = _take_while(words, _plain_word)
        if kept and cue != "dr" and _used_clinically(text, kept):
            return None
    if len(kept) < _MIN_WORDS.get(cue, 1) and not (len(kept) == 1 and kept[0].group().lower() in given_names()):
        return None
    if len(kept[0].group()) <= 3 and len(kept) == 1 and _VALUE_AFTER.match(text, kept[0].end()):
        return None
    return kept[0].start(), kept[-1].end()


# "Sister Reid is on call": a nurse's title, unless someone's sister ("her Sister Reid" is rare, "his sister").
_TITLE_CASE_RELATION = re.compile(r"(?:Sister|Brother)\b")
_OF_PATIENT = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?(?:pt|patient)\b", re.IGNORECASE)
_POSSESSIVE_BEFORE = re.compile(r"(?i)\b(?:his|her|their|my|your|the|a|pt['’]?s|patient['’]?s|whose)[ \t]+$")


def _nursing_title(text: str, start: int) -> bool:
    title = _TITLE_CASE_RELATION.match(text, start)
    return (title is not None and _OF_PATIENT.match(text, title.end()) is None
            and _POSSESSIVE_BEFORE.search(text, max(0, start - 16), start) is None)


def _plain_word(word: str) -> bool:
    lowered = word.lower()
    return lowered not in NOT_NAMES and lowered not in CLINICAL_NOUNS


def _take_while(words: list[re.Match[str]], ok) -> list[re.Match[str]]:
    kept = []
    for w in words:
        if not ok(w.group()):
            break
        kept.append(w)
    return kept


def _used_clinically(text: str, kept: list[re.Match[str]]) -> bool:
    """An eponym followed by 's or a clinical noun ("Parkinson's", "Down syndrome")."""
    if not is_eponym(kept[0].group()):
        return False
    after = _CLINICAL_AFTER.match(text, kept[-1].end())
    if after is None:
        return len(kept) == 1 and not _ends_clause(text, kept[-1].end())
    return after.group(1) is None or after.group(1) in CLINICAL_NOUNS


def _ends_clause(text: str, pos: int) -> bool:
    rest = text[pos:pos + 2].lstrip(" \t")
    return not rest or rest[0] in ",.;:)—–-"


# People by their shape, where the words around say they are the patient:
# - beside another identifier of theirs: "Bett 19: Nkechi Takahashi", "Aoife Achterberg, bed 7",
#   "Edith Rossi, chart #8399";
# - a known name tagged with an age at the start of a line: "Kaur, 97 yrs", "Whitfield, age 95";
# - in a post about a patient, a known given name or surname in a full name: "Gwen Okafor is a 27-year-old".
# Never a colleague, speaker or author by the words around (context.colleague), never an eponym phrase.
_BESIDE_RX = re.compile(
    rf"(?i:\b(?:bed|bett|zimmer|room|rm|bay|cubicle|side[ \t]?room"
    rf"|resus)\.?[ \t]*\d{{1,4}}[A-Za-z]?)[ \t]*[:–—-]?[ \t]+"
    rf"(?P<occupant>{NAME_SEQ})\b"
    rf"|(?<![\w.@'’-])(?P<beside>{_FULL_NAME}|{TOKEN}(?=[ \t]+(?:in|from)[ \t]+))(?![\w'’-])"
    rf"(?=,?[ \t]*(?:\(|in[ \t]+|from[ \t]+|-[ \t]+)?(?i:bed|room|rm|bay|cubicle|zimmer|bett|resus|"
    rf"side[ \t]?room|mrn|ur|urn|nhs|chi|dob|d\.o\.b|chart|medical[ \t]+record|hospital[ \t]+n|medicare|medicaid|"
    rf"insurance|member[ \t]+id|ssn|age[ \t]|aged|acct|account|fallnummer|ninety|turned)\b"
    rf"|,?[ \t]*(?i:mr[ \t]*\#|acct[ \t]*\#)"
    rf"|,?[ \t]*\(?\d{{1,3}}[ \t]?(?:[MF]\b|yo\b|y/o|yrs?\b|years?\b)|,[ \t]*\d{{1,3}}[ \t]*,)"
)
_SPELLED_AGE = (
    r"(?i:(?:aged?[ \t]+|turned[ \t]+)?(?:ninety|(?:one|a)[ -]hundred)[\w -]{0,12}?(?:years?|birthday|-year))"
)
# An age said outright after the name, not a bare number ("Kaur, 97" needs the gazetteer to know Kaur).
_EXPLICIT_AGE = re.compile(
    rf"[ \t(]*(?:(?i:aged?|turned)[ \t]+\d{{1,3}}\b|\d{{1,3}}(?:st|nd|rd|th)?[ \t-]?(?i:y\b|yo\b|y/o|yrs?\b|years?\b|"
    rf"year|birthday|J\.|J\b)|{_SPELLED_AGE})"
)
_TAGGED_RX = re.compile(
    rf"(?:(?m:^)|[:;—–(]|[.!?][ \t]|[ \t]-)[ \t]*(?:[-*•]|\d+\.)?[ \t]*(?:(?:Little|Baby|Young)[ \t]+)?"
    rf"(?P<tagged>{TOKEN})(?P<initial>[ \t]+[{_UP}]\.)?(?:,[ \t]*|[ \t]+\(?)"
    rf"(?=(?i:aged?[ \t]+|turned[ \t]+)\d{{1,3}}\b|\d{{1,3}}(?:st|nd|rd|th)?[ \t-]?(?:[MFJ]\b|J\.|y|yrs|years|birthday)"
    rf"|{_SPELLED_AGE}"
    rf"|(?<=\()[1-9]\d{{0,2}}\)|(?<=\()[MF],[ \t]*\d{{1,3}}\)|(?<=\()\d{{1,3}},[ \t]*[MF]\)|(?<=,)[ \t]*\d{{1,3}}[,)])"
)
_FULL_RX = re.compile(rf"(?<![\w.@'’-]){TOKEN}[ \t]+(?:[{_UP}]\.[ \t]+)?{TOKEN}(?:[ \t]+{TOKEN})?(?![\w@])")
_NOT_PEOPLE = frozenset("""
sister nurse matron charge doctor professor dr prof st saint mount lake fort port san santa university hospital
royal college clinic ward unit general county memorial room rooms theatre theater suite hall centre center building
wing block lab seminar lecture library school temp tmax t mean median average
way street road avenue drive close crescent court boulevard convention mr mrs ms miss mx
town city village island valley springs heights hills beach falls harbour harbor creek river county
""".split())


def find_known_names(text: str) -> Iterator[Finding]:
    """Yield names known by their place beside the patient's other identifiers, or by the gazetteer."""
    shields = [m.span() for m in EPONYM_PHRASES.finditer(text)]
    for m in _BESIDE_RX.finditer(text):
        start, end = m.span(m.lastgroup or "beside")
        words = _take_while(list(_TOKEN_RX.finditer(text, start, end)), _plain_word)
        if len(words) == 1 and _opens_sentence(text, start) and words[0].group().lower() not in known_names():
            continue  # "Meeting in room B104"
        if words and _person_like(text, start, words[-1].end(), shields):
            yield make("name", text, start, words[-1].end(), "name beside the patient's other identifiers")
    for m in _TAGGED_RX.finditer(text):
        start, end = m.span("tagged")
        tag = (_sex_tagged(text, end) or _AGE_IN_BRACKETS.match(text, end) is not None or m.group("initial")
               or (text[end:end + 1] == "," and _EXPLICIT_AGE.match(text, end + 1) is not None))
        if _person_like(text, start, end, shields) and (tag or m.group("tagged").lower() in known_names()):
            yield make("name", text, start, end, "name tagged with an age")
    if not about_patient(text):
        return
    for m in _FULL_RX.finditer(text):
        words = m.group().split()
        known = words[0].lower() in given_names() or words[-1].lower() in surnames()
        if known and _person_like(text, m.start(), m.end(), shields):
            yield make("name", text, m.start(), m.end(), "name of a person in a post about a patient")


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 3):start].rstrip(" \t")
    return not before or before[-1] in ".!?:;\n"


def _person_like(text: str, start: int, end: int, shields: list[tuple[int, int]]) -> bool:
    words = [w.lower() for w in _TOKEN_RX.findall(text, start, end)]
    return (bool(words) and all(_plain_word(w) and w not in _NOT_PEOPLE for w in words)
            and not colleague(text, start, end) and not any(s < end and start < e for s, e in shields))


_AGE_IN_BRACKETS = re.compile(r"[ \t]+\((?:[1-9]\d{0,2}|[MF],[ \t]*\d{1,3}|\d{1,3},[ \t]*[MF])\)")
_SEX_TAG = re.compile(r",?[ \t]+\d{2,3}[ \t]?[MF]\b")


def _sex_tagged(text: str, end: int) -> bool:
    return _SEX_TAG.match(text, end) is not None
