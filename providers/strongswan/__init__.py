"""The ``strongswan`` provider: site-to-site connections loaded into a real strongSwan charon
over VICI, and live SA status (see README.md in this directory)."""
