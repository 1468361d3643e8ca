"""What a viewer reads, already filtered for them: timelines, threads and notifications (timelines), the
batched loading of a page of statuses or accounts (page_views, status_json, entity_cache), members' keyword
filters (kept: filter_storage; applied: filter_matching), read markers, direct conversations, lists, followed
hashtags, and the stream events written for the streaming API."""
