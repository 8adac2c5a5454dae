"""The Slack surface: Bolt app, listeners (one per file), renderers and the messenger."""
