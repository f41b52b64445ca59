"""Pages of webhooks: the organisation's endpoints, their deliveries and replays."""
