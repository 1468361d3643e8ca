// Scheduled statuses: two made (one with a poll), listed, read, moved, one cancelled; the other is left for
// the worker to publish.
import { check, later, run } from "../lib.mjs";
import { client } from "./client.mjs";

run(async (input) => {
  const api = client(input);
  const kept = (await api.postStatus(input.text, { scheduled_at: later(10) })).data;
  check(kept.params.text === input.text, "a ScheduledStatus answers");
  const cancelled = (await api.postStatus("never mind", { scheduled_at: later(20),
    poll: { options: ["yes", "no"], expires_in: 600 } })).data;
  const listed = (await api.getScheduledStatuses()).data.map((s) => s.id);
  const moved = (await api.scheduleStatus(kept.id, later(30))).data;
  const read = (await api.getScheduledStatus(kept.id)).data;
  await api.cancelScheduledStatus(cancelled.id);
  return { kept: kept.id, cancelled: cancelled.id, listed, poll: cancelled.params.poll.options,
    moved: moved.scheduled_at > kept.scheduled_at && read.scheduled_at === moved.scheduled_at,
    after: (await api.getScheduledStatuses()).data.map((s) => s.id) };
});
