"""Coordination (koordineringsinsatser): the record a rehabilitation coordinator
keeps per patient and unit — status, consent, contacts, meetings, plans,
referrals and tasks — and the questions the work list and statistics ask of it.

The functions live in ``rehabkoll.coordination.service``; the vocabularies in
``rehabkoll.coordination.enums``.
"""
