"""Migration 0018: applicants shown under the real name sign-up copied get their username back; members keep theirs."""
from sqlalchemy import select, text

from server.db.migrate import migrate
from server.db.models import Actor, MemberProfile
from server.services.accounts.members import NewAccount, create_account
from tests.support.migrations import downgrade_to_before


async def test_applicant_names_migration_resets_copied_real_names_of_applicants_only(app):
    engine = app.state.engine
    # Written with today's models, then taken back to the schema before 0018 (later columns dropped, rows kept).
    async with app.state.sessions() as session:
        for username, admitted in (("ann", False), ("meg", True)):
            account = await create_account(session, app.state.urls, app.state.settings.domain, NewAccount(
                username=username, email=f"{username}@example.org", confirmed=admitted, approved=admitted))
            session.add(MemberProfile(actor_id=account.actor_id, real_name=f"Real {username}", pseudonymous=False))
        await session.commit()
    await downgrade_to_before(engine, "0018_applicant_names")
    async with engine.begin() as connection:  # as sign-up used to copy it
        await connection.execute(text("UPDATE actors SET display_name = 'Real ' || username"))
    await migrate(engine)
    async with app.state.sessions() as session:
        names = dict((await session.execute(select(Actor.username, Actor.display_name))).all())
    assert names == {"ann": "ann", "meg": "Real meg"}
