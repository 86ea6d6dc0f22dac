"""rehabkoll.synth."""
