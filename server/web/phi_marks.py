"""The patient-privacy guard's findings shown in the author's own text: every span a detector found is
wrapped in <mark title="kind">, everything else stays escaped text."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from moderation.phi import Finding, PhiDecision
from server.i18n import N_, gettext
from server.services.posts.phi_kinds import kind_label

MESSAGES = {  # by the guard's action and what the author is doing: whole sentences, for the translators
    ("confirm", "post"): N_("This post may identify a patient. Check the highlighted parts: edit them out, or post "
                            "anyway if you are sure nothing here identifies anyone."),
    ("confirm", "save"): N_("This post may identify a patient. Check the highlighted parts: edit them out, or save "
                            "anyway if you are sure nothing here identifies anyone."),
    ("reject", "post"): N_("This post may identify a patient, and this community does not allow such posts. "
                           "Edit out the highlighted parts to post it."),
    ("reject", "save"): N_("This post may identify a patient, and this community does not allow such posts. "
                           "Edit out the highlighted parts to save it."),
    ("hold", "post"): N_("This post may identify a patient. This community holds such posts for a moderator's "
                         "review; edit out the highlighted parts to post it now."),
    ("hold", "save"): N_("This post may identify a patient. This community holds such posts for a moderator's "
                         "review; edit out the highlighted parts to save it now."),
}


def highlight(text: str, findings: list[Finding]) -> Markup:
    """`text` escaped, with each finding's span (start/end index `text`) in a <mark>. Overlapping spans
    become one mark naming every kind; spans outside the text are ignored."""
    spans: list[list] = []
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        start, end = max(0, f.start), min(len(text), f.end)
        if start >= end:
            continue
        if spans and start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
            if kind_label(f.kind) not in spans[-1][2]:
                spans[-1][2].append(kind_label(f.kind))
        else:
            spans.append([start, end, [kind_label(f.kind)]])
    out, at = [], 0
    for start, end, kinds in spans:
        out.append(escape(text[at:start]))
        out.append(Markup('<mark title="{}">{}</mark>').format(", ".join(kinds), text[start:end]))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


@dataclass(frozen=True)
class CheckedText:
    label: str  # which part of the post: "Post", "Content warning", "Poll option 2", "Image description 1"
    marked: Markup
    findings: list[Finding]


def checked_texts(texts: list[tuple[str, str]], findings: list[Finding]) -> list[CheckedText]:
    """The post's texts (label, text) in the order the guard checked them, each with its own findings
    (a finding's `field` is that order's index); texts without findings are left out."""
    out = []
    for index, (label, text) in enumerate(texts):
        mine = [f for f in findings if f.field == index]
        if mine:
            out.append(CheckedText(label, highlight(text, mine), mine))
    return out


@dataclass(frozen=True)
class CheckedImage:
    label: str  # "Image 1"
    media_id: str
    url: str
    width: int
    height: int
    findings: list  # image_findings.MediaFinding: boxes in the image's pixels, drawn over it (an SVG viewBox)
    blurrable: bool  # some finding has a box to blur (not only "could not check this image")


def checked_images(images: list[tuple[str, str, int, int]], findings: list) -> list[CheckedImage]:
    """The post's images (media id, url, width, height), in order, each with what the guard found in it;
    images without findings are left out."""
    out = []
    for index, (media_id, url, width, height) in enumerate(images, 1):
        mine = [f for f in findings if getattr(f, "field", None) == "media" and f.media_id == media_id]
        if mine:
            out.append(CheckedImage(gettext("Image %(n)s") % {"n": index}, media_id, url, width, height, mine,
                                    any(f.kind != "unchecked" for f in mine)))
    return out


def guard_answer(texts: list[tuple[str, str]], decision: PhiDecision, verb: str = "post",
                 images: list[tuple[str, str, int, int]] = ()) -> dict:
    """What `posts/_phi_check.html` shows of the guard's decision on `texts` (label, text, in the order the
    guard checked them) and `images` (media id, url, width, height); `verb` names what the author is doing
    ("post", "save")."""
    message = MESSAGES.get((decision.action, verb))
    return {"action": decision.action, "message": gettext(message) if message else None,
            "checked": checked_texts(texts, decision.findings), "kind_label": kind_label,
            "images": checked_images(list(images), decision.findings)}
