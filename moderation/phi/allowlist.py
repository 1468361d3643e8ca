"""Words and sites that look like identifiers but are clinical vocabulary or public references.

Kept as plain data so clinicians can extend it without touching the patterns.
All entries are lower case; callers compare with `str.lower()`.
"""
from __future__ import annotations

import re

# Surnames that name diseases, signs, scores and manoeuvres. After a cue such as "pt" or
# "named" they are treated as a name only when nothing clinical follows ("pt Wilson," is a
# person, "pt Wilson disease" is not); after Mr/Mrs/Ms they are always a person.
EPONYMS: frozenset[str] = frozenset("""
addison alport alzheimer apgar asperger babinski baker barr barre barré barrett bartter behcet
behçet bell billroth bishop blatchford boerhaave bosniak broca brown brudzinski brugada budd
burkitt caprini charcot cheyne chiari christmas chvostek churg cockcroft colles conn coxsackie
creutzfeldt crigler crohn cushing danlos dandy down dressler dubin duke dupuytren ehlers
eisenmenger ellison epstein ewing fabry fallot fanconi finkelstein fisher fleischner foley fontan
fournier framingham galeazzi ganong ganz gardner gaucher gault gilbert gitelman glasgow gleason
graves guillain hartmann hashimoto heimlich hirschsprung hodgkin holter homans horner hunter
huntington hurler jakob janeway jeghers kaplan kaposi kawasaki kernig kimmelstiel klinefelter
korsakoff kussmaul legg levine lewy light lown ludwig lyme lynch mallampati mallory marfan mayo
meckel meier monteggia munchausen murphy najjar niemann nissen osgood osler parkinson perthes
peutz phalen pick plummer pompe prinzmetal pugh quervain ranson raynaud reiter richmond roth
rotor roux sachs schlatter seldinger sequard séquard sezary sézary sjogren sjögren stokes
strauss swan takayasu takotsubo tay tietze tinel tourette trendelenburg trousseau turner
valsalva vinson virchow von waldenstrom waldenström wegener weil weiss wells wernicke whipple
white willebrand wilms wilson wolff zenker zollinger li-fraumeni calvé calve
""".split())

# Nouns that, right after an eponym, show it is used clinically.
CLINICAL_NOUNS: frozenset[str] = frozenset("""
disease syndrome sign signs palsy phenomenon score scale criteria criterion classification
lymphoma sarcoma tumor tumour fracture disorder anomaly pattern nodule nodes node murmur
reflex test manoeuvre maneuver procedure operation thyroiditis encephalopathy type crisis
ulcer cyst catheter triad rule formula equation lesions lesion spots breathing tear
""".split())

# Capitalised words that are not names: grammar, sentence openers, clinical and hospital
# words, days and months, drug brands. A name candidate stops at the first of these.
NOT_NAMES: frozenset[str] = frozenset("""
a about after again all also am an and any are as at be been before being both but by can
could did do does done during each either every for from had has have he her here hers him
his how i if in into is it its just let may me might more most much my no nor not now of
off on once only or other our out over per please same she should since so some still such
than that the their them then there these they this those though through to too under until
up upon very was we were what when where which while who whom why will with within without
would yes yet you your
name names named called number patient patients pt pts case cases today tomorrow yesterday
tonight morning evening night day days week weeks month months year years
monday tuesday wednesday thursday friday saturday sunday
january february march april june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
male female man woman men women boy girl baby infant child children adult adults elderly lady
gentleman guy gal kid teen teenager toddler neonate newborn
doctor doc dr nurse nurses team resident residents attending consultant registrar intern
fellow student students colleague colleagues staff surgeon physician pharmacist therapist
history hx plan assessment impression exam examination labs lab imaging meds medications
allergies allergy social family education safety health questionnaire controlled analgesia care
record records notes note portal information status advocate transport experience outcome
outcomes reported centered centred flow committee satisfaction identifier identification
admission admitted discharge discharged presented presents presenting seen given started
denies reports reported states says said complains noted found lives living came went
has had was is reviewed review update follow followup follow-up summary background question
hospital clinic ward unit department service emergency intensive ambulance theatre theater
radiology cardiology neurology nephrology oncology urology pharmacy surgery medicine
psychiatry pediatrics paediatrics obstetrics gynecology gynaecology dermatology gastro
endocrinology rheumatology hematology haematology pulmonology ortho orthopedics orthopaedics
anaesthesia anesthesia security rehab physio dialysis hospice palliative
positive negative normal abnormal stable unstable acute chronic severe mild moderate new old
left right bilateral anterior posterior inferior superior lateral medial
zero one two three four five six seven eight nine ten
thanks thank hi hello dear re fyi ok okay sorry quick update urgent help anyone thoughts
mr mrs ms mx sir prof told tell asked ask spoke rang phoned met saw visited informed updated reassured
explained discussed
ozempic wegovy mounjaro zepbound eliquis xarelto pradaxa savaysa lasix keppra lipitor crestor
januvia jardiance farxiga entresto humira keytruda opdivo tylenol advil motrin coumadin plavix
brilinta synthroid zoloft prozac lexapro seroquel ativan xanax valium narcan epipen lantus
humalog novolog tresiba victoza trulicity rybelsus dupixent stelara remicade entyvio skyrizi
augmentin cipro levaquin zosyn vancocin bactrim flagyl diflucan tamiflu paxlovid suboxone
medtronic biotronik dexcom omnipod resmed stryker baxter abbott philips azure
""".split())

# Multi-word eponyms whose words would otherwise read as a relation plus a name.
EPONYM_PHRASES = re.compile(
    r"\b(?:Sister\s+Mary\s+Joseph|Austin\s+Flint|Mother\s+Teresa|Lou\s+Gehrig|"
    r"Charles\s+Bonnet|Tommy\s+John|Jacksonian\s+March|Marcus\s+Gunn|Argyll\s+Robertson|"
    r"Arnold\s+Chiari|Bence\s+Jones|Wolff[\s-]+Parkinson[\s-]+White)\b"
)

# Public reference sites: links to them never point at a patient.
PUBLIC_DOMAINS: frozenset[str] = frozenset("""
doi.org dx.doi.org nejm.org ncbi.nlm.nih.gov pubmed.ncbi.nlm.nih.gov nih.gov nlm.nih.gov
mdcalc.com uptodate.com who.int cdc.gov fda.gov ema.europa.eu nice.org.uk escardio.org acc.org
ahajournals.org heart.org thelancet.com bmj.com jamanetwork.com wikipedia.org
clinicaltrials.gov radiopaedia.org medscape.com cochranelibrary.com idsociety.org
nature.com sciencedirect.com springer.com link.springer.com onlinelibrary.wiley.com
academic.oup.com annals.org atsjournals.org journals.lww.com gpnotebook.com dermnetnz.org
litfl.com emcrit.org statpearls.com guidelinecentral.com sign.ac.uk rcp.ac.uk
""".split())

# Hosts whose every file link is a private share.
FILE_SHARE_HOSTS: frozenset[str] = frozenset("""
drive.google.com docs.google.com dropbox.com www.dropbox.com box.com app.box.com
onedrive.live.com 1drv.ms sharepoint.com wetransfer.com we.tl icloud.com imgur.com ibb.co postimg.cc
photos.app.goo.gl photos.google.com flickr.com
""".split())

# Parts of a host name that say "clinical system" (matched at the start of a host label part).
CLINICAL_HOST_HINTS: tuple[str, ...] = (
    "pacs", "ehr", "emr", "epic", "cerner", "mychart", "powerchart", "meditech", "allscripts",
    "athenanet", "portal", "viewer", "imaging", "radiology", "pathology", "intranet", "chart",
    "patient", "dicom", "his", "ris", "lis",
)

# Path or query words that say "this link opens a patient's data".
PATIENT_PATH_HINTS: frozenset[str] = frozenset("""
patient patients patientid patient_id pid pt ptid mrn record records chart encounter
encounterid visit study studyuid accession accessionnumber case dicom wado labs results
report reports token
""".split())

# Host suffixes only reachable inside an organisation.
PRIVATE_TLDS: tuple[str, ...] = (
    ".local", ".internal", ".intranet", ".lan", ".corp", ".home", ".localdomain", ".intra",
)


def is_eponym(word: str) -> bool:
    """True if `word` (any case, possibly hyphenated) is made only of eponyms."""
    lowered = word.lower()
    if lowered in EPONYMS:
        return True
    parts = lowered.split("-")
    return len(parts) > 1 and all(p in EPONYMS for p in parts)

# Words in the local part of an institution's role address ("abstracts@", "cardiology.rota@").
ROLE_WORDS: frozenset[str] = frozenset("""
rota rotas abstract abstracts info information registration register teaching education secretariat
secretary journalclub office admin administration enquiries enquiry inquiries inquiry contact contacts
referral referrals dept department team noreply support desk helpdesk clinic unit service services
bookings booking reception residency events event congress conference meeting meetings hr it press media
news newsletter membership members editor editorial society college office mail post hello webmaster
training courses course exams exam program programme coordinator admissions switchboard duty oncall
ward wards manager managers lead matron sister charge nursing nurses doctors medical staff estates bank
""".split())

# Mailbox providers where anyone has an address (a person, not an institution).
PERSONAL_MAIL_PROVIDERS: frozenset[str] = frozenset("""
gmail googlemail yahoo ymail hotmail outlook live msn aol icloud me mac gmx web t-online freenet
bigpond optusnet proton protonmail pm tutanota mail yandex qq 163 orange wanadoo free btinternet sky
talktalk virginmedia ntlworld comcast verizon att sbcglobal cox xtra shaw rogers libero seznam wp onet
""".split())
