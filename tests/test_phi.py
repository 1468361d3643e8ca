"""The PHI guard: per-kind detection with spans, clinical vocabulary that must stay quiet,
accuracy on the hand-written corpus, and the posting policy."""
import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from moderation.phi import (
    IMAGE_REMINDER,
    KINDS,
    Finding,
    PhiDecision,
    PhiPolicy,
    check_post,
    decide,
    find_phi,
)

CORPUS = Path(__file__).parent / "data" / "phi_dev.jsonl"


def load_corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def spans(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_phi(text)]


# --- one identifier of each kind, with the exact text its span must cover -----------------

KIND_CASES = [
    ("name", "Saw Mrs. Okafor in clinic, 58F with resistant HTN.", "Okafor"),
    ("name", "pt Anna Kowalski keeps bouncing back with DKA.", "Anna Kowalski"),
    ("name", "His wife Maria says he has been confused for 2 days.", "Maria"),
    ("name", "Patient named Tobias Reinhardt, recurrent pericarditis.", "Tobias Reinhardt"),
    ("name", "Mr. Wilson, 24M, tremor and low ceruloplasmin.", "Wilson"),
    ("name", "Dr. Amara Nwosu is my patient now, and asks about statins.", "Amara Nwosu"),
    ("name", "Consulted on Josefina Alvarez, 61F, with nephrotic syndrome.", "Josefina Alvarez"),
    ("name", "Baby Girl Martinez, 34 weeks, RDS.", "Martinez"),
    ("date", "DOB 11/02/1948, admitted with urosepsis.", "11/02/1948"),
    ("date", "Born on 14.03.1961, anterior STEMI.", "14.03.1961"),
    ("date", "Admitted 2024-03-14 with new ascites.", "2024-03-14"),
    ("date", "Her lap chole was on June 3, 2023 and she still leaks bile.", "June 3, 2023"),
    ("date", "Presented on 14 March with fever and a new murmur.", "14 March"),
    ("date", "Discharged on 12/23, back with C. diff.", "12/23"),
    ("date", "Admitted on the 4th of July with burns.", "4th of July"),
    ("age_over_89", "92-year-old woman with new AF.", "92-year-old"),
    ("age_over_89", "aged 95, lives alone, hip fracture.", "aged 95"),
    ("age_over_89", "94 yo M with urinary retention.", "94 yo"),
    ("age_over_89", "Age 91, severe AS, declines TAVI.", "Age 91"),
    ("age_over_89", "Ninety-four-year-old man on dabigatran.", "Ninety-four-year-old"),
    ("phone", "Family can be reached at (617) 555-0142 anytime.", "(617) 555-0142"),
    ("phone", "Her daughter's number is +44 20 7946 0958.", "+44 20 7946 0958"),
    ("phone", "Reach the home line 0161 496 0734 about the MRI.", "0161 496 0734"),
    ("fax", "Please fax the path report to 312-555-0178 today.", "312-555-0178"),
    ("fax", "Fax: (212) 555-0134 for the referral.", "(212) 555-0134"),
    ("email", "Family emailed me at j.doe.family@gmail.com for images.", "j.doe.family@gmail.com"),
    ("ssn", "SSN 123-45-6789 was in the referral letter.", "123-45-6789"),
    ("ssn", "Social security number: 457555462, dialysis question.", "457555462"),
    ("record_number", "MRN 00458821, cath images please.", "00458821"),
    ("record_number", "Account no. 4455667788 was refused.", "4455667788"),
    ("record_number", "Member ID XHP448812093, prior auth denied.", "XHP448812093"),
    ("record_number", "Accession number CT24-118832 for the chest CT.", "CT24-118832"),
    ("record_number", "Medicare beneficiary ID 1EG4-TE5-MK72, hospice?", "1EG4-TE5-MK72"),
    ("record_number", "Policy number 77-0042-1188, CGM not covered.", "77-0042-1188"),
    ("license_or_device_id", "Pacemaker serial PJN448120S at ERI.", "PJN448120S"),
    ("license_or_device_id", "VIN 1HGCM82633A004352 on the crash report.", "1HGCM82633A004352"),
    ("license_or_device_id", "Licence plate 7ABC123, police asking for BAC.", "7ABC123"),
    ("license_or_device_id", "Driver's license D123-4567-8901 in the paperwork.", "D123-4567-8901"),
    ("url", "EHR: http://ehr.hospital.internal/chart?patient_id=448291 see Cr.",
     "http://ehr.hospital.internal/chart?patient_id=448291"),
    ("url", "Scan: https://viewer.imagingcloud.com/share?accession=CT24118832.",
     "https://viewer.imagingcloud.com/share?accession=CT24118832"),
    ("ip_address", "The monitor at 10.20.30.41 streams her telemetry.", "10.20.30.41"),
    ("ip_address", "Portal log shows 2001:db8:85a3::8a2e:370:7334 at 3am.",
     "2001:db8:85a3::8a2e:370:7334"),
    ("address", "Lives at 123 Main Street, alone, with cats.", "123 Main Street"),
    ("address", "Home address 48 Elm Ave, Apt 4B for the wound vac.", "48 Elm Ave, Apt 4B"),
    ("address", "From ZIP 90210, fever and an eschar.", "90210"),
    ("address", "Shelter in Boulder, CO 80302 has a TB case.", "Boulder, CO 80302"),
    ("facility_location", "The guy in room 412 with the GI bleed.", "room 412"),
    ("facility_location", "St. Mary's ICU bed 7: septic shock.", "St. Mary's ICU bed 7"),
    # Shapes and formats beyond the first corpus: a leak is a leak, whatever the country.
    ("ssn", "Billing wants her number 912-00-4411 for the claim.", "912-00-4411"),
    ("age_over_89", "Celebrated her 97th birthday on the ward.", "97th birthday"),
    ("age_over_89", "Kaur, 96 yrs, DNACPR in place.", "96 yrs"),
    ("age_over_89", "Patient born 1929, lives alone.", "1929"),
    ("age_over_89", "aged ninety-one, still driving.", "aged ninety-one"),
    ("date", "Admitted 12.3.57 with pneumonia.", "12.3.57"),
    ("date", "Aufnahme am 3. März 2024 mit Pneumonie.", "3. März 2024"),
    ("date", "We give metoprolol since 28-Dec-2020 without effect.", "28-Dec-2020"),
    ("address", "Sie wohnt Lindenstraße 12, 79098 Freiburg, allein.", "Lindenstraße 12, 79098 Freiburg"),
    ("address", "Lives at 6/42 Elm St, Fitzroy VIC 3065 with her son.", "42 Elm St, Fitzroy VIC 3065"),
    ("record_number", "Can someone look at URN 26205666? cellulitis.", "26205666"),
    ("facility_location", "91F, Bett 30, hyponatraemia.", "Bett 30"),
    ("name", "Lab just phoned these for Gwen Oyelaran, resus 1.", "Gwen Oyelaran"),
    ("name", "Bloods for Kaur: lactate 4.2, trop 1840.", "Kaur"),
    ("name", "Long one, sorry. Margaret Ellison is a 45-year-old with SAH.", "Margaret Ellison"),
    ("name", "2. Zimmer 15 Vandenberg — Crohn's flare", "Vandenberg"),
    ("other_unique", "Treated the town's only pharmacist today for GBS, keep it quiet.", "the town's only pharmacist"),
    ("other_unique", "Patient is the mayor of Ballarat, new AF.", "the mayor of Ballarat"),
    # Label text as OCR reads it from images: capitals, surname first, beside DOB/MRN.
    ("name", "SMITH, JOHN  DOB 04/11/1957  MRN 00482913", "SMITH, JOHN"),
    ("name", "DOE JANE  DOB 01/02/1950", "DOE JANE"),
    ("name", "NAME: OKAFOR CHIDI\nDOB: 12.03.1961", "OKAFOR CHIDI"),
    ("name", "Wristband reads FERNÁNDEZ THANDIWE, URN 26197583, please check", "FERNÁNDEZ THANDIWE"),
    ("name", "The handwritten label says Mr HENDERSON but the barcode does not match", "HENDERSON"),
    ("date", "HALVORSEN, INGRID M  F  08-JUN-1944  MRN:55-21-904", "08-JUN-1944"),
    ("name", "Long one, sorry. Yusuf Sørensen is a 22-year-old with PE.", "Yusuf Sørensen"),
    ("name", "- Svensson (F, 81): hip #, for theatre tomorrow", "Svensson"),
    ("name", "Petrakis, age 94. hip #. DNACPR in place", "Petrakis"),
    ("name", "Mrs Osei ICU bed 2 - spiked again, cultures sent", "Osei"),
    ("age_over_89", "My oldest patient today was a hundred and one, came in with a UTI", "was a hundred and one"),
    ("age_over_89", "She will be 98 in May, lives alone, refuses carers", "98"),
    ("age_over_89", "Man in his 99th year with a new heart murmur", "in his 99th year"),
    ("age_over_89", "centenarian lady (101) with cellulitis of both legs", "101"),
    ("age_over_89", "Dad is 96, after the fall he is not himself", "96"),
    ("age_over_89", "Edna Pollard, born 02/03/1932, admitted overnight", "born"),
    ("phone", "NOK number 02 9876 5432 (Sydney landline)", "02 9876 5432"),
    ("phone", "home phone of pt 030/4455667", "030/4455667"),
    ("address", "lives at 19 rue des Lilas, 75019 Paris, daughter nearby", "19 rue des Lilas, 75019 Paris"),
    ("address", "Home: Am Mühlbach 3, 82110 Germering", "Am Mühlbach 3, 82110 Germering"),
    ("url", "Video of her seizure (family filmed it): https://youtu.be/aB3dE5fG", "https://youtu.be/aB3dE5fG"),
    ("other_unique", "pt has a large spider web tattoo covering her whole face",
     "tattoo covering her whole face"),
    ("other_unique", "Our pt is the goalkeeper for the city's football club",
     "goalkeeper for the city's football club"),
    ("other_unique", "pt is an MP, the press are already outside", "is an MP"),
    ("record_number", "Krankenversicherungsnummer A123456789", "A123456789"),
    ("phone", "NOK ph 9876 5432", "9876 5432"),
    ("phone", "patient's phone: 06 12 34 56 78", "06 12 34 56 78"),
    ("address", "He lives at Herengracht 182, 1016 BR Amsterdam", "Herengracht 182, 1016 BR Amsterdam"),
    ("url", "the family's GoFundMe for her treatment: https://www.gofundme.com/f/help-anna",
     "https://www.gofundme.com/f/help-anna"),
    ("name", "Labs from this morning for Mr P. Ferreira: Hb 68", "Ferreira"),
    ("name", "Fatima K., 34, second trimester, new-onset hypertension", "Fatima K."),
    ("name", "Gran (Elsie) lives with the family and has dementia", "Elsie"),
    ("age_over_89", "ninety three y.o. lady, fell", "ninety three y.o."),
    ("age_over_89", "A lady of 98 with a fractured wrist", "98"),
    ("name", "Ines, the 19-year-old with anorexia, has refeeding bloods today", "Ines"),
    ("other_unique", "pt is the local MP, so we need to be careful with the notes", "is the local MP"),
    # Round 4: formats and cues abroad, names in context, details that single a patient out.
    ("date", "Patiente admise le 12 avril pour une pneumopathie", "12 avril"),
    ("date", "ingresó el 3 de junio con disnea", "3 de junio"),
    ("date", "Herr Kessler aufgenommen 14.03. mit Sepsis", "14.03."),
    ("date", "Sie stellte sich am 02.09.2026 in der Notaufnahme vor", "02.09.2026"),
    ("name", "señora Alvarado Ruiz, 67, con EPOC", "Alvarado Ruiz"),
    ("name", "Pat. Klaus Meier, Z.n. Apoplex", "Klaus Meier"),
    ("name", "our gentleman Desmond is back on the ward", "Desmond"),
    ("name", "The Abiodunolas came in together after the fire", "Abiodunola"),
    ("name", "Question re Harriet Ellison: stop the DOAC?", "Harriet Ellison"),
    ("name", "Mrs Dunleavy ICU bed 4 spiked", "Dunleavy"),
    ("url", "photos are at dropbox.com/sh/x81kq2/her-leg-ulcer please delete", "dropbox.com/sh/x81kq2/her-leg-ulcer"),
    ("age_over_89", "DOB 4/5/31, admitted with a fall", "DOB"),
    ("age_over_89", "Ninety-six and still living alone.", "Ninety-six"),
    ("other_unique", "she is the longest-serving lollipop lady in town, now on our ward", "longest-serving"),
    ("age_over_89", "Mme Roussel, née le 9 juin 1931, vit seule", "née"),
    ("date", "Signor Russo, ricoverato il 12 maggio", "12 maggio"),
    ("age_over_89", "Nana Beatrice (101!) is home today", "101"),
    ("facility_location", "Twin 2 in NICU cot 7 is feeding well", "NICU cot 7"),
    ("license_or_device_id", "The serial number on his pump reads 5512-QX-0081.", "5512-QX-0081"),
    ("age_over_89", "At 93 she still swims every morning.", "93"),
    ("age_over_89", "Her 96th is on Sunday, the family are bringing cake.", "96th"),
    ("age_over_89", "pt (M, 94) with a fall at home", "94"),
    ("name", "Harold was discharged today after a long stay.", "Harold"),
    ("name", "Bernard (the gentleman with the LVAD) is back.", "Bernard"),
    ("name", "Teresa Nowak (72) has a new AF.", "Teresa Nowak"),
    ("name", "Told Jim and his wife the news today.", "Jim"),
    ("name", "Our patient Mr O Adeyemi-Cole needs a side room.", "Adeyemi-Cole"),
    ("name", "Our lovely Doris went home today!", "Doris"),
    ("record_number", "Unit number A221094 on her sticker.", "A221094"),
    ("other_unique", "He played for Wales in the eighties, now on our ward with sepsis.", "played for Wales"),
    ("other_unique", "She is our village's only midwife, admitted last night.", "our village's only midwife"),
    ("license_or_device_id", "Her pacemaker is a Medtronic Azure, serial RNB603388H.", "RNB603388H"),
    ("other_unique", "Case for journal club: the 52-year-old mayor of Kilkenny, admitted with a bleed",
     "the 52-year-old mayor of Kilkenny"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), KIND_CASES)
def test_find_phi_each_kind_with_span(kind, text, expected):
    findings = find_phi(text)
    match = [f for f in findings if f.kind == kind]
    assert [f.text for f in match] == [expected], findings
    assert text[match[0].start:match[0].end] == expected


def test_find_phi_brief_example_yields_name_date_record_with_spans():
    text = "Pt John Smith, DOB 03/14/1961, MRN 4482913"
    assert find_phi(text) == [
        Finding("name", 3, 13, "John Smith", "name of the patient"),
        Finding("date", 19, 29, "03/14/1961", "date more precise than a year"),
        Finding("record_number", 35, 42, "4482913", "record, account or plan number"),
    ]


def test_find_phi_fax_cue_turns_a_phone_number_into_a_fax():
    assert spans("Call 617-555-0100 or fax 617-555-0199.") == [
        ("phone", "617-555-0100"), ("fax", "617-555-0199")]


def test_find_phi_url_swallows_the_ip_inside_it():
    assert spans("Report: http://10.12.4.55/cardio/report/88123 please") == [
        ("url", "http://10.12.4.55/cardio/report/88123")]


# --- clinical vocabulary must yield nothing ---------------------------------------------

CLEAN = [
    "Metoprolol 25 mg BID, 5 mg/kg load, 0.9% NaCl at 125 mL/h.",
    "ECG: sinus, QTc 440. GLP-1 RA started; HbA1c 7.2%.",
    "K 3.1, Na 138, troponin 0.04 ng/mL, eGFR 45.",
    "BP 142/88, HR 110, SpO2 92%, RR 22, T 38.5.",
    "In 2019 she had a PE; ACC/AHA 2022 says continue.",
    "67-year-old, 45M and a 72 yo F, all 89-year-old or younger.",
    "CHA2DS2-VASc 4, NYHA III, GCS 14, 2/3 criteria met.",
    "3 days of ceftriaxone, POD 2, vanc q8h, apixaban BID.",
    "ICD-10 I21.4; BRCA1 carrier; KRAS G12C.",
    "Parkinson's disease, Crohn disease, Hodgkin lymphoma, Graves disease.",
    "Cushing syndrome vs Addison crisis; Wilson disease; Bell palsy; Down syndrome; Raynaud.",
    "Sister Mary Joseph nodule and an Austin Flint murmur.",
    "His mother's Parkinson's is worse; pt Crohn's flare again, CRP 80.",
    "Father Hodgkin lymphoma at 30; a pattern named Brugada type 1 after fever.",
    "Per Dr. Okafor (our nephrologist), hold the ACEi.",
    "Pt Hb 7.9 post partum; Mother Hb 10.2 at booking.",
    "Thanks @cardio_amy@curbside.example for the tip!",
    "Guideline: https://doi.org/10.1161/CIR.0000000000001063 table 5.",
    "PubMed https://pubmed.ncbi.nlm.nih.gov/34449189/ is the paper.",
    "Abx for 5/7, review in 2/52; cath lab is 24/7.",
    "Soft 2/6 murmur, power 4/5, MMSE 22/30.",
    "Serial troponins flat; serial 12-lead ECGs; device interrogation normal.",
    "Room air sats 91%; bed rest for 2 weeks; POD 3.",
    "Moderate MR 3+; WBC 12000, Plt 150000, CK 18 000.",
    "Pt aged 90+ with AF; over 90% of cases; 90-day mortality.",
    "Temp 99F, HR 100.",
    "The Sept 2020 guideline update changed the cut-off.",
    "She's on 1/2 tab of metoprolol 25.",
    "Our Stroke Unit 4 beds are full.",
    "3 St. John's wort capsules daily.",
    # Hard negatives: public dates, colleagues, institutions, venues, capitalised words, versions.
    "Grand rounds moved to 12 March, same room.",
    "Rota for 14/03/2026 is out, swaps to cardiology.rota@nhs.net please.",
    "Abstract deadline 2 August; send to abstracts@esc2026.org",
    "Conference 19 March at 11 St Andrews Place, London NW1 4LE.",
    "The guideline update released on 14 Nov changes AF rate control.",
    "Sister Reid is on call tonight for hip fracture queries.",
    "Thanks to Sarah Jones from pharmacy for the apixaban talk.",
    "Will start apixaban if Grace score is high; May need dialysis.",
    "Teaching in Seminar Room 3 on 27/7/2026, topic SAH.",
    "Version 2.3.1.4 of the order set went live.",
    "Patient safety week starts 28 March.",
    "Our department email is ed-teaching@stmarys.nhs.uk for referrals.",
    # Capitalised headers and brands on images, service lines, venues, public dates, things that have ages.
    "SMITH AND NEPHEW dressings are back in stock",
    "NAME / DOB / MRN labels go on the top right of every specimen bag from Monday.",
    "THE ROYAL MARSDEN NHS FOUNDATION TRUST - ANNUAL REPORT",
    "AP ERECT  R  SCALE 10 cm  FIG. 2",
    "Poison control 1-800-222-1222 is the number to give families",
    "Call our research nurse on 0161 276 1234 for trial enquiries",
    "Switchboard (02) 9178 3688, ask for the on-call registrar",
    "ASCO 2026: Chicago, McCormick Place, 2301 S King Dr, Chicago, IL 60616",
    "Our new clinic address is 1 Hospital Road, Leeds LS9 7TF (public entrance on the east side)",
    "Dr Okonjo presented the audit on 14 November",
    "The NHS Long Term Plan published on 7 January 2019 set the targets",
    "PATIENT IDENTIFICATION POLICY v4.2 effective 1 January 2027",
    "The hospital celebrated its 100th birthday this year",
    "Centenarians in our region: a study of 120 people over 100 years",
    "Subnet mask 255.255.255.0 is not PHI",
    "Conference Aug 9 at 200 Convention Way, registration via ed-teaching@stmarys.nhs.uk",
    "The new CEO, Mr Thomas Doherty, starts in September",
    "Mr Okafor, consultant urologist, is on leave next week",
    "Ms Al-Farsi from finance asks everyone to submit expense claims by 25 June",
    "Mrs Beeton's book on household management has a chapter on invalid cookery",
    "Happy 10th birthday to our hospital charity!",
    "Study population: aged 18 to 95 years",
    "St Thomas' Hospital Westminster Bridge Road London SE1 7EH",
    "Number of beds 28 and 32; call 111 or 999 in an emergency; contact 2024-03-12 version",
    # Round 4: a cut word read as a pronoun, a meeting's days, rooms spoken of for themselves, stock, speakers,
    # an institution's phone, a colleague's and a team's work addresses, an institution's birthday.
    "Endoscopy unit moves to the new wing from 3 June.",
    "Our SHO had a great time at the ASM in Perth, 10–12 October, presenting her QIP.",
    "Bay 5 is closed for a deep clean until Thursday.",
    "Side room 3 has new curtains and a TV.",
    "Lot number 7C2291 of the saline flushes is recalled; return stock to pharmacy.",
    "Lovely lecture by Mrs Ann Porter on pressure ulcers.",
    "Renal ward phone is 0113 392 6000 for the nurse in charge.",
    "Questions to Dr Lee at j.lee@leedsth.nhs.uk please, she is back from leave.",
    "Bereavement support: bereavementliaison@trust.nhs.uk",
    "Happy 100th birthday to our hospice!",
    "Serial troponins on the pt: 14, 22, 48.",
    "Sats at 91, still on 2L; HR at 94 he was tachy; still saturating at 92.",
    "Her weight is on the 95th centile.",
    "Dear Sarah, thanks for the referral.",
    "Her only son visits daily; he brings her paper.",
    "Dr Ahmed won the Teaching Award in 2024, congratulations!",
    "Thanks to our lovely Sarah from pharmacy for the cake.",
    "Congratulations to Nurse Patel, our longest-serving midwife, who retires this week.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_find_phi_clinical_vocabulary_yields_nothing(text):
    assert find_phi(text) == []


# --- the labelled corpus ----------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_is_large_balanced_and_covers_every_kind(corpus):
    with_phi = [p for p in corpus if p["has_phi"]]
    assert len(corpus) >= 300
    assert 0.4 <= len(with_phi) / len(corpus) <= 0.6
    counts = Counter(k for p in with_phi for k in p["kinds"])
    assert set(counts) == set(KINDS)
    assert min(counts.values()) >= 5
    assert all(bool(p["kinds"]) == p["has_phi"] for p in corpus)


def test_corpus_recall_counts_a_post_only_when_every_labelled_kind_is_found(corpus):
    posts = [p for p in corpus if p["has_phi"]]
    caught = sum(set(p["kinds"]) <= {f.kind for f in find_phi(p["text"])} for p in posts)
    assert caught / len(posts) >= 0.95


def test_corpus_false_alarm_rate_on_clean_posts(corpus):
    posts = [p for p in corpus if not p["has_phi"]]
    alarms = [p["text"] for p in posts if find_phi(p["text"])]
    assert len(alarms) / len(posts) <= 0.05, alarms


def test_corpus_each_kind_is_found_in_its_posts(corpus):
    total, found = Counter(), Counter()
    for p in corpus:
        kinds = {f.kind for f in find_phi(p["text"])}
        total.update(p["kinds"])
        found.update(k for k in p["kinds"] if k in kinds)
    assert {k: found[k] / total[k] for k in total if found[k] / total[k] < 0.9} == {}


def test_find_phi_findings_are_sorted_non_overlapping_and_match_the_text(corpus):
    for p in corpus:
        findings = find_phi(p["text"])
        for f in findings:
            assert f.kind in KINDS and p["text"][f.start:f.end] == f.text and f.reason
        assert all(a.end <= b.start for a, b in zip(findings, findings[1:]))


# --- input handling ---------------------------------------------------------------------

def test_find_phi_rejects_non_text():
    with pytest.raises(TypeError, match="expects str"):
        find_phi(b"MRN 4482913")


def test_find_phi_empty_text_has_no_findings():
    assert find_phi("") == []


def test_finding_is_frozen():
    finding = find_phi("MRN 4482913")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.kind = "date"


# --- policy -----------------------------------------------------------------------------

ONE = [Finding("record_number", 4, 11, "4482913", "record, account or plan number")]


@pytest.mark.parametrize(("policy", "findings", "override", "action"), [
    (PhiPolicy.OFF, ONE, False, "allow"),
    (PhiPolicy.WARN, [], False, "allow"),
    (PhiPolicy.WARN, ONE, False, "confirm"),
    (PhiPolicy.WARN, ONE, True, "allow"),
    (PhiPolicy.HOLD, [], False, "allow"),
    (PhiPolicy.HOLD, ONE, False, "hold"),
    (PhiPolicy.HOLD, ONE, True, "hold"),
    (PhiPolicy.BLOCK, [], False, "allow"),
    (PhiPolicy.BLOCK, ONE, False, "reject"),
    (PhiPolicy.BLOCK, ONE, True, "reject"),
])
def test_decide_policy_table(policy, findings, override, action):
    decision = decide(policy, findings, override=override)
    assert decision == PhiDecision(action, findings)


def test_decide_accepts_policy_names_and_rejects_unknown_ones():
    assert decide("hold", ONE).action == "hold"
    with pytest.raises(ValueError, match="unknown PHI policy"):
        decide("strict", ONE)


def test_check_post_tags_findings_with_their_field_index():
    decision = check_post(["Case: AF with RVR", None, "MRN 4482913"], PhiPolicy.BLOCK)
    assert decision.action == "reject"
    assert [(f.field, f.kind, f.text) for f in decision.findings] == [
        (2, "record_number", "4482913")]


def test_check_post_clean_fields_are_allowed():
    assert check_post(["K 3.1, Na 138", "CW: hyperkalemia"], PhiPolicy.BLOCK).action == "allow"


def test_check_post_warn_needs_confirmation_unless_overridden():
    texts = ["Pt John Smith with AF"]
    assert check_post(texts, PhiPolicy.WARN).action == "confirm"
    assert check_post(texts, PhiPolicy.WARN, override=True).action == "allow"


def test_check_post_off_scans_nothing():
    assert check_post([b"not even text"], PhiPolicy.OFF) == PhiDecision("allow", [])


def test_check_post_rejects_a_non_text_field():
    with pytest.raises(TypeError):
        check_post([42], PhiPolicy.WARN)


def test_image_reminder_names_what_to_check():
    for word in ("faces", "wristbands", "labels", "screens"):
        assert word in IMAGE_REMINDER


def test_gazetteer_reads_given_names_and_surnames_from_the_names_package_less_common_words():
    from moderation.phi.gazetteer import given_names, surnames

    assert {"margaret", "harold"} <= given_names() and {"okafor", "nguyen"} <= surnames()
    assert not {"will", "grace", "may"} & given_names()
    assert not {"rounds", "heart", "patient", "graves"} & surnames()


def test_a_context_window_never_cuts_a_word():
    from moderation.phi.context import window

    text = "moves to the new building from 1 April"
    assert window(text, 10, 20) == "the new building"  # "t|he" would read as the pronoun "he"
    assert window(text, -5, 999) == text


def test_sentence_of_a_long_text_is_bounded_so_that_long_posts_cost_linear_time():
    from moderation.phi.context import sentence

    text = "x" * 5000 + " 0161 496 0734 " + "y" * 5000
    around = sentence(text, 5001, 5014)
    assert "0161 496 0734" in around and len(around) < 1000
