"""An organisation's people: members, their roles, and invitations by e-mail."""
