// Notifications v1: the mentions, and one read by its id.
import { run } from "../lib.mjs";
import { client } from "./client.mjs";

run(async (input) => {
  const api = client(input);
  const mentions = (await api.getNotifications()).data.filter((n) => n.type === "mention");
  const one = (await api.getNotification(mentions[0].id)).data;
  return { mentions: mentions.map((n) => ({ type: n.type, status: n.status.id, from: n.account.acct })),
    one: { id: one.id, type: one.type } };
});
