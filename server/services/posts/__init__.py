"""Posts and what they carry: writing, editing and deleting local posts (authoring) and scheduling them for
later, the patient-privacy guard's answer on them, polls and their closing, media and images, bookmarks and
pins, remote posts fetched by URL, full-text search, and the fan-out of a new post to home timelines and
notifications."""
