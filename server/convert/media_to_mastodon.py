"""Stored attachments (Post.attachments items, or an upload rendered by server.services.posts.media.attachment_json)
-> Mastodon MediaAttachment entities (https://docs.joinmastodon.org/entities/MediaAttachment/).

Remote attachments are shown, as on Mastodon, by a local URL serving our copy (`url`, `preview_url`, made by
`local_copy`: server.urls.LocalUrls.remote_media), with the original in `remote_url`.
"""
from __future__ import annotations

KINDS = {"image": "image", "video": "video", "audio": "audio"}


def _size(width, height) -> dict | None:
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def _meta(item: dict) -> dict:
    meta = dict(item["meta"]) if isinstance(item.get("meta"), dict) else {}
    original = _size(item.get("width"), item.get("height"))
    small = _size(item.get("preview_width"), item.get("preview_height"))
    if original:
        meta["original"] = original
    if small:
        meta["small"] = small
    focal = item.get("focal_point")
    if isinstance(focal, (list, tuple)) and len(focal) == 2:
        meta["focus"] = {"x": focal[0], "y": focal[1]}
    return meta


def attachment_to_mastodon(item: dict, *, fallback_id: str, remote: bool, local_copy=None) -> dict:
    kind = str(item.get("media_type") or item.get("mediaType") or "").split("/")[0]
    kind = KINDS.get(kind, "image" if str(item.get("type")) == "Image" else "unknown")
    url = item.get("url")
    # Only files we would keep get a local URL: an unknown kind stays a link to its server.
    shown = local_copy(url) if remote and local_copy and kind != "unknown" and isinstance(url, str) else url
    return {
        "id": str(item.get("id") or fallback_id),
        "type": kind,
        "url": shown,
        "preview_url": item.get("preview_url") or shown,
        "remote_url": url if remote else None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": _meta(item),
        "description": item.get("description") or item.get("name"),
        "blurhash": item.get("blurhash"),
    }
