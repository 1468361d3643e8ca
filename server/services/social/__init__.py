"""How accounts stand with each other: follows, favourites and boosts (interactions), relationships, a
member's own blocks and mutes, who may see a post (visibility_to_viewers for the client API and the web UI,
visibility_to_servers for fetches by other servers), whether an account is public at all (account_publicity),
finding accounts (lookup) and the directory."""
