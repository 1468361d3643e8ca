// The home timeline, two at a time, each page below the last id of the one before (as megalodon apps page).
import { run } from "../lib.mjs";
import { client } from "./client.mjs";

run(async (input) => {
  const api = client(input);
  const ids = [];
  while (ids.length < input.want) {
    const page = await api.getHomeTimeline({ limit: 2, ...(ids.length ? { max_id: ids.at(-1) } : {}) });
    if (page.data.length === 0) break;
    ids.push(...page.data.map((s) => s.id));
  }
  return { ids: ids.slice(0, input.want) };
});
