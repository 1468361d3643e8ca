// The home timeline, two at a time through the Link headers, until `want` statuses.
import { run } from "../lib.mjs";
import { rest } from "./client.mjs";

run(async (input) => {
  const ids = [];
  for await (const page of rest(input).v1.timelines.home.list({ limit: 2 })) {
    ids.push(...page.map((s) => s.id));
    if (ids.length >= input.want || page.length === 0) break;
  }
  return { ids: ids.slice(0, input.want) };
});
