// Notifications v1: the mentions, and one read by its id.
import { run } from "../lib.mjs";
import { rest } from "./client.mjs";

run(async (input) => {
  const api = rest(input);
  const mentions = await api.v1.notifications.list({ types: ["mention"] });
  const one = await api.v1.notifications.$select(mentions[0].id).fetch();
  return { mentions: mentions.map((n) => ({ type: n.type, status: n.status.id, from: n.account.acct })),
    one: { id: one.id, type: one.type } };
});
