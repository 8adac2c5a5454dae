"""Every Slack id the app uses (callback_id, action_id, block_id). Listed once, here."""

# Contract ids (CONTRACT.md): do not rename.
ESCALATION_CALLBACK = "escalation_submit"
MESSAGE_SHORTCUT = "boundary_guidance_for_message"
CONCERN_BLOCK = "concern"
URGENCY_BLOCK = "urgency"
ANONYMITY_BLOCK = "anonymity"

# The project's own ids.
CONCERN_ACTION = "concern_input"
URGENCY_ACTION = "urgency_choice"
ANONYMITY_ACTION = "anonymity_choice"
ABOUT_SUPERVISOR_BLOCK = "about_supervisor"
ABOUT_SUPERVISOR_ACTION = "about_supervisor_choice"

OTHER_MATCH = "guidance_other_match"
SHARE = "guidance_share"
FEEDBACK_HELPFUL = "guidance_helpful"
FEEDBACK_NOT_HELPFUL = "guidance_not_helpful"
ESCALATE_OPEN = "escalate_open"
BROWSE_SELECT = "browse_topic"
HOME_TOPIC = "home_topic"
GUIDANCE_MODAL = "guidance_view"

CASE_ACK = "case_acknowledge"
CASE_RESOLVE = "case_resolve"
CASE_REVEAL = "case_reveal"
CASE_WITHDRAW = "case_withdraw"

TIPS_MORE = "tip_more"
TIPS_UNSUBSCRIBE = "tip_unsubscribe"
TIPS_TOGGLE = "tips_toggle"
ADMIN_SETTINGS_OPEN = "admin_settings_open"
ADMIN_SETTINGS_CALLBACK = "admin_settings_submit"

# Escalation settings in the admin modal (tips adds its own block ids beside these).
ADMIN_SUPERVISORS_BLOCK = "admin_supervisors"
ADMIN_SUPERVISORS_ACTION = "admin_supervisors_select"
ADMIN_BACKUP_BLOCK = "admin_backup"
ADMIN_BACKUP_ACTION = "admin_backup_select"
ADMIN_CHANNEL_BLOCK = "admin_channel"
ADMIN_CHANNEL_ACTION = "admin_channel_select"

# Tips settings in the admin modal.
TIPS_CHANNELS_BLOCK = "tips_channels"
TIPS_CHANNELS_ACTION = "tips_channels_select"
TIPS_DAY_BLOCK = "tips_day"
TIPS_DAY_ACTION = "tips_day_select"
TIPS_TIME_BLOCK = "tips_time"
TIPS_TIME_ACTION = "tips_time_pick"
TIPS_TIMEZONE_BLOCK = "tips_timezone"
TIPS_TIMEZONE_ACTION = "tips_timezone_input"
