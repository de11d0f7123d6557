"""The synthetic company ("Acme Analytics") in no CRM's terms: its team, accounts and leads, their
history, and a simulation of its market and reps, all as CRM-neutral events.

A CRM renderer (``handoff.sandbox.hubspot.renderer``) implements ``port.CrmPort``: it writes the
events into its emulator and answers the reps' questions (who owns this lead now, which fields did
handoff set up), so every emulated CRM can share the same company, seed for seed.
"""
