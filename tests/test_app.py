"""create_app: what the assembled app does for the whole process while it runs."""
import gc

from server.app import create_app


async def test_app_keeps_start_up_objects_out_of_collections_while_it_runs(settings):
    """A full collection walking every module, route and mapper paused requests ~60 ms; the app freezes
    what start-up built, and hands it back to the collector when it stops."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
