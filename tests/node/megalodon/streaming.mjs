// The user stream over a WebSocket: one `update` event for a status posted once the socket is open.
import { run } from "../lib.mjs";
import { client } from "./client.mjs";

run(async (input) => {
  const api = client(input);
  const stream = await api.userStreaming();
  let posted = null;
  const event = await new Promise((resolve, reject) => {
    stream.on("error", reject);
    stream.on("connect", async () => {
      posted = (await api.postStatus(input.text)).data.id;
    });
    stream.on("update", (status) => {
      if (status.content.includes(input.text)) resolve(status);
    });
  });
  stream.stop();
  return { event: "update", id: event.id, content: event.content, posted };
});
