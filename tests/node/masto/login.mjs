// App registration, a password grant, verify_credentials.
import { createOAuthAPIClient, createRestAPIClient } from "masto";
import { check, run } from "../lib.mjs";

run(async ({ base_url, username, password }) => {
  const scopes = "read write follow push";
  const app = await createRestAPIClient({ url: base_url }).v1.apps.create({
    clientName: "masto.js tests", redirectUris: "urn:ietf:wg:oauth:2.0:oob", scopes });
  check(app.clientId && app.clientSecret, "the app has a client id and secret");
  const token = await createOAuthAPIClient({ url: base_url }).token.create({
    grantType: "password", clientId: app.clientId, clientSecret: app.clientSecret,
    redirectUri: "urn:ietf:wg:oauth:2.0:oob", username, password, scope: scopes });
  const me = await createRestAPIClient({ url: base_url, accessToken: token.accessToken })
    .v1.accounts.verifyCredentials();
  return { username: me.username, token: token.accessToken, scope: token.scope };
});
