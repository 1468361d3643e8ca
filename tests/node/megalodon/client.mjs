// megalodon clients for a test's input ({base_url, token}). The SNS is named: megalodon's `detector` reads
// NodeInfo's metadata, which does not yet say "Mastodon-compatible" ("Unknown SNS"); mended on another branch.
import generator from "megalodon";

export const client = (input) => generator("mastodon", input.base_url, input.token ?? null);
