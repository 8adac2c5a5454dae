"""Weekly tips: subscriptions, the rotation, the schedule and the broadcast (platform-neutral)."""
