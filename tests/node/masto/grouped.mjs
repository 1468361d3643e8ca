// Notifications v2 (grouped): the favourites of one status in one group, read by its key, its accounts, the
// unread count; then the group dismissed.
import { check, run } from "../lib.mjs";
import { rest } from "./client.mjs";

run(async (input) => {
  const notifications = rest(input).v2.notifications;
  const page = await notifications.list({ types: ["favourite"], limit: 10 });
  const group = page.notificationGroups.find((g) => g.statusId === input.status);
  check(group, `a group for status ${input.status}`);
  const one = await notifications.$select(group.groupKey).fetch();
  const accounts = await notifications.$select(group.groupKey).accounts.fetch();
  const unread = await notifications.unreadCount.fetch({ types: ["favourite"] });
  await notifications.$select(group.groupKey).dismiss();
  const after = await notifications.list({ types: ["favourite"], limit: 10 });
  const acct = (id) => page.accounts.find((a) => a.id === id)?.acct;
  return { type: group.type, count: group.notificationsCount, samples: group.sampleAccountIds.map(acct),
    statuses: page.statuses.map((s) => s.id), one: one.notificationGroups.map((g) => g.groupKey),
    accounts: accounts.map((a) => a.acct), unread: unread.count, key: group.groupKey,
    after: after.notificationGroups.map((g) => g.groupKey) };
});
