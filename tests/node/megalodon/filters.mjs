// A keyword filter through megalodon's (v1) filter calls: a matching status in home comes with `filtered`.
import { run } from "../lib.mjs";
import { client } from "./client.mjs";

run(async (input) => {
  const api = client(input);
  const filter = (await api.createFilter(input.keyword, ["home"], { whole_word: true })).data;
  const status = (await api.postStatus(`A note on ${input.keyword} today`)).data;
  const home = (await api.getHomeTimeline({ limit: 5 })).data;
  const shown = home.find((s) => s.id === status.id);
  const listed = (await api.getFilters()).data.map((f) => f.phrase);
  await api.deleteFilter(filter.id);
  return { listed, filtered: (shown.filtered ?? []).map((r) => r.filter.title),
    after: (await api.getFilters()).data.map((f) => f.phrase) };
});
