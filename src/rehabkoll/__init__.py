"""rehabkoll: the work tool and follow-up system of the Swedish sick-leave and
rehabilitation process (sjukskrivnings- och rehabiliteringsprocessen)."""

__version__ = "0.1.0"
