// An image (v2 upload, asked for until processed) posted with its description, and a poll.
import { createReadStream } from "node:fs";

import { check, run, sleep } from "../lib.mjs";
import { client } from "./client.mjs";

run(async (input) => {
  const api = client(input);
  // megalodon sends the file with the form-data package, which takes a stream
  const upload = await api.uploadMedia(createReadStream(input.image), { description: input.description });
  let media = upload.data;
  for (let n = 0; n < 100 && !media.url; n++) {
    await sleep(200);
    media = (await api.getMedia(upload.data.id)).data;
  }
  check(media.url, "the upload is processed");
  const withMedia = (await api.postStatus(input.text, { media_ids: [media.id] })).data;
  const poll = (await api.postStatus("Which anticoagulant?",
    { poll: { options: ["Apixaban", "Warfarin"], expires_in: 3600 } })).data;
  return { media_status: withMedia.id, media_id: withMedia.media_attachments[0].id,
    description: withMedia.media_attachments[0].description, poll_status: poll.id,
    poll_options: poll.poll.options.map((o) => o.title) };
});
