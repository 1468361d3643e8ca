"""/confirm/resend: the confirmation mail sent again to an address typed in by anyone. The answer is the
same whether an unconfirmed account has that address or not, and each account gets only a few such
mails an hour (server.services.accounts.registration.resend_confirmation)."""
from __future__ import annotations

from starlette.responses import Response

from server.i18n import gettext
from server.services.accounts.registration import resend_confirmation
from server.services.instance.mail import send_quietly
from server.web.page import Web


async def resend(web: Web) -> Response:
    if web.request.method == "GET":
        return web.render("signup/resend.html")
    email = web.value("email").strip()
    if "@" not in email:
        return web.render("signup/resend.html", status=422, email=email[:320],
                          error=gettext("Enter the email address you signed up with."))
    message = await resend_confirmation(web.db, web.settings, email[:320])
    await web.db.commit()
    if message is not None:
        await send_quietly(web.settings, [message])
    return web.render("signup/resend.html", sent=True)
