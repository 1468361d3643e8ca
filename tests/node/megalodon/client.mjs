// megalodon clients for a test's input ({base_url, token}), built for the SNS its `detector` finds in our NodeInfo
// (login.mjs checks that it finds "mastodon", from `metadata.upstream`).
import generator from "megalodon";

export const client = (input) => generator("mastodon", input.base_url, input.token ?? null);
