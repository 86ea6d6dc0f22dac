"""The national exchange format (RIVTA, ``clinicalprocess:healthcond:certificate``):
reading RegisterCertificate, RevokeCertificate and SendMessageToCare XML, and
storing what they carry. Pure parsing and mapping; no web framework."""
