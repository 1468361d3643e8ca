"""Migration 0018: applicants shown under the real name sign-up copied get their username back; members keep theirs."""
from sqlalchemy import select

from server.db.migrate import migrate
from server.db.models import Actor, MemberProfile
from server.services.accounts.members import NewAccount, create_account
from tests.support.migrations import downgrade_to_before


async def test_applicant_names_migration_resets_copied_real_names_of_applicants_only(app):
    engine = app.state.engine
    await downgrade_to_before(engine, "0018_applicant_names")
    async with app.state.sessions() as session:
        for username, admitted in (("ann", False), ("meg", True)):
            account = await create_account(session, app.state.urls, app.state.settings.domain, NewAccount(
                username=username, email=f"{username}@example.org", confirmed=admitted, approved=admitted))
            account.actor.display_name = f"Real {username}"  # as sign-up used to copy it
            session.add(MemberProfile(actor_id=account.actor_id, real_name=f"Real {username}", pseudonymous=False))
        await session.commit()
    await migrate(engine)
    async with app.state.sessions() as session:
        names = dict((await session.execute(select(Actor.username, Actor.display_name))).all())
    assert names == {"ann": "ann", "meg": "Real meg"}
