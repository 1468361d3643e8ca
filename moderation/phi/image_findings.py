"""What a scan of an image finds, as plain data (`image_scan` looks; server/ stores and shows what it found).

Apart from `image_scan` so that importing these does not import OpenCV and NumPy: only a process that scans
needs them."""
from __future__ import annotations

from dataclasses import dataclass, field

UNCHECKED_KIND = "unchecked"  # the kind of the finding that stands for "could not check this image"


@dataclass(frozen=True)
class ImageFinding:
    """A face or an identifier read in an image; `box` is (x, y, w, h) in the image's pixels."""

    kind: str
    box: tuple[int, int, int, int]
    text: str | None = None
    area: tuple[int, int, int, int] | None = None  # for text: the block it was read in (what blurring covers)

    def as_json(self) -> dict:
        entry = {"kind": self.kind, "box": list(self.box)}
        if self.text is not None:
            entry["text"] = self.text
        if self.area is not None:
            entry["area"] = list(self.area)
        return entry


@dataclass(frozen=True)
class MediaFinding:
    """An image finding on one of a post's attachments, as the post's check reports it."""

    media_id: str
    kind: str
    box: tuple[int, int, int, int]
    text: str | None = None
    field: str = "media"

    @classmethod
    def from_json(cls, media_id: str, entry: dict) -> "MediaFinding":
        return cls(media_id, str(entry["kind"]), tuple(entry["box"]), entry.get("text"))

    def as_json(self) -> dict:
        entry = {"field": self.field, "media_id": self.media_id, "kind": self.kind, "box": list(self.box)}
        if self.text is not None:
            entry["text"] = self.text
        return entry


@dataclass(frozen=True)
class ImageScan:
    """status: "clean", "found", "unchecked" (no OCR engine here) or "failed" (error or time cap)."""

    status: str
    findings: list[ImageFinding] = field(default_factory=list)
    reason: str = ""

    def blur_areas(self) -> list[tuple[int, int, int, int]]:
        """What to blur so that nothing found stays readable: faces, and whole blocks of text with a finding."""
        return list(dict.fromkeys(f.area or f.box for f in self.findings))

    def guard_findings(self, size: tuple[int, int]) -> list[ImageFinding]:
        """What the post's check sees: the findings, or one standing for an image not fully checked."""
        if self.status in ("clean", "found"):
            return list(self.findings)
        return [
            *self.findings,
            ImageFinding(UNCHECKED_KIND, (0, 0, *size), f"could not check this image: {self.reason}"),
        ]
