"""Local emulators of the CRM APIs handoff talks to, for tests and the demo."""
