// Detection of the API from NodeInfo (it failed with "Unknown SNS" before `metadata.upstream`), app registration,
// the member's consent on /oauth/authorize (out of band), the code exchanged for a token,
// verify_credentials.
import { check, consent, run } from "../lib.mjs";
import { client } from "./client.mjs";
import { detector } from "megalodon";

run(async ({ base_url, username, password }) => {
  const sns = await detector(base_url);
  check(sns === "mastodon", `megalodon detects a Mastodon API (got ${sns})`);
  const scopes = ["read", "write", "follow", "push"];
  const app = await client({ base_url }).registerApp("megalodon tests", { scopes });
  check(app.client_id && app.client_secret && app.url.includes("/oauth/authorize"), "an app and its consent URL");
  const code = await consent(app.url, username, password);
  const token = await client({ base_url }).fetchAccessToken(app.client_id, app.client_secret, code,
    app.redirect_uri);
  const me = await client({ base_url, token: token.access_token }).verifyAccountCredentials();
  return { username: me.data.username, token: token.access_token, scope: token.scope, sns };
});
