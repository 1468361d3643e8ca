"""The privacy guard's kinds of finding as a member reads them, in her language: the web's highlights and the
notices the services write (a scheduled post the guard stopped)."""
from __future__ import annotations

from server.i18n import N_, gettext

KIND_LABELS = {
    "name": N_("Name"), "date": N_("Date"), "age_over_89": N_("Age over 89"), "phone": N_("Phone number"),
    "fax": N_("Fax number"),
    "email": N_("Email address"), "ssn": N_("Social security number"), "record_number": N_("MRN or record number"),
    "license_or_device_id": N_("Licence or device id"), "url": N_("Web address"), "ip_address": N_("IP address"),
    "address": N_("Address"), "facility_location": N_("Room, bed or facility"), "face": N_("Face"),
    "unchecked": N_("Could not check this image"),
}


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return gettext(label) if label else kind.replace("_", " ").capitalize()
