"""/admin/domains: the domain policies in force (local ones and those of subscribed lists), adding,
changing and removing local ones, the federation mode, importing a shared list (with a preview of what
would change before anything does) and exporting ours. server.services.moderation.domains audits each."""
from __future__ import annotations

from starlette.responses import Response

from moderation.blocklists import FORMATS, export_blocklist, parse_blocklist
from moderation.domains import DomainPolicy, FederationMode, InvalidDomain, Severity
from moderation.errors import ServiceError
from server.db.models import DomainPolicyRecord
from server.i18n import N_, gettext
from server.services.moderation import domains
from server.services.moderation.domains import effective_blocks
from server.services.moderation.policies import check_domain, load_policies, read_mode
from server.services.moderation.subscriptions import list_subscriptions
from server.web.admin.common import checked, done, not_found, notice, path_id, roll_back
from server.web.forms import because, sentence
from server.web.page import Web

KINDS = ("suspend", "limit", "noop", "allow")
MAX_IMPORT = 1_000_000  # characters pasted or uploaded here; larger lists: `curbside blocklists import`


async def _page(web: Web, *, status: int = 200, error: str | None = None, form: dict | None = None) -> Response:
    search = web.request.query_params.get("q", "").strip().lower()
    rows = await domains.list_records(web.db)
    if search:
        rows = [r for r in rows if search in r.key]
    sources = {s.id: s.url for s in await list_subscriptions(web.db)}
    drafts = len(await domains.list_records(web.db, state="draft"))
    return web.render("admin/domains.html", status=status, notice=notice(web), error=error, form=form or {},
                      blocks=[r for r in rows if not r.allow], allows=[r for r in rows if r.allow], sources=sources,
                      mode=(await read_mode(web.db)).value, modes=[m.value for m in FederationMode], q=search,
                      drafts=drafts)


async def index(web: Web) -> Response:
    return await _page(web)


def _policy_from_form(web: Web) -> DomainPolicy:
    """The policy the form describes; ValueError (InvalidDomain included) says what is wrong."""
    kind = web.value("kind")
    if kind not in KINDS:
        raise ValueError("choose what to do with the domain")
    domain = check_domain(web.value("domain"))
    private = web.value("private_comment").strip()[:1000]
    if kind == "allow":
        return DomainPolicy(domain, allow=True, private_comment=private)
    return DomainPolicy(domain, Severity(kind), checked(web, "reject_media"), checked(web, "reject_reports"),
                        web.value("public_comment").strip()[:1000], private, checked(web, "obfuscate"))


async def save(web: Web) -> Response:
    """Add a local policy, or replace the local one of that kind (block or allow) on the domain."""
    try:
        policy = _policy_from_form(web)
    except InvalidDomain as exc:
        return await _page(web, status=422, error=because("Not a domain: %(reason)s.", exc.why),
                           form=dict(web.form))
    except (ValueError, ServiceError) as exc:
        return await _page(web, status=422, error=sentence(exc), form=dict(web.form))
    await domains.set_local_policy(web.db, policy, actor=web.viewer.actor)
    await web.db.commit()
    return done(web, "/admin/domains", "policy_saved")


async def _record(web: Web) -> DomainPolicyRecord | None:
    row_id = path_id(web)
    row = await web.db.get(DomainPolicyRecord, row_id) if row_id else None
    return row if row is not None and row.state == "active" else None


async def edit(web: Web) -> Response:
    row = await _record(web)
    if row is None:
        return not_found(web, N_("There is no such domain policy."))
    sources = {s.id: s.url for s in await list_subscriptions(web.db)}
    return web.render("admin/domain.html", notice=notice(web), row=row, source=sources.get(row.subscription_id),
                      kind="allow" if row.allow else row.severity)


async def remove(web: Web) -> Response:
    row = await _record(web)
    if row is None:
        return not_found(web, N_("There is no such domain policy."))
    try:
        await domains.remove_policy_by_id(web.db, row.id, allow=row.allow, actor=web.viewer.actor)
    except ServiceError as exc:
        await roll_back(web)
        return await _page(web, status=422, error=sentence(exc))
    await web.db.commit()
    return done(web, "/admin/domains", "policy_removed")


async def mode(web: Web) -> Response:
    try:
        wanted = FederationMode(web.value("mode"))
    except ValueError:
        return await _page(web, status=422, error=gettext("Choose open, blocklist or allowlist."))
    await domains.set_mode(web.db, wanted, actor=web.viewer.actor)
    await web.db.commit()
    return done(web, "/admin/domains", "mode_saved")


async def _uploaded_text(web: Web) -> str:
    upload = web.form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        data = await upload.read(MAX_IMPORT + 1)
        if len(data) > MAX_IMPORT:
            raise ServiceError(N_("the file is larger than %(limit)s bytes; import it with "
                                  "`curbside blocklists import`"), values={"limit": MAX_IMPORT})
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ServiceError(N_("the file is not UTF-8 text")) from None
    return web.value("text")


async def import_list(web: Web) -> Response:
    """GET: the form. POST step=preview: what would change. POST step=apply: import it, all or nothing."""
    if web.request.method == "GET":
        return web.render("admin/domains_import.html", notice=notice(web), formats=FORMATS, fmt="")
    fmt = web.value("format") if web.value("format") in FORMATS else None
    try:
        text = await _uploaded_text(web)
        if not text.strip():
            raise ServiceError(N_("choose a file or paste a list"))
        incoming = parse_blocklist(text, fmt)
    except ServiceError as exc:  # the page's own refusals, and the parser's (BlocklistError: line and reason)
        return web.render("admin/domains_import.html", status=422, error=because("Nothing imported: %(reason)s.", exc),
                          formats=FORMATS, fmt=fmt or "", text=web.value("text"))
    if web.value("step") != "apply":
        diff = await domains.plan_import(web.db, incoming)
        return web.render("admin/domains_import.html", formats=FORMATS, fmt=fmt or "", text=text, diff=diff,
                          entries=len(incoming),
                          changes=[(new.domain, _changes(old, new)) for old, new in diff.changed])
    diff = await domains.import_policies(web.db, incoming, actor=web.viewer.actor, reason="import from the admin pages")
    await web.db.commit()
    return done(web, "/admin/domains", "nothing_imported" if diff.empty else "imported")


def _changes(old: DomainPolicy, new: DomainPolicy) -> str:
    def shown(value: object) -> str:
        if isinstance(value, Severity):
            return value.value
        return "yes" if value is True else "no" if value is False else f"“{value}”" if value else "(none)"
    fields = ("severity", "reject_media", "reject_reports", "public_comment", "private_comment", "obfuscate")
    return "; ".join(f"{name.replace('_', ' ')}: {shown(getattr(old, name))} → {shown(getattr(new, name))}"
                     for name in fields if getattr(old, name) != getattr(new, name))


async def export(web: Web) -> Response:
    """The blocks in force as a download: all fields for us, or `public=1` as others see them published."""
    fmt = web.request.query_params.get("format", "csv")
    if fmt not in FORMATS:
        return not_found(web, N_("There is no such export format."))
    public = web.request.query_params.get("public") == "1"
    body = export_blocklist(effective_blocks(await load_policies(web.db)), fmt, public=public)
    response = Response(body, media_type={"csv": "text/csv", "json": "application/json", "plain": "text/plain"}[fmt])
    name = f"{web.settings.domain}-blocklist{'-public' if public else ''}.{'txt' if fmt == 'plain' else fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
