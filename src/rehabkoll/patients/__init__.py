"""Patients: facts from the patient register, such as protected identity
(skyddad personuppgift), kept on the patient rows the certificates created."""
