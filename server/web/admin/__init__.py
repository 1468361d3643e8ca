"""The admin pages (/admin...): moderators review verifications and reports and keep the federation's
domain policies and blocklists; admins also manage members, invites and the site's settings. Handlers
parse the form, call a service (which writes the audit log) and redirect with a notice."""
