"""Reminders: one rule engine and one inbox that every capability reuses.

A *rule* says which reminders should be open today; `manage.py reminders` (cron or a systemd
timer) runs every rule and the engine creates the missing reminders, updates the changed ones
and resolves the ones the rule no longer yields. A reminder leaves the inbox when its
condition is resolved (the committee re-elected, the member made full), never by a click.

Adding a rule — one small class in your app's `reminder_rules.py` (found automatically):

    # tiejun/life/reminder_rules.py
    from tiejun.reminders.engine import Due, Rule, register
    from tiejun.reminders.models import Stage

    @register
    class ThemeDayRule(Rule):
        code = "theme_day"                      # unique, stable: stored with every reminder
        label = gettext_lazy("主题党日提醒")     # shown in the command's output and the API

        def evaluate(self, *, today):           # use `today`, never the wall clock
            days = rules.get("meeting.theme_day.day_of_month", today)   # numbers from the table
            for org_id, org_path, name in <one query over all orgs that have not held it>:
                yield Due(
                    key=f"org:{org_id}:{today:%Y-%m}",     # stable identity of the obligation
                    org_id=org_id, org_path=org_path,      # where: scopes the inbox
                    title=_("本月主题党日尚未开展"), due_on=..., stage=Stage.due,
                    url=reverse(...),                      # where to act
                    notify_office=True, notify_branch=True, member_id=None,  # who must act
                )

Rules of the road: `evaluate` costs a fixed number of queries however many orgs there are
(filter and annotate in SQL, then loop over the rows); the key stays the same for as long as
the same obligation is open (put a period or a step in it when each one deserves its own
reminder and e-mail); the stage may change in place, and a change of stage e-mails it again.

Who sees a reminder is derived, not stored per account (ReminderQuerySet.visible_to): office
accounts whose subtree holds the org (notify_office), secretaries and committee members whose
subtree holds it (notify_branch), and the member himself (member_id). Administrators see none.
"""
