// A list: made, an account added, its accounts and its timeline read, then deleted.
import { run } from "../lib.mjs";
import { client } from "./client.mjs";

run(async (input) => {
  const api = client(input);
  const list = (await api.createList(input.title)).data;
  await api.addAccountsToList(list.id, [input.account_id]);
  const accounts = (await api.getAccountsInList(list.id)).data;
  const timeline = (await api.getListTimeline(list.id, { limit: 5 })).data;
  const titles = (await api.getLists()).data.map((l) => l.title);
  await api.deleteList(list.id);
  return { titles, accounts: accounts.map((a) => a.id), timeline: timeline.map((s) => s.id),
    after: (await api.getLists()).data.map((l) => l.title) };
});
