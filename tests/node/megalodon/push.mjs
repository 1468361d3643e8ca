// The token's Web Push subscription: made with alerts and a policy, read, its alerts and policy changed, removed
// (then reading it is a 404). megalodon passes `data` through as given, so `policy` goes inside it, as Mastodon reads it.
import { check, pushKeys, run } from "../lib.mjs";
import { client } from "./client.mjs";

const shown = (s) => ({ endpoint: s.endpoint, server_key: s.server_key, policy: s.policy,
  alerts: { mention: s.alerts.mention, favourite: s.alerts.favourite, reblog: s.alerts.reblog,
    follow: s.alerts.follow, poll: s.alerts.poll } });

run(async (input) => {
  const api = client(input);
  const made = (await api.subscribePushNotification({ endpoint: input.endpoint, keys: pushKeys() },
    { alerts: { mention: true, favourite: true, follow: false }, policy: "followed" })).data;
  const read = (await api.getPushSubscription()).data;
  const changed = (await api.updatePushSubscription({ alerts: { mention: false, reblog: true }, policy: "none" })).data;
  const reread = (await api.getPushSubscription()).data;
  check(read.id === made.id && reread.id === made.id, "one subscription for the token");
  await api.deletePushSubscription();
  const gone = await api.getPushSubscription().then(() => 200, (error) => error.response?.status);
  return { made: shown(made), read: shown(read), changed: shown(changed), reread: shown(reread), gone };
});
