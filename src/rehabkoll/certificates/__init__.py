"""Certificates (intyg): the FK 7804 sick-leave certificate, its format, storage and import."""
