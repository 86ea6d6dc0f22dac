"""Pure rules with no I/O and no framework: personnummer, ICD-10 codes, dates."""
