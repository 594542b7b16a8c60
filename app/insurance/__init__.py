"""Collective insurance pages: policies, pools and premium runs; members' pools and shares."""
