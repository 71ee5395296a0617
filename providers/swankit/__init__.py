"""strongSwan plumbing shared by the strongswan provider, the tencentcloud dataplane and
the lab: the VICI client and its errors (``vici``), live SA status and initiation
(``status``), proposal keywords, parsing and algorithm support (``proposals``) and
swanctl.conf rendering (``swanctl``). It imports none of its users."""
