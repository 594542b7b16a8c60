"""Invoice runs: membership fees for a plan's period, premiums for a pool's period."""
