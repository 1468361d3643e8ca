// A v2 keyword filter that warns in the home timeline: a matching status comes with `filtered`.
import { run } from "../lib.mjs";
import { rest } from "./client.mjs";

run(async (input) => {
  const api = rest(input);
  const filter = await api.v2.filters.create({ title: input.keyword, context: ["home"], filterAction: "warn",
    keywordsAttributes: [{ keyword: input.keyword, wholeWord: true }] });
  const status = await api.v1.statuses.create({ status: `A note on ${input.keyword} today` });
  const home = await api.v1.timelines.home.list({ limit: 5 });
  const shown = home.find((s) => s.id === status.id);
  const listed = (await api.v2.filters.list()).map((f) => f.title);
  await api.v2.filters.$select(filter.id).remove();
  return { listed, filtered: shown.filtered.map((r) => r.filter.title),
    after: (await api.v2.filters.list()).map((f) => f.title) };
});
