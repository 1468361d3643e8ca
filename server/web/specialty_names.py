"""The NUCC specialty names the catalogs translate: the 40 the directory and profiles show most often
(physicians' main specialties). They are marked here only so that `make messages` extracts them; the names
themselves come from server/data/nucc_specialties.csv, are translated where they are shown (gettext of the
English name) and are kept in English, with their codes, in everything signed or federated. A name missing
here is shown as NUCC writes it."""
from __future__ import annotations

from server.i18n import N_

COMMON = (
    N_("Allergy & Immunology"), N_("Anesthesiology"), N_("Dermatology"), N_("Emergency Medicine"),
    N_("Family Medicine"), N_("General Practice"), N_("Internal Medicine"), N_("Cardiovascular Disease"),
    N_("Clinical Cardiac Electrophysiology"), N_("Interventional Cardiology"),
    N_("Endocrinology, Diabetes & Metabolism"), N_("Gastroenterology"), N_("Hematology & Oncology"),
    N_("Infectious Disease"), N_("Medical Oncology"), N_("Nephrology"), N_("Pulmonary Disease"),
    N_("Rheumatology"), N_("Neurological Surgery"), N_("Nuclear Medicine"), N_("Obstetrics & Gynecology"),
    N_("Ophthalmology"), N_("Orthopaedic Surgery"), N_("Otolaryngology"), N_("Pain Medicine"),
    N_("Anatomic Pathology & Clinical Pathology"), N_("Pediatrics"), N_("Pediatric Cardiology"),
    N_("Neonatal-Perinatal Medicine"), N_("Physical Medicine & Rehabilitation"), N_("Plastic Surgery"),
    N_("Psychiatry"), N_("Neurology"), N_("Child & Adolescent Psychiatry"), N_("Diagnostic Radiology"),
    N_("Radiation Oncology"), N_("Surgery"), N_("Urology"), N_("Vascular Surgery"),
    N_("Geriatric Medicine (Internal Medicine)"), N_("Critical Care Medicine (Internal Medicine)"),
)
