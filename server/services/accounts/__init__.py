"""Local accounts and getting in: members, registration and invites, login and its throttle, passwords,
browser sessions, mailed single-use tokens, OAuth apps and scopes, the two profiles (mastodon_profile: name,
note, avatar, fields; professional_profile: pseudonym mode, real name, specialties), what admins do to
members, data exports and account deletion."""
