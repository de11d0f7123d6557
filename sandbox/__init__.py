"""Local emulators of the CRM APIs handoff talks to, for tests and the demo; the runtime never
imports them.

``kit`` holds what every emulator shares (clock, request log, faults, rate windows, HTTP server),
``company`` the synthetic company in no CRM's terms (its people, history and reps' behaviour, as
events), and each CRM's package (``hubspot``) its API and the renderer of the company's events.
"""
