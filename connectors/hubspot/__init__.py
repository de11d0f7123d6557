"""HubSpot: the connector on the real `hubspot-api-client`, property setup, and webhooks."""
