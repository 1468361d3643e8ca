// The user stream over a WebSocket: one `update` event for a status posted once subscribed.
import { run, sleep } from "../lib.mjs";
import { rest, streaming } from "./client.mjs";

run(async (input) => {
  const stream = await streaming(input);
  const events = stream.user.subscribe()[Symbol.asyncIterator]();
  let seen = null;
  (async () => {  // masto.js says nothing when the subscription is in place: post until one is seen
    for (let n = 0; n < 10 && !seen; n++) {
      await rest(input).v1.statuses.create({ status: `${input.text} ${n}` });
      await sleep(500);
    }
  })();
  while (!seen) {
    const { value } = await events.next();
    if (value.event === "update" && value.payload.content.includes(input.text)) seen = value;
  }
  stream.close();
  return { event: seen.event, id: seen.payload.id, content: seen.payload.content };
});
