"""The coarse categories a case may name about its patient, and nothing finer: an age band (never a date of birth
or an age in years beyond 89, which HIPAA's Safe Harbor counts as an identifier) and a sex."""
from __future__ import annotations

from moderation.errors import ServiceError
from server.i18n import N_
from server.services.accounts.specialties import specialty_name

# Paediatric bands by developmental stage, adult bands of 15 years, and 90+ as one band (Safe Harbor).
AGE_BANDS = ("neonate", "infant", "child", "adolescent", "18-29", "30-44", "45-59", "60-74", "75-89", "90+")
AGE_BAND_NAMES = {"neonate": "neonate (under 28 days)", "infant": "infant (under 1 year)", "child": "child (1-12)",
                  "adolescent": "adolescent (13-17)"}
SEXES = ("female", "male", "other", "unspecified")
MAX_TITLE, MAX_QUESTION, MAX_PRESENTATION, MAX_SPECIALTIES = 200, 1000, 3500, 5


def check_categories(age_band: str | None, sex: str | None, specialties: list[str]) -> None:
    """ServiceError (a 422) naming the field when a category is not one of ours."""
    if age_band not in AGE_BANDS:
        raise ServiceError(N_("age_band must be one of %(choices)s"), values={"choices": ", ".join(AGE_BANDS)})
    if sex not in SEXES:
        raise ServiceError(N_("sex must be one of %(choices)s"), values={"choices": ", ".join(SEXES)})
    if not 1 <= len(specialties) <= MAX_SPECIALTIES:
        raise ServiceError(N_("specialties must name 1 to %(limit)s specialty codes"),
                           values={"limit": MAX_SPECIALTIES})
    if unknown := [code for code in specialties if specialty_name(code) is None]:
        raise ServiceError(N_("specialties: unknown specialty code(s): %(codes)s"),
                           values={"codes": ", ".join(unknown)})


# One sentence per field: a translated sentence cannot take the field's English name as a value.
_REQUIRED = {"title": N_("title is required"), "question": N_("question is required"),
             "presentation": N_("presentation is required")}
_TOO_LONG = {"title": N_("title must be at most %(limit)s characters"),
             "question": N_("question must be at most %(limit)s characters"),
             "presentation": N_("presentation must be at most %(limit)s characters")}


def check_texts(title: str, question: str, presentation: str) -> None:
    for name, value, limit in (("title", title, MAX_TITLE), ("question", question, MAX_QUESTION),
                               ("presentation", presentation, MAX_PRESENTATION)):
        if not value.strip():
            raise ServiceError(_REQUIRED[name])
        if len(value) > limit:
            raise ServiceError(_TOO_LONG[name], values={"limit": limit})


def age_band_name(band: str) -> str:
    return AGE_BAND_NAMES.get(band, band)
