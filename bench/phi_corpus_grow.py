"""Grow the PHI development corpus (tests/data/phi_dev.jsonl) with posts composed from hand-written templates.

The first part of phi_dev.jsonl is hand-written; this script appends composed posts after the marker line
count it finds (it rewrites only what it appended before, so running it twice gives the same file). Templates
are written in several styles (terse ward shorthand, long narratives, non-native English, UK/Australian/German
formats, lists, quoted lab results) and include hard negatives written on purpose. Labels follow
moderation/phi/LABELLING.md: a template's kinds are those of the identifier slots it uses.

Never point this at the held-out corpus. Run: python bench/phi_corpus_grow.py
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "phi_dev.jsonl"
HAND_WRITTEN = 1864  # hand-written lines (the first corpus, then thirteen probes); the rest is rebuilt by this script
SEED = 20261207

GIVEN = ("Maria John Aoife Siobhan Priya Mehmet Kevin Olga Tomasz Fatima Jamal Ingrid Ahmed Lucia Hiroshi "
         "Chidi Margaret Dorothy Walter Harold Edith Nkechi Bartholomew Gwen Rafael Yusuf Agnieszka Sven "
         "Leilani Dmitri Beatriz Graham Ruth Declan Thandiwe Wei Anjali Farid Helga Joaquín Bronwyn Ewan").split()
SURNAMES = ("Okafor Nguyen Müller Kowalczyk Haddad Takahashi Smith O'Brien MacLeod Rossi Fernández Schmidt "
            "Adeyemi Johansson Papadopoulos Kaur Singh Ivanova Dubois Van der Berg Hughes Whitfield Abernathy "
            "Mbeki Castellanos Lindqvist Novak Horvath Brennan Achterberg Oyelaran Petrakis Quigley Romero "
            "Delacroix Fitzgerald Yamamoto Osei Kapoor Hakimi Sørensen").replace("Van der Berg", "Vandenberg").split()
COLLEAGUES = ["Dr Patel", "Dr. Chen", "Prof Alvarez", "Dr Okonjo", "Sister Reid", "Dr Murphy", "Prof. Lindqvist",
              "Dr Hughes", "Charge Nurse Baker", "our registrar Tom", "Dr K. Osei"]
DX = ["NSTEMI", "new AF", "HFrEF", "DKA", "urosepsis", "CAP", "PE", "cellulitis", "AKI on CKD3", "COPD exacerbation",
      "hip #", "NOF fracture", "upper GI bleed", "SAH", "delirium", "hyponatraemia", "pyelonephritis", "SBO",
      "anaphylaxis", "status epilepticus", "HHS", "TIA", "GBS", "Graves disease", "Addisonian crisis",
      "Cushing's", "Parkinson's with falls", "Crohn's flare", "Still's disease", "Bell's palsy"]
DRUGS = ["apixaban", "Eliquis", "metoprolol", "Lasix 40 mg IV", "ceftriaxone 2 g", "amiodarone", "insulin glargine",
         "tazocin", "vanc", "Keppra 500 mg BD", "prednisolone 40 mg", "digoxin", "Entresto", "warfarin", "heparin gtt"]
LABS = ["Na 124", "K 6.1", "Cr 312 (baseline 110)", "Hb 71", "trop 1840 ng/L", "lactate 4.2", "INR 5.8",
        "eGFR 23", "CRP 287", "WCC 18.2", "Plt 41", "pH 7.18, HCO3 11", "BNP 3400", "ALT 1203", "TSH <0.01",
        "HbA1c 97 mmol/mol", "glucose 38 mmol/L", "procalcitonin 12", "ferritin 4500", "Mg 0.4"]
TOWNS = ["Ballarat", "Leeds", "Tromsø", "Dubbo", "Oban", "Freiburg", "Duluth", "Galway", "Whanganui", "Truro"]


def given() -> str:
    return random.choice(GIVEN)


def surname() -> str:
    return random.choice(SURNAMES)


def age(low: int = 19, high: int = 88) -> int:
    return random.randint(low, high)


def sex() -> str:
    return random.choice("MF")


_WORDS = {90: "ninety", 91: "ninety-one", 92: "ninety-two", 93: "ninety-three", 94: "ninety-four",
          95: "ninety-five", 96: "ninety-six", 97: "ninety-seven", 98: "ninety-eight", 99: "ninety-nine",
          100: "one hundred", 101: "a hundred and one", 102: "one hundred and two"}


def age90() -> str:
    n = random.randint(90, 102)
    return random.choice([
        f"{n}yo", f"{n} yo", f"{n}-year-old", f"{n} y/o", f"{n}{sex()}", f"aged {n}", f"age {n}",
        f"{_WORDS[n]}-year-old", f"{_WORDS[n]} years old", f"{n} years of age", f"{n} yrs",
        f"{_ordinal(n)} birthday", f"turned {n}", f"{n}J.",
    ])


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


MONTHS = "January February March April May June July August September October November December".split()
DE_MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()


def pdate() -> str:
    d, m, y = random.randint(1, 28), random.randint(1, 12), random.randint(1940, 2026)
    mon = MONTHS[m - 1]
    return random.choice([
        f"{m}/{d}/{y}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y % 100:02d}", f"{d:02d}.{m:02d}.{y}",
        f"{y}-{m:02d}-{d:02d}", f"{d} {mon}", f"{d} {mon[:3]} {y}", f"{mon} {d}", f"{mon} {_ordinal(d)}",
        f"{_ordinal(d)} {mon}", f"the {_ordinal(d)} of {mon}", f"{d}-{mon[:3]}-{y}", f"{d}. {DE_MONTHS[m - 1]} {y}",
        f"{mon[:3]} {d}, {y}", f"{d}/{m}",
    ])


def event_date() -> str:
    d, m = random.randint(1, 28), random.randint(1, 12)
    return random.choice([f"{d} {MONTHS[m - 1]}", f"{MONTHS[m - 1]} {d}", f"{d}/{m}/2026", f"{d:02d}.{m:02d}.2026",
                          f"{MONTHS[m - 1][:3]} {d}", f"{_ordinal(d)} {MONTHS[m - 1]}"])


def phone() -> str:
    r = random.randint
    return random.choice([
        f"({r(201, 989)}) {r(200, 999)}-{r(1000, 9999)}", f"{r(201, 989)}-{r(200, 999)}-{r(1000, 9999)}",
        f"07{r(100, 999)} {r(100000, 999999)}", f"0{r(113, 191)} {r(200, 999)} {r(1000, 9999)}",
        f"+44 7{r(700, 999)} {r(100000, 999999)}", f"04{r(10, 99)} {r(100, 999)} {r(100, 999)}",
        f"(0{r(2, 8)}) {r(1000, 9999)} {r(1000, 9999)}", f"+61 4{r(10, 99)} {r(100, 999)} {r(100, 999)}",
        f"+49 {r(30, 89)} {r(1000000, 9999999)}", f"0{r(30, 89)} {r(10000000, 99999999)}",
        f"+1 {r(201, 989)} {r(200, 999)} {r(1000, 9999)}", f"{r(201, 989)}.{r(200, 999)}.{r(1000, 9999)}",
    ])


def email() -> str:
    g, s = given().lower().replace("í", "i").replace("ø", "o"), surname().lower().replace("'", "").replace("ü", "ue")
    g, s = re.sub(r"[^a-z]", "", g), re.sub(r"[^a-z]", "", s)
    return random.choice([f"{g}.{s}{random.randint(1, 99)}@gmail.com", f"{g[0]}{s}@yahoo.co.uk",
                          f"{s}.{g}@hotmail.com", f"{g}_{s}@outlook.com", f"{g}{random.randint(60, 99)}@bigpond.com",
                          f"{s}{g[0]}@gmx.de", f"{g}.{s}@icloud.com"])


def ssn() -> str:
    a, b, c = random.randint(1, 999), random.randint(0, 99), random.randint(0, 9999)
    return random.choice([f"{a:03d}-{b:02d}-{c:04d}", f"{a:03d} {b:02d} {c:04d}"])


def mrn() -> str:
    n = random.randint(1000000, 99999999)
    return random.choice([f"MRN {n}", f"MRN: {n}", f"MR# {n}", f"hospital no. {n}", f"UR {n}", f"URN {n}",
                          f"NHS number {random.randint(400, 499)} {random.randint(100, 999)} "
                          f"{random.randint(1000, 9999)}",
                          f"acct #{n}", f"medical record number {n}", f"Fallnummer {n}", f"chart #{n}",
                          f"member ID XK{n}",
                          f"Medicare no. {random.randint(2000, 6999)} {random.randint(10000, 99999)} 1",
                          f"CHI {random.randint(100000, 311299)}{random.randint(1000, 9999)}"])


def device() -> str:
    r = random.randint
    return random.choice([f"pacemaker serial PJN{r(100000, 999999)}H", f"ICD S/N {r(10000000, 99999999)}",
                          f"driver's licence D{r(1000, 9999)}-{r(1000, 9999)}-{r(10, 99)}",
                          f"plate {random.choice('ABCKLMX')}{random.choice('ABCKLMX')}{r(10, 99)} "
                          f"{random.choice(['KDE', 'LMN', 'XYZ'])}",
                          f"VIN 1HGCM{r(10000, 99999)}A{r(100000, 999999)}", f"pump serial {r(100000, 999999)}",
                          f"licence no. {r(10000000, 99999999)}", f"device ID DX-{r(10000, 99999)}"])


def label_name() -> str:
    """A name as a label prints it and OCR reads it: capitals, often surname first."""
    g, last = given().upper(), surname().upper()
    return random.choice([f"{last}, {g}", f"{last} {g}", f"{last}, {g} {random.choice('ABJKMR')}", f"{last},{g}",
                          f"{g} {last}"])


def age90_said() -> str:
    """An age of 90 or more said in a sentence: "will be 95 next month", "is in her 97th year"."""
    n = random.randint(90, 102)
    return random.choice([f"will be {n} next month", f"turns {_WORDS[n]} on Sunday", f"is {_WORDS[n]}",
                          f"is in her {_ordinal(n)} year", f"was {_WORDS[n]} last week", f"is now {n}",
                          f"(aged {n})", f"reached {n} this year", f"will be {_WORDS[n]} soon"])


def intl_phone() -> str:
    r = random.randint
    return random.choice([
        f"+33 6 {r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}", f"0{r(30, 89)}/{r(1000000, 9999999)}",
        f"02 {r(8000, 9999)} {r(1000, 9999)}", f"+41 44 {r(100, 999)} {r(10, 99)} {r(10, 99)}",
        f"0044 7700 {r(100000, 999999)}", f"01{r(51, 79)} {r(1000000, 99999999)}",
        f"(03) {r(8000, 9999)} {r(1000, 9999)}",
        f"+353 87 {r(100, 999)} {r(1000, 9999)}", f"+91 98{r(100, 999)} {r(10000, 99999)}",
        f"+61 3 {r(8000, 9999)} {r(1000, 9999)}", f"0{r(400, 499)} {r(100, 999)} {r(100, 999)}",
    ])


def intl_addr() -> str:
    r = random.randint
    return random.choice([
        f"{r(1, 99)} rue des {random.choice(['Lilas', 'Roses', 'Écoles'])}, 750{r(10, 20)} Paris",
        f"Am {random.choice(['Mühlbach', 'Hang', 'Anger'])} {r(1, 40)}, 8{r(1000, 9999)} Germering",
        f"Flat {r(1, 9)}, {r(1, 99)} Marine Parade, Brighton BN2 {r(1, 9)}TL",
        f"{r(1, 99)} Banksia Cres, Dubbo NSW 2830", f"{r(100, 9999)} Elm Street, Apt {r(1, 9)}B, Springfield, IL 62704",
        f"via {random.choice(['Roma', 'Garibaldi', 'Verdi'])} {r(1, 150)}, 00184 Roma",
        f"{random.choice(['Schiller', 'Goethe', 'Bahnhof'])}str. {r(1, 90)}, 70173 Stuttgart",
        f"{r(1, 40)}/{r(1, 200)} Jacaranda Street, Toowong QLD 4066",
        f"{r(1, 99)} Rosebery Gardens, Edinburgh EH12 5DQ",
        f"{r(1, 300)} Beach Road, Manly NSW 2095",
    ])


def media_url() -> str:
    r = random.randint
    return random.choice([f"https://youtu.be/aB{r(1000, 9999)}xY", f"https://vimeo.com/{r(100000000, 999999999)}",
                          f"https://imgur.com/a/Xk{r(100, 999)}fQ", f"https://photos.app.goo.gl/Hq{r(1000, 9999)}Kp",
                          f"https://postimg.cc/gallery/x{r(100, 999)}yz"])


def uniq_more() -> str:
    return random.choice([
        "the only female firefighter in the county", "the captain of the national rugby team",
        "the goalkeeper for the city's football club", "the sole survivor of the house fire on Main Street",
        "the man who survived the plane crash in the harbour", "the principal of the local high school",
        "the bishop of our diocese", "a woman with a tattoo of her ex-husband's name on her forehead",
        "the only vet in our town", "a famous tennis player", "the lead singer of a band everyone knows",
    ])


def caps_header() -> str:
    return random.choice([
        "CHEST PA. LEFT LOWER LOBE CONSOLIDATION", "AP ERECT  R  SCALE 10 cm", "CT HEAD WITHOUT CONTRAST",
        "DEPT OF CARDIOLOGY - ECHO REPORT", "SMITH AND NEPHEW", "ABBOTT ARCHITECT", "JOHNS HOPKINS", "MAYO CLINIC",
        "PATIENT IDENTIFICATION POLICY", "NAME / DOB / MRN", "FRONT DESK CLOSED 12-2", "LEAD II  V1  V2",
        "SPECIMEN TYPE SERUM  PRIORITY URGENT", "GRAHAM STEELL", "WARD 7 HANDOVER SHEET",
    ])


def public_ref() -> str:
    r = random.randint
    return random.choice([
        f"doi:10.1056/NEJMoa{r(1000000, 2999999)}", f"PMID: {r(20000000, 39999999)}", f"NCT0{r(1000000, 5999999)}",
        f"ISRCTN{r(10000000, 99999999)}", f"EudraCT 20{r(10, 25)}-00{r(1000, 9999)}-{r(10, 99)}",
        f"https://www.nice.org.uk/guidance/ng{r(100, 240)}", f"https://www.escardio.org/Guidelines/20{r(18, 26)}",
        f"https://www.youtube.com/watch?v=ab{r(10, 99)}CD", f"https://pubmed.ncbi.nlm.nih.gov/{r(20000000, 39999999)}/",
        f"https://www.uptodate.com/contents/{random.choice(['hyponatremia', 'sepsis', 'syncope'])}",
    ])


def dept_line() -> str:
    r = random.randint
    return random.choice([f"0113 {r(200, 399)} {r(1000, 9999)}", f"+44 20 7188 {r(1000, 9999)}", "1-800-222-1222",
                          f"0300 {r(100, 999)} {r(1000, 9999)}", f"+49 761 270 {r(1000, 9999)}",
                          f"(02) 9{r(100, 999)} {r(1000, 9999)}"])


def purl() -> str:
    r = random.randint
    return random.choice([f"https://drive.google.com/file/d/1x{r(10000, 99999)}AbCd/view",
                          f"https://pacs.{random.choice(['stmarys', 'royalfree', 'mercy'])}.org"
                          f"/viewer?study={r(100000, 999999)}",
                          f"https://www.dropbox.com/s/{r(10000, 99999)}/echo_clip.mp4",
                          f"http://10.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}/ris/report/{r(1000, 9999)}",
                          f"https://mychart.example-health.org/patient/{r(10000, 99999)}"])


def ip() -> str:
    r = random.randint
    return random.choice([f"10.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}", f"192.168.{r(0, 255)}.{r(1, 254)}",
                          f"172.{r(16, 31)}.{r(0, 255)}.{r(1, 254)}", f"fe80::{r(1000, 9999)}:{r(10, 99)}ff"])


def addr() -> str:
    r = random.randint
    street = random.choice(["Maple", "Acacia", "Station", "Church", "Victoria", "Kingfisher", "Elm", "Jacaranda"])
    return random.choice([f"{r(1, 9999)} {street} Ave", f"{r(1, 200)} {street} Road, Leeds LS{r(1, 20)} {r(1, 9)}AB",
                          f"{r(1, 30)}/{r(1, 200)} {street} St, Fitzroy VIC 3065",
                          f"{street}straße {r(1, 120)}, 79098 Freiburg",
                          f"Flat {r(1, 40)}, {r(1, 99)} {street} Close", f"{r(10, 999)} {street} Drive, Apt {r(1, 30)}",
                          f"postcode M{r(1, 40)} {r(1, 9)}PL", f"{r(1, 99)} {street} Crescent, Dubbo NSW 2830",
                          f"{street}weg {r(1, 60)}", f"{r(100, 9999)} {street} Street"])


def bed() -> str:
    r = random.randint
    return random.choice([f"bed {r(1, 30)}", f"room {r(100, 999)}", f"bay {r(1, 6)} bed {r(1, 6)}",
                          f"side room {r(1, 12)}",
                          f"ICU bed {r(1, 20)}", f"cubicle {r(1, 14)}", f"Rm {r(1, 40)}", f"Zimmer {r(1, 40)}",
                          f"Ward 7B bed {r(1, 28)}", f"resus {r(1, 4)}", f"Bett {r(1, 30)}"])


def uniq() -> str:
    return random.choice([
        f"the mayor of {random.choice(TOWNS)}", "the town's only pharmacist", "a Premier League striker",
        "the woman who won last week's lottery", "the man with the dragon tattoo across his face",
        "one of the conjoined twins born here last spring", "the local TV weather presenter",
        "an Olympic rowing medallist", f"the only dentist in {random.choice(TOWNS)}", "the sitting MP for our area",
        "the guy from the bus crash in yesterday's news", "a well-known celebrity chef",
        f"the head teacher of {random.choice(TOWNS)} primary", "the quintuplets' mother",
    ])


def inst_email() -> str:
    return random.choice(["cardiology.rota@nhs.net", "abstracts@esc2026.org", "info@medsoc.org.au",
                          "registration@acp-meeting.org", "ed-teaching@stmarys.nhs.uk", "secretariat@dgim.de",
                          "journalclub@uni-freiburg.de", "gp-education@racgp.org.au", "residency.office@mercy.org"])


def venue_addr() -> str:
    return random.choice(["1 Royal College Street", "200 Convention Way", "Robert-Koch-Platz 7, 10115 Berlin",
                          "150 George Street, Sydney NSW 2000", "11 St Andrews Place, London NW1 4LE",
                          "4 Hospital Road", "1200 Conference Center Drive"])


SLOT_KINDS = {"PT_FIRST": "name", "PT_LAST": "name", "PT_FULL": "name", "REL": "name", "PDATE": "date",
              "AGE90": "age_over_89", "PHONE": "phone", "FAX": "fax", "EMAIL": "email", "SSN": "ssn",
              "MRN": "record_number", "DEVICE": "license_or_device_id", "PURL": "url", "IP": "ip_address",
              "ADDR": "address", "BED": "facility_location", "UNIQ": "other_unique",
              "LABEL_NAME": "name", "CAPS_LAST": "name", "AGE90S": "age_over_89", "IPHONE": "phone",
              "IADDR": "address", "MURL": "url", "UNIQ2": "other_unique"}

FILLERS = {
    "PT_FIRST": given, "PT_LAST": surname, "PT_FULL": lambda: f"{given()} {surname()}", "REL": given,
    "PDATE": pdate, "AGE90": age90, "PHONE": phone, "FAX": phone, "EMAIL": email, "SSN": ssn, "MRN": mrn,
    "DEVICE": device, "PURL": purl, "IP": ip, "ADDR": addr, "BED": bed, "UNIQ": uniq,
    "AGE": lambda: str(age()), "SEX": sex, "DX": lambda: random.choice(DX), "DRUG": lambda: random.choice(DRUGS),
    "LAB": lambda: random.choice(LABS), "LAB2": lambda: random.choice(LABS), "COLL": lambda: random.choice(COLLEAGUES),
    "EDATE": event_date, "IEMAIL": inst_email, "VENUE": venue_addr, "TOWN": lambda: random.choice(TOWNS),
    "SURN": surname, "GIVEN": given,
    "LABEL_NAME": label_name, "CAPS_LAST": lambda: surname().upper(), "AGE90S": age90_said, "IPHONE": intl_phone,
    "IADDR": intl_addr, "MURL": media_url, "UNIQ2": uniq_more, "CAPS": caps_header, "REF": public_ref,
    "DEPTLINE": dept_line,
}

# Posts with identifiers, in several styles. {SLOT} is filled; the kinds are the slots' kinds.
PHI_TEMPLATES = """
{PT_LAST} {AGE}{SEX} {DX}. {LAB}, {LAB2}. plan: {DRUG}, r/v AM
{BED}: {PT_FULL}, {DX}, NBM from midnight
{BED} - {DX}, {LAB}, on {DRUG}. pls review
{BED}: {AGE}{SEX} {DX}, febrile overnight, {LAB}. ?step down
Handover: {BED} {DX} stable; {BED} new {DX}, {LAB}
Mrs {PT_LAST} {BED} - spiked again, cultures sent
{AGE90} lady, {DX}, lives alone, family want everything done. Thoughts on ceiling of care?
{AGE90}, {DX}, on {DRUG}. Would you anticoagulate?
Had a lovely chat today with a {AGE90} former teacher with {DX}; still sharp as anything
She celebrated her {AGE90} on the ward with {DX}, staff brought cake
Pt turned {AGE90} last week and now {DX}. Frailty score 6
Admitted {PDATE} with {DX}, {LAB}. Not improving on {DRUG}
DOB {PDATE}, {DX}, {LAB}. Anyone seen this pattern?
He was first seen on {PDATE} with {DX} and came back today with {LAB}
Onset of symptoms {PDATE}, presented 48h later with {DX}
Op date {PDATE}; post-op day 3 now with {DX}
Discharged {PDATE}, readmitted with {DX}, {LAB}
Geboren am {PDATE}, Aufnahme wegen {DX}. {LAB}. Was würdet ihr machen?
Patient was admitted in {PDATE} with {DX}, we are giving {DRUG} but {LAB} still
Wife {REL} asks if he can go home for the weekend. {DX}, {LAB}
His daughter {REL} called asking about the biopsy result
The son, {REL}, is the carer and he is very worried about the {DX}
{PT_FULL} ({AGE}{SEX}) with {DX} - need advice on {DRUG} dosing
Pt {PT_FIRST} keeps pulling out her lines. {DX}. Any tips?
I saw {PT_FULL} again today, {DX} not settling on {DRUG}
Reviewed {PT_FULL} in ED, {LAB}, started {DRUG}
Consulted on {PT_FULL}, {AGE}{SEX}, {DX}
Patient name: {PT_FULL}. {DX}. {LAB}
{PT_FULL}, {AGE}{SEX}, {DX} — should we scope tonight?
My patient {PT_FIRST} {PT_LAST} has {DX} and wants to fly next week, is it safe?
Mr {PT_LAST} in {BED} refuses {DRUG}, capacity assessment done
Miss {PT_LAST} again, third time this month with {DX}
Baby {PT_LAST} 34/40, RDS, on CPAP
Patient's mother {REL} {PT_LAST} is asking for a second opinion on {DX}
Please ring the family on {PHONE} re {DX}, they are not answering the ward phone
Daughter's mobile {PHONE}, she wants update after the scan
Contact no. for next of kin: {PHONE}
Pt's number is {PHONE} if anyone at the fracture clinic can call him
Fax the discharge summary to {FAX} (GP surgery fax) please
fax {FAX} — referral for {DX}
Family email {EMAIL} — they want the echo report
Patient emailed me from {EMAIL} about her {DX} results, how do I reply securely?
SSN {SSN} on the referral letter, is that normal?
Insurance form has his social security number {SSN}, who do I send it to
Her card says {SSN}, billing needs it for the {DX} admission
{MRN} - {DX}, please review the CT
{MRN}, {AGE}{SEX}, {DX}, {LAB}
Can someone look at {MRN}? {DX}, {LAB}
Pt details: {MRN}, {DX}
New {DEVICE} after the recall, {DX} since
His {DEVICE} was flagged in the recall list, {DX}
Car {DEVICE} parked in the ambulance bay again, it belongs to the patient in {BED}
Her echo is here {PURL} — {DX}, thoughts on the MR?
Uploaded his CT to {PURL}, {DX}, is that a dissection?
Images: {PURL} (pt with {DX})
Viewer on {IP} has the pt's MRI, {DX}
His scans are on the PACS box at {IP}, can someone look
Lives at {ADDR} with his wife, {DX}, can't manage stairs
Home address {ADDR}, community team to visit re {DX}
Pt from {ADDR} brought in by neighbour, {DX}
Sie wohnt {ADDR}, allein, {DX}
Treated {UNIQ} today for {DX}, please keep it quiet
You'll know him — {UNIQ} — admitted with {DX}
Saw {UNIQ} in clinic with {DX}, media already calling
{UNIQ} came in with {DX} after the match
Patient is {UNIQ}, {DX}, how do we handle press enquiries?
Can I get some help? Patient {PT_LAST} ({AGE}{SEX}) came to us on {PDATE} with {DX}. \
We did give {DRUG}, but the {LAB}. His wife {REL} is very upset. What would you do next?
Long one, sorry. {PT_FULL} is a {AGE}-year-old with {DX}. First admission {PDATE}. \
Since then: {LAB}, {LAB2}. Lives at {ADDR}. Family reachable on {PHONE}. \
I am not sure whether to push for surgery or keep going with {DRUG}.
Summary for the MDT:\n- {PT_FULL}, {MRN}\n- {DX}, {LAB}\n- plan: {DRUG}
Bloods for {PT_LAST}: {LAB}, {LAB2}. Repeat in AM
"{LAB}, {LAB2}" — lab just phoned these for {PT_FULL}, {BED}
Labs ({PDATE}): {LAB}, {LAB2}. {DX}
Anyone know why {PT_FIRST} {PT_LAST} in {BED} would have {LAB} on {DRUG}?
{AGE90}, {BED}, {DX}. Family on {PHONE}
Pls chase echo for {MRN} ({BED})
Grandson {REL} says she fell on {PDATE}, {DX} since
Pt ({PT_FULL}, {AGE90}) declined admission, {DX}
The {AGE90} gentleman in {BED} has {DX}, not for resus
{PT_LAST}, {AGE90}. {DX}. DNACPR in place
Dear all, how to manage {DX} in patient {PT_FULL}? He is {AGE} years and has {LAB}. \
We give {DRUG} since {PDATE} without effect. Thank you for help.
In our hospital the patient Mr {PT_LAST} has {DX}, {LAB}. Please what is your opinion
Patient born {PDATE}, {DX}, we do not know the dose of {DRUG} for him
Ward round list:\n1. {BED} {PT_LAST} — {DX}\n2. {BED} {PT_LAST} — {LAB}\n3. {BED} — {DX}, for TTO
{LABEL_NAME}  DOB {PDATE}  {MRN}
NAME: {LABEL_NAME}\nDOB: {PDATE}\nSTUDY: CT ABDOMEN
Screenshot from the EHR: Pt: {LABEL_NAME} ({MRN}) - look at the {LAB} trend
Wristband reads {LABEL_NAME}, {MRN}, please check before transfusing
ECG header: {LABEL_NAME}  {AGE}Y {SEX}  DOB {PDATE}  HR 112
PATIENT: {LABEL_NAME}   D.O.B. {PDATE}   WARD 6A
label on the film says {LABEL_NAME}, AP erect, R marker. What do you make of the {DX}?
The handwritten label says Mr {CAPS_LAST} but the barcode says someone else, incident form filed
My patient {AGE90S} and has {DX}, family want everything done
Lovely lady who {AGE90S}, here with {DX}, on {DRUG}
He {AGE90S} and still drives; now {DX}
Pt {AGE90S}. {DX}. Not for escalation
Daughter's number {IPHONE}, she lives abroad, please update her about the {DX}
NOK: wife, tel {IPHONE}
Pt's mobile {IPHONE}, prefers texts, {DX}
Home: {IADDR}, lives alone, {DX}
Discharge address {IADDR}; district nurses to visit re {DX}
Ambulance picked her up at {IADDR}, {DX}
Video of her seizure (family filmed it): {MURL}
Photos of his wound here {MURL}, {DX} or just cellulitis?
Our patient is {UNIQ2}, admitted with {DX}, please be discreet
Pt is {UNIQ2}; {DX}; media already outside
""".strip().splitlines()

# Clean posts, many of them hard negatives on purpose.
CLEAN_TEMPLATES = """
{AGE}{SEX} {DX}, {LAB}, {LAB2}. ?{DRUG}
{AGE}yo {DX}, on {DRUG}, {LAB}. Would you escalate?
Grand rounds moved to {EDATE}, same room
Rota for {EDATE} is out, swaps to {IEMAIL} please
Abstract deadline {EDATE}; send to {IEMAIL}
Journal club {EDATE}: new guideline on {DX}. Venue {VENUE}
Conference {EDATE} at {VENUE}, registration via {IEMAIL}
The ESC guideline update out on {EDATE} changes how we treat {DX}
Teaching in Seminar Room 3 on {EDATE}, topic {DX}
{COLL} is on call tonight for {DX} queries
Thanks to {COLL} for a great talk on {DX}
{COLL} presented our {DX} audit at the regional meeting on {EDATE}
Graves disease with {LAB}: block and replace or RAI?
Cushing's workup: {LAB}, next step?
Parkinson's patients on {DRUG} - any interaction with the new antiemetic?
Bell's palsy: steroids alone or add antivirals?
Will start {DRUG} tomorrow if {LAB} improves
Grace score 168, {DX}, {LAB}. Cath today?
May need dialysis if {LAB} persists
Mark the site before theatre, always
Hope someone can help: {DX} with {LAB}
Faith in the old {DX} pathway is low on our unit
Rose 2 points on the frailty scale after admission for {DX}
Echo: EF 35%, {DX}. Start {DRUG}?
Troponin {LAB} in {DX} - type 2 MI?
Lasix infusion vs boluses in {DX}?
Sodium {LAB}: how fast to correct?
Chest pain pathway question: {LAB} at 0h and 3h
Normal CT, {LAB}, still {DX}?
Positive blood cultures in {DX}, {DRUG} enough?
Ward 7 has 28 beds and 2 nurses tonight
ICU is full, 4 beds closed
Bay 3 needs a cleaner, not a patient issue
Over 90s are a growing share of our {DX} admissions
Aged 90+, {DX}: evidence is thin
In her nineties and {DX}: how aggressive would you be?
90-day mortality after {DX} was 12% in our audit
Sats 93% on 2L, {DX}, {LAB}
95% CI 0.71-0.93 for {DRUG} in {DX}
Weight on the 99th centile, {DX}
Dose: 5-10-20 mg titration of {DRUG}
Meeting at 14:30 in Room 4 about the {DX} pathway
Review in 6/52 with repeat {LAB}
SOB for 3/7, {DX}, {LAB}
BP 182/104, HR 112, {DX}
Our department email is {IEMAIL} for referrals about {DX}
Send your cases to {IEMAIL} before {EDATE}
Course venue: {VENUE}. Parking limited
New NICE guidance published {EDATE} on {DX}
Strike days {EDATE} and {EDATE}: elective lists cancelled
Bank holiday {EDATE}, clinic closed
The {TOWN} rural hospital has no CT after 5pm
{TOWN} ED is on divert again
Anyone from {TOWN} want to share a {DX} protocol?
{SURN} criteria for {DX}? I always forget the cut-offs
{SURN} et al. 2019 showed {DRUG} helps in {DX}
Lecture by {GIVEN} {SURN} on {DX} was excellent
{GIVEN} {SURN} from pharmacy says {DRUG} is out of stock
Our new nurse educator {GIVEN} starts on {EDATE}
Patient safety week starts {EDATE}
Patient experience survey results for {DX} pathway are in
Pt education leaflet for {DX} updated
Mother and baby unit reopens {EDATE}
Family meeting went well, {DX}, moving to comfort care
The son asked good questions about {DX} today
Quick poll: {DRUG} or {DRUG} first line in {DX}?
Labs: {LAB}, {LAB2}. Diagnosis {DX}. Plan {DRUG}
1. {DX}\n2. {LAB}\n3. start {DRUG}
Terse: {DX}, {LAB}, {DRUG}. r/v
Dear colleagues, we have patient with {DX} and {LAB}. We give {DRUG}. Is correct?
Long narrative: a woman in her seventies presented with {DX}. Over three days her {LAB} worsened despite {DRUG}. \
We discussed with the family and with {COLL}, and agreed on a time-limited trial of NIV. \
I would value views on how long to continue.
Version 2.3.1.4 of the order set went live, {DX} bundle updated
IV access: 18G in L ACF, 20G R hand
Room 101 jokes aside, the {DX} audit is due {EDATE}
St Mary's, Royal Free and Guy's are all on the {DX} trial
NCT04512345 is recruiting for {DX}
Lot number recall for {DRUG}: check your stock
Plate armour joke at M&M, {DX} case went well
Sister Mary Joseph nodule in {DX}: how often is it the first sign?
Austin Flint murmur, {DX}, or both?
Dr {SURN} and I disagree on {DRUG} in {DX}
{CAPS}
Photo of the form: {CAPS}, then the {DX} checklist
Label template: {CAPS}. No patient details on the teaching copy
Reading for {DX}: {REF}
{REF} is the trial everyone quotes for {DX}
Guideline on {DX}: {REF}
Department line {DEPTLINE} for {DX} referrals, Monday to Friday
Switchboard {DEPTLINE}, ask for the on-call registrar
Enquiries about the {DX} trial: {DEPTLINE}
Conference dinner at {VENUE}, {EDATE}
Symposium on {DX} at {VENUE} on {EDATE}
The hospital celebrated its 100th birthday this year; {DX} unit opened too
Centenarians in our region: a study of people over 100 years with {DX}
Nonagenarians with {DX}: should we treat? Review of 12 trials
Ninety percent of our {DX} patients go home within a week
{COLL} presented the {DX} audit on {EDATE}
Welcome to our new registrar, Dr {GIVEN} {SURN}, who joins on {EDATE}
Lecture by Prof {GIVEN} {SURN}: {DX}, {EDATE}, Room 3
""".strip().splitlines()

_SLOT = re.compile(r"\{([A-Z0-9_]+)\}")


def compose(template: str) -> dict:
    kinds = sorted({SLOT_KINDS[s] for s in _SLOT.findall(template) if s in SLOT_KINDS})
    text = _SLOT.sub(lambda m: FILLERS[m.group(1)](), template.replace("\\n", "\n"))
    return {"text": text, "has_phi": bool(kinds), "kinds": kinds}


def grow(per_phi_template: int = 30, per_clean_template: int = 33) -> list[dict]:
    random.seed(SEED)
    posts = [compose(t) for t in PHI_TEMPLATES for _ in range(per_phi_template)]
    posts += [compose(t) for t in CLEAN_TEMPLATES for _ in range(per_clean_template)]
    unique = {p["text"]: p for p in posts}
    return list(unique.values())


def main() -> None:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[:HAND_WRITTEN]
    grown = [json.dumps(p, ensure_ascii=False) for p in grow()]
    CORPUS.write_text("\n".join(lines + grown) + "\n", encoding="utf-8")
    print(f"{CORPUS.relative_to(ROOT)}: {HAND_WRITTEN} hand-written + {len(grown)} composed posts")


if __name__ == "__main__":
    main()
