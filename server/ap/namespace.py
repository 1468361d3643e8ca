"""`/ns`: the JSON-LD context of Curbside's own terms, so that `curbside:` names (`{base}/ns#attestation`)
can be looked up. Documents we send carry these terms inline and never make anyone fetch this."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.ap.negotiate import dumps
from server.convert.actor_to_as import ATTESTATION
from server.convert.case_to_as import CASE

JSON_LD = "application/ld+json"


def namespace_document(namespace: str) -> dict:
    """Each term of the `curbside:` vocabulary, by its short name."""
    return {"@context": {
        "curbside": f"{namespace}#",
        "attestation": {"@id": ATTESTATION, "@type": "@id"},  # a verified member's signed attestation (a VC 2.0)
        "reportCategory": "curbside:reportCategory",  # a Flag's finer category: patient_privacy, misinformation...
        # A case discussion (curbside consult): the `case` of its thread's Page, a `Case`.
        "Case": "curbside:Case",
        "case": CASE,
        "state": "curbside:state",  # open | resolved
        "acceptedAnswer": {"@id": "curbside:acceptedAnswer", "@type": "@id"},  # the reply that answered it
        "resolved": {"@id": "curbside:resolved", "@type": "xsd:dateTime"},  # when it was marked resolved
        "question": "curbside:question",
        "presentation": "curbside:presentation",
        "specialties": "curbside:specialties",  # NUCC taxonomy codes
        "ageBand": "curbside:ageBand",  # neonate, infant, child, adolescent, 18-29, ... 75-89, 90+
        "sex": "curbside:sex",  # female, male, other, unspecified
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }}


async def namespace(request: Request) -> Response:
    body = dumps(namespace_document(request.app.state.runtime.urls.namespace))
    return Response(body, media_type=JSON_LD, headers={"Access-Control-Allow-Origin": "*",
                                                       "Cache-Control": "max-age=86400"})


ROUTES = [Route("/ns", namespace, methods=["GET", "HEAD"])]
