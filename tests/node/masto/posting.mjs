// An image (v2 upload, waited for) posted with its description, and a poll.
import { check, image, run } from "../lib.mjs";
import { rest } from "./client.mjs";

run(async (input) => {
  const api = rest(input);
  const media = await api.v2.media.create({ file: image(input.image), description: input.description });
  check(media.url, "the upload is processed");
  const withMedia = await api.v1.statuses.create({ status: input.text, mediaIds: [media.id] });
  const poll = await api.v1.statuses.create({ status: "Which anticoagulant?",
    poll: { options: ["Apixaban", "Warfarin"], expiresIn: 3600 } });
  return { media_status: withMedia.id, media_id: withMedia.mediaAttachments[0].id,
    description: withMedia.mediaAttachments[0].description, poll_status: poll.id,
    poll_options: poll.poll.options.map((o) => o.title) };
});
