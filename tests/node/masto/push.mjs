// The token's Web Push subscription: made with alerts and a policy, read, its alerts and policy changed, removed
// (then reading it is a 404); the instance's VAPID key read beside it.
import { check, pushKeys, run } from "../lib.mjs";
import { rest } from "./client.mjs";

const shown = (s) => ({ endpoint: s.endpoint, server_key: s.serverKey, policy: s.policy,
  alerts: { mention: s.alerts.mention, favourite: s.alerts.favourite, reblog: s.alerts.reblog,
    follow: s.alerts.follow, poll: s.alerts.poll } });

run(async (input) => {
  const push = rest(input).v1.push.subscription;
  const made = await push.create({ subscription: { endpoint: input.endpoint, keys: pushKeys() },
    data: { alerts: { mention: true, favourite: true, follow: false } }, policy: "followed" });
  const read = await push.fetch();
  const changed = await push.update({ data: { alerts: { mention: false, reblog: true }, policy: "none" } });
  const reread = await push.fetch();
  check(read.id === made.id && reread.id === made.id, "one subscription for the token");
  await push.remove();
  const gone = await push.fetch().then(() => 200, (error) => error.statusCode);
  const vapid = (await rest(input).v2.instance.fetch()).configuration.vapid.publicKey;
  return { made: shown(made), read: shown(read), changed: shown(changed), reread: shown(reread), gone, vapid };
});
