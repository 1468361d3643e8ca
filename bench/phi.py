"""Benchmark the PHI detector: accuracy on the development corpus and on two held-out corpora, and time per post.

The detector is tuned on tests/data/phi_dev.jsonl only. tests/data/phi_heldout.jsonl (heldout-2025) was written
separately but has since been looked at while tuning, so it no longer measures generalisation.
tests/data/phi_heldout_2026.jsonl (heldout2026) is written independently, by the labelling guidelines in
moderation/phi/LABELLING.md, without seeing the detector or the other corpora: its figures are the ones that
count. Never tune on it and never list its misses (--misses refuses it). Each corpus is reported when its file
exists.

Before the held-out corpus existed, eight probes of 60-80 posts were written before looking at the detector's
output, scored once, and only then added to the development corpus (lines 635-1174 of phi_dev.jsonl).
Their first-look figures, in order (recall / false alarms): 0.78/0.03, 0.83/0.13, 0.68/0.10, 0.83/0.03,
0.77/0.03, 0.83/0.03, 0.60/0.03 (name-heavy on purpose), 0.76/0.10. Five more probes, written the same way
in the second round (issue 15 part 1; lines 1175-1864: OCR label lines in capitals, international formats, ages
in words, hard negatives), scored 0.79/0.10 (197 posts), 0.84/0.08 (182), 0.87/0.14 (118, very hard
negatives), 0.78/0.26 (95, name-heavy, colleagues and public figures by title as negatives) and 0.92/0.08 (98)
at first look, each after the fixes the one before it prompted. Four more in the third round (lines 7595-7914:
device and licence numbers, one-of-a-kind details, record numbers abroad, ages in French and Spanish, hard negatives
for each new rule): 0.68/0.00 (116 posts) and, after its fixes, 0.62/0.16 (66; four of its five false alarms came
from rules written on the probe before it, which were then cut back), then 0.62/0.14 (70, name-heavy: lone given
names, families by surname, initials) and 0.66/0.17 (68: one-of-a-kind details and their look-alikes). Expect
the held-out figures near those, not near the development ones.

The statistical second signal (moderation/phi/model.py, issue 15 part 1): each corpus is also scored as "rules +
model" (find_phi(model=True)). One logistic regression per kind over hashed token features, trained on
phi_dev.jsonl only (python -m moderation.phi.train); everything was decided on five-fold cross-validation of
the development corpus: rules alone 0.992 recall / 0.006 false alarms, model alone 0.929 / 0.042 and rules +
model 0.996 / 0.046 at the threshold 0.10 (the lowest keeping cross-validated false alarms within 0.05; L2
1e-4, which beat 1e-3 on the same folds). This file was run twice during that work, as agreed: at the start
(rules only, the baseline) held-out 2026 scored recall 0.838, false alarms 0.065, median 371 us per post; at
the end rules + model scored recall 0.887 and false alarms 0.119, median 509 us, p99 1905 us per post (rules alone
unchanged: 0.838 / 0.065, median 392 us, p99 1329 us; heldout-2025: 0.714 / 0.025 -> 0.831 / 0.091).
Recall rose, but false alarms nearly doubled, past the 0.05 target, so the model ships off
(CURBSIDE_PHI_MODEL=false). Neither configuration meets the issue's target yet.

Round 4 (issue 15 part 1, generalising to text never tuned on). Probe 9 (154 posts, 77 with identifiers, 77 hard
negatives, lines 7915-8068: ward shorthand, handover lists, long narratives, non-native English, German, French and
Spanish formats, labels, case-conference write-ups, rota and conference posts, eponyms, colleagues by title, stock
numbers, institutional numbers) scored 0.857 / 0.104 at first look (rules + model 0.896 / 0.195). Fixed by class:
context windows widened to whole words (a cut "t|he" read as the pronoun "he"), a possessive or object pronoun no
longer makes a public event a patient's, a case brought to a meeting is a patient's; patient cues, months and
day.month. dates abroad; a room or bed spoken of for itself with no one in it; an institution's own telephone (not
its fax); lot and batch numbers only about a patient; titled speakers; colleagues' and teams' work addresses.
Probe 10 (60 posts, lines 8069-8128), written after those fixes, scored 0.700 / 0.000 at first look (rules + model
0.767 / 0.067): the false-alarm fixes held, recall did not; its classes (birth years and months in French, Spanish
and Italian, relatives as patient context, cots, cases brought to an MDT) were fixed in turn, then ages by what the
person still does at them, names in context, public careers. The model became a gated second signal
(moderation/phi/model_gate.py): only kinds with a shape (names, dates, ages, numbers) and one-of-a-kind details
(at p >= 0.5), and only where the text shows a candidate of the kind. On the same five folds before the probes it
kept recall 0.995 for false alarms 0.015 where the ungated model had 0.996 for 0.045; the training budget became a
third of the target (0.015), since held-out false alarms had come out 2.6 times the cross-validated ones. Final
cross-validation (8,128 posts): rules 0.994 / 0.003, rules + gated model 0.996 / 0.014 at threshold 0.12.
This file was run twice in round 4, as agreed. At the start (the baseline): held-out 2026 rules 0.838 / 0.065,
rules + model 0.887 / 0.119, median 362 us per post (heldout-2025 0.714 / 0.025 and 0.831 / 0.091). At the end:
held-out 2026 rules 0.852 / 0.056, rules + model 0.881 / 0.071; median 450 us, p99 1575 us per post (with the model
602 us, p99 2078 us; the machine was shared); heldout-2025 0.725 / 0.020 and 0.771 / 0.042. False alarms fell
(rules 22 -> 19 of 337 clean posts; rules + model 40 -> 24) and rules' recall rose (names did not move: 80 of 97),
but neither configuration meets the target (recall 0.95, false alarms 0.05); the model stays off.

Round 5 (issue 15 part 1: names, and false alarms). Four probes, each written before looking at the detector's
output on it, scored once, studied by class, then added to the development corpus (lines 8129-8460). Probe 11 (152
posts, 74 with identifiers, names of patients and relatives in ward shorthand, lists, German, French, Turkish,
Maori and West African names beyond the gazetteer; 78 hard negatives: colleagues, eponyms, drugs, trials, rotas)
scored 0.865 / 0.013 at first look (rules + model 0.919 / 0.051). Probe 12 (93, after probe 11's fixes) scored
0.795 / 0.143 (rules + model 0.818 / 0.184); probe 13 (47, 37 of them hard negatives for rooms, venues, teams'
phones, colleagues' dates and ages no patient's) 1.000 / 0.378 (1.000 / 0.405); probe 14 (40, after all of those)
0.900 / 0.250 (0.900 / 0.250). Fixed by class: names shortened to an initial after a clinical verb, a list item or a
heading ("Tomasz W.", "2) Gérard L."), a name-shaped subject of what only happens to patients ("Awhina was
discharged", "Thandiwe pulled out her NG"), any relative after a possessive name, a relative "of pt" with a name in
brackets, more person words in brackets, capitalised foreign titles ("Monsieur"), dotted initials after "pt"; and
against false alarms: a title before an academic one ("Frau Dr."), titled characters of shows and books ("Mr
Bean"), staff roles before a name, place words as surnames ("Cape Town"), a subject pronoun or the author's own
family no longer makes a public event a patient's ("she gave a talk on 3 May", "my daughter graduates"), a place
spoken of for its use, kit, parking or staff, shops' and pubs' addresses, numbers with an extension or a team's
mobile, intranet document links, an institution's anniversary, the author's own relative's age, "N years of".
The model's gate now asks for a candidate the rules' context left open (not a colleague's, a speaker's, a
character's, an institution's): on the same five folds of 8,420 posts, rules + model 0.996 / 0.014 at threshold 0.09
where the old gate had 0.996 / 0.015 at 0.12. Final cross-validation (8,460 posts): rules 0.994 / 0.002, rules +
gated model 0.997 / 0.015 at 0.09.
This file was run twice in round 5, as agreed. At the start (the baseline): held-out 2026 rules 0.852 / 0.056, rules
+ model 0.881 / 0.071, median 441 us, p99 1589 us per post (with the model 618 us, p99 2058 us); heldout-2025 0.725 /
0.020 and 0.771 / 0.042. At the end: held-out 2026 rules 0.852 / 0.056, unchanged to the post (every per-kind count
and every kind firing on clean posts the same: names still 80 of 97; false alarms facility_location 5, address 3,
phone 3, url 2, date 2); rules + model 0.887 / 0.074 (names 86 of 97; 25 false alarms where there were 24); median
488 us, p99 1621 us per post (with the model 650 us, p99 2175 us; the machine was shared); heldout-2025 0.735 /
0.017 and 0.780 / 0.047. The classes the probes showed are not the ones the held-out corpus misses or flags: what
was fixed held on later probes (each first look came out clean on the earlier probes' classes, new classes aside)
but did not reach the held-out text. Neither configuration meets the target; the model stays off.

Images: bench/phi_images.py, run at the end.

Run from the repository root: python bench/phi.py [--misses dev|heldout]  (heldout = heldout-2025)
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation.phi import KINDS, find_phi  # noqa: E402

DATA = ROOT / "tests" / "data"
CORPORA = {"dev": DATA / "phi_dev.jsonl", "heldout": DATA / "phi_heldout.jsonl",
           "heldout2026": DATA / "phi_heldout_2026.jsonl"}
LABELS = {"dev": "development (tuned on)", "heldout": "heldout-2025 (seen while tuning)",
          "heldout2026": "HELD-OUT (the figures that count)"}
COUNTS = "heldout2026"  # the corpus whose misses are never listed
ROUNDS = 5


@dataclass
class Score:
    """How the detector did on one corpus."""

    posts: int = 0
    with_phi: int = 0
    caught: int = 0
    false_alarms: int = 0
    kind_total: Counter = field(default_factory=Counter)
    kind_found: Counter = field(default_factory=Counter)
    wrong_kinds: Counter = field(default_factory=Counter)  # what fired on clean posts

    @property
    def recall(self) -> float:
        return self.caught / self.with_phi if self.with_phi else 0.0

    @property
    def false_alarm_rate(self) -> float:
        clean = self.posts - self.with_phi
        return self.false_alarms / clean if clean else 0.0


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(posts: list[dict], show_misses: bool = False, model: bool = False) -> Score:
    """A post is caught when every labelled kind is found; a clean post with any finding is a false alarm."""
    s = Score(posts=len(posts))
    for post in posts:
        found = {f.kind for f in find_phi(post["text"], model=model)}
        if post["has_phi"]:
            s.with_phi += 1
            s.kind_total.update(set(post["kinds"]))
            s.kind_found.update(k for k in set(post["kinds"]) if k in found)
            missed = set(post["kinds"]) - found
            s.caught += not missed
            if missed and show_misses:
                print(f"  MISS {sorted(missed)}: {post['text']}")
        elif found:
            s.false_alarms += 1
            s.wrong_kinds.update(found)
            if show_misses:
                print(f"  FALSE {sorted(found)}: {post['text']}")
    return s


def report(name: str, s: Score) -> None:
    print(f"{name}: {s.posts} posts ({s.with_phi} with identifiers, {s.posts - s.with_phi} clean)")
    print(f"  recall (every labelled kind found): {s.recall:.3f}")
    print(f"  false-alarm rate on clean posts:    {s.false_alarm_rate:.3f}")
    print("  per-kind recall (found / labelled):")
    for kind in KINDS:
        if s.kind_total[kind]:
            print(f"    {kind:22s} {s.kind_found[kind] / s.kind_total[kind]:.3f}  "
                  f"({s.kind_found[kind]}/{s.kind_total[kind]})")
    if s.wrong_kinds:
        print("  kinds firing on clean posts: " + ", ".join(f"{k} {n}" for k, n in s.wrong_kinds.most_common()))


def timing(texts: list[str], model: bool = False) -> tuple[float, float]:
    """Median and p99 over posts of each post's best time of ROUNDS, in microseconds (after a warm-up pass).

    Best-of-ROUNDS measures the detector rather than the other processes of a shared machine."""
    for text in texts:
        find_phi(text, model=model)
    best = []
    for text in texts:
        runs = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter_ns()
            find_phi(text, model=model)
            runs.append((time.perf_counter_ns() - t0) / 1000)
        best.append(min(runs))
    best.sort()
    return statistics.median(best), best[max(0, int(len(best) * 0.99) - 1)]


def main(argv: list[str]) -> None:
    show = argv[argv.index("--misses") + 1] if "--misses" in argv else None
    if show == COUNTS:
        sys.exit(f"--misses {COUNTS}: refused, reading its misses would make it a tuning set")
    texts = []
    for name, path in CORPORA.items():
        if not path.exists():
            print(f"{name}: {path.relative_to(ROOT)} not present")
            continue
        posts = load(path)
        texts += [p["text"] for p in posts]
        report(f"{name} - {LABELS[name]}", score(posts, show_misses=show == name))
        report(f"{name} - {LABELS[name]}, rules + model", score(posts, show_misses=show == name, model=True))
    for model in (False, True):
        median, p99 = timing(texts, model)
        print(f"time per post{' with the model' if model else ''} (best of {ROUNDS}): median {median:.0f} us, "
              f"p99 {p99:.0f} us ({len(texts)} posts)")
    import phi_images  # the image side: tests/data/phi_images, dev and held-out
    phi_images.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
