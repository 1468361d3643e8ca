// A list: made, an account added, its accounts and its timeline read, then deleted.
import { run } from "../lib.mjs";
import { rest } from "./client.mjs";

run(async (input) => {
  const api = rest(input);
  const list = await api.v1.lists.create({ title: input.title });
  await api.v1.lists.$select(list.id).accounts.create({ accountIds: [input.account_id] });
  const accounts = await api.v1.lists.$select(list.id).accounts.list();
  const timeline = await api.v1.timelines.list.$select(list.id).list({ limit: 5 });
  const titles = (await api.v1.lists.list()).map((l) => l.title);
  await api.v1.lists.$select(list.id).remove();
  return { titles, accounts: accounts.map((a) => a.id), timeline: timeline.map((s) => s.id),
    after: (await api.v1.lists.list()).map((l) => l.title) };
});
