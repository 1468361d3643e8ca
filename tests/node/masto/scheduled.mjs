// Scheduled statuses: two made (one with a poll), listed, read, moved, one cancelled; the other is left for
// the worker to publish.
import { check, later, run } from "../lib.mjs";
import { rest } from "./client.mjs";

run(async (input) => {
  const api = rest(input);
  const kept = await api.v1.statuses.create({ status: input.text, scheduledAt: later(10) });
  check(kept.params.text === input.text, "a ScheduledStatus answers");
  const cancelled = await api.v1.statuses.create({ status: "never mind", scheduledAt: later(20),
    poll: { options: ["yes", "no"], expiresIn: 600 } });
  const listed = (await api.v1.scheduledStatuses.list()).map((s) => s.id);
  const moved = await api.v1.scheduledStatuses.$select(kept.id).update({ scheduledAt: later(30) });
  const read = await api.v1.scheduledStatuses.$select(kept.id).fetch();
  await api.v1.scheduledStatuses.$select(cancelled.id).remove();
  return { kept: kept.id, cancelled: cancelled.id, listed, poll: cancelled.params.poll.options,
    moved: moved.scheduledAt > kept.scheduledAt && read.scheduledAt === moved.scheduledAt,
    after: (await api.v1.scheduledStatuses.list()).map((s) => s.id) };
});
