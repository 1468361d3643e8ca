"""The privacy guard's statistical second signal: shipped weights, findings, training determinism."""
from __future__ import annotations

import numpy as np
import pytest

from moderation.phi import KINDS, Finding, check_post, find_phi
from moderation.phi.model import WEIGHTS, Model, load
from moderation.phi.model_features import DIM, features, shape, tokens


def test_shipped_weights_load_offline_with_a_threshold():
    model = load()
    assert WEIGHTS.exists() and model.w.shape == (DIM, len(KINDS))
    assert 0.0 < model.threshold < 1.0
    assert np.count_nonzero(model.w) > 1000  # trained, not empty


def test_shapes_and_tokens():
    assert shape("03/14/1961") == "d/d/d"
    assert shape("03/14/1961", 4) == "dd/dd/dddd"
    assert shape("Okafor") == "Xx"
    assert [t[0] for t in tokens("Pt (Smith), DOB 3/4.")] == ["Pt", "Smith", "DOB", "3/4"]
    ids, where, spans = features("Mrs Okafor")
    assert len(ids) == len(where) and max(where) == 1 and spans == [(0, 3), (4, 10)]


def _toy_model(threshold: float = 0.5) -> Model:
    """A held-constant model: the feature "w:okafor" alone pushes `name` over any threshold."""
    w = np.zeros((DIM, len(KINDS)), dtype=np.float32)
    ids, _, _ = features("okafor")
    w[ids[0], KINDS.index("name")] = 10.0  # ids[0] is the "w:" feature
    return Model(w, np.full(len(KINDS), -5.0, dtype=np.float32), threshold)


def test_a_kind_over_threshold_is_a_finding_on_its_best_token():
    text = "Seen with Okafor today, plan unchanged."
    [f] = _toy_model().findings(text)
    assert isinstance(f, Finding) and f.kind == "name"
    assert (f.start, f.end, f.text) == (10, 16, "Okafor") and text[f.start:f.end] == f.text
    assert f.reason.startswith("model: p=")
    assert _toy_model().findings("Seen with the team today.") == []


def test_kinds_the_rules_found_and_taken_spans_are_left_alone():
    text = "Seen with Okafor today."
    assert _toy_model().findings(text, skip={"name"}) == []
    [f] = _toy_model().findings(text, taken=[(10, 16)])
    assert (f.start, f.end) != (10, 16)  # moved to the next-best free token, never overlapping


def test_find_phi_with_the_model_keeps_rules_and_never_overlaps():
    text = "Pt John Smith, DOB 03/14/1961, MRN 4482913, lives alone in the lighthouse on the point."
    rules = find_phi(text)
    both = find_phi(text, model=True)
    assert {(f.kind, f.start) for f in rules} <= {(f.kind, f.start) for f in both}
    spans = sorted((f.start, f.end) for f in both)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert all(text[f.start:f.end] == f.text for f in both)


def test_model_off_by_default_and_check_post_passes_it_on():
    text = "Quick q about the tall guy from the fish market with the anchor tattoo on his neck, 58M, chest pain."
    assert find_phi(text) == find_phi(text, model=False)
    decision = check_post([text], "warn", model=True)
    assert decision.findings == find_phi(text, model=True)
    assert decision.action == ("confirm" if decision.findings else "allow")


def test_clean_clinical_text_scores_low():
    model = load()
    z = model.logits("Grand rounds moved to Thursday: AF rate vs rhythm control, bring your questions.")
    assert (z < model.cut).all()


def test_training_is_deterministic_on_a_fixed_small_set():
    pytest.importorskip("scipy")  # training only (the test extras bring it); scoring is numpy
    from moderation.phi import train

    posts = [
        {"text": "Pt Anna Kowalski, DKA again", "kinds": ["name"]},
        {"text": "Mrs Okafor in clinic, HTN", "kinds": ["name"]},
        {"text": "DOB 03/14/1961, new AF", "kinds": ["date"]},
        {"text": "Journal club Thursday on AF", "kinds": []},
        {"text": "Sepsis bundle audit results", "kinds": []},
    ]
    x, y = train.design([p["text"] for p in posts]), train.labels(posts)
    w1, b1 = train.fit(x, y, steps=30)
    w2, b2 = train.fit(x, y, steps=30)
    assert np.array_equal(w1, w2) and np.array_equal(b1, b2)
    p = 1.0 / (1.0 + np.exp(-(x @ w1 + b1)))
    name = KINDS.index("name")
    assert p[0, name] > 0.5 and p[3, name] < 0.5  # it learned the set it was given


MODEL_ONLY = "His cochlear implant: CX-41-70233, the audiologist asked for it."


def test_the_setting_parses_and_is_off_by_default(tmp_path):
    from server.settings import load_settings

    base = {"CURBSIDE_DATA_DIR": str(tmp_path), "CURBSIDE_DOMAIN": "curbside.test"}
    assert load_settings(base).phi_model is False
    assert load_settings({**base, "CURBSIDE_PHI_MODEL": "true"}).phi_model is True


async def test_api_422_with_the_model_has_the_same_shape(settings):
    """A device number only the model sees: posted with the model off, a 422 with phi_findings with it on."""
    import dataclasses

    import httpx

    from server.app import create_app
    from tests.support.members import member

    assert find_phi(MODEL_ONLY) == []
    for model in (False, True):
        app = create_app(dataclasses.replace(settings, phi_model=model))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=settings.base_url) as c:
                headers = (await member(app, f"m{int(model)}")).headers
                response = await c.post("/api/v1/statuses", json={"status": MODEL_ONLY}, headers=headers)
        if not model:
            assert response.status_code == 200
            continue
        assert response.status_code == 422
        body = response.json()
        assert body["phi_action"] == "confirm" and "may identify a patient" in body["error"]
        [finding] = body["phi_findings"]
        assert finding["kind"] == "license_or_device_id" and finding["field"] == 0
        assert MODEL_ONLY[finding["start"]:finding["end"]] == finding["text"] == "CX-41-70233"


def test_the_model_speaks_only_where_the_text_shows_a_candidate_of_its_kind():
    from moderation.phi.model_gate import MODEL_KINDS, has_candidate

    assert not has_candidate("name", "Echo shows EF 35%, moderate MR. Plan: start sacubitril.")
    assert has_candidate("name", "Seen with Mrs Okafor today") and has_candidate("name", "seen with Okafor and Ruth")
    assert has_candidate("age_over_89", "she turned ninety-four") and not has_candidate("age_over_89", "aged 64")
    assert has_candidate("date", "seen 3/4") and not has_candidate("date", "seen in clinic")
    assert {"url", "email", "ip_address", "address", "facility_location"}.isdisjoint(MODEL_KINDS)
    assert not has_candidate("url", "https://pacs.example.internal/study/1")  # left to the rules


def test_find_phi_with_the_model_adds_only_gated_kinds():
    """On the hard negatives the model may still speak, but only in its kinds and over a candidate."""
    from moderation.phi.model_gate import MIN_PROBABILITY, MODEL_KINDS, has_candidate
    from tests.test_phi import CLEAN

    for text in CLEAN:
        rules = {(f.kind, f.start) for f in find_phi(text)}
        for f in find_phi(text, model=True):
            if (f.kind, f.start) in rules:
                continue
            assert f.kind in MODEL_KINDS and has_candidate(f.kind, text), (text, f)
            assert float(f.reason.removeprefix("model: p=")) >= MIN_PROBABILITY.get(f.kind, 0.0) - 0.005
