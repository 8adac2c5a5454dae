"""Pure functions turning the core's neutral results into Block Kit (validated by slack_sdk)."""
