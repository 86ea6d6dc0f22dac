"""Cases (sjukfall): certificates chained in time per patient and care provider."""
