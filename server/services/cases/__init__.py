"""Case discussions (curbside consults): a case is a group thread of a special kind (`cases` row keyed by its
first post). `categories` (the coarse age bands and sexes a case may name), `lookup` (cases by post, and as
others read them), `authoring` (a member opens a case: validated, screened by the privacy guard field by field,
posted as a Page in its group), `resolving` (the author or a moderator marks it resolved, federated as an
Update; another Curbside's Update of its case taken), `listing` (cases by state, specialty and group)."""
