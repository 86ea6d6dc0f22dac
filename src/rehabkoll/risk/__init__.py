"""The risk that a sick-leave case lasts more than 90 days, learnt from the
region's own certificates (decision support, part 2; docs/decision-support.md)."""
