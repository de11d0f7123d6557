"""The parts every local CRM emulator shares, whatever API it speaks: the simulated clock, the
request log, seeded fault injection, rate windows and a local HTTP server to run the API on.

Nothing here knows a CRM: HubSpot's error shapes, tier limits and time formats live in
``handoff.sandbox.hubspot``, and a Salesforce emulator would bring its own.
"""
